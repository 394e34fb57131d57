//! Static assets (styles, the logo), embedded in the binary and served under names that carry
//! a hash of their content (`/static/site.3f9c0a1b2c4d.css`), so they can be cached for a year:
//! a changed file is a new name. No page loads anything from another origin.

use std::sync::LazyLock;

use poem::{
    Response,
    http::{StatusCode, header},
    web::Path,
};

struct Asset {
    /// The file's name in `web/static`, as templates ask for it.
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "site.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("../../../web/static/site.css"),
    },
    Asset {
        name: "character-count.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../../../web/static/character-count.js"),
    },
    Asset {
        name: "logo.svg",
        content_type: "image/svg+xml",
        body: include_bytes!("../../../web/static/logo.svg"),
    },
];

/// Each asset with its hashed name.
static HASHED: LazyLock<Vec<(String, &'static Asset)>> = LazyLock::new(|| {
    ASSETS
        .iter()
        .map(|a| {
            let hash = format!("{:032x}", xxhash_rust::xxh3::xxh3_128(a.body));
            let (stem, ext) = a.name.rsplit_once('.').unwrap_or((a.name, ""));
            (format!("{stem}.{}.{ext}", &hash[..12]), a)
        })
        .collect()
});

/// The URL of an asset by its file name (`site.css`), with its content hash.
pub fn url(name: &str) -> String {
    HASHED
        .iter()
        .find(|(_, a)| a.name == name)
        .map(|(hashed, _)| format!("/static/{hashed}"))
        .unwrap_or_else(|| format!("/static/{name}"))
}

/// `GET /static/:file`: a hashed name is cached for a year; the plain name (kept for old
/// links) for five minutes.
#[poem::handler]
pub fn serve(Path(file): Path<String>) -> Response {
    if let Some((_, a)) = HASHED.iter().find(|(hashed, _)| *hashed == file) {
        return Response::builder()
            .content_type(a.content_type)
            .header(header::CACHE_CONTROL, "public, max-age=31536000, immutable")
            .body(a.body);
    }
    if let Some(a) = ASSETS.iter().find(|a| a.name == file) {
        return Response::builder()
            .content_type(a.content_type)
            .header(header::CACHE_CONTROL, "public, max-age=300")
            .body(a.body);
    }
    Response::builder()
        .status(StatusCode::NOT_FOUND)
        .content_type("text/plain; charset=utf-8")
        .body("not found")
}

#[cfg(test)]
mod tests {
    #[test]
    fn hashed_names_change_with_the_content() {
        let css = super::url("site.css");
        assert!(
            css.starts_with("/static/site.") && css.ends_with(".css"),
            "{css}"
        );
        assert_eq!(css.len(), "/static/site..css".len() + 12);
        assert_ne!(super::url("logo.svg"), "/static/logo.svg");
    }
}
