//! The HTTP side: the Axum router that serves the pages (rendered by Leptos), the server
//! functions and the compiled front end.

use std::path::Path;

use app::db::PublicUrl;
use app::{App, shell};
use axum::Router;
use axum::extract::FromRef;
use leptos::config::{Env, LeptosOptions};
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, file_and_error_handler_with_context, generate_route_list};
use sqlx::PgPool;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

use crate::{api, feeds, sitemap};

/// What every request handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub pool: PgPool,
    /// Where the blog is published, without a trailing slash.
    pub public_url: String,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// Leptos' settings for a site whose compiled front end is in `site_root`.
pub fn leptos_options(site_root: &Path) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name(env!("LEPTOS_OUTPUT_NAME"))
        .site_root(site_root.display().to_string())
        .site_pkg_dir("pkg")
        .env(if cfg!(debug_assertions) {
            Env::DEV
        } else {
            Env::PROD
        })
        .build()
}

/// The whole site: the JSON API, feeds, sitemap, the pages and server functions, and the
/// compiled front end. `cors_origins` may read the API from their pages.
pub fn router(state: AppState, cors_origins: &[String]) -> Router {
    let routes = generate_route_list(App);
    let (pool, public_url) = (state.pool.clone(), PublicUrl(state.public_url.clone()));
    let provide_server_context = move || {
        provide_context(pool.clone());
        provide_context(public_url.clone());
    };
    let options = state.leptos_options.clone();
    Router::new()
        .nest("/api", api::router(cors_origins))
        .merge(feeds::routes())
        .merge(sitemap::routes())
        .leptos_routes_with_context(&state, routes, provide_server_context.clone(), move || {
            shell(options.clone())
        })
        .fallback(file_and_error_handler_with_context::<AppState, _>(
            provide_server_context,
            shell,
        ))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
