//! A small SMTP server for tests, on tokio: [`TestSmtp::start`] listens on a free port of
//! 127.0.0.1 and keeps every message it receives, so a test can point `RABFANG_SMTP_URL` at
//! [`TestSmtp::url`] and look at what Rabfang sent.
//!
//! It speaks enough of RFC 5321 for lettre: the greeting, `EHLO`/`HELO`, `MAIL FROM`,
//! `RCPT TO`, `DATA` (with dot-unstuffing), `RSET`, `NOOP`, `VRFY` and `QUIT`. There is no
//! TLS (`STARTTLS` is refused) and no authentication, so use a plain `smtp://` URL.
//! [`TestSmtp::start_refusing`] answers chosen recipients with a permanent `550` or a
//! transient `451`.
//!
//! [`ReceivedMail`] has helpers that undo what a mail library does to a message: unfold
//! headers, decode RFC 2047 encoded words (`=?utf-8?b?…?=`) and base64 or quoted-printable
//! bodies, and find the `text/plain` and `text/html` parts of a multipart message.
//!
//! The server stops when the [`TestSmtp`] is dropped.

use std::{
    net::SocketAddr,
    sync::{Arc, Mutex, MutexGuard},
    time::Duration,
};

use base64::Engine as _;
use tokio::{
    io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader},
    net::{TcpListener, TcpStream},
    sync::Notify,
    task::{JoinHandle, JoinSet},
};

/// The most one message may hold; more is answered with `552`.
const MAX_MESSAGE_BYTES: usize = 25 * 1024 * 1024;
/// The longest command line accepted (RFC 5321 asks for 512; be generous).
const MAX_LINE_BYTES: u64 = 64 * 1024;

/// One message as it arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMail {
    /// The envelope sender (`MAIL FROM`), without angle brackets.
    pub from: String,
    /// The envelope recipients that were accepted (`RCPT TO`), without angle brackets.
    pub to: Vec<String>,
    /// The message itself (RFC 5322, CRLF line ends), dot-unstuffed.
    pub data: String,
}

/// A recipient the server refused, and the code it answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub recipient: String,
    pub code: u16,
}

#[derive(Default)]
struct Shared {
    mails: Mutex<Vec<ReceivedMail>>,
    refusals: Mutex<Vec<Refusal>>,
    notify: Notify,
    permanent: Vec<String>,
    transient: Vec<String>,
}

/// A running test SMTP server.
pub struct TestSmtp {
    /// `smtp://127.0.0.1:PORT`, ready for `RABFANG_SMTP_URL`.
    pub url: String,
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    server: JoinHandle<()>,
}

