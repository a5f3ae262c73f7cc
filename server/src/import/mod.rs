//! Importing WordPress exports: authors, categories, tags, posts, pages and comments, in one
//! transaction, so that a file that fails half-way leaves the blog as it was.
//!
//! Every imported row remembers the site and WordPress id it came from; importing the same export
//! again updates those rows instead of adding new ones.

mod links;
pub mod wxr;

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt;
use std::io::BufRead;

use app::db::comments::ImportedComment;
use app::db::posts::{ImportedPost, OldAddress};
use app::db::{self, Upserted};
use app::slug::slugify;
use chrono::{DateTime, NaiveDateTime, Utc};
use sqlx::{PgConnection, PgPool};

use wxr::{Author, Category, Channel, Comment, Item, Record, Tag, WxrError, WxrReader};

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("the file was not imported, nothing was changed: {0}")]
    Wxr(#[from] WxrError),
    #[error("the import failed, nothing was changed: {0}")]
    Database(#[from] sqlx::Error),
}

/// How many of one kind of thing an import added, updated and left out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub imported: u64,
    pub updated: u64,
    pub skipped: u64,
}

impl Tally {
    fn count(&mut self, upserted: Upserted) {
        match upserted {
            Upserted::Inserted(_) => self.imported += 1,
            Upserted::Updated(_) => self.updated += 1,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub site_title: String,
    pub authors: Tally,
    pub categories: Tally,
    pub tags: Tally,
    pub posts: Tally,
    pub pages: Tally,
    pub comments: Tally,
    /// Media library entries: their files are not part of the export.
    pub attachments: u64,
    pub menu_items: u64,
    /// Items of other kinds (reusable blocks, custom post types…).
    pub other_items: u64,
    /// Posts and pages whose links to the old site were rewritten to addresses here.
    pub rewritten_links: u64,
}

impl fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Imported “{}”:", self.site_title)?;
        let rows = [
            ("authors", self.authors),
            ("categories", self.categories),
            ("tags", self.tags),
            ("posts", self.posts),
            ("pages", self.pages),
            ("comments", self.comments),
        ];
        for (name, tally) in rows {
            writeln!(
                f,
                "  {name:<11}{:>7} new {:>7} updated {:>7} skipped",
                tally.imported, tally.updated, tally.skipped
            )?;
        }
        writeln!(
            f,
            "  links to the old site rewritten in {} posts and pages (as imported in their revisions)",
            self.rewritten_links
        )?;
        write!(
            f,
            "  not imported: {} attachments, {} menu items, {} other items",
            self.attachments, self.menu_items, self.other_items
        )
    }
}

/// Imports a whole export in one transaction. `on_progress` hears how many bytes have been read.
pub async fn import_wxr(
    pool: &PgPool,
    source: impl BufRead,
    mut on_progress: impl FnMut(u64),
) -> Result<ImportSummary, ImportError> {
    let mut reader = WxrReader::new(source);
    let mut tx = pool.begin().await?;
    db::listings::defer_listing_refreshes(&mut tx).await?;
    let blog_was_empty = !db::posts::any_posts(&mut *tx).await?;
    let mut import = Import::new(&mut tx);
    while let Some(record) = reader.next_record()? {
        match record {
            Record::Author(author) => import.author(&author).await?,
            Record::Category(category) => import.category(&category).await?,
            Record::Tag(tag) => import.tag(&tag).await?,
            Record::Item(item) => import.item(reader.channel(), &item).await?,
        }
        on_progress(reader.bytes_read());
    }
    let channel = reader.channel();
    let summary = import.finish(channel).await?;
    if blog_was_empty && !channel.title.trim().is_empty() {
        db::site::set_site_info(
            &mut *tx,
            Some(channel.title.trim()),
            Some(channel.description.trim()),
        )
        .await?;
    }
    tx.commit().await?;
    crate::metrics::import_finished(&summary);
    Ok(summary)
}

