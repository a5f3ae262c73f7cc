//! The people who write: authors now, accounts with roles later.

use sqlx::{PgConnection, PgPool};

use super::Upserted;
use crate::model::TermCount;

/// Finds the user an export's author login stands for (by login, then by e-mail) and refreshes
/// their name, or creates them as an author with the given slug, made unique where needed.
pub async fn upsert_imported_author(
    conn: &mut PgConnection,
    login: &str,
    email: Option<&str>,
    display_name: &str,
    slug: &str,
) -> sqlx::Result<Upserted> {
    let existing = sqlx::query_scalar!(
        "SELECT id FROM users WHERE wp_login = $1 OR lower(email) = lower($2) ORDER BY (wp_login = $1) IS TRUE DESC LIMIT 1",
        login,
        email,
    )
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(id) = existing {
        sqlx::query!(
            "UPDATE users SET display_name = $2, wp_login = coalesce(wp_login, $3) WHERE id = $1",
            id,
            display_name,
            login,
        )
        .execute(conn)
        .await?;
        return Ok(Upserted::Updated(id));
    }
    let mut candidate = slug.to_string();
    let mut suffix = 1;
    loop {
        let inserted = sqlx::query_scalar!(
            r#"
            INSERT INTO users (slug, display_name, email, wp_login) VALUES ($1, $2, $3, $4)
            ON CONFLICT (slug) DO NOTHING
            RETURNING id
            "#,
            candidate,
            display_name,
            email,
            login,
        )
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(id) = inserted {
            return Ok(Upserted::Inserted(id));
        }
        suffix += 1;
        candidate = format!("{slug}-{suffix}");
    }
}

/// Everyone who has published posts, with how many, by name.
pub async fn author_counts(pool: &PgPool) -> sqlx::Result<Vec<TermCount>> {
    sqlx::query_as!(
        TermCount,
        r#"
        SELECT u.slug, u.display_name AS name, NULL::text AS parent, l.post_count::bigint AS "count!"
        FROM users u
        JOIN listing_totals l ON l.scope = 'author' AND l.scope_id = u.id
        WHERE l.post_count > 0
        ORDER BY u.display_name, u.slug
        "#
    )
    .fetch_all(pool)
    .await
}
