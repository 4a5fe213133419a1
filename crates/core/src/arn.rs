//! ARNs, ECR image URIs and the small parsers around them. Hand-written (no regex) so that
//! `plan` stays in the tens of microseconds and the wasm build stays small.

/// Placeholders used when the spec leaves the account, region or partition open. They are the
/// CloudFormation pseudo parameters, so CloudFormation output can use them with `!Sub` as they
/// are; other renderers substitute their own variables.
pub const ACCOUNT_PLACEHOLDER: &str = "${AWS::AccountId}";
pub const REGION_PLACEHOLDER: &str = "${AWS::Region}";
pub const PARTITION_PLACEHOLDER: &str = "${AWS::Partition}";

/// `s` without the plan's own markers for an open account, region or partition (what is left
/// of a value once ecsroles has put them in: any placeholder still there is the user's).
pub fn without_open_markers(s: &str) -> String {
    s.replace(ACCOUNT_PLACEHOLDER, "")
        .replace(REGION_PLACEHOLDER, "")
        .replace(PARTITION_PLACEHOLDER, "")
}

/// A parsed ARN: `arn:partition:service:region:account:resource`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arn<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    /// Everything after the fifth colon, colons included.
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    /// Parses an ARN; `None` when it is not one (fewer than six fields or no `arn:` prefix).
    pub fn parse(s: &'a str) -> Option<Arn<'a>> {
        let rest = s.strip_prefix("arn:")?;
        let (partition, rest) = field(rest)?;
        let (service, rest) = field(rest)?;
        let (region, rest) = field(rest)?;
        let (account, resource) = field(rest)?;
        if partition.is_empty() || service.is_empty() || resource.is_empty() {
            return None;
        }
        Some(Arn {
            partition,
            service,
            region,
            account,
            resource,
        })
    }
}

/// One colon-separated ARN field; a `${…}` placeholder (`${AWS::Region}`) is one field
/// although it holds colons.
fn field(s: &str) -> Option<(&str, &str)> {
    match s.strip_prefix("${") {
        Some(_) => {
            let close = s.bytes().position(|c| c == b'}')?;
            let (head, tail) = split_once_ascii(&s[close..], b':')?;
            Some((&s[..close + head.len()], tail))
        }
        None => split_once_ascii(s, b':'),
    }
}

/// `str::split_once` for an ASCII separator, as a byte scan: the plan splits many short ARN
/// fields and host labels, where `str::find`'s searcher set-up costs more than the search (6% of
/// a heavy plan's time). An ASCII byte is never inside a multi-byte character, so the split
/// is on character boundaries.
pub(crate) fn split_once_ascii(s: &str, sep: u8) -> Option<(&str, &str)> {
    let i = s.bytes().position(|b| b == sep)?;
    Some((&s[..i], &s[i + 1..]))
}

/// `str::rsplit_once` for an ASCII separator (see [`split_once_ascii`]).
pub(crate) fn rsplit_once_ascii(s: &str, sep: u8) -> Option<(&str, &str)> {
    if cfg!(target_arch = "wasm32") {
        // The calculator's module has the searcher already (download size).
        return s.rsplit_once(char::from(sep));
    }
    let i = s.bytes().rposition(|b| b == sep)?;
    Some((&s[..i], &s[i + 1..]))
}

/// `str::split` for an ASCII separator (see [`split_once_ascii`]).
pub(crate) fn split_ascii(s: &str, sep: u8) -> impl Iterator<Item = &str> {
    let mut rest = Some(s);
    std::iter::from_fn(move || {
        let r = rest?;
        match split_once_ascii(r, sep) {
            Some((part, tail)) => {
                rest = Some(tail);
                Some(part)
            }
            None => rest.take(),
        }
    })
}

/// A cluster's name, whether given by name or by ARN (`arn:…:cluster/<name>`): what ECS's
/// cluster parameters accept, and what IAM conditions and log groups spell.
pub fn cluster_name(cluster: &str) -> &str {
    cluster.rsplit('/').next().unwrap_or(cluster)
}

/// `true` for a 12-digit AWS account id.
pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The partitions ECS runs in.
pub const PARTITIONS: [&str; 3] = ["aws", "aws-cn", "aws-us-gov"];

/// One of the partitions ECS runs in.
pub fn is_partition(p: &str) -> bool {
    PARTITIONS.contains(&p)
}

/// The partition a region belongs to (`cn-north-1` → `aws-cn`).
pub fn partition_of_region(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// DNS suffix of service endpoints in a partition, as used in `kms:ViaService` values.
pub fn dns_suffix(partition: &str) -> &'static str {
    match partition {
        "aws-cn" => "amazonaws.com.cn",
        _ => "amazonaws.com",
    }
}

