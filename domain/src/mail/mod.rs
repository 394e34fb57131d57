//! Outgoing e-mail.
//!
//! A [`Mailer`] sends an [`Outgoing`] message either over SMTP or, when no SMTP server is
//! configured, by writing it as an `.eml` file into `$RABFANG_DATA_DIR/mail` (handy on a
//! laptop and in tests: open the file in any mail client).
//!
//! Every message is `multipart/alternative` (a UTF-8 text part, then a UTF-8 HTML part), comes
//! from `RABFANG_MAIL_FROM`, and has a deterministic `Message-ID` built from
//! [`Outgoing::message_key`] and the domain of the From address, so a job that is retried
//! sends a message with the same `Message-ID` (mail clients and many providers then show it
//! once). When [`Outgoing::unsubscribe_url`] is set the message carries the RFC 8058
//! one-click headers `List-Unsubscribe: <url>` and
//! `List-Unsubscribe-Post: List-Unsubscribe=One-Click`; the URL must therefore accept a
//! `POST` with the body `List-Unsubscribe=One-Click` (and should also answer a `GET`).
//!
//! ## `RABFANG_SMTP_URL`
//!
//! The URL is read by lettre's `AsyncSmtpTransport::from_url`:
//!
//! | URL | connection |
//! |---|---|
//! | `smtp://host[:port]` (port 25 by default) | plain SMTP, **no TLS** (local relay, test server) |
//! | `smtp://host[:port]?tls=required` (port 587 by default) | STARTTLS, refused if the server does not offer it |
//! | `smtp://host[:port]?tls=opportunistic` (port 587 by default) | STARTTLS when offered, else plain |
//! | `smtps://host[:port]` (port 465 by default) | TLS from the first byte |
//!
//! `user:password@` before the host turns on SMTP AUTH (percent-encode special characters);
//! a path (`smtp://host/helo.example`) sets the name sent in `EHLO`. Certificates are checked
//! against the Mozilla roots built in (webpki-roots). Connections are pooled and reused.
//!
//! ## Errors
//!
//! [`Mailer::send`] answers [`MailError::Transient`] when trying again later may help (no
//! connection, time-out, TLS or authentication trouble, a `4xx` reply) and
//! [`MailError::Permanent`] when it will not (a `5xx` reply, an address that cannot be
//! parsed): the caller records a permanent failure and does not retry it.

pub mod messages;

use std::{
    fmt,
    path::{Path, PathBuf},
    str::FromStr as _,
    sync::atomic::{AtomicU64, Ordering},
};

use anyhow::{Context as _, bail};
use lettre::{
    AsyncSmtpTransport, AsyncTransport as _, Message, Tokio1Executor,
    message::{
        Mailbox, MultiPart,
        header::{Header, HeaderName, HeaderValue},
    },
};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::settings::{Settings, redact_url};

/// One message, rendered and ready to send (see [`messages`] for the ones Rabfang sends).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outgoing {
    /// The recipient: `name@example.org` or `Name <name@example.org>`.
    pub to: String,
    /// One line; line breaks are turned into spaces.
    pub subject: String,
    /// The `text/plain` part.
    pub text: String,
    /// The `text/html` part (a whole HTML document).
    pub html: String,
    /// When set: the `List-Unsubscribe` target (an absolute `https://`, `http://` or
    /// `mailto:` URL), announced as RFC 8058 one-click.
    pub unsubscribe_url: Option<String>,
    /// A stable key such as `receipt-123`: the same key gives the same `Message-ID` and, for
    /// the file transport, the same file name. Any characters are allowed; they are encoded.
    pub message_key: String,
}

/// Why a message was not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    /// Try again later: the server could not be reached, timed out or answered `4xx`, or the
    /// file could not be written.
    #[error("mail not sent yet, try again later: {0}")]
    Transient(String),
    /// Record and do not retry: the server refused with `5xx`, or the message or an address
    /// is invalid.
    #[error("mail refused, do not retry: {0}")]
    Permanent(String),
}

impl MailError {
    /// Whether sending the same message again later may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, MailError::Transient(_))
    }
}

