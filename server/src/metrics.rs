//! Prometheus metrics at `/metrics`: requests by route template, method and status class with
//! their latency, the page cache's hits and misses, the database pool (its connections, and how
//! long requests waited for one), imports and scheduled posts published. Readable from the
//! machine itself (loopback) or with the token set by `--metrics-token`; anyone else is told
//! there is nothing there.
//!
//! Route labels are the routes' templates (`/posts/{slug}`), and `other` for addresses that
//! match none, so that no address a client makes up can grow the number of series.

use std::sync::OnceLock;
use std::time::Duration;

use app::auth::{ClientAddress, token_hash};
use app::error::AppError;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use crate::auth::bearer_token;
use crate::caching;
use crate::web::AppState;

/// The latency buckets, in seconds: from a kept page to a slow search.
const LATENCY_BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

/// Waiting longer than this for a pooled connection counts as a wait: the pool had none idle.
const WAIT_SECONDS: f64 = 0.001;

/// The target of the events sqlx's pool sends when it hands out a connection, with
/// `acquired_after_secs`.
pub const POOL_ACQUIRE_TARGET: &str = "sqlx::pool::acquire";

/// A `tracing` layer that records how long each pooled connection took to come
/// (`fieldnotes_database_acquire_seconds`) and counts those that had to wait
/// (`fieldnotes_database_waits_total`): sqlx reports both only as events.
pub struct PoolWaits;

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for PoolWaits {
    fn on_event(
        &self,
        event: &tracing::Event<'_>,
        _context: tracing_subscriber::layer::Context<'_, S>,
    ) {
        if event.metadata().target() != POOL_ACQUIRE_TARGET {
            return;
        }
        let mut waited = AcquiredAfter(None);
        event.record(&mut waited);
        if let AcquiredAfter(Some(seconds)) = waited {
            metrics::histogram!("fieldnotes_database_acquire_seconds").record(seconds);
            if seconds > WAIT_SECONDS {
                metrics::counter!("fieldnotes_database_waits_total").increment(1);
            }
        }
    }
}

struct AcquiredAfter(Option<f64>);

impl tracing::field::Visit for AcquiredAfter {
    fn record_f64(&mut self, field: &tracing::field::Field, value: f64) {
        if field.name() == "acquired_after_secs" {
            self.0 = Some(value);
        }
    }

    fn record_debug(&mut self, _field: &tracing::field::Field, _value: &dyn std::fmt::Debug) {}
}

/// How often the histograms' samples are counted into their buckets. Until they are, the
/// recorder holds every sample: a server nobody scrapes would grow by each request it answers.
const UPKEEP_INTERVAL: Duration = Duration::from_secs(5);

/// The process's recorder, installed on first use, with a thread that keeps its histograms to
/// their buckets.
fn recorder() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let handle = PrometheusBuilder::new()
            .set_buckets(&LATENCY_BUCKETS)
            .and_then(PrometheusBuilder::install_recorder)
            .expect("the metrics recorder is installed once");
        let upkeep = handle.clone();
        std::thread::Builder::new()
            .name("metrics-upkeep".to_string())
            .spawn(move || {
                loop {
                    std::thread::sleep(UPKEEP_INTERVAL);
                    upkeep.run_upkeep();
                }
            })
            .expect("a thread can be started");
        handle
    })
}

/// Starts recording, so that the first requests are counted too.
pub fn start() {
    recorder();
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/metrics", get(render))
}

/// A request answered, for the request counters and the latency histogram.
pub fn request_answered(method: &str, route: Option<&str>, status: u16, seconds: f64) {
    let route = route.unwrap_or("other").to_string();
    let class = format!("{}xx", status / 100);
    metrics::counter!(
        "fieldnotes_requests_total",
        "method" => method.to_string(), "route" => route.clone(), "status" => class
    )
    .increment(1);
    metrics::histogram!(
        "fieldnotes_request_duration_seconds",
        "method" => method.to_string(), "route" => route
    )
    .record(seconds);
}

pub fn page_cache(hit: bool) {
    let result = if hit { "hit" } else { "miss" };
    metrics::counter!("fieldnotes_page_cache_total", "result" => result).increment(1);
}

/// An import committed (in this process: the demo blog's, or one through the library).
pub fn import_finished(summary: &crate::import::ImportSummary) {
    metrics::counter!("fieldnotes_imports_total").increment(1);
    let posts = summary.posts.imported + summary.pages.imported;
    metrics::counter!("fieldnotes_imported_posts_total").increment(posts);
}

pub fn scheduled_posts_published(count: u64) {
    metrics::counter!("fieldnotes_scheduled_posts_published_total").increment(count);
}

async fn render(
    State(state): State<AppState>,
    client: Option<Extension<ClientAddress>>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let from_this_machine = client
        .is_some_and(|Extension(ClientAddress(address))| address.to_canonical().is_loopback());
    // Compared by their hashes, so that the comparison takes as long however much matches.
    let with_token = state.metrics_token.as_deref().is_some_and(|token| {
        bearer_token(&headers).is_some_and(|given| token_hash(given) == token_hash(token))
    });
    if !from_this_machine && !with_token {
        return Err(AppError::NotFound("this page".to_string()));
    }
    let pool = &state.pool;
    let idle = pool.num_idle();
    metrics::gauge!("fieldnotes_database_connections", "state" => "idle").set(idle as f64);
    metrics::gauge!("fieldnotes_database_connections", "state" => "in_use")
        .set(f64::from(pool.size()) - idle as f64);
    metrics::gauge!("fieldnotes_database_connections_max")
        .set(f64::from(pool.options().get_max_connections()));
    Ok((
        [
            (header::CONTENT_TYPE, "text/plain; version=0.0.4"),
            (header::CACHE_CONTROL, caching::PRIVATE),
        ],
        recorder().render(),
    )
        .into_response())
}
