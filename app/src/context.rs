//! What the server hands every server function: the database pool and the blog's public address.

use leptos::prelude::use_context;
use sqlx::PgPool;

use crate::error::AppError;

/// Where the blog is published (`https://example.org`, no trailing slash), as the server provides
/// it to server functions: the base of every absolute link.
#[derive(Debug, Clone)]
pub struct PublicUrl(pub String);

pub fn public_url() -> Result<String, AppError> {
    use_context::<PublicUrl>().map(|url| url.0).ok_or_else(|| {
        tracing::error!("no public URL in the server function's context");
        AppError::Internal
    })
}

/// The connection pool, as the server provides it to server functions.
pub fn pool() -> Result<PgPool, AppError> {
    use_context::<PgPool>().ok_or_else(|| {
        tracing::error!("no database pool in the server function's context");
        AppError::Internal
    })
}
