//! Exporting the whole blog as a WordPress export (WXR 1.2): the way back out, to another
//! Fieldnotes or to WordPress. Authors, nested categories, tags, posts and pages of every status
//! with their dates, slugs, passwords and excerpts, and threaded comments with their status and
//! kind, written as WordPress's own exporter writes them, so that its importer takes the file.
//!
//! Times are written to the second, as WXR holds them. What WXR has no place for stays behind: accounts' passwords, roles and tokens, revisions and
//! uploaded images' bytes (a `pg_dump` through `fieldnotes exec` keeps those).
//!
//! The export reads one snapshot of the database and writes a batch of posts at a time, handing
//! each written piece to its caller: a file, standard output or a download.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::Poll;

use app::auth::SignedIn;
use app::db::export::{
    self, ExportedAuthor, ExportedCategory, ExportedComment, ExportedPost, ExportedTag,
};
use app::error::AppError;
use app::filter::{page_href, post_href};
use app::model::SiteInfo;
use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Extension, Router};
use chrono::{DateTime, TimeZone, Utc};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use sqlx::PgPool;

use crate::caching;
use crate::import::wxr::{LANGUAGE_META_KEY, WORDPRESS_DATE_FORMAT, is_xml_char};
use crate::import::{wordpress_comment_status, wordpress_post_status};
use crate::web::AppState;

/// Posts read and written at a time.
const BATCH: i64 = 200;

const NAMESPACES: [(&str, &str); 5] = [
    ("xmlns:excerpt", "http://wordpress.org/export/1.2/excerpt/"),
    ("xmlns:content", "http://purl.org/rss/1.0/modules/content/"),
    ("xmlns:wfw", "http://wellformedweb.org/CommentAPI/"),
    ("xmlns:dc", "http://purl.org/dc/elements/1.1/"),
    ("xmlns:wp", "http://wordpress.org/export/1.2/"),
];

/// What WordPress leaves unescaped in the slugs it stores: letters, digits, `-` and `_`.
const SLUG_ESCAPES: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_');

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot read the blog: {0}")]
    Database(#[from] sqlx::Error),
    #[error("cannot write the export: {0}")]
    Write(#[from] io::Error),
}

/// How much an export held.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExportSummary {
    pub authors: usize,
    pub categories: usize,
    pub tags: usize,
    pub posts: usize,
    pub pages: usize,
    pub comments: usize,
}

impl std::fmt::Display for ExportSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Exported {} authors, {} categories, {} tags, {} posts, {} pages and {} comments.",
            self.authors, self.categories, self.tags, self.posts, self.pages, self.comments
        )
    }
}

/// Where an export goes, a piece at a time.
pub trait ExportSink {
    fn write(&mut self, piece: Vec<u8>) -> impl Future<Output = io::Result<()>> + Send;
}

impl ExportSink for tokio::fs::File {
    async fn write(&mut self, piece: Vec<u8>) -> io::Result<()> {
        tokio::io::AsyncWriteExt::write_all(self, &piece).await
    }
}

impl ExportSink for io::Stdout {
    async fn write(&mut self, piece: Vec<u8>) -> io::Result<()> {
        io::Write::write_all(self, &piece)
    }
}

/// A download: the pieces go to the response's body.
impl ExportSink for tokio::sync::mpsc::Sender<io::Result<Vec<u8>>> {
    async fn write(&mut self, piece: Vec<u8>) -> io::Result<()> {
        self.send(Ok(piece))
            .await
            .map_err(|_| io::Error::other("the download was abandoned"))
    }
}

