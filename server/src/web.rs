//! The HTTP side: the Axum router that serves the pages (rendered by Leptos), the server
//! functions and the compiled front end.

use std::ops::Deref;
use std::path::Path;
use std::sync::{Arc, LazyLock};

use app::context::PublicUrl;
use app::error::AppError;
use app::{App, shell};
use axum::Router;
use axum::body::Body;
use axum::extract::{FromRef, Request};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use leptos::config::{Env, LeptosOptions};
use leptos::nonce::Nonce;
use leptos::prelude::{provide_context, take_context, use_context};
use leptos_axum::{
    AxumRouteListing, LeptosRoutes, file_and_error_handler_with_context, generate_route_list,
};
use percent_encoding::percent_decode_str;
use sqlx::PgPool;
use tokio::sync::Semaphore;
use tower_http::compression::CompressionLayer;

use crate::client_address::TrustedProxies;
use crate::config::RequestLimits;
use crate::headers::BrowserPolicy;
use crate::limits::{MAX_REQUEST_BYTES, is_server_function};
use crate::page_cache::{self, PageCache};
use crate::replicas::{self, Databases, Reading};
use crate::{
    api, auth, export, feeds, headers, health, limits, media, old_addresses, request_log, sitemap,
};

/// What every request handler can reach. Every request clones it for each layer it passes
/// through, so it is one shared allocation.
#[derive(Clone)]
pub struct AppState(Arc<AppStateInner>);

impl AppState {
    pub fn new(inner: AppStateInner) -> Self {
        AppState(Arc::new(inner))
    }
}

impl Deref for AppState {
    type Target = AppStateInner;

    fn deref(&self) -> &AppStateInner {
        &self.0
    }
}

pub struct AppStateInner {
    pub leptos_options: LeptosOptions,
    pub pool: PgPool,
    /// Where the blog is published, without a trailing slash.
    pub public_url: String,
    pub limits: RequestLimits,
    /// The reverse proxies whose word on the client's address is believed.
    pub trusted_proxies: TrustedProxies,
    /// The most the page cache holds, in bytes; 0 turns it off.
    pub page_cache_bytes: usize,
    /// What a caller elsewhere than this machine gives to read `/metrics`.
    pub metrics_token: Option<String>,
    /// The primary (`pool`) and the replicas readers' requests may be answered from.
    pub databases: Arc<Databases>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// Leptos' settings for a site whose compiled front end is in `site_root`. The front end's files
/// have hashed names when the build left their hashes in `hash.txt` beside this program.
pub fn leptos_options(site_root: &Path) -> LeptosOptions {
    let hash_file = std::env::current_exe()
        .ok()
        .and_then(|program| Some(program.parent()?.join("hash.txt")));
    LeptosOptions::builder()
        .output_name(env!("LEPTOS_OUTPUT_NAME"))
        .site_root(site_root.display().to_string())
        .site_pkg_dir("pkg")
        .hash_files(hash_file.is_some_and(|file| file.exists()))
        .env(if cfg!(debug_assertions) {
            Env::DEV
        } else {
            Env::PROD
        })
        .build()
}

/// The pages' routes, found once per process by running the app without loading its data. While
/// Leptos does that, it holds back every resource in the process that starts loading meanwhile,
/// and for good (leptos#4773): a page being rendered for another router would never be finished.
static PAGE_ROUTES: LazyLock<Vec<AxumRouteListing>> = LazyLock::new(|| generate_route_list(App));

/// The whole site: the JSON API, feeds, sitemap, the pages and server functions, and the
/// compiled front end. `cors_origins` may read the API from their pages.
pub fn router(state: AppState, cors_origins: &[String]) -> Router {
    crate::metrics::start();
    let (databases, public_url) = (state.databases.clone(), PublicUrl(state.public_url.clone()));
    let provide_server_context = move || {
        let reading = use_context::<axum::http::request::Parts>().map_or_else(
            || databases.primary(),
            |parts| Reading::of(&parts.extensions, &databases),
        );
        provide_context(reading.pool);
        provide_context(public_url.clone());
        // No per-request nonce on the pages' scripts: the browser policy allows them by their
        // hashes, and the same page stays the same bytes, fit to be cached.
        take_context::<Nonce>();
        app::send_data_only_for_hydration();
    };
    let options = state.leptos_options.clone();
    let pages = Router::new()
        .leptos_routes_with_context(
            &state,
            PAGE_ROUTES.clone(),
            provide_server_context.clone(),
            move || shell(options.clone()),
        )
        .route_layer(middleware::from_fn_with_state(
            Arc::new(Semaphore::new(limits::PAGE_RENDERS_AT_ONCE)),
            limits::render_in_turn,
        ))
        .fallback(file_and_error_handler_with_context::<AppState, _>(
            provide_server_context,
            shell,
        ));
    Router::new()
        .nest("/api", api::router(cors_origins))
        .merge(feeds::routes())
        .merge(sitemap::routes())
        .merge(media::routes())
        .merge(export::routes())
        .merge(health::routes())
        .merge(crate::metrics::routes())
        .merge(pages)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            old_addresses::redirect_old_addresses,
        ))
        .layer(middleware::from_fn(refuse_dot_segments))
        .layer(middleware::from_fn_with_state(
            state.leptos_options.hash_files,
            crate::caching::site_files,
        ))
        .layer(middleware::from_fn(server_function_statuses))
        .layer(middleware::from_fn(limit_server_function_bodies))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::refuse_cross_site,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::identify,
        ))
        .layer(middleware::from_fn_with_state(
            state.limits.request_timeout(),
            limits::time_out,
        ))
        .layer(middleware::from_fn_with_state(
            Arc::new(Semaphore::new(state.limits.max_requests as usize)),
            limits::shed_load,
        ))
        .layer(middleware::from_fn_with_state(
            Arc::new(BrowserPolicy::new(&state.leptos_options, &state.public_url)),
            headers::protect,
        ))
        .layer(CompressionLayer::new())
        .layer(middleware::from_fn_with_state(
            PageCache::new(&state.databases, state.page_cache_bytes),
            page_cache::serve_from_cache,
        ))
        .layer(middleware::from_fn_with_state(
            state.databases.clone(),
            replicas::choose_database,
        ))
        .layer(middleware::from_fn(request_log::log_requests))
        .with_state(state)
}

