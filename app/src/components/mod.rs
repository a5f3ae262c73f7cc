//! Pieces of page shared by several routes.

mod comments;
mod editor;
mod head;
mod new_password;
mod pagination;
mod password_form;
mod post_meta;
mod search_form;
mod session;
mod sidebar;
mod site_header;
mod status;

pub use comments::{CommentForm, CommentThread, PostComment};
pub use editor::RichEditor;
pub use head::PageHead;
pub use new_password::NewPasswordFields;
pub use pagination::Pagination;
pub use password_form::{PasswordForm, UnlockPost};
pub use post_meta::PostMeta;
pub use search_form::SearchForm;
pub use session::{AccountLinks, Session, provide_session};
pub use sidebar::{RecentPosts, SidebarContent, provide_sidebar};
pub use site_header::{Loading, Site, SiteDate, SiteHeader, provide_site};
pub use status::{ErrorNotice, set_http_status};