/// Writes the blog published at `public_url` as WXR 1.2 to `sink`, in pieces as they are
/// written.
pub async fn export_wxr(
    pool: &PgPool,
    public_url: &str,
    sink: &mut impl ExportSink,
) -> Result<ExportSummary, ExportError> {
    let mut snapshot = export::snapshot(pool).await?;
    let site = app::db::site::site_info(&mut *snapshot, public_url).await?;
    let authors = export::exported_authors(&mut snapshot).await?;
    let categories = export::exported_categories(&mut snapshot).await?;
    let tags = export::exported_tags(&mut snapshot).await?;
    let mut summary = ExportSummary {
        authors: authors.len(),
        categories: categories.len(),
        tags: tags.len(),
        ..ExportSummary::default()
    };
    let mut out = Writer::new_with_indent(Vec::new(), b'\t', 1);
    write_head(&mut out, &site, &authors, &categories, &tags)?;
    sink.write(std::mem::take(out.get_mut())).await?;
    let mut after = 0;
    loop {
        let posts = export::exported_posts(&mut snapshot, after, BATCH).await?;
        let Some(last) = posts.last() else { break };
        after = last.id;
        let ids: Vec<i64> = posts.iter().map(|post| post.id).collect();
        let comments = export::exported_comments(&mut snapshot, &ids).await?;
        for post in &posts {
            let own: Vec<&ExportedComment> = comments
                .iter()
                .filter(|comment| comment.post_id == post.id)
                .collect();
            write_item(&mut out, &site, post, &own)?;
            if post.kind == "page" {
                summary.pages += 1;
            } else {
                summary.posts += 1;
            }
            summary.comments += own.len();
        }
        sink.write(std::mem::take(out.get_mut())).await?;
    }
    out.write_event(Event::End(BytesEnd::new("channel")))?;
    out.write_event(Event::End(BytesEnd::new("rss")))?;
    out.get_mut().push(b'\n');
    sink.write(out.into_inner()).await?;
    snapshot.commit().await?;
    Ok(summary)
}

/// The admins' download of the export, from the dashboard.
pub fn routes() -> Router<AppState> {
    Router::new().route("/dashboard/export", post(download))
}

/// Sends the export as it is written. Should it fail half-way, the download is broken off
/// rather than ended, so that the browser reports it failed instead of keeping half a blog.
async fn download(
    State(state): State<AppState>,
    signed_in: Option<Extension<SignedIn>>,
) -> Result<Response, AppError> {
    let Some(Extension(SignedIn(account))) = signed_in else {
        return Err(AppError::Unauthorized(
            "please sign in to export the blog".to_string(),
        ));
    };
    if !account.is_admin() {
        return Err(AppError::Forbidden(
            "only administrators can export the blog".to_string(),
        ));
    }
    let (mut sender, mut receiver) = tokio::sync::mpsc::channel::<io::Result<Vec<u8>>>(4);
    // Set once the whole export was handed over: a writer that ends any other way (an error, a
    // panic) breaks the download off.
    let finished = Arc::new(AtomicBool::new(false));
    let whole = finished.clone();
    tokio::spawn(async move {
        let exported = export_wxr(&state.pool, &state.public_url, &mut sender).await;
        match exported {
            Ok(summary) => {
                whole.store(true, Ordering::Release);
                tracing::info!(%summary, by = account.id, "blog exported");
            }
            Err(error) => {
                tracing::error!(%error, "the export failed");
                let _ = sender
                    .send(Err(io::Error::other("the export failed")))
                    .await;
            }
        }
    });
    let mut broken_off = false;
    let pieces = futures_util::stream::poll_fn(move |context| {
        if broken_off {
            return Poll::Ready(None);
        }
        match receiver.poll_recv(context) {
            Poll::Ready(None) if !finished.load(Ordering::Acquire) => {
                broken_off = true;
                Poll::Ready(Some(Err(io::Error::other("the export broke off"))))
            }
            polled => polled,
        }
    });
    let disposition = format!("attachment; filename=\"{}\"", file_name(chrono::Utc::now()));
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/xml; charset=utf-8".to_string(),
            ),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, caching::PRIVATE.to_string()),
        ],
        Body::from_stream(pieces),
    )
        .into_response())
}

type Out = Writer<Vec<u8>>;

