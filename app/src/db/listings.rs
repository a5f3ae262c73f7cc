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

use super::posts::{SummaryRow, TEASER_SOURCE_CHARS};
use crate::filter::{MAX_COMBINED_POSTS, PostFilter};
use crate::model::{Count, Facet, Named, PostListing, PostSummary};

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
    /// What the one author, tag or category asked for says of itself (a bio, a description).
    pub(super) about: Option<String>,
    /// The author, tag and category asked for, each with its number of posts in the months.
    scopes: Vec<(Scope, i64)>,
    /// The months asked for, `[from, until)`: always bounds (never NULL), so that they stay
    /// index bounds in generic query plans too.
    pub(super) from: NaiveDate,
    pub(super) until: NaiveDate,
}

impl Resolved {
    /// The ids of the author, tag and category asked for, as the SQL functions take them.
    pub(super) fn scope_ids(&self) -> (Option<i64>, Option<i64>, Option<i64>) {
        let mut ids = (None, None, None);
        for (scope, _) in &self.scopes {
            match *scope {
                Scope::Author(id) => ids.0 = Some(id),
                Scope::Tag(id) => ids.1 = Some(id),
                Scope::Category(id) => ids.2 = Some(id),
                Scope::All => {}
            }
        }
        ids
    }
}

/// Page `page` (from 1) of the posts `filter` lets through, newest first; `None` when the filter
/// names an author, tag or category that does not exist. Two statements at most, one after
/// the other: the names (none for the whole blog), then the page with its count and its posts.
pub async fn list_posts(
    pool: &PgPool,
    filter: &PostFilter,
    page: u32,
    per_page: u32,
) -> sqlx::Result<Option<PostListing>> {
    listing(pool, filter, page, PageSize::Posts(per_page)).await
}

/// Like [`list_posts`], as many posts a page as the blog's settings say, read beside the names
/// in the address.
pub async fn list_posts_as_set(
    pool: &PgPool,
    filter: &PostFilter,
    page: u32,
) -> sqlx::Result<Option<PostListing>> {
    listing(pool, filter, page, PageSize::Site).await
}

/// How many posts a page of a listing holds.
#[derive(Debug, Clone, Copy)]
enum PageSize {
    /// As many as the blog's settings say.
    Site,
    Posts(u32),
}

async fn listing(
    pool: &PgPool,
    filter: &PostFilter,
    page: u32,
    size: PageSize,
) -> sqlx::Result<Option<PostListing>> {
    let per_page = async {
        match size {
            PageSize::Site => super::site::posts_per_page(pool).await,
            PageSize::Posts(per_page) => Ok(per_page),
        }
    };
    let (resolved, per_page) = tokio::try_join!(resolve(pool, filter), per_page)?;
    let Some(resolved) = resolved else {
        return Ok(None);
    };
    let found = page_of(pool, resolved, page, per_page).await?;
    Ok(Some(PostListing {
        filter: filter.clone(),
        facets: found.facets,
        about: found.about,
        posts: found.posts,
        page,
        per_page,
        total: found.total,
    }))
}

/// A page of a listing.
pub struct ListingPage {
    /// What the filter names, as readers see it.
    pub facets: Vec<Facet>,
    /// What the one author, tag or category named says of itself.
    pub about: Option<String>,
    /// The page's posts, newest first.
    pub posts: Vec<PostSummary>,
    /// Their ids, in the same order.
    pub ids: Vec<i64>,
    /// How many posts the whole listing holds.
    pub total: Count,
}

/// Page `page` of the posts `filter` lets through, as in [`list_posts`], with the posts' ids for
/// callers that read more of each post than its summary.
pub async fn find_page(
    pool: &PgPool,
    filter: &PostFilter,
    page: u32,
    per_page: u32,
) -> sqlx::Result<Option<ListingPage>> {
    let Some(resolved) = resolve(pool, filter).await? else {
        return Ok(None);
    };
    Ok(Some(page_of(pool, resolved, page, per_page).await?))
}

async fn page_of(
    pool: &PgPool,
    resolved: Resolved,
    page: u32,
    per_page: u32,
) -> sqlx::Result<ListingPage> {
    let offset = i64::from(page.saturating_sub(1)) * i64::from(per_page);
    let limit = i64::from(per_page);
    let (total, rows) = match resolved.scopes.as_slice() {
        [] => single_scope_page(pool, Scope::All, &resolved, offset, limit).await?,
        [(scope, _)] => single_scope_page(pool, *scope, &resolved, offset, limit).await?,
        scopes => {
            // The scope with the fewest posts drives the scan.
            let (driver, driver_total) = scopes
                .iter()
                .min_by_key(|(_, total)| *total)
                .copied()
                .unwrap_or((Scope::All, 0));
            combined_page(pool, driver, driver_total, &resolved, offset, limit).await?
        }
    };
    Ok(ListingPage {
        facets: resolved.facets,
        about: resolved.about,
        ids: rows.iter().map(|row| row.id).collect(),
        posts: rows.into_iter().map(SummaryRow::summary).collect(),
        total,
    })
}

