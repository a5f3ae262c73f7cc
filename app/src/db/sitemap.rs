//! What the sitemap lists: the published posts of each month, and the categories, tags and authors
//! that have published posts.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;

use super::listings::next_month;

/// `limit` published posts of a month from `offset` on, newest first, with when each last
/// changed, for the sitemap.
pub async fn posts_of_month(
    pool: &PgPool,
    month: NaiveDate,
    offset: i64,
    limit: i64,
) -> sqlx::Result<Vec<(String, DateTime<Utc>)>> {
    let rows = sqlx::query!(
        r#"
        SELECT p.slug, p.updated_at
        FROM filtered_posts('all', 0, $1, $2, NULL, NULL, NULL) l
        JOIN posts p ON p.id = l.post_id
        ORDER BY l.published_at DESC, l.post_id DESC
        OFFSET $3 LIMIT $4
        "#,
        month,
        next_month(month),
        offset,
        limit,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| (row.slug, row.updated_at))
        .collect())
}

/// The slugs of the categories, tags and authors that have published posts, most used first,
/// at most `limit` of each, for the sitemap.
pub async fn listed_scopes(pool: &PgPool, limit: i64) -> sqlx::Result<Vec<(String, String)>> {
    let rows = sqlx::query!(
        r#"
        SELECT scope AS "scope!", slug AS "slug!"
        FROM (
            (SELECT 'category' AS scope, c.slug
             FROM listing_totals t JOIN categories c ON c.id = t.scope_id
             WHERE t.scope = 'category' AND t.post_count > 0
             ORDER BY t.post_count DESC LIMIT $1)
            UNION ALL
            (SELECT 'tag', g.slug
             FROM listing_totals t JOIN tags g ON g.id = t.scope_id
             WHERE t.scope = 'tag' AND t.post_count > 0
             ORDER BY t.post_count DESC LIMIT $1)
            UNION ALL
            (SELECT 'author', u.slug
             FROM listing_totals t JOIN users u ON u.id = t.scope_id
             WHERE t.scope = 'author' AND t.post_count > 0
             ORDER BY t.post_count DESC LIMIT $1)
        ) scopes
        "#,
        limit,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|row| (row.scope, row.slug)).collect())
}
