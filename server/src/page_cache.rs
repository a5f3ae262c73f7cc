//! Answers kept in memory for readers: a page, feed, sitemap or API answer that is the same for
//! every reader is made once and served again until something readers could see changes.
//!
//! Whether it changed is asked of PostgreSQL: `content_generation` grows at the commit of every
//! change to posts, comments, names, people and settings, from any server process. An answer is
//! kept with the number read before it was made and served only while the number is the same,
//! so a write is never hidden from the next read, whichever process made it, and an answer that
//! raced a write is simply made again. (Notifications through LISTEN would save the query, but
//! arrive after the commit: a read just behind a write could still get the old page.) Requests
//! that arrive together share one reading of the number, taken after they all arrived (see
//! [`Generations`]). Kept answers also expire after a minute, for posts scheduled to appear
//! without a write at their time; the first request after that minute makes the answer again,
//! and the requests that arrive meanwhile are served the one kept, as nothing was written since.
//!
//! When an answer is missing or out of date, the first request for it makes it and the requests
//! for the same answer that arrive meanwhile wait for that one and are answered from it (see
//! [`Making`]): a page read by many at once after a change is made once, not once per reader.
//!
//! Requests that carry one of the blog's cookies or an `Authorization` header, server
//! functions, images and the compiled files are never kept or answered from here, nor are
//! answers other than `200`, answers that set cookies and `private` ones. The cache holds at
//! most its configured size ([`DEFAULT_BYTES`] unless told otherwise), and starts empty again
//! when it would hold more.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app::error::AppError;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sqlx::PgPool;
use tokio::sync::{Notify, watch};

use crate::caching;
use crate::replicas::{Databases, Reading};

/// The most the kept answers hold together, unless configured otherwise.
pub const DEFAULT_BYTES: usize = 32 * 1024 * 1024;
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
    /// For each database requests read from (see [`crate::replicas::Reading`]), its own: an
    /// answer made from a replica is labelled with what that replica had replayed.
    generations: Arc<[Generations]>,
    max_bytes: usize,
    answers: Arc<Mutex<Answers>>,
    making: InTheMaking,
    /// Where requests go when the replica chosen for them does not answer.
    primary: Reading,
}

/// The answers being made, by address and generation, each with what says when it is done.
type InTheMaking = Arc<Mutex<HashMap<(Key, i64), watch::Receiver<bool>>>>;

/// How long a request waits for another to make the answer it wants, before making it itself.
const WAIT_FOR_MAKER: Duration = Duration::from_secs(10);

/// The request that makes an answer, for the requests that wait for it: when it is dropped
/// (the answer kept, or not keepable, or the request given up), they are let go.
struct Making {
    making: InTheMaking,
    key: (Key, i64),
    done: watch::Sender<bool>,
}

impl Drop for Making {
    fn drop(&mut self) {
        self.making
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .remove(&self.key);
        let _ = self.done.send(true);
    }
}

/// Readings of `content_generation`, shared by the requests that wait for one.
///
/// One task reads the number, one reading after another, while requests want it. A request
/// waits for a reading that began after it arrived, so it sees every write committed before it
/// came, as if it had asked itself; all requests that arrive while a reading is on its way share
/// the next one. Under load, that is one query per round trip to PostgreSQL instead of one per
/// request.
#[derive(Clone)]
struct Generations {
    /// How many readings have begun.
    begun: Arc<AtomicU64>,
    wanted: Arc<Notify>,
    /// The last reading: its number among those begun, and what it read.
    read: watch::Receiver<(u64, Result<i64, AppError>)>,
}

impl Generations {
    fn start(pool: PgPool) -> Self {
        let begun = Arc::new(AtomicU64::new(0));
        let wanted = Arc::new(Notify::new());
        let (sender, read) = watch::channel((0, Err(AppError::Internal)));
        let reader = (Arc::clone(&begun), Arc::clone(&wanted));
        tokio::spawn(async move {
            let (begun, wanted) = reader;
            loop {
                wanted.notified().await;
                let reading = begun.fetch_add(1, Ordering::SeqCst) + 1;
                let generation = app::db::site::content_generation(&pool)
                    .await
                    .map_err(AppError::from);
                if sender.send((reading, generation)).is_err() {
                    return;
                }
            }
        });
        Generations {
            begun,
            wanted,
            read,
        }
    }