/// The state of an import between records.
struct Import<'c> {
    conn: &'c mut PgConnection,
    summary: ImportSummary,
    /// User ids by WordPress login.
    authors: HashMap<String, i64>,
    /// User ids by WordPress author id, for the comments people wrote while signed in.
    author_ids: HashMap<i64, i64>,
    /// Categories and the slugs of their parents, filed once all categories exist.
    category_parents: Vec<(String, String)>,
    /// Pages and the WordPress ids of their parents, linked once all items exist.
    page_parents: Vec<(i64, i64)>,
    /// Comments that came in an item of their own, apart from their post's.
    stray_comments: Vec<(i64, Vec<Comment>)>,
    /// Every post written, whose listings are refreshed once at the end.
    touched: Vec<i64>,
}

impl<'c> Import<'c> {
    fn new(conn: &'c mut PgConnection) -> Self {
        Self {
            conn,
            summary: ImportSummary::default(),
            authors: HashMap::new(),
            author_ids: HashMap::new(),
            category_parents: Vec::new(),
            page_parents: Vec::new(),
            stray_comments: Vec::new(),
            touched: Vec::new(),
        }
    }

    async fn author(&mut self, author: &Author) -> sqlx::Result<()> {
        let login = login(&author.login);
        if login.is_empty() {
            self.summary.authors.skipped += 1;
            return Ok(());
        }
        let upserted = self
            .upsert_author(&login, &author.display_name, &author.email)
            .await?;
        if let Some(wp_author_id) = author.id {
            self.author_ids.insert(wp_author_id, upserted.id());
        }
        self.summary.authors.count(upserted);
        Ok(())
    }

    async fn upsert_author(
        &mut self,
        login: &str,
        display_name: &str,
        email: &str,
    ) -> sqlx::Result<Upserted> {
        // A login may be an e-mail address, which must not be shown: its local part stands in.
        let public = login.split('@').next().unwrap_or_default();
        let name = if display_name.trim().is_empty() || display_name.contains('@') {
            public
        } else {
            display_name.trim()
        };
        let slug = Some(slugify(public))
            .filter(|slug| !slug.is_empty())
            .unwrap_or_else(|| "author".to_string());
        let email = Some(email.trim()).filter(|email| !email.is_empty());
        let upserted =
            db::users::upsert_imported_author(self.conn, login, email, name, &slug).await?;
        self.authors.insert(login.to_string(), upserted.id());
        Ok(upserted)
    }

    async fn category(&mut self, category: &Category) -> sqlx::Result<()> {
        let Some(slug) = term_slug(&category.slug, &category.name) else {
            self.summary.categories.skipped += 1;
            return Ok(());
        };
        let name = display_name(&category.name, &slug);
        let upserted =
            db::terms::upsert_category(self.conn, &slug, &name, category.description.trim())
                .await?;
        self.summary.categories.count(upserted);
        if let Some(parent) = category
            .parent
            .as_deref()
            .and_then(|parent| term_slug(parent, ""))
        {
            self.category_parents.push((slug, parent));
        }
        Ok(())
    }

    async fn tag(&mut self, tag: &Tag) -> sqlx::Result<()> {
        let Some(slug) = term_slug(&tag.slug, &tag.name) else {
            self.summary.tags.skipped += 1;
            return Ok(());
        };
        let name = display_name(&tag.name, &slug);
        let upserted =
            db::terms::upsert_tag(self.conn, &slug, &name, tag.description.trim()).await?;
        self.summary.tags.count(upserted);
        Ok(())
    }

