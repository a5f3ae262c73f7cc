//! Searching posts: keeping each post's search tokens current, and finding posts by them.
//! How text becomes tokens is [`crate::search`]'s business.

use sqlx::{PgConnection, PgPool};

use crate::html;
use crate::model::{Named, SearchHit, SearchResults};
use crate::search::{self, TOKENIZER_VERSION};

/// How many characters of a post a search result shows around its first match.
const EXCERPT_CHARS: usize = 240;

/// Computes a post's search tokens from its title and body.
pub async fn index_post(conn: &mut PgConnection, post_id: i64) -> sqlx::Result<()> {
    let Some(post) = sqlx::query!("SELECT title, body_html FROM posts WHERE id = $1", post_id)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(());
    };
    let title = search::document_tokens(&post.title);
    let body = search::document_tokens(&html::plain_text(&post.body_html));
    sqlx::query!(
        r#"
        UPDATE posts
        SET search_vector = setweight(to_tsvector('simple', $2), 'A') || setweight(to_tsvector('simple', $3), 'B'),
            search_version = $4
        WHERE id = $1
        "#,
        post_id,
        title,
        body,
        TOKENIZER_VERSION,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Indexes the posts whose tokens were made by an older tokenizer (or never), a batch at a time;
/// returns how many there were.
pub async fn index_stale_posts(pool: &PgPool) -> sqlx::Result<u64> {
    let mut indexed = 0;
    loop {
        let mut tx = pool.begin().await?;
        let stale = sqlx::query_scalar!(
            "SELECT id FROM posts WHERE search_version < $1 ORDER BY search_version, id LIMIT 200 FOR UPDATE SKIP LOCKED",
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

/// Page `page` of the published posts that match `query`, best matches first.
pub async fn search_posts(
    pool: &PgPool,
    query: &str,
    page: u32,
    per_page: u32,
) -> sqlx::Result<SearchResults> {
    let tokens = search::query_tokens(query).join(" ");
    let total = sqlx::query_scalar!(
        r#"
        SELECT count(*) AS "count!"
        FROM public_posts
        WHERE search_vector @@ plainto_tsquery('simple', $1)
        "#,
        tokens,
    )
    .fetch_one(pool)
    .await?;
    let rows = sqlx::query!(
        r#"
        SELECT p.slug AS "slug!", p.title AS "title!", p.body_html AS "body_html!",
               p.published_at AS "published_at!"
        FROM public_posts p, plainto_tsquery('simple', $1) query
        WHERE p.search_vector @@ query
        ORDER BY ts_rank_cd(p.search_vector, query) DESC, p.published_at DESC, p.id DESC
        OFFSET $2 LIMIT $3
        "#,
        tokens,
        i64::from(page.saturating_sub(1)) * i64::from(per_page),
        i64::from(per_page),
    )
    .fetch_all(pool)
    .await?;
    let hits = rows
        .into_iter()
        .map(|row| SearchHit {
            excerpt: search::highlight(&html::plain_text(&row.body_html), query, EXCERPT_CHARS),
            post: Named {
                slug: row.slug,
                name: row.title,
            },
            published_at: row.published_at,
        })
        .collect();
    Ok(SearchResults {
        query: query.to_string(),
        hits,
        page,
        total: total as u64,
    })
}