    /// The content generation as of a moment after this call.
    async fn current(&self) -> Result<i64, AppError> {
        let wanted = self.begun.load(Ordering::SeqCst) + 1;
        self.wanted.notify_one();
        let mut read = self.read.clone();
        let reading = read
            .wait_for(|(reading, _)| *reading >= wanted)
            .await
            .map_err(|_| AppError::Internal)?;
        reading.1.clone()
    }
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

/// What the cache has for a request.
enum Lookup {
    /// The answer to serve: current, or past its lifetime while another request makes it again.
    Kept(Arc<Answer>),
    /// This request makes the answer.
    Make(Making),
    /// Another request makes the answer, and nothing kept may be served meanwhile.
    Wait(watch::Receiver<bool>),
}

struct Answer {
    generation: i64,
    made_at: Instant,
    headers: HeaderMap,
    body: Bytes,
}

impl PageCache {
    /// A cache of at most `max_bytes`; none at all for 0.
    pub fn new(databases: &Databases, max_bytes: usize) -> Self {
        PageCache {
            generations: databases.pools().cloned().map(Generations::start).collect(),
            max_bytes,
            answers: Arc::default(),
            making: Arc::default(),
            primary: databases.primary(),
        }
    }

    /// Makes this request the one that makes the answer to `key` at `generation`, or, when
    /// another request is making it already, what says when that one is done.
    fn make_or_wait(&self, key: &Key, generation: i64) -> Result<Making, watch::Receiver<bool>> {
        let mut making = self
            .making
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let wanted = (key.clone(), generation);
        if let Some(done) = making.get(&wanted) {
            return Err(done.clone());
        }
        let (done, waiting) = watch::channel(false);
        making.insert(wanted.clone(), waiting);
        Ok(Making {
            making: Arc::clone(&self.making),
            key: wanted,
            done,
        })
    }

    /// The answer kept for `key` at `generation`, however old.
    fn kept(&self, key: &Key, generation: i64) -> Option<Arc<Answer>> {
        let answers = self
            .answers
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        answers
            .by_request
            .get(key)
            .filter(|answer| answer.generation == generation)
            .cloned()
    }

    fn lookup(&self, key: &Key, generation: i64) -> Lookup {
        let kept = self.kept(key, generation);
        if let Some(answer) = kept
            .as_ref()
            .filter(|answer| answer.made_at.elapsed() < LIFETIME)
        {
            return Lookup::Kept(Arc::clone(answer));
        }
        match (self.make_or_wait(key, generation), kept) {
            (Ok(making), _) => Lookup::Make(making),
            (Err(_), Some(past_its_lifetime)) => Lookup::Kept(past_its_lifetime),
            (Err(done), None) => Lookup::Wait(done),
        }
    }

