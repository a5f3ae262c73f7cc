//! Readers' comments on posts, threaded.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use super::Upserted;
use crate::model::Comment;

/// A comment as it arrives from a WordPress export, its fields already in our terms.
#[derive(Debug, Clone)]
pub struct ImportedComment<'a> {
    pub post_id: i64,
    pub wp_comment_id: i64,
    pub author_name: &'a str,
    pub author_email: &'a str,
    pub author_url: &'a str,
    pub author_ip: &'a str,
    pub body: &'a str,
    pub status: &'a str,
    pub kind: &'a str,
    pub created_at: DateTime<Utc>,
}

pub async fn upsert_imported_comment(
    conn: &mut PgConnection,
    comment: &ImportedComment<'_>,
) -> sqlx::Result<Upserted> {
    let row = sqlx::query!(
        r#"
        INSERT INTO comments (post_id, wp_comment_id, author_name, author_email, author_url, author_ip,
                              body, status, kind, created_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
        ON CONFLICT (post_id, wp_comment_id) DO UPDATE
        SET author_name = excluded.author_name, author_email = excluded.author_email,
            author_url = excluded.author_url, author_ip = excluded.author_ip, body = excluded.body,
            status = excluded.status, kind = excluded.kind, created_at = excluded.created_at
        RETURNING id, (xmax = 0) AS "inserted!"
        "#,
        comment.post_id,
        comment.wp_comment_id,
        comment.author_name,
        comment.author_email,
        comment.author_url,
        comment.author_ip,
        comment.body,
        comment.status,
        comment.kind,
        comment.created_at,
    )
    .fetch_one(conn)
    .await?;
    Ok(Upserted::new(row.id, row.inserted))
}

/// Threads an imported comment under the comment it replied to, both by WordPress id.
pub async fn link_imported_reply(
    conn: &mut PgConnection,
    post_id: i64,
    wp_comment_id: i64,
    parent_wp_comment_id: i64,
) -> sqlx::Result<()> {
    sqlx::query!(
        r#"
        UPDATE comments
        SET parent_id = (SELECT id FROM comments WHERE post_id = $1 AND wp_comment_id = $3)
        WHERE post_id = $1 AND wp_comment_id = $2 AND wp_comment_id <> $3
        "#,
        post_id,
        wp_comment_id,
        parent_wp_comment_id,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The approved comments (not pingbacks or trackbacks) of a published post, oldest first.
pub async fn approved_comments(pool: &PgPool, post_slug: &str) -> sqlx::Result<Vec<Comment>> {
    sqlx::query_as!(
        Comment,
        r#"
        SELECT c.id, c.parent_id, c.author_name, nullif(c.author_url, '') AS author_url, c.created_at, c.body
        FROM comments c
        WHERE c.post_id = (SELECT id FROM public_posts WHERE slug = $1)
          AND c.status = 'approved' AND c.kind = 'comment'
        ORDER BY c.created_at, c.id
        "#,
        post_slug,
    )
    .fetch_all(pool)
    .await
}
