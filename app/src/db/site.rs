//! The blog's own settings.

use sqlx::{PgExecutor, PgPool};

use crate::model::{DateFormat, SiteInfo, SiteSettings, ZoneOffsets};

pub async fn site_info(db: impl PgExecutor<'_>, url: &str) -> sqlx::Result<SiteInfo> {
    let site = sqlx::query!(
        "SELECT title, tagline, language, zone_changes, zone_offsets, date_format, posts_per_page
         FROM site"
    )
    .fetch_one(db)
    .await?;
    Ok(SiteInfo {
        title: site.title,
        tagline: site.tagline,
        language: site.language,
        url: url.to_string(),
        zone: ZoneOffsets {
            changes: site.zone_changes,
            offsets: site.zone_offsets,
        },
        date_format: date_format(&site.date_format),
        posts_per_page: page_size(site.posts_per_page),
    })
}

/// The stored format, which the table allows only among [`DateFormat::ALL`].
fn date_format(code: &str) -> DateFormat {
    DateFormat::from_code(code).unwrap_or(DateFormat::MonthDayOrdinal)
}

/// How many posts a page of a listing or a search shows.
pub async fn posts_per_page(pool: &PgPool) -> sqlx::Result<u32> {
    let per_page = sqlx::query_scalar!("SELECT posts_per_page FROM site")
        .fetch_one(pool)
        .await?;
    Ok(page_size(per_page))
}

/// The stored number of posts a page, which the table keeps from 1 to 100.
pub(super) fn page_size(stored: i32) -> u32 {
    stored.unsigned_abs().max(1)
}

/// Changes the blog's title and tagline, each when given; the two as they are afterwards.
pub async fn set_site_info(
    db: impl PgExecutor<'_>,
    title: Option<&str>,
    tagline: Option<&str>,
) -> sqlx::Result<(String, String)> {
    let site = sqlx::query!(
        r#"
        UPDATE site SET title = coalesce($1, title), tagline = coalesce($2, tagline)
        RETURNING title, tagline
        "#,
        title,
        tagline
    )
    .fetch_one(db)
    .await?;
    Ok((site.title, site.tagline))
}

/// Whether the demo blog was ever imported, so that it comes at most once.
pub async fn demo_imported(db: impl PgExecutor<'_>) -> sqlx::Result<bool> {
    sqlx::query_scalar!(r#"SELECT demo_imported_at IS NOT NULL AS "imported!" FROM site"#)
        .fetch_one(db)
        .await
}

pub async fn mark_demo_imported(db: impl PgExecutor<'_>) -> sqlx::Result<()> {
    sqlx::query!("UPDATE site SET demo_imported_at = now()")
        .execute(db)
        .await?;
    Ok(())
}

/// How comments are handled: whether pingbacks and trackbacks are listed, the words that send a
/// comment to the spam queue, and how long people take at least to write one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentSettings {
    pub show_pings: bool,
    pub spam_words: Vec<String>,
    pub min_writing_seconds: i32,
}

pub async fn comment_settings(pool: &PgPool) -> sqlx::Result<CommentSettings> {
    sqlx::query_as!(
        CommentSettings,
        "SELECT show_pings, comment_spam_words AS spam_words,
                comment_min_writing_seconds AS min_writing_seconds
         FROM site"
    )
    .fetch_one(pool)
    .await
}

/// Changes what is given, keeps the rest.
pub async fn set_comment_settings(
    pool: &PgPool,
    show_pings: Option<bool>,
    spam_words: Option<&[String]>,
    min_writing_seconds: Option<i32>,
) -> sqlx::Result<CommentSettings> {
    sqlx::query_as!(
        CommentSettings,
        r#"
        UPDATE site
        SET show_pings = coalesce($1, show_pings),
            comment_spam_words = coalesce($2, comment_spam_words),
            comment_min_writing_seconds = coalesce($3, comment_min_writing_seconds)
        RETURNING show_pings, comment_spam_words AS spam_words,
                  comment_min_writing_seconds AS min_writing_seconds
        "#,
        show_pings,
        spam_words,
        min_writing_seconds,
    )
    .fetch_one(pool)
    .await
}

/// Everything the settings page shows and changes, at once.
pub async fn site_settings(pool: &PgPool) -> sqlx::Result<SiteSettings> {
    let site = sqlx::query!(
        r#"
        SELECT title, tagline, language, comments_open_by_default, show_pings,
               comment_spam_words, comment_min_writing_seconds, time_zone, date_format,
               posts_per_page
        FROM site
        "#
    )
    .fetch_one(pool)
    .await?;
    Ok(SiteSettings {
        title: site.title,
        tagline: site.tagline,
        language: site.language,
        comments_open_by_default: site.comments_open_by_default,
        show_pings: site.show_pings,
        spam_words: site.comment_spam_words,
        min_writing_seconds: site.comment_min_writing_seconds,
        time_zone: site.time_zone,
        date_format: date_format(&site.date_format),
        posts_per_page: site.posts_per_page,
    })
}

/// Saves every setting at once, the time zone's offsets worked out from its name; nothing when
/// PostgreSQL's zone database holds no zone of that name (`Err(UnknownTimeZone)`).
pub async fn set_site_settings(
    pool: &PgPool,
    settings: &SiteSettings,
) -> Result<(), SettingsError> {
    let saved = sqlx::query!(
        r#"
        UPDATE site
        SET title = $1, tagline = $2, comments_open_by_default = $3, show_pings = $4,
            comment_spam_words = $5, comment_min_writing_seconds = $6, language = $7,
            time_zone = zone.name, (zone_changes, zone_offsets) = (SELECT * FROM zone_offsets(zone.name)),
            date_format = $9, posts_per_page = $10
        FROM (SELECT name FROM pg_timezone_names WHERE lower(name) = lower($8) ORDER BY name LIMIT 1) zone
        "#,
        settings.title,
        settings.tagline,
        settings.comments_open_by_default,
        settings.show_pings,
        &settings.spam_words,
        settings.min_writing_seconds,
        settings.language,
        settings.time_zone,
        settings.date_format.code(),
        settings.posts_per_page,
    )
    .execute(pool)
    .await?;
    if saved.rows_affected() == 0 {
        return Err(SettingsError::UnknownTimeZone(settings.time_zone.clone()));
    }
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("“{0}” is not a time zone name such as UTC, Europe/Berlin or Asia/Shanghai")]
    UnknownTimeZone(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Whether a new post takes comments unless its writer says otherwise.
pub async fn comments_open_by_default(db: impl PgExecutor<'_>) -> sqlx::Result<bool> {
    sqlx::query_scalar!("SELECT comments_open_by_default FROM site")
        .fetch_one(db)
        .await
}

/// The newest migration applied to the database, if any.
pub async fn schema_version(pool: &PgPool) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar!("SELECT max(version) FROM _sqlx_migrations WHERE success")
        .fetch_one(pool)
        .await
}

/// The number that grows with every committed change readers could see (see the migration that
/// made `content_generation`).
pub async fn content_generation(pool: &PgPool) -> sqlx::Result<i64> {
    sqlx::query_scalar!("SELECT generation FROM content_generation")
        .fetch_one(pool)
        .await
}
