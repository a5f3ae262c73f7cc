//! Scheduled posts: publishing those whose time has come, and when the next one is due, for the
//! server's task that publishes them on time.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

/// Publishes the scheduled posts whose time has come (which lists them); returns how many there
/// were.
pub async fn publish_due_posts(pool: &PgPool) -> sqlx::Result<u64> {
    let published = sqlx::query!(
        "UPDATE posts SET status = 'published' WHERE status = 'scheduled' AND published_at <= now()"
    )
    .execute(pool)
    .await?;
    Ok(published.rows_affected())
}

/// When the next scheduled post is due, if any is.
pub async fn next_due(pool: &PgPool) -> sqlx::Result<Option<DateTime<Utc>>> {
    sqlx::query_scalar!(
        "SELECT min(published_at) FROM posts WHERE status = 'scheduled' AND published_at > now()"
    )
    .fetch_one(pool)
    .await
}
