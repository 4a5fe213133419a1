//! Role names: IAM's character set and 64-character limit, fitted deterministically.

/// Characters IAM allows in role and instance-profile names: `[\w+=,.@-]`.
pub fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '=' | ',' | '.' | '@' | '-')
}

/// Replaces characters IAM rejects with `-` and trims dashes at both ends.
pub fn sanitize(raw: &str) -> String {
    let s: String = raw
        .chars()
        .map(|c| if is_name_char(c) { c } else { '-' })
        .collect();
    s.trim_matches('-').to_string()
}

/// [`sanitize`] for a workload's name, which names its roles and the files a render writes:
/// it starts and ends with a letter or digit (a family such as `{{ .Values.project }}-web`
/// gave `.Values.project---web`, a hidden file name), and runs of `-` left by the characters
/// replaced become one.
pub fn workload(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in sanitize(raw).chars() {
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
    }
    out.trim_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_string()
}

/// FNV-1a, 32 bits: stable across platforms and releases (unlike `std`'s hasher).
pub fn stable_hash(s: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in s.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// Fits `name` into `max` characters: unchanged when it fits, otherwise truncated with an
/// 8-hex-digit hash of the full name appended, so distinct long names stay distinct.
pub fn fit(name: &str, max: usize) -> String {
    if name.chars().count() <= max {
        return name.to_string();
    }
    let keep = max.saturating_sub(9);
    let head: String = name.chars().take(keep).collect();
    format!("{}-{:08x}", head.trim_end_matches('-'), stable_hash(name))
}

/// The inline policy ecsroles puts on a role it does not own: named after the workload and
/// the role's use, so workloads sharing a role (one ecsTaskExecutionRole) never overwrite each
/// other, and one role serving as task and execution role holds both policies.
pub fn existing_policy_name(workload: &str, role_suffix: &str) -> String {
    fit(&cat!("ecsroles-", workload, "-", role_suffix), 128)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_fit_and_stay_distinct() {
        let a = "a".repeat(70) + "-task";
        let b = "a".repeat(70) + "-execution";
        let (fa, fb) = (fit(&a, 64), fit(&b, 64));
        assert!(fa.len() <= 64 && fb.len() <= 64);
        assert_ne!(fa, fb);
        assert_eq!(fit(&a, 64), fa, "deterministic");
        assert_eq!(fit("short", 64), "short");
    }

    #[test]
    fn sanitize_keeps_iam_characters() {
        assert_eq!(sanitize("my app/v2"), "my-app-v2");
        assert_eq!(sanitize("ok_name+=,.@-x"), "ok_name+=,.@-x");
        assert_eq!(sanitize("éé"), "");
        assert_eq!(
            workload("{{ .Values.project }}-{{ .Values.env }}-web"),
            "Values.project-.Values.env-web"
        );
        assert_eq!(workload("my app/v2"), "my-app-v2");
        assert_eq!(workload("._x_."), "x");
    }
}
