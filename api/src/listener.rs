//! The connection layer under poem: problem+json for the answers hyper gives on its own.
//!
//! A request whose head hyper cannot read never reaches poem. hyper answers it itself, with an
//! empty body, and closes the connection: `400` for a request line or header that is not HTTP,
//! `414` for a request target over 64 KiB (a fixed limit in hyper), `431` for more than 100
//! headers or a head over about 400 KiB. poem exposes none of these limits, so no middleware
//! can answer instead. [`ProblemAcceptor`] wraps each accepted connection in [`ProblemIo`],
//! which recognises exactly those automatic answers as hyper writes them (a status line, then
//! only `content-length: 0`, `date` and `connection` headers, no body; no answer of ours is
//! ever like that, since every error of ours has a problem body) and writes in their place the
//! same status with a problem+json body and the headers every answer carries.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use domain::ErrorCode;
use poem::http::uri::Scheme;
use poem::listener::Acceptor;
use poem::web::{LocalAddr, RemoteAddr};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::error::Problem;
use crate::hardening::{OTHER_CSP, REFERRER_POLICY};

/// Wraps the connections of another acceptor in [`ProblemIo`].
pub struct ProblemAcceptor<A>(pub A);

impl<A: Acceptor> Acceptor for ProblemAcceptor<A> {
    type Io = ProblemIo<A::Io>;

    fn local_addr(&self) -> Vec<LocalAddr> {
        self.0.local_addr()
    }

    async fn accept(&mut self) -> io::Result<(Self::Io, LocalAddr, RemoteAddr, Scheme)> {
        let (io, local, remote, scheme) = self.0.accept().await?;
        Ok((ProblemIo::new(io), local, remote, scheme))
    }
}

/// A connection whose automatic error answers from hyper are rewritten as problems.
pub struct ProblemIo<T> {
    inner: T,
    /// A replacement being written: its bytes, how many are written, and the length of what
    /// hyper asked to write (reported to hyper once the replacement is out).
    replacing: Option<(Vec<u8>, usize, usize)>,
}

impl<T> ProblemIo<T> {
    pub fn new(inner: T) -> ProblemIo<T> {
        ProblemIo {
            inner,
            replacing: None,
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for ProblemIo<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for ProblemIo<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.replacing.is_none() {
            match replacement(buf) {
                Some(bytes) => this.replacing = Some((bytes, 0, buf.len())),
                None => return Pin::new(&mut this.inner).poll_write(cx, buf),
            }
        }
        let Some((bytes, written, reported)) = this.replacing.as_mut() else {
            return Poll::Ready(Ok(0));
        };
        while *written < bytes.len() {
            match Pin::new(&mut this.inner).poll_write(cx, &bytes[*written..]) {
                Poll::Ready(Ok(0)) => {
                    this.replacing = None;
                    return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
                }
                Poll::Ready(Ok(n)) => *written += n,
                Poll::Ready(Err(e)) => {
                    this.replacing = None;
                    return Poll::Ready(Err(e));
                }
                Poll::Pending => return Poll::Pending,
            }
        }
        let reported = *reported;
        this.replacing = None;
        Poll::Ready(Ok(reported))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        // hyper writes an automatic answer as one slice (a head without a body); anything
        // else goes through untouched, still vectored.
        let mut slices = bufs.iter().filter(|b| !b.is_empty());
        let only = match (slices.next(), slices.next()) {
            (Some(one), None) => Some(&**one),
            _ => None,
        };
        let this = self.get_mut();
        match only {
            // While a replacement is being written, `poll_write` finishes it whatever it is given.
            _ if this.replacing.is_some() => Pin::new(this).poll_write(cx, &[]),
            Some(one) if replacement(one).is_some() => Pin::new(this).poll_write(cx, one),
            _ => Pin::new(&mut this.inner).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// The problem answer to write instead of `buf`, when `buf` is one of hyper's automatic error
/// answers.
fn replacement(buf: &[u8]) -> Option<Vec<u8>> {
    if buf.len() > 512 || !buf.starts_with(b"HTTP/1.") {
        return None;
    }
    let text = std::str::from_utf8(buf).ok()?;
    let head = text.strip_suffix("\r\n\r\n")?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?;
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next()?;
    let (code, detail) = match parts.next()? {
        "400" => (
            ErrorCode::MalformedRequest,
            "the request line or a header is not valid HTTP",
        ),
        "414" => (
            ErrorCode::UriTooLong,
            "the request target (path and query) is longer than 64 KiB",
        ),
        "431" => (
            ErrorCode::HeadersTooLarge,
            "the request has more than 100 headers, or its head is larger than about 400 KiB",
        ),
        _ => return None,
    };
    let mut date = None;
    for line in lines {
        let (name, value) = line.split_once(':')?;
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "content-length" if value == "0" => {}
            "connection" => {}
            "date" => date = Some(value),
            _ => return None,
        }
    }
    let problem = Problem::new(code, detail);
    let body = serde_json::to_vec(&problem).ok()?;
    let mut out = format!(
        "{version} {} {}\r\ncontent-type: application/problem+json\r\ncontent-length: {}\r\n\
         connection: close\r\nx-content-type-options: nosniff\r\nreferrer-policy: {REFERRER_POLICY}\r\n\
         content-security-policy: {OTHER_CSP}\r\n",
        problem.status,
        problem.title,
        body.len()
    );
    if let Some(date) = date {
        out.push_str(&format!("date: {date}\r\n"));
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(&body);
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewrite(answer: &str) -> Option<String> {
        replacement(answer.as_bytes()).map(|b| String::from_utf8(b).unwrap())
    }

    #[test]
    fn hypers_automatic_answers_become_problems() {
        let out = rewrite(
            "HTTP/1.1 414 URI Too Long\r\ncontent-length: 0\r\ndate: Mon, 30 Nov 2026 10:00:00 GMT\r\n\r\n",
        )
        .unwrap();
        let (head, body) = out.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 414 URI Too Long\r\n"), "{head}");
        assert!(
            head.contains("content-type: application/problem+json"),
            "{head}"
        );
        assert!(
            head.contains(&format!("content-length: {}", body.len())),
            "{head}"
        );
        assert!(
            head.contains("date: Mon, 30 Nov 2026 10:00:00 GMT"),
            "{head}"
        );
        assert!(head.contains("x-content-type-options: nosniff"), "{head}");
        let problem: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(problem["code"], "uri_too_long");
        assert_eq!(problem["status"], 414);

        let out =
            rewrite("HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n\r\n")
                .unwrap();
        assert!(out.contains("\"code\":\"headers_too_large\""), "{out}");
        let out = rewrite("HTTP/1.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n").unwrap();
        assert!(out.starts_with("HTTP/1.0 400 Bad Request\r\n"), "{out}");
        assert!(out.contains("\"code\":\"malformed_request\""), "{out}");
    }

    #[test]
    fn other_answers_are_left_alone() {
        for answer in [
            "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n",
            "HTTP/1.1 414 URI Too Long\r\ncontent-type: application/problem+json\r\ncontent-length: 2\r\n\r\n{}",
            "HTTP/1.1 431 Request Header Fields Too Large\r\nx-content-type-options: nosniff\r\ncontent-length: 0\r\n\r\n",
            "HTTP/1.1 400 Bad Request\r\ncontent-length: 5\r\n\r\n",
            "HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n",
            "HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\nHTTP/1.1 200 OK\r\n\r\n",
            "{\"body\": \"HTTP/1.1 414 URI Too Long\"}",
        ] {
            assert_eq!(rewrite(answer), None, "{answer:?}");
        }
    }
}
