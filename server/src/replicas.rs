//! Which database answers a request. With streaming replicas (`DATABASE_READ_URL`), what an
//! anonymous reader asks for is read from a replica that keeps up with the primary; everything
//! else from the primary: writes, and whatever the people who write read (they carry a session,
//! an API token or a commenter's cookie), so that they read their own writes at once.
//!
//! A replica keeps up while it has replayed everything the primary had written [`MAX_LAG`]
//! before; one that falls further behind, or does not answer, is skipped until it catches up.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{Extensions, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use sqlx::PgPool;

use crate::web::AppState;

/// How far behind the primary a replica may be and still be read from.
pub const MAX_LAG: Duration = Duration::from_secs(5);
/// How often the replicas' progress is compared with the primary's.
const CHECK_INTERVAL: Duration = Duration::from_secs(1);
const CHECK_TIMEOUT: Duration = Duration::from_secs(1);

/// The primary and the replicas a process reads from.
pub struct Databases {
    primary: PgPool,
    replicas: Vec<Replica>,
    next: AtomicUsize,
}

struct Replica {
    /// Where it is, for the log (without its password).
    name: String,
    pool: PgPool,
    keeps_up: AtomicBool,
}

/// The database a request reads from: `index` 0 is the primary, then the replicas in order.
#[derive(Clone)]
pub struct Reading {
    pub pool: PgPool,
    pub index: usize,
}

impl Databases {
    /// `replicas` are named for the log; none is read from before it has shown it keeps up.
    pub fn new(primary: PgPool, replicas: Vec<(String, PgPool)>) -> Arc<Self> {
        Arc::new(Databases {
            primary,
            replicas: replicas
                .into_iter()
                .map(|(name, pool)| Replica {
                    name,
                    pool,
                    keeps_up: AtomicBool::new(false),
                })
                .collect(),
            next: AtomicUsize::new(0),
        })
    }

    /// Every database, the primary first: what [`Reading::index`] counts.
    pub fn pools(&self) -> impl Iterator<Item = &PgPool> {
        std::iter::once(&self.primary).chain(self.replicas.iter().map(|replica| &replica.pool))
    }

    pub fn primary(&self) -> Reading {
        Reading {
            pool: self.primary.clone(),
            index: 0,
        }
    }

    /// A replica that keeps up for an anonymous read, in turn; else the primary.
    fn choose(&self, request: &Request) -> Reading {
        if self.replicas.is_empty()
            || !is_anonymous_read(request.method(), request.uri().path(), request.headers())
        {
            return self.primary();
        }
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        (0..self.replicas.len())
            .map(|offset| (start + offset) % self.replicas.len())
            .find(|&index| self.replicas[index].keeps_up.load(Ordering::Relaxed))
            .map_or_else(
                || self.primary(),
                |index| Reading {
                    pool: self.replicas[index].pool.clone(),
                    index: index + 1,
                },
            )
    }

    /// Compares the replicas' progress with the primary's every second, never returning.
    pub async fn watch(self: Arc<Self>) {
        if self.replicas.is_empty() {
            return std::future::pending().await;
        }
        // Where the primary's log stood at each check, newest last, as far back as MAX_LAG.
        let mut written: VecDeque<(Instant, u64)> = VecDeque::new();
        let mut ticks = tokio::time::interval(CHECK_INTERVAL);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let now = Instant::now();
            match log_position(&self.primary, "SELECT pg_current_wal_lsn()::text").await {
                Position::At(position) => written.push_back((now, position)),
                Position::Unknown | Position::Gone => continue,
            }
            while written
                .get(1)
                .is_some_and(|(at, _)| now.duration_since(*at) >= MAX_LAG)
            {
                written.pop_front();
            }
            // After checks of the primary that failed, the last one old enough may be far older
            // than the bound: then a replica must be as far as the newest.
            let required = match (written.front(), written.back()) {
                (Some((at, _)), Some((_, newest))) if now.duration_since(*at) > 2 * MAX_LAG => {
                    *newest
                }
                (Some((_, position)), _) => *position,
                _ => 0,
            };
            for replica in &self.replicas {
                let keeps_up = match log_position(
                    &replica.pool,
                    "SELECT pg_last_wal_replay_lsn()::text",
                )
                .await
                {
                    Position::At(replayed) => replayed >= required,
                    Position::Gone => false,
                    // A replica busy with readers is no less up to date for it.
                    Position::Unknown => continue,
                };
                if replica.keeps_up.swap(keeps_up, Ordering::Relaxed) != keeps_up {
                    if keeps_up {
                        tracing::info!(replica = %replica.name, "reading from the replica");
                    } else {
                        tracing::warn!(
                            replica = %replica.name,
                            "the replica is more than {MAX_LAG:?} behind or does not answer: reading from the primary instead"
                        );
                    }
                }
            }
        }
    }
}

