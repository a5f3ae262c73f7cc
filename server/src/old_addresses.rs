//! The addresses of a blog moved here from WordPress keep working: each answers `301` with where
//! the same thing is now.
//!
//! - A post's or page's old permalink (`/2009/04/19/some-post/`, `/about/`: whatever its `<link>`
//!   said, with or without the trailing slash), and WordPress's own `/?p=ID` and `/?page_id=ID`,
//!   lead to the published post or page imported from it.
//! - WordPress's archives, pages of posts and feeds (`/category/x/`, `/tag/x/`, `/author/x/`,
//!   `/2009/04/`, `/page/2/`, `/feed/`, `/comments/feed/`, and their combinations such as
//!   `/category/x/page/2/` or `/tag/x/feed/`) lead to the same listing here.
//!
//! Only addresses that find nothing here, and are no listing address of this blog, are looked
//! up, so no address of this blog is ever redirected; `/?p=` and `/?page_id=` are the exception,
//! as the home page takes no such parameters.

use app::db;
use app::db::posts::{MovedPost, OldAddress};
use app::filter::{PostFilter, page_href, post_href};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use percent_encoding::{CONTROLS, percent_decode_str, utf8_percent_encode};

use crate::caching::{self, ONE_HOUR};
use crate::feeds::{Format, feed_path};
use crate::replicas::Reading;
use crate::web::AppState;

/// Answers old WordPress addresses with a redirect to where their content is now.
pub async fn redirect_old_addresses(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return next.run(request).await;
    }
    let pool = Reading::of(request.extensions(), &state.databases).pool;
    let path = request.uri().path().to_string();
    let query = request.uri().query().map(str::to_string);
    if path == "/"
        && let Some(wp_post_id) = query.as_deref().and_then(wordpress_post_id)
    {
        return match db::posts::moved_post(&pool, OldAddress::WordPressId(wp_post_id), None).await {
            Ok(Some(moved)) => moved_permanently(&post_address(&moved)),
            Ok(None) => next.run(request).await,
            Err(error) => app::error::AppError::from(error).into_response(),
        };
    }
    let response = next.run(request).await;
    if response.status() != StatusCode::NOT_FOUND || is_a_listing_here(&path) {
        return response;
    }
    let decoded = percent_decode_str(&path).decode_utf8_lossy();
    let old = OldAddress::Path(decoded.trim_end_matches('/'));
    let moved = match db::posts::moved_post(&pool, old, None).await {
        Ok(moved) => moved.map(|moved| post_address(&moved)),
        Err(error) => {
            tracing::error!(%error, "could not look up an old address");
            None
        }
    };
    match moved.or_else(|| archive_address(&path)) {
        Some(address) => moved_permanently(&address),
        None => response,
    }
}

/// Whether `path` is the address of one of this blog's listings (whatever its query asks, such
/// as a page past the end): those are never taken for WordPress's.
fn is_a_listing_here(path: &str) -> bool {
    PostFilter::from_address(path).is_some_and(|(filter, _)| filter.href(1) == path)
}

/// The post id of WordPress's `/?p=ID` or `/?page_id=ID`.
pub fn wordpress_post_id(query: &str) -> Option<i64> {
    form_urlencoded::parse(query.as_bytes())
        .find(|(name, _)| name == "p" || name == "page_id")
        .and_then(|(_, id)| id.parse().ok())
}

pub fn post_address(moved: &MovedPost) -> String {
    if moved.kind == "page" {
        page_href(&moved.slug)
    } else {
        post_href(&moved.slug)
    }
}