    async fn item(&mut self, channel: &Channel, item: &Item) -> sqlx::Result<()> {
        let kind = match item.post_type.as_str() {
            "post" => "post",
            "page" => "page",
            "attachment" => {
                self.summary.attachments += 1;
                return Ok(());
            }
            "nav_menu_item" => {
                self.summary.menu_items += 1;
                return Ok(());
            }
            "" if !item.comments.is_empty() && item.post_id.is_some() => {
                self.stray_comments
                    .extend(item.post_id.map(|id| (id, item.comments.clone())));
                return Ok(());
            }
            _ => {
                self.summary.other_items += 1;
                return Ok(());
            }
        };
        let Some(wp_post_id) = item.post_id else {
            self.tally(kind).skipped += 1;
            return Ok(());
        };
        let wp_site = site_key(channel);
        let author_id = self.item_author(&item.creator).await?;
        let slug = item_slug(item, kind, wp_post_id);
        let published_at = published_at(item, post_status(&item.status));
        // A post published with a date still to come appears then, as a scheduled one does.
        let status = match post_status(&item.status) {
            "published" if published_at.is_some_and(|date| date > Utc::now()) => "scheduled",
            status => status,
        };
        let body_html = app::html::clean_body(&item.content);
        let wp_path = wordpress_path(&item.link);
        // The language Fieldnotes noted, else the one most of the text is written in.
        let language = item
            .language
            .as_deref()
            .and_then(|language| app::settings::language_tag(language).ok())
            .or_else(|| app::html::written_language(&body_html).map(str::to_string));
        let post = ImportedPost {
            kind,
            slug: &slug,
            title: item.title.trim(),
            body_html: &body_html,
            excerpt: &item.excerpt,
            status,
            published_at,
            updated_at: item
                .modified_gmt
                .map(|date| date.and_utc())
                .or(published_at)
                .unwrap_or_else(Utc::now),
            author_id,
            comment_status: if item.comment_status.trim() == "closed" {
                "closed"
            } else {
                "open"
            },
            menu_order: item.menu_order,
            is_sticky: item.is_sticky,
            wp_site,
            wp_post_id,
            wp_guid: item.guid.trim(),
            wp_path: wp_path.as_deref(),
            password: Some(item.post_password.as_str()).filter(|password| !password.is_empty()),
            language: language.as_deref(),
        };
        let upserted = db::posts::upsert_imported_post(self.conn, &post).await?;
        self.tally(kind).count(upserted);
        let post_id = upserted.id();
        self.touched.push(post_id);
        db::search::index_post(self.conn, post_id).await?;
        let images = app::html::media_references(&body_html);
        db::media::record_post_media(self.conn, post_id, &images, None).await?;
        if let Some(parent) = item.post_parent {
            self.page_parents.push((post_id, parent));
        }
        self.file_post(post_id, item).await?;
        self.comments(post_id, published_at, &item.comments).await
    }

    fn tally(&mut self, kind: &str) -> &mut Tally {
        if kind == "page" {
            &mut self.summary.pages
        } else {
            &mut self.summary.posts
        }
    }

    /// The user behind an item's `dc:creator`; a login the export did not list becomes an author.
    async fn item_author(&mut self, creator: &str) -> sqlx::Result<Option<i64>> {
        let login = login(creator);
        if login.is_empty() {
            return Ok(None);
        }
        if let Some(id) = self.authors.get(&login) {
            return Ok(Some(*id));
        }
        let upserted = self.upsert_author(&login, &login, "").await?;
        self.summary.authors.count(upserted);
        Ok(Some(upserted.id()))
    }

    /// Files a post under its categories and tags, creating those the export did not declare (as
    /// WordPress does: exports are seen whose posts use tags missing from the list at the top).
    async fn file_post(&mut self, post_id: i64, item: &Item) -> sqlx::Result<()> {
        let mut categories = (Vec::new(), Vec::new());
        let mut tags = (Vec::new(), Vec::new());
        for term in &item.terms {
            let Some(slug) = term_slug(&term.slug, &term.name) else {
                continue;
            };
            let name = display_name(&term.name, &slug);
            let (slugs, names) = match term.domain.as_str() {
                "category" => &mut categories,
                "post_tag" => &mut tags,
                _ => continue,
            };
            slugs.push(slug);
            names.push(name);
        }
        let (category_ids, created) =
            db::terms::ensure_categories(self.conn, &categories.0, &categories.1).await?;
        self.summary.categories.imported += created;
        db::posts::set_post_categories(self.conn, post_id, &category_ids).await?;
        let (tag_ids, created) = db::terms::ensure_tags(self.conn, &tags.0, &tags.1).await?;
        self.summary.tags.imported += created;
        db::posts::set_post_tags(self.conn, post_id, &tag_ids).await
    }

