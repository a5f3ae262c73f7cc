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
    /// The account that wrote it while signed in.
    pub user_id: Option<i64>,
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
                              body, status, kind, created_at, user_id)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
        ON CONFLICT (post_id, wp_comment_id) DO UPDATE
        SET user_id = excluded.user_id, author_name = excluded.author_name, author_email = excluded.author_email,
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
        comment.user_id,
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

/// A comment as readers may see it, straight from its row.
struct CommentRow {
    id: i64,
    parent_id: Option<i64>,
    author_name: String,
    author_url: String,
    created_at: DateTime<Utc>,
    body: String,
}

impl CommentRow {
    /// The comment as plain text, with the commenter's site only when it is an http(s) address.
    fn comment(self, awaiting_moderation: bool) -> Comment {
        Comment {
            id: self.id,
            parent_id: self.parent_id,
            author_name: html::plain_text(&self.author_name),
            author_url: Some(self.author_url)
                .filter(|url| url.starts_with("https://") || url.starts_with("http://")),
            created_at: self.created_at,
            body: html::plain_paragraphs(&self.body),
            awaiting_moderation,
        }
    }
}

/// The approved comments (not pingbacks or trackbacks) of a post, oldest first.
pub async fn approved_comments(pool: &PgPool, post_id: i64) -> sqlx::Result<Vec<Comment>> {
    let rows = sqlx::query_as!(
        CommentRow,
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
    Ok(rows.into_iter().map(|row| row.comment(false)).collect())
}

/// The approved pingbacks and trackbacks of a post, oldest first.
pub async fn approved_pings(pool: &PgPool, post_id: i64) -> sqlx::Result<Vec<Comment>> {
    let rows = sqlx::query_as!(
        CommentRow,
        r#"
        SELECT id, parent_id, author_name, author_url, created_at, body
        FROM comments
        WHERE post_id = $1 AND status = 'approved' AND kind <> 'comment'
        ORDER BY created_at, id
        "#,
        post_id,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|row| row.comment(false)).collect())
}

/// The comments a reader wrote on a post that still wait for moderation (or were held as spam:
/// they are told nothing else), known by the token in the reader's cookie.
pub async fn own_waiting_comments(
    pool: &PgPool,
    post_id: i64,
    commenter_token_hash: &[u8],
) -> sqlx::Result<Vec<Comment>> {
    let rows = sqlx::query_as!(
        CommentRow,
        r#"
        SELECT id, parent_id, author_name, author_url, created_at, body
        FROM comments
        WHERE post_id = $1 AND commenter_token_hash = $2 AND status IN ('pending', 'spam')
        ORDER BY created_at, id
        LIMIT 20
        "#,
        post_id,
        commenter_token_hash,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|row| row.comment(true)).collect())
}

/// A comment as the rules decided to store it.
#[derive(Debug, Clone)]
pub struct NewComment<'a> {
    pub post_id: i64,
    pub parent_id: Option<i64>,
    pub user_id: Option<i64>,
    pub author_name: &'a str,
    pub author_email: &'a str,
    pub author_url: &'a str,
    pub author_ip: &'a str,
    pub body: &'a str,
    pub status: &'a str,
    pub commenter_token_hash: Option<&'a [u8]>,
}

pub async fn insert_comment(pool: &PgPool, comment: &NewComment<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"
        INSERT INTO comments (post_id, parent_id, user_id, author_name, author_email, author_url,
                              author_ip, body, status, commenter_token_hash)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
        RETURNING id
        "#,
        comment.post_id,
        comment.parent_id,
        comment.user_id,
        comment.author_name,
        comment.author_email,
        comment.author_url,
        comment.author_ip,
        comment.body,
        comment.status,
        comment.commenter_token_hash,
    )
    .fetch_one(pool)
    .await
}

/// Whether readers may comment on this post: `None` when it is not published.
pub async fn comments_open(pool: &PgPool, post_id: i64) -> sqlx::Result<Option<bool>> {
    sqlx::query_scalar!(
        r#"SELECT comment_status = 'open' AS "open!" FROM public_posts WHERE id = $1"#,
        post_id
    )
    .fetch_optional(pool)
    .await
}

/// Whether a comment shown under this post can be answered.
pub async fn is_approved_comment_of(
    pool: &PgPool,
    comment_id: i64,
    post_id: i64,
) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (
               SELECT 1 FROM comments WHERE id = $1 AND post_id = $2 AND status = 'approved'
           ) AS "exists!""#,
        comment_id,
        post_id,
    )
    .fetch_one(pool)
    .await
}

