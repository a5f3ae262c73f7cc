//! Writing through the API: creating, changing and deleting posts, and uploading images, as a
//! signed-in person (the session cookie) or a program holding one of their personal API tokens
//! (`Authorization: Bearer …`). The same rules apply as in the editor.

use app::auth::SignedIn;
use app::db;
use app::error::{AppError, Problem};
use app::model::{Account, PagePlace, PostInput, PostKind, PostStatus, SavedPost};
use app::writing;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{bad_body, bad_parameter};
use crate::web::AppState;

/// The person a request acts for; 401 when it carries neither a session nor a valid token.
pub struct Writer(pub Account);

impl<S: Send + Sync> FromRequestParts<S> for Writer {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, AppError> {
        parts
            .extensions
            .get::<SignedIn>()
            .map(|signed_in| Writer(signed_in.0.clone()))
            .ok_or_else(|| {
                AppError::Unauthorized(
                    "Sign in, or send one of your API tokens as `Authorization: Bearer <token>`."
                        .to_string(),
                )
            })
    }
}

/// A post as a program sends it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostBody {
    #[schema(max_length = 300)]
    title: String,
    /// HTML; anything that could run in a browser is removed before it is stored.
    body_html: String,
    #[serde(default)]
    excerpt: String,
    /// The post's address, `/posts/{slug}`. Left out, a new post's is made from its title, and
    /// a published post keeps its own.
    #[serde(default)]
    slug: String,
    /// `draft`, `published` or `scheduled` (which needs a `published_at` in the future).
    #[schema(value_type = String, pattern = "^(draft|published|scheduled)$")]
    status: String,
    /// When the post appears. Left out when publishing: now, or the date it was first published.
    published_at: Option<DateTime<Utc>>,
    /// Category slugs.
    #[serde(default)]
    categories: Vec<String>,
    /// Tag names; new ones are created.
    #[serde(default)]
    tags: Vec<String>,
    /// Whether readers may comment; left out, a post keeps what it has, and a new one follows
    /// the blog's settings.
    #[serde(default)]
    comments_open: Option<bool>,
    /// The password readers must give on the blog to see the text, images and comments (at
    /// most 255 characters; spaces around it are dropped). Left out, the post keeps the one it
    /// has (none for a new post); `null` or empty removes it.
    #[serde(default, deserialize_with = "given")]
    #[schema(value_type = Option<String>, max_length = 255)]
    password: Option<Option<String>>,
    /// The post's own language, a BCP 47 tag (`zh` for a Chinese post on an English blog).
    /// Left out, the post keeps the one it has (the blog's, for a new post); `null` or empty
    /// makes it the blog's.
    #[serde(default, deserialize_with = "given")]
    #[schema(value_type = Option<String>, max_length = 35)]
    language: Option<Option<String>>,
}

/// A field that may be left out (`None`), or given as `null` (`Some(None)`) or a value.
fn given<'de, D: serde::Deserializer<'de>>(field: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(field).map(Some)
}

/// What a save did.
#[derive(Debug, Serialize, ToSchema)]
pub struct WrittenPost {
    id: i64,
    slug: String,
    #[schema(value_type = String)]
    status: PostStatus,
    published_at: Option<DateTime<Utc>>,
    saved_at: DateTime<Utc>,
    /// Protected by a password.
    protected: bool,
    /// Where readers find it once it is published.
    url: String,
}

impl WrittenPost {
    fn new(saved: SavedPost, public_url: &str) -> Self {
        WrittenPost {
            url: format!("{public_url}{}", app::filter::post_href(&saved.slug)),
            id: saved.id,
            slug: saved.slug,
            status: saved.status,
            published_at: saved.published_at,
            saved_at: saved.saved_at,
            protected: saved.protected,
        }
    }
}

/// The bytes of an image file, as a request body: only its schema exists.
pub enum ImageFile {}

impl utoipa::PartialSchema for ImageFile {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .into()
    }
}

impl ToSchema for ImageFile {}

/// An uploaded image.
#[derive(Debug, Serialize, ToSchema)]
pub struct UploadedImage {
    id: i64,
    /// Where the image is served, relative to the blog.
    url: String,
    file_name: String,
    content_type: String,
    byte_size: i64,
}

async fn post_input(state: &AppState, body: PostBody) -> Result<PostInput, AppError> {
    let status = match body.status.as_str() {
        "draft" => PostStatus::Draft,
        "published" => PostStatus::Published,
        "scheduled" => PostStatus::Scheduled,
        other => {
            return Err(AppError::BadRequest(format!(
                "`status` must be draft, published or scheduled, not “{other}”"
            )));
        }
    };
    if body.categories.iter().any(|slug| slug.contains('\0')) {
        return Err(AppError::BadRequest(
            "`categories` names a category that does not exist".to_string(),
        ));
    }
    let mut slugs = body.categories;
    slugs.sort_unstable();
    slugs.dedup();
    let category_ids = db::terms::category_ids(&state.pool, &slugs).await?;
    if category_ids.len() != slugs.len() {
        return Err(AppError::BadRequest(
            "`categories` names a category that does not exist".to_string(),
        ));
    }
    Ok(PostInput {
        kind: PostKind::Post,
        place: PagePlace::default(),
        title: body.title,
        body_html: body.body_html,
        excerpt: body.excerpt,
        slug: body.slug,
        status,
        published_at: body.published_at,
        category_ids,
        tags: body.tags,
        comments_open: body.comments_open,
        password: body.password.map(|password| password.unwrap_or_default()),
        language: body.language.map(|language| language.unwrap_or_default()),
    })
}

