//! RSS 2.0 and Atom feeds of any listing: the whole blog (`/feed.xml`, `/atom.xml`), a tag, a
//! category, an author or a month (`/tag/{slug}/feed.xml`…), or any combination
//! (`/feed.xml?tag=…&author=…`). Entries carry the full post, with absolute links; a post
//! protected by a password carries a notice instead. The newest approved comments have feeds too:
//! of the whole blog (`/comments/feed.xml`) and of each post (`/posts/{slug}/comments/feed.xml`),
//! leaving out protected posts' comments.

use app::error::AppError;
use app::filter::PostFilter;
use app::model::{Facet, PROTECTED_NOTICE, SiteInfo};
use app::{db, format, html};
use atom_syndication as atom;
use atom_syndication::Link;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use axum::routing::get;
use chrono::{DateTime, Utc};
use rss::extension::atom::AtomExtension;
use rss::extension::dublincore::DublinCoreExtension;
use sqlx::PgPool;

use crate::caching::FIVE_MINUTES;
use crate::replicas::Reading;
use crate::web::AppState;
use crate::xml;

/// How many posts a feed holds.
const FEED_LENGTH: u32 = 20;

const GENERATOR: &str = "Fieldnotes";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Rss,
    Atom,
}

impl Format {
    /// The file name of this format's feed of a listing.
    pub(crate) fn file(self) -> &'static str {
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
                get(move |State(state): State<AppState>, reading: Reading| {
                    respond_with_comments(state, reading, format, None)
                }),
            )
            .route(
                &format!("/posts/{{slug}}/comments/{file}"),
                get(
                    move |State(state): State<AppState>,
                          reading: Reading,
                          Path(slug): Path<String>| {
                        respond_with_comments(state, reading, format, Some(slug))
                    },
                ),
            );
        let listing_feed = move |State(state): State<AppState>, reading: Reading, uri: Uri| {
            respond(state, reading, format, feed_filter(&uri))
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
    reading: Reading,
    format: Format,
    filter: Option<PostFilter>,
) -> Result<Response, AppError> {
    let filter = filter.ok_or_else(no_such_feed)?;
    let document = feed(&reading.pool, &state.public_url, format, &filter)
        .await?
        .ok_or_else(no_such_feed)?;
    Ok(xml::respond(format.content_type(), FIVE_MINUTES, document))
}

async fn respond_with_comments(
    state: AppState,
    reading: Reading,
    format: Format,
    slug: Option<String>,
) -> Result<Response, AppError> {
    let document = comment_feed(&reading.pool, &state.public_url, format, slug.as_deref())
        .await?
        .ok_or_else(no_such_feed)?;
    Ok(xml::respond(format.content_type(), FIVE_MINUTES, document))
}

fn no_such_feed() -> AppError {
    AppError::NotFound("this feed".to_string())
}

