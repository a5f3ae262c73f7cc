//! The shapes of blog content as the pages (and, later, the API) see them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The blog's own name and description.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteInfo {
    pub title: String,
    pub tagline: String,
}

/// A person, category or tag as a link: its slug for the URL and its name to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Named {
    pub slug: String,
    pub name: String,
}

/// A post as it appears in listings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostSummary {
    pub slug: String,
    pub title: String,
    /// Plain text: the author's excerpt, or the start of the post.
    pub excerpt: String,
    pub published_at: DateTime<Utc>,
    pub author: Option<Named>,
    pub categories: Vec<Named>,
    pub tags: Vec<Named>,
    pub comment_count: i64,
}

/// A whole post, its body made safe to show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Post {
    pub summary: PostSummary,
    pub body_html: String,
}

/// One page of a listing of posts, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostListPage {
    pub posts: Vec<PostSummary>,
    pub page: u32,
    pub has_next: bool,
}

/// How many posts a page of a listing shows.
pub const POSTS_PER_PAGE: u32 = 10;