/// Answers `404` to an address with a `.` or `..` segment, plain or percent-encoded, between
/// slashes or backslashes. Browsers resolve them before they ask; the pages' router would
/// resolve them too (reading a backslash as a slash), and answer at this address for another one
/// (`/posts/..` for the home page).
async fn refuse_dot_segments(request: Request, next: Next) -> Response {
    let has_dot_segment = request.uri().path().split(['/', '\\']).any(|segment| {
        matches!(
            &*percent_decode_str(segment).decode_utf8_lossy(),
            "." | ".."
        )
    });
    if has_dot_segment {
        let path = request.uri().path();
        return AppError::NotFound(format!("the address `{path}`")).into_response();
    }
    next.run(request).await
}

/// Refuses server function requests larger than [`MAX_REQUEST_BYTES`], whether they say
/// their length or not.
async fn limit_server_function_bodies(request: Request, next: Next) -> Response {
    if !is_server_function(&request) {
        return next.run(request).await;
    }
    let too_large = || {
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            axum::Json(AppError::PayloadTooLarge(MAX_REQUEST_BYTES as u64)),
        )
            .into_response()
    };
    let declared = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|length| length.to_str().ok()?.parse::<usize>().ok());
    if declared.is_some_and(|length| length > MAX_REQUEST_BYTES) {
        return too_large();
    }
    let (parts, body) = request.into_parts();
    let limited = Body::new(http_body_util::Limited::new(body, MAX_REQUEST_BYTES));
    next.run(Request::from_parts(parts, limited)).await
}

/// Gives a failed server function the status its error stands for: Leptos answers every error
/// with 500, and the browser side reads the error from the body whatever the status.
async fn server_function_statuses(request: Request, next: Next) -> Response {
    const MAX_ERROR_BYTES: usize = 64 * 1024;
    let is_server_function = is_server_function(&request);
    let response = next.run(request).await;
    if !is_server_function || response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_ERROR_BYTES).await else {
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = StatusCode::from_u16(error.status()).unwrap_or(parts.status);
    }
    Response::from_parts(parts, Body::from(bytes))
}