/// The summaries of a page of one scope, newest first, and how many posts the scope holds in
/// the months. The month counts tell in which month the page starts and how many newer posts lie
/// before that month, so the scan skips only posts of that month. The bounds reach
/// `filtered_posts` through LATERAL, never as sub-selects in its arguments: PostgreSQL inlines the
/// function, and so reads one index range, only when no argument is a sub-select. For the same
/// reason the summaries are read from the ids of a materialised `listed`.
async fn single_scope_page(
    pool: &PgPool,
    scope: Scope,
    resolved: &Resolved,
    offset: i64,
    limit: i64,
) -> sqlx::Result<(Count, Vec<SummaryRow>)> {
    let (scope, scope_id) = scope.key();
    let page = sqlx::query!(
        r#"
        WITH months AS (
            SELECT month, post_count,
                   sum(post_count) OVER (ORDER BY month DESC) - post_count AS newer
            FROM listing_months
            WHERE scope = $1 AND scope_id = $2 AND post_count > 0
              AND month >= $3 AND month < $4
        ), start AS (
            SELECT month, newer FROM months
            WHERE newer <= $5
            ORDER BY newer DESC, month ASC
            LIMIT 1
        ), listed AS MATERIALIZED (
            SELECT (SELECT coalesce(sum(post_count), 0) FROM months)::bigint AS total,
                   ARRAY(
                       SELECT page.post_id
                       FROM start, LATERAL (
                           SELECT post_id, published_at FROM filtered_posts(
                               $1, $2, $3, (start.month + interval '1 month')::date,
                               NULL, NULL, NULL)
                           ORDER BY published_at DESC, post_id DESC
                           OFFSET $5 - start.newer LIMIT $6
                       ) page
                       ORDER BY page.published_at DESC, page.post_id DESC
                   ) AS ids
        )
        SELECT total AS "total!",
               ARRAY(
                   SELECT s FROM listing_summaries(ids, false, $7) s
                   ORDER BY array_position(ids, s.id)
               ) AS "posts!: Vec<SummaryRow>"
        FROM listed
        "#,
        scope,
        scope_id,
        resolved.from,
        resolved.until,
        offset,
        limit,
        TEASER_SOURCE_CHARS,
    )
    .fetch_one(pool)
    .await?;
    Ok((Count::Exact(page.total as u64), page.posts))
}

/// The summaries of a page of the posts in all the filter's scopes, newest first, found by
/// scanning `driver`, and their count: up to [`COUNT_CAP`], and "at least" when the scan stopped
/// at [`MAX_SCANNED_POSTS`] of the driving scope (to the start of the month the last of them
/// falls in) before the filter's first month.
async fn combined_page(
    pool: &PgPool,
    driver: Scope,
    driver_total: i64,
    resolved: &Resolved,
    offset: i64,
    limit: i64,
) -> sqlx::Result<(Count, Vec<SummaryRow>)> {
    let (scope, scope_id) = driver.key();
    // Past the reach of a combination, a page would walk ever more of the driving scope.
    let limit = if offset >= COUNT_CAP { 0 } else { limit };
    let (author, tag, category) = resolved.scope_ids();
    let page = sqlx::query!(
        r#"
        WITH horizon AS (
            SELECT greatest($3, coalesce((
                SELECT month FROM (
                    SELECT month, sum(post_count) OVER (ORDER BY month DESC) AS newer
                    FROM listing_months
                    WHERE scope = $1 AND scope_id = $2 AND month >= $3 AND month < $4
                ) counted
                WHERE $8 AND newer >= $9
                ORDER BY month DESC
                LIMIT 1
            ), $3)) AS scan_from
        ), listed AS MATERIALIZED (
            SELECT (SELECT scan_from FROM horizon) AS scan_from,
                   (SELECT count(*) FROM (
                       SELECT 1
                       FROM horizon, LATERAL filtered_posts(
                           $1, $2, horizon.scan_from, $4, $5, $6, $7)
                       LIMIT $10
                   ) capped) AS counted,
                   ARRAY(
                       SELECT found.post_id
                       FROM horizon, LATERAL filtered_posts(
                           $1, $2, horizon.scan_from, $4, $5, $6, $7) found
                       ORDER BY found.published_at DESC, found.post_id DESC
                       OFFSET $11 LIMIT $12
                   ) AS ids
        )
        SELECT scan_from AS "scan_from!", counted AS "counted!",
               ARRAY(
                   SELECT s FROM listing_summaries(ids, false, $13) s
                   ORDER BY array_position(ids, s.id)
               ) AS "posts!: Vec<SummaryRow>"
        FROM listed
        "#,
        scope,
        scope_id,
        resolved.from,
        resolved.until,
        author,
        tag,
        category,
        driver_total > MAX_SCANNED_POSTS,
        MAX_SCANNED_POSTS,
        COUNT_CAP + 1,
        offset,
        limit,
        TEASER_SOURCE_CHARS,
    )
    .fetch_one(pool)
    .await?;
    let total = if page.counted > COUNT_CAP {
        Count::MoreThan(COUNT_CAP as u64)
    } else if page.scan_from > resolved.from {
        Count::AtLeast(page.counted as u64)
    } else {
        Count::Exact(page.counted as u64)
    };
    Ok((total, page.posts))
}

