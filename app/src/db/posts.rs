//! Posts and pages: what readers see, and how imported ones are written.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::{PgConnection, PgExecutor, PgPool};

use super::Upserted;
use crate::html;
use crate::model::{Named, Page, Post, PostSummary, PostView};

/// How much of a post's body a listing reads to make a teaser that is not stored yet.
pub(super) const TEASER_SOURCE_CHARS: i32 = 3000;
const TEASER_CHARS: usize = 280;

/// What a listing shows of a post, as the database's `listing_summaries` gives it (one
/// `listing_summary` record): the start of its body and its excerpt only when its teaser is yet
/// to be made, or its whole body when asked.
#[derive(Debug, sqlx::Type)]
#[sqlx(type_name = "listing_summary")]
pub(super) struct SummaryRow {
    pub(super) id: i64,
    slug: String,
    title: String,
    teaser: Option<String>,
    excerpt: String,
    body: String,
    published_at: DateTime<Utc>,
    author_slug: Option<String>,
    author_name: Option<String>,
    comment_count: i64,
    categories: Json<Vec<Named>>,
    tags: Json<Vec<Named>>,
    protected: bool,
    language: Option<String>,
}

impl SummaryRow {
    pub(super) fn summary(self) -> PostSummary {
        PostSummary {
            excerpt: self.teaser.unwrap_or_else(|| {
                teaser(&self.excerpt, self.protected, || {
                    html::plain_text(&self.body)
                })
            }),
            slug: self.slug,
            title: self.title,
            published_at: self.published_at,
            author: self
                .author_slug
                .zip(self.author_name)
                .map(|(slug, name)| Named { slug, name }),
            categories: self.categories.0,
            tags: self.tags.0,
            comment_count: self.comment_count,
            protected: self.protected,
            language: self.language,
        }
    }
}

/// The rows of `listing_summaries` for these posts, in the order given.
async fn summary_rows(
    pool: &PgPool,
    ids: &[i64],
    whole_body: bool,
) -> sqlx::Result<Vec<SummaryRow>> {
    sqlx::query_scalar!(
        r#"
        SELECT ARRAY(
            SELECT s FROM listing_summaries($1, $2, $3) s
            ORDER BY array_position($1, s.id)
        ) AS "posts!: Vec<SummaryRow>"
        "#,
        ids,
        whole_body,
        TEASER_SOURCE_CHARS,
    )
    .fetch_one(pool)
    .await
}

/// The listing summaries of these posts, in the order given.
pub async fn summaries(pool: &PgPool, ids: &[i64]) -> sqlx::Result<Vec<PostSummary>> {
    let rows = summary_rows(pool, ids, false).await?;
    Ok(rows.into_iter().map(SummaryRow::summary).collect())
}

/// What a listing shows of a post: nothing of a protected one, else its excerpt as plain text,
/// or the start of its body's text (asked of `body_text` only then) when it has none.
pub(super) fn teaser(excerpt: &str, protected: bool, body_text: impl FnOnce() -> String) -> String {
    if protected {
        String::new()
    } else if excerpt.trim().is_empty() {
        html::teaser(&body_text(), TEASER_CHARS)
    } else {
        html::plain_text(excerpt)
    }
}

/// A published post by its slug, with its neighbours in time and its approved comments. A
/// protected post comes without its body, image, comments and pings unless `unlocks` says that
/// the reader holds its key (it is given the post's id and key).
pub async fn find_public_post(
    pool: &PgPool,
    slug: &str,
    parts: PostParts,
    unlocks: impl FnOnce(i64, &[u8]) -> bool,
) -> sqlx::Result<Option<PostView>> {
    if slug.contains('\0') {
        return Ok(None);
    }
    let Some(post) = sqlx::query!(
        r#"SELECT id AS "id!", password_key, published_at AS "published_at!"
           FROM public_posts WHERE slug = $1"#,
        slug
    )
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    let locked = post.password_key.is_some_and(|key| !unlocks(post.id, &key));
    let published_at = (parts == PostParts::Page).then_some(post.published_at);
    post_view(pool, post.id, published_at, parts, locked).await
}

