//! Uploaded images, kept in PostgreSQL so that every server process serves the same files.

use sqlx::PgPool;

/// An image file as stored.
pub struct MediaFile {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// Stores an image whose type was checked from its bytes; its id.
pub async fn insert_media(
    pool: &PgPool,
    uploaded_by: i64,
    file_name: &str,
    content_type: &str,
    bytes: &[u8],
) -> sqlx::Result<i64> {
    let size = i32::try_from(bytes.len()).unwrap_or(i32::MAX);
    sqlx::query_scalar!(
        r#"
        INSERT INTO media (uploaded_by, file_name, content_type, byte_size, bytes)
        VALUES ($1, $2, $3, $4, $5)
        RETURNING id
        "#,
        uploaded_by,
        file_name,
        content_type,
        size,
        bytes,
    )
    .fetch_one(pool)
    .await
}

pub async fn media_file(pool: &PgPool, id: i64) -> sqlx::Result<Option<MediaFile>> {
    sqlx::query_as!(
        MediaFile,
        "SELECT content_type, bytes FROM media WHERE id = $1",
        id
    )
    .fetch_optional(pool)
    .await
}