/// Sends [`Outgoing`] messages over SMTP or into a folder of `.eml` files.
///
/// Cheap to clone: clones share the SMTP connection pool.
#[derive(Clone)]
pub struct Mailer {
    from: Mailbox,
    /// The right-hand side of every `Message-ID`: the domain of the From address.
    id_domain: String,
    transport: Transport,
}

#[derive(Clone)]
enum Transport {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        /// The URL with its password replaced, for `Debug`.
        redacted_url: String,
    },
    Files {
        dir: PathBuf,
    },
}

impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let transport = match &self.transport {
            Transport::Smtp { redacted_url, .. } => format!("smtp {redacted_url}"),
            Transport::Files { dir } => format!("files in {}", dir.display()),
        };
        f.debug_struct("Mailer")
            .field("from", &self.from.to_string())
            .field("transport", &transport)
            .finish()
    }
}

impl Mailer {
    /// SMTP when `RABFANG_SMTP_URL` is set, otherwise `.eml` files in `$data_dir/mail`.
    ///
    /// Must be called inside a tokio runtime when SMTP is configured: the connection pool
    /// starts its clean-up task there.
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Mailer> {
        match &settings.smtp_url {
            Some(url) => Mailer::smtp(url.expose(), &settings.mail_from),
            None => Mailer::files(settings.data_dir.join("mail"), &settings.mail_from),
        }
    }

    /// An SMTP mailer for `url` (see the module documentation for the URL forms), sending
    /// from `mail_from` (`Name <address>` or a bare address). Needs a tokio runtime.
    pub fn smtp(url: &str, mail_from: &str) -> anyhow::Result<Mailer> {
        let (from, id_domain) = parse_from(mail_from)?;
        let redacted_url = redact_url(url);
        if tokio::runtime::Handle::try_current().is_err() {
            bail!("the SMTP mailer must be created inside a tokio runtime");
        }
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .with_context(|| {
                format!(
                    "RABFANG_SMTP_URL {redacted_url} is not a usable SMTP URL \
                     (smtp://host:port, smtp://host:port?tls=required, smtps://host:port)"
                )
            })?
            .build();
        Ok(Mailer {
            from,
            id_domain,
            transport: Transport::Smtp {
                transport,
                redacted_url,
            },
        })
    }

    /// A mailer that writes each message to `<dir>/<message_key>.eml` (the folder is created
    /// when the first message is written).
    pub fn files(dir: impl Into<PathBuf>, mail_from: &str) -> anyhow::Result<Mailer> {
        let (from, id_domain) = parse_from(mail_from)?;
        Ok(Mailer {
            from,
            id_domain,
            transport: Transport::Files { dir: dir.into() },
        })
    }

    /// The folder of the file transport, `None` for SMTP.
    pub fn mail_dir(&self) -> Option<&Path> {
        match &self.transport {
            Transport::Files { dir } => Some(dir),
            Transport::Smtp { .. } => None,
        }
    }

    /// The `Message-ID` (with its angle brackets) that `mail` gets.
    pub fn message_id(&self, mail: &Outgoing) -> Result<String, MailError> {
        Ok(format!(
            "<{}@{}>",
            encode_key(&mail.message_key)?,
            self.id_domain
        ))
    }

    /// The message exactly as it is sent (RFC 5322, CRLF line ends), for previews and tests.
    /// The `Date` header and the MIME boundaries differ from one call to the next.
    pub fn format(&self, mail: &Outgoing) -> Result<Vec<u8>, MailError> {
        Ok(self.build(mail)?.formatted())
    }

    /// Sends one message. See [`MailError`] for what an error means for retrying.
    pub async fn send(&self, mail: &Outgoing) -> Result<(), MailError> {
        let message = self.build(mail)?;
        match &self.transport {
            Transport::Smtp { transport, .. } => transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| classify(&e, &mail.to)),
            Transport::Files { dir } => {
                let name = format!("{}.eml", encode_key(&mail.message_key)?);
                write_file(dir, &name, &message.formatted()).await
            }
        }
    }

    fn build(&self, mail: &Outgoing) -> Result<Message, MailError> {
        let to = Mailbox::from_str(mail.to.trim()).map_err(|e| {
            MailError::Permanent(format!("invalid recipient address {:?}: {e}", mail.to))
        })?;
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(one_line(&mail.subject))
            .message_id(Some(self.message_id(mail)?));
        if let Some(url) = &mail.unsubscribe_url {
            builder = builder
                .header(ListUnsubscribe(checked_unsubscribe_url(url)?))
                .header(ListUnsubscribePost);
        }
        builder
            .multipart(MultiPart::alternative_plain_html(
                mail.text.clone(),
                mail.html.clone(),
            ))
            .map_err(|e| MailError::Permanent(format!("cannot build the message: {e}")))
    }
}