/// The feed of the newest approved comments, on one post or on all; `None` when there is no
/// such published post.
async fn comment_feed(
    pool: &PgPool,
    public_url: &str,
    format: Format,
    slug: Option<&str>,
) -> Result<Option<String>, AppError> {
    let post = async {
        match slug {
            Some(slug) => db::posts::public_post(pool, slug).await,
            None => Ok(None),
        }
    };
    let (site, post) = tokio::try_join!(db::site::site_info(pool, public_url), post)?;
    let (post_id, title, page_url, self_path) = match slug {
        Some(slug) => {
            // A protected post's comments are shown only to readers who gave its password.
            let Some(post) = post.filter(|post| !post.protected) else {
                return Ok(None);
            };
            let (id, post_title) = (post.id, post.title);
            let path = app::filter::post_href(slug);
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
    let comments = db::comments::newest_comments(pool, post_id, i64::from(FEED_LENGTH)).await?;
    let entries = comments
        .into_iter()
        .map(|comment| Entry {
            title: format!("{} on “{}”", comment.author_name, comment.post_title),
            url: format!(
                "{}{}#comment-{}",
                site.url,
                app::filter::post_href(&comment.post_slug),
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
    written(format, &feed).map(Some)
}

/// The feed of a listing, or `None` when the filter names something that does not exist.
async fn feed(
    pool: &PgPool,
    public_url: &str,
    format: Format,
    filter: &PostFilter,
) -> Result<Option<String>, AppError> {
    let (found, site) = tokio::try_join!(
        db::listings::find_page(pool, filter, 1, FEED_LENGTH),
        db::site::site_info(pool, public_url),
    )?;
    let Some(found) = found else {
        return Ok(None);
    };
    let mut bodies = db::posts::public_bodies(pool, &found.ids).await?;
    let entries = found
        .posts
        .iter()
        .map(|post| Entry {
            title: if post.title.is_empty() {
                "(untitled)".to_string()
            } else {
                post.title.clone()
            },
            url: format!("{}{}", site.url, app::filter::post_href(&post.slug)),
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
        title: feed_title(&site, &found.facets),
        description: if site.tagline.is_empty() {
            site.title.clone()
        } else {
            site.tagline.clone()
        },
        page_url: format!("{}{}", site.url, filter.href(1)),
        self_url: format!("{}{}", site.url, feed_path(filter, format)),
        entries,
    };
    written(format, &feed).map(Some)
}

/// The address of a listing's feed in `format`.
pub(crate) fn feed_path(filter: &PostFilter, format: Format) -> String {
    filter.feed_href().replacen("feed.xml", format.file(), 1)
}

fn feed_title(site: &SiteInfo, facets: &[Facet]) -> String {
    let parts: Vec<String> = facets
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

/// The feed written in `format`, or the server error (logged) of one that could not be written.
fn written(format: Format, feed: &Feed) -> Result<String, AppError> {
    let document = match format {
        Format::Rss => write_rss(feed).map_err(std::io::Error::other),
        Format::Atom => write_atom(feed).map_err(std::io::Error::other),
    };
    xml::written(document.and_then(|bytes| String::from_utf8(bytes).map_err(std::io::Error::other)))
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

/// The feed as RSS 2.0, with the full post in `content:encoded`, authors as `dc:creator` and its
/// own address as an `atom:link`.
fn write_rss(feed: &Feed) -> Result<Vec<u8>, rss::Error> {
    let items = feed
        .entries
        .iter()
        .map(|entry| rss::Item {
            title: Some(entry.title.clone()),
            link: Some(entry.url.clone()),
            guid: Some(rss::Guid {
                value: entry.url.clone(),
                permalink: true,
            }),
            pub_date: Some(entry.published.to_rfc2822()),
            dublin_core_ext: entry.author.clone().map(|author| DublinCoreExtension {
                creators: vec![author],
                ..DublinCoreExtension::default()
            }),
            categories: entry
                .categories
                .iter()
                .map(|name| rss::Category {
                    name: name.clone(),
                    domain: None,
                })
                .collect(),
            // Readers take an RSS description as HTML: the plain summary is escaped for it.
            description: Some(html::escape(&entry.summary)),
            content: Some(entry.content.clone()),
            ..rss::Item::default()
        })
        .collect();
    let channel = rss::Channel {
        title: feed.title.clone(),
        link: feed.page_url.clone(),
        description: feed.description.clone(),
        atom_ext: Some(AtomExtension {
            links: vec![Link {
                href: feed.self_url.clone(),
                rel: "self".to_string(),
                mime_type: Some("application/rss+xml".to_string()),
                ..Link::default()
            }],
        }),
        last_build_date: Some(feed.updated().to_rfc2822()),
        generator: Some(GENERATOR.to_string()),
        items,
        ..rss::Channel::default()
    };
    channel.pretty_write_to(Vec::new(), b' ', 2)
}

/// The feed as Atom 1.0, each entry's full post as HTML content.
fn write_atom(feed: &Feed) -> Result<Vec<u8>, atom::Error> {
    let link = |rel: &str, mime_type: &str, href: &str| Link {
        href: href.to_string(),
        rel: rel.to_string(),
        mime_type: Some(mime_type.to_string()),
        ..Link::default()
    };
    let person = |name: &str| atom::Person {
        name: name.to_string(),
        ..atom::Person::default()
    };
    let entries = feed
        .entries
        .iter()
        .map(|entry| atom::Entry {
            id: entry.url.clone(),
            title: atom::Text::plain(&entry.title),
            links: vec![link("alternate", "text/html", &entry.url)],
            published: Some(entry.published.fixed_offset()),
            updated: entry.published.fixed_offset(),
            authors: entry.author.iter().map(|name| person(name)).collect(),
            categories: entry
                .categories
                .iter()
                .map(|term| atom::Category {
                    term: term.clone(),
                    ..atom::Category::default()
                })
                .collect(),
            summary: Some(atom::Text::plain(&entry.summary)),
            content: Some(atom::Content {
                value: Some(entry.content.clone()),
                content_type: Some("html".to_string()),
                ..atom::Content::default()
            }),
            ..atom::Entry::default()
        })
        .collect();
    let document = atom::Feed {
        id: feed.self_url.clone(),
        title: atom::Text::plain(&feed.title),
        subtitle: Some(atom::Text::plain(&feed.description)),
        updated: feed.updated().fixed_offset(),
        links: vec![
            link("alternate", "text/html", &feed.page_url),
            link("self", "application/atom+xml", &feed.self_url),
        ],
        generator: Some(atom::Generator {
            value: GENERATOR.to_string(),
            ..atom::Generator::default()
        }),
        authors: vec![person(&feed.site_title)],
        entries,
        ..atom::Feed::default()
    };
    document.write_with_config(
        Vec::new(),
        atom::WriteConfig {
            write_document_declaration: true,
            indent_size: Some(2),
        },
    )
}