    fn keep(&self, key: Key, answer: Answer) {
        let mut answers = self
            .answers
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if answers.bytes + answer.body.len() > self.max_bytes {
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
    mut request: Request,
    next: Next,
) -> Response {
    if cache.max_bytes == 0 || !may_be_kept(&request) {
        return next.run(request).await;
    }
    let database = request
        .extensions()
        .get::<Reading>()
        .map_or(0, |reading| reading.index);
    let generation = match cache.generations[database].current().await {
        Ok(generation) => generation,
        // A replica that has just gone away: the primary answers instead.
        Err(_) if database != 0 => {
            request.extensions_mut().insert(cache.primary.clone());
            match cache.generations[0].current().await {
                Ok(generation) => generation,
                Err(error) => return error.into_response(),
            }
        }
        Err(error) => return error.into_response(),
    };
    let key = Key {
        uri: request.uri().to_string(),
        accept_encoding: header_text(request.headers(), header::ACCEPT_ENCODING),
        origin: header_text(request.headers(), header::ORIGIN),
    };
    let if_none_match = request.headers().get(header::IF_NONE_MATCH).cloned();
    let making = match cache.lookup(&key, generation) {
        Lookup::Kept(answer) => {
            crate::metrics::page_cache(true);
            return answer_from(&answer, if_none_match.as_ref());
        }
        Lookup::Make(making) => Some(making),
        Lookup::Wait(mut done) => {
            let _ = tokio::time::timeout(WAIT_FOR_MAKER, done.wait_for(|done| *done)).await;
            if let Some(answer) = cache.kept(&key, generation) {
                crate::metrics::page_cache(true);
                return answer_from(&answer, if_none_match.as_ref());
            }
            // The answer was not one to keep, or took too long: made here too.
            None
        }
    };
    crate::metrics::page_cache(false);
    // Made whole, to be kept; whether the reader's copy is still good is told from it below.
    request.headers_mut().remove(header::IF_NONE_MATCH);
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
    if body.len() > MAX_ANSWER_BYTES.min(cache.max_bytes) {
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
    drop(making);
    if unchanged(&parts.headers, if_none_match.as_ref()) {
        return caching::not_modified(parts.headers);
    }
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
        && crate::replicas::is_anonymous_read(request.method(), path, request.headers())
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

/// Whether the reader's copy (`If-None-Match`) is the answer with these headers.
fn unchanged(headers: &HeaderMap, if_none_match: Option<&HeaderValue>) -> bool {
    headers
        .get(header::ETAG)
        .and_then(|tag| tag.to_str().ok())
        .zip(if_none_match)
        .is_some_and(|(tag, wanted)| caching::matches(wanted, tag))
}

fn answer_from(answer: &Answer, if_none_match: Option<&HeaderValue>) -> Response {
    let mut headers = answer.headers.clone();
    headers.insert("x-cache", HeaderValue::from_static("hit"));
    if unchanged(&answer.headers, if_none_match) {
        return caching::not_modified(headers);
    }
    let mut response = Response::new(Body::from(answer.body.clone()));
    *response.headers_mut() = headers;
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache() -> PageCache {
        let pool = sqlx::postgres::PgPoolOptions::new()
            .connect_lazy("postgres://localhost/unused")
            .unwrap();
        PageCache {
            generations: Arc::new([]),
            max_bytes: DEFAULT_BYTES,
            answers: Arc::default(),
            making: Arc::default(),
            primary: Reading { pool, index: 0 },
        }
    }

    fn key() -> Key {
        Key {
            uri: "/tag/fieldwork".to_string(),
            accept_encoding: "br".to_string(),
            origin: String::new(),
        }
    }

    fn keep_made(cache: &PageCache, generation: i64, made_at: Instant) {
        let answer = Answer {
            generation,
            made_at,
            headers: HeaderMap::new(),
            body: Bytes::from_static(b"<p>kept</p>"),
        };
        cache.keep(key(), answer);
    }

    fn past_its_lifetime() -> Instant {
        Instant::now()
            .checked_sub(LIFETIME + Duration::from_secs(1))
            .expect("a machine up for more than a minute")
    }

    #[tokio::test]
    async fn a_current_answer_is_served() {
        let cache = cache();
        keep_made(&cache, 7, Instant::now());
        assert!(matches!(cache.lookup(&key(), 7), Lookup::Kept(_)));
    }

    #[tokio::test]
    async fn an_answer_past_its_lifetime_is_made_by_one_and_served_to_the_others_meanwhile() {
        let cache = cache();
        keep_made(&cache, 7, past_its_lifetime());
        let Lookup::Make(making) = cache.lookup(&key(), 7) else {
            panic!("the first request makes the answer again");
        };
        assert!(matches!(cache.lookup(&key(), 7), Lookup::Kept(_)));
        drop(making);
        assert!(matches!(cache.lookup(&key(), 7), Lookup::Make(_)));
    }

    #[tokio::test]
    async fn an_answer_from_before_a_change_is_never_served() {
        let cache = cache();
        keep_made(&cache, 7, Instant::now());
        let Lookup::Make(_making) = cache.lookup(&key(), 8) else {
            panic!("the first request after the change makes the answer");
        };
        assert!(matches!(cache.lookup(&key(), 8), Lookup::Wait(_)));
    }
}
