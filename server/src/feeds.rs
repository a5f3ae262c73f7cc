//! RSS 2.0 and Atom feeds of any listing: the whole blog (`/feed.xml`, `/atom.xml`), a tag, a
//! category, an author or a month (`/tag/{slug}/feed.xml`…), or any combination
//! (`/feed.xml?tag=…&author=…`). Entries carry the full post, with absolute links; a post
//! protected by a password carries a notice instead. The newest approved comments have feeds too:
//! of the whole blog (`/comments/feed.xml`) and of each post (`/posts/{slug}/comments/feed.xml`),
//! leaving out protected posts' comments.

use std::io;

use app::error::AppError;
use app::filter::PostFilter;
use app::model::{Facet, PROTECTED_NOTICE, PostListing, SiteInfo};
use app::{db, format, html};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use axum::routing::get;
use chrono::{DateTime, Utc};
use quick_xml::events::BytesText;

use crate::caching::FIVE_MINUTES;
use crate::web::AppState;
use crate::xml;

/// How many posts a feed holds.
const FEED_LENGTH: u32 = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Rss,
    Atom,
}

impl Format {
    fn file(self) -> &'static str {
        match self {
            Format::Rss => "feed.xml",
            Format::Atom => "atom.xml",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Format::Rss => "application/rss+xml; charset=utf-8",
            Format::Atom => "application/atom+xml; charset=utf-8",
        }
    }
}

pub fn routes() -> Router<AppState> {
    let mut router = Router::new();
    for format in [Format::Rss, Format::Atom] {
        let file = format.file();
        router = router
            .route(
                &format!("/comments/{file}"),
                get(move |State(state): State<AppState>| {
                    respond_with_comments(state, format, None)
                }),
            )
            .route(
                &format!("/posts/{{slug}}/comments/{file}"),
                get(
                    move |State(state): State<AppState>, Path(slug): Path<String>| {
                        respond_with_comments(state, format, Some(slug))
                    },
                ),
            );
        let listing_feed = move |State(state): State<AppState>, uri: Uri| {
            respond(state, format, feed_filter(&uri))
        };
        for path in [
            format!("/{file}"),
            format!("/archive/{{year}}/{file}"),
            format!("/archive/{{year}}/{{month}}/{file}"),
            format!("/tag/{{slug}}/{file}"),
            format!("/category/{{slug}}/{file}"),
            format!("/author/{{slug}}/{file}"),
        ] {
            router = router.route(&path, get(listing_feed));
        }
    }
    router
}

/// The listing whose feed an address asks for: the feed's address is its listing's with
/// `feed.xml` or `atom.xml` after it (and the whole blog's feed takes a combination's query, as
/// `/posts` does). `None` for an address of no listing.
fn feed_filter(uri: &Uri) -> Option<PostFilter> {
    let listing = uri
        .path()
        .rsplit_once('/')
        .map_or("", |(listing, _file)| listing);
    let listing = if listing.is_empty() {
        "/posts"
    } else {
        listing
    };
    let address = match uri.query() {
        Some(query) => format!("{listing}?{query}"),
        None => listing.to_string(),
    };
    PostFilter::from_address(&address).map(|(filter, _page)| filter)
}

async fn respond(
    state: AppState,
    format: Format,
    filter: Option<PostFilter>,
) -> Result<Response, AppError> {
    let filter = filter.ok_or_else(no_such_feed)?;
    let document = feed(&state, format, &filter)
        .await?
        .ok_or_else(no_such_feed)?;
    Ok(xml::respond(format.content_type(), FIVE_MINUTES, document))
}

async fn respond_with_comments(
    state: AppState,
    format: Format,
    slug: Option<String>,
) -> Result<Response, AppError> {
    let document = comment_feed(&state, format, slug.as_deref())
        .await?
        .ok_or_else(no_such_feed)?;
    Ok(xml::respond(format.content_type(), FIVE_MINUTES, document))
}

fn no_such_feed() -> AppError {
    AppError::NotFound("this feed".to_string())
}

