//! Categories (nested) and tags: how posts are filed.

use std::collections::HashMap;

use sqlx::{PgConnection, PgPool};

use crate::model::{CategoryChoice, CategoryCount, Named, TagCount, TermCount};
use crate::slug::slugify;

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
///
/// They are created in the order of their slugs, whatever the order given: two writers creating
/// the same new names at once then never each hold one the other waits for.
pub async fn ensure_categories(
    conn: &mut PgConnection,
    slugs: &[String],
    names: &[String],
) -> sqlx::Result<(Vec<i64>, u64)> {
    let created = sqlx::query!(
        r#"
        INSERT INTO categories (slug, name)
        SELECT slug, name FROM unnest($1::text[], $2::text[]) AS new (slug, name) ORDER BY slug
        ON CONFLICT (slug) DO NOTHING
        "#,
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
        r#"
        INSERT INTO tags (slug, name)
        SELECT slug, name FROM unnest($1::text[], $2::text[]) AS new (slug, name) ORDER BY slug
        ON CONFLICT (slug) DO NOTHING
        "#,
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
    let nodes: Vec<(i64, Option<i64>)> = rows.iter().map(|row| (row.id, row.parent_id)).collect();
    let tree = tree_order(&nodes)
        .into_iter()
        .map(|(index, depth)| {
            let row = &rows[index];
            CategoryCount {
                category: Named {
                    slug: row.slug.clone(),
                    name: row.name.clone(),
                },
                depth,
                count: i64::from(row.post_count),
            }
        })
        .collect();
    Ok(tree)
}

/// Categories given as (id, parent) in the order siblings should keep, put in tree order: each
/// parent before its children. Gives each one's index and depth; a category whose parent is not
/// among them stands at the top.
fn tree_order(nodes: &[(i64, Option<i64>)]) -> Vec<(usize, u32)> {
    let present: std::collections::HashSet<i64> = nodes.iter().map(|(id, _)| *id).collect();
    let mut children: HashMap<Option<i64>, Vec<usize>> = HashMap::new();
    for (index, (_, parent)) in nodes.iter().enumerate() {
        let parent = parent.filter(|parent| present.contains(parent));
        children.entry(parent).or_default().push(index);
    }
    let mut order = Vec::with_capacity(nodes.len());
    let mut stack: Vec<(usize, u32)> = children
        .get(&None)
        .into_iter()
        .flatten()
        .rev()
        .map(|index| (*index, 0))
        .collect();
    while let Some((index, depth)) = stack.pop() {
        order.push((index, depth));
        if let Some(below) = children.get(&Some(nodes[index].0)) {
            stack.extend(below.iter().rev().map(|child| (*child, depth + 1)));
        }
    }
    order
}

/// Every category, in tree order, for the editor to choose from.
pub async fn category_choices(pool: &PgPool) -> sqlx::Result<Vec<CategoryChoice>> {
    let rows = sqlx::query!("SELECT id, name, parent_id FROM categories ORDER BY name, id")
        .fetch_all(pool)
        .await?;
    let nodes: Vec<(i64, Option<i64>)> = rows.iter().map(|row| (row.id, row.parent_id)).collect();
    Ok(tree_order(&nodes)
        .into_iter()
        .map(|(index, depth)| CategoryChoice {
            id: rows[index].id,
            name: rows[index].name.clone(),
            parent_id: rows[index].parent_id,
            depth: i32::try_from(depth).unwrap_or(i32::MAX),
        })
        .collect())
}

/// Creates a category under `parent_id` (or at the top), its slug made from its name and unique.
/// `None` when the parent does not exist.
pub async fn create_category(
    conn: &mut PgConnection,
    name: &str,
    parent_id: Option<i64>,
) -> sqlx::Result<Option<i64>> {
    if let Some(parent) = parent_id {
        let exists = sqlx::query_scalar!(
            r#"SELECT EXISTS (SELECT 1 FROM categories WHERE id = $1) AS "exists!""#,
            parent
        )
        .fetch_one(&mut *conn)
        .await?;
        if !exists {
            return Ok(None);
        }
    }
    let base = Some(slugify(name))
        .filter(|slug| !slug.is_empty())
        .unwrap_or_else(|| "category".to_string());
    let mut slug = base.clone();
    for suffix in 2.. {
        let id = sqlx::query_scalar!(
            "INSERT INTO categories (slug, name, parent_id) VALUES ($1, $2, $3)
             ON CONFLICT (slug) DO NOTHING RETURNING id",
            slug,
            name,
            parent_id,
        )
        .fetch_optional(&mut *conn)
        .await?;
        if id.is_some() {
            return Ok(id);
        }
        slug = format!("{base}-{suffix}");
    }
    unreachable!("some suffix is free")
}

/// The ids of the categories with these slugs (those that exist).
pub async fn category_ids(pool: &PgPool, slugs: &[String]) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar!("SELECT id FROM categories WHERE slug = ANY($1)", slugs)
        .fetch_all(pool)
        .await
}

