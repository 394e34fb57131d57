//! Signing in with OpenID Connect against a real provider (npm `oidc-provider` under node,
//! installed by `.ci/run` with `npm ci --prefix tests`), driven as a browser without JavaScript
//! would: the provider's own login and consent forms, every redirect followed by hand.

use std::time::Duration;

use domain::entity::{account, identity};
use reqwest::StatusCode;
use sea_orm::EntityTrait;
use tests::{TestApp, web::Visitor};

const SECRET: &str = "rabfang-test-client-secret-0123456789";

/// A running provider, stopped on drop.
struct Provider {
    _child: tokio::process::Child,
    issuer: String,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn provider(port: u16, redirect_uri: &str) -> Option<Provider> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    if !dir.join("node_modules/oidc-provider").exists() {
        assert!(
            std::env::var("CI").is_err(),
            "CI=true but oidc-provider is not installed (.ci/run installs it)"
        );
        eprintln!("skipping: no tests/node_modules/oidc-provider (npm ci --prefix tests)");
        return None;
    }
    let mut child = tokio::process::Command::new("node")
        .arg(dir.join("oidc/provider.mjs"))
        .args([&port.to_string(), redirect_uri, SECRET])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("starting node");
    let stdout = child.stdout.take().unwrap();
    let mut lines = tokio::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(stdout));
    let ready = tokio::time::timeout(Duration::from_secs(20), lines.next_line()).await;
    assert!(
        matches!(ready, Ok(Ok(Some(ref l))) if l == "ready"),
        "the provider did not start: {ready:?}"
    );
    // Keep reading what it prints, so that it never writes into a closed pipe.
    tokio::spawn(async move {
        while let Ok(Some(line)) = lines.next_line().await {
            eprintln!("oidc-provider: {line}");
        }
    });
    Some(Provider {
        _child: child,
        issuer: format!("http://127.0.0.1:{port}"),
    })
}

/// The `action` of the page's first form.
fn form_action(html: &str) -> String {
    let at = html.find("action=\"").expect("a form") + "action=\"".len();
    html[at..].split('"').next().unwrap().replace("&amp;", "&")
}

/// The hidden fields of the page's first form.
fn hidden_fields(html: &str) -> Vec<(String, String)> {
    let form = &html[html.find("<form").expect("a form")..];
    let form = &form[..form.find("</form>").unwrap_or(form.len())];
    form.split("<input")
        .skip(1)
        .filter(|i| i.contains("type=\"hidden\""))
        .filter_map(|i| {
            let attr = |name: &str| {
                let key = format!("{name}=\"");
                let at = i.find(&key)? + key.len();
                Some(i[at..].split('"').next()?.to_string())
            };
            Some((attr("name")?, attr("value").unwrap_or_default()))
        })
        .collect()
}

/// Posts the page's first form with its hidden fields and `extra`; the page answered, with
/// its redirect made absolute.
async fn submit(v: &mut Visitor, at: &str, html: &str, extra: &[(&str, &str)]) -> tests::web::Page {
    let action = reqwest::Url::parse(at)
        .unwrap()
        .join(&form_action(html))
        .unwrap()
        .to_string();
    let hidden = hidden_fields(html);
    let mut fields: Vec<(&str, &str)> = hidden
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    fields.extend_from_slice(extra);
    let r = v.post(&action, &fields).await;
    assert!(r.location.is_some(), "{} {action}: {}", r.status, r.html);
    let next = reqwest::Url::parse(&action)
        .unwrap()
        .join(r.location.as_deref().unwrap())
        .unwrap()
        .to_string();
    tests::web::Page {
        location: Some(next),
        ..r
    }
}

/// Follows redirects from `url` until a page (returned) or a redirect back to `ours`.
async fn follow(v: &mut Visitor, mut url: String, ours: &str) -> (String, tests::web::Page) {
    for _ in 0..20 {
        let page = v.get(&url).await;
        match page.location.clone() {
            Some(next) if page.status.is_redirection() => {
                let next = reqwest::Url::parse(&url)
                    .unwrap()
                    .join(&next)
                    .unwrap()
                    .to_string();
                if next.starts_with(ours) {
                    return (next, page);
                }
                url = next;
            }
            _ => return (url, page),
        }
    }
    panic!("too many redirects");
}

