//! Template placeholders in values people paste: `${NAME}` (envsubst, Terraform,
//! CloudFormation `!Sub`), `$(NAME)`, `{{ … }}` (ecspresso, Go templates, CloudWatch agent
//! configs) and `<name>` (documentation). A value holding one must never reach an IAM
//! document as if it were a name: the planner reports it with its path, and `--var NAME=VALUE`
//! (or the spec's `variables`) fills it in.

/// One placeholder inside a string: its byte range and the variable it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placeholder<'a> {
    pub start: usize,
    pub end: usize,
    /// The variable: `NAME` in `${NAME}`, `{{ must_env "NAME" }}`, `{{ .NAME }}`, `<NAME>`.
    pub name: &'a str,
    /// The placeholder as written.
    pub text: &'a str,
}

/// The first placeholder in `s`, if any.
pub fn find(s: &str) -> Option<Placeholder<'_>> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let found = match b[i] {
            // `$$$NAME$$$` (the ECS agent's test templates)
            b'$' if s[i..].starts_with("$$$") => close(s, i, 3, "$$$"),
            b'$' if b.get(i + 1) == Some(&b'{') => close_nested(s, i),
            b'$' if b.get(i + 1) == Some(&b'(') => close(s, i, 2, ")"),
            b'{' if b.get(i + 1) == Some(&b'{') => close(s, i, 2, "}}"),
            b'<' => close(s, i, 1, ">").filter(|(_, inner)| {
                !inner.is_empty()
                    && inner.bytes().all(|c| {
                        c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b' ' | b'.')
                    })
            }),
            _ => None,
        };
        if let Some((end, inner)) = found {
            return Some(Placeholder {
                start: i,
                end,
                name: variable(inner),
                text: &s[i..end],
            });
        }
        i += 1;
    }
    None
}

/// `Some((end, inner))` when the opener at `i` (of `open` bytes) is closed by `closer`.
fn close<'a>(s: &'a str, i: usize, open: usize, closer: &str) -> Option<(usize, &'a str)> {
    let body = s.get(i + open..)?;
    let j = body.find(closer)?;
    Some((i + open + j + closer.len(), &body[..j]))
}

/// `${…}` may nest (`${ImportValue:ecs-${Stack}-Role}`): the matching brace ends it.
fn close_nested(s: &str, i: usize) -> Option<(usize, &str)> {
    let b = s.as_bytes();
    let mut depth = 0usize;
    let mut j = i;
    while j < b.len() {
        if b[j] == b'$' && b.get(j + 1) == Some(&b'{') {
            depth += 1;
            j += 2;
            continue;
        }
        if b[j] == b'}' {
            depth -= 1;
            if depth == 0 {
                return Some((j + 1, &s[i + 2..j]));
            }
        }
        j += 1;
    }
    None
}

/// The variable a placeholder's inside names.
fn variable(inner: &str) -> &str {
    let t = inner
        .trim()
        .trim_start_matches('-')
        .trim_end_matches('-')
        .trim();
    // Template calls name their variable in their first quoted argument.
    for q in ['"', '`', '\''] {
        if let Some(a) = t.find(q) {
            if let Some(len) = t[a + 1..].find(q) {
                return &t[a + 1..a + 1 + len];
            }
        }
    }
    t.trim_start_matches('.')
}

/// A whole value in SCREAMING_SNAKE_CASE (`ECS_TASK_EXECUTION_ROLE`, `AWS_REGION`): the way
/// `sed`-based deploy scripts mark what they replace. Only meaningful where a real value of
/// that shape is implausible (a role name, a region).
pub fn is_shouted_token(s: &str) -> bool {
    s.len() >= 4
        && s.contains('_')
        && s.bytes().any(|b| b.is_ascii_uppercase())
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// The first placeholder's text in `s`, for messages.
pub fn first(s: &str) -> Option<&str> {
    find(s).map(|p| p.text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_each_form_and_its_variable() {
        let cases = [
            ("${AWS::Region}", "AWS::Region"),
            ("x-${var.env}-y", "var.env"),
            ("$(ACCOUNT_ID)", "ACCOUNT_ID"),
            ("{{ must_env `IMAGE_TAG` }}", "IMAGE_TAG"),
            (
                "{{ tfstate \"aws_iam_role.exec.arn\" }}",
                "aws_iam_role.exec.arn",
            ),
            ("{{ .Env.REPO }}", "Env.REPO"),
            ("{{region}}", "region"),
            ("<aws_account_id>", "aws_account_id"),
            ("$$$EXECUTION_ROLE$$$", "EXECUTION_ROLE"),
            (
                "${ImportValue:ecs-${Stack}-Role}",
                "ImportValue:ecs-${Stack}-Role",
            ),
        ];
        for (s, name) in cases {
            let p = find(s).unwrap_or_else(|| panic!("{s}"));
            assert_eq!(p.name, name, "{s}");
            assert_eq!(&s[p.start..p.end], p.text);
        }
    }

    #[test]
    fn plain_values_have_none() {
        for s in [
            "arn:aws:iam::111122223333:role/x",
            "nginx:latest",
            "a < b",
            "$HOME",
            "{not}",
            "/ecs/app",
        ] {
            assert_eq!(find(s), None, "{s}");
        }
    }
}
