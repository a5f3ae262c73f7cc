//! The blog's own settings.

use sqlx::{PgExecutor, PgPool};

use crate::model::SiteInfo;

pub async fn site_info(pool: &PgPool, url: &str) -> sqlx::Result<SiteInfo> {
    let site = sqlx::query!("SELECT title, tagline FROM site")
        .fetch_one(pool)
        .await?;
    Ok(SiteInfo {
        title: site.title,
        tagline: site.tagline,
        url: url.to_string(),
    })
}

pub async fn set_site_info(
    db: impl PgExecutor<'_>,
    title: &str,
    tagline: &str,
) -> sqlx::Result<()> {
    sqlx::query!("UPDATE site SET title = $1, tagline = $2", title, tagline)
        .execute(db)
        .await?;
    Ok(())
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