/// How many of these categories exist.
pub async fn existing_categories(pool: &PgPool, ids: &[i64]) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM categories WHERE id = ANY($1)"#,
        ids
    )
    .fetch_one(pool)
    .await
}

/// Tags whose names begin with `prefix` (any case), the most used first, for completion.
pub async fn matching_tags(pool: &PgPool, prefix: &str, limit: i64) -> sqlx::Result<Vec<Named>> {
    let pattern = format!(
        "{}%",
        prefix
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    // Planned for this very prefix, so that the name index is read rather than every tag.
    let mut tx = pool.begin().await?;
    sqlx::query!("SET LOCAL plan_cache_mode = force_custom_plan")
        .execute(&mut *tx)
        .await?;
    let tags = sqlx::query_as!(
        Named,
        r#"
        SELECT t.slug, t.name
        FROM tags t
        LEFT JOIN listing_totals c ON c.scope = 'tag' AND c.scope_id = t.id
        WHERE lower(t.name) LIKE $1
        ORDER BY coalesce(c.post_count, 0) DESC, t.name
        LIMIT $2
        "#,
        pattern,
        limit,
    )
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(tags)
}

/// The ids of tags with these names, created where missing (their slugs made from the names).
pub async fn tags_named(conn: &mut PgConnection, names: &[String]) -> sqlx::Result<Vec<i64>> {
    let mut slugs = Vec::with_capacity(names.len());
    let mut kept = Vec::with_capacity(names.len());
    for name in names {
        let slug = slugify(name);
        if !slug.is_empty() && !slugs.contains(&slug) {
            slugs.push(slug);
            kept.push(name.trim().to_string());
        }
    }
    Ok(ensure_tags(conn, &slugs, &kept).await?.0)
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

/// The tags that have published posts, with how many, by name.
pub async fn tag_counts(pool: &PgPool) -> sqlx::Result<Vec<TermCount>> {
    sqlx::query_as!(
        TermCount,
        r#"
        SELECT t.slug, t.name, NULL::text AS parent, l.post_count::bigint AS "count!"
        FROM tags t
        JOIN listing_totals l ON l.scope = 'tag' AND l.scope_id = t.id
        WHERE l.post_count > 0
        ORDER BY t.name, t.slug
        "#
    )
    .fetch_all(pool)
    .await
}

/// The categories that have published posts, with their parent and how many (their
/// subcategories' included, so that the parent of a listed category is listed too), by name.
pub async fn category_term_counts(pool: &PgPool) -> sqlx::Result<Vec<TermCount>> {
    sqlx::query_as!(
        TermCount,
        r#"
        SELECT c.slug, c.name, p.slug AS "parent?", l.post_count::bigint AS "count!"
        FROM categories c
        LEFT JOIN categories p ON p.id = c.parent_id
        JOIN listing_totals l ON l.scope = 'category' AND l.scope_id = c.id
        WHERE l.post_count > 0
        ORDER BY c.name, c.slug
        "#
    )
    .fetch_all(pool)
    .await
}

/// Rewrites the kept names of the next batch of posts of a renamed category or tag (see migration
/// `20261205000001_renames_in_batches.sql`); returns how many posts, 0 when none is waiting.
pub async fn rewrite_renamed_names(pool: &PgPool) -> sqlx::Result<i32> {
    sqlx::query_scalar!(r#"SELECT rewrite_renamed_names() AS "rewritten!""#)
        .fetch_one(pool)
        .await
}