/// A GET or HEAD without the blog's cookies or an `Authorization` header, and not a one-time
/// sign-in link (whose secret is its holder's alone, and which must be found the moment it is
/// made): a request that is the same for every reader, which the page cache may keep and a
/// replica may answer.
pub fn is_anonymous_read(method: &Method, path: &str, headers: &axum::http::HeaderMap) -> bool {
    (method == Method::GET || method == Method::HEAD)
        && !path.starts_with("/welcome/")
        && !headers.contains_key(header::AUTHORIZATION)
        && !crate::headers::carries_blog_cookies(headers)
}

/// Where a server's write-ahead log stands.
enum Position {
    /// As a byte position.
    At(u64),
    /// It did not say in time, or no connection came free: busy, not known to be behind.
    Unknown,
    /// It does not answer, or is no replica.
    Gone,
}

async fn log_position(pool: &PgPool, query: &'static str) -> Position {
    let asked = sqlx::query_scalar::<_, Option<String>>(query).fetch_one(pool);
    let text = match tokio::time::timeout(CHECK_TIMEOUT, asked).await {
        Ok(Ok(Some(text))) => text,
        Ok(Err(error)) if app::db::is_unreachable(&error) => return Position::Gone,
        Ok(Ok(None)) => return Position::Gone,
        Ok(Err(_)) | Err(_) => return Position::Unknown,
    };
    let parsed = text.split_once('/').and_then(|(high, low)| {
        Some((u64::from_str_radix(high, 16).ok()? << 32) | u64::from_str_radix(low, 16).ok()?)
    });
    parsed.map_or(Position::Gone, Position::At)
}

/// Notes on each request which database it reads from (see [`Reading`]).
pub async fn choose_database(
    State(databases): State<Arc<Databases>>,
    mut request: Request,
    next: Next,
) -> Response {
    let reading = databases.choose(&request);
    request.extensions_mut().insert(reading);
    next.run(request).await
}

impl FromRequestParts<AppState> for Reading {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Reading::of(&parts.extensions, &state.databases))
    }
}

impl Reading {
    /// The database [`choose_database`] noted for a request, else the primary.
    pub fn of(extensions: &Extensions, databases: &Databases) -> Reading {
        extensions
            .get::<Reading>()
            .cloned()
            .unwrap_or_else(|| databases.primary())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_anonymous_gets_are_anonymous_reads() {
        let mut headers = axum::http::HeaderMap::new();
        assert!(is_anonymous_read(&Method::GET, "/", &headers));
        assert!(is_anonymous_read(&Method::HEAD, "/", &headers));
        assert!(!is_anonymous_read(&Method::POST, "/", &headers));
        assert!(!is_anonymous_read(
            &Method::GET,
            "/welcome/secret",
            &headers
        ));
        headers.insert(header::COOKIE, "theme=dark".parse().unwrap());
        assert!(is_anonymous_read(&Method::GET, "/", &headers));
        headers.insert(
            header::COOKIE,
            "theme=dark; fieldnotes_commenter=1".parse().unwrap(),
        );
        assert!(!is_anonymous_read(&Method::GET, "/", &headers));
        let mut with_token = axum::http::HeaderMap::new();
        with_token.insert(header::AUTHORIZATION, "Bearer x".parse().unwrap());
        assert!(!is_anonymous_read(&Method::GET, "/", &with_token));
    }
}
