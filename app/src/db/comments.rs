//! Readers' comments on posts, threaded.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use super::Upserted;
use crate::html;
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

/// The approved comments (not pingbacks or trackbacks) of a post, oldest first, as plain text,
/// with the commenters' sites only when they are http(s) addresses.
pub async fn approved_comments(pool: &PgPool, post_id: i64) -> sqlx::Result<Vec<Comment>> {
    let rows = sqlx::query!(
        r#"
        SELECT id, parent_id, author_name, author_url, created_at, body
        FROM comments
        WHERE post_id = $1 AND status = 'approved' AND kind = 'comment'
        ORDER BY created_at, id
        "#,
        post_id,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| Comment {
            id: row.id,
            parent_id: row.parent_id,
            author_name: html::plain_text(&row.author_name),
            author_url: Some(row.author_url)
                .filter(|url| url.starts_with("https://") || url.starts_with("http://")),
            created_at: row.created_at,
            body: html::plain_paragraphs(&row.body),
        })
        .collect())
}
