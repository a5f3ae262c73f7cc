//! The public JSON API, `/api/v1/…`, described by the OpenAPI 3.1 document at
//! `/api/openapi.json`. It reads through the same query layer as the pages.
//!
//! Every answer that is not a success is `application/problem+json` (RFC 9457), whatever made it:
//! a handler, a bad parameter, an unknown path, a wrong method, a body too large or not JSON.
//! Successful reads carry an `ETag` and a `Cache-Control` suited to the resource.

mod comments;
mod posts;
mod terms;
mod writing;

use app::error::{AppError, Problem};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use utoipa::OpenApi;

use crate::limits::MAX_REQUEST_BYTES;
use crate::web::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Fieldnotes API",
        version = "1",
        description = "Read the posts, authors, categories, tags and archives of a Fieldnotes blog, \
                       and write posts as one of its people."
    ),
    paths(
        posts::list_posts,
        posts::get_post,
        terms::list_tags,
        terms::list_categories,
        terms::list_authors,
        terms::list_archives,
        writing::create_post,
        writing::update_post,
        writing::delete_post,
        writing::upload_media,
        comments::list_comments,
        comments::post_comment,
        comments::moderate_comment,
        openapi_document,
    ),
    components(schemas(Problem)),
    modifiers(&SecuritySchemes),
    tags(
        (name = "posts", description = "Published posts"),
        (name = "taxonomy", description = "How posts are filed: authors, categories, tags and months"),
        (name = "writing", description = "Posts and images, for signed-in people and their API tokens"),
        (name = "comments", description = "Readers' comments, and their moderation"),
        (name = "meta", description = "This description"),
    )
)]
pub struct ApiDoc;

/// How a request says who it acts for: a personal API token, or the session cookie of a
/// signed-in browser.
struct SecuritySchemes;

impl utoipa::Modify for SecuritySchemes {
    fn modify(&self, document: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme,
        };
        let components = document.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A personal API token, made on the account page"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(app::auth::SESSION_COOKIE))),
        );
    }
}

/// The API's routes, nested under `/api`. `cors_origins` are the sites whose pages may read the
/// API from the browser (`*` for any); none by default.
pub fn router(cors_origins: &[String]) -> Router<AppState> {
    let uploads = Router::new()
        .route("/v1/media", post(writing::upload_media))
        .layer(DefaultBodyLimit::max(app::uploads::MAX_IMAGE_BYTES));
    let mut router = Router::new()
        .route(
            "/v1/posts",
            get(posts::list_posts).post(writing::create_post),
        )
        .route(
            "/v1/posts/{slug}",
            get(posts::get_post)
                .put(writing::update_post)
                .delete(writing::delete_post),
        )
        .route(
            "/v1/posts/{slug}/comments",
            get(comments::list_comments).post(comments::post_comment),
        )
        .route(
            "/v1/comments/{id}/status",
            axum::routing::put(comments::moderate_comment),
        )
        .route("/v1/tags", get(terms::list_tags))
        .route("/v1/categories", get(terms::list_categories))
        .route("/v1/authors", get(terms::list_authors))
        .route("/v1/archives", get(terms::list_archives))
        .route("/openapi.json", get(openapi_document))
        .fallback(|| async { AppError::NotFound("this API address".to_string()) })
        .method_not_allowed_fallback(|method: Method| async move {
            AppError::MethodNotAllowed(method.to_string())
        })
        .layer(middleware::from_fn(crate::caching::etag))
        .layer(middleware::from_fn(require_json_bodies))
        .layer(RequestBodyLimitLayer::new(MAX_REQUEST_BYTES))
        .merge(uploads)
        .layer(middleware::from_fn(problems_only));
    if let Some(cors) = cors(cors_origins) {
        router = router.layer(cors);
    }
    router
}

fn cors(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let allowed = if origins.iter().any(|origin| origin == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(
            origins
                .iter()
                .filter_map(|origin| HeaderValue::from_str(origin).ok()),
        )
    };
    Some(
        CorsLayer::new()
            .allow_origin(allowed)
            .allow_methods([Method::GET, Method::HEAD])
            .allow_headers([header::IF_NONE_MATCH])
            .expose_headers([header::ETAG]),
    )
}

/// The OpenAPI 3.1 description of this API.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    tag = "meta",
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json"))
)]
async fn openapi_document() -> Response {
    crate::caching::cached(crate::caching::ONE_HOUR, axum::Json(openapi()))
}

/// The OpenAPI document: the derived one, with the errors every operation can answer (a wrong
/// method, a body too large or not JSON), and without the licence and contact that would
/// otherwise be taken, empty, from the crate's manifest.
pub fn openapi() -> utoipa::openapi::OpenApi {
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};

    let mut document = ApiDoc::openapi();
    document.info.license = None;
    document.info.contact = None;
    let problem = ResponseBuilder::new()
        .description("A problem document (RFC 9457) saying what was wrong")
        .content(
            "application/problem+json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build();
    if let Some(components) = document.components.as_mut() {
        components
            .responses
            .insert("Problem".to_string(), RefOr::T(problem));
    }
    for operation in document.paths.paths.values_mut().flat_map(|item| {
        [
            item.get.as_mut(),
            item.post.as_mut(),
            item.put.as_mut(),
            item.delete.as_mut(),
        ]
        .into_iter()
        .flatten()
    }) {
        for status in ["405", "413", "415"] {
            operation
                .responses
                .responses
                .entry(status.to_string())
                .or_insert_with(|| RefOr::Ref(Ref::from_response_name("Problem")));
        }
    }
    document
}

/// Refuses bodies that are not JSON: the API reads nothing else.
async fn require_json_bodies(request: Request, next: Next) -> Response {
    let has_body = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|length| length.to_str().ok()?.parse::<u64>().ok())
        .is_some_and(|length| length > 0)
        || request.headers().contains_key(header::TRANSFER_ENCODING);
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("none")
        .to_string();
    let is_json = content_type.split(';').next().is_some_and(|media| {
        let media = media.trim().to_ascii_lowercase();
        media == "application/json"
            || (media.starts_with("application/") && media.ends_with("+json"))
    });
    if has_body && !is_json {
        return AppError::UnsupportedMediaType(content_type).into_response();
    }
    next.run(request).await
}

/// Turns any error response that is not already a problem document (from an extractor, the body
/// limit, the router) into one, so that no API path ever answers with HTML or bare text.
async fn problems_only(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"application/problem+json"));
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, MAX_REQUEST_BYTES)
        .await
        .unwrap_or_default();
    let detail = match status {
        StatusCode::PAYLOAD_TOO_LARGE => {
            AppError::PayloadTooLarge(MAX_REQUEST_BYTES as u64).to_string()
        }
        _ if status.is_server_error() => AppError::Internal.to_string(),
        _ => String::from_utf8_lossy(&text).trim().to_string(),
    };
    let mut problem = Problem::new(status, detail).into_response();
    for name in [header::ALLOW, header::VARY] {
        if let Some(value) = parts.headers.get(&name) {
            problem.headers_mut().insert(name, value.clone());
        }
    }
    problem
}

/// A JSON body the API could not read.
pub(crate) fn bad_body(rejection: axum::extract::rejection::JsonRejection) -> AppError {
    AppError::BadRequest(rejection.body_text())
}

/// A query or path parameter the API could not read.
pub(crate) fn bad_parameter(rejection: impl std::fmt::Display) -> AppError {
    AppError::BadRequest(rejection.to_string())
}
