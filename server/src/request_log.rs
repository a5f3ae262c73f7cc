//! One `tracing` span per request, with its method, route, status, time taken and request id:
//! the caller's `x-request-id` when it sends a sensible one (a proxy's, say), else one made
//! here (random, 256 bits), and echoed in the answer so that a reader's report can be matched with the log.

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

pub const REQUEST_ID: &str = "x-request-id";

/// The longest request id taken from a caller.
const MAX_ID_LEN: usize = 64;

pub async fn log_requests(mut request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|value| value.to_str().ok())
        .filter(|id| is_sensible(id))
        .map_or_else(app::auth::random_token, str::to_string);
    let template = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_string());
    let route = template
        .clone()
        .unwrap_or_else(|| request.uri().path().to_string());
    let method = request.method().to_string();
    let span = tracing::info_span!(
        "request",
        method = %method,
        route,
        request_id = %id,
    );
    let header = HeaderValue::from_str(&id).unwrap_or(HeaderValue::from_static("-"));
    request.headers_mut().insert(REQUEST_ID, header.clone());
    let started = Instant::now();
    let mut response = next.run(request).instrument(span.clone()).await;
    let status = response.status().as_u16();
    let seconds = started.elapsed().as_secs_f64();
    let millis = seconds * 1000.0;
    crate::metrics::request_answered(&method, template.as_deref(), status, seconds);
    span.in_scope(|| {
        if status >= 500 {
            tracing::warn!(status, millis, "answered");
        } else {
            tracing::info!(status, millis, "answered");
        }
    });
    response.headers_mut().insert(REQUEST_ID, header);
    response
}

fn is_sensible(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callers_ids_are_kept_only_when_sensible() {
        assert!(is_sensible("3f2a-proxy_1.7"));
        assert!(!is_sensible(""));
        assert!(!is_sensible("has space"));
        assert!(!is_sensible("<script>"));
        assert!(!is_sensible(&"x".repeat(MAX_ID_LEN + 1)));
    }
}
