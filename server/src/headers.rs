//! What every answer tells browsers, to protect readers and writers: which scripts, styles,
//! images and frames a page may use (`Content-Security-Policy`), that no other site may show it
//! in a frame, how much of an address other sites learn (`Referrer-Policy`), not to guess a
//! file's type (`nosniff`), when the blog's public address is https, to use nothing else
//! (`Strict-Transport-Security`), and that a page made for one person (signed in, unlocked with
//! a post's password, or showing a commenter their comments awaiting moderation) and a server
//! function's answer are for that person's browser alone (`Cache-Control: private, no-store`),
//! while every other page may be shared by caches in front of the blog, which check it again
//! with its `ETag` (see `caching`).
//!
//! A page may run no inline script but its own, each allowed by its SHA-256 hash: the script in
//! the `<head>` that loads the front end, the same on every page (hashed once, at start-up), and
//! Leptos' scripts after `</html>` that hand the server's data to the browser (hashed per answer).
//! Leptos writes only serialized data into those, with every `<` escaped, so nothing a post
//! holds can end one or start another; a script anywhere else in a page, such as one slipped
//! into a post past the cleaner, is not allowed. The same page always gets the same policy: there
//! is no per-request nonce, and answers stay cacheable.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use leptos::config::LeptosOptions;
use sha2::{Digest, Sha256};

use crate::caching;

/// The largest page read whole to find its scripts.
const MAX_PAGE_BYTES: usize = 64 * 1024 * 1024;

/// Anything but a page (JSON, feeds, images, files) may load nothing and be framed nowhere.
const NON_PAGE_POLICY: &str = "default-src 'none'; frame-ancestors 'none'; sandbox";

/// Browsers forget the https-only rule a year after they last saw it.
const HSTS: &str = "max-age=31536000";

/// The policies of one site.
pub struct BrowserPolicy {
    /// `script-src` of every page, before the hashes of a page's own data scripts.
    script_sources: String,
    /// Every directive of a page's policy but `script-src`.
    page_directives: String,
    https: bool,
}

impl BrowserPolicy {
    /// The policies for pages made with `options`, published at `public_url`.
    pub fn new(options: &LeptosOptions, public_url: &str) -> Self {
        let shell = app::shell_scripts_html(options.clone());
        let mut script_sources = "'self' 'wasm-unsafe-eval'".to_string();
        for script in shell_scripts(&shell) {
            script_sources.push(' ');
            script_sources.push_str(&hash_source(script));
        }
        let https = public_url.starts_with("https://");
        // The live-reload script of `cargo leptos watch` talks to a port of its own.
        let connect_sources = if std::env::var_os("LEPTOS_WATCH").is_some() {
            "'self' ws: wss:"
        } else {
            "'self'"
        };
        let page_directives = [
            "default-src 'self'".to_string(),
            // No inline styles at all: the stylesheet is a file, and posts keep no style attributes.
            "style-src 'self'".to_string(),
            // Imported posts show images, audio and video from anywhere on the web.
            "img-src * data: blob:".to_string(),
            "media-src *".to_string(),
            format!("frame-src {}", video_player_origins().join(" ")),
            format!("connect-src {connect_sources}"),
            "object-src 'none'".to_string(),
            "base-uri 'none'".to_string(),
            "form-action 'self'".to_string(),
            "frame-ancestors 'none'".to_string(),
        ]
        .into_iter()
        .chain(https.then(|| "upgrade-insecure-requests".to_string()))
        .collect::<Vec<_>>()
        .join("; ");
        BrowserPolicy {
            script_sources,
            page_directives,
            https,
        }
    }

    /// The `Content-Security-Policy` of a page whose HTML is `html`.
    fn for_page(&self, html: &str) -> String {
        let mut script_sources = self.script_sources.clone();
        for script in data_scripts(html) {
            script_sources.push(' ');
            script_sources.push_str(&hash_source(script));
        }
        format!("script-src {script_sources}; {}", self.page_directives)
    }
}

/// Gives every answer the browser protections; a page's policy allows its own scripts.
pub async fn protect(
    State(policy): State<Arc<BrowserPolicy>>,
    request: Request,
    next: Next,
) -> Response {
    let is_server_function = crate::limits::is_server_function(&request);
    let carries_cookies = carries_blog_cookies(request.headers());
    let if_none_match = request.headers().get(header::IF_NONE_MATCH).cloned();
    let response = next.run(request).await;
    let (mut parts, body) = response.into_parts();
    let is_page = parts
        .headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"text/html"))
        && !parts.headers.contains_key(header::CONTENT_ENCODING);
    let mut page_tag = None;
    let body = if is_page {
        let html = match axum::body::to_bytes(body, MAX_PAGE_BYTES).await {
            Ok(html) => html,
            Err(error) => {
                tracing::error!(%error, "could not read a page to protect it");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        };
        let csp = policy.for_page(&String::from_utf8_lossy(&html));
        set(&mut parts.headers, header::CONTENT_SECURITY_POLICY, &csp);
        page_tag = Some(caching::entity_tag(&html));
        Body::from(html)
    } else {
        if !parts.headers.contains_key(header::CONTENT_SECURITY_POLICY) {
            set(
                &mut parts.headers,
                header::CONTENT_SECURITY_POLICY,
                NON_PAGE_POLICY,
            );
        }
        body
    };
    let headers = &mut parts.headers;
    if is_page {
        headers.append(header::VARY, HeaderValue::from_static("Cookie"));
    }
    let personal_page = is_page && (carries_cookies || headers.contains_key(header::SET_COOKIE));
    let kept_from_caches = headers
        .get(header::CACHE_CONTROL)
        .and_then(|caching| caching.to_str().ok())
        .is_some_and(|caching| caching.contains("no-store"));
    let mut unchanged = false;
    if personal_page || is_server_function || kept_from_caches {
        set(headers, header::CACHE_CONTROL, caching::PRIVATE);
    } else if let Some(tag) = page_tag.filter(|_| parts.status == StatusCode::OK) {
        set(headers, header::CACHE_CONTROL, caching::SHARED_PAGE);
        set(headers, header::ETAG, &tag);
        unchanged = if_none_match.is_some_and(|wanted| caching::matches(&wanted, &tag));
    }
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(
        headers,
        header::REFERRER_POLICY,
        "strict-origin-when-cross-origin",
    );
    if policy.https {
        set(headers, header::STRICT_TRANSPORT_SECURITY, HSTS);
    }
    if unchanged {
        return caching::not_modified(parts.headers);
    }
    Response::from_parts(parts, body)
}

