//! A small YAML writer for the renderers: ordered maps, safe quoting, literal blocks for
//! embedded documents, comments before list items, and CloudFormation's `!Sub` short form.
//! (serde_yaml can do none of comments, tags on demand or literal blocks.)

use serde_json::Value;

/// Called for each list item; returns comment lines to write above it.
pub type CommentFn<'a> = &'a dyn Fn(&Value) -> Option<String>;

/// Writes `value` (a mapping) as a YAML document body.
pub fn to_yaml(value: &Value, comment: CommentFn) -> String {
    let mut out = String::new();
    match value {
        Value::Object(_) => write_map_body(&mut out, value, 0, comment),
        other => {
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
    out
}

fn indent(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push(' ');
    }
}

/// A CloudFormation intrinsic written in short form (`!Sub "…"`), if `v` is one.
fn short_form(v: &Value) -> Option<String> {
    let m = v.as_object()?;
    if m.len() != 1 {
        return None;
    }
    let (k, inner) = m.iter().next()?;
    let tag = match k.as_str() {
        "Fn::Sub" => "!Sub",
        "Ref" => "!Ref",
        "Fn::GetAtt" => "!GetAtt",
        _ => return None,
    };
    inner.as_str().map(|s| format!("{tag} {}", quote(s)))
}

fn is_inline(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.is_empty() || short_form(v).is_some(),
        Value::Array(a) => a.is_empty(),
        Value::String(s) => !s.contains('\n'),
        _ => true,
    }
}

fn write_map_body(out: &mut String, v: &Value, level: usize, comment: CommentFn) {
    let Some(map) = v.as_object() else { return };
    for (k, val) in map {
        indent(out, level);
        out.push_str(&quote(k));
        out.push(':');
        write_value_after_key(out, val, level, comment);
    }
}

fn write_value_after_key(out: &mut String, val: &Value, level: usize, comment: CommentFn) {
    match val {
        Value::String(s) if s.contains('\n') => literal_block(out, s, level + 2),
        v if is_inline(v) => {
            out.push(' ');
            out.push_str(&inline(v));
            out.push('\n');
        }
        Value::Object(_) => {
            out.push('\n');
            write_map_body(out, val, level + 2, comment);
        }
        Value::Array(items) => {
            out.push('\n');
            write_list(out, items, level + 2, comment);
        }
        other => {
            out.push(' ');
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
}

fn write_list(out: &mut String, items: &[Value], level: usize, comment: CommentFn) {
    for item in items {
        if let Some(c) = comment(item) {
            for line in c.lines() {
                indent(out, level);
                out.push_str("# ");
                out.push_str(line);
                out.push('\n');
            }
        }
        indent(out, level);
        out.push('-');
        match item {
            Value::Object(m) if !m.is_empty() && short_form(item).is_none() => {
                // First key on the dash line, the rest aligned under it.
                let mut first = true;
                for (k, val) in m {
                    if first {
                        out.push(' ');
                        first = false;
                    } else {
                        indent(out, level + 2);
                    }
                    out.push_str(&quote(k));
                    out.push(':');
                    write_value_after_key(out, val, level + 2, comment);
                }
            }
            Value::Array(inner) if !inner.is_empty() => {
                out.push('\n');
                write_list(out, inner, level + 2, comment);
            }
            Value::String(s) if s.contains('\n') => literal_block(out, s, level + 2),
            other => {
                out.push(' ');
                out.push_str(&inline(other));
                out.push('\n');
            }
        }
    }
}

fn literal_block(out: &mut String, s: &str, level: usize) {
    out.push_str(if s.ends_with('\n') { " |\n" } else { " |-\n" });
    for line in s.lines() {
        if !line.is_empty() {
            indent(out, level);
            out.push_str(line);
        }
        out.push('\n');
    }
}

fn inline(v: &Value) -> String {
    if let Some(s) = short_form(v) {
        return s;
    }
    match v {
        Value::Object(_) => "{}".into(),
        Value::Array(_) => "[]".into(),
        other => scalar(other),
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => quote(s),
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

/// Plain when unambiguous, else a JSON double-quoted string (valid YAML).
pub fn quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:@=+,*?()".contains(c) || c == ' ')
        && !s.starts_with(|c: char| " -:?,*@".contains(c) || c.is_ascii_digit())
        && !s.ends_with([' ', ':'])
        && !s.contains(": ")
        && !s.contains(" #")
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n" | "~"
        );
    if plain {
        s.to_string()
    } else {
        let mut quoted = String::with_capacity(s.len() + 2);
        crate::json::escape_into(&mut quoted, s);
        quoted
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn output_parses_back_to_the_same_value() {
        let v = json!({
            "a": "plain", "b": "needs: quoting", "c": "123", "d": "true", "e": "", "f": "-dash",
            "g": ["x", {"k": 1, "l": [true, null]}, [], {}], "h": {"nested": {"deep": "*"}},
            "i": "line1\nline2\n", "j": "line1\nline2", "k": "arn:aws:s3:::b/*", "l": "${AWS::Region}",
            "m": "é ü", "n": "a # b", "aws:SourceArn": "x"
        });
        let text = to_yaml(&v, &|_| None);
        let back: Value = serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(back, v, "{text}");
    }

    #[test]
    fn comments_and_short_forms() {
        let v = json!({"S": [{"Sid": "A", "V": {"Fn::Sub": "arn:${AWS::Partition}:x"}}]});
        let text = to_yaml(&v, &|i| i.get("Sid").map(|_| "why A\nmore".to_string()));
        assert!(text.contains("  # why A\n  # more\n  - Sid: A\n"), "{text}");
        assert!(
            text.contains("V: !Sub \"arn:${AWS::Partition}:x\""),
            "{text}"
        );
    }
}
