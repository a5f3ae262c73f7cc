//! `/healthz` and `/readyz`, for load balancers and supervisors: whether the process answers,
//! and whether it can serve (its database answers and holds the schema this build expects).
//! Both are cheap, never cached, and say why in a problem body when they fail.

use app::error::AppError;
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::caching;
use crate::web::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(alive))
        .route("/readyz", get(ready))
}

async fn alive() -> Response {
    ([(header::CACHE_CONTROL, caching::PRIVATE)], "ok\n").into_response()
}

async fn ready(State(state): State<AppState>) -> Response {
    let expected = app::db::MIGRATOR
        .iter()
        .map(|migration| migration.version)
        .max()
        .unwrap_or_default();
    let answer = match app::db::site::schema_version(&state.pool).await {
        Ok(Some(version)) if version == expected => {
            return ([(header::CACHE_CONTROL, caching::PRIVATE)], "ready\n").into_response();
        }
        Ok(version) => AppError::Busy(format!(
            "the database holds schema {} and this build needs {expected}",
            version.map_or_else(|| "none".to_string(), |version| version.to_string())
        )),
        Err(error) => {
            tracing::warn!(%error, "the database does not answer");
            AppError::Busy("the database does not answer".to_string())
        }
    };
    let mut response = answer.into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        caching::PRIVATE.parse().expect("a header value"),
    );
    response
}
