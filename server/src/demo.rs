//! The demo blog: nine fieldwork posts from April 2009, imported into a new, empty blog so that
//! a first start shows a real blog.

use sqlx::PgPool;

use crate::import::{ImportError, ImportSummary, import_wxr};

const DEMO_EXPORT: &[u8] = include_bytes!("../../fixtures/demo.wxr");

/// Imports the demo blog unless the blog has posts or had the demo once already.
pub async fn import_if_new(pool: &PgPool) -> Result<Option<ImportSummary>, ImportError> {
    if app::db::site::demo_imported(pool).await? || app::db::posts::any_posts(pool).await? {
        return Ok(None);
    }
    let summary = import_wxr(pool, DEMO_EXPORT, |_| {}).await?;
    app::db::site::mark_demo_imported(pool).await?;
    Ok(Some(summary))
}
