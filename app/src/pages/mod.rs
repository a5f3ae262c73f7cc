//! One module per kind of page.

mod account;
mod comment_queue;
mod dashboard;
mod listing;
mod not_found;
mod page;
pub mod people;
mod post;
mod preview;
mod revisions;
mod search;
mod settings;
mod sign_in;
mod welcome;
mod write;

pub use account::AccountPage;
pub use comment_queue::CommentQueuePage;
pub use dashboard::DashboardPage;
pub use listing::ListingPage;
pub use not_found::NotFoundPage;
pub use page::PagePage;
pub use people::PeoplePage;
pub use post::PostPage;
pub use preview::PreviewPage;
pub use revisions::RevisionsPage;
pub use search::SearchPage;
pub use settings::SettingsPage;
pub use sign_in::SignInPage;
pub use welcome::WelcomePage;
pub use write::{SignInFirst, WritePage};
