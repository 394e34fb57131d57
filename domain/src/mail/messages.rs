//! The messages Rabfang sends, one function each, every one in Thai first and then English.
//!
//! Each message has three templates in `domain/templates/email/<message>/`: `subject.txt`
//! (one line), `body.txt` and `body.html`. They are built into the binary with
//! `include_str!`, so a deployment needs no template files. The template language is tiny:
//!
//! - `{{name}}` is replaced by the value `name`; in `body.html` the value is HTML-escaped,
//!   in `subject.txt` and `body.txt` it is not.
//! - `{{#name}}…{{/name}}` keeps `…` only when `name` has a non-empty value, and
//!   `{{^name}}…{{/name}}` only when it has none (for optional values such as an English
//!   title or an unsubscribe link). Sections of the same name do not nest.
//!
//! Every function derives [`Outgoing::message_key`] from its inputs, so a job that is retried
//! renders the same key and therefore the same `Message-ID`.

use sha2::{Digest as _, Sha256};

use super::Outgoing;

/// The three templates of one message.
struct Templates {
    subject: &'static str,
    text: &'static str,
    html: &'static str,
}

macro_rules! templates {
    ($name:literal) => {
        Templates {
            subject: include_str!(concat!("../../templates/email/", $name, "/subject.txt")),
            text: include_str!(concat!("../../templates/email/", $name, "/body.txt")),
            html: include_str!(concat!("../../templates/email/", $name, "/body.html")),
        }
    };
}

const COMMENT_RECEIPT: Templates = templates!("comment_receipt");
const SUBSCRIPTION_CONFIRM: Templates = templates!("subscription_confirm");
const CONSULTATION_OPENED: Templates = templates!("consultation_opened");
const CONSULTATION_CLOSING: Templates = templates!("consultation_closing");
const SUMMARY_PUBLISHED: Templates = templates!("summary_published");
const EVALUATION_DUE: Templates = templates!("evaluation_due");
const SIGN_IN_LINK: Templates = templates!("sign_in_link");
const INVITATION: Templates = templates!("invitation");
const COMMENT_MODERATED: Templates = templates!("comment_moderated");

/// The receipt for a submitted comment. Key: `receipt-{tracking_number}`.
///
/// `received_at_text` is shown as given (format it for Thai readers, e.g.
/// `21 พ.ย. 2569 14:05 น.`). Without an English title the English part repeats the Thai one.
pub fn comment_receipt(
    to: &str,
    tracking_number: &str,
    consultation_title_th: &str,
    consultation_title_en: Option<&str>,
    received_at_text: &str,
    consultation_url: &str,
) -> Outgoing {
    let vars = [
        ("tracking_number", tracking_number),
        ("title_th", consultation_title_th),
        ("title_en", consultation_title_en.unwrap_or_default()),
        ("received_at", received_at_text),
        ("consultation_url", consultation_url),
    ];
    build(
        &COMMENT_RECEIPT,
        to,
        &vars,
        None,
        format!("receipt-{tracking_number}"),
    )
}

/// A one-time sign-in link. Key: `sign-in-` and a hash of the recipient and the link (whose
/// secret differs per request).
pub fn sign_in_link(to: &str, sign_in_url: &str) -> Outgoing {
    let key = derived_key("sign-in", &[to, sign_in_url]);
    build(
        &SIGN_IN_LINK,
        to,
        &[("sign_in_url", sign_in_url)],
        None,
        key,
    )
}

/// A comment was hidden from the public (or published again), with the moderator's reason.
/// Key: `moderated-`, the tracking number and a hash of the status and reason it reports.
pub fn comment_moderated(
    to: &str,
    tracking_number: &str,
    title_th: &str,
    title_en: Option<&str>,
    hidden: bool,
    reason: &str,
    track_url: &str,
) -> Outgoing {
    let status = if hidden { "hidden" } else { "published" };
    let vars = [
        ("tracking_number", tracking_number),
        ("title_th", title_th),
        ("title_en", title_en.unwrap_or(title_th)),
        ("hidden", if hidden { "yes" } else { "" }),
        ("reason", reason),
        ("track_url", track_url),
    ];
    let key = derived_key("moderated", &[tracking_number, status, reason]);
    build(&COMMENT_MODERATED, to, &vars, None, key)
}

