//! `/api/v1/tags`, `/categories`, `/authors` and `/archives`: how the posts are filed.

use app::db;
use app::error::AppError;
use app::model::TermCount;
use axum::Json;
use axum::response::Response;
use serde::Serialize;
use utoipa::ToSchema;

use crate::caching::{FIVE_MINUTES, cached};
use crate::replicas::Reading;

/// A tag or an author, with its number of published posts.
#[derive(Debug, Serialize, ToSchema)]
pub struct TermOut {
    slug: String,
    name: String,
    count: i64,
}

/// A category, with its parent's slug and its number of published posts (subcategories'
/// included).
#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryOut {
    slug: String,
    name: String,
    parent: Option<String>,
    count: i64,
}

/// A month that has published posts.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArchiveMonthOut {
    year: i32,
    #[schema(minimum = 1, maximum = 12)]
    month: u32,
    count: i64,
}

fn terms(terms: Vec<TermCount>) -> Vec<TermOut> {
    terms
        .into_iter()
        .map(|term| TermOut {
            slug: term.slug,
            name: term.name,
            count: term.count,
        })
        .collect()
}

/// The tags that have published posts, by name.
#[utoipa::path(get, path = "/api/v1/tags", tag = "taxonomy", responses((status = 200, body = Vec<TermOut>)))]
pub async fn list_tags(reading: Reading) -> Result<Response, AppError> {
    Ok(cached(
        FIVE_MINUTES,
        Json(terms(db::terms::tag_counts(&reading.pool).await?)),
    ))
}

/// The categories that have published posts (their own or their subcategories'), by name, each
/// with its parent.
#[utoipa::path(get, path = "/api/v1/categories", tag = "taxonomy", responses((status = 200, body = Vec<CategoryOut>)))]
pub async fn list_categories(reading: Reading) -> Result<Response, AppError> {
    let categories: Vec<CategoryOut> = db::terms::category_term_counts(&reading.pool)
        .await?
        .into_iter()
        .map(|term| CategoryOut {
            slug: term.slug,
            name: term.name,
            parent: term.parent,
            count: term.count,
        })
        .collect();
    Ok(cached(FIVE_MINUTES, Json(categories)))
}

/// Everyone who has published posts, by name.
#[utoipa::path(get, path = "/api/v1/authors", tag = "taxonomy", responses((status = 200, body = Vec<TermOut>)))]
pub async fn list_authors(reading: Reading) -> Result<Response, AppError> {
    Ok(cached(
        FIVE_MINUTES,
        Json(terms(db::users::author_counts(&reading.pool).await?)),
    ))
}

/// The months that have published posts, newest first.
#[utoipa::path(get, path = "/api/v1/archives", tag = "taxonomy", responses((status = 200, body = Vec<ArchiveMonthOut>)))]
pub async fn list_archives(reading: Reading) -> Result<Response, AppError> {
    let months: Vec<ArchiveMonthOut> = db::listings::archive_months(&reading.pool)
        .await?
        .into_iter()
        .map(|month| ArchiveMonthOut {
            year: month.year,
            month: month.month,
            count: month.count,
        })
        .collect();
    Ok(cached(FIVE_MINUTES, Json(months)))
}