    async fn comments(
        &mut self,
        post_id: i64,
        post_published_at: Option<DateTime<Utc>>,
        comments: &[Comment],
    ) -> sqlx::Result<()> {
        for comment in comments {
            let Some(wp_comment_id) = comment.id else {
                self.summary.comments.skipped += 1;
                continue;
            };
            let created_at = utc(comment.date_gmt)
                .or(utc(comment.date))
                .or(post_published_at)
                .unwrap_or_else(Utc::now);
            let imported = ImportedComment {
                post_id,
                wp_comment_id,
                user_id: comment
                    .user_id
                    .and_then(|wp_author_id| self.author_ids.get(&wp_author_id).copied()),
                author_name: comment.author.trim(),
                author_email: comment.author_email.trim(),
                author_url: comment.author_url.trim(),
                author_ip: comment.author_ip.trim(),
                body: &comment.content,
                status: comment_status(&comment.approved),
                kind: comment_kind(&comment.kind),
                created_at,
            };
            let upserted = db::comments::upsert_imported_comment(self.conn, &imported).await?;
            self.summary.comments.count(upserted);
        }
        for comment in comments {
            if let (Some(id), Some(parent)) = (comment.id, comment.parent) {
                db::comments::link_imported_reply(self.conn, post_id, id, parent).await?;
            }
        }
        Ok(())
    }

    /// Links what could only be linked once everything was read: nested categories, pages'
    /// parents, and comments that came apart from their post.
    async fn finish(mut self, channel: &Channel) -> sqlx::Result<ImportSummary> {
        for (slug, parent) in std::mem::take(&mut self.category_parents) {
            if !db::terms::set_category_parent(self.conn, &slug, &parent).await? {
                tracing::warn!(category = %slug, %parent, "category parent not found or circular; left unnested");
            }
        }
        let wp_site = site_key(channel);
        for (post_id, parent) in std::mem::take(&mut self.page_parents) {
            db::posts::link_imported_parent(self.conn, post_id, wp_site, parent).await?;
        }
        for (wp_post_id, comments) in std::mem::take(&mut self.stray_comments) {
            match db::posts::find_imported_post(self.conn, wp_site, wp_post_id).await? {
                Some(post_id) => self.comments(post_id, None, &comments).await?,
                None => self.summary.comments.skipped += comments.len() as u64,
            }
        }
        self.rewrite_links(wp_site, &links::OldSite::of(channel))
            .await?;
        db::listings::refresh_listings(self.conn, &self.touched).await?;
        self.summary.site_title = channel.title.trim().to_string();
        Ok(self.summary)
    }
}