/// A region name as AWS spells them: lowercase letters, digits and dashes, e.g. `eu-west-1`.
pub fn is_region(s: &str) -> bool {
    s == REGION_PLACEHOLDER
        || (s.len() >= 9
            && s.len() <= 25
            && s.contains('-')
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && s.as_bytes().last().is_some_and(|b| b.is_ascii_digit()))
}

/// An image hosted in a private Amazon ECR registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcrImage {
    pub account: String,
    pub region: String,
    pub partition: &'static str,
    pub repository: String,
}

impl EcrImage {
    pub fn repository_arn(&self) -> String {
        cat!(
            "arn:",
            self.partition,
            ":ecr:",
            self.region,
            ":",
            self.account,
            ":repository/",
            self.repository
        )
    }
}

/// Whether `image`'s registry host ends in a DNS suffix [`parse_ecr_image`] reads
/// (`amazonaws.com`, `amazonaws.com.cn`, `on.aws`): an ECR-looking image on such a host that
/// does not parse is malformed, while another host may be a registry it does not know.
pub fn is_known_ecr_host(image: &str) -> bool {
    let host = split_once_ascii(image, b'/').map_or(image, |(h, _)| h);
    [".amazonaws.com", ".amazonaws.com.cn", ".on.aws"]
        .iter()
        .any(|s| host.ends_with(s))
}

/// Parses `<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]/<repo>[:tag|@digest]` and the
/// dual-stack form `<account>.dkr-ecr.<region>.on.aws/<repo>`. Anything else (Docker Hub,
/// `public.ecr.aws`, GHCR, a private registry) is not a private ECR image and returns `None`.
pub fn parse_ecr_image(image: &str) -> Option<EcrImage> {
    let (host, path) = split_once_ascii(image, b'/')?;
    // At most 7 labels (`<account>.dkr.ecr.<region>.amazonaws.com.cn`); no allocation: this
    // runs for every image and every value that might be one.
    let mut labels = [""; 7];
    let mut n = 0;
    for l in split_ascii(host, b'.') {
        *labels.get_mut(n)? = l;
        n += 1;
    }
    let account = labels[0];
    if !(is_account_id(account) || account == ACCOUNT_PLACEHOLDER) || n < 5 {
        return None;
    }
    let labels = &labels[..n];
    let (region, rest) = match (labels[1], labels[2]) {
        ("dkr", "ecr") | ("dkr", "ecr-fips") => (labels[3], &labels[4..]),
        ("dkr-ecr", r) | ("dkr-ecr-fips", r) => (r, &labels[3..]),
        _ => return None,
    };
    // The suffixes ECR's registry hosts end in (also in `is_known_ecr_host`).
    let partition = match rest {
        ["amazonaws", "com"] => partition_of_region(region),
        ["amazonaws", "com", "cn"] => "aws-cn",
        ["on", "aws"] => partition_of_region(region),
        _ => return None,
    };
    if !is_region(region) {
        return None;
    }
    // Strip the digest first (it contains a colon), then a tag after the last path segment.
    let path = split_once_ascii(path, b'@').map_or(path, |(p, _)| p);
    let repository = match rsplit_once_ascii(path, b':') {
        Some((repo, tag)) if !tag.contains('/') => repo,
        _ => path,
    };
    if repository.is_empty() || !repository.bytes().all(valid_repo_byte) {
        return None;
    }
    Some(EcrImage {
        account: account.to_string(),
        region: region.to_string(),
        partition,
        repository: repository.to_string(),
    })
}

fn valid_repo_byte(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-' | b'/')
}

/// The ARN IAM needs for a Secrets Manager secret referenced from a task definition.
///
/// ECS accepts `arn:…:secret:name-AbCdEf:json-key:version-stage:version-id`; IAM authorises the
/// secret itself, so the three suffixes are dropped. Returns `None` for a non-secret ARN.
pub fn secret_arn(value_from: &str) -> Option<&str> {
    secret_of(value_from, &Arn::parse(value_from)?)
}

/// [`secret_arn`] of a value already parsed as `arn`.
pub fn secret_of<'v>(value_from: &'v str, arn: &Arn<'v>) -> Option<&'v str> {
    let name = arn.resource.strip_prefix("secret:")?;
    if arn.service != "secretsmanager" {
        return None;
    }
    let name = split_once_ascii(name, b':').map_or(name, |(n, _)| n);
    if name.is_empty() {
        return None;
    }
    // The secret's own ARN is the value up to the name's end (the resource is the value's tail).
    let end = value_from.len() - arn.resource.len() + "secret:".len() + name.len();
    value_from.get(..end)
}