/// An invitation to join the workspace as `role` (of an agency, for an officer). Key:
/// `invitation-` and a hash of the recipient and the link (whose secret differs per mail).
pub fn invitation(
    to: &str,
    role: (&str, &str),
    agency: (Option<&str>, Option<&str>),
    invitation_url: &str,
) -> Outgoing {
    let vars = [
        ("role_th", role.0),
        ("role_en", role.1),
        ("agency_th", agency.0.unwrap_or_default()),
        ("agency_en", agency.1.or(agency.0).unwrap_or_default()),
        ("invitation_url", invitation_url),
    ];
    let key = derived_key("invitation", &[to, invitation_url]);
    build(&INVITATION, to, &vars, None, key)
}

/// Asks to confirm a new subscription (double opt-in). `target_label` names what was
/// subscribed to (a draft law, an agency, a topic). Key: `subscription-confirm-` and a hash
/// of the recipient and `confirm_url` (whose token differs per subscription).
pub fn subscription_confirm(
    to: &str,
    target_label: &str,
    confirm_url: &str,
    unsubscribe_url: &str,
) -> Outgoing {
    let vars = [
        ("target_label", target_label),
        ("confirm_url", confirm_url),
        ("unsubscribe_url", unsubscribe_url),
    ];
    let key = derived_key("subscription-confirm", &[to, confirm_url]);
    build(&SUBSCRIPTION_CONFIRM, to, &vars, Some(unsubscribe_url), key)
}

/// A consultation a subscriber follows has opened. Key: `consultation-opened-` and a hash of
/// the recipient and `url`.
pub fn consultation_opened(
    to: &str,
    title_th: &str,
    title_en: Option<&str>,
    closes_at_text: &str,
    url: &str,
    unsubscribe_url: &str,
) -> Outgoing {
    let vars = [
        ("title_th", title_th),
        ("title_en", title_en.unwrap_or_default()),
        ("closes_at", closes_at_text),
        ("url", url),
        ("unsubscribe_url", unsubscribe_url),
    ];
    let key = derived_key("consultation-opened", &[to, url]);
    build(&CONSULTATION_OPENED, to, &vars, Some(unsubscribe_url), key)
}

/// Reminder sent three days before a consultation closes (the templates say "3 days").
/// Key: `consultation-closing-` and a hash of the recipient, `url` and `closes_at_text`, so
/// an extended deadline gets a reminder of its own.
pub fn consultation_closing(
    to: &str,
    title_th: &str,
    title_en: Option<&str>,
    closes_at_text: &str,
    url: &str,
    unsubscribe_url: &str,
) -> Outgoing {
    let vars = [
        ("title_th", title_th),
        ("title_en", title_en.unwrap_or_default()),
        ("closes_at", closes_at_text),
        ("url", url),
        ("unsubscribe_url", unsubscribe_url),
    ];
    let key = derived_key("consultation-closing", &[to, url, closes_at_text]);
    build(&CONSULTATION_CLOSING, to, &vars, Some(unsubscribe_url), key)
}

/// The summary of a closed consultation is published. Participants who did not subscribe get
/// it without an unsubscribe link (`unsubscribe_url = None`). Key: `summary-published-` and a
/// hash of the recipient and `summary_url`.
pub fn summary_published(
    to: &str,
    title_th: &str,
    title_en: Option<&str>,
    summary_url: &str,
    unsubscribe_url: Option<&str>,
) -> Outgoing {
    let vars = [
        ("title_th", title_th),
        ("title_en", title_en.unwrap_or_default()),
        ("summary_url", summary_url),
        ("unsubscribe_url", unsubscribe_url.unwrap_or_default()),
    ];
    let key = derived_key("summary-published", &[to, summary_url]);
    build(&SUMMARY_PUBLISHED, to, &vars, unsubscribe_url, key)
}