/// How much of what surrounds a post to read with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostParts {
    /// All its page shows: its neighbours in time, comments, pings and whether it takes comments.
    Page,
    /// Its approved comments only, as the JSON API gives it.
    Comments,
}

/// A published post, as comments and their feeds need it.
pub struct PublicPost {
    pub id: i64,
    pub title: String,
    pub protected: bool,
}

/// A published post by its slug.
pub async fn public_post(pool: &PgPool, slug: &str) -> sqlx::Result<Option<PublicPost>> {
    if slug.contains('\0') {
        return Ok(None);
    }
    sqlx::query_as!(
        PublicPost,
        r#"SELECT id AS "id!", title AS "title!", password IS NOT NULL AS "protected!"
           FROM public_posts WHERE slug = $1"#,
        slug
    )
    .fetch_optional(pool)
    .await
}

/// The password and key of a protected post or page that readers may see; `None` for any
/// other.
pub async fn protection(pool: &PgPool, id: i64) -> sqlx::Result<Option<(String, Vec<u8>)>> {
    let row = sqlx::query!(
        r#"
        SELECT password AS "password!", password_key AS "password_key!" FROM posts
        WHERE id = $1 AND password IS NOT NULL
          AND is_public(status, published_at)
        "#,
        id
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|row| (row.password, row.password_key)))
}

/// Tries at a post's password from one client address.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PasswordTries {
    pub count: i32,
    pub seconds_since_last: f64,
}

/// Counts a try at a protected post's password from a client address, before the password is
/// checked, so that parallel tries all count; a try past `max_tries` does not prolong the wait.
/// The count starts again after `forget_after` seconds without a counted try.
pub async fn note_password_try(
    pool: &PgPool,
    post_id: i64,
    client_address: &str,
    max_tries: i32,
    forget_after: f64,
) -> sqlx::Result<PasswordTries> {
    let row = sqlx::query!(
        r#"
        INSERT INTO post_password_tries AS t (post_id, client_address, tries, last_tried_at)
        VALUES ($1, $2::text::inet, 1, now())
        ON CONFLICT (post_id, client_address) DO UPDATE
        SET tries = CASE WHEN t.last_tried_at < now() - make_interval(secs => $4) THEN 1
                         ELSE t.tries + 1 END,
            last_tried_at = CASE WHEN t.tries >= $3
                                      AND t.last_tried_at >= now() - make_interval(secs => $4)
                                 THEN t.last_tried_at ELSE now() END
        RETURNING tries, extract(epoch FROM now() - last_tried_at)::float8 AS "seconds!"
        "#,
        post_id,
        client_address,
        max_tries,
        forget_after,
    )
    .fetch_one(pool)
    .await?;
    Ok(PasswordTries {
        count: row.tries,
        seconds_since_last: row.seconds,
    })
}