impl Drop for TestSmtp {
    fn drop(&mut self) {
        // Dropping the accept loop drops its JoinSet, which aborts every open connection.
        self.server.abort();
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl TestSmtp {
    /// Starts a server that accepts every recipient.
    pub async fn start() -> TestSmtp {
        TestSmtp::start_refusing(&[], &[]).await
    }

    /// Starts a server that answers `RCPT TO` for an address in `permanent` with
    /// `550 5.1.1` and for one in `transient` with `451 4.3.0` (addresses compare without
    /// regard to case). Other recipients are accepted.
    ///
    /// Panics when no port can be bound, as a test helper may.
    pub async fn start_refusing(permanent: &[&str], transient: &[&str]) -> TestSmtp {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a port on 127.0.0.1 for the test SMTP server");
        let addr = listener
            .local_addr()
            .expect("local address of the test SMTP server");
        let shared = Arc::new(Shared {
            permanent: permanent.iter().map(|s| s.to_lowercase()).collect(),
            transient: transient.iter().map(|s| s.to_lowercase()).collect(),
            ..Shared::default()
        });
        let server = tokio::spawn(accept_loop(listener, Arc::clone(&shared)));
        TestSmtp {
            url: format!("smtp://{addr}"),
            addr,
            shared,
            server,
        }
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Every message received so far, oldest first.
    pub fn messages(&self) -> Vec<ReceivedMail> {
        lock(&self.shared.mails).clone()
    }

    /// Every refused recipient so far, oldest first.
    pub fn refusals(&self) -> Vec<Refusal> {
        lock(&self.shared.refusals).clone()
    }

    /// Forgets the messages and refusals received so far.
    pub fn clear(&self) {
        lock(&self.shared.mails).clear();
        lock(&self.shared.refusals).clear();
    }

    /// Waits until at least `n` messages have arrived or `timeout` has passed, and answers
    /// the messages received by then (so fewer than `n` means the time ran out).
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<ReceivedMail> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.shared.notify.notified();
            tokio::pin!(notified);
            // Register before looking, so a message stored in between still wakes us.
            notified.as_mut().enable();
            let mails = self.messages();
            if mails.len() >= n {
                return mails;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.messages();
            }
        }
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        while connections.try_join_next().is_some() {}
        match listener.accept().await {
            Ok((stream, _)) => {
                let shared = Arc::clone(&shared);
                connections.spawn(async move {
                    // A client that hangs up mid-way is not the server's problem.
                    let _ = serve(stream, &shared).await;
                });
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
}

/// Reads one line (up to and including `\n`) into `buf`; `Ok(false)` at end of stream.
/// A line longer than [`MAX_LINE_BYTES`] is an error.
async fn read_line<R: AsyncRead + Unpin>(
    reader: &mut BufReader<R>,
    buf: &mut Vec<u8>,
) -> std::io::Result<bool> {
    buf.clear();
    let n = (&mut *reader)
        .take(MAX_LINE_BYTES)
        .read_until(b'\n', buf)
        .await?;
    if n == 0 {
        return Ok(false);
    }
    if !buf.ends_with(b"\n") && n as u64 >= MAX_LINE_BYTES {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "line too long",
        ));
    }
    Ok(true)
}

/// The address inside `<…>` after a `MAIL FROM:` or `RCPT TO:` prefix (parameters after it
/// are ignored); without brackets, the first word.
fn path_argument(rest: &str) -> String {
    let rest = rest.trim_start();
    if let Some(inner) = rest.strip_prefix('<') {
        inner.split('>').next().unwrap_or_default().to_string()
    } else {
        rest.split_whitespace()
            .next()
            .unwrap_or_default()
            .to_string()
    }
}

async fn serve(stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    let mut line = Vec::new();
    let mut from: Option<String> = None;
    let mut to: Vec<String> = Vec::new();

    write
        .write_all(b"220 rabfang-test-smtp ESMTP ready\r\n")
        .await?;
    while read_line(&mut reader, &mut line).await? {
        let text = String::from_utf8_lossy(&line);
        let command = text.trim_end_matches(['\r', '\n']);
        let upper = command.to_ascii_uppercase();
        let verb = upper.split_whitespace().next().unwrap_or_default();
        let reply: String = match verb {
            "EHLO" => {
                from = None;
                to.clear();
                "250-rabfang-test-smtp greets you\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n\
                 250-ENHANCEDSTATUSCODES\r\n250 SIZE 26214400\r\n"
                    .into()
            }
            "HELO" => {
                from = None;
                to.clear();
                "250 rabfang-test-smtp\r\n".into()
            }
            "MAIL" if upper.starts_with("MAIL FROM:") => {
                if from.is_some() {
                    "503 5.5.1 nested MAIL command\r\n".into()
                } else {
                    from = Some(path_argument(&command["MAIL FROM:".len()..]));
                    to.clear();
                    "250 2.1.0 OK\r\n".into()
                }
            }
            "RCPT" if upper.starts_with("RCPT TO:") => {
                let recipient = path_argument(&command["RCPT TO:".len()..]);
                let key = recipient.to_lowercase();
                if from.is_none() {
                    "503 5.5.1 need MAIL before RCPT\r\n".into()
                } else if shared.permanent.contains(&key) {
                    lock(&shared.refusals).push(Refusal {
                        recipient,
                        code: 550,
                    });
                    "550 5.1.1 mailbox unavailable (test refusal)\r\n".into()
                } else if shared.transient.contains(&key) {
                    lock(&shared.refusals).push(Refusal {
                        recipient,
                        code: 451,
                    });
                    "451 4.3.0 try again later (test refusal)\r\n".into()
                } else {
                    to.push(recipient);
                    "250 2.1.5 OK\r\n".into()
                }
            }
            "DATA" => {
                if from.is_none() || to.is_empty() {
                    "503 5.5.1 need MAIL and RCPT before DATA\r\n".into()
                } else {
                    write
                        .write_all(b"354 end data with <CR><LF>.<CR><LF>\r\n")
                        .await?;
                    let mut data = Vec::new();
                    let mut too_big = false;
                    loop {
                        if !read_line(&mut reader, &mut line).await? {
                            return Ok(()); // the client went away mid-message
                        }
                        if line == b".\r\n" || line == b".\n" {
                            break;
                        }
                        let content = line.strip_prefix(b".").unwrap_or(&line);
                        if data.len() + content.len() > MAX_MESSAGE_BYTES {
                            too_big = true;
                        } else {
                            data.extend_from_slice(content);
                        }
                    }
                    if too_big {
                        from = None;
                        to.clear();
                        "552 5.3.4 message too big\r\n".into()
                    } else {
                        let mail = ReceivedMail {
                            from: from.take().unwrap_or_default(),
                            to: std::mem::take(&mut to),
                            data: String::from_utf8_lossy(&data).into_owned(),
                        };
                        let number = {
                            let mut mails = lock(&shared.mails);
                            mails.push(mail);
                            mails.len()
                        };
                        shared.notify.notify_waiters();
                        format!("250 2.0.0 OK queued as {number}\r\n")
                    }
                }
            }
            "RSET" => {
                from = None;
                to.clear();
                "250 2.0.0 OK\r\n".into()
            }
            "NOOP" => "250 2.0.0 OK\r\n".into(),
            "VRFY" => "252 2.5.0 cannot verify, will try\r\n".into(),
            "STARTTLS" => "454 4.7.0 TLS not available on the test server\r\n".into(),
            "QUIT" => {
                write.write_all(b"221 2.0.0 bye\r\n").await?;
                return Ok(());
            }
            _ => "500 5.5.2 command not recognized\r\n".into(),
        };
        write.write_all(reply.as_bytes()).await?;
    }
    Ok(())
}

impl ReceivedMail {
    /// The top-level header fields in order, unfolded, names as written.
    pub fn headers(&self) -> Vec<(String, String)> {
        parse_headers(split_head(&self.data).0)
    }

    /// The first top-level header field named `name` (any case), unfolded and trimmed, still
    /// encoded.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers()
            .into_iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// The header `name` with RFC 2047 encoded words decoded.
    pub fn decoded_header(&self, name: &str) -> Option<String> {
        self.header(name).map(|v| decode_rfc2047(&v))
    }

    /// The decoded `Subject`.
    pub fn subject(&self) -> Option<String> {
        self.decoded_header("Subject")
    }

    /// The decoded body of the first `text/plain` part (or of the whole message when it is a
    /// single text/plain body).
    pub fn text_body(&self) -> Option<String> {
        self.part("text/plain")
    }

    /// The decoded body of the first `text/html` part.
    pub fn html_body(&self) -> Option<String> {
        self.part("text/html")
    }

    /// The decoded body of the first part whose content type is `content_type` (for
    /// example `text/plain`), looking into nested multiparts.
    pub fn part(&self, content_type: &str) -> Option<String> {
        find_part(&self.data, &content_type.to_ascii_lowercase(), 0)
    }

    /// The content types of the leaf parts, in order (`["text/plain", "text/html"]` for a
    /// `multipart/alternative` message).
    pub fn part_types(&self) -> Vec<String> {
        let mut out = Vec::new();
        collect_types(&self.data, &mut out, 0);
        out
    }
}

/// Splits an entity into its header block and its body at the first empty line.
fn split_head(entity: &str) -> (&str, &str) {
    for sep in ["\r\n\r\n", "\n\n"] {
        if let Some(at) = entity.find(sep) {
            return (&entity[..at], &entity[at + sep.len()..]);
        }
    }
    (entity, "")
}

fn parse_headers(head: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in head.split('\n') {
        let line = line.trim_end_matches('\r');
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = out.last_mut() {
                // Unfolding (RFC 5322 2.2.3): drop the line break, keep the white space.
                value.push_str(line);
            }
        } else if let Some((name, value)) = line.split_once(':') {
            out.push((name.trim().to_string(), value.trim().to_string()));
        }
    }
    for (_, value) in &mut out {
        *value = value.trim().to_string();
    }
    out
}

fn header_of<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The media type of a `Content-Type` value, lower-cased, and its `boundary` parameter.
fn content_type(value: Option<&str>) -> (String, Option<String>) {
    let value = value.unwrap_or("text/plain");
    let mut pieces = value.split(';');
    let media = pieces
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let boundary = pieces.find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_string())
    });
    (media, boundary)
}