/// `true` when a secret ARN ends in the six random characters Secrets Manager appends
/// (`-AbCdEf`). Without them IAM needs `-??????` to match the real ARN.
pub fn secret_has_random_suffix(secret_arn: &str) -> bool {
    let name = rsplit_once_ascii(secret_arn, b':').map_or(secret_arn, |(_, n)| n);
    match rsplit_once_ascii(name, b'-') {
        Some((base, suffix)) => {
            !base.is_empty()
                && suffix.len() == 6
                && suffix.bytes().all(|b| b.is_ascii_alphanumeric())
        }
        None => false,
    }
}

/// Simple glob: `*` any run (also empty), `?` one character. Case-sensitive, like IAM ARNs.
/// Works on bytes (no allocation) for a `*`-only pattern or when both sides are ASCII; on
/// characters otherwise.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    // `*` alone matches UTF-8 byte-wise as it does character-wise (a literal piece found in
    // the bytes starts and ends on character boundaries): no ASCII check. The calculator's
    // module keeps only the backtracking matcher (download size).
    if !cfg!(target_arch = "wasm32") && !p.contains(&b'?') {
        return star_glob(p, t);
    }
    if pattern.is_ascii() && text.is_ascii() {
        glob(p, t)
    } else {
        let p: Vec<char> = pattern.chars().collect();
        let t: Vec<char> = text.chars().collect();
        glob(&p, &t)
    }
}

/// [`glob`] for a pattern whose only wildcard is `*` (every key pattern and ARN pattern a plan
/// matches): the literal pieces between stars are found left to right, each at its first
/// place, which is the match if there is one. A plan matches each resource against each key
/// (`keys[].for`), and backtracking byte by byte was 4% of a heavy plan.
fn star_glob(p: &[u8], t: &[u8]) -> bool {
    let star = |p: &[u8]| p.iter().position(|&b| b == b'*');
    let Some(first) = star(p) else {
        return p == t;
    };
    if t.len() < first || p[..first] != t[..first] {
        return false;
    }
    let (mut p, mut t) = (&p[first + 1..], &t[first..]);
    // Each piece between two stars: its first place is the best one.
    while let Some(end) = star(p) {
        match find(t, &p[..end]) {
            Some(at) => t = &t[at + end..],
            None => return false,
        }
        p = &p[end + 1..];
    }
    // The last piece ends the text.
    t.len() >= p.len() && t[t.len() - p.len()..] == *p
}

