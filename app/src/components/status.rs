//! HTTP statuses for server-rendered pages, and the notice shown when loading fails.

use leptos::prelude::*;

use crate::error::AppError;

/// Sets the HTTP status of the server-rendered response; in the browser there is none to set.
pub fn set_http_status(status: u16) {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(
            http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
        );
    }
    #[cfg(not(feature = "ssr"))]
    let _ = status;
}

/// A failure to load something, said plainly, with the response status to match (and, when the
/// server is busy, when to ask again).
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    set_http_status(error.status());
    #[cfg(feature = "ssr")]
    if let Some(seconds) = error.retry_after_seconds() {
        crate::auth::append_header(http::header::RETRY_AFTER, &seconds.to_string());
    }
    view! {
        <div class="notice notice-error" role="alert">
            <h1>"Sorry, this page could not be shown"</h1>
            <p>{error.to_string()}</p>
        </div>
    }
}
