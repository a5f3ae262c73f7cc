//! Posts as their writers see and change them: drafts, saves, the trash, the dashboard's list
//! and the revisions every save keeps. Who may do what is decided by the caller
//! ([`crate::writing`]); these functions only read and write.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use crate::model::{
    DashboardFilter, DashboardListing, DashboardPost, EditablePost, PageChoice, PagePlace,
    PostInput, PostKind, PostStatus, Revision,
};

/// What the rules decided a save writes: a cleaned body, a free slug, a status and its date.
#[derive(Debug, Clone)]
pub struct PostFields {
    pub kind: PostKind,
    /// For a page; a post's is the default.
    pub place: PagePlace,
    pub title: String,
    pub body_html: String,
    pub excerpt: String,
    pub slug: String,
    pub status: PostStatus,
    pub published_at: Option<DateTime<Utc>>,
    pub comments_open: bool,
    /// What readers must give to see the text, if anything.
    pub password: Option<String>,
    /// Its own language, when it is not the blog's.
    pub language: Option<String>,
}

/// Who wrote a post and where it stands, for deciding who may change it and what a save keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostState {
    pub kind: PostKind,
    pub comments_open: bool,
    pub author_id: Option<i64>,
    pub status: PostStatus,
    pub slug: String,
    pub published_at: Option<DateTime<Utc>>,
    pub has_revisions: bool,
    pub password: Option<String>,
    pub language: Option<String>,
}

fn status(text: &str) -> PostStatus {
    PostStatus::parse(text).unwrap_or(PostStatus::Draft)
}

pub async fn post_state(pool: &PgPool, id: i64) -> sqlx::Result<Option<PostState>> {
    let row = sqlx::query!(
        r#"
        SELECT kind, comment_status = 'open' AS "comments_open!", author_id, status, slug,
               published_at, password, language,
               EXISTS (SELECT 1 FROM post_revisions WHERE post_id = p.id) AS "has_revisions!"
        FROM posts p
        WHERE id = $1
        "#,
        id
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|row| PostState {
        kind: PostKind::parse(&row.kind).unwrap_or_default(),
        comments_open: row.comments_open,
        author_id: row.author_id,
        status: status(&row.status),
        slug: row.slug,
        published_at: row.published_at,
        has_revisions: row.has_revisions,
        password: row.password,
        language: row.language,
    }))
}

/// The id of the post with this slug, whatever its status.
pub async fn post_id(pool: &PgPool, slug: &str) -> sqlx::Result<Option<i64>> {
    if slug.contains('\0') {
        return Ok(None);
    }
    sqlx::query_scalar!(
        "SELECT id FROM posts WHERE kind = 'post' AND slug = $1",
        slug
    )
    .fetch_optional(pool)
    .await
}

pub async fn editable_post(pool: &PgPool, id: i64) -> sqlx::Result<Option<EditablePost>> {
    let row = sqlx::query!(
        r#"
        SELECT p.id, p.kind, p.parent_id, p.menu_order, p.slug, p.title, p.body_html, p.excerpt,
               p.status, p.published_at, p.updated_at, p.author_id, u.display_name AS "author_name?",
               p.comment_status = 'open' AS "comments_open!", p.password, p.language,
               array(SELECT category_id FROM post_categories WHERE post_id = p.id ORDER BY category_id)
                   AS "category_ids!",
               array(SELECT t.name FROM post_tags pt JOIN tags t ON t.id = pt.tag_id
                     WHERE pt.post_id = p.id ORDER BY t.name) AS "tags!"
        FROM posts p
        LEFT JOIN users u ON u.id = p.author_id
        WHERE p.id = $1
        "#,
        id
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|row| EditablePost {
        id: row.id,
        author_id: row.author_id,
        author_name: row.author_name,
        input: PostInput {
            kind: PostKind::parse(&row.kind).unwrap_or_default(),
            place: PagePlace {
                parent_id: row.parent_id,
                menu_order: row.menu_order,
            },
            title: row.title,
            body_html: row.body_html,
            excerpt: row.excerpt,
            slug: row.slug,
            status: status(&row.status),
            published_at: row.published_at,
            category_ids: row.category_ids,
            tags: row.tags,
            comments_open: Some(row.comments_open),
            password: Some(row.password.unwrap_or_default()),
            language: Some(row.language.unwrap_or_default()),
        },
        updated_at: row.updated_at,
    }))
}