fn parse_from(mail_from: &str) -> anyhow::Result<(Mailbox, String)> {
    let from = Mailbox::from_str(mail_from.trim()).with_context(|| {
        format!("RABFANG_MAIL_FROM must be an address or `Name <address>`, got {mail_from:?}")
    })?;
    let domain = from.email.domain().to_string();
    Ok((from, domain))
}

/// Sorts a lettre SMTP error into retry-later or give-up.
fn classify(error: &lettre::transport::smtp::Error, to: &str) -> MailError {
    let text = error.to_string();
    if error.is_permanent() {
        return MailError::Permanent(text);
    }
    // The only client-side refusal that depends on the message rather than on the set-up:
    // a non-ASCII address sent to a server without SMTPUTF8. Retrying will not help.
    if error.is_client() && !to.is_ascii() {
        return MailError::Permanent(text);
    }
    // 4xx replies, connection and network errors, time-outs, TLS and authentication trouble
    // (a configuration to fix, after which the message should still go out).
    MailError::Transient(text)
}

/// `message_key` made safe for a `Message-ID` local part and a file name: ASCII letters,
/// digits, `-` and `_` are kept, every other byte becomes `=XX`. Very long keys are shortened
/// with a hash so they still fit a file name.
fn encode_key(key: &str) -> Result<String, MailError> {
    if key.trim().is_empty() {
        return Err(MailError::Permanent("the message key is empty".into()));
    }
    let mut out = String::with_capacity(key.len());
    for b in key.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("={b:02X}"));
        }
    }
    if out.len() > 150 {
        let digest = hex::encode(Sha256::digest(key.as_bytes()));
        let mut cut = 100;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out = format!("{}-{}", &out[..cut], &digest[..32]);
    }
    Ok(out)
}

/// Collapses line breaks and runs of white space, so a title typed over several lines still
/// makes a one-line subject.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn checked_unsubscribe_url(url: &str) -> Result<String, MailError> {
    let bad = |why: &str| MailError::Permanent(format!("unsubscribe URL {url:?} {why}"));
    let parsed = url::Url::parse(url.trim()).map_err(|e| bad(&e.to_string()))?;
    if !matches!(parsed.scheme(), "https" | "http" | "mailto") {
        return Err(bad("must be https:, http: or mailto:"));
    }
    let serialized = parsed.to_string();
    // The url crate percent-encodes spaces, `<`, `>` and non-ASCII; check anyway, since the
    // value goes between angle brackets in a header.
    if serialized
        .bytes()
        .any(|b| !b.is_ascii_graphic() || b == b'<' || b == b'>')
    {
        return Err(bad("cannot be put in a header"));
    }
    Ok(serialized)
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// `List-Unsubscribe: <url>` (RFC 2369).
#[derive(Debug, Clone, PartialEq, Eq)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(s: &str) -> Result<Self, BoxError> {
        let s = s.trim();
        match s.strip_prefix('<').and_then(|s| s.strip_suffix('>')) {
            Some(url) => Ok(ListUnsubscribe(url.to_string())),
            None => Err(format!("List-Unsubscribe must be <url>, got {s:?}").into()),
        }
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), format!("<{}>", self.0))
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058).
#[derive(Debug, Clone, PartialEq, Eq)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }

    fn parse(s: &str) -> Result<Self, BoxError> {
        if s.trim() == "List-Unsubscribe=One-Click" {
            Ok(ListUnsubscribePost)
        } else {
            Err(format!("unexpected List-Unsubscribe-Post value {s:?}").into())
        }
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_string())
    }
}

