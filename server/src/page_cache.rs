//! Answers kept in memory for readers: a page, feed, sitemap or API answer that is the same for
//! every reader is made once and served again until something readers could see changes.
//!
//! Whether it changed is asked of PostgreSQL, one row per request: `content_generation` grows
//! at the commit of every change to posts, comments, names, people and settings, from any
//! server process. An answer is kept with the number read before it was made and served only
//! while the number is the same, so a write is never hidden from the next read, whichever
//! process made it, and an answer that raced a write is simply made again. (Notifications
//! through LISTEN would save that one query, but arrive after the commit: a read just behind
//! a write could still get the old page.) Kept answers also expire after a minute, for posts
//! scheduled to appear without a write at their time.
//!
//! Requests that carry one of the blog's cookies or an `Authorization` header, server
//! functions, images and the compiled files are never kept or answered from here, nor are
//! answers other than `200`, answers that set cookies and `private` ones. The cache holds at
//! most [`MAX_BYTES`], and starts empty again when it would hold more.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app::error::AppError;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sqlx::PgPool;

use crate::caching;

/// The most the kept answers hold together.
pub const MAX_BYTES: usize = 32 * 1024 * 1024;
/// Larger answers are not kept.
const MAX_ANSWER_BYTES: usize = 4 * 1024 * 1024;
/// The most read of an answer to find out whether it may be kept: as much as the browser
/// protections read of a page anyway.
const MAX_READ_BYTES: usize = 64 * 1024 * 1024;
/// How long an answer is kept at most.
const LIFETIME: Duration = Duration::from_secs(60);

/// The kept answers of one server process.
#[derive(Clone)]
pub struct PageCache {
    pool: PgPool,
    answers: Arc<Mutex<Answers>>,
}

#[derive(Default)]
struct Answers {
    by_request: HashMap<Key, Arc<Answer>>,
    bytes: usize,
}

/// An address, and the request headers answers vary by: the encodings the client accepts (the
/// compressed bytes are kept) and the site asking (cross-origin reads of the API answer each
/// allowed site by name).
#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    uri: String,
    accept_encoding: String,
    origin: String,
}

struct Answer {
    generation: i64,
    made_at: Instant,
    headers: HeaderMap,
    body: Bytes,
}

impl PageCache {
    pub fn new(pool: PgPool) -> Self {
        PageCache {
            pool,
            answers: Arc::default(),
        }
    }

    fn kept(&self, key: &Key, generation: i64) -> Option<Arc<Answer>> {
        let answers = self
            .answers
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        answers
            .by_request
            .get(key)
            .filter(|answer| answer.generation == generation && answer.made_at.elapsed() < LIFETIME)
            .cloned()
    }

    fn keep(&self, key: Key, answer: Answer) {
        let mut answers = self
            .answers
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if answers.bytes + answer.body.len() > MAX_BYTES {
            *answers = Answers::default();
        }
        answers.bytes += answer.body.len();
        if let Some(replaced) = answers.by_request.insert(key, Arc::new(answer)) {
            answers.bytes -= replaced.body.len();
        }
    }
}

/// Answers from the cache what it holds and is current, and keeps what may be kept.
pub async fn serve_from_cache(
    State(cache): State<PageCache>,
    request: Request,
    next: Next,
) -> Response {
    if !may_be_kept(&request) {
        return next.run(request).await;
    }
    let generation = match app::db::site::content_generation(&cache.pool).await {
        Ok(generation) => generation,
        Err(error) => return AppError::from(error).into_response(),
    };
    let key = Key {
        uri: request.uri().to_string(),
        accept_encoding: header_text(request.headers(), header::ACCEPT_ENCODING),
        origin: header_text(request.headers(), header::ORIGIN),
    };
    let if_none_match = request.headers().get(header::IF_NONE_MATCH).cloned();
    if let Some(answer) = cache.kept(&key, generation) {
        return answer_from(&answer, if_none_match.as_ref());
    }
    let response = next.run(request).await;
    if !keepable(&response) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let body = match axum::body::to_bytes(body, MAX_READ_BYTES).await {
        Ok(body) => body,
        Err(error) => {
            tracing::error!(%error, "could not read an answer to keep it");
            return AppError::Internal.into_response();
        }
    };
    if body.len() > MAX_ANSWER_BYTES {
        return Response::from_parts(parts, Body::from(body));
    }
    parts
        .headers
        .insert("x-cache", HeaderValue::from_static("miss"));
    cache.keep(
        key,
        Answer {
            generation,
            made_at: Instant::now(),
            headers: parts.headers.clone(),
            body: body.clone(),
        },
    );
    Response::from_parts(parts, Body::from(body))
}

fn header_text(headers: &HeaderMap, name: header::HeaderName) -> String {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

fn may_be_kept(request: &Request) -> bool {
    let path = request.uri().path();
    request.method() == Method::GET
        && !request.headers().contains_key(header::AUTHORIZATION)
        && !crate::headers::carries_blog_cookies(request)
        && !crate::limits::is_server_function(request)
        && !path.starts_with("/media/")
        && !path.starts_with("/pkg/")
}

fn keepable(response: &Response) -> bool {
    let headers = response.headers();
    response.status() == StatusCode::OK
        && !headers.contains_key(header::SET_COOKIE)
        && headers
            .get(header::CACHE_CONTROL)
            .and_then(|value| value.to_str().ok())
            .is_none_or(|caching| !caching.contains("private") && !caching.contains("no-store"))
}

fn answer_from(answer: &Answer, if_none_match: Option<&HeaderValue>) -> Response {
    let unchanged = answer
        .headers
        .get(header::ETAG)
        .and_then(|tag| tag.to_str().ok())
        .zip(if_none_match)
        .is_some_and(|(tag, wanted)| caching::matches(wanted, tag));
    let mut headers = answer.headers.clone();
    headers.insert("x-cache", HeaderValue::from_static("hit"));
    if unchanged {
        return caching::not_modified(headers);
    }
    let mut response = Response::new(Body::from(answer.body.clone()));
    *response.headers_mut() = headers;
    response
}
