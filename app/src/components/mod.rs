//! Pieces of page shared by several routes.

mod comments;
mod head;
mod pagination;
mod post_meta;
mod search_form;
mod sidebar;
mod site_header;
mod status;

pub use comments::CommentThread;
pub use head::PageHead;
pub use pagination::Pagination;
pub use post_meta::PostMeta;
pub use search_form::SearchForm;
pub use sidebar::{RecentPosts, SidebarContent, provide_sidebar};
pub use site_header::{Loading, Site, SiteHeader, provide_site};
pub use status::{ErrorNotice, set_http_status};
