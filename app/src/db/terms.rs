//! Categories (nested) and tags: how posts are filed.

use std::collections::HashMap;

use sqlx::{PgConnection, PgPool};

use crate::model::{CategoryCount, Named, TagCount, TermCount};

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

/// The categories that have published posts, as a tree in alphabetical order (each parent
/// before its children), counting the posts of each category and all categories below it.
pub async fn category_counts(pool: &PgPool) -> sqlx::Result<Vec<CategoryCount>> {
    let rows = sqlx::query!(
        r#"
        SELECT c.id, c.slug, c.name, c.parent_id, t.post_count
        FROM categories c
        JOIN listing_totals t ON t.scope = 'category' AND t.scope_id = c.id
        WHERE t.post_count > 0
        ORDER BY c.name, c.id
        "#
    )
    .fetch_all(pool)
    .await?;
    let listed: std::collections::HashSet<i64> = rows.iter().map(|row| row.id).collect();
    let mut children: HashMap<Option<i64>, Vec<usize>> = HashMap::new();
    for (index, row) in rows.iter().enumerate() {
        let parent = row.parent_id.filter(|parent| listed.contains(parent));
        children.entry(parent).or_default().push(index);
    }
    let mut tree = Vec::with_capacity(rows.len());
    let mut stack: Vec<(usize, u32)> = children
        .get(&None)
        .into_iter()
        .flatten()
        .rev()
        .map(|index| (*index, 0))
        .collect();
    while let Some((index, depth)) = stack.pop() {
        let row = &rows[index];
        tree.push(CategoryCount {
            category: Named {
                slug: row.slug.clone(),
                name: row.name.clone(),
            },
            depth,
            count: i64::from(row.post_count),
        });
        if let Some(below) = children.get(&Some(row.id)) {
            stack.extend(below.iter().rev().map(|child| (*child, depth + 1)));
        }
    }
    Ok(tree)
}

/// The `limit` most used tags, in alphabetical order.
pub async fn top_tags(pool: &PgPool, limit: i64) -> sqlx::Result<Vec<TagCount>> {
    let mut tags: Vec<TagCount> = sqlx::query!(
        r#"
        SELECT t.slug, t.name, l.post_count
        FROM listing_totals l
        JOIN tags t ON t.id = l.scope_id
        WHERE l.scope = 'tag' AND l.post_count > 0
        ORDER BY l.post_count DESC, t.name
        LIMIT $1
        "#,
        limit,
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|row| TagCount {
        tag: Named {
            slug: row.slug,
            name: row.name,
        },
        count: i64::from(row.post_count),
    })
    .collect();
    tags.sort_by_key(|entry| entry.tag.name.to_lowercase());
    Ok(tags)
}

/// Every tag with its number of published posts, by name.
pub async fn tag_counts(pool: &PgPool) -> sqlx::Result<Vec<TermCount>> {
    sqlx::query_as!(
        TermCount,
        r#"
        SELECT t.slug, t.name, NULL::text AS parent, coalesce(l.post_count, 0)::bigint AS "count!"
        FROM tags t
        LEFT JOIN listing_totals l ON l.scope = 'tag' AND l.scope_id = t.id
        ORDER BY t.name, t.slug
        "#
    )
    .fetch_all(pool)
    .await
}

/// Every category with its parent and its number of published posts (its subcategories'
/// included), by name.
pub async fn category_term_counts(pool: &PgPool) -> sqlx::Result<Vec<TermCount>> {
    sqlx::query_as!(
        TermCount,
        r#"
        SELECT c.slug, c.name, p.slug AS "parent?", coalesce(l.post_count, 0)::bigint AS "count!"
        FROM categories c
        LEFT JOIN categories p ON p.id = c.parent_id
        LEFT JOIN listing_totals l ON l.scope = 'category' AND l.scope_id = c.id
        ORDER BY c.name, c.slug
        "#
    )
    .fetch_all(pool)
    .await
}
