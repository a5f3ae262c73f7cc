//! Comments through the API: a post's approved comments, commenting (as anyone, under the same
//! moderation and spam rules as the post page's form, or as a signed-in person), and
//! moderation for the people who moderate the post.

use app::auth::{ClientAddress, SignedIn, commenter_token_hash_in};
use app::commenting::{self, Commenter};
use app::db;
use app::error::{AppError, Problem};
use app::model::{CommentInput, CommentOutcome, CommentStatus};
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use utoipa::ToSchema;

use super::posts::CommentOut;
use super::writing::Writer;
use super::{bad_body, bad_parameter};
use crate::caching::{ONE_MINUTE, cached};
use crate::replicas::Reading;
use crate::web::AppState;

/// A post's approved comments, oldest first; replies name the comment they answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommentList {
    comments: Vec<CommentOut>,
    /// Whether the post takes new comments.
    comments_open: bool,
}

/// A comment as a program sends it. Signed-in people (session or token) need only `body`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentBody {
    /// Plain text, at most 10,000 characters.
    body: String,
    #[serde(default)]
    name: String,
    /// Never shown.
    #[serde(default)]
    email: String,
    /// An http(s) address.
    #[serde(default)]
    website: String,
    /// The approved comment this one answers.
    parent_id: Option<i64>,
}

/// What became of a comment: `published`, or `awaiting_moderation` (whether it waits for a
/// moderator or was held as spam).
#[derive(Debug, Serialize, ToSchema)]
pub struct PostedComment {
    id: i64,
    #[schema(pattern = "^(published|awaiting_moderation)$")]
    status: String,
}

/// A moderator's decision.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Moderation {
    /// `approved`, `pending`, `spam` or `trash`.
    #[schema(pattern = "^(approved|pending|spam|trash)$")]
    status: String,
}

/// How many comments changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct Moderated {
    changed: u64,
}

/// A published post's id; its comments are neither shown nor taken through the API when it is
/// protected by a password.
async fn public_post(pool: &PgPool, slug: &str) -> Result<i64, AppError> {
    let post = db::posts::public_post(pool, slug)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("the post “{slug}”")))?;
    if post.protected {
        return Err(AppError::Forbidden(
            "This post is protected by a password: its comments are only on the blog, for \
             readers who give it."
                .to_string(),
        ));
    }
    Ok(post.id)
}

/// List a published post's approved comments.
#[utoipa::path(
    get,
    path = "/api/v1/posts/{slug}/comments",
    tag = "comments",
    params(("slug" = String, Path, description = "The post's slug")),
    responses(
        (status = 200, description = "The approved comments", body = CommentList),
        (status = 403, description = "The post is protected by a password", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No published post has this slug", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_comments(
    reading: Reading,
    slug: Result<Path<String>, PathRejection>,
) -> Result<Response, AppError> {
    let Path(slug) = slug.map_err(bad_parameter)?;
    let pool = &reading.pool;
    let id = public_post(pool, &slug).await?;
    let comments = db::comments::approved_comments(pool, id).await?;
    let comments_open = db::comments::comments_open(pool, id)
        .await?
        .unwrap_or(false);
    Ok(cached(
        ONE_MINUTE,
        Json(CommentList {
            comments: comments.into_iter().map(CommentOut::from).collect(),
            comments_open,
        }),
    ))
}

/// Comment on a published post. Comments of people who are not signed in wait for moderation,
/// unless they carry the commenter cookie of a browser whose comment was approved before.
#[utoipa::path(
    post,
    path = "/api/v1/posts/{slug}/comments",
    tag = "comments",
    params(("slug" = String, Path, description = "The post's slug")),
    request_body = CommentBody,
    responses(
        (status = 201, description = "The comment was received", body = PostedComment),
        (status = 400, description = "The comment is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Comments are closed, the post is protected by a password, or a cross-site request with a session cookie", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No published post has this slug", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn post_comment(
    State(state): State<AppState>,
    signed_in: Option<Extension<SignedIn>>,
    address: Option<Extension<ClientAddress>>,
    headers: HeaderMap,
    slug: Result<Path<String>, PathRejection>,
    body: Result<Json<CommentBody>, JsonRejection>,
) -> Result<Response, AppError> {
    let Path(slug) = slug.map_err(bad_parameter)?;
    let Json(body) = body.map_err(bad_body)?;
    let post_id = public_post(&state.pool, &slug).await?;
    let account = signed_in.map(|Extension(SignedIn(account))| account);
    let token_hash = commenter_token_hash_in(&headers);
    let commenter = Commenter {
        account: account.as_ref(),
        address: address
            .map(|Extension(ClientAddress(address))| address.to_string())
            .unwrap_or_default(),
        token_hash: token_hash.as_deref(),
    };
    let input = CommentInput {
        post_id,
        parent_id: body.parent_id,
        name: body.name,
        email: body.email,
        website: body.website,
        body: body.body,
        homepage: String::new(),
        shown_at: 0,
    };
    let (id, outcome) = commenting::post_comment(&state.pool, &commenter, &input).await?;
    let status = match outcome {
        CommentOutcome::Published => "published",
        CommentOutcome::AwaitingModeration => "awaiting_moderation",
    };
    Ok((
        StatusCode::CREATED,
        Json(PostedComment {
            id,
            status: status.to_string(),
        }),
    )
        .into_response())
}

/// Approve, hold, mark as spam or trash a comment: editors and admins any, authors those on
/// their own posts.
#[utoipa::path(
    put,
    path = "/api/v1/comments/{id}/status",
    tag = "comments",
    params(("id" = i64, Path, description = "The comment's id")),
    request_body = Moderation,
    security(("token" = []), ("session" = [])),
    responses(
        (status = 200, description = "The comment's status changed", body = Moderated),
        (status = 400, description = "Not a status", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in and no valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a comment this person moderates (or none at all)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn moderate_comment(
    State(state): State<AppState>,
    Writer(account): Writer,
    id: Result<Path<i64>, PathRejection>,
    body: Result<Json<Moderation>, JsonRejection>,
) -> Result<Json<Moderated>, AppError> {
    let Path(id) = id.map_err(bad_parameter)?;
    let Json(body) = body.map_err(bad_body)?;
    let status = CommentStatus::parse(&body.status).ok_or_else(|| {
        AppError::BadRequest("`status` must be approved, pending, spam or trash".to_string())
    })?;
    let changed = commenting::moderate(&state.pool, &account, &[id], status).await?;
    Ok(Json(Moderated { changed }))
}
