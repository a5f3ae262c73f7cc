//! Uploaded images, kept in PostgreSQL so that every server process serves the same files, and
//! which posts use them: an image is public only while a post that readers may see uses it.

use sqlx::{PgConnection, PgPool};

/// An image file's type and bytes.
pub struct MediaFile {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// How an address names an image: new uploads by a random key, older ones by their number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaName<'a> {
    Key(&'a str),
    Number(i64),
}

impl<'a> MediaName<'a> {
    /// The first segment of `/media/{segment}/{file name}`: 32 hexadecimal digits are a key, a
    /// shorter number an id.
    pub fn parse(segment: &'a str) -> Option<Self> {
        if segment.len() == 32
            && segment
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        {
            Some(MediaName::Key(segment))
        } else if (1..=18).contains(&segment.len()) && segment.bytes().all(|b| b.is_ascii_digit()) {
            segment.parse().ok().map(MediaName::Number)
        } else {
            None
        }
    }
}

/// Who may see an image that no visible post uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewer {
    pub id: i64,
    /// Editors and administrators may change every post, and so see every image.
    pub sees_all: bool,
}

/// Who an image may be shown to.
pub struct MediaAccess {
    pub id: i64,
    pub content_type: String,
    /// A visible post that is not protected uses it.
    pub public: bool,
    /// The viewer uploaded it, or may change a post that uses it.
    pub viewer_may_see: bool,
    /// The visible protected posts that use it, with their keys: readers who unlocked one of
    /// them may see it.
    pub protected_posts: Vec<(i64, Vec<u8>)>,
}

/// Stores an image whose type was checked from its bytes, under a random key; its id.
pub async fn insert_media(
    pool: &PgPool,
    uploaded_by: i64,
    url_key: &str,
    file_name: &str,
    content_type: &str,
    bytes: &[u8],
) -> sqlx::Result<i64> {
    let size = i32::try_from(bytes.len()).unwrap_or(i32::MAX);
    sqlx::query_scalar!(
        r#"
        INSERT INTO media (uploaded_by, url_key, file_name, content_type, byte_size, bytes)
        VALUES ($1, $2, $3, $4, $5, $6)
        RETURNING id
        "#,
        uploaded_by,
        url_key,
        file_name,
        content_type,
        size,
        bytes,
    )
    .fetch_one(pool)
    .await
}

/// Who may see the image an address names. Numbers name only the images uploaded before keys
/// were given, so that a new image cannot be found by counting.
pub async fn media_access(
    pool: &PgPool,
    name: MediaName<'_>,
    viewer: Option<Viewer>,
) -> sqlx::Result<Option<MediaAccess>> {
    let (key, number) = match name {
        MediaName::Key(key) => (Some(key), None),
        MediaName::Number(number) => (None, Some(number)),
    };
    let row = sqlx::query!(
        r#"
        SELECT m.id, m.content_type,
               EXISTS (
                   SELECT 1 FROM post_media pm JOIN posts p ON p.id = pm.post_id
                   WHERE pm.media_id = m.id AND p.password IS NULL
                     AND is_public(p.status, p.published_at)
               ) AS "public!",
               ($3::bigint IS NOT NULL AND ($4 OR m.uploaded_by = $3 OR EXISTS (
                   SELECT 1 FROM post_media pm JOIN posts p ON p.id = pm.post_id
                   WHERE pm.media_id = m.id AND p.author_id = $3
               ))) AS "viewer_may_see!",
               array(
                   SELECT p.id FROM post_media pm JOIN posts p ON p.id = pm.post_id
                   WHERE pm.media_id = m.id AND p.password IS NOT NULL
                     AND is_public(p.status, p.published_at)
                   ORDER BY p.id
               ) AS "protected_ids!",
               array(
                   SELECT p.password_key FROM post_media pm JOIN posts p ON p.id = pm.post_id
                   WHERE pm.media_id = m.id AND p.password IS NOT NULL
                     AND is_public(p.status, p.published_at)
                   ORDER BY p.id
               ) AS "protected_keys!: Vec<Vec<u8>>"
        FROM media m
        WHERE ($1::text IS NOT NULL AND m.url_key = $1)
           OR ($2::bigint IS NOT NULL AND m.id = $2 AND m.url_key IS NULL)
        "#,
        key,
        number,
        viewer.map(|viewer| viewer.id),
        viewer.is_some_and(|viewer| viewer.sees_all),
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|row| MediaAccess {
        id: row.id,
        content_type: row.content_type,
        public: row.public,
        viewer_may_see: row.viewer_may_see,
        protected_posts: row
            .protected_ids
            .into_iter()
            .zip(row.protected_keys)
            .collect(),
    }))
}

pub async fn media_bytes(pool: &PgPool, id: i64) -> sqlx::Result<Option<Vec<u8>>> {
    sqlx::query_scalar!("SELECT bytes FROM media WHERE id = $1", id)
        .fetch_optional(pool)
        .await
}

/// Records the images a post's body names (by the first segments of their addresses, see
/// [`MediaName`]), in place of those it named before. Only images `saver` may see are recorded,
/// or any for `None` (an import), so that no one can publish someone else's unpublished image
/// by naming it; an image the post already used stays recorded.
pub async fn record_post_media(
    conn: &mut PgConnection,
    post_id: i64,
    segments: &[String],
    saver: Option<Viewer>,
) -> sqlx::Result<()> {
    let mut keys = Vec::new();
    let mut numbers = Vec::new();
    for segment in segments {
        match MediaName::parse(segment) {
            Some(MediaName::Key(key)) => keys.push(key.to_string()),
            Some(MediaName::Number(number)) => numbers.push(number),
            None => {}
        }
    }
    sqlx::query!(
        r#"
        WITH named AS (
            SELECT m.id FROM media m
            WHERE (m.url_key = ANY($2) OR (m.id = ANY($3) AND m.url_key IS NULL))
              AND ($4::bigint IS NULL OR $5 OR m.uploaded_by = $4 OR EXISTS (
                  SELECT 1 FROM post_media pm JOIN posts p ON p.id = pm.post_id
                  WHERE pm.media_id = m.id AND (p.id = $1 OR p.author_id = $4)
              ))
        ),
        forgotten AS (
            DELETE FROM post_media
            WHERE post_id = $1 AND media_id NOT IN (SELECT id FROM named)
        )
        INSERT INTO post_media (post_id, media_id)
        SELECT $1, id FROM named
        ON CONFLICT DO NOTHING
        "#,
        post_id,
        &keys,
        &numbers,
        saver.map(|saver| saver.id),
        saver.is_some_and(|saver| saver.sees_all),
    )
    .execute(conn)
    .await?;
    Ok(())
}
