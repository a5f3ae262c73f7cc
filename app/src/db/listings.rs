//! Listings of published posts, narrowed by author, tag, category, year and month.
//!
//! Every listing reads `post_listings`, where a post has one row for each scope it can be found
//! in (all posts, its author, its tags, its categories and their ancestors), ordered by date, so
//! that a page of a listing is one index range scan of a single scope.
//!
//! - With one scope (the home page, a tag, a category, an author, each optionally within a year
//!   or month), counts come from `listing_months`, and a deep page starts its scan at the month it
//!   falls in: page 40,000 reads no more rows than page 1 plus at most one month's.
//! - With several scopes, the one with the fewest posts drives the scan and the others are
//!   checked per row through the `(post_id, scope, scope_id)` index; the total is counted up to
//!   [`COUNT_CAP`] and shown as "more than" beyond it, and pages past the first
//!   [`MAX_COMBINED_POSTS`] posts are empty (callers refuse them before asking). The scan reads
//!   only the newest [`MAX_SCANNED_POSTS`] of the driving scope (to the start of the month the
//!   last of them falls in): when that scope holds more, what it finds is counted as "at least".

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sqlx::{PgConnection, PgPool};

use crate::filter::{MAX_COMBINED_POSTS, PostFilter};
use crate::model::{Count, Facet, Named, PostListing};

/// Bounds of "any time", within what both chrono and PostgreSQL dates can hold.
const FIRST_MONTH: NaiveDate = NaiveDate::from_ymd_opt(1, 1, 1).expect("a valid date");
const LAST_MONTH: NaiveDate = NaiveDate::from_ymd_opt(10_000, 1, 1).expect("a valid date");

/// Combined filters count their posts up to this many; beyond, the count is "more than" this.
pub const COUNT_CAP: i64 = MAX_COMBINED_POSTS as i64;

/// How many posts of its driving scope a combination of filters reads at most, however few of
/// them it lets through.
pub const MAX_SCANNED_POSTS: i64 = 20_000;

/// Where a listing looks: all posts, or the posts of one author, tag or category.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    All,
    Author(i64),
    Tag(i64),
    Category(i64),
}

impl Scope {
    fn key(self) -> (&'static str, i64) {
        match self {
            Scope::All => ("all", 0),
            Scope::Author(id) => ("author", id),
            Scope::Tag(id) => ("tag", id),
            Scope::Category(id) => ("category", id),
        }
    }
}

/// A filter with its slugs resolved, ready to query.
#[derive(Debug, Clone)]
pub(super) struct Resolved {
    pub(super) facets: Vec<Facet>,
    scopes: Vec<Scope>,
    /// The months asked for, `[from, until)`: always bounds (never NULL), so that they stay
    /// index bounds in generic query plans too.
    pub(super) from: NaiveDate,
    pub(super) until: NaiveDate,
}

impl Resolved {
    pub(super) fn author(&self) -> Option<i64> {
        self.scopes.iter().find_map(|scope| match scope {
            Scope::Author(id) => Some(*id),
            _ => None,
        })
    }

    pub(super) fn tag(&self) -> Option<i64> {
        self.scopes.iter().find_map(|scope| match scope {
            Scope::Tag(id) => Some(*id),
            _ => None,
        })
    }

    pub(super) fn category(&self) -> Option<i64> {
        self.scopes.iter().find_map(|scope| match scope {
            Scope::Category(id) => Some(*id),
            _ => None,
        })
    }
}