/// `base`, or `base-2`, `base-3`… whichever no other post (or page) holds.
pub async fn free_slug(
    conn: &mut PgConnection,
    base: &str,
    kind: PostKind,
    except_post: Option<i64>,
) -> sqlx::Result<String> {
    let mut candidate = base.to_string();
    for suffix in 2.. {
        if !slug_taken(&mut *conn, &candidate, kind, except_post).await? {
            break;
        }
        candidate = format!("{base}-{suffix}");
    }
    Ok(candidate)
}

pub async fn slug_taken(
    conn: &mut PgConnection,
    slug: &str,
    kind: PostKind,
    except_post: Option<i64>,
) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (
               SELECT 1 FROM posts WHERE kind = $3 AND slug = $1 AND id IS DISTINCT FROM $2
           ) AS "taken!""#,
        slug,
        except_post,
        kind.as_str(),
    )
    .fetch_one(conn)
    .await
}

pub async fn insert_post(
    conn: &mut PgConnection,
    author_id: i64,
    fields: &PostFields,
) -> sqlx::Result<(i64, DateTime<Utc>)> {
    let row = sqlx::query!(
        r#"
        INSERT INTO posts (kind, slug, title, body_html, excerpt, status, published_at, author_id,
                           comment_status, password, parent_id, menu_order, language)
        VALUES ($10, $1, $2, $3, $4, $5, $6, $7, CASE WHEN $8 THEN 'open' ELSE 'closed' END, $9,
                $11, $12, $13)
        RETURNING id, updated_at
        "#,
        fields.slug,
        fields.title,
        fields.body_html,
        fields.excerpt,
        fields.status.as_str(),
        fields.published_at,
        author_id,
        fields.comments_open,
        fields.password,
        fields.kind.as_str(),
        fields.place.parent_id,
        fields.place.menu_order,
        fields.language,
    )
    .fetch_one(conn)
    .await?;
    Ok((row.id, row.updated_at))
}

/// Saves a new state of a post, unless it is in the trash or (with `expected_updated_at`) was
/// changed since that time; then `None`.
pub async fn update_post(
    conn: &mut PgConnection,
    id: i64,
    fields: &PostFields,
    expected_updated_at: Option<DateTime<Utc>>,
) -> sqlx::Result<Option<DateTime<Utc>>> {
    sqlx::query_scalar!(
        r#"
        UPDATE posts
        SET slug = $2, title = $3, body_html = $4, excerpt = $5, status = $6, published_at = $7,
            comment_status = CASE WHEN $9 THEN 'open' ELSE 'closed' END, password = $10,
            parent_id = $11, menu_order = $12, language = $13, updated_at = now()
        WHERE id = $1 AND status <> 'trash' AND ($8::timestamptz IS NULL OR updated_at = $8)
        RETURNING updated_at
        "#,
        id,
        fields.slug,
        fields.title,
        fields.body_html,
        fields.excerpt,
        fields.status.as_str(),
        fields.published_at,
        expected_updated_at,
        fields.comments_open,
        fields.password,
        fields.place.parent_id,
        fields.place.menu_order,
        fields.language,
    )
    .fetch_optional(conn)
    .await
}

/// Whether `parent_id` is a page that `page_id` (a new page when `None`) may stand under: not
/// the page itself, nor one of the pages under it.
pub async fn may_stand_under(
    conn: &mut PgConnection,
    page_id: Option<i64>,
    parent_id: i64,
) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"
        WITH RECURSIVE ancestors (id, parent_id, depth) AS (
            SELECT id, parent_id, 1 FROM posts WHERE id = $2 AND kind = 'page'
            UNION ALL
            SELECT p.id, p.parent_id, a.depth + 1
            FROM posts p JOIN ancestors a ON p.id = a.parent_id
            WHERE a.depth < 100
        )
        SELECT EXISTS (SELECT 1 FROM ancestors)
           AND NOT EXISTS (SELECT 1 FROM ancestors WHERE id = $1) AS "allowed!"
        "#,
        page_id,
        parent_id,
    )
    .fetch_one(conn)
    .await
}

/// Makes changes to where pages stand wait for each other until the transaction ends.
pub async fn lock_page_tree(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query!("SELECT pg_advisory_xact_lock(hashtext('fieldnotes page tree'))")
        .fetch_one(conn)
        .await?;
    Ok(())
}

