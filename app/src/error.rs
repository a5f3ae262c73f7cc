//! The one error type of the application: server functions return it to the browser, and at the
//! HTTP edge it becomes an `application/problem+json` response (RFC 9457) with its status.

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("{0} was not found")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    TooManyRequests(String),
    #[error("{0} is not allowed here")]
    MethodNotAllowed(String),
    #[error("the request body is larger than the {0} bytes allowed")]
    PayloadTooLarge(u64),
    /// The client sent its request too slowly to be served.
    #[error("{0}")]
    RequestTimeout(String),
    #[error("request bodies must be JSON (application/json), not {0}")]
    UnsupportedMediaType(String),
    /// Details are logged on the server, never shown to the reader.
    #[error("something went wrong on the server; please try again")]
    Internal,
    /// The server is too busy to answer now; asking again shortly may work.
    #[error("{0}")]
    Busy(String),
    /// The request did not reach the server, or its answer could not be read.
    #[error("the server could not be reached: {0}")]
    Unreachable(String),
}

impl From<crate::filter::FilterError> for AppError {
    fn from(error: crate::filter::FilterError) -> Self {
        AppError::BadRequest(error.0)
    }
}

impl AppError {
    /// The server had no time or room for the request.
    pub fn busy() -> Self {
        AppError::Busy(
            "the server is too busy to answer now; please try again in a few seconds".to_string(),
        )
    }

    /// How many seconds a client told of this error should wait before asking again, if it is
    /// told to.
    pub fn retry_after_seconds(&self) -> Option<u32> {
        matches!(self, AppError::Busy(_)).then_some(RETRY_AFTER_SECONDS)
    }

    pub fn status(&self) -> u16 {
        match self {
            AppError::BadRequest(_) => 400,
            AppError::Unauthorized(_) => 401,
            AppError::Forbidden(_) => 403,
            AppError::Conflict(_) => 409,
            AppError::TooManyRequests(_) => 429,
            AppError::NotFound(_) => 404,
            AppError::MethodNotAllowed(_) => 405,
            AppError::RequestTimeout(_) => 408,
            AppError::PayloadTooLarge(_) => 413,
            AppError::UnsupportedMediaType(_) => 415,
            AppError::Internal => 500,
            AppError::Busy(_) | AppError::Unreachable(_) => 503,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(error: ServerFnErrorErr) -> Self {
        match error {
            ServerFnErrorErr::Args(message) | ServerFnErrorErr::MissingArg(message) => {
                AppError::BadRequest(message)
            }
            other => AppError::Unreachable(other.to_string()),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::PoolTimedOut => {
                tracing::warn!(%error, "no database connection came free in time");
                AppError::busy()
            }
            // A replica cancels a reading that conflicts with what it replays (40001).
            sqlx::Error::Database(database)
                if matches!(database.code().as_deref(), Some(QUERY_CANCELED | "40001")) =>
            {
                tracing::warn!(%error, "a database statement ran too long");
                AppError::busy()
            }
            error if crate::db::is_unreachable(error) => {
                tracing::warn!(%error, "the database does not answer");
                AppError::Busy(
                    "the database does not answer just now; please try again in a few seconds"
                        .to_string(),
                )
            }
            _ => {
                tracing::error!(%error, "database error");
                AppError::Internal
            }
        }
    }
}

/// PostgreSQL's code for a statement it cancelled, as it does when `statement_timeout` passes.
#[cfg(feature = "ssr")]
const QUERY_CANCELED: &str = "57014";

/// How long a client told that the server is busy should wait before asking again.
pub const RETRY_AFTER_SECONDS: u32 = 5;

/// An RFC 9457 problem document.
#[cfg(feature = "ssr")]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Problem {
    /// Always `about:blank`: the status says what kind of problem it is.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
}

#[cfg(feature = "ssr")]
impl Problem {
    pub fn new(status: http::StatusCode, detail: impl Into<String>) -> Self {
        Problem {
            kind: "about:blank".to_string(),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail: detail.into(),
        }
    }
}

#[cfg(feature = "ssr")]
impl axum::response::IntoResponse for Problem {
    fn into_response(self) -> axum::response::Response {
        let status = http::StatusCode::from_u16(self.status)
            .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, axum::Json(self)).into_response();
        response.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/problem+json"),
        );
        response
    }
}

#[cfg(feature = "ssr")]
impl axum::response::IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        let status = http::StatusCode::from_u16(self.status())
            .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = Problem::new(status, self.to_string()).into_response();
        // An error answers for now: a cache that kept it would hide the page once it is there.
        response.headers_mut().insert(
            http::header::CACHE_CONTROL,
            http::HeaderValue::from_static("no-store"),
        );
        if let Some(seconds) = self.retry_after_seconds() {
            response
                .headers_mut()
                .insert(http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}
