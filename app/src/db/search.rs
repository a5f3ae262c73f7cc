//! Searching posts: keeping each post's search tokens current, and finding posts by them.
//! How text becomes tokens is [`crate::search`]'s business.

use sqlx::{PgConnection, PgPool};

use super::listings::{Resolved, resolve};
use crate::filter::PostFilter;
use crate::html;
use crate::model::{Count, Named, PostListing, SearchHit, SearchResults};
use crate::search::{self, TOKENIZER_VERSION};

/// Search ranks at most this many of the newest matching posts (see `search_matches`); past
/// it, the count is "more than" this.
pub const SEARCH_CAP: u64 = 5000;

/// How many characters of a post a search result shows around its first match.
const EXCERPT_CHARS: usize = 240;

/// Makes what is derived from a post's text each time it is written: its search tokens from its
/// title and body (a protected post's from its title alone, so that no word of its text finds
/// it) and the teaser listings show of it.
pub async fn index_post(conn: &mut PgConnection, post_id: i64) -> sqlx::Result<()> {
    let Some(post) = sqlx::query!(
        r#"SELECT title, excerpt, body_html, password IS NOT NULL AS "protected!" FROM posts WHERE id = $1"#,
        post_id
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(());
    };
    let title = search::document_tokens(&post.title);
    let body_text = if post.protected {
        String::new()
    } else {
        html::plain_text(&post.body_html)
    };
    let body = search::document_tokens(&body_text);
    let teaser = super::posts::teaser(&post.excerpt, post.protected, || body_text);
    sqlx::query!(
        r#"
        UPDATE posts
        SET search_vector = setweight(to_tsvector('simple', $2), 'A') || setweight(to_tsvector('simple', $3), 'B'),
            search_version = $4,
            teaser = $5
        WHERE id = $1
        "#,
        post_id,
        title,
        body,
        TOKENIZER_VERSION,
        teaser,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Indexes the posts whose tokens were made by an older tokenizer (or never) or that have no
/// teaser yet, a batch at a time; returns how many there were.
pub async fn index_stale_posts(pool: &PgPool) -> sqlx::Result<u64> {
    let mut indexed = 0;
    loop {
        let mut tx = pool.begin().await?;
        let stale = sqlx::query_scalar!(
            r#"
            SELECT id FROM posts
            WHERE id IN ((SELECT id FROM posts WHERE search_version < $1
                          ORDER BY search_version, id LIMIT 200)
                         UNION
                         (SELECT id FROM posts WHERE teaser IS NULL ORDER BY id LIMIT 200))
            ORDER BY id
            LIMIT 200
            FOR UPDATE SKIP LOCKED
            "#,
            TOKENIZER_VERSION,
        )
        .fetch_all(&mut *tx)
        .await?;
        if stale.is_empty() {
            return Ok(indexed);
        }
        for id in &stale {
            index_post(&mut tx, *id).await?;
        }
        tx.commit().await?;
        indexed += stale.len() as u64;
    }
}

/// The ids of one page of the published posts that match `query` and `filter`, best matches
/// first, how many match in all, and how many a page holds (`per_page`, or as the blog's
/// settings say when `None`), asked for at once. The statements are planned afresh each
/// time (not kept prepared), so that the planner sees the words: a common word and a rare one
/// take different paths (see `search_matches`).
async fn matching_posts(
    pool: &PgPool,
    query: &str,
    filter: &Resolved,
    page: u32,
    per_page: Option<u32>,
) -> sqlx::Result<(Vec<i64>, Count, u32)> {
    let tokens = search::query_tokens(query).join(" ");
    let (author, tag, category) = filter.scope_ids();
    let total = sqlx::query_scalar!(
        r#"SELECT count(*) AS "total!" FROM search_matches($1, $2, $3, $4, $5, $6)"#,
        tokens,
        filter.from,
        filter.until,
        author,
        tag,
        category,
    )
    .persistent(false)
    .fetch_one(pool);
    let ids = sqlx::query_scalar!(
        r#"
        SELECT post_id AS "post_id!" FROM search_matches($1, $2, $3, $4, $5, $6)
        ORDER BY rank DESC, published_at DESC, post_id DESC
        OFFSET ($7::bigint - 1) * coalesce($8::bigint, (SELECT posts_per_page FROM site))
        LIMIT coalesce($8::bigint, (SELECT posts_per_page FROM site))
        "#,
        tokens,
        filter.from,
        filter.until,
        author,
        tag,
        category,
        i64::from(page.max(1)),
        per_page.map(i64::from),
    )
    .persistent(false)
    .fetch_all(pool);
    let per_page = async {
        match per_page {
            Some(per_page) => Ok(per_page),
            None => super::site::posts_per_page(pool).await,
        }
    };
    let (total, ids, per_page) = tokio::try_join!(total, ids, per_page)?;
    let total = total as u64;
    let total = if total > SEARCH_CAP {
        Count::MoreThan(SEARCH_CAP)
    } else {
        Count::Exact(total)
    };
    Ok((ids, total, per_page))
}

/// Page `page` of the published posts that match `query`, best matches first, with the
/// matching words marked in an excerpt; `per_page` of them, or as many as the blog's settings say.
pub async fn search_posts(
    pool: &PgPool,
    query: &str,
    page: u32,
    per_page: Option<u32>,
) -> sqlx::Result<SearchResults> {
    let anything = resolve(pool, &PostFilter::default())
        .await?
        .expect("the empty filter names nothing");
    let (ids, total, per_page) = matching_posts(pool, query, &anything, page, per_page).await?;
    let rows = sqlx::query!(
        r#"SELECT id AS "id!", slug AS "slug!", title AS "title!", body_html AS "body_html!",
                  published_at AS "published_at!", password IS NOT NULL AS "protected!"
           FROM public_posts WHERE id = ANY($1)"#,
        &ids,
    )
    .fetch_all(pool)
    .await?;
    let hits = ids
        .iter()
        .filter_map(|id| rows.iter().find(|row| row.id == *id))
        .map(|row| SearchHit {
            excerpt: if row.protected {
                Vec::new()
            } else {
                search::highlight(&html::plain_text(&row.body_html), query, EXCERPT_CHARS)
            },
            protected: row.protected,
            post: Named {
                slug: row.slug.clone(),
                name: row.title.clone(),
            },
            published_at: row.published_at,
        })
        .collect();
    Ok(SearchResults {
        query: query.to_string(),
        hits,
        page,
        per_page,
        total,
    })
}

/// Like [`super::listings::list_posts`], for the posts that also match `query`, best matches
/// first; `None` when the filter names something that does not exist.
pub async fn search_listing(
    pool: &PgPool,
    query: &str,
    filter: &PostFilter,
    page: u32,
    per_page: u32,
) -> sqlx::Result<Option<PostListing>> {
    let Some(resolved) = resolve(pool, filter).await? else {
        return Ok(None);
    };
    let (ids, total, _) = matching_posts(pool, query, &resolved, page, Some(per_page)).await?;
    let posts = super::posts::summaries(pool, &ids).await?;
    Ok(Some(PostListing {
        filter: filter.clone(),
        facets: resolved.facets,
        about: None,
        posts,
        page,
        per_page,
        total,
    }))
}