/// The parts of a multipart body, between `--boundary` lines.
fn multipart_parts<'a>(body: &'a str, boundary: &str) -> Vec<&'a str> {
    let delimiter = format!("--{boundary}");
    let mut parts = Vec::new();
    let mut current: Option<usize> = None;
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\r', '\n']);
        if bare == delimiter || bare == format!("{delimiter}--") {
            if let Some(start) = current {
                // The line break before the delimiter belongs to the delimiter.
                let part = &body[start..offset];
                let part = part
                    .strip_suffix("\r\n")
                    .or_else(|| part.strip_suffix('\n'))
                    .unwrap_or(part);
                parts.push(part);
            }
            if bare != delimiter {
                return parts; // the closing delimiter
            }
            current = Some(offset + line.len());
        }
        offset += line.len();
    }
    parts
}

fn find_part(entity: &str, wanted: &str, depth: usize) -> Option<String> {
    if depth > 8 {
        return None;
    }
    let (head, body) = split_head(entity);
    let headers = parse_headers(head);
    let (media, boundary) = content_type(header_of(&headers, "Content-Type"));
    if media.starts_with("multipart/") {
        let boundary = boundary?;
        return multipart_parts(body, &boundary)
            .into_iter()
            .find_map(|part| find_part(part, wanted, depth + 1));
    }
    (media == wanted).then(|| {
        decode_body(
            body,
            header_of(&headers, "Content-Transfer-Encoding").unwrap_or("7bit"),
        )
    })
}