#[tokio::test]
async fn a_person_signs_in_with_the_digital_id_provider_and_only_the_subject_is_kept() {
    let port = free_port();
    let issuer = format!("http://127.0.0.1:{port}");
    let app = TestApp::builder()
        .with_settings(&[
            ("RABFANG_OIDC_ISSUER", issuer.as_str()),
            ("RABFANG_OIDC_CLIENT_ID", "rabfang"),
            ("RABFANG_OIDC_CLIENT_SECRET", SECRET),
            ("RABFANG_OIDC_NAME", "ThaID"),
        ])
        .spawn()
        .await;
    let Some(p) = provider(port, &format!("{}/sign-in/oidc/callback", app.address)).await else {
        return;
    };
    assert_eq!(p.issuer, issuer);
    let mut v = Visitor::new(&app.address);
    let page = v.get("/sign-in?next=%2Fdrafts").await;
    assert!(page.html.contains("ThaID"), "the button names the provider");
    // Without a valid form token nothing starts.
    let r = v.post("/sign-in/oidc", &[("next", "/drafts")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let start = v
        .post(
            "/sign-in/oidc",
            &[("csrf", &page.csrf()), ("next", "/drafts")],
        )
        .await;
    assert_eq!(start.status, StatusCode::SEE_OTHER, "{}", start.html);
    let auth = start.location.clone().unwrap();
    assert!(auth.starts_with(&issuer), "{auth}");
    for part in [
        "code_challenge=",
        "code_challenge_method=S256",
        "state=",
        "nonce=",
        "response_type=code",
    ] {
        assert!(auth.contains(part), "{part} in {auth}");
    }
    // The provider's login form, then its consent form.
    let ours = format!("{}/sign-in/oidc/callback", app.address);
    let (at, login) = follow(&mut v, auth, &ours).await;
    assert!(login.html.contains("name=\"login\""), "{}", login.html);
    let r = submit(
        &mut v,
        &at,
        &login.html,
        &[("login", "subject-7f3a"), ("password", "x")],
    )
    .await;
    let (at, consent) = follow(&mut v, r.location.unwrap(), &ours).await;
    let callback = if at.starts_with(&ours) {
        at
    } else {
        let r = submit(&mut v, &at, &consent.html, &[]).await;
        follow(&mut v, r.location.unwrap(), &ours).await.0
    };
    assert!(
        callback.starts_with(&ours) && callback.contains("code="),
        "{callback}"
    );

    // A callback whose state is not this browser's is refused.
    let tampered = callback.replace("state=", "state=x");
    assert_eq!(v.get(&tampered).await.status, StatusCode::BAD_REQUEST);
    let done = v.get(&callback).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    assert_eq!(done.location.as_deref(), Some("/drafts"));
    let home = v.get("/").await;
    assert!(home.html.contains("Tester subject-7f3a") && home.html.contains("/sign-out"));
    // The code works once.
    let mut again = Visitor::new(&app.address);
    assert_eq!(again.get(&callback).await.status, StatusCode::BAD_REQUEST);

    let ids = identity::Entity::find()
        .all(&app.ctx.db.conn)
        .await
        .unwrap();
    assert_eq!(ids.len(), 1);
    assert_eq!(
        (ids[0].issuer.as_str(), ids[0].subject.as_str()),
        (issuer.as_str(), "subject-7f3a")
    );
    let accounts = account::Entity::find().all(&app.ctx.db.conn).await.unwrap();
    let me = accounts.iter().find(|a| a.id == ids[0].account_id).unwrap();
    assert!(
        me.email.ends_with(".invalid"),
        "no address was given, none is invented: {}",
        me.email
    );
}

#[tokio::test]
async fn without_a_provider_there_is_no_button_and_no_flow() {
    let app = TestApp::builder().spawn().await;
    let mut v = Visitor::new(&app.address);
    let page = v.get("/sign-in").await;
    assert!(!page.html.contains("/sign-in/oidc"));
    let r = v.post("/sign-in/oidc", &[("csrf", &page.csrf())]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}
