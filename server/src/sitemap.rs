//! `/robots.txt` and the sitemap: an index (`/sitemap.xml`) of one sitemap of listing pages and
//! sitemaps of posts, a month at a time and in parts of at most 50,000 addresses (the protocol's
//! limit), so that none reads more than part of a month of posts.

use std::io;

use app::db;
use app::error::AppError;
use app::filter::{PostFilter, page_href, post_href};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::NaiveDate;

use crate::caching::ONE_HOUR;
use crate::replicas::Reading;
use crate::web::AppState;
use crate::xml::{self, XmlWriter};

const SITEMAP_NAMESPACE: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
/// The most addresses one sitemap may hold.
const MAX_ADDRESSES: i64 = 50_000;
/// The most categories, tags and authors (each) the listing pages' sitemap names.
const MAX_LISTINGS: i64 = 15_000;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/robots.txt", get(robots))
        .route("/sitemap.xml", get(index))
        .route("/sitemaps/listings.xml", get(listings))
        .route("/sitemaps/posts/{part}", get(posts_part))
}

async fn robots(State(state): State<AppState>) -> Response {
    let body = format!(
        "User-agent: *\nAllow: /\n\nSitemap: {}/sitemap.xml\n",
        state.public_url
    );
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}

/// The name of part `part` (from 1) of a month's sitemap: `2009-04.xml`, `2009-04-2.xml`…
fn part_name(year: i32, month: u32, part: i64) -> String {
    match part {
        1 => format!("{year:04}-{month:02}.xml"),
        part => format!("{year:04}-{month:02}-{part}.xml"),
    }
}

/// The month a part's name stands for, and how many of the month's posts come before the part:
/// `None` for a name that stands for no part, however large its number.
fn parse_part(name: &str) -> Option<(NaiveDate, i64)> {
    let name = name.strip_suffix(".xml")?;
    let mut fields = name.splitn(3, '-');
    let year: i32 = fields
        .next()?
        .parse()
        .ok()
        .filter(|year| (1..=9999).contains(year))?;
    let month: u32 = fields.next()?.parse().ok()?;
    let part: i64 = match fields.next() {
        Some(part) => part.parse().ok().filter(|part| *part >= 2)?,
        None => 1,
    };
    let offset = (part - 1).checked_mul(MAX_ADDRESSES)?;
    Some((NaiveDate::from_ymd_opt(year, month, 1)?, offset))
}

async fn index(State(state): State<AppState>, reading: Reading) -> Result<Response, AppError> {
    let months = db::listings::archive_months(&reading.pool).await?;
    let mut sitemaps = vec![format!("{}/sitemaps/listings.xml", state.public_url)];
    for month in &months {
        let parts = (month.count + MAX_ADDRESSES - 1) / MAX_ADDRESSES;
        sitemaps.extend((1..=parts).map(|part| {
            format!(
                "{}/sitemaps/posts/{}",
                state.public_url,
                part_name(month.year, month.month, part)
            )
        }));
    }
    respond(urls(
        "sitemapindex",
        "sitemap",
        sitemaps.iter().map(|url| (url.as_str(), None)),
    ))
}

async fn listings(State(state): State<AppState>, reading: Reading) -> Result<Response, AppError> {
    let (months, scopes, pages) = tokio::try_join!(
        db::listings::archive_months(&reading.pool),
        db::sitemap::listed_scopes(&reading.pool, MAX_LISTINGS),
        db::posts::public_pages(&reading.pool, false)
    )?;
    let mut paths = vec!["/".to_string()];
    paths.extend(scopes.iter().filter_map(|(scope, slug)| {
        let slug = Some(slug.clone());
        let filter = match scope.as_str() {
            "author" => PostFilter {
                author: slug,
                ..PostFilter::default()
            },
            "tag" => PostFilter {
                tag: slug,
                ..PostFilter::default()
            },
            "category" => PostFilter {
                category: slug,
                ..PostFilter::default()
            },
            _ => return None,
        };
        Some(filter.href(1))
    }));
    paths.extend(pages.iter().map(|page| page_href(&page.slug)));
    paths.extend(months.iter().map(|month| {
        PostFilter {
            year: Some(month.year),
            month: Some(month.month),
            ..PostFilter::default()
        }
        .href(1)
    }));
    let addresses: Vec<String> = paths
        .iter()
        .map(|path| format!("{}{path}", state.public_url))
        .collect();
    respond(urls(
        "urlset",
        "url",
        addresses.iter().map(|url| (url.as_str(), None)),
    ))
}

async fn posts_part(
    State(state): State<AppState>,
    reading: Reading,
    Path(name): Path<String>,
) -> Result<Response, AppError> {
    let no_such_sitemap = || AppError::NotFound("this sitemap".to_string());
    let (month, offset) = parse_part(&name).ok_or_else(no_such_sitemap)?;
    let posts = db::sitemap::posts_of_month(&reading.pool, month, offset, MAX_ADDRESSES).await?;
    if posts.is_empty() {
        return Err(no_such_sitemap());
    }
    let entries: Vec<(String, String)> = posts
        .into_iter()
        .map(|(slug, updated)| {
            (
                format!("{}{}", state.public_url, post_href(&slug)),
                updated.to_rfc3339(),
            )
        })
        .collect();
    respond(urls(
        "urlset",
        "url",
        entries
            .iter()
            .map(|(url, updated)| (url.as_str(), Some(updated.as_str()))),
    ))
}

/// A `<urlset>` of `<url>`s or a `<sitemapindex>` of `<sitemap>`s: each a `<loc>` and maybe a
/// `<lastmod>`.
fn urls<'a>(
    root: &str,
    entry: &str,
    urls: impl Iterator<Item = (&'a str, Option<&'a str>)>,
) -> io::Result<String> {
    let mut writer: XmlWriter = xml::document()?;
    writer
        .create_element(root)
        .with_attribute(("xmlns", SITEMAP_NAMESPACE))
        .write_inner_content(|writer| {
            for (url, modified) in urls {
                writer.create_element(entry).write_inner_content(|writer| {
                    xml::text(writer, "loc", url)?;
                    if let Some(modified) = modified {
                        xml::text(writer, "lastmod", modified)?;
                    }
                    Ok(())
                })?;
            }
            Ok(())
        })?;
    xml::finish(writer)
}

fn respond(document: io::Result<String>) -> Result<Response, AppError> {
    Ok(xml::respond(
        "application/xml; charset=utf-8",
        ONE_HOUR,
        xml::written(document)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_named_by_month_and_number() {
        assert_eq!(part_name(2009, 4, 1), "2009-04.xml");
        assert_eq!(part_name(2009, 4, 3), "2009-04-3.xml");
        let april = NaiveDate::from_ymd_opt(2009, 4, 1).unwrap();
        assert_eq!(parse_part("2009-04.xml"), Some((april, 0)));
        assert_eq!(
            parse_part("2009-04-3.xml"),
            Some((april, 2 * MAX_ADDRESSES))
        );
        for wrong in [
            "-5000-01.xml",
            "2009-13.xml",
            "2009-04-1.xml",
            "2009-04-999999999999999.xml",
            "2009-04-9223372036854775807.xml",
            "2009-04-99999999999999999999.xml",
            "2009-04",
            "10000-01.xml",
            "x.xml",
        ] {
            assert_eq!(parse_part(wrong), None, "{wrong}");
        }
    }
}