/// A `301` to `address`, whose letters outside ASCII are percent-encoded for the header.
fn moved_permanently(address: &str) -> Response {
    match HeaderValue::from_str(&utf8_percent_encode(address, CONTROLS).to_string()) {
        Ok(location) => (
            StatusCode::MOVED_PERMANENTLY,
            [
                (header::LOCATION, location),
                (header::CACHE_CONTROL, caching::public(ONE_HOUR)),
            ],
        )
            .into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Where WordPress's address of an archive, a page of posts or a feed (`path`, as requested) is
/// here; `None` for any other address.
pub fn archive_address(path: &str) -> Option<String> {
    let decoded: Vec<String> = path
        .split('/')
        .filter(|segment| !segment.is_empty())
        .map(|segment| percent_decode_str(segment).decode_utf8_lossy().into_owned())
        .collect();
    let segments: Vec<&str> = decoded.iter().map(String::as_str).collect();
    let (segments, page) = match segments.as_slice() {
        [rest @ .., "page", number] => (rest, number.parse::<u32>().ok().filter(|n| *n > 0)?),
        all => (all, 1),
    };
    let (segments, feed) = match segments {
        [rest @ .., "feed", "atom"] => (rest, Some(Format::Atom)),
        [rest @ .., "feed", "rss" | "rss2" | "rdf"] | [rest @ .., "feed"] => {
            (rest, Some(Format::Rss))
        }
        all => (all, None),
    };
    let is_number = |text: &str, digits: usize| {
        text.len() == digits && text.bytes().all(|byte| byte.is_ascii_digit())
    };
    // WordPress's slugs hold no dots; this blog's feed files (`feed.xml`) do.
    if segments.iter().any(|segment| segment.contains('.')) {
        return None;
    }
    let filter = match segments {
        [] => PostFilter::default(),
        ["comments"] => {
            return feed.map(|format| format!("/comments/{}", format.file()));
        }
        ["category", .., slug] => PostFilter {
            category: Some(slug.to_string()),
            ..PostFilter::default()
        },
        ["tag", slug] => PostFilter {
            tag: Some(slug.to_string()),
            ..PostFilter::default()
        },
        ["author", slug] => PostFilter {
            author: Some(slug.to_string()),
            ..PostFilter::default()
        },
        [year] if is_number(year, 4) => PostFilter {
            year: year.parse().ok(),
            ..PostFilter::default()
        },
        [year, month] | [year, month, _] if is_number(year, 4) && is_number(month, 2) => {
            PostFilter {
                year: year.parse().ok(),
                month: month.parse().ok(),
                ..PostFilter::default()
            }
        }
        _ => return None,
    };
    if !filter.is_valid() {
        return None;
    }
    Some(match feed {
        Some(format) => feed_path(&filter, format),
        None => filter.href(page),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wordpress_archives_and_feeds_have_their_listings() {
        let cases = [
            ("/category/fieldwork/", Some("/category/fieldwork")),
            ("/category/places/ningbo/", Some("/category/ningbo")),
            (
                "/category/fieldwork/page/2/",
                Some("/category/fieldwork?page=2"),
            ),
            (
                "/category/fieldwork/feed/",
                Some("/category/fieldwork/feed.xml"),
            ),
            ("/tag/e-waste/", Some("/tag/e-waste")),
            ("/tag/e-waste/feed/atom/", Some("/tag/e-waste/atom.xml")),
            ("/author/ada/", Some("/author/ada")),
            ("/2009/", Some("/archive/2009")),
            ("/2009/04/", Some("/archive/2009/04")),
            ("/2009/04/19/", Some("/archive/2009/04")),
            ("/2009/04/page/3/", Some("/archive/2009/04?page=3")),
            ("/page/2/", Some("/?page=2")),
            ("/feed/", Some("/feed.xml")),
            ("/feed/rss2/", Some("/feed.xml")),
            ("/feed/atom/", Some("/atom.xml")),
            ("/comments/feed/", Some("/comments/feed.xml")),
            ("/tag/%E5%AE%81%E6%B3%A2/", Some("/tag/宁波")),
            ("/2009/04/19/some-post/", None),
            ("/about/", None),
            ("/page/0/", None),
            ("/page/x/", None),
            ("/2009/13/", None),
            ("/comments/", None),
            ("/category/unpublished/atom.xml", None),
            ("/tag/unpublished/feed.xml", None),
        ];
        for (wordpress, here) in cases {
            assert_eq!(archive_address(wordpress).as_deref(), here, "{wordpress}");
        }
    }

    #[test]
    fn wordpress_post_ids_are_read_from_the_query() {
        assert_eq!(wordpress_post_id("p=12"), Some(12));
        assert_eq!(wordpress_post_id("page_id=41"), Some(41));
        assert_eq!(wordpress_post_id("preview=true&p=7"), Some(7));
        assert_eq!(wordpress_post_id("page=2"), None);
        assert_eq!(wordpress_post_id("p=twelve"), None);
    }
}
