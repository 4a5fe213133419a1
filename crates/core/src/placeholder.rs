//! Template placeholders in values people paste: `${NAME}` (envsubst, Terraform,
//! CloudFormation `!Sub`), `$NAME` (envsubst, shell), `$(NAME)`, `{{ … }}` (ecspresso, Go templates, CloudWatch agent
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

/// The first placeholder in `s`, if any. Linear in `s` whatever it holds: each kind of
/// closer is searched for at most once per call (a cache of the next one), so thousands of
/// unclosed openers in a pasted value cost no more than one pass.
pub fn find(s: &str) -> Option<Placeholder<'_>> {
    let b = s.as_bytes();
    let mut next = Closers::default();
    let mut nested_tried = false;
    let mut i = 0;
    while i < b.len() {
        let found = match b[i] {
            // `$$$NAME$$$` (the ECS agent's test templates)
            b'$' if s[i..].starts_with("$$$") => next
                .close(s, i, 3, 0)
                .filter(|(_, inner)| !inner.is_empty()),
            b'$' if b.get(i + 1) == Some(&b'{') => {
                let simple = next.close(s, i, 2, 1);
                match simple {
                    // `${…${…}…}`: the matching brace, once per call (bounded work).
                    Some((_, inner)) if inner.contains("${") && !nested_tried => {
                        nested_tried = true;
                        close_nested(s, i).or(simple)
                    }
                    other => other,
                }
            }
            b'$' if b.get(i + 1) == Some(&b'(') => next.close(s, i, 2, 2),
            // `$NAME` (envsubst, shell) as deploy scripts write their variables: capitals,
            // digits and `_`, not starting with a digit. Lower case is left alone: S3 keys
            // may hold `$` (`cfg/$v1.conf`), and a variable named so is rare in these files.
            b'$' if b
                .get(i + 1)
                .is_some_and(|c| c.is_ascii_uppercase() || *c == b'_') =>
            {
                let len = b[i + 1..]
                    .iter()
                    .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || **c == b'_')
                    .count();
                let end = i + 1 + len;
                // `$Name…` with lower case in it is not one.
                let whole = !b.get(end).is_some_and(|c| c.is_ascii_alphanumeric());
                whole.then(|| (end, &s[i + 1..end]))
            }
            b'{' if b.get(i + 1) == Some(&b'{') => next.close(s, i, 2, 3),
            b'<' => next.close(s, i, 1, 4).filter(|(_, inner)| {
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

/// Closers: `$$$`, `}`, `)`, `}}`, `>`.
const CLOSERS: [&str; 5] = ["$$$", "}", ")", "}}", ">"];

/// For each closer, where its next occurrence was found (`Some(None)`: there is none).
#[derive(Default)]
struct Closers([Option<Option<usize>>; 5]);

impl Closers {
    /// `Some((end, inner))` when the opener at `i` (of `open` bytes) is closed by closer `k`.
    fn close<'a>(
        &mut self,
        s: &'a str,
        i: usize,
        open: usize,
        k: usize,
    ) -> Option<(usize, &'a str)> {
        let from = i + open;
        let at = match self.0[k] {
            Some(Some(p)) if p >= from => Some(p),
            Some(None) => None,
            _ => {
                let found = s.get(from..)?.find(CLOSERS[k]).map(|j| from + j);
                self.0[k] = Some(found);
                found
            }
        }?;
        Some((at + CLOSERS[k].len(), s.get(from..at)?))
    }
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
/// `sed`-based deploy scripts mark what they replace. An error only where a real value of
/// that shape is implausible (a role name, a region); elsewhere (a log group name) a warning
/// that keeps the value.
pub fn is_shouted_token(s: &str) -> bool {
    s.len() >= 4
        && s.contains('_')
        && s.bytes().any(|b| b.is_ascii_uppercase())
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// The longest value ecsroles rewrites (substitutes into, expands `Fn::Sub` into, reads as an
/// ARN). ECS and IAM values are at most a few KB (an ARN: 2,048 characters); a cap keeps a
/// hostile document from growing without bound through nested templates.
pub const MAX_VALUE: usize = 8 * 1024;

/// `false` when `s` cannot hold a placeholder (no `$`, `{` or `<`): the planner's fast path for
/// almost every value. A byte scan (a `[char; 3]` pattern costs several times more per byte).
pub fn may_hold(s: &str) -> bool {
    // Eight bytes at a time (it runs on every value a plan reads, every keystroke): a word
    // holds byte `c` when `w ^ c·0x01…01` has a zero byte.
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let zero_byte = |x: u64| x.wrapping_sub(LO) & !x & HI != 0;
    let mut chunks = s.as_bytes().chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        if zero_byte(w ^ (LO * b'$' as u64))
            || zero_byte(w ^ (LO * b'{' as u64))
            || zero_byte(w ^ (LO * b'<' as u64))
        {
            return true;
        }
    }
    chunks
        .remainder()
        .iter()
        .any(|b| matches!(b, b'$' | b'{' | b'<'))
}

/// The first placeholder's text in `s`, for messages.
pub fn first(s: &str) -> Option<&str> {
    find(s).map(|p| p.text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn may_hold_sees_each_marker_at_every_offset_and_nothing_else() {
        for len in 0..40 {
            let plain: String = "arn:aws:ssm:us-east-1:1234/AbC-_.:@*?%é"
                .chars()
                .cycle()
                .take(len)
                .collect();
            assert!(!may_hold(&plain), "{plain}");
            for at in 0..=len {
                for marker in ['$', '{', '<'] {
                    let mut s: String = plain.chars().take(at).collect();
                    s.push(marker);
                    s.extend(plain.chars().skip(at));
                    assert!(may_hold(&s), "{s}");
                }
            }
        }
        // Bytes one away from a marker (the word trick's borrow) are not markers.
        assert!(!may_hold("####%%%%zzzz;;;;====|||||}}}}"));
    }

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
            ("arn:aws:iam::$AWS_ACCOUNT_ID:role/x", "AWS_ACCOUNT_ID"),
            ("$ECR_REPO:latest", "ECR_REPO"),
            ("$_X1/app", "_X1"),
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
    fn scanning_stays_linear_on_unclosed_openers() {
        // 200,000 openers and no closer: one pass (a quadratic scan would take minutes).
        for opener in ["{{", "${", "$(", "<", "$$$$"] {
            let s = opener.repeat(200_000 / opener.len());
            assert_eq!(find(&s), None, "{opener}");
        }
        // A closer at the very end still closes the last opener only.
        let s = format!("{}{{{{x}}}}", "{{".repeat(1000));
        assert!(find(&s).is_some());
    }

    #[test]
    fn plain_values_have_none() {
        for s in [
            "arn:aws:iam::111122223333:role/x",
            "nginx:latest",
            "a < b",
            "cost $5",
            "a $ b",
            "cfg/$v1.conf",
            "$Repo",
            "$",
            "{not}",
            "/ecs/app",
        ] {
            assert_eq!(find(s), None, "{s}");
        }
    }
}