async fn post_id(state: &AppState, slug: &str) -> Result<i64, AppError> {
    db::writing::post_id(&state.pool, slug)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("the post “{slug}”")))
}

/// Write a new post.
#[utoipa::path(
    post,
    path = "/api/v1/posts",
    tag = "writing",
    request_body = PostBody,
    security(("token" = []), ("session" = [])),
    responses(
        (status = 201, description = "The post was saved", body = WrittenPost),
        (status = 400, description = "The post is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in and no valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A cross-site request with a session cookie", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another post has this slug", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_post(
    State(state): State<AppState>,
    Writer(account): Writer,
    body: Result<Json<PostBody>, JsonRejection>,
) -> Result<Response, AppError> {
    let Json(body) = body.map_err(bad_body)?;
    let input = post_input(&state, body).await?;
    let saved = writing::save_post(&state.pool, &account, None, input, false, None).await?;
    Ok((
        StatusCode::CREATED,
        Json(WrittenPost::new(saved, &state.public_url)),
    )
        .into_response())
}

/// Replace a post (any status) with a new state; authors may change only their own posts.
#[utoipa::path(
    put,
    path = "/api/v1/posts/{slug}",
    tag = "writing",
    params(("slug" = String, Path, description = "The post's slug")),
    request_body = PostBody,
    security(("token" = []), ("session" = [])),
    responses(
        (status = 200, description = "The post was saved", body = WrittenPost),
        (status = 400, description = "The post is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in and no valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Someone else's post, for an author", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No post has this slug", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The post is in the trash, or another post has the new slug", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn update_post(
    State(state): State<AppState>,
    Writer(account): Writer,
    slug: Result<Path<String>, PathRejection>,
    body: Result<Json<PostBody>, JsonRejection>,
) -> Result<Json<WrittenPost>, AppError> {
    let Path(slug) = slug.map_err(bad_parameter)?;
    let Json(body) = body.map_err(bad_body)?;
    let id = post_id(&state, &slug).await?;
    let input = post_input(&state, body).await?;
    let saved = writing::save_post(&state.pool, &account, Some(id), input, false, None).await?;
    Ok(Json(WrittenPost::new(saved, &state.public_url)))
}

/// Move a post to the trash, where it can be restored from.
#[utoipa::path(
    delete,
    path = "/api/v1/posts/{slug}",
    tag = "writing",
    params(("slug" = String, Path, description = "The post's slug")),
    security(("token" = []), ("session" = [])),
    responses(
        (status = 204, description = "The post is in the trash"),
        (status = 401, description = "Not signed in and no valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Someone else's post, for an author", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No post has this slug", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn delete_post(
    State(state): State<AppState>,
    Writer(account): Writer,
    slug: Result<Path<String>, PathRejection>,
) -> Result<StatusCode, AppError> {
    let Path(slug) = slug.map_err(bad_parameter)?;
    let id = post_id(&state, &slug).await?;
    writing::trash_post(&state.pool, &account, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

const MAX_FILE_NAME_CHARS: usize = 200;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadParams {
    /// The file's name, for its address.
    #[param(max_length = 200)]
    filename: Option<String>,
}

/// Upload an image (JPEG, PNG, GIF or WebP, at most 10 MB) as the raw request body; its type is
/// read from its bytes.
#[utoipa::path(
    post,
    path = "/api/v1/media",
    tag = "writing",
    params(UploadParams),
    request_body(content = ImageFile, content_type = "application/octet-stream", description = "The image file"),
    security(("token" = []), ("session" = [])),
    responses(
        (status = 201, description = "The image was stored", body = UploadedImage),
        (status = 400, description = "The file is empty", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in and no valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A cross-site request with a session cookie", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than 10 MB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not a JPEG, PNG, GIF or WebP image", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn upload_media(
    State(state): State<AppState>,
    Writer(account): Writer,
    params: Result<Query<UploadParams>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    let Query(params) = params.map_err(bad_parameter)?;
    let bytes = body.map_err(|rejection| match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => {
            AppError::PayloadTooLarge(app::uploads::MAX_IMAGE_BYTES as u64)
        }
        _ => AppError::BadRequest(rejection.body_text()),
    })?;
    let name = params.filename.unwrap_or_default();
    if name.chars().count() > MAX_FILE_NAME_CHARS {
        return Err(AppError::BadRequest(format!(
            "`filename` can be at most {MAX_FILE_NAME_CHARS} characters long"
        )));
    }
    let item = app::uploads::upload_image(&state.pool, &account, &name, &bytes).await?;
    Ok((
        StatusCode::CREATED,
        Json(UploadedImage {
            id: item.id,
            url: item.url,
            file_name: item.file_name,
            content_type: item.content_type,
            byte_size: item.byte_size,
        }),
    )
        .into_response())
}