/// The feed of the newest approved comments, on one post or on all; `None` when there is no
/// such published post.
pub async fn comment_feed(
    state: &AppState,
    format: Format,
    slug: Option<&str>,
) -> Result<Option<String>, AppError> {
    let site = db::site::site_info(&state.pool, &state.public_url).await?;
    let (post_id, title, page_url, self_path) = match slug {
        Some(slug) => {
            // A protected post's comments are shown only to readers who gave its password.
            let Some(post) = db::posts::public_post(&state.pool, slug)
                .await?
                .filter(|post| !post.protected)
            else {
                return Ok(None);
            };
            let (id, post_title) = (post.id, post.title);
            let path = format!("/posts/{}", app::filter::escape_url_part(slug));
            (
                Some(id),
                format!("Comments on “{post_title}”"),
                format!("{}{path}#comments", site.url),
                format!("{path}/comments/{}", format.file()),
            )
        }
        None => (
            None,
            format!("{}: comments", site.title),
            site.url.clone(),
            format!("/comments/{}", format.file()),
        ),
    };
    let comments =
        db::comments::newest_comments(&state.pool, post_id, i64::from(FEED_LENGTH)).await?;
    let entries = comments
        .into_iter()
        .map(|comment| Entry {
            title: format!("{} on “{}”", comment.author_name, comment.post_title),
            url: format!(
                "{}/posts/{}#comment-{}",
                site.url,
                app::filter::escape_url_part(&comment.post_slug),
                comment.id
            ),
            published: comment.created_at,
            summary: html::teaser(&comment.body, 280),
            content: html::text_as_html(&comment.body).replace('\n', "<br>"),
            author: Some(comment.author_name),
            categories: Vec::new(),
        })
        .collect();
    let feed = Feed {
        site_title: site.title.clone(),
        description: title.clone(),
        title,
        page_url,
        self_url: format!("{}{self_path}", site.url),
        entries,
    };
    let document = match format {
        Format::Rss => write_rss(&feed),
        Format::Atom => write_atom(&feed),
    };
    xml::written(document).map(Some)
}

/// The feed of a listing, or `None` when the filter names something that does not exist.
pub async fn feed(
    state: &AppState,
    format: Format,
    filter: &PostFilter,
) -> Result<Option<String>, AppError> {
    let Some(listing) = db::listings::list_posts(&state.pool, filter, 1, FEED_LENGTH).await? else {
        return Ok(None);
    };
    let site = db::site::site_info(&state.pool, &state.public_url).await?;
    let slugs: Vec<String> = listing.posts.iter().map(|post| post.slug.clone()).collect();
    let mut bodies = db::posts::public_bodies(&state.pool, &slugs).await?;
    let entries = listing
        .posts
        .iter()
        .map(|post| Entry {
            title: if post.title.is_empty() {
                "(untitled)".to_string()
            } else {
                post.title.clone()
            },
            url: format!(
                "{}/posts/{}",
                site.url,
                app::filter::escape_url_part(&post.slug)
            ),
            published: post.published_at,
            author: post.author.as_ref().map(|author| author.name.clone()),
            categories: post
                .categories
                .iter()
                .chain(&post.tags)
                .map(|term| term.name.clone())
                .collect(),
            summary: if post.protected {
                PROTECTED_NOTICE.to_string()
            } else {
                post.excerpt.clone()
            },
            content: if post.protected {
                html::text_as_html(PROTECTED_NOTICE)
            } else {
                html::feed_body(&bodies.remove(&post.slug).unwrap_or_default(), &site.url)
            },
        })
        .collect();
    let feed = Feed {
        site_title: site.title.clone(),
        title: feed_title(&site, &listing),
        description: if site.tagline.is_empty() {
            site.title.clone()
        } else {
            site.tagline.clone()
        },
        page_url: format!("{}{}", site.url, filter.href(1)),
        self_url: format!("{}{}", site.url, feed_path(filter, format)),
        entries,
    };
    let document = match format {
        Format::Rss => write_rss(&feed),
        Format::Atom => write_atom(&feed),
    };
    xml::written(document).map(Some)
}

fn feed_path(filter: &PostFilter, format: Format) -> String {
    filter.feed_href().replacen("feed.xml", format.file(), 1)
}

fn feed_title(site: &SiteInfo, listing: &PostListing) -> String {
    let parts: Vec<String> = listing
        .facets
        .iter()
        .map(|facet| match facet {
            Facet::Author(author) => format!("by {}", author.name),
            Facet::Tag(tag) => format!("tagged {}", tag.name),
            Facet::Category(category) => format!("in {}", category.name),
            Facet::Year(year) => year.to_string(),
            Facet::Month(year, month) => format::month_name(*year, *month),
        })
        .collect();
    if parts.is_empty() {
        site.title.clone()
    } else {
        format!("{}: posts {}", site.title, parts.join(", "))
    }
}

struct Feed {
    site_title: String,
    title: String,
    description: String,
    page_url: String,
    self_url: String,
    entries: Vec<Entry>,
}

struct Entry {
    title: String,
    url: String,
    published: DateTime<Utc>,
    author: Option<String>,
    categories: Vec<String>,
    summary: String,
    content: String,
}

