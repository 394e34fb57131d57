//! Mailer → test SMTP server (and → .eml files), end to end.

use std::{collections::HashMap, time::Duration};

use domain::{
    mail::{MailError, Mailer, Outgoing, messages},
    settings::Settings,
};
use tests::smtp::{ReceivedMail, TestSmtp};

const FROM: &str = "รับฟัง Rabfang <no-reply@rabfang.example>";
const TO: &str = "somchai@example.go.th";
const TITLE_TH: &str = "ร่างพระราชบัญญัติคุ้มครองข้อมูลส่วนบุคคล (ฉบับที่ ..) พ.ศ. .... <script>";
const TITLE_EN: &str = "Draft Personal Data Protection Act (No. ..) B.E. .... <script>";
const UNSUBSCRIBE: &str = "https://rabfang.example/s/unsubscribe?token=def";

fn all_messages() -> Vec<Outgoing> {
    let url = "https://rabfang.example/c/42?tab=comments&x=1";
    vec![
        messages::comment_receipt(
            TO,
            "RF-2569-000123",
            TITLE_TH,
            Some(TITLE_EN),
            "21 พ.ย. 2569 14:05 น.",
            url,
        ),
        messages::subscription_confirm(
            TO,
            TITLE_TH,
            "https://rabfang.example/s/confirm?token=abc",
            UNSUBSCRIBE,
        ),
        messages::consultation_opened(
            TO,
            TITLE_TH,
            Some(TITLE_EN),
            "30 พ.ย. 2569",
            url,
            UNSUBSCRIBE,
        ),
        messages::consultation_closing(TO, TITLE_TH, None, "30 พ.ย. 2569", url, UNSUBSCRIBE),
        messages::summary_published(
            TO,
            TITLE_TH,
            Some(TITLE_EN),
            "https://rabfang.example/c/42/summary",
            None,
        ),
    ]
}

fn crlf_to_lf(s: &str) -> String {
    s.replace("\r\n", "\n")
}

/// What arrived is what was sent: envelope, headers, decoded subject and both parts.
fn assert_arrived_intact(mailer: &Mailer, sent: &Outgoing, got: &ReceivedMail) {
    assert_eq!(got.from, "no-reply@rabfang.example");
    assert_eq!(got.to, [TO]);
    assert_eq!(
        got.header("Message-ID"),
        Some(mailer.message_id(sent).unwrap())
    );
    assert_eq!(got.subject().as_deref(), Some(sent.subject.as_str()));
    assert!(
        got.header("Subject").unwrap().is_ascii(),
        "the Thai subject travels RFC 2047-encoded"
    );
    assert_eq!(
        got.decoded_header("From").as_deref(),
        Some("รับฟัง Rabfang <no-reply@rabfang.example>")
    );
    assert_eq!(got.header("To").as_deref(), Some(TO));
    assert!(
        got.header("Content-Type")
            .unwrap()
            .starts_with("multipart/alternative;")
    );
    assert_eq!(got.header("MIME-Version").as_deref(), Some("1.0"));
    assert!(got.header("Date").is_some());
    assert_eq!(got.part_types(), ["text/plain", "text/html"]);
    assert_eq!(
        crlf_to_lf(&got.text_body().unwrap()),
        crlf_to_lf(&sent.text)
    );
    assert_eq!(
        crlf_to_lf(&got.html_body().unwrap()),
        crlf_to_lf(&sent.html)
    );
    match &sent.unsubscribe_url {
        Some(url) => {
            assert_eq!(got.header("List-Unsubscribe"), Some(format!("<{url}>")));
            assert_eq!(
                got.header("List-Unsubscribe-Post").as_deref(),
                Some("List-Unsubscribe=One-Click")
            );
        }
        None => {
            assert_eq!(got.header("List-Unsubscribe"), None);
            assert_eq!(got.header("List-Unsubscribe-Post"), None);
        }
    }
}

