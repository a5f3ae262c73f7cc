//! Everything a blog holds, read for an export: from one snapshot, so that a blog being written
//! to while it is exported still comes out whole, and posts a batch at a time (with their
//! comments), so that what is held at once grows with a batch, not with the blog.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool, Postgres, Transaction};

/// A person, as an export names them: by their WordPress login when they came from WordPress,
/// else by their slug.
#[derive(Debug, Clone)]
pub struct ExportedAuthor {
    pub id: i64,
    pub login: String,
    pub email: Option<String>,
    pub display_name: String,
}

#[derive(Debug, Clone)]
pub struct ExportedCategory {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub parent_slug: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ExportedTag {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
}

/// A post or page with all it carries but its comments.
#[derive(Debug, Clone)]
pub struct ExportedPost {
    pub id: i64,
    pub kind: String,
    pub slug: String,
    pub title: String,
    pub body_html: String,
    pub excerpt: String,
    pub status: String,
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub author_login: Option<String>,
    pub comment_status: String,
    pub parent_id: Option<i64>,
    pub menu_order: i32,
    pub is_sticky: bool,
    pub password: Option<String>,
    /// The `<guid>` it came with from WordPress, which stays its lasting name.
    pub wp_guid: Option<String>,
    /// Its own language, when it is not the blog's.
    pub language: Option<String>,
    /// Slugs and names, in the order they were made.
    pub categories: Vec<(String, String)>,
    pub tags: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct ExportedComment {
    pub id: i64,
    pub post_id: i64,
    pub parent_id: Option<i64>,
    pub user_id: Option<i64>,
    pub author_name: String,
    pub author_email: String,
    pub author_url: String,
    pub author_ip: String,
    pub body: String,
    pub status: String,
    pub kind: String,
    pub created_at: DateTime<Utc>,
}

/// A read-only transaction that sees the blog as it is now until it ends.
pub async fn snapshot(pool: &PgPool) -> sqlx::Result<Transaction<'static, Postgres>> {
    let mut tx = pool.begin().await?;
    sqlx::query!("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await?;
    Ok(tx)
}

pub async fn exported_authors(conn: &mut PgConnection) -> sqlx::Result<Vec<ExportedAuthor>> {
    sqlx::query_as!(
        ExportedAuthor,
        r#"SELECT id, coalesce(wp_login, slug) AS "login!", email, display_name FROM users ORDER BY id"#
    )
    .fetch_all(conn)
    .await
}

/// Every category, each after its parent.
pub async fn exported_categories(conn: &mut PgConnection) -> sqlx::Result<Vec<ExportedCategory>> {
    sqlx::query_as!(
        ExportedCategory,
        r#"
        WITH RECURSIVE tree (id, slug, name, description, parent_slug, depth) AS (
            SELECT id, slug, name, description, NULL::text, 0
            FROM categories WHERE parent_id IS NULL
            UNION ALL
            SELECT child.id, child.slug, child.name, child.description, tree.slug, tree.depth + 1
            FROM categories child JOIN tree ON child.parent_id = tree.id
        )
        SELECT id AS "id!", slug AS "slug!", name AS "name!", description AS "description!",
               parent_slug
        FROM tree ORDER BY depth, id
        "#
    )
    .fetch_all(conn)
    .await
}

pub async fn exported_tags(conn: &mut PgConnection) -> sqlx::Result<Vec<ExportedTag>> {
    sqlx::query_as!(
        ExportedTag,
        "SELECT id, slug, name, description FROM tags ORDER BY id"
    )
    .fetch_all(conn)
    .await
}

/// Up to `limit` posts and pages of every status, in the order they were made, after the one
/// with id `after`.
pub async fn exported_posts(
    conn: &mut PgConnection,
    after: i64,
    limit: i64,
) -> sqlx::Result<Vec<ExportedPost>> {
    let rows = sqlx::query!(
        r#"
        SELECT p.id, p.kind, p.slug, p.title, p.body_html, p.excerpt, p.status, p.published_at,
               p.created_at, p.updated_at, coalesce(u.wp_login, u.slug) AS author_login,
               p.comment_status, p.parent_id, p.menu_order, p.is_sticky, p.password, p.wp_guid,
               p.language,
               ARRAY(SELECT c.slug FROM post_categories pc JOIN categories c ON c.id = pc.category_id
                     WHERE pc.post_id = p.id ORDER BY c.id) AS "category_slugs!",
               ARRAY(SELECT c.name FROM post_categories pc JOIN categories c ON c.id = pc.category_id
                     WHERE pc.post_id = p.id ORDER BY c.id) AS "category_names!",
               ARRAY(SELECT t.slug FROM post_tags pt JOIN tags t ON t.id = pt.tag_id
                     WHERE pt.post_id = p.id ORDER BY t.id) AS "tag_slugs!",
               ARRAY(SELECT t.name FROM post_tags pt JOIN tags t ON t.id = pt.tag_id
                     WHERE pt.post_id = p.id ORDER BY t.id) AS "tag_names!"
        FROM posts p LEFT JOIN users u ON u.id = p.author_id
        WHERE p.id > $1
        ORDER BY p.id
        LIMIT $2
        "#,
        after,
        limit,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| ExportedPost {
            id: row.id,
            kind: row.kind,
            slug: row.slug,
            title: row.title,
            body_html: row.body_html,
            excerpt: row.excerpt,
            status: row.status,
            published_at: row.published_at,
            created_at: row.created_at,
            updated_at: row.updated_at,
            author_login: row.author_login,
            comment_status: row.comment_status,
            parent_id: row.parent_id,
            menu_order: row.menu_order,
            is_sticky: row.is_sticky,
            password: row.password,
            wp_guid: row.wp_guid,
            language: row.language,
            categories: row
                .category_slugs
                .into_iter()
                .zip(row.category_names)
                .collect(),
            tags: row.tag_slugs.into_iter().zip(row.tag_names).collect(),
        })
        .collect())
}

/// The comments, pingbacks and trackbacks of these posts, of every status, oldest first.
pub async fn exported_comments(
    conn: &mut PgConnection,
    post_ids: &[i64],
) -> sqlx::Result<Vec<ExportedComment>> {
    sqlx::query_as!(
        ExportedComment,
        r#"
        SELECT id, post_id, parent_id, user_id, author_name, author_email, author_url, author_ip,
               body, status, kind, created_at
        FROM comments WHERE post_id = ANY($1)
        ORDER BY post_id, created_at, id
        "#,
        post_ids,
    )
    .fetch_all(conn)
    .await
}
