//! IAM pages its list calls (ListRolePolicies at 100 by default, GetAccountAuthorizationDetails
//! and ListRoles at 100 unless asked for up to 1000); moto never does, so the marker loops in
//! `iam.rs` would go untested against the real servers. Here the SDK's StaticReplayClient serves
//! truncated pages in IAM's XML shape, and the tests check every page is read and each follow-up
//! request carries the previous page's marker. (An addition to the moto tests, not instead.)

use std::sync::Arc;

use aws_sdk_iam::config::{BehaviorVersion, Credentials, Region};
use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
use aws_smithy_types::body::SdkBody;
use ecsroles_controller::iam::Iam;
use ecsroles_controller::metrics::Metrics;

const NS: &str = "https://iam.amazonaws.com/doc/2010-05-08/";

/// One IAM (awsQuery) response: `<{op}Response><{op}Result>{result}</…>`.
fn page(op: &str, result: &str) -> ReplayEvent {
    let body = format!(
        r#"<{op}Response xmlns="{NS}"><{op}Result>{result}</{op}Result><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></{op}Response>"#
    );
    ReplayEvent::new(
        http::Request::builder()
            .uri("https://iam.amazonaws.com/")
            .body(SdkBody::empty())
            .unwrap(),
        http::Response::builder()
            .status(200)
            .header("content-type", "text/xml")
            .body(SdkBody::from(body))
            .unwrap(),
    )
}

fn more(marker: Option<&str>) -> String {
    match marker {
        Some(m) => format!("<IsTruncated>true</IsTruncated><Marker>{m}</Marker>"),
        None => "<IsTruncated>false</IsTruncated>".into(),
    }
}

fn role_fields(name: &str) -> String {
    format!(
        "<Path>/ecsroles/</Path><RoleName>{name}</RoleName><RoleId>AROA{name}</RoleId>\
         <Arn>arn:aws:iam::123456789012:role/ecsroles/{name}</Arn>\
         <CreateDate>2026-01-01T00:00:00Z</CreateDate>"
    )
}

fn iam(events: Vec<ReplayEvent>) -> (Iam, StaticReplayClient) {
    let replay = StaticReplayClient::new(events);
    let conf = aws_sdk_iam::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("a", "b", None, None, "test"))
        .http_client(replay.clone())
        .build();
    let client = aws_sdk_iam::Client::from_conf(conf);
    let iam = Iam::new(
        client,
        1000.0,
        Arc::new(Metrics::default()),
        None,
        std::time::Duration::from_secs(20),
    );
    (iam, replay)
}

/// The form-encoded bodies of the requests made, in order.
fn bodies(replay: &StaticReplayClient) -> Vec<String> {
    replay
        .actual_requests()
        .map(|r| String::from_utf8_lossy(r.body().bytes().unwrap_or_default()).into_owned())
        .collect()
}

#[tokio::test]
async fn read_role_follows_list_role_policies_markers() {
    let policy = |name: &str| {
        page(
            "GetRolePolicy",
            &format!("<RoleName>r</RoleName><PolicyName>{name}</PolicyName><PolicyDocument>%7B%7D</PolicyDocument>"),
        )
    };
    let (iam, replay) = iam(vec![
        page(
            "GetRole",
            &format!(
                "<Role>{}<AssumeRolePolicyDocument>%7B%7D</AssumeRolePolicyDocument></Role>",
                role_fields("r")
            ),
        ),
        page(
            "ListRolePolicies",
            &format!(
                "<PolicyNames><member>first</member></PolicyNames>{}",
                more(Some("m1"))
            ),
        ),
        page(
            "ListRolePolicies",
            &format!(
                "<PolicyNames><member>hidden</member></PolicyNames>{}",
                more(None)
            ),
        ),
        policy("first"),
        policy("hidden"),
        page(
            "ListAttachedRolePolicies",
            &format!("<AttachedPolicies/>{}", more(None)),
        ),
    ]);
    let a = iam.read_role("r", None).await.expect("read_role");
    assert!(a.exists);
    assert_eq!(
        a.inline.keys().map(String::as_str).collect::<Vec<_>>(),
        ["first", "hidden"],
        "the policy on the second page is seen"
    );
    let sent = bodies(&replay);
    assert_eq!(sent.len(), 6, "{sent:#?}");
    assert!(sent[1].contains("Action=ListRolePolicies") && !sent[1].contains("Marker="));
    assert!(
        sent[2].contains("Action=ListRolePolicies") && sent[2].contains("Marker=m1"),
        "{}",
        sent[2]
    );
}

#[tokio::test]
async fn snapshot_follows_both_markers() {
    let detail = |name: &str| {
        format!(
            "<member>{}<AssumeRolePolicyDocument>%7B%7D</AssumeRolePolicyDocument>\
             <RolePolicyList><member><PolicyName>p</PolicyName><PolicyDocument>%7B%7D</PolicyDocument></member></RolePolicyList>\
             </member>",
            role_fields(name)
        )
    };
    let listed = |name: &str, secs: u32| {
        format!(
            "<member>{}<MaxSessionDuration>{secs}</MaxSessionDuration></member>",
            role_fields(name)
        )
    };
    let (iam, replay) = iam(vec![
        page(
            "GetAccountAuthorizationDetails",
            &format!(
                "<RoleDetailList>{}</RoleDetailList>{}",
                detail("a"),
                more(Some("g1"))
            ),
        ),
        page(
            "GetAccountAuthorizationDetails",
            &format!(
                "<RoleDetailList>{}</RoleDetailList>{}",
                detail("b"),
                more(None)
            ),
        ),
        page(
            "ListRoles",
            &format!("<Roles>{}</Roles>{}", listed("a", 3600), more(Some("l1"))),
        ),
        page(
            "ListRoles",
            &format!("<Roles>{}</Roles>{}", listed("b", 7200), more(None)),
        ),
    ]);
    let snap = iam.snapshot("/ecsroles/").await.expect("snapshot");
    assert_eq!(snap.len(), 2, "both pages of roles: {:?}", snap.keys());
    assert_eq!(snap["b"].inline.len(), 1);
    assert_eq!(
        snap["b"].max_session, 7200,
        "MaxSessionDuration from ListRoles' second page"
    );
    let sent = bodies(&replay);
    assert_eq!(sent.len(), 4, "{sent:#?}");
    assert!(sent[1].contains("Marker=g1"), "{}", sent[1]);
    assert!(sent[3].contains("Marker=l1"), "{}", sent[3]);
}