/// Whether the reader with this commenter token (its hash) has had a comment approved under this
/// name and e-mail address.
pub async fn is_known_commenter(
    pool: &PgPool,
    commenter_token_hash: &[u8],
    name: &str,
    email: &str,
) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (
               SELECT 1 FROM comments
               WHERE commenter_token_hash = $1 AND status = 'approved'
                 AND author_name = $2 AND lower(author_email) = lower($3)
           ) AS "exists!""#,
        commenter_token_hash,
        name,
        email,
    )
    .fetch_one(pool)
    .await
}

/// How many comments came from an address in the last `minutes`.
pub async fn recent_comments_from(pool: &PgPool, address: &str, minutes: i32) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM comments
           WHERE author_ip = $1 AND created_at > now() - make_interval(mins => $2)"#,
        address,
        minutes,
    )
    .fetch_one(pool)
    .await
}

/// A comment as moderators see it, e-mail address included.
pub struct QueuedCommentRow {
    pub id: i64,
    pub post_id: i64,
    pub post_slug: String,
    pub post_title: String,
    pub author_name: String,
    pub author_email: String,
    pub author_url: String,
    pub body: String,
    pub status: String,
    pub kind: String,
    pub created_at: DateTime<Utc>,
}

/// One page of a moderation queue, newest first: comments with this status, on the posts of
/// `post_author` only when given, older than `before` when given.
pub async fn moderation_queue(
    pool: &PgPool,
    status: &str,
    post_author: Option<i64>,
    before: Option<i64>,
    limit: i64,
) -> sqlx::Result<Vec<QueuedCommentRow>> {
    sqlx::query_as!(
        QueuedCommentRow,
        r#"
        SELECT c.id, c.post_id, p.slug AS post_slug, p.title AS post_title, c.author_name,
               c.author_email, c.author_url, c.body, c.status, c.kind, c.created_at
        FROM comments c
        JOIN posts p ON p.id = c.post_id
        WHERE c.status = $1
          AND ($2::bigint IS NULL OR p.author_id = $2)
          AND ($3::bigint IS NULL OR c.id < $3)
        ORDER BY c.id DESC
        LIMIT $4
        "#,
        status,
        post_author,
        before,
        limit,
    )
    .fetch_all(pool)
    .await
}

/// Gives these comments a new status, on the posts of `post_author` only when given; how many
/// changed.
pub async fn set_comment_status(
    pool: &PgPool,
    ids: &[i64],
    status: &str,
    post_author: Option<i64>,
) -> sqlx::Result<u64> {
    let changed = sqlx::query!(
        r#"
        UPDATE comments c SET status = $2
        FROM posts p
        WHERE c.id = ANY($1) AND p.id = c.post_id AND ($3::bigint IS NULL OR p.author_id = $3)
        "#,
        ids,
        status,
        post_author,
    )
    .execute(pool)
    .await?;
    Ok(changed.rows_affected())
}

/// A comment as a feed shows it: approved, on a published post.
pub struct FeedComment {
    pub id: i64,
    pub post_slug: String,
    pub post_title: String,
    pub author_name: String,
    pub created_at: DateTime<Utc>,
    /// Plain text.
    pub body: String,
}

/// The newest approved comments, on one published post or on all of them, leaving out those on
/// posts protected by a password.
pub async fn newest_comments(
    pool: &PgPool,
    post_id: Option<i64>,
    limit: i64,
) -> sqlx::Result<Vec<FeedComment>> {
    let rows = sqlx::query_as!(
        FeedComment,
        r#"
        SELECT c.id, p.slug AS "post_slug!", p.title AS "post_title!", c.author_name,
               c.created_at, c.body
        FROM comments c
        JOIN public_posts p ON p.id = c.post_id
        WHERE c.status = 'approved' AND c.kind = 'comment' AND p.password IS NULL
          AND ($1::bigint IS NULL OR c.post_id = $1)
        ORDER BY c.id DESC
        LIMIT $2
        "#,
        post_id,
        limit,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|comment| FeedComment {
            author_name: html::plain_text(&comment.author_name),
            body: html::plain_paragraphs(&comment.body),
            ..comment
        })
        .collect())
}