impl Import<'_> {
    /// Points the links of the imported bodies that lead to the old site's posts, pages and
    /// archives at their addresses here, once every post is in.
    async fn rewrite_links(&mut self, wp_site: &str, site: &links::OldSite) -> sqlx::Result<()> {
        const BATCH: usize = 500;
        let mut new_addresses: HashMap<String, Option<String>> = HashMap::new();
        let touched = std::mem::take(&mut self.touched);
        for ids in touched.chunks(BATCH) {
            for (post_id, body) in db::posts::bodies_with_links(self.conn, ids).await? {
                for href in links::hrefs(&body) {
                    if let Entry::Vacant(unknown) = new_addresses.entry(href) {
                        let address = self.new_address(wp_site, site, unknown.key()).await?;
                        unknown.insert(address);
                    }
                }
                if let Some(body) = links::rewrite(&body, &new_addresses) {
                    db::posts::rewrite_imported_body(self.conn, post_id, &body).await?;
                    db::search::index_post(self.conn, post_id).await?;
                    self.summary.rewritten_links += 1;
                }
            }
        }
        self.touched = touched;
        Ok(())
    }

    /// Where a link of an imported body leads here, when it leads to one of the old site's
    /// posts, pages or archives.
    async fn new_address(
        &mut self,
        wp_site: &str,
        site: &links::OldSite,
        href: &str,
    ) -> sqlx::Result<Option<String>> {
        let Some(link) = site.target(href) else {
            return Ok(None);
        };
        let wordpress_id = link
            .query
            .as_deref()
            .filter(|_| link.blog_path == "/")
            .and_then(crate::old_addresses::wordpress_post_id);
        let path = wordpress_path(&link.path);
        let old = match (wordpress_id, path.as_deref()) {
            (Some(id), _) => Some(OldAddress::WordPressId(id)),
            (None, Some(path)) => Some(OldAddress::Path(path)),
            (None, None) => None,
        };
        let moved = match old {
            Some(old) => db::posts::moved_post(&mut *self.conn, old, Some(wp_site)).await?,
            None => None,
        };
        let address = match moved {
            Some(moved) => Some(crate::old_addresses::post_address(&moved)),
            // Other queries (a search, WordPress's ?cat=) have no address here.
            None if link.query.is_none() => crate::old_addresses::archive_address(&link.blog_path),
            None => None,
        };
        Ok(address.map(|address| address + &link.fragment))
    }
}

/// What identifies the exporting site, so that ids from different sites never meet.
fn site_key(channel: &Channel) -> &str {
    [
        &channel.base_blog_url,
        &channel.link,
        &channel.base_site_url,
    ]
    .into_iter()
    .map(|url| url.trim())
    .find(|url| !url.is_empty())
    .unwrap_or("")
}

/// A WordPress login as WordPress itself cleans it: letters, digits and ` _.-@` only (exports
/// are seen with stray markup around logins).
fn login(raw: &str) -> String {
    raw.chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '_' | '.' | '-' | '@'))
        .collect::<String>()
        .trim()
        .to_string()
}

/// WordPress's post statuses and ours, both ways; any other (pending, auto-draft…) is a draft.
const POST_STATUSES: [(&str, &str); 5] = [
    ("publish", "published"),
    ("future", "scheduled"),
    ("private", "private"),
    ("trash", "trash"),
    ("draft", "draft"),
];

/// WordPress's `wp:comment_approved` values and our comment statuses, both ways.
const COMMENT_STATUSES: [(&str, &str); 4] = [
    ("1", "approved"),
    ("spam", "spam"),
    ("trash", "trash"),
    ("0", "pending"),
];

fn post_status(status: &str) -> &'static str {
    POST_STATUSES
        .iter()
        .find(|(wordpress, _)| *wordpress == status.trim())
        .map_or("draft", |(_, ours)| ours)
}

pub fn wordpress_post_status(status: &str) -> &'static str {
    POST_STATUSES
        .iter()
        .find(|(_, ours)| *ours == status)
        .map_or("draft", |(wordpress, _)| wordpress)
}

fn comment_status(approved: &str) -> &'static str {
    let approved = match approved.trim() {
        "approve" => "1",
        "post-trashed" => "trash",
        other => other,
    };
    COMMENT_STATUSES
        .iter()
        .find(|(wordpress, _)| *wordpress == approved)
        .map_or("pending", |(_, ours)| ours)
}

pub fn wordpress_comment_status(status: &str) -> &'static str {
    COMMENT_STATUSES
        .iter()
        .find(|(_, ours)| *ours == status)
        .map_or("0", |(wordpress, _)| wordpress)
}

fn comment_kind(kind: &str) -> &'static str {
    match kind.trim() {
        "pingback" => "pingback",
        "trackback" => "trackback",
        _ => "comment",
    }
}

fn utc(date: Option<NaiveDateTime>) -> Option<DateTime<Utc>> {
    date.map(|date| date.and_utc())
}

