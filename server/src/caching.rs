//! HTTP caching, in one place: how long browsers and shared caches may keep each kind of answer
//! (`Cache-Control`), and an `ETag` on every successful read of the API so that clients can ask
//! again with `If-None-Match` and get `304 Not Modified`. Errors are never kept (see
//! `AppError`'s answer), nor is anything made for one person (see `headers`).

use axum::body::{Body, HttpBody};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use xxhash_rust::xxh3::xxh3_128;

/// Listings change whenever something is published.
pub const ONE_MINUTE: u32 = 60;
/// Single posts, taxonomies, archives, feeds and public images change more rarely; an image must
/// stop being served soon after its post is unpublished.
pub const FIVE_MINUTES: u32 = 300;
/// The sitemap and the API's own description.
pub const ONE_HOUR: u32 = 3600;

/// For answers made for one person, or that must not outlive a change.
pub const PRIVATE: &str = "private, no-store";

/// A page the same for every reader: browsers check it again each time (an `ETag` makes that a
/// `304` when it is unchanged), and a shared cache in front of the blog may answer with it for a
/// minute, and with a stale copy for five more while it asks again.
pub const SHARED_PAGE: &str = "public, max-age=0, s-maxage=60, stale-while-revalidate=300";

/// A weak tag of an answer's content (weak, because the compression layer may send the same
/// content in several encodings).
pub fn entity_tag(bytes: &[u8]) -> String {
    format!("W/\"{:032x}\"", xxh3_128(bytes))
}

/// The `Cache-Control` of an answer that shared caches may keep for `max_age` seconds.
pub fn public(max_age: u32) -> HeaderValue {
    HeaderValue::from_str(&format!("public, max-age={max_age}"))
        .unwrap_or(HeaderValue::from_static(PRIVATE))
}

/// The largest answer the ETag is computed over; larger ones go out without one.
const MAX_TAGGED_BYTES: usize = 16 * 1024 * 1024;

/// An answer that shared caches may keep for `max_age` seconds.
pub fn cached(max_age: u32, body: impl IntoResponse) -> Response {
    let mut response = body.into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, public(max_age));
    response
}

/// Kept for a year: the site's compiled files when their names carry a hash of their content.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Caching for the site's compiled files (`/pkg/…`): kept a year and never asked for again when
/// their names carry a hash of their content (`hashed`), since a new build brings new names;
/// otherwise checked with the server before each use.
pub async fn site_files(State(hashed): State<bool>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let is_site_file = path.starts_with("/pkg/");
    // wasm-bindgen names its snippets after the crate, not their content.
    let is_hashed = hashed && is_site_file && !path.starts_with("/pkg/snippets/");
    let mut response = next.run(request).await;
    if is_site_file && response.status() == StatusCode::OK {
        let caching = if is_hashed { IMMUTABLE } else { "no-cache" };
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(caching));
    }
    response
}

/// Tags successful GET and HEAD answers with a weak ETag of their content (weak, because the
/// compression layer may send the same content in several encodings), and answers a matching
/// `If-None-Match` with 304 Not Modified.
pub async fn etag(request: Request, next: Next) -> Response {
    let reads = matches!(*request.method(), Method::GET | Method::HEAD);
    let if_none_match = request.headers().get(header::IF_NONE_MATCH).cloned();
    let response = next.run(request).await;
    if !reads || response.status() != StatusCode::OK {
        return response;
    }
    let fits = HttpBody::size_hint(response.body())
        .upper()
        .is_some_and(|size| size <= MAX_TAGGED_BYTES as u64);
    if !fits {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_TAGGED_BYTES).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let tag = entity_tag(&bytes);
    if let Ok(value) = HeaderValue::from_str(&tag) {
        parts.headers.insert(header::ETAG, value);
    }
    parts
        .headers
        .append(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    if if_none_match.is_some_and(|wanted| matches(&wanted, &tag)) {
        return not_modified(parts.headers);
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// `304 Not Modified` in place of an answer with these headers: no body, and none of the headers
/// that describe one.
pub fn not_modified(mut headers: HeaderMap) -> Response {
    headers.remove(header::CONTENT_LENGTH);
    headers.remove(header::CONTENT_TYPE);
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::NOT_MODIFIED;
    *response.headers_mut() = headers;
    response
}

/// Weak comparison (RFC 9110 §13.1.2): any listed tag, or `*`, with or without `W/`.
pub fn matches(if_none_match: &HeaderValue, tag: &str) -> bool {
    let opaque = |tag: &str| tag.trim().trim_start_matches("W/").to_string();
    let tag = opaque(tag);
    if_none_match
        .to_str()
        .unwrap_or_default()
        .split(',')
        .any(|candidate| candidate.trim() == "*" || opaque(candidate) == tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_compares_weakly() {
        let tag = "W/\"abc\"";
        for header in ["W/\"abc\"", "\"abc\"", "\"x\", W/\"abc\"", "*"] {
            assert!(matches(&HeaderValue::from_static(header), tag), "{header}");
        }
        assert!(!matches(&HeaderValue::from_static("\"abd\""), tag));
    }
}
