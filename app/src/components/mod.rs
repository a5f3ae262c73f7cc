//! Pieces of page shared by several routes.

mod post_meta;
mod site_header;
mod status;

pub use post_meta::PostMeta;
pub use site_header::{Site, SiteHeader, provide_site};
pub use status::{ErrorNotice, set_http_status};