fn write_head(
    out: &mut Out,
    site: &SiteInfo,
    authors: &[ExportedAuthor],
    categories: &[ExportedCategory],
    tags: &[ExportedTag],
) -> io::Result<()> {
    out.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    out.write_event(Event::Comment(BytesText::from_escaped(
        " A WordPress eXtended RSS file (WXR 1.2) written by Fieldnotes: import it with WordPress's \
         importer (Tools → Import → WordPress) or with `fieldnotes import`. ",
    )))?;
    let mut rss = BytesStart::new("rss").with_attributes([("version", "2.0")]);
    rss.extend_attributes(NAMESPACES);
    out.write_event(Event::Start(rss))?;
    out.write_event(Event::Start(BytesStart::new("channel")))?;
    text(out, "title", &site.title)?;
    text(out, "link", &site.url)?;
    text(out, "description", &site.tagline)?;
    text(out, "pubDate", &Utc::now().to_rfc2822())?;
    text(out, "language", &site.language)?;
    text(out, "wp:wxr_version", "1.2")?;
    text(out, "wp:base_site_url", &site.url)?;
    text(out, "wp:base_blog_url", &site.url)?;
    for author in authors {
        element(out, "wp:author", |out| {
            text(out, "wp:author_id", &author.id.to_string())?;
            cdata(out, "wp:author_login", &author.login)?;
            cdata(
                out,
                "wp:author_email",
                author.email.as_deref().unwrap_or_default(),
            )?;
            cdata(out, "wp:author_display_name", &author.display_name)?;
            cdata(out, "wp:author_first_name", "")?;
            cdata(out, "wp:author_last_name", "")
        })?;
    }
    for category in categories {
        element(out, "wp:category", |out| {
            text(out, "wp:term_id", &category.id.to_string())?;
            cdata(out, "wp:category_nicename", &wordpress_slug(&category.slug))?;
            cdata(
                out,
                "wp:category_parent",
                &category
                    .parent_slug
                    .as_deref()
                    .map(wordpress_slug)
                    .unwrap_or_default(),
            )?;
            cdata(out, "wp:cat_name", &category.name)?;
            cdata(out, "wp:category_description", &category.description)
        })?;
    }
    for tag in tags {
        element(out, "wp:tag", |out| {
            text(out, "wp:term_id", &tag.id.to_string())?;
            cdata(out, "wp:tag_slug", &wordpress_slug(&tag.slug))?;
            cdata(out, "wp:tag_name", &tag.name)?;
            cdata(out, "wp:tag_description", &tag.description)
        })?;
    }
    text(out, "generator", "Fieldnotes")
}

fn write_item(
    out: &mut Out,
    site: &SiteInfo,
    post: &ExportedPost,
    comments: &[&ExportedComment],
) -> io::Result<()> {
    let href = if post.kind == "page" {
        page_href(&post.slug)
    } else {
        post_href(&post.slug)
    };
    let link = format!("{}{href}", site.url);
    element(out, "item", |out| {
        text(out, "title", &post.title)?;
        text(out, "link", &link)?;
        if let Some(published_at) = post.published_at {
            text(out, "pubDate", &published_at.to_rfc2822())?;
        }
        cdata(
            out,
            "dc:creator",
            post.author_login.as_deref().unwrap_or_default(),
        )?;
        out.create_element("guid")
            .with_attribute(("isPermaLink", "false"))
            .write_text_content(BytesText::new(&xml_text(
                post.wp_guid
                    .as_deref()
                    .filter(|guid| !guid.is_empty())
                    .unwrap_or(&link),
            )))?;
        text(out, "description", "")?;
        cdata(out, "content:encoded", &post.body_html)?;
        cdata(out, "excerpt:encoded", &post.excerpt)?;
        text(out, "wp:post_id", &post.id.to_string())?;
        // A draft never given a date keeps WordPress's "floating" date: unset in GMT, and when
        // it was begun in the site's time.
        cdata(
            out,
            "wp:post_date",
            &site_date(post.published_at.unwrap_or(post.created_at), site),
        )?;
        cdata(
            out,
            "wp:post_date_gmt",
            &post
                .published_at
                .map_or_else(|| "0000-00-00 00:00:00".to_string(), wordpress_date),
        )?;
        cdata(out, "wp:post_modified", &site_date(post.updated_at, site))?;
        cdata(
            out,
            "wp:post_modified_gmt",
            &wordpress_date(post.updated_at),
        )?;
        cdata(out, "wp:comment_status", &post.comment_status)?;
        cdata(out, "wp:ping_status", "closed")?;
        cdata(out, "wp:post_name", &wordpress_slug(&post.slug))?;
        cdata(out, "wp:status", wordpress_post_status(&post.status))?;
        text(
            out,
            "wp:post_parent",
            &post.parent_id.unwrap_or(0).to_string(),
        )?;
        text(out, "wp:menu_order", &post.menu_order.to_string())?;
        cdata(out, "wp:post_type", &post.kind)?;
        cdata(
            out,
            "wp:post_password",
            post.password.as_deref().unwrap_or_default(),
        )?;
        text(out, "wp:is_sticky", if post.is_sticky { "1" } else { "0" })?;
        let terms = post
            .categories
            .iter()
            .map(|term| ("category", term))
            .chain(post.tags.iter().map(|term| ("post_tag", term)));
        for (domain, (slug, name)) in terms {
            let nicename = wordpress_slug(slug);
            out.create_element("category")
                .with_attributes([("domain", domain), ("nicename", nicename.as_str())])
                .write_inner_content(|out| write_cdata(out, name))?;
        }
        if let Some(language) = &post.language {
            element(out, "wp:postmeta", |out| {
                cdata(out, "wp:meta_key", LANGUAGE_META_KEY)?;
                cdata(out, "wp:meta_value", language)
            })?;
        }
        for comment in comments {
            write_comment(out, site, comment)?;
        }
        Ok(())
    })
}

