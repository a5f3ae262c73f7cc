//! `/media/{key}/{name}`: the images people uploaded, served from the database to whoever may see
//! them: everyone while a published post that is not protected uses them; otherwise the person
//! who uploaded them, the people who may change a post that uses them, and readers who unlocked a
//! protected post that uses them. Anyone else is told that there is no such image (404), as if it
//! did not exist. Images uploaded before addresses had random keys keep their numbered addresses
//! (`/media/{id}/{name}`), under the same rule.
//!
//! An image's bytes never change, but a post can be unpublished, and then its images must soon
//! stop being served: public images may be kept by browsers and shared caches for five minutes
//! (as long as the pages and the API's posts), and asked for again with `If-None-Match`, which
//! costs no more than the check. Every other answer is `private, no-store`.

use app::auth::SignedIn;
use app::db;
use app::db::media::{MediaName, Viewer};
use app::error::AppError;
use axum::body::Body;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};

use crate::caching::{self, FIVE_MINUTES};
use crate::replicas::Reading;
use crate::web::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/media/{key}/{name}", get(image))
}

fn not_found() -> AppError {
    AppError::NotFound("this image".to_string())
}

async fn image(
    reading: Reading,
    signed_in: Option<Extension<SignedIn>>,
    headers: HeaderMap,
    Path((key, _name)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let name = MediaName::parse(&key).ok_or_else(not_found)?;
    let viewer = signed_in.map(|Extension(SignedIn(account))| Viewer {
        id: account.id,
        sees_all: account.may_edit(None),
    });
    let access = db::media::media_access(&reading.pool, name, viewer)
        .await?
        .ok_or_else(not_found)?;
    let caching = if access.public {
        caching::public(FIVE_MINUTES)
    } else if access.viewer_may_see
        || access
            .protected_posts
            .iter()
            .any(|(post_id, key)| app::protection::headers_unlock(&headers, *post_id, key))
    {
        HeaderValue::from_static(caching::PRIVATE)
    } else {
        return Err(not_found());
    };
    let tag = format!("\"{key}\"");
    let common = [
        (header::CACHE_CONTROL, caching),
        (
            header::ETAG,
            HeaderValue::from_str(&tag).unwrap_or(HeaderValue::from_static("\"\"")),
        ),
    ];
    let unchanged = headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|wanted| caching::matches(wanted, &tag));
    if unchanged && access.public {
        return Ok((StatusCode::NOT_MODIFIED, common).into_response());
    }
    let bytes = db::media::media_bytes(&reading.pool, access.id)
        .await?
        .ok_or_else(not_found)?;
    Ok((
        common,
        [
            (header::CONTENT_TYPE, access.content_type),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; sandbox".to_string(),
            ),
        ],
        Body::from(bytes),
    )
        .into_response())
}
