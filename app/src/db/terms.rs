//! Categories (nested) and tags: how posts are filed.

use sqlx::PgConnection;

use super::Upserted;

/// Creates the category with this slug, or renames and redescribes the existing one.
pub async fn upsert_category(
    conn: &mut PgConnection,
    slug: &str,
    name: &str,
    description: &str,
) -> sqlx::Result<Upserted> {
    let row = sqlx::query!(
        r#"
        INSERT INTO categories (slug, name, description) VALUES ($1, $2, $3)
        ON CONFLICT (slug) DO UPDATE SET name = excluded.name, description = excluded.description
        RETURNING id, (xmax = 0) AS "inserted!"
        "#,
        slug,
        name,
        description,
    )
    .fetch_one(conn)
    .await?;
    Ok(Upserted::new(row.id, row.inserted))
}

/// Files a category under its parent, both by slug. A parent that would make a cycle is refused
/// (the category stays where it was) and reported as `false`.
pub async fn set_category_parent(
    conn: &mut PgConnection,
    slug: &str,
    parent_slug: &str,
) -> sqlx::Result<bool> {
    let updated = sqlx::query!(
        r#"
        WITH RECURSIVE ancestors AS (
            SELECT id, parent_id FROM categories WHERE slug = $2
            UNION
            SELECT c.id, c.parent_id FROM categories c JOIN ancestors a ON c.id = a.parent_id
        )
        UPDATE categories
        SET parent_id = (SELECT id FROM categories WHERE slug = $2)
        WHERE slug = $1
          AND id NOT IN (SELECT id FROM ancestors)
        "#,
        slug,
        parent_slug,
    )
    .execute(conn)
    .await?;
    Ok(updated.rows_affected() == 1)
}

pub async fn upsert_tag(
    conn: &mut PgConnection,
    slug: &str,
    name: &str,
    description: &str,
) -> sqlx::Result<Upserted> {
    let row = sqlx::query!(
        r#"
        INSERT INTO tags (slug, name, description) VALUES ($1, $2, $3)
        ON CONFLICT (slug) DO UPDATE SET name = excluded.name, description = excluded.description
        RETURNING id, (xmax = 0) AS "inserted!"
        "#,
        slug,
        name,
        description,
    )
    .fetch_one(conn)
    .await?;
    Ok(Upserted::new(row.id, row.inserted))
}

/// The ids of the categories with these slugs, creating any that do not exist yet with the
/// given names (existing ones are left as they are), and how many were created.
pub async fn ensure_categories(
    conn: &mut PgConnection,
    slugs: &[String],
    names: &[String],
) -> sqlx::Result<(Vec<i64>, u64)> {
    let created = sqlx::query!(
        "INSERT INTO categories (slug, name) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (slug) DO NOTHING",
        slugs,
        names,
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    let ids = sqlx::query_scalar!("SELECT id FROM categories WHERE slug = ANY($1)", slugs)
        .fetch_all(conn)
        .await?;
    Ok((ids, created))
}

/// The ids of the tags with these slugs, creating missing ones as [`ensure_categories`] does.
pub async fn ensure_tags(
    conn: &mut PgConnection,
    slugs: &[String],
    names: &[String],
) -> sqlx::Result<(Vec<i64>, u64)> {
    let created = sqlx::query!(
        "INSERT INTO tags (slug, name) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (slug) DO NOTHING",
        slugs,
        names,
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    let ids = sqlx::query_scalar!("SELECT id FROM tags WHERE slug = ANY($1)", slugs)
        .fetch_all(conn)
        .await?;
    Ok((ids, created))
}