/// A law in force is due for its five-yearly ex-post evaluation (s.34), to an officer of the
/// agency responsible. Transactional: no unsubscribe link. Key: `evaluation-due-` and a hash of
/// the recipient, the law's `url` and `due_at_text` (a new due date makes a new reminder).
pub fn evaluation_due(
    to: &str,
    title_th: &str,
    title_en: Option<&str>,
    due_at_text: &str,
    url: &str,
) -> Outgoing {
    let vars = [
        ("title_th", title_th),
        ("title_en", title_en.unwrap_or_default()),
        ("due_at", due_at_text),
        ("url", url),
    ];
    let key = derived_key("evaluation-due", &[to, url, due_at_text]);
    build(&EVALUATION_DUE, to, &vars, None, key)
}

fn build(
    templates: &Templates,
    to: &str,
    vars: &[(&str, &str)],
    unsubscribe_url: Option<&str>,
    message_key: String,
) -> Outgoing {
    Outgoing {
        to: to.trim().to_string(),
        subject: render(templates.subject, vars, Escape::None)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
        text: render(templates.text, vars, Escape::None),
        html: render(templates.html, vars, Escape::Html),
        unsubscribe_url: unsubscribe_url
            .filter(|u| !u.trim().is_empty())
            .map(str::to_string),
        message_key,
    }
}

/// `{prefix}-` and 32 hex digits of a SHA-256 over the parts (the recipient is trimmed and
/// lower-cased first, so `A@x` and `a@x ` give the same key).
fn derived_key(prefix: &str, parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            hasher.update(part.trim().to_lowercase().as_bytes());
        } else {
            hasher.update(part.as_bytes());
        }
        hasher.update([0u8]);
    }
    let digest = hex::encode(hasher.finalize());
    format!("{prefix}-{}", &digest[..32])
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Escape {
    None,
    Html,
}

/// Renders `template` (see the module documentation for the syntax). A tag whose name is
/// unknown is left in the output as it is, which the tests check for.
fn render(template: &str, vars: &[(&str, &str)], escape: Escape) -> String {
    let mut out = String::with_capacity(template.len() + 256);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after_open = &rest[start + 2..];
        let Some(end) = after_open.find("}}") else {
            // An unterminated tag: keep the rest as text.
            out.push_str(&rest[start..]);
            return out;
        };
        let tag = after_open[..end].trim();
        let after_tag = &after_open[end + 2..];
        let value = |name: &str| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| *v)
                .filter(|v| !v.trim().is_empty())
        };
        if let Some((inverted, name)) = tag
            .strip_prefix('#')
            .map(|n| (false, n.trim()))
            .or_else(|| tag.strip_prefix('^').map(|n| (true, n.trim())))
        {
            let close = format!("{{{{/{name}}}}}");
            let Some(close_at) = after_tag.find(&close) else {
                // No closing tag: keep the opening tag as text.
                out.push_str(&rest[start..start + 2 + end + 2]);
                rest = after_tag;
                continue;
            };
            if value(name).is_some() != inverted {
                out.push_str(&render(&after_tag[..close_at], vars, escape));
            }
            rest = &after_tag[close_at + close.len()..];
        } else {
            match vars.iter().find(|(n, _)| *n == tag) {
                Some((_, v)) if escape == Escape::Html => out.push_str(&escape_html(v)),
                Some((_, v)) => out.push_str(v),
                None => out.push_str(&rest[start..start + 2 + end + 2]),
            }
            rest = after_tag;
        }
    }
    out.push_str(rest);
    out
}

fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::Mailer;

    const EVIL_TH: &str = "ร่าง พ.ร.บ. <script>alert(\"x\")</script> & ข้อมูล";
    const EVIL_EN: &str = "Draft Act <script>alert('x')</script> & Data";

    fn all_messages() -> Vec<(&'static str, Outgoing)> {
        vec![
            (
                "comment_receipt",
                comment_receipt(
                    "somchai@example.go.th",
                    "RF-2569-000123",
                    EVIL_TH,
                    Some(EVIL_EN),
                    "21 พ.ย. 2569 14:05 น.",
                    "https://rabfang.example/c/42?tab=comments&x=1",
                ),
            ),
            (
                "subscription_confirm",
                subscription_confirm(
                    "somchai@example.go.th",
                    EVIL_TH,
                    "https://rabfang.example/s/confirm?token=abc&x=1",
                    "https://rabfang.example/s/unsubscribe?token=def",
                ),
            ),
            (
                "consultation_opened",
                consultation_opened(
                    "somchai@example.go.th",
                    EVIL_TH,
                    Some(EVIL_EN),
                    "30 พ.ย. 2569 23:59 น.",
                    "https://rabfang.example/c/42?tab=comments&x=1",
                    "https://rabfang.example/s/unsubscribe?token=def",
                ),
            ),
            (
                "consultation_closing",
                consultation_closing(
                    "somchai@example.go.th",
                    EVIL_TH,
                    Some(EVIL_EN),
                    "30 พ.ย. 2569 23:59 น.",
                    "https://rabfang.example/c/42?tab=comments&x=1",
                    "https://rabfang.example/s/unsubscribe?token=def",
                ),
            ),
            (
                "summary_published",
                summary_published(
                    "somchai@example.go.th",
                    EVIL_TH,
                    Some(EVIL_EN),
                    "https://rabfang.example/c/42/summary?x=1&y=2",
                    Some("https://rabfang.example/s/unsubscribe?token=def"),
                ),
            ),
            (
                "evaluation_due",
                evaluation_due(
                    "somchai@example.go.th",
                    EVIL_TH,
                    Some(EVIL_EN),
                    "1 ธ.ค. 2569",
                    "https://rabfang.example/api/v1/laws?evaluation_due=true&x=1",
                ),
            ),
        ]
    }

    /// A phrase of each message's Thai part and of its English part.
    fn markers(name: &str) -> (&'static str, &'static str) {
        match name {
            "comment_receipt" => ("ได้รับความคิดเห็นของท่าน", "We have received your comment"),
            "subscription_confirm" => ("ยืนยันการรับข่าวสาร", "confirm your subscription"),
            "consultation_opened" => ("เปิดรับฟังความคิดเห็น", "is open for comments"),
            "consultation_closing" => ("อีก 3 วัน", "closes in 3 days"),
            "summary_published" => ("สรุปผลการรับฟังความคิดเห็น", "summary of the consultation"),
            "evaluation_due" => ("ถึงกำหนดประเมินผลสัมฤทธิ์", "due for its ex-post evaluation"),
            other => panic!("no markers for {other}"),
        }
    }

    fn assert_thai_then_english(name: &str, part: &str, body: &str) {
        let (th, en) = markers(name);
        let th_at = body
            .find(th)
            .unwrap_or_else(|| panic!("{name} {part}: no Thai {th:?} in\n{body}"));
        let en_at = body
            .find(en)
            .unwrap_or_else(|| panic!("{name} {part}: no English {en:?} in\n{body}"));
        assert!(th_at < en_at, "{name} {part}: Thai must come first");
    }

    #[test]
    fn every_message_is_bilingual_and_fully_rendered() {
        for (name, mail) in all_messages() {
            assert_eq!(mail.to, "somchai@example.go.th");
            for (part, body) in [("text", &mail.text), ("html", &mail.html)] {
                assert_thai_then_english(name, part, body);
                assert!(
                    !body.contains("{{"),
                    "{name} {part}: unrendered tag\n{body}"
                );
                assert!(
                    !body.contains("}}"),
                    "{name} {part}: unrendered tag\n{body}"
                );
            }
            assert!(!mail.subject.contains("{{"), "{name}: {}", mail.subject);
            assert!(!mail.subject.contains('\n'), "{name}: {}", mail.subject);
            assert!(mail.subject.contains(" / "), "{name}: {}", mail.subject);
            assert!(mail.html.starts_with("<!DOCTYPE html>"), "{name}");
            assert!(mail.html.contains("lang=\"th\""), "{name}");
            assert!(mail.html.contains("lang=\"en\""), "{name}");
        }
    }

    #[test]
    fn titles_are_escaped_in_html_only() {
        for (name, mail) in all_messages() {
            assert!(
                !mail.html.contains("<script>"),
                "{name}: unescaped\n{}",
                mail.html
            );
            assert!(
                mail.html.contains(
                    "ร่าง พ.ร.บ. &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; ข้อมูล"
                ),
                "{name}\n{}",
                mail.html
            );
            assert!(mail.text.contains(EVIL_TH), "{name}: text must be verbatim");
            if name != "subscription_confirm" {
                assert!(
                    mail.html.contains(
                        "Draft Act &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Data"
                    ),
                    "{name}\n{}",
                    mail.html
                );
                assert!(mail.text.contains(EVIL_EN), "{name}");
            }
        }
    }

    #[test]
    fn urls_are_present_and_escaped_in_attributes() {
        for (name, mail) in all_messages() {
            let url = match name {
                "comment_receipt" | "consultation_opened" | "consultation_closing" => {
                    "https://rabfang.example/c/42?tab=comments&x=1"
                }
                "subscription_confirm" => "https://rabfang.example/s/confirm?token=abc&x=1",
                "summary_published" => "https://rabfang.example/c/42/summary?x=1&y=2",
                "evaluation_due" => "https://rabfang.example/api/v1/laws?evaluation_due=true&x=1",
                _ => unreachable!(),
            };
            assert!(mail.text.contains(url), "{name}: {url} missing in text");
            let escaped = url.replace('&', "&amp;");
            assert!(
                mail.html.contains(&format!("href=\"{escaped}\"")),
                "{name}: {escaped} missing in html\n{}",
                mail.html
            );
            let unsubscribe = "https://rabfang.example/s/unsubscribe?token=def";
            if matches!(name, "comment_receipt" | "evaluation_due") {
                // Receipts and reminders to officers are transactional: nothing to unsubscribe from.
                assert_eq!(mail.unsubscribe_url, None);
                assert!(!mail.text.contains("unsubscribe") && !mail.html.contains("unsubscribe"));
                continue;
            }
            assert_eq!(mail.unsubscribe_url.as_deref(), Some(unsubscribe), "{name}");
            assert!(mail.text.contains(unsubscribe), "{name}");
            assert!(
                mail.html.contains(&format!("href=\"{unsubscribe}\"")),
                "{name}"
            );
        }
    }

    #[test]
    fn receipt_details() {
        let mail = &all_messages()[0].1;
        assert_eq!(mail.message_key, "receipt-RF-2569-000123");
        assert!(mail.subject.contains("RF-2569-000123"));
        assert!(mail.text.contains("RF-2569-000123"));
        assert!(mail.html.contains("RF-2569-000123"));
        assert!(mail.text.contains("21 พ.ย. 2569 14:05 น."));
        assert!(
            mail.subject.starts_with("ได้รับความคิดเห็น"),
            "{}",
            mail.subject
        );
    }

    #[test]
    fn optional_values_fall_back() {
        // No English title: the English part shows the Thai title.
        let mail = comment_receipt(
            "a@b.example",
            "T-1",
            "ร่างกฎหมายทดสอบ",
            None,
            "วันนี้",
            "https://rabfang.example/c/1",
        );
        let english = mail.text.split("Dear").nth(1).unwrap();
        assert!(english.contains("ร่างกฎหมายทดสอบ"), "{}", mail.text);
        assert!(mail.unsubscribe_url.is_none());

        let with_en = comment_receipt(
            "a@b.example",
            "T-1",
            "ร่างกฎหมายทดสอบ",
            Some("Test Bill"),
            "วันนี้",
            "https://rabfang.example/c/1",
        );
        let english = with_en.text.split("Dear").nth(1).unwrap();
        assert!(english.contains("Test Bill") && !english.contains("ร่างกฎหมายทดสอบ"));

        // A summary for a participant who never subscribed: no unsubscribe anything.
        let mail = summary_published(
            "a@b.example",
            "ร่างกฎหมายทดสอบ",
            None,
            "https://rabfang.example/c/1/summary",
            None,
        );
        assert!(mail.unsubscribe_url.is_none());
        assert!(!mail.text.contains("unsubscribe") && !mail.text.contains("ยกเลิก"));
        assert!(!mail.html.contains("unsubscribe") && !mail.html.contains("ยกเลิก"));
        assert!(!mail.text.contains("{{") && !mail.html.contains("{{"));
    }

    #[test]
    fn keys_are_deterministic() {
        let a = all_messages();
        let b = all_messages();
        for ((name, x), (_, y)) in a.iter().zip(&b) {
            assert_eq!(x.message_key, y.message_key, "{name}");
        }
        let keys: std::collections::HashSet<_> = a.iter().map(|(_, m)| &m.message_key).collect();
        assert_eq!(keys.len(), a.len(), "keys must differ between messages");
        // Another recipient, another key; case and spaces in the address do not matter.
        let url = "https://rabfang.example/c/1";
        let u = "https://rabfang.example/u";
        let k = |to: &str| consultation_opened(to, "t", None, "c", url, u).message_key;
        assert_eq!(k("A@b.example "), k("a@b.example"));
        assert_ne!(k("a@b.example"), k("c@b.example"));
        assert!(k("a@b.example").starts_with("consultation-opened-"));
        // A new deadline makes a new reminder.
        let c = |closes: &str| consultation_closing("a@b.example", "t", None, closes, url, u);
        assert_ne!(c("1 ธ.ค.").message_key, c("5 ธ.ค.").message_key);
    }

    #[test]
    fn raw_messages_have_one_click_headers_and_both_parts() {
        let dir = tempfile::tempdir().unwrap();
        let mailer = Mailer::files(dir.path(), "Rabfang <no-reply@rabfang.example>").unwrap();
        for (name, mail) in all_messages() {
            let raw = String::from_utf8(mailer.format(&mail).unwrap()).unwrap();
            assert!(raw.is_ascii(), "{name}: headers and bodies are encoded");
            if matches!(name, "comment_receipt" | "evaluation_due") {
                assert!(!raw.contains("List-Unsubscribe"), "{name}");
            } else {
                assert!(
                raw.contains(
                    "\r\nList-Unsubscribe: <https://rabfang.example/s/unsubscribe?token=def>\r\n"
                ),
                "{name}\n{raw}"
            );
                assert!(raw.contains("\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"));
            }
            assert!(
                raw.contains("Content-Type: multipart/alternative;"),
                "{name}"
            );
            assert!(
                raw.contains("Content-Type: text/plain; charset=utf-8"),
                "{name}"
            );
            assert!(
                raw.contains("Content-Type: text/html; charset=utf-8"),
                "{name}"
            );
            let id = format!("Message-ID: <{}@rabfang.example>", mail.message_key);
            assert!(raw.contains(&id), "{name}\n{raw}");
        }
    }

    #[test]
    fn renderer() {
        let vars = [("a", "<A&>"), ("empty", ""), ("b", "{{a}}")];
        assert_eq!(render("x{{a}}y", &vars, Escape::None), "x<A&>y");
        assert_eq!(render("x{{ a }}y", &vars, Escape::Html), "x&lt;A&amp;&gt;y");
        // Values are not rendered again.
        assert_eq!(render("{{b}}", &vars, Escape::None), "{{a}}");
        assert_eq!(render("{{#a}}[{{a}}]{{/a}}", &vars, Escape::None), "[<A&>]");
        assert_eq!(render("{{#empty}}[x]{{/empty}}!", &vars, Escape::None), "!");
        assert_eq!(
            render("{{^empty}}[x]{{/empty}}!", &vars, Escape::None),
            "[x]!"
        );
        assert_eq!(render("{{^a}}[x]{{/a}}!", &vars, Escape::None), "!");
        assert_eq!(
            render("{{#missing}}[x]{{/missing}}", &vars, Escape::None),
            ""
        );
        // Unknown and broken tags stay visible.
        assert_eq!(render("{{nope}} {{a", &vars, Escape::None), "{{nope}} {{a");
        assert_eq!(render("{{#a}}x", &vars, Escape::None), "{{#a}}x");
        assert_eq!(render("ไทย {{a}} ไทย", &vars, Escape::None), "ไทย <A&> ไทย");
    }
}
