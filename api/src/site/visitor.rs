//! Who is visiting, for every page: the session cookie resolved to the signed-in person, and
//! the CSRF defence of every form.
//!
//! CSRF: each browser gets a random seed in a cookie (set only when a page shows a form); a
//! form carries `csrf`, a keyed signature of that seed and of the session, so a token taken
//! before sign-in is worth nothing after it. The middleware checks the token of every POST to a
//! page before its handler runs, so no form can forget it: a post without a valid token gets a
//! 403 page and changes nothing. The parsed form is handed to the handler as [`FormData`].
//!
//! Cookies are `HttpOnly`, `SameSite=Lax`, `Path=/`, and `Secure` with the `__Host-` prefix
//! whenever the public URL is https.

use std::sync::{
    Arc,
    atomic::{AtomicBool, Ordering},
};

use domain::{
    keys::SecretKey,
    service::{
        sessions::{self, SignedIn},
        subscriptions::new_secret,
    },
    types::Actor,
};
use poem::{
    Body, Endpoint, IntoResponse, Request, Response,
    http::{HeaderValue, Method, StatusCode, header},
};

use crate::AppState;

/// The largest form a page accepts (a comment is at most 20,000 characters, answers aside).
pub const MAX_FORM_BYTES: usize = 512 * 1024;

/// Marks a page whose form uploads a file (`multipart/form-data`) of at most this many bytes
/// (the whole body); other pages take only `application/x-www-form-urlencoded`.
#[derive(Clone, Copy)]
pub struct UploadLimit(pub usize);

/// A file posted with a form.
#[derive(Debug, Clone)]
pub struct UploadedFile {
    /// The form field's name.
    pub field: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// The files posted with the form (empty for a form without an upload).
pub fn files(req: &Request) -> Vec<UploadedFile> {
    req.extensions()
        .get::<Vec<UploadedFile>>()
        .cloned()
        .unwrap_or_default()
}

/// The visitor of one request.
#[derive(Clone)]
pub struct Visitor {
    pub signed_in: Option<SignedIn>,
    /// The session cookie's value, when it names a live session.
    pub session_id: Option<String>,
    pub csrf: Csrf,
}

impl Visitor {
    pub fn actor(&self) -> Option<&Actor> {
        self.signed_in.as_ref().map(|s| &s.actor)
    }
}

/// The signed-in person's actor, if someone is signed in.
pub fn actor(req: &Request) -> Option<Actor> {
    req.extensions()
        .get::<Visitor>()
        .and_then(|v| v.actor())
        .copied()
}

/// The signed-in person, if someone is signed in.
pub fn signed_in(req: &Request) -> Option<SignedIn> {
    req.extensions()
        .get::<Visitor>()
        .and_then(|v| v.signed_in.clone())
}

/// The id of this browser's live session, if it has one.
pub fn session_id(req: &Request) -> Option<String> {
    req.extensions()
        .get::<Visitor>()
        .and_then(|v| v.session_id.clone())
}

/// The posted form (empty for a GET): the middleware parsed it and checked its CSRF token.
pub fn form(req: &Request) -> FormData {
    req.extensions()
        .get::<FormData>()
        .cloned()
        .unwrap_or_default()
}

/// Makes this visitor's CSRF token; remembers that a page used it (so the seed's cookie is set
/// and the page is not cached for others).
#[derive(Clone)]
pub struct Csrf {
    keys: SecretKey,
    message: String,
    used: Arc<AtomicBool>,
}

impl Csrf {
    const PURPOSE: &'static str = "csrf";

    fn new(keys: SecretKey, seed: &str, session: Option<&SignedIn>) -> Csrf {
        let session = session.map(|s| s.session_hash.as_str()).unwrap_or("");
        Csrf {
            keys,
            message: format!("{seed}|{session}"),
            used: Arc::new(AtomicBool::new(false)),
        }
    }

    /// The token for a form's hidden `csrf` field.
    pub fn token(&self) -> String {
        self.used.store(true, Ordering::Relaxed);
        self.keys.sign(Self::PURPOSE, self.message.as_bytes())
    }

    fn verify(&self, token: &str) -> bool {
        self.keys
            .verify(Self::PURPOSE, self.message.as_bytes(), token)
    }
}

/// A posted form's fields, in order (a field may repeat, as checkboxes do).
#[derive(Debug, Clone, Default)]
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    /// The first value of `name`, trimmed; `None` when absent or blank.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// The value of `name` as typed (untrimmed, empty when absent), to show it again.
    pub fn raw(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// Every non-blank value of `name`.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(n, v)| n == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_string())
            .collect()
    }
}

/// The names of the site's cookies, which depend on whether the site is served over https.
#[derive(Clone, Copy)]
pub struct Cookies {
    secure: bool,
}

impl Cookies {
    pub fn of(state: &AppState) -> Cookies {
        Cookies {
            secure: state.ctx.settings.public_url.starts_with("https://"),
        }
    }

    /// The name of cookie `base` (`__Host-` prefixed on https).
    pub fn named(self, base: &str) -> String {
        self.name(base)
    }

    fn name(self, base: &str) -> String {
        if self.secure {
            format!("__Host-{base}")
        } else {
            base.to_string()
        }
    }

    pub fn session(self) -> String {
        self.name("rabfang_session")
    }

    fn csrf(self) -> String {
        self.name("rabfang_csrf")
    }

    /// A `Set-Cookie` value that lasts `seconds`.
    pub fn set_for(self, name: &str, value: &str, seconds: i64) -> HeaderValue {
        let secure = if self.secure { "; Secure" } else { "" };
        HeaderValue::from_str(&format!(
            "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={seconds}{secure}"
        ))
        .expect("cookie values are URL-safe")
    }