/// Page `page` (from 1) of the posts `filter` lets through, newest first; `None` when the filter
/// names an author, tag or category that does not exist.
pub async fn list_posts(
    pool: &PgPool,
    filter: &PostFilter,
    page: u32,
    per_page: u32,
) -> sqlx::Result<Option<PostListing>> {
    let Some(resolved) = resolve(pool, filter).await? else {
        return Ok(None);
    };
    let offset = i64::from(page.saturating_sub(1)) * i64::from(per_page);
    let limit = i64::from(per_page);
    let mut totals = Vec::with_capacity(resolved.scopes.len());
    for scope in &resolved.scopes {
        totals.push((total(pool, *scope, &resolved).await?, *scope));
    }
    let (driver_total, driver) = totals
        .iter()
        .min_by_key(|(total, _)| *total)
        .copied()
        .unwrap_or((0, Scope::All));
    let (ids, total) = if resolved.scopes.len() <= 1 {
        let total = match totals.first() {
            Some((total, _)) => *total,
            None => total(pool, Scope::All, &resolved).await?,
        };
        (
            single_scope_page(pool, driver, &resolved, offset, limit).await?,
            Count::Exact(total as u64),
        )
    } else {
        let (scope, scope_id) = driver.key();
        let scan_from = if driver_total > MAX_SCANNED_POSTS {
            scan_horizon(pool, driver, &resolved).await?
        } else {
            resolved.from
        };
        let counted = sqlx::query_scalar!(
            r#"
            SELECT count(*) AS "count!" FROM (
                SELECT 1 FROM filtered_posts($1, $2, $3, $4, $5, $6, $7) LIMIT $8
            ) capped
            "#,
            scope,
            scope_id,
            scan_from,
            resolved.until,
            resolved.author(),
            resolved.tag(),
            resolved.category(),
            COUNT_CAP + 1,
        )
        .fetch_one(pool)
        .await?;
        let total = if counted > COUNT_CAP {
            Count::MoreThan(COUNT_CAP as u64)
        } else if scan_from > resolved.from {
            Count::AtLeast(counted as u64)
        } else {
            Count::Exact(counted as u64)
        };
        // Past the reach of a combination, a page would walk ever more of the driving scope.
        let ids = if offset >= COUNT_CAP {
            Vec::new()
        } else {
            sqlx::query_scalar!(
                r#"
                SELECT post_id AS "post_id!" FROM filtered_posts($1, $2, $3, $4, $5, $6, $7)
                ORDER BY published_at DESC, post_id DESC
                OFFSET $8 LIMIT $9
                "#,
                scope,
                scope_id,
                scan_from,
                resolved.until,
                resolved.author(),
                resolved.tag(),
                resolved.category(),
                offset,
                limit,
            )
            .fetch_all(pool)
            .await?
        };
        (ids, total)
    };
    let posts = super::posts::summaries(pool, &ids).await?;
    Ok(Some(PostListing {
        filter: filter.clone(),
        facets: resolved.facets,
        posts,
        page,
        per_page,
        total,
    }))
}

/// The first month a scan of `scope` reads so as to read about [`MAX_SCANNED_POSTS`] of its
/// posts, newest first, within the filter's months: the month in which their count reaches it.
async fn scan_horizon(pool: &PgPool, scope: Scope, resolved: &Resolved) -> sqlx::Result<NaiveDate> {
    let (scope, scope_id) = scope.key();
    let month = sqlx::query_scalar!(
        r#"
        SELECT month AS "month!" FROM (
            SELECT month, sum(post_count) OVER (ORDER BY month DESC) AS newer
            FROM listing_months
            WHERE scope = $1 AND scope_id = $2 AND month >= $3 AND month < $4
        ) counted
        WHERE newer >= $5
        ORDER BY month DESC
        LIMIT 1
        "#,
        scope,
        scope_id,
        resolved.from,
        resolved.until,
        MAX_SCANNED_POSTS,
    )
    .fetch_optional(pool)
    .await?;
    Ok(month.map_or(resolved.from, |month| month.max(resolved.from)))
}

/// The number of posts in a scope, within the filter's months if it has any.
async fn total(pool: &PgPool, scope: Scope, resolved: &Resolved) -> sqlx::Result<i64> {
    let (scope, scope_id) = scope.key();
    sqlx::query_scalar!(
        r#"
        SELECT coalesce(sum(post_count), 0)::bigint AS "total!"
        FROM listing_months
        WHERE scope = $1 AND scope_id = $2
          AND month >= $3 AND month < $4
        "#,
        scope,
        scope_id,
        resolved.from,
        resolved.until,
    )
    .fetch_one(pool)
    .await
}