#[tokio::test]
async fn every_message_arrives_intact_over_smtp() {
    let server = TestSmtp::start().await;
    let mailer = Mailer::smtp(&server.url, FROM).unwrap();
    let sent = all_messages();
    for mail in &sent {
        mailer.send(mail).await.unwrap();
    }
    let got = server.wait_for(sent.len(), Duration::from_secs(10)).await;
    assert_eq!(got.len(), sent.len());
    for (sent, got) in sent.iter().zip(&got) {
        assert_arrived_intact(&mailer, sent, got);
    }

    // Spot checks on the decoded content.
    let receipt = &got[0];
    let subject = receipt.subject().unwrap();
    assert!(subject.starts_with("ได้รับความคิดเห็นของท่านแล้ว เลขที่ RF-2569-000123 / "));
    let text = receipt.text_body().unwrap();
    assert!(text.contains(TITLE_TH) && text.contains(TITLE_EN));
    let html = receipt.html_body().unwrap();
    assert!(html.contains("ร่างพระราชบัญญัติคุ้มครองข้อมูลส่วนบุคคล"));
    assert!(html.contains("&lt;script&gt;") && !html.contains("<script>"));
    assert!(html.contains("href=\"https://rabfang.example/c/42?tab=comments&amp;x=1\""));
    assert!(
        got[1]
            .text_body()
            .unwrap()
            .contains("https://rabfang.example/s/confirm?token=abc")
    );
    // No English title: the English part repeats the Thai one.
    let closing = got[3].text_body().unwrap();
    assert!(closing.split("Hello").nth(1).unwrap().contains(TITLE_TH));
}

#[tokio::test]
async fn a_retried_message_keeps_its_message_id() {
    let server = TestSmtp::start().await;
    let mailer = Mailer::smtp(&server.url, FROM).unwrap();
    let first = all_messages().remove(0);
    let again = all_messages().remove(0);
    mailer.send(&first).await.unwrap();
    mailer.send(&again).await.unwrap();
    let got = server.wait_for(2, Duration::from_secs(10)).await;
    assert_eq!(got.len(), 2);
    assert_eq!(
        got[0].header("Message-ID").as_deref(),
        Some("<receipt-RF-2569-000123@rabfang.example>")
    );
    assert_eq!(got[0].header("Message-ID"), got[1].header("Message-ID"));
}

#[tokio::test]
async fn refusals_are_classified() {
    let server = TestSmtp::start_refusing(&["gone@example.org"], &["busy@example.org"]).await;
    let mailer = Mailer::smtp(&server.url, FROM).unwrap();
    let to = |to: &str| {
        let mut mail = all_messages().remove(0);
        mail.to = to.into();
        mail
    };

    let err = mailer.send(&to("gone@example.org")).await.unwrap_err();
    assert!(matches!(err, MailError::Permanent(_)), "{err:?}");
    assert!(err.to_string().contains("550"), "{err}");

    let err = mailer.send(&to("busy@example.org")).await.unwrap_err();
    assert!(matches!(err, MailError::Transient(_)), "{err:?}");
    assert!(err.is_transient());
    assert!(err.to_string().contains("451"), "{err}");

    // An address that cannot be parsed never reaches the server.
    let err = mailer.send(&to("not an address")).await.unwrap_err();
    assert!(matches!(err, MailError::Permanent(_)), "{err:?}");

    // The pool recovers: the next message goes through.
    mailer.send(&to("fine@example.org")).await.unwrap();
    let got = server.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].to, ["fine@example.org"]);
    let codes: Vec<u16> = server.refusals().iter().map(|r| r.code).collect();
    assert_eq!(codes, [550, 451]);
}

