//! `/media/{id}/{name}`: the images people uploaded, served from the database. An image never
//! changes once stored, so browsers and caches may keep it for a year.

use app::db;
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::web::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/media/{id}/{name}", get(image))
}

async fn image(
    State(state): State<AppState>,
    Path((id, _name)): Path<(String, String)>,
) -> Response {
    let not_found = || (StatusCode::NOT_FOUND, "There is no such image.").into_response();
    let Ok(id) = id.parse::<i64>() else {
        return not_found();
    };
    match db::media::media_file(&state.pool, id).await {
        Ok(Some(file)) => Response::builder()
            .header(header::CONTENT_TYPE, file.content_type)
            .header(header::CACHE_CONTROL, "public, max-age=31536000, immutable")
            .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
            .header(
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; sandbox",
            )
            .body(Body::from(file.bytes))
            .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response()),
        Ok(None) => not_found(),
        Err(error) => {
            tracing::error!(%error, "could not read an image");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
