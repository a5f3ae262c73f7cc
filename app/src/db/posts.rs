//! Posts and pages: what readers see, and how imported ones are written.

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::{PgConnection, PgExecutor, PgPool};

use super::Upserted;
use crate::html;
use crate::model::{Named, Post, PostListPage, PostSummary};

/// How much of a post's body a listing reads to make a teaser when the post has no excerpt.
const TEASER_SOURCE_CHARS: i32 = 3000;
const TEASER_CHARS: usize = 280;

struct SummaryRow {
    slug: String,
    title: String,
    excerpt: String,
    body_start: String,
    published_at: DateTime<Utc>,
    author_slug: Option<String>,
    author_name: Option<String>,
    comment_count: i64,
    categories: Json<Vec<Named>>,
    tags: Json<Vec<Named>>,
}

impl From<SummaryRow> for PostSummary {
    fn from(row: SummaryRow) -> Self {
        let excerpt = if row.excerpt.trim().is_empty() {
            html::teaser(&html::plain_text(&row.body_start), TEASER_CHARS)
        } else {
            html::plain_text(&row.excerpt)
        };
        PostSummary {
            slug: row.slug,
            title: row.title,
            excerpt,
            published_at: row.published_at,
            author: row
                .author_slug
                .zip(row.author_name)
                .map(|(slug, name)| Named { slug, name }),
            categories: row.categories.0,
            tags: row.tags.0,
            comment_count: row.comment_count,
        }
    }
}

/// Page `page` (from 1) of the published posts, newest first.
pub async fn list_public_posts(
    pool: &PgPool,
    page: u32,
    per_page: u32,
) -> sqlx::Result<PostListPage> {
    let offset = i64::from(page.saturating_sub(1)) * i64::from(per_page);
    let mut rows = sqlx::query_as!(
        SummaryRow,
        r#"
        WITH page AS (
            SELECT id, published_at
            FROM public_posts
            ORDER BY published_at DESC, id DESC
            LIMIT $1 OFFSET $2
        )
        SELECT s.slug AS "slug!", s.title AS "title!", s.excerpt AS "excerpt!",
               left(s.body_html, $3) AS "body_start!", s.published_at AS "published_at!",
               s.author_slug, s.author_name, s.comment_count AS "comment_count!",
               s.categories AS "categories!: Json<Vec<Named>>", s.tags AS "tags!: Json<Vec<Named>>"
        FROM page
        JOIN post_summaries s ON s.id = page.id
        ORDER BY page.published_at DESC, page.id DESC
        "#,
        i64::from(per_page) + 1,
        offset,
        TEASER_SOURCE_CHARS,
    )
    .fetch_all(pool)
    .await?;
    let has_next = rows.len() > per_page as usize;
    rows.truncate(per_page as usize);
    Ok(PostListPage {
        posts: rows.into_iter().map(PostSummary::from).collect(),
        page,
        has_next,
    })
}

/// A published post by its slug.
pub async fn find_public_post(pool: &PgPool, slug: &str) -> sqlx::Result<Option<Post>> {
    let row = sqlx::query!(
        r#"
        SELECT s.slug AS "slug!", s.title AS "title!", s.excerpt AS "excerpt!",
               s.body_html AS "body_html!", s.published_at AS "published_at!",
               s.author_slug, s.author_name, s.comment_count AS "comment_count!",
               s.categories AS "categories!: Json<Vec<Named>>", s.tags AS "tags!: Json<Vec<Named>>"
        FROM post_summaries s
        WHERE s.id = (SELECT id FROM public_posts WHERE slug = $1)
        "#,
        slug,
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|row| {
        let body_html = html::safe_body(&row.body_html);
        let summary = PostSummary::from(SummaryRow {
            slug: row.slug,
            title: row.title,
            excerpt: row.excerpt,
            body_start: row.body_html,
            published_at: row.published_at,
            author_slug: row.author_slug,
            author_name: row.author_name,
            comment_count: row.comment_count,
            categories: row.categories,
            tags: row.tags,
        });
        Post { summary, body_html }
    }))
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
                           author_id, comment_status, menu_order, is_sticky, wp_site, wp_post_id, wp_guid)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
        ON CONFLICT (wp_site, wp_post_id) DO UPDATE
        SET kind = excluded.kind, slug = excluded.slug, title = excluded.title,
            body_html = excluded.body_html, excerpt = excluded.excerpt, status = excluded.status,
            published_at = excluded.published_at, updated_at = excluded.updated_at,
            author_id = excluded.author_id, comment_status = excluded.comment_status,
            menu_order = excluded.menu_order, is_sticky = excluded.is_sticky, wp_guid = excluded.wp_guid
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
    )
    .fetch_one(conn)
    .await?;
    Ok(Upserted::new(row.id, row.inserted))
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
