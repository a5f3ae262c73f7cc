//! One module per kind of page.

mod listing;
mod not_found;
mod page;
mod post;
mod search;

pub use listing::{Listing, ListingPage};
pub use not_found::NotFoundPage;
pub use page::PagePage;
pub use post::PostPage;
pub use search::SearchPage;