/// Forgets the tries at a post's password from a client address, once one was right.
pub async fn forget_password_tries(
    pool: &PgPool,
    post_id: i64,
    client_address: &str,
) -> sqlx::Result<()> {
    sqlx::query!(
        "DELETE FROM post_password_tries WHERE post_id = $1 AND client_address = $2::text::inet",
        post_id,
        client_address,
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Any post, whatever its status, as its page would show it once published (and unlocked):
/// what a writer previews. Unpublished posts show the present time as their date.
pub async fn preview_post(pool: &PgPool, id: i64) -> sqlx::Result<Option<PostView>> {
    post_view(pool, id, None, PostParts::Page, false).await
}

/// A post with the `parts` around it, and its neighbours in time when it was published at
/// `published_at`: everything asked for at once rather than one after another.
async fn post_view(
    pool: &PgPool,
    id: i64,
    published_at: Option<DateTime<Utc>>,
    parts: PostParts,
    locked: bool,
) -> sqlx::Result<Option<PostView>> {
    let neighbours = async {
        match published_at {
            Some(published_at) => super::listings::neighbours(pool, id, published_at).await,
            None => Ok((None, None)),
        }
    };
    let comments = async {
        if locked {
            Ok((Vec::new(), Vec::new(), false))
        } else if parts == PostParts::Comments {
            let comments = super::comments::approved_comments(pool, id).await?;
            Ok((comments, Vec::new(), false))
        } else {
            let (comments, pings, settings, comments_open) = tokio::try_join!(
                super::comments::approved_comments(pool, id),
                super::comments::approved_pings(pool, id),
                super::site::comment_settings(pool),
                sqlx::query_scalar!(
                    r#"SELECT comment_status = 'open' AS "open!" FROM posts WHERE id = $1"#,
                    id
                )
                .fetch_optional(pool),
            )?;
            let pings = if settings.show_pings {
                pings
            } else {
                Vec::new()
            };
            Ok((comments, pings, comments_open.unwrap_or(false)))
        }
    };
    let ids = [id];
    let (mut rows, (older, newer), (comments, pings, comments_open)) =
        tokio::try_join!(summary_rows(pool, &ids, true), neighbours, comments)?;
    let Some(row) = rows.pop() else {
        return Ok(None);
    };
    let body_html = if locked {
        String::new()
    } else {
        html::safe_body(&row.body)
    };
    // Other sites' previews of a protected post show nothing of its text, images included.
    let image = html::first_image(&body_html).filter(|_| !row.protected);
    Ok(Some(PostView {
        id,
        comments_open,
        post: Post {
            summary: row.summary(),
            body_html,
            image,
        },
        older,
        newer,
        comments,
        pings,
        locked,
    }))
}

/// A published page by its slug, with its parent and the pages under it. A protected page comes
/// without its body unless `unlocks` says that the reader holds its key, as for posts.
pub async fn find_public_page(
    pool: &PgPool,
    slug: &str,
    unlocks: impl FnOnce(i64, &[u8]) -> bool,
) -> sqlx::Result<Option<Page>> {
    if slug.contains('\0') {
        return Ok(None);
    }
    let Some(page) = sqlx::query!(
        r#"
        SELECT p.id, p.slug, p.title, p.body_html, p.password_key, p.language,
               parent.slug AS "parent_slug?", parent.title AS "parent_title?"
        FROM posts p
        LEFT JOIN posts parent ON parent.id = p.parent_id
            AND is_public(parent.status, parent.published_at)
        WHERE p.kind = 'page' AND p.slug = $1 AND is_public(p.status, p.published_at)
        "#,
        slug,
    )
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    let children = sqlx::query_as!(
        Named,
        r#"
        SELECT slug, title AS name FROM posts
        WHERE parent_id = $1 AND kind = 'page' AND is_public(status, published_at)
        ORDER BY menu_order, title
        "#,
        page.id,
    )
    .fetch_all(pool)
    .await?;
    let protected = page.password_key.is_some();
    let locked = page.password_key.is_some_and(|key| !unlocks(page.id, &key));
    Ok(Some(Page {
        id: page.id,
        slug: page.slug,
        title: page.title,
        description: if protected {
            crate::model::PROTECTED_NOTICE.to_string()
        } else {
            html::teaser(&html::plain_text(&page.body_html), TEASER_CHARS)
        },
        body_html: if locked {
            String::new()
        } else {
            html::safe_body(&page.body_html)
        },
        protected,
        locked,
        language: page.language,
        parent: page
            .parent_slug
            .zip(page.parent_title)
            .map(|(slug, name)| Named { slug, name }),
        children,
    }))
}

/// The published pages (only the top-level ones when `top_level`), in their menu order.
pub async fn public_pages(pool: &PgPool, top_level: bool) -> sqlx::Result<Vec<Named>> {
    sqlx::query_as!(
        Named,
        r#"
        SELECT slug, title AS name FROM posts
        WHERE kind = 'page' AND is_public(status, published_at)
          AND (NOT $1 OR parent_id IS NULL)
        ORDER BY menu_order, title
        "#,
        top_level,
    )
    .fetch_all(pool)
    .await
}

/// The stored bodies of published posts that are not protected, by slug.
pub async fn public_bodies(pool: &PgPool, ids: &[i64]) -> sqlx::Result<HashMap<String, String>> {
    let rows = sqlx::query!(
        "SELECT slug, body_html FROM public_posts WHERE id = ANY($1) AND password IS NULL",
        ids
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| Some((row.slug?, row.body_html?)))
        .collect())
}

pub async fn any_posts(db: impl PgExecutor<'_>) -> sqlx::Result<bool> {
    sqlx::query_scalar!(r#"SELECT EXISTS (SELECT 1 FROM posts) AS "exists!""#)
        .fetch_one(db)
        .await
}

/// A post or page as it arrives from a WordPress export, its fields already in our terms.
#[derive(Debug, Clone)]
pub struct ImportedPost<'a> {
    pub kind: &'a str,
    pub slug: &'a str,
    pub title: &'a str,
    pub body_html: &'a str,
    pub excerpt: &'a str,
    pub status: &'a str,
    pub published_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub author_id: Option<i64>,
    pub comment_status: &'a str,
    pub menu_order: i32,
    pub is_sticky: bool,
    pub wp_site: &'a str,
    pub wp_post_id: i64,
    pub wp_guid: &'a str,
    /// The path of its permalink on the WordPress site, if it had one of its own.
    pub wp_path: Option<&'a str>,
    /// What readers must give to see the text, as WordPress kept it.
    pub password: Option<&'a str>,
    /// Its own language, when it is not the blog's.
    pub language: Option<&'a str>,
}

/// Inserts an imported post, or updates the one imported earlier from the same site and id.
/// The slug is made unique among the posts (or pages) by a numeric suffix where needed.
pub async fn upsert_imported_post(
    conn: &mut PgConnection,
    post: &ImportedPost<'_>,
) -> sqlx::Result<Upserted> {
    let slug = unique_slug(conn, post.kind, post.slug, post.wp_site, post.wp_post_id).await?;
    let row = sqlx::query!(
        r#"
        INSERT INTO posts (kind, slug, title, body_html, excerpt, status, published_at, updated_at,
                           author_id, comment_status, menu_order, is_sticky, wp_site, wp_post_id, wp_guid,
                           password, wp_path, language)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
        ON CONFLICT (wp_site, wp_post_id) DO UPDATE
        SET kind = excluded.kind, slug = excluded.slug, title = excluded.title,
            body_html = excluded.body_html, excerpt = excluded.excerpt, status = excluded.status,
            published_at = excluded.published_at, updated_at = excluded.updated_at,
            author_id = excluded.author_id, comment_status = excluded.comment_status,
            menu_order = excluded.menu_order, is_sticky = excluded.is_sticky, wp_guid = excluded.wp_guid,
            password = excluded.password, wp_path = excluded.wp_path, language = excluded.language
        RETURNING id, (xmax = 0) AS "inserted!"
        "#,
        post.kind,
        slug,
        post.title,
        post.body_html,
        post.excerpt,
        post.status,
        post.published_at,
        post.updated_at,
        post.author_id,
        post.comment_status,
        post.menu_order,
        post.is_sticky,
        post.wp_site,
        post.wp_post_id,
        post.wp_guid,
        post.password,
        post.wp_path,
        post.language,
    )
    .fetch_one(conn)
    .await?;
    Ok(Upserted::new(row.id, row.inserted))
}

/// Where a post or page imported from WordPress is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MovedPost {
    /// `post` or `page`.
    pub kind: String,
    pub slug: String,
}