/// When the post appeared (or will): its GMT date, else the RSS date (which has a time zone),
/// else its local date read as UTC. Posts that are shown need a date, so one without any is dated
/// now. A draft has a date only when its GMT date is set: WordPress leaves it unset ("floating")
/// until someone picks one, and the local date is then only when the draft was begun.
fn published_at(item: &Item, status: &str) -> Option<DateTime<Utc>> {
    if status == "draft" {
        return utc(item.post_date_gmt);
    }
    utc(item.post_date_gmt)
        .or(item.pub_date.map(|date| date.with_timezone(&Utc)))
        .or(utc(item.post_date))
        .or_else(|| (status != "draft" && status != "trash").then(Utc::now))
}

/// The item's own slug (WordPress stores Unicode slugs percent-encoded), or one made from its
/// title, or, for an untitled item, from its kind and id.
fn item_slug(item: &Item, kind: &str, wp_post_id: i64) -> String {
    [
        slugify(&percent_decode(&item.post_name)),
        slugify(&item.title),
    ]
    .into_iter()
    .find(|slug| !slug.is_empty())
    .unwrap_or_else(|| format!("{kind}-{wp_post_id}"))
}

fn term_slug(raw_slug: &str, name: &str) -> Option<String> {
    [slugify(&percent_decode(raw_slug)), slugify(name)]
        .into_iter()
        .find(|slug| !slug.is_empty())
}

fn display_name(name: &str, slug: &str) -> String {
    let name = name.trim();
    if name.is_empty() {
        slug.to_string()
    } else {
        name.to_string()
    }
}

/// Decodes `%e6%85%88` sequences; text that does not decode to UTF-8 is kept as it is.
fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .map_or_else(|_| text.to_string(), |decoded| decoded.into_owned())
}

/// The path of a permalink (`https://example.org/2009/04/19/some-post/`), percent-decoded and
/// without its trailing slash; `None` for a link with no path of its own, such as `/?p=12`.
pub fn wordpress_path(link: &str) -> Option<String> {
    let after_scheme = link
        .trim()
        .split_once("://")
        .map_or(link.trim(), |(_, rest)| rest);
    let path = after_scheme
        .find('/')
        .map_or("", |start| &after_scheme[start..]);
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let path = percent_decode(path.trim_end_matches('/'));
    (!path.is_empty()).then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encoded_slugs_are_decoded() {
        assert_eq!(percent_decode("%e6%85%88%e6%ba%aa"), "慈溪");
        assert_eq!(percent_decode("plain-slug"), "plain-slug");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%ff%fe"), "%ff%fe");
    }

    #[test]
    fn permalinks_keep_their_paths() {
        let path = |link| wordpress_path(link);
        assert_eq!(
            path("https://example.org/2009/04/19/some-post/").as_deref(),
            Some("/2009/04/19/some-post")
        );
        assert_eq!(path("http://example.org/about").as_deref(), Some("/about"));
        assert_eq!(
            path("https://example.org/%e6%85%88%e6%ba%aa/").as_deref(),
            Some("/慈溪")
        );
        assert_eq!(
            path("https://example.org/blog/a-post/#more").as_deref(),
            Some("/blog/a-post")
        );
        assert_eq!(path("https://example.org/?p=12"), None);
        assert_eq!(path("https://example.org"), None);
        assert_eq!(path(""), None);
    }

    #[test]
    fn logins_are_cleaned_as_wordpress_cleans_them() {
        assert_eq!(login(">themereviewteam"), "themereviewteam");
        assert_eq!(login(" themereviewteam> "), "themereviewteam");
        assert_eq!(login("jane.doe@example.org"), "jane.doe@example.org");
        assert_eq!(login("<>"), "");
    }

    #[test]
    fn wordpress_statuses_map_to_ours() {
        assert_eq!(post_status("publish"), "published");
        assert_eq!(post_status("future"), "scheduled");
        assert_eq!(post_status("pending"), "draft");
        assert_eq!(post_status(""), "draft");
        assert_eq!(comment_status("1"), "approved");
        assert_eq!(comment_status("0"), "pending");
        assert_eq!(comment_status("spam"), "spam");
        assert_eq!(comment_kind(""), "comment");
        assert_eq!(comment_kind("pingback"), "pingback");
    }
}