pub(super) fn next_month(month: NaiveDate) -> NaiveDate {
    month
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(NaiveDate::MAX)
}

/// Looks up the filter's slugs, in one statement (none when it has none); `None` when one names
/// nothing, or an author, tag or category without published posts: those are not shown to
/// readers, not even by name.
pub(super) async fn resolve(pool: &PgPool, filter: &PostFilter) -> sqlx::Result<Option<Resolved>> {
    if !filter.is_valid() {
        return Ok(None);
    }
    let months = match (filter.year, filter.month) {
        (Some(year), Some(month)) => {
            NaiveDate::from_ymd_opt(year, month, 1).map(|from| (from, next_month(from)))
        }
        (Some(year), None) => {
            NaiveDate::from_ymd_opt(year, 1, 1).zip(NaiveDate::from_ymd_opt(year + 1, 1, 1))
        }
        _ => Some((FIRST_MONTH, LAST_MONTH)),
    };
    let Some((from, until)) = months else {
        return Ok(None);
    };
    let named = if filter.author.is_none() && filter.tag.is_none() && filter.category.is_none() {
        Vec::new()
    } else {
        sqlx::query!(
            r#"
            SELECT named.scope AS "scope!", named.id AS "id!", named.slug AS "slug!",
                   named.name AS "name!", named.about AS "about!",
                   (SELECT coalesce(sum(m.post_count), 0) FROM listing_months m
                    WHERE m.scope = named.scope AND m.scope_id = named.id
                      AND m.month >= $4 AND m.month < $5)::bigint AS "total!"
            FROM (
                SELECT 'author' AS scope, id, slug, display_name AS name, bio AS about FROM users
                WHERE slug = $1
                UNION ALL
                SELECT 'tag', id, slug, name, description FROM tags WHERE slug = $2
                UNION ALL
                SELECT 'category', id, slug, name, description FROM categories WHERE slug = $3
            ) named
            JOIN listing_totals l ON l.scope = named.scope AND l.scope_id = named.id
            WHERE l.post_count > 0
            "#,
            filter.author.as_deref(),
            filter.tag.as_deref(),
            filter.category.as_deref(),
            from,
            until,
        )
        .fetch_all(pool)
        .await?
    };
    let mut facets = Vec::new();
    let mut scopes = Vec::new();
    let wanted = [
        ("author", filter.author.is_some()),
        ("tag", filter.tag.is_some()),
        ("category", filter.category.is_some()),
    ];
    for (kind, asked) in wanted {
        if !asked {
            continue;
        }
        let Some(row) = named.iter().find(|row| row.scope == kind) else {
            return Ok(None);
        };
        let name = Named {
            slug: row.slug.clone(),
            name: row.name.clone(),
        };
        let (facet, scope) = match kind {
            "author" => (Facet::Author(name), Scope::Author(row.id)),
            "tag" => (Facet::Tag(name), Scope::Tag(row.id)),
            _ => (Facet::Category(name), Scope::Category(row.id)),
        };
        facets.push(facet);
        scopes.push((scope, row.total));
    }
    match (filter.year, filter.month) {
        (Some(year), Some(month)) => facets.push(Facet::Month(year, month)),
        (Some(year), None) => facets.push(Facet::Year(year)),
        _ => {}
    }
    let about = match named.as_slice() {
        [one] if !one.about.trim().is_empty() => Some(one.about.clone()),
        _ => None,
    };
    Ok(Some(Resolved {
        facets,
        about,
        scopes,
        from,
        until,
    }))
}

/// The posts published just before and just after a post, as links, in one statement.
pub async fn neighbours(
    pool: &PgPool,
    post_id: i64,
    published_at: DateTime<Utc>,
) -> sqlx::Result<(Option<Named>, Option<Named>)> {
    let rows = sqlx::query!(
        r#"
        SELECT side AS "side!", p.slug, p.title
        FROM (
            (SELECT 'older' AS side, post_id FROM post_listings
             WHERE scope = 'all' AND scope_id = 0 AND (published_at, post_id) < ($1, $2)
             ORDER BY published_at DESC, post_id DESC
             LIMIT 1)
            UNION ALL
            (SELECT 'newer', post_id FROM post_listings
             WHERE scope = 'all' AND scope_id = 0 AND (published_at, post_id) > ($1, $2)
             ORDER BY published_at ASC, post_id ASC
             LIMIT 1)
        ) l
        JOIN posts p ON p.id = l.post_id
        "#,
        published_at,
        post_id,
    )
    .fetch_all(pool)
    .await?;
    let side = |wanted: &str| {
        rows.iter().find(|row| row.side == wanted).map(|row| Named {
            slug: row.slug.clone(),
            name: row.title.clone(),
        })
    };
    Ok((side("older"), side("newer")))
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
