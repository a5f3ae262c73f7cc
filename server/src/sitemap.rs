//! `/robots.txt` and the sitemap: an index (`/sitemap.xml`) of one sitemap of listing pages and
//! one per month of posts, so that no sitemap outgrows the protocol's 50,000 addresses and none
//! reads more than a month of posts.

use std::io;

use app::db;
use app::filter::{PostFilter, encode};
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::NaiveDate;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use crate::web::AppState;

const SITEMAP_NAMESPACE: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
/// The most categories, tags and authors (each) the listing pages' sitemap names.
const MAX_LISTINGS: i64 = 15_000;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/robots.txt", get(robots))
        .route("/sitemap.xml", get(index))
        .route("/sitemaps/listings.xml", get(listings))
        .route("/sitemaps/posts/{month}", get(posts_of_month))
}

async fn robots(State(state): State<AppState>) -> Response {
    let body = format!(
        "User-agent: *\nAllow: /\n\nSitemap: {}/sitemap.xml\n",
        state.public_url
    );
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}

async fn index(State(state): State<AppState>) -> Response {
    let months = match db::listings::archive_months(&state.pool).await {
        Ok(months) => months,
        Err(error) => return failure(&error),
    };
    let mut sitemaps = vec![format!("{}/sitemaps/listings.xml", state.public_url)];
    sitemaps.extend(months.iter().map(|month| {
        format!(
            "{}/sitemaps/posts/{:04}-{:02}.xml",
            state.public_url, month.year, month.month
        )
    }));
    xml(write_urls(
        "sitemapindex",
        "sitemap",
        sitemaps.iter().map(|url| (url.as_str(), None)),
    ))
}

async fn listings(State(state): State<AppState>) -> Response {
    let (months, scopes) = match tokio::try_join!(
        db::listings::archive_months(&state.pool),
        db::listings::listed_scopes(&state.pool, MAX_LISTINGS)
    ) {
        Ok(found) => found,
        Err(error) => return failure(&error),
    };
    let mut paths = vec!["/".to_string()];
    paths.extend(
        scopes
            .iter()
            .map(|(scope, slug)| format!("/{scope}/{}", encode(slug))),
    );
    paths.extend(months.iter().map(|month| {
        PostFilter {
            year: Some(month.year),
            month: Some(month.month),
            ..PostFilter::default()
        }
        .href(1)
    }));
    let urls: Vec<String> = paths
        .iter()
        .map(|path| format!("{}{path}", state.public_url))
        .collect();
    xml(write_urls(
        "urlset",
        "url",
        urls.iter().map(|url| (url.as_str(), None)),
    ))
}

async fn posts_of_month(State(state): State<AppState>, Path(month): Path<String>) -> Response {
    let Some(month) = month
        .strip_suffix(".xml")
        .and_then(|month| NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").ok())
    else {
        return (StatusCode::NOT_FOUND, "There is no such sitemap.").into_response();
    };
    let posts = match db::listings::posts_of_month(&state.pool, month).await {
        Ok(posts) => posts,
        Err(error) => return failure(&error),
    };
    if posts.is_empty() {
        return (StatusCode::NOT_FOUND, "There is no such sitemap.").into_response();
    }
    let entries: Vec<(String, String)> = posts
        .into_iter()
        .map(|(slug, updated)| {
            (
                format!("{}/posts/{}", state.public_url, encode(&slug)),
                updated.to_rfc3339(),
            )
        })
        .collect();
    xml(write_urls(
        "urlset",
        "url",
        entries
            .iter()
            .map(|(url, updated)| (url.as_str(), Some(updated.as_str()))),
    ))
}

/// A `<urlset>` of `<url>`s or a `<sitemapindex>` of `<sitemap>`s: each a `<loc>` and maybe a
/// `<lastmod>`.
fn write_urls<'a>(
    root: &str,
    entry: &str,
    urls: impl Iterator<Item = (&'a str, Option<&'a str>)>,
) -> io::Result<Vec<u8>> {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    writer
        .create_element(root)
        .with_attribute(("xmlns", SITEMAP_NAMESPACE))
        .write_inner_content(|writer| {
            for (url, modified) in urls {
                writer.create_element(entry).write_inner_content(|writer| {
                    writer
                        .create_element("loc")
                        .write_text_content(BytesText::new(url))?;
                    if let Some(modified) = modified {
                        writer
                            .create_element("lastmod")
                            .write_text_content(BytesText::new(modified))?;
                    }
                    Ok(())
                })?;
            }
            Ok(())
        })?;
    Ok(writer.into_inner())
}

fn xml(document: io::Result<Vec<u8>>) -> Response {
    match document {
        Ok(document) => Response::builder()
            .header(header::CONTENT_TYPE, "application/xml; charset=utf-8")
            .header(header::CACHE_CONTROL, "public, max-age=3600")
            .body(Body::from(document))
            .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response()),
        Err(error) => {
            tracing::error!(%error, "could not write a sitemap");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

fn failure(error: &sqlx::Error) -> Response {
    tracing::error!(%error, "could not read the sitemap's posts");
    StatusCode::INTERNAL_SERVER_ERROR.into_response()
}