#[tokio::test]
async fn an_unreachable_server_is_transient() {
    // A port that was free a moment ago and has nobody listening now.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let mailer = Mailer::smtp(&format!("smtp://127.0.0.1:{port}"), FROM).unwrap();
    let started = std::time::Instant::now();
    let err = mailer.send(&all_messages()[0]).await.unwrap_err();
    assert!(matches!(err, MailError::Transient(_)), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn a_server_going_away_is_transient() {
    let server = TestSmtp::start().await;
    let mailer = Mailer::smtp(&server.url, FROM).unwrap();
    mailer.send(&all_messages()[0]).await.unwrap();
    drop(server); // the pooled connection dies with it
    let err = mailer.send(&all_messages()[0]).await.unwrap_err();
    assert!(matches!(err, MailError::Transient(_)), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_messages_at_once_share_the_pool() {
    let server = TestSmtp::start().await;
    let mailer = Mailer::smtp(&server.url, FROM).unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..30 {
        let mailer = mailer.clone();
        tasks.spawn(async move {
            let mail = messages::comment_receipt(
                &format!("user{i}@example.org"),
                &format!("T-{i}"),
                TITLE_TH,
                None,
                "วันนี้",
                "https://rabfang.example/c/1",
            );
            mailer.send(&mail).await
        });
    }
    while let Some(result) = tasks.join_next().await {
        result.unwrap().unwrap();
    }
    let got = server.wait_for(30, Duration::from_secs(20)).await;
    assert_eq!(got.len(), 30);
    let mut ids: Vec<String> = got
        .iter()
        .map(|m| m.header("Message-ID").unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 30);
}

#[tokio::test]
async fn from_settings_uses_smtp_when_configured() {
    let server = TestSmtp::start().await;
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings::from_vars(HashMap::from([
        (
            "RABFANG_DATA_DIR".to_string(),
            dir.path().display().to_string(),
        ),
        ("RABFANG_SMTP_URL".to_string(), server.url.clone()),
        ("RABFANG_MAIL_FROM".to_string(), FROM.to_string()),
    ]))
    .unwrap();
    let mailer = Mailer::from_settings(&settings).unwrap();
    let mail = all_messages().remove(2);
    mailer.send(&mail).await.unwrap();
    let got = server.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(got.len(), 1);
    assert_arrived_intact(&mailer, &mail, &got[0]);
    assert!(!dir.path().join("mail").exists());
}

#[tokio::test]
async fn file_transport_writes_parsable_eml() {
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings::from_vars(HashMap::from([
        (
            "RABFANG_DATA_DIR".to_string(),
            dir.path().display().to_string(),
        ),
        ("RABFANG_MAIL_FROM".to_string(), FROM.to_string()),
    ]))
    .unwrap();
    let mailer = Mailer::from_settings(&settings).unwrap();
    let sent = all_messages();
    for mail in &sent {
        mailer.send(mail).await.unwrap();
    }
    // Sending again overwrites (same key, same file).
    mailer.send(&sent[0]).await.unwrap();

    let folder = dir.path().join("mail");
    let mut names: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), sent.len(), "{names:?}");
    assert!(names.iter().all(|n| n.ends_with(".eml")), "{names:?}");

    for mail in &sent {
        let path = folder.join(format!("{}.eml", mail.message_key));
        let data = std::fs::read_to_string(&path).unwrap();
        assert!(data.is_ascii());
        assert!(
            data.split_inclusive('\n').all(|l| l.ends_with("\r\n")),
            "CRLF line ends"
        );
        let parsed = ReceivedMail {
            from: String::new(),
            to: vec![TO.into()],
            data,
        };
        assert_arrived_intact(
            &mailer,
            mail,
            &ReceivedMail {
                from: "no-reply@rabfang.example".into(),
                ..parsed
            },
        );
    }
}

#[tokio::test]
async fn tls_trouble_is_transient() {
    let server = TestSmtp::start().await;
    let port = server.port();
    for url in [
        // STARTTLS required, but the test server does not offer it.
        format!("smtp://127.0.0.1:{port}?tls=required"),
        // TLS from the first byte against a plain server: the handshake fails.
        format!("smtps://127.0.0.1:{port}"),
    ] {
        let mailer = Mailer::smtp(&url, FROM).unwrap();
        let err = mailer.send(&all_messages()[0]).await.unwrap_err();
        assert!(matches!(err, MailError::Transient(_)), "{url}: {err:?}");
    }
    assert!(server.messages().is_empty());
}