/// The ids of a page of one scope. The month counts tell in which month the page starts and how
/// many newer posts lie before that month, so the scan skips only posts of that month.
async fn single_scope_page(
    pool: &PgPool,
    scope: Scope,
    resolved: &Resolved,
    offset: i64,
    limit: i64,
) -> sqlx::Result<Vec<i64>> {
    let (scope, scope_id) = scope.key();
    let start = sqlx::query!(
        r#"
        WITH months AS (
            SELECT month, sum(post_count) OVER (ORDER BY month DESC) - post_count AS newer
            FROM listing_months
            WHERE scope = $1 AND scope_id = $2 AND post_count > 0
              AND month >= $3 AND month < $4
        )
        SELECT month AS "month!", newer::bigint AS "newer!"
        FROM months
        WHERE newer <= $5
        ORDER BY newer DESC, month ASC
        LIMIT 1
        "#,
        scope,
        scope_id,
        resolved.from,
        resolved.until,
        offset,
    )
    .fetch_optional(pool)
    .await?;
    let Some(start) = start else {
        return Ok(Vec::new());
    };
    let until = next_month(start.month);
    sqlx::query_scalar!(
        r#"
        SELECT post_id AS "post_id!" FROM filtered_posts($1, $2, $3, $4, NULL, NULL, NULL)
        ORDER BY published_at DESC, post_id DESC
        OFFSET $5 LIMIT $6
        "#,
        scope,
        scope_id,
        resolved.from,
        until,
        offset - start.newer,
        limit,
    )
    .fetch_all(pool)
    .await
}

pub(super) fn next_month(month: NaiveDate) -> NaiveDate {
    month
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(NaiveDate::MAX)
}

/// Looks up the filter's slugs; `None` when one names nothing, or an author, tag or category
/// without published posts: those are not shown to readers, not even by name.
pub(super) async fn resolve(pool: &PgPool, filter: &PostFilter) -> sqlx::Result<Option<Resolved>> {
    if !filter.is_valid() {
        return Ok(None);
    }
    let mut facets = Vec::new();
    let mut scopes = Vec::new();
    if let Some(slug) = &filter.author {
        let Some(author) = sqlx::query!(
            r#"
            SELECT u.id, u.slug, u.display_name FROM users u
            JOIN listing_totals l ON l.scope = 'author' AND l.scope_id = u.id
            WHERE u.slug = $1 AND l.post_count > 0
            "#,
            slug
        )
        .fetch_optional(pool)
        .await?
        else {
            return Ok(None);
        };
        facets.push(Facet::Author(Named {
            slug: author.slug,
            name: author.display_name,
        }));
        scopes.push(Scope::Author(author.id));
    }
    if let Some(slug) = &filter.tag {
        let Some(tag) = sqlx::query!(
            r#"
            SELECT t.id, t.slug, t.name FROM tags t
            JOIN listing_totals l ON l.scope = 'tag' AND l.scope_id = t.id
            WHERE t.slug = $1 AND l.post_count > 0
            "#,
            slug
        )
        .fetch_optional(pool)
        .await?
        else {
            return Ok(None);
        };
        facets.push(Facet::Tag(Named {
            slug: tag.slug,
            name: tag.name,
        }));
        scopes.push(Scope::Tag(tag.id));
    }
    if let Some(slug) = &filter.category {
        let Some(category) = sqlx::query!(
            r#"
            SELECT c.id, c.slug, c.name FROM categories c
            JOIN listing_totals l ON l.scope = 'category' AND l.scope_id = c.id
            WHERE c.slug = $1 AND l.post_count > 0
            "#,
            slug
        )
        .fetch_optional(pool)
        .await?
        else {
            return Ok(None);
        };
        facets.push(Facet::Category(Named {
            slug: category.slug,
            name: category.name,
        }));
        scopes.push(Scope::Category(category.id));
    }
    let months = match (filter.year, filter.month) {
        (Some(year), Some(month)) => {
            facets.push(Facet::Month(year, month));
            NaiveDate::from_ymd_opt(year, month, 1).map(|from| (from, next_month(from)))
        }
        (Some(year), None) => {
            facets.push(Facet::Year(year));
            NaiveDate::from_ymd_opt(year, 1, 1).zip(NaiveDate::from_ymd_opt(year + 1, 1, 1))
        }
        _ => Some((FIRST_MONTH, LAST_MONTH)),
    };
    let Some((from, until)) = months else {
        return Ok(None);
    };
    Ok(Some(Resolved {
        facets,
        scopes,
        from,
        until,
    }))
}

