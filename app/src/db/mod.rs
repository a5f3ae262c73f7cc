//! The database layer: every query Fieldnotes runs lives in these modules, shared by the pages'
//! server functions, the command line and the importer.

pub mod accounts;
pub mod comments;
pub mod listings;
pub mod media;
pub mod posts;
pub mod roles;
pub mod search;
pub mod site;
pub mod terms;
pub mod users;
pub mod writing;

use leptos::prelude::use_context;
use sqlx::PgPool;

use crate::error::AppError;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

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

/// What an insert-or-update did, with the row's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upserted {
    Inserted(i64),
    Updated(i64),
}

impl Upserted {
    /// From the `id` and `inserted` columns of an `INSERT … ON CONFLICT DO UPDATE … RETURNING id,
    /// (xmax = 0) AS inserted`.
    pub fn new(id: i64, inserted: bool) -> Self {
        if inserted {
            Upserted::Inserted(id)
        } else {
            Upserted::Updated(id)
        }
    }

    pub fn id(self) -> i64 {
        match self {
            Upserted::Inserted(id) | Upserted::Updated(id) => id,
        }
    }
}

/// The database that holds the blog inside Fieldnotes' private PostgreSQL cluster.
pub const PRIVATE_DATABASE: &str = "fieldnotes";
