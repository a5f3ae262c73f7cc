//! The database layer: every query Fieldnotes runs lives in these modules, shared by the pages'
//! server functions, the JSON API, feeds, the command line and the importer. It knows nothing of
//! Leptos or HTTP: each function takes a pool or a connection and answers `sqlx::Result`, which
//! the callers turn into their own errors.
//!
//! A few rules live in the schema, because triggers and views need them too. Their current
//! definitions, each commented where it is made:
//!
//! - `is_public(status, published_at)`, who may see a post or page, and the `public_posts` view
//!   of the posts it lets through: `migrations/20261202000005_one_visibility.sql`.
//! - `post_listings`, `listing_months` and `listing_totals`, kept by triggers so that a listing
//!   is one index range (`due_listings` in the migration above; `refresh_post_listings` in
//!   `20261128000004_deferred_listings.sql`; the counts change at the commit, why in
//!   `20261204000001_listing_counts_at_commit.sql`, how in
//!   `20261204000002_listing_counts_taken_in_once.sql`; whether they are true,
//!   `20261204000003_listing_counts_that_differ.sql`), and `filtered_posts`, a combination's
//!   walk: `20261128000002_listings_and_search.sql`.
//! - `post_summaries`, what a listing shows of a post, its teaser made once
//!   (`20261203000001_stored_teasers.sql`) and its names and comment count kept in `post_names`
//!   (`20261204000004_stored_post_names.sql`, with `post_names_that_differ`, whether they are
//!   true; after the rename of a category or tag of many posts, rewritten in batches:
//!   `20261205000001_renames_in_batches.sql`); `listing_summaries`, the summaries of a list of
//!   posts, which a listing's page statement reads with the page itself
//!   (`20261204000005_listing_summaries.sql`).
//! - `search_matches`, a search's bounded ranking: `20261128000005_bounded_search.sql`.

pub mod accounts;
pub mod comments;
pub mod export;
pub mod listings;
pub mod media;
pub mod people;
pub mod posts;
pub mod roles;
pub mod scheduling;
pub mod search;
pub mod site;
pub mod sitemap;
pub mod terms;
pub mod users;
pub mod writing;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// Whether `error` says that the database could not be reached or went away (it is down,
/// restarting, refusing connections), rather than that a statement failed.
pub fn is_unreachable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        // Class 08 (connection exception), the administrator or a crash ending the session
        // (57P01, 57P02), the server starting or stopping (57P03).
        sqlx::Error::Database(database) => database.code().is_some_and(|code| {
            code.starts_with("08") || matches!(code.as_ref(), "57P01" | "57P02" | "57P03")
        }),
        _ => false,
    }
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