/// The posts published just before and just after a post, as links.
pub async fn neighbours(
    pool: &PgPool,
    post_id: i64,
    published_at: DateTime<Utc>,
) -> sqlx::Result<(Option<Named>, Option<Named>)> {
    let older = sqlx::query_as!(
        Named,
        r#"
        SELECT p.slug, p.title AS name
        FROM (
            SELECT post_id FROM post_listings
            WHERE scope = 'all' AND scope_id = 0 AND (published_at, post_id) < ($1, $2)
            ORDER BY published_at DESC, post_id DESC
            LIMIT 1
        ) l
        JOIN posts p ON p.id = l.post_id
        "#,
        published_at,
        post_id,
    )
    .fetch_optional(pool)
    .await?;
    let newer = sqlx::query_as!(
        Named,
        r#"
        SELECT p.slug, p.title AS name
        FROM (
            SELECT post_id FROM post_listings
            WHERE scope = 'all' AND scope_id = 0 AND (published_at, post_id) > ($1, $2)
            ORDER BY published_at ASC, post_id ASC
            LIMIT 1
        ) l
        JOIN posts p ON p.id = l.post_id
        "#,
        published_at,
        post_id,
    )
    .fetch_optional(pool)
    .await?;
    Ok((older, newer))
}

/// The months that have posts, newest first, with their counts.
pub async fn archive_months(pool: &PgPool) -> sqlx::Result<Vec<crate::model::ArchiveMonth>> {
    let rows = sqlx::query!(
        r#"
        SELECT month, post_count
        FROM listing_months
        WHERE scope = 'all' AND scope_id = 0 AND post_count > 0
        ORDER BY month DESC
        "#
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| crate::model::ArchiveMonth {
            year: row.month.year(),
            month: row.month.month(),
            count: i64::from(row.post_count),
        })
        .collect())
}

/// The newest published posts, as links.
pub async fn recent_posts(pool: &PgPool, limit: i64) -> sqlx::Result<Vec<Named>> {
    sqlx::query_as!(
        Named,
        r#"
        SELECT p.slug, p.title AS name
        FROM post_listings l
        JOIN posts p ON p.id = l.post_id
        WHERE l.scope = 'all' AND l.scope_id = 0
        ORDER BY l.published_at DESC, l.post_id DESC
        LIMIT $1
        "#,
        limit,
    )
    .fetch_all(pool)
    .await
}

/// Lets the listing triggers skip their work until the end of the transaction, for writes that
/// touch many rows of a post; call [`refresh_listings`] with the posts before committing.
pub async fn defer_listing_refreshes(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query!("SELECT set_config('fieldnotes.defer_listings', 'on', true)")
        .fetch_one(conn)
        .await?;
    Ok(())
}

/// Brings the listings of these posts in line with their present state.
pub async fn refresh_listings(conn: &mut PgConnection, post_ids: &[i64]) -> sqlx::Result<()> {
    sqlx::query!("SELECT refresh_many_post_listings($1)", post_ids)
        .fetch_one(conn)
        .await?;
    Ok(())
}