    /// A `Set-Cookie` value; `None` clears the cookie.
    pub fn set(self, name: &str, value: Option<&str>) -> HeaderValue {
        let secure = if self.secure { "; Secure" } else { "" };
        let text = match value {
            Some(v) => format!("{name}={v}; Path=/; HttpOnly; SameSite=Lax{secure}"),
            None => format!("{name}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"),
        };
        HeaderValue::from_str(&text).expect("cookie values are URL-safe base64")
    }
}

/// The value of cookie `name` in the request, as sent.
pub fn cookie_value(req: &Request, name: &str) -> Option<String> {
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.trim().to_string())
}

/// The value of cookie `name` if it looks like one of our random ids.
fn cookie(req: &Request, name: &str) -> Option<String> {
    cookie_value(req, name).filter(|v| {
        (16..=128).contains(&v.len())
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

/// Resolves the visitor, checks the CSRF token of a post, and runs the page (see the module
/// documentation).
pub async fn around<E: Endpoint>(ep: E, mut req: Request) -> poem::Result<Response> {
    let Some(state) = req.data::<AppState>().cloned() else {
        return Err(poem::Error::from_status(StatusCode::INTERNAL_SERVER_ERROR));
    };
    let cookies = Cookies::of(&state);
    let session_cookie = cookie(&req, &cookies.session());
    let signed_in = match &session_cookie {
        Some(id) => match sessions::find(&state.ctx.db, id).await {
            Ok(found) => found,
            Err(e) => return Ok(super::error_page(&req, e)),
        },
        None => None,
    };
    let (seed, new_seed) = match cookie(&req, &cookies.csrf()) {
        Some(seed) => (seed, false),
        None => (new_secret(), true),
    };
    let visitor = Visitor {
        csrf: Csrf::new(state.ctx.keys.clone(), &seed, signed_in.as_ref()),
        session_id: signed_in.as_ref().and(session_cookie.clone()),
        signed_in,
    };
    let csrf_used = visitor.csrf.used.clone();
    req.extensions_mut().insert(visitor.clone());
    let mut resp = if matches!(*req.method(), Method::GET | Method::HEAD) {
        ep.call(req).await?.into_response()
    } else {
        match read_form(&mut req).await {
            Err(resp) => resp,
            Ok((form, files)) if form.get("csrf").is_some_and(|t| visitor.csrf.verify(t)) => {
                req.extensions_mut().insert(form);
                req.extensions_mut().insert(files);
                ep.call(req).await?.into_response()
            }
            Ok(_) => super::forbidden(&req),
        }
    };
    let headers = resp.headers_mut();
    if csrf_used.load(Ordering::Relaxed) {
        if new_seed {
            headers.append(
                header::SET_COOKIE,
                cookies.set(&cookies.csrf(), Some(&seed)),
            );
        }
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
    }
    // A session cookie that names no live session is cleared (unless the page set a new one).
    if session_cookie.is_some()
        && visitor.session_id.is_none()
        && !headers.contains_key(header::SET_COOKIE)
    {
        headers.append(header::SET_COOKIE, cookies.set(&cookies.session(), None));
    }
    Ok(resp)
}

/// Reads an `application/x-www-form-urlencoded` body (or, on a page with an [`UploadLimit`],
/// a `multipart/form-data` one); an answer page when it is neither or too large.
async fn read_form(req: &mut Request) -> Result<(FormData, Vec<UploadedFile>), Response> {
    let content_type = req.content_type().unwrap_or_default().to_string();
    if let Some(UploadLimit(limit)) = req.extensions().get::<UploadLimit>().copied()
        && content_type.starts_with("multipart/form-data")
    {
        return read_multipart(req, &content_type, limit).await;
    }
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return Err(super::forbidden(req));
    }
    let body = req.take_body();
    let bytes = match body.into_bytes_limit(MAX_FORM_BYTES).await {
        Ok(b) => b,
        Err(_) => return Err(super::too_large(req)),
    };
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(&bytes)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    req.set_body(Body::from(bytes));
    Ok((FormData(pairs), Vec::new()))
}

async fn read_multipart(
    req: &mut Request,
    content_type: &str,
    limit: usize,
) -> Result<(FormData, Vec<UploadedFile>), Response> {
    let Ok(boundary) = multer::parse_boundary(content_type) else {
        return Err(super::forbidden(req));
    };
    let constraints =
        multer::Constraints::new().size_limit(multer::SizeLimit::new().whole_stream(limit as u64));
    let stream = req.take_body().into_bytes_stream();
    let mut parts = multer::Multipart::with_constraints(stream, boundary, constraints);
    let mut pairs = Vec::new();
    let mut files = Vec::new();
    loop {
        let field = match parts.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(
                multer::Error::StreamSizeExceeded { .. } | multer::Error::FieldSizeExceeded { .. },
            ) => {
                return Err(super::too_large(req));
            }
            Err(_) => return Err(super::forbidden(req)),
        };
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(String::from);
        let bytes = match field.bytes().await {
            Ok(b) => b,
            Err(
                multer::Error::StreamSizeExceeded { .. } | multer::Error::FieldSizeExceeded { .. },
            ) => {
                return Err(super::too_large(req));
            }
            Err(_) => return Err(super::forbidden(req)),
        };
        match file_name {
            Some(file_name) => files.push(UploadedFile {
                field: name,
                file_name,
                bytes: bytes.to_vec(),
            }),
            None => pairs.push((name, String::from_utf8_lossy(&bytes).into_owned())),
        }
    }
    Ok((FormData(pairs), files))
}