/// Writes `bytes` to `dir/name` through a temporary file and a rename, so a reader never sees
/// half a message. An existing file of the same name (the same message key) is replaced.
async fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), MailError> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let failed = |what: &str, e: std::io::Error| {
        MailError::Transient(format!("cannot {what} in {}: {e}", dir.display()))
    };
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(|e| failed("create the mail folder", e))?;
    let temp = dir.join(format!(
        ".{name}.{}-{}.tmp",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let target = dir.join(name);
    if let Err(e) = tokio::fs::write(&temp, bytes).await {
        let _ = tokio::fs::remove_file(&temp).await;
        return Err(failed("write a message", e));
    }
    if let Err(e) = tokio::fs::rename(&temp, &target).await {
        let _ = tokio::fs::remove_file(&temp).await;
        return Err(failed("store a message", e));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn outgoing(key: &str) -> Outgoing {
        Outgoing {
            to: "Somchai <somchai@example.go.th>".into(),
            subject: "ทดสอบ\nTest".into(),
            text: "สวัสดี / Hello".into(),
            html: "<p>สวัสดี / Hello</p>".into(),
            unsubscribe_url: Some("https://rabfang.example/u/abc?x=1&y=2".into()),
            message_key: key.into(),
        }
    }

    fn files_mailer(dir: &Path) -> Mailer {
        Mailer::files(dir, "Rabfang <no-reply@rabfang.example>").unwrap()
    }

    #[test]
    fn keys_are_encoded_for_ids_and_file_names() {
        assert_eq!(encode_key("receipt-123").unwrap(), "receipt-123");
        assert_eq!(encode_key("a/../b c").unwrap(), "a=2F=2E=2E=2Fb=20c");
        assert_eq!(encode_key("ก").unwrap(), "=E0=B8=81");
        assert!(encode_key("  ").is_err());
        let long = encode_key(&"ข".repeat(100)).unwrap();
        assert!(long.len() <= 150, "{}", long.len());
        assert_eq!(long, encode_key(&"ข".repeat(100)).unwrap());
        assert_ne!(long, encode_key(&"ข".repeat(101)).unwrap());
    }

    #[test]
    fn message_id_is_deterministic_and_uses_the_from_domain() {
        let dir = tempfile::tempdir().unwrap();
        let mailer = files_mailer(dir.path());
        let a = mailer.format(&outgoing("receipt-123")).unwrap();
        let b = mailer.format(&outgoing("receipt-123")).unwrap();
        let id = "Message-ID: <receipt-123@rabfang.example>\r\n";
        for raw in [a, b] {
            let raw = String::from_utf8(raw).unwrap();
            assert!(raw.contains(id), "{raw}");
        }
    }

    #[test]
    fn formatted_message_has_one_click_headers_and_both_parts() {
        let dir = tempfile::tempdir().unwrap();
        let raw =
            String::from_utf8(files_mailer(dir.path()).format(&outgoing("k")).unwrap()).unwrap();
        assert!(raw.is_ascii());
        assert!(raw.contains("\r\nList-Unsubscribe: <https://rabfang.example/u/abc?x=1&y=2>\r\n"));
        assert!(raw.contains("\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"));
        assert!(raw.contains("From: Rabfang <no-reply@rabfang.example>\r\n"));
        assert!(raw.contains("To: Somchai <somchai@example.go.th>\r\n"));
        assert!(raw.contains("Content-Type: multipart/alternative;"));
        assert!(raw.contains("Content-Type: text/plain; charset=utf-8"));
        assert!(raw.contains("Content-Type: text/html; charset=utf-8"));
        assert!(raw.contains("MIME-Version: 1.0\r\n"));
        // The subject is one line and RFC 2047-encoded (it is not ASCII).
        assert!(raw.contains("Subject: =?utf-8?"), "{raw}");
    }

    #[test]
    fn no_unsubscribe_headers_without_a_url() {
        let dir = tempfile::tempdir().unwrap();
        let mut mail = outgoing("k");
        mail.unsubscribe_url = None;
        let raw = String::from_utf8(files_mailer(dir.path()).format(&mail).unwrap()).unwrap();
        assert!(!raw.contains("List-Unsubscribe"));
    }

    #[test]
    fn bad_input_is_a_permanent_error() {
        let dir = tempfile::tempdir().unwrap();
        let mailer = files_mailer(dir.path());
        let mut mail = outgoing("k");
        mail.to = "not an address".into();
        assert!(matches!(mailer.format(&mail), Err(MailError::Permanent(_))));
        for url in ["javascript:alert(1)", "/relative", "https://x.example/a b>"] {
            let mut mail = outgoing("k");
            mail.unsubscribe_url = Some(url.into());
            let result = mailer.format(&mail);
            if url.starts_with("https") {
                // spaces and `>` are percent-encoded by the URL parser
                let raw = String::from_utf8(result.unwrap()).unwrap();
                assert!(raw.contains("<https://x.example/a%20b%3E>"), "{raw}");
            } else {
                assert!(matches!(result, Err(MailError::Permanent(_))), "{url}");
            }
        }
        let mut mail = outgoing("");
        mail.message_key = String::new();
        assert!(matches!(mailer.format(&mail), Err(MailError::Permanent(_))));
    }

    #[test]
    fn bad_settings_are_refused() {
        assert!(Mailer::files("/tmp/x", "not an address").is_err());
        // No runtime here: the SMTP mailer says so instead of panicking.
        let err = Mailer::smtp("smtp://127.0.0.1:2525", "a@b.example").unwrap_err();
        assert!(err.to_string().contains("tokio runtime"));
    }

    #[tokio::test]
    async fn smtp_url_forms() {
        for ok in [
            "smtp://127.0.0.1:2525",
            "smtp://user:p%40ss@127.0.0.1:2525",
            "smtp://mail.example:587?tls=required",
            "smtp://mail.example?tls=opportunistic",
            "smtps://mail.example",
        ] {
            Mailer::smtp(ok, "a@b.example").unwrap();
        }
        for bad in [
            "http://mail.example",
            "smtp://mail.example?tls=maybe",
            "nonsense",
        ] {
            assert!(Mailer::smtp(bad, "a@b.example").is_err(), "{bad}");
        }
        let mailer = Mailer::smtp("smtp://user:hunter2@127.0.0.1:2525", "a@b.example").unwrap();
        let debug = format!("{mailer:?}");
        assert!(
            !debug.contains("hunter2") && debug.contains("****"),
            "{debug}"
        );
    }

    #[tokio::test]
    async fn from_settings_picks_the_transport() {
        let dir = tempfile::tempdir().unwrap();
        let vars = |smtp: Option<&str>| {
            let mut v = HashMap::from([(
                "RABFANG_DATA_DIR".to_string(),
                dir.path().display().to_string(),
            )]);
            if let Some(url) = smtp {
                v.insert("RABFANG_SMTP_URL".into(), url.into());
            }
            Settings::from_vars(v).unwrap()
        };
        let files = Mailer::from_settings(&vars(None)).unwrap();
        assert_eq!(files.mail_dir(), Some(dir.path().join("mail").as_path()));
        let smtp = Mailer::from_settings(&vars(Some("smtp://127.0.0.1:2525"))).unwrap();
        assert_eq!(smtp.mail_dir(), None);
        // The default From works.
        assert!(
            files
                .message_id(&outgoing("k"))
                .unwrap()
                .ends_with("@rabfang.localhost>")
        );
    }

    #[tokio::test]
    async fn file_transport_writes_and_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let mailer = files_mailer(&dir.path().join("nested/mail"));
        mailer.send(&outgoing("receipt-1")).await.unwrap();
        mailer.send(&outgoing("receipt-1")).await.unwrap();
        mailer.send(&outgoing("receipt/2")).await.unwrap();
        let mut names: Vec<String> = std::fs::read_dir(dir.path().join("nested/mail"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["receipt-1.eml", "receipt=2F2.eml"]);
    }

    #[tokio::test]
    async fn file_transport_reports_write_failures() {
        let dir = tempfile::tempdir().unwrap();
        // A file where the folder should be.
        let blocker = dir.path().join("mail");
        std::fs::write(&blocker, "x").unwrap();
        let err = files_mailer(&blocker)
            .send(&outgoing("k"))
            .await
            .unwrap_err();
        assert!(err.is_transient(), "{err}");
    }
}