/// The pages a page may be put under, by title.
pub async fn page_choices(pool: &PgPool) -> sqlx::Result<Vec<PageChoice>> {
    sqlx::query_as!(
        PageChoice,
        "SELECT id, title FROM posts WHERE kind = 'page' AND status <> 'trash' ORDER BY title, id"
    )
    .fetch_all(pool)
    .await
}

/// Moves a post to the trash, remembering its status.
pub async fn trash_post(pool: &PgPool, id: i64) -> sqlx::Result<()> {
    sqlx::query!(
        r#"
        UPDATE posts
        SET status_before_trash = status, status = 'trash', updated_at = now()
        WHERE id = $1 AND status <> 'trash'
        "#,
        id
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Takes a post out of the trash, back to its status before; `false` when it was not there.
pub async fn restore_post(pool: &PgPool, id: i64) -> sqlx::Result<bool> {
    let restored = sqlx::query!(
        r#"
        UPDATE posts
        SET status = coalesce(status_before_trash, 'draft'), status_before_trash = NULL,
            updated_at = now()
        WHERE id = $1 AND status = 'trash'
        "#,
        id
    )
    .execute(pool)
    .await?;
    Ok(restored.rows_affected() == 1)
}

/// Deletes every post and page in the trash for good; how many there were.
pub async fn empty_trash(pool: &PgPool) -> sqlx::Result<u64> {
    let deleted = sqlx::query!("DELETE FROM posts WHERE status = 'trash'")
        .execute(pool)
        .await?;
    Ok(deleted.rows_affected())
}

/// The dashboard's list: newest first by date (the publication date, or the last change of a
/// post never published), at most `limit` posts, only `only_author`'s when given.
/// Posts in the trash are listed only when asked for by status. A tag drives the scan from the
/// tag's own index; otherwise each query is planned for its own parameters, so that a status
/// or author filter reads its index rather than every post.
pub async fn dashboard_posts(
    pool: &PgPool,
    only_author: Option<i64>,
    filter: &DashboardFilter,
    limit: i64,
) -> sqlx::Result<DashboardListing> {
    let mut tx = pool.begin().await?;
    let author = match &filter.author {
        Some(slug) => {
            let id = sqlx::query_scalar!("SELECT id FROM users WHERE slug = $1", slug)
                .fetch_optional(&mut *tx)
                .await?;
            match (id, only_author) {
                (None, _) => return Ok(empty_page()),
                (Some(id), Some(only)) if id != only => return Ok(empty_page()),
                (Some(id), _) => Some(id),
            }
        }
        None => only_author,
    };
    let tag = match &filter.tag {
        Some(slug) => {
            match sqlx::query_scalar!("SELECT id FROM tags WHERE slug = $1", slug)
                .fetch_optional(&mut *tx)
                .await?
            {
                Some(id) => Some(id),
                None => return Ok(empty_page()),
            }
        }
        None => None,
    };
    sqlx::query!("SET LOCAL plan_cache_mode = force_custom_plan")
        .execute(&mut *tx)
        .await?;
    let rows = sqlx::query_as!(
        DashboardRow,
        r#"
        SELECT p.id, p.kind, p.slug, p.title, p.status, p.published_at, p.updated_at, p.author_id,
               u.slug AS "author_slug?", u.display_name AS "author_name?"
        FROM posts p
        LEFT JOIN users u ON u.id = p.author_id
        WHERE p.kind = $6
          AND ($1::bigint IS NULL OR p.author_id = $1)
          AND ($2::text IS NULL OR p.status = $2)
          AND ($2::text IS NOT NULL OR p.status <> 'trash')
          AND ($3::bigint IS NULL OR p.id IN (SELECT post_id FROM post_tags WHERE tag_id = $3))
          AND ($4::bigint IS NULL OR (dashboard_date(p.published_at, p.updated_at), p.id) < (
              SELECT dashboard_date(b.published_at, b.updated_at), b.id FROM posts b WHERE b.id = $4))
        ORDER BY dashboard_date(p.published_at, p.updated_at) DESC, p.id DESC
        LIMIT $5
        "#,
        author,
        filter.status.map(PostStatus::as_str),
        tag,
        filter.before,
        limit + 1,
        if filter.pages { "page" } else { "post" },
    )
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let mut posts: Vec<DashboardPost> = rows.into_iter().map(DashboardRow::post).collect();
    let next_before = if posts.len() as i64 > limit {
        posts.truncate(limit as usize);
        posts.last().map(|post| post.id)
    } else {
        None
    };
    Ok(DashboardListing { posts, next_before })
}

fn empty_page() -> DashboardListing {
    DashboardListing {
        posts: Vec::new(),
        next_before: None,
    }
}

struct DashboardRow {
    id: i64,
    kind: String,
    slug: String,
    title: String,
    status: String,
    published_at: Option<DateTime<Utc>>,
    updated_at: DateTime<Utc>,
    author_id: Option<i64>,
    author_slug: Option<String>,
    author_name: Option<String>,
}

impl DashboardRow {
    fn post(self) -> DashboardPost {
        DashboardPost {
            id: self.id,
            kind: PostKind::parse(&self.kind).unwrap_or_default(),
            slug: self.slug,
            title: self.title,
            status: status(&self.status),
            published_at: self.published_at,
            updated_at: self.updated_at,
            author_id: self.author_id,
            author_slug: self.author_slug,
            author_name: self.author_name,
        }
    }
}

/// Keeps the post's present state as a revision. An autosave replaces the writer's previous
/// autosave of the post when nothing was saved after it.
pub async fn keep_revision(
    conn: &mut PgConnection,
    post_id: i64,
    saved_by: i64,
    is_autosave: bool,
) -> sqlx::Result<i64> {
    if is_autosave {
        sqlx::query!(
            r#"
            DELETE FROM post_revisions
            WHERE id = (SELECT id FROM post_revisions WHERE post_id = $1 ORDER BY id DESC LIMIT 1)
              AND is_autosave AND saved_by = $2
            "#,
            post_id,
            saved_by,
        )
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query_scalar!(
        r#"
        INSERT INTO post_revisions (post_id, saved_by, is_autosave, title, excerpt, body_html)
        SELECT id, $2, $3, title, excerpt, body_html FROM posts WHERE id = $1
        RETURNING id
        "#,
        post_id,
        saved_by,
        is_autosave,
    )
    .fetch_one(conn)
    .await
}

/// A post's revisions, newest first (at most `limit`).
pub async fn revisions(pool: &PgPool, post_id: i64, limit: i64) -> sqlx::Result<Vec<Revision>> {
    sqlx::query_as!(
        Revision,
        r#"
        SELECT r.id, r.saved_at, u.display_name AS "saved_by?", r.is_autosave, r.title
        FROM post_revisions r
        LEFT JOIN users u ON u.id = r.saved_by
        WHERE r.post_id = $1
        ORDER BY r.id DESC
        LIMIT $2
        "#,
        post_id,
        limit,
    )
    .fetch_all(pool)
    .await
}

/// A revision's post, and its title, excerpt and body.
pub struct RevisionContent {
    pub post_id: i64,
    pub revision: Revision,
    pub excerpt: String,
    pub body_html: String,
}

pub async fn revision(pool: &PgPool, id: i64) -> sqlx::Result<Option<RevisionContent>> {
    let row = sqlx::query!(
        r#"
        SELECT r.id, r.post_id, r.saved_at, u.display_name AS "saved_by?", r.is_autosave, r.title,
               r.excerpt, r.body_html
        FROM post_revisions r
        LEFT JOIN users u ON u.id = r.saved_by
        WHERE r.id = $1
        "#,
        id
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|row| RevisionContent {
        post_id: row.post_id,
        revision: Revision {
            id: row.id,
            saved_at: row.saved_at,
            saved_by: row.saved_by,
            is_autosave: row.is_autosave,
            title: row.title,
        },
        excerpt: row.excerpt,
        body_html: row.body_html,
    }))
}

/// Puts a revision's title, excerpt and body back into its post.
pub async fn restore_revision(conn: &mut PgConnection, revision_id: i64) -> sqlx::Result<()> {
    sqlx::query!(
        r#"
        UPDATE posts p
        SET title = r.title, excerpt = r.excerpt, body_html = r.body_html, updated_at = now()
        FROM post_revisions r
        WHERE r.id = $1 AND p.id = r.post_id
        "#,
        revision_id
    )
    .execute(conn)
    .await?;
    Ok(())
}