/// Whether a request carries one of the blog's cookies (a session, a commenter's, a post's
/// password), which pages read to make a page for that person.
pub fn carries_blog_cookies(headers: &HeaderMap) -> bool {
    app::auth::cookies(headers).any(|(name, _)| name.starts_with(app::auth::COOKIE_PREFIX))
}

fn set(headers: &mut HeaderMap, name: header::HeaderName, value: &str) {
    match HeaderValue::from_str(value) {
        Ok(value) => {
            headers.insert(name, value);
        }
        Err(error) => tracing::error!(%error, %name, "a protection header could not be set"),
    }
}

/// The sites whose video players posts may embed (see [`app::html::ALLOWED_FRAME_SOURCES`]).
fn video_player_origins() -> Vec<&'static str> {
    let mut origins: Vec<&str> = app::html::ALLOWED_FRAME_SOURCES
        .iter()
        .map(|source| {
            let host_end = source["https://".len()..]
                .find('/')
                .map_or(source.len(), |end| end + "https://".len());
            &source[..host_end]
        })
        .collect();
    origins.dedup();
    origins
}

/// `'sha256-…'`: the source expression that allows an inline script with exactly this text.
fn hash_source(script: &str) -> String {
    format!(
        "'sha256-{}'",
        BASE64.encode(Sha256::digest(script.as_bytes()))
    )
}

/// The text of every inline `<script>` of the page's head scripts, whatever its attributes.
fn shell_scripts(html: &str) -> Vec<&str> {
    let mut scripts = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let Some(open_end) = rest[start..].find('>').map(|end| start + end + 1) else {
            break;
        };
        let Some(close) = rest[open_end..].find("</script>") else {
            break;
        };
        scripts.push(&rest[open_end..open_end + close]);
        rest = &rest[open_end + close + "</script>".len()..];
    }
    scripts
}

/// The text of the scripts that follow the page's `</html>`, where Leptos puts the data it hands
/// to the browser: only plain `<script>` elements with no `<` inside count, up to anything else.
fn data_scripts(html: &str) -> Vec<&str> {
    const OPEN: &str = "<script>";
    const CLOSE: &str = "</script>";
    let Some(end) = html.rfind("</html>") else {
        return Vec::new();
    };
    let mut rest = &html[end + "</html>".len()..];
    let mut scripts = Vec::new();
    while let Some(script_start) = rest.trim_start().strip_prefix(OPEN) {
        let Some(close) = script_start.find(CLOSE) else {
            break;
        };
        let script = &script_start[..close];
        if script.contains('<') {
            break;
        }
        scripts.push(script);
        rest = &script_start[close + CLOSE.len()..];
    }
    scripts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_those_browsers_compute() {
        assert_eq!(
            hash_source(""),
            "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
        );
    }

    #[test]
    fn only_the_data_scripts_after_the_document_count() {
        let page = concat!(
            "<!DOCTYPE html><html><head><script type=\"module\">hydrate()</script></head>",
            "<body><p>A post</p><script>alert(1)</script></body></html>",
            "<script>__RESOLVED_RESOURCES=[\"\\u003cp>\"];</script>",
            "<script>__INCOMPLETE_CHUNKS=[];</script>"
        );
        assert_eq!(
            data_scripts(page),
            [
                "__RESOLVED_RESOURCES=[\"\\u003cp>\"];",
                "__INCOMPLETE_CHUNKS=[];"
            ]
        );
    }

    #[test]
    fn a_script_that_could_hide_markup_ends_the_data_scripts() {
        let page = concat!(
            "<html><body></body></html>",
            "<script>a=1;</script>",
            "<script>b=1<2</script>",
            "<script>c=3;</script>"
        );
        assert_eq!(data_scripts(page), ["a=1;"]);
        assert_eq!(
            data_scripts("<html></html><template><script>x</script></template>"),
            Vec::<&str>::new()
        );
        assert!(data_scripts("<p>no document end</p><script>x</script>").is_empty());
    }

    #[test]
    fn head_scripts_are_found_whatever_their_attributes() {
        let shell = r#"<link rel="modulepreload" href="/pkg/a.js"><script type="module">go("/pkg")</script><script>b()</script>"#;
        assert_eq!(shell_scripts(shell), [r#"go("/pkg")"#, "b()"]);
    }

    #[test]
    fn video_players_are_the_allowed_frame_origins() {
        assert_eq!(
            video_player_origins(),
            [
                "https://www.youtube.com",
                "https://www.youtube-nocookie.com",
                "https://player.vimeo.com",
                "https://www.vimeo.com"
            ]
        );
    }
}