/// An address a post or page had on the WordPress site it was imported from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OldAddress<'a> {
    /// The path of its permalink, percent-decoded and without a trailing slash.
    Path(&'a str),
    /// Its id there, as in `/?p=ID` and `/?page_id=ID`.
    WordPressId(i64),
}

/// The post or page that had `old` address: for readers (`wp_site` `None`), a published one from
/// any site; for an import (`Some` site), any one imported from that site.
pub async fn moved_post(
    db: impl PgExecutor<'_>,
    old: OldAddress<'_>,
    wp_site: Option<&str>,
) -> sqlx::Result<Option<MovedPost>> {
    let (path, wp_post_id) = match old {
        OldAddress::Path(path) if path.contains('\0') => return Ok(None),
        OldAddress::Path(path) => (Some(path), None),
        OldAddress::WordPressId(id) => (None, Some(id)),
    };
    sqlx::query_as!(
        MovedPost,
        r#"
        SELECT kind, slug FROM posts
        WHERE (wp_path = $1 OR wp_post_id = $2)
          AND CASE WHEN $3::text IS NULL THEN is_public(status, published_at) ELSE wp_site = $3 END
        ORDER BY id
        LIMIT 1
        "#,
        path,
        wp_post_id,
        wp_site,
    )
    .fetch_optional(db)
    .await
}