fn collect_types(entity: &str, out: &mut Vec<String>, depth: usize) {
    if depth > 8 {
        return;
    }
    let (head, body) = split_head(entity);
    let headers = parse_headers(head);
    let (media, boundary) = content_type(header_of(&headers, "Content-Type"));
    match boundary {
        Some(boundary) if media.starts_with("multipart/") => {
            for part in multipart_parts(body, &boundary) {
                collect_types(part, out, depth + 1);
            }
        }
        _ => out.push(media),
    }
}

/// Undoes a `Content-Transfer-Encoding` and reads the bytes as UTF-8.
fn decode_body(body: &str, encoding: &str) -> String {
    let bytes = match encoding.trim().to_ascii_lowercase().as_str() {
        "base64" => {
            let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
            base64::engine::general_purpose::STANDARD
                .decode(compact)
                .unwrap_or_else(|_| body.as_bytes().to_vec())
        }
        "quoted-printable" => decode_quoted_printable(body),
        _ => body.as_bytes().to_vec(),
    };
    String::from_utf8_lossy(&bytes).into_owned()
}

fn hex_value(b: u8) -> Option<u8> {
    char::from(b)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

/// Quoted-printable (RFC 2045 6.7): `=XX` bytes and `=` soft line breaks.
fn decode_quoted_printable(body: &str) -> Vec<u8> {
    let bytes = body.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' {
            if bytes[i + 1..].starts_with(b"\r\n") {
                i += 3;
                continue;
            }
            if bytes[i + 1..].starts_with(b"\n") {
                i += 2;
                continue;
            }
            if let (Some(hi), Some(lo)) = (
                bytes.get(i + 1).copied().and_then(hex_value),
                bytes.get(i + 2).copied().and_then(hex_value),
            ) {
                out.push(hi * 16 + lo);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

/// Decodes RFC 2047 encoded words (`=?charset?B?…?=`, `=?charset?Q?…?=`; UTF-8 and ASCII
/// charsets). White space between two encoded words is dropped, as the RFC says; anything
/// that is not a valid encoded word is kept as it is.
pub fn decode_rfc2047(value: &str) -> String {
    let mut out = String::new();
    let mut pending: Vec<u8> = Vec::new(); // bytes of adjacent encoded words
    let mut gap = String::new(); // white space after an encoded word
    let mut rest = value;
    while let Some(start) = rest.find("=?") {
        let (before, from_start) = rest.split_at(start);
        match parse_encoded_word(from_start) {
            Some((bytes, used)) => {
                if before.chars().all(char::is_whitespace) && !pending.is_empty() {
                    // Between two encoded words: dropped.
                } else {
                    out.push_str(&String::from_utf8_lossy(&pending));
                    pending.clear();
                    out.push_str(&gap);
                    out.push_str(before);
                }
                gap.clear();
                pending.extend_from_slice(&bytes);
                rest = &from_start[used..];
                let trimmed = rest.trim_start();
                gap.push_str(&rest[..rest.len() - trimmed.len()]);
                rest = trimmed;
            }
            None => {
                out.push_str(&String::from_utf8_lossy(&pending));
                pending.clear();
                out.push_str(&gap);
                gap.clear();
                out.push_str(before);
                out.push_str("=?");
                rest = &from_start[2..];
            }
        }
    }
    out.push_str(&String::from_utf8_lossy(&pending));
    out.push_str(&gap);
    out.push_str(rest);
    out
}

/// Parses one encoded word at the start of `s`; answers its bytes and its length.
fn parse_encoded_word(s: &str) -> Option<(Vec<u8>, usize)> {
    let inner = s.strip_prefix("=?")?;
    let (_charset, inner) = inner.split_once('?')?;
    let (encoding, inner) = inner.split_once('?')?;
    let end = inner.find("?=")?;
    let text = &inner[..end];
    if text.contains(char::is_whitespace) {
        return None;
    }
    let bytes = match encoding {
        "B" | "b" => base64::engine::general_purpose::STANDARD
            .decode(text)
            .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(text))
            .ok()?,
        "Q" | "q" => decode_quoted_printable(&text.replace('_', " ")),
        _ => return None,
    };
    let used = s.len() - inner.len() + end + 2;
    Some((bytes, used))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_words() {
        assert_eq!(decode_rfc2047("plain text"), "plain text");
        assert_eq!(decode_rfc2047("=?utf-8?b?4LiX4LiU4Liq4Lit4Lia?="), "ทดสอบ");
        assert_eq!(
            decode_rfc2047("=?utf-8?b?4LiX4A==?=\r\n =?utf-8?b?uJTguKrguK3guJo=?= / Test"),
            "ทดสอบ / Test"
        );
        assert_eq!(
            decode_rfc2047("Re: =?UTF-8?Q?caf=C3=A9_au?=\r\n =?UTF-8?Q?_lait?= x"),
            "Re: café au lait x"
        );
        assert_eq!(decode_rfc2047("a =?x?= b"), "a =?x?= b");
    }

    #[test]
    fn quoted_printable() {
        assert_eq!(decode_quoted_printable("a=3Db=\r\nc=E0=B8=81="), {
            let mut v = b"a=bc".to_vec();
            v.extend_from_slice("ก".as_bytes());
            v.push(b'=');
            v
        });
    }

    #[test]
    fn parts_of_a_multipart_message() {
        let mail = ReceivedMail {
            from: "a@b".into(),
            to: vec!["c@d".into()],
            data: "Subject: =?utf-8?b?4LiX4LiU4Liq4Lit4Lia?=\r\n\
                   X-Long: one\r\n two\r\n\
                   Content-Type: multipart/alternative;\r\n boundary=\"XyZ\"\r\n\
                   \r\n\
                   preamble\r\n\
                   --XyZ\r\n\
                   Content-Type: text/plain; charset=utf-8\r\n\
                   Content-Transfer-Encoding: base64\r\n\
                   \r\n\
                   4LiX4LiU4Liq4Lit4Lia\r\n\
                   --XyZ\r\n\
                   Content-Type: text/html; charset=utf-8\r\n\
                   Content-Transfer-Encoding: quoted-printable\r\n\
                   \r\n\
                   <p>=E0=B8=81</p>\r\n\
                   --XyZ--\r\n"
                .into(),
        };
        assert_eq!(mail.subject().as_deref(), Some("ทดสอบ"));
        assert_eq!(mail.header("x-long").as_deref(), Some("one two"));
        assert_eq!(mail.part_types(), ["text/plain", "text/html"]);
        assert_eq!(mail.text_body().as_deref(), Some("ทดสอบ"));
        assert_eq!(mail.html_body().as_deref(), Some("<p>ก</p>"));
        assert_eq!(mail.part("image/png"), None);
    }

    #[tokio::test]
    async fn speaks_smtp_with_dot_unstuffing() {
        let server = TestSmtp::start_refusing(&["no@x.example"], &["later@x.example"]).await;
        let stream = TcpStream::connect(server.addr).await.unwrap();
        let (read, mut write) = stream.into_split();
        let mut reader = BufReader::new(read);
        let mut line = String::new();
        let mut expect = async |prefix: &str, reader: &mut BufReader<_>| {
            loop {
                line.clear();
                reader.read_line(&mut line).await.unwrap();
                assert!(line.starts_with(prefix), "expected {prefix}, got {line:?}");
                if line.as_bytes().get(3) != Some(&b'-') {
                    break;
                }
            }
        };
        expect("220", &mut reader).await;
        for (command, reply) in [
            ("EHLO me\r\n", "250"),
            ("DATA\r\n", "503"),
            ("MAIL FROM:<from@x.example> BODY=8BITMIME\r\n", "250"),
            ("RCPT TO:<no@x.example>\r\n", "550"),
            ("RCPT TO:<LATER@x.example>\r\n", "451"),
            ("RCPT TO:<yes@x.example>\r\n", "250"),
            ("DATA\r\n", "354"),
            ("Subject: hi\r\n\r\n..leading dot\r\n.\r\n", "250"),
            ("RSET\r\n", "250"),
            ("NOOP\r\n", "250"),
            ("STARTTLS\r\n", "454"),
            ("BOGUS\r\n", "500"),
            ("QUIT\r\n", "221"),
        ] {
            write.write_all(command.as_bytes()).await.unwrap();
            expect(reply, &mut reader).await;
        }
        let mails = server.wait_for(1, Duration::from_secs(5)).await;
        assert_eq!(mails.len(), 1);
        assert_eq!(mails[0].from, "from@x.example");
        assert_eq!(mails[0].to, ["yes@x.example"]);
        assert_eq!(mails[0].data, "Subject: hi\r\n\r\n.leading dot\r\n");
        assert_eq!(
            server.refusals(),
            [
                Refusal {
                    recipient: "no@x.example".into(),
                    code: 550
                },
                Refusal {
                    recipient: "LATER@x.example".into(),
                    code: 451
                }
            ]
        );
        // Nothing more arrives: wait_for answers what it has when the time is up.
        let started = std::time::Instant::now();
        assert_eq!(
            server.wait_for(2, Duration::from_millis(100)).await.len(),
            1
        );
        assert!(started.elapsed() >= Duration::from_millis(100));
        server.clear();
        assert!(server.messages().is_empty());
    }
}