/// First place of `needle` in `hay` (byte search from each place its first byte is: ARN
/// pieces are short, so this beats a searcher's set-up).
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let Some((&head, _)) = needle.split_first() else {
        return Some(0);
    };
    let mut from = 0;
    while let Some(i) = hay[from..].iter().position(|&b| b == head) {
        let at = from + i;
        if hay[at..].starts_with(needle) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

fn glob<T: PartialEq + Copy + From<u8>>(p: &[T], t: &[T]) -> bool {
    let (star, any) = (T::from(b'*'), T::from(b'?'));
    let (mut pi, mut ti) = (0usize, 0usize);
    let (mut resume, mut mark) = (None::<usize>, 0usize);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == any || p[pi] == t[ti]) && p[pi] != star {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == star {
            resume = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = resume {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == star {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_splits_agree_with_str_split() {
        for s in [
            "",
            ":",
            "a",
            "a:b",
            ":a:",
            "a::b",
            "é:ü:",
            "${AWS::Region}:x",
        ] {
            assert_eq!(split_once_ascii(s, b':'), s.split_once(':'), "{s:?}");
            assert_eq!(
                split_ascii(s, b':').collect::<Vec<_>>(),
                s.split(':').collect::<Vec<_>>(),
                "{s:?}"
            );
        }
        assert_eq!(
            field("${AWS::Region}:rest"),
            Some(("${AWS::Region}", "rest"))
        );
        assert_eq!(field("${AWS::Region}"), None);
    }

    // https://docs.aws.amazon.com/AmazonECR/latest/userguide/Registries.html (registry URL form)
    #[test]
    fn ecr_uri_to_repository_arn() {
        let i =
            parse_ecr_image("111122223333.dkr.ecr.us-east-1.amazonaws.com/team/api:1.2").unwrap();
        assert_eq!(
            i.repository_arn(),
            "arn:aws:ecr:us-east-1:111122223333:repository/team/api"
        );
        let d = parse_ecr_image(
            "444455556666.dkr.ecr.eu-west-1.amazonaws.com/web@sha256:0123456789abcdef",
        )
        .unwrap();
        assert_eq!(
            d.repository_arn(),
            "arn:aws:ecr:eu-west-1:444455556666:repository/web"
        );
        let cn = parse_ecr_image("111122223333.dkr.ecr.cn-north-1.amazonaws.com.cn/app").unwrap();
        assert_eq!(
            cn.repository_arn(),
            "arn:aws-cn:ecr:cn-north-1:111122223333:repository/app"
        );
        let gov =
            parse_ecr_image("111122223333.dkr.ecr-fips.us-gov-west-1.amazonaws.com/app:x").unwrap();
        assert_eq!(gov.partition, "aws-us-gov");
        let dual = parse_ecr_image("111122223333.dkr-ecr.us-west-2.on.aws/app:latest").unwrap();
        assert_eq!(
            dual.repository_arn(),
            "arn:aws:ecr:us-west-2:111122223333:repository/app"
        );
    }

    #[test]
    fn non_ecr_images_are_not_ecr() {
        for img in [
            "nginx:latest",
            "public.ecr.aws/nginx/nginx:1",
            "ghcr.io/org/app:1",
            "docker.io/library/redis",
            "registry.example.com:5000/app",
            "111122223333.dkr.ecr.us-east-1.amazonaws.com/",
            "12345.dkr.ecr.us-east-1.amazonaws.com/app",
        ] {
            assert_eq!(parse_ecr_image(img), None, "{img}");
        }
    }

    // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html
    #[test]
    fn secret_suffixes_are_stripped() {
        let base = "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-AbCdEf";
        assert_eq!(secret_arn(base), Some(base));
        assert_eq!(secret_arn(&cat!(base, ":password::")), Some(base));
        assert_eq!(secret_arn(&cat!(base, ":password:AWSCURRENT:")), Some(base));
        assert_eq!(secret_arn(&cat!(base, "::AWSPREVIOUS:0123")), Some(base));
        assert_eq!(
            secret_arn("arn:aws:ssm:us-east-1:111122223333:parameter/x"),
            None
        );
        assert!(secret_has_random_suffix(base));
        assert!(!secret_has_random_suffix(
            "arn:aws:secretsmanager:us-east-1:1:secret:prod/db"
        ));
    }

    #[test]
    fn globbing() {
        assert!(glob_match(
            "arn:aws:secretsmanager:*:*:secret:prod/*",
            "arn:aws:secretsmanager:us-east-1:1:secret:prod/db-x"
        ));
        assert!(!glob_match(
            "arn:aws:secretsmanager:*:*:secret:prod/*",
            "arn:aws:secretsmanager:us-east-1:1:secret:dev/db"
        ));
        assert!(glob_match("a?c", "abc") && !glob_match("a?c", "ac"));
        assert!(glob_match("*", "") && glob_match("a**", "a"));
        assert!(glob_match("é*", "éa") && !glob_match("?", "éé") && glob_match("??", "éé"));
        assert!(glob_match("a*b", "a*b") && glob_match("a*", "a*"));
        // The star-only path: pieces found left to right, the last one ending the text.
        assert!(glob_match("a*b*c", "aXbYbc") && !glob_match("a*b*c", "aXbYb"));
        assert!(
            glob_match("*ab", "aab") && !glob_match("ab*ab", "ab") && glob_match("ab*ab", "abab")
        );
        assert!(glob_match("", "") && !glob_match("", "a") && glob_match("**", "xyz"));
    }

    proptest::proptest! {
        // The star-only matcher agrees with the backtracking one (small alphabet: many
        // repeats, so pieces overlap and recur).
        #[test]
        fn star_glob_agrees_with_backtracking(p in "[ab:*]{0,8}", t in "[ab:]{0,10}") {
            proptest::prop_assert_eq!(star_glob(p.as_bytes(), t.as_bytes()), glob(p.as_bytes(), t.as_bytes()));
        }

        // Byte-wise on UTF-8 as character-wise: characters sharing lead and continuation bytes
        // (é, è, €) so a byte match across a character boundary would show.
        #[test]
        fn star_glob_on_bytes_agrees_with_characters(p in "[aéè€:*]{0,8}", t in "[aéè€:]{0,10}") {
            let (pc, tc): (Vec<char>, Vec<char>) = (p.chars().collect(), t.chars().collect());
            proptest::prop_assert_eq!(star_glob(p.as_bytes(), t.as_bytes()), glob(&pc, &tc));
            proptest::prop_assert_eq!(glob_match(&p, &t), glob(&pc, &tc));
        }
    }

    #[test]
    fn arns_parse() {
        let a = Arn::parse("arn:aws:logs:us-east-1:111122223333:log-group:/x:*").unwrap();
        assert_eq!(
            (a.service, a.region, a.resource),
            ("logs", "us-east-1", "log-group:/x:*")
        );
        assert!(Arn::parse("arn:aws:s3").is_none());
        assert!(Arn::parse("nope:aws:s3:::b").is_none());
    }
}