fn write_comment(out: &mut Out, site: &SiteInfo, comment: &ExportedComment) -> io::Result<()> {
    element(out, "wp:comment", |out| {
        text(out, "wp:comment_id", &comment.id.to_string())?;
        cdata(out, "wp:comment_author", &comment.author_name)?;
        cdata(out, "wp:comment_author_email", &comment.author_email)?;
        text(out, "wp:comment_author_url", &comment.author_url)?;
        cdata(out, "wp:comment_author_IP", &comment.author_ip)?;
        cdata(out, "wp:comment_date", &site_date(comment.created_at, site))?;
        cdata(
            out,
            "wp:comment_date_gmt",
            &wordpress_date(comment.created_at),
        )?;
        cdata(out, "wp:comment_content", &comment.body)?;
        cdata(
            out,
            "wp:comment_approved",
            wordpress_comment_status(&comment.status),
        )?;
        cdata(out, "wp:comment_type", &comment.kind)?;
        text(
            out,
            "wp:comment_parent",
            &comment.parent_id.unwrap_or(0).to_string(),
        )?;
        text(
            out,
            "wp:comment_user_id",
            &comment.user_id.unwrap_or(0).to_string(),
        )
    })
}

fn element(
    out: &mut Out,
    name: &str,
    content: impl FnOnce(&mut Out) -> io::Result<()>,
) -> io::Result<()> {
    out.create_element(name).write_inner_content(content)?;
    Ok(())
}

/// `<name>text</name>`, the text escaped.
fn text(out: &mut Out, name: &str, value: &str) -> io::Result<()> {
    out.create_element(name)
        .write_text_content(BytesText::new(&xml_text(value)))?;
    Ok(())
}

/// `<name><![CDATA[text]]></name>`, as WordPress writes HTML and names.
fn cdata(out: &mut Out, name: &str, value: &str) -> io::Result<()> {
    out.create_element(name)
        .write_inner_content(|out| write_cdata(out, value))?;
    Ok(())
}

/// Text as CDATA sections, split where it holds `]]>`, as WordPress splits them. (Written as
/// text already escaped, so that the indenting writer adds no white space around it.)
fn write_cdata(out: &mut Out, value: &str) -> io::Result<()> {
    let sections = format!(
        "<![CDATA[{}]]>",
        xml_text(value).replace("]]>", "]]]]><![CDATA[>")
    );
    out.write_event(Event::Text(BytesText::from_escaped(sections)))
}

/// The text without the few control characters an XML document cannot hold at all.
fn xml_text(value: &str) -> std::borrow::Cow<'_, str> {
    if value.chars().all(is_xml_char) {
        value.into()
    } else {
        value
            .chars()
            .filter(|&c| is_xml_char(c))
            .collect::<String>()
            .into()
    }
}

fn wordpress_date<Zone: TimeZone>(date: DateTime<Zone>) -> String
where
    Zone::Offset: std::fmt::Display,
{
    date.format(WORDPRESS_DATE_FORMAT).to_string()
}

/// A date as WordPress writes it in the site's time zone.
fn site_date(date: DateTime<Utc>, site: &SiteInfo) -> String {
    wordpress_date(site.zone.local(date))
}

/// A slug as WordPress stores it: letters of other scripts percent-encoded, in lower case.
fn wordpress_slug(slug: &str) -> String {
    utf8_percent_encode(slug, SLUG_ESCAPES)
        .to_string()
        .to_lowercase()
}

/// The name of a download of the export made on `day`.
pub fn file_name(day: DateTime<Utc>) -> String {
    format!("fieldnotes-{}.xml", day.format("%Y-%m-%d"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_written_as_wordpress_stores_them() {
        assert_eq!(wordpress_slug("field-notes_2009"), "field-notes_2009");
        assert_eq!(wordpress_slug("慈溪"), "%e6%85%88%e6%ba%aa");
    }

    #[test]
    fn cdata_survives_its_own_end_marker() {
        let mut out = Writer::new_with_indent(Vec::new(), b'\t', 1);
        element(&mut out, "item", |out| cdata(out, "x", "a ]]> b\u{1}")).unwrap();
        assert_eq!(
            String::from_utf8(out.into_inner()).unwrap(),
            "<item>\n\t<x><![CDATA[a ]]]]><![CDATA[> b]]></x>\n</item>"
        );
    }
}