impl Feed {
    /// When the feed last changed: its newest entry's date, or the Unix epoch for an empty feed
    /// (so that the feed reads the same until something is published).
    fn updated(&self) -> DateTime<Utc> {
        self.entries
            .iter()
            .map(|entry| entry.published)
            .max()
            .unwrap_or_default()
    }
}

fn write_rss(feed: &Feed) -> io::Result<String> {
    let mut writer = xml::document()?;
    writer
        .create_element("rss")
        .with_attributes([
            ("version", "2.0"),
            ("xmlns:atom", "http://www.w3.org/2005/Atom"),
            ("xmlns:content", "http://purl.org/rss/1.0/modules/content/"),
            ("xmlns:dc", "http://purl.org/dc/elements/1.1/"),
        ])
        .write_inner_content(|writer| {
            writer
                .create_element("channel")
                .write_inner_content(|writer| {
                    xml::text(writer, "title", &feed.title)?;
                    xml::text(writer, "link", &feed.page_url)?;
                    xml::text(writer, "description", &feed.description)?;
                    writer
                        .create_element("atom:link")
                        .with_attributes([
                            ("href", feed.self_url.as_str()),
                            ("rel", "self"),
                            ("type", "application/rss+xml"),
                        ])
                        .write_empty()?;
                    xml::text(writer, "lastBuildDate", &feed.updated().to_rfc2822())?;
                    xml::text(writer, "generator", "Fieldnotes")?;
                    for entry in &feed.entries {
                        writer
                            .create_element("item")
                            .write_inner_content(|writer| {
                                xml::text(writer, "title", &entry.title)?;
                                xml::text(writer, "link", &entry.url)?;
                                writer
                                    .create_element("guid")
                                    .with_attribute(("isPermaLink", "true"))
                                    .write_text_content(BytesText::new(&entry.url))?;
                                xml::text(writer, "pubDate", &entry.published.to_rfc2822())?;
                                if let Some(author) = &entry.author {
                                    xml::text(writer, "dc:creator", author)?;
                                }
                                for category in &entry.categories {
                                    xml::text(writer, "category", category)?;
                                }
                                // Readers take an RSS description as HTML: the plain summary is escaped
                                // for HTML before it is escaped for XML.
                                xml::text(writer, "description", &html::escape(&entry.summary))?;
                                xml::text(writer, "content:encoded", &entry.content)?;
                                Ok(())
                            })?;
                    }
                    Ok(())
                })?;
            Ok(())
        })?;
    xml::finish(writer)
}

fn write_atom(feed: &Feed) -> io::Result<String> {
    let mut writer = xml::document()?;
    writer
        .create_element("feed")
        .with_attribute(("xmlns", "http://www.w3.org/2005/Atom"))
        .write_inner_content(|writer| {
            xml::text(writer, "id", &feed.self_url)?;
            xml::text(writer, "title", &feed.title)?;
            xml::text(writer, "subtitle", &feed.description)?;
            xml::text(writer, "updated", &feed.updated().to_rfc3339())?;
            writer
                .create_element("link")
                .with_attributes([
                    ("rel", "alternate"),
                    ("type", "text/html"),
                    ("href", feed.page_url.as_str()),
                ])
                .write_empty()?;
            writer
                .create_element("link")
                .with_attributes([
                    ("rel", "self"),
                    ("type", "application/atom+xml"),
                    ("href", feed.self_url.as_str()),
                ])
                .write_empty()?;
            xml::text(writer, "generator", "Fieldnotes")?;
            writer
                .create_element("author")
                .write_inner_content(|writer| xml::text(writer, "name", &feed.site_title))?;
            for entry in &feed.entries {
                writer
                    .create_element("entry")
                    .write_inner_content(|writer| {
                        xml::text(writer, "id", &entry.url)?;
                        xml::text(writer, "title", &entry.title)?;
                        writer
                            .create_element("link")
                            .with_attributes([
                                ("rel", "alternate"),
                                ("type", "text/html"),
                                ("href", entry.url.as_str()),
                            ])
                            .write_empty()?;
                        xml::text(writer, "published", &entry.published.to_rfc3339())?;
                        xml::text(writer, "updated", &entry.published.to_rfc3339())?;
                        if let Some(author) = &entry.author {
                            writer
                                .create_element("author")
                                .write_inner_content(|writer| xml::text(writer, "name", author))?;
                        }
                        for category in &entry.categories {
                            writer
                                .create_element("category")
                                .with_attribute(("term", category.as_str()))
                                .write_empty()?;
                        }
                        xml::text(writer, "summary", &entry.summary)?;
                        writer
                            .create_element("content")
                            .with_attribute(("type", "html"))
                            .write_text_content(BytesText::new(&entry.content))?;
                        Ok(())
                    })?;
            }
            Ok(())
        })?;
    xml::finish(writer)
}