/// The bodies of these posts that hold links, with their ids.
pub async fn bodies_with_links(
    conn: &mut PgConnection,
    ids: &[i64],
) -> sqlx::Result<Vec<(i64, String)>> {
    let rows = sqlx::query!(
        r#"SELECT id, body_html FROM posts WHERE id = ANY($1) AND body_html LIKE '%href="%' ORDER BY id"#,
        ids
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| (row.id, row.body_html))
        .collect())
}

/// Gives an imported post the body with its links rewritten, keeping the body as it was
/// imported as a revision (once: importing the same file again keeps no second copy).
pub async fn rewrite_imported_body(
    conn: &mut PgConnection,
    post_id: i64,
    body_html: &str,
) -> sqlx::Result<()> {
    sqlx::query!(
        r#"
        WITH kept AS (
            INSERT INTO post_revisions (post_id, saved_by, is_autosave, title, excerpt, body_html)
            SELECT id, NULL, false, title, excerpt, body_html FROM posts p
            WHERE id = $1
              AND NOT EXISTS (SELECT 1 FROM post_revisions r
                              WHERE r.post_id = p.id AND r.body_html = p.body_html
                                AND r.title = p.title AND r.excerpt = p.excerpt)
        )
        UPDATE posts SET body_html = $2 WHERE id = $1
        "#,
        post_id,
        body_html,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// `base`, or `base-2`, `base-3`… whichever no other post of this kind holds.
async fn unique_slug(
    conn: &mut PgConnection,
    kind: &str,
    base: &str,
    wp_site: &str,
    wp_post_id: i64,
) -> sqlx::Result<String> {
    let mut candidate = base.to_string();
    for suffix in 2.. {
        let taken = sqlx::query_scalar!(
            r#"
            SELECT EXISTS (
                SELECT 1 FROM posts
                WHERE kind = $1 AND slug = $2
                  AND (wp_site, wp_post_id) IS DISTINCT FROM ($3, $4)
            ) AS "taken!"
            "#,
            kind,
            candidate,
            wp_site,
            wp_post_id,
        )
        .fetch_one(&mut *conn)
        .await?;
        if !taken {
            break;
        }
        candidate = format!("{base}-{suffix}");
    }
    Ok(candidate)
}

/// The post imported earlier from this site with this WordPress id.
pub async fn find_imported_post(
    conn: &mut PgConnection,
    wp_site: &str,
    wp_post_id: i64,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar!(
        "SELECT id FROM posts WHERE wp_site = $1 AND wp_post_id = $2",
        wp_site,
        wp_post_id
    )
    .fetch_optional(conn)
    .await
}

/// Sets a page's parent, by the parent's WordPress id on the same site.
pub async fn link_imported_parent(
    conn: &mut PgConnection,
    post_id: i64,
    wp_site: &str,
    parent_wp_post_id: i64,
) -> sqlx::Result<()> {
    sqlx::query!(
        r#"
        UPDATE posts
        SET parent_id = (SELECT id FROM posts WHERE wp_site = $2 AND wp_post_id = $3 AND id <> $1)
        WHERE id = $1
        "#,
        post_id,
        wp_site,
        parent_wp_post_id,
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_post_categories(
    conn: &mut PgConnection,
    post_id: i64,
    category_ids: &[i64],
) -> sqlx::Result<()> {
    sqlx::query!("DELETE FROM post_categories WHERE post_id = $1", post_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query!(
        "INSERT INTO post_categories (post_id, category_id) SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING",
        post_id,
        category_ids,
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_post_tags(
    conn: &mut PgConnection,
    post_id: i64,
    tag_ids: &[i64],
) -> sqlx::Result<()> {
    sqlx::query!("DELETE FROM post_tags WHERE post_id = $1", post_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query!(
        "INSERT INTO post_tags (post_id, tag_id) SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING",
        post_id,
        tag_ids,
    )
    .execute(conn)
    .await?;
    Ok(())
}
