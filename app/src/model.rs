//! The shapes of blog content as the pages (and, later, the API) see them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The blog's own name and description.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteInfo {
    pub title: String,
    pub tagline: String,
    /// Where the blog is published, without a trailing slash: the base of absolute links.
    pub url: String,
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
    /// The first image of the body, for previews on other sites.
    pub image: Option<String>,
}

/// A page: text that stands outside the flow of posts ("About", "Contact"), with the pages
/// filed under it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page {
    pub slug: String,
    pub title: String,
    /// Made safe to show.
    pub body_html: String,
    /// The start of the text, for previews.
    pub description: String,
    pub parent: Option<Named>,
    pub children: Vec<Named>,
}

/// A post with its neighbours in time, as the post page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostView {
    pub post: Post,
    /// The post published just before this one.
    pub older: Option<Named>,
    /// The post published just after this one.
    pub newer: Option<Named>,
    /// Approved comments, oldest first; replies name the comment they answer.
    pub comments: Vec<Comment>,
}

/// How many items a listing has: exactly, or more than this many where counting all of them
/// would cost more than it tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Count {
    Exact(u64),
    MoreThan(u64),
}

impl Count {
    pub fn value(self) -> u64 {
        match self {
            Count::Exact(count) | Count::MoreThan(count) => count,
        }
    }
}

/// One of the ways a listing can be narrowed, with the name to show for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Facet {
    Author(Named),
    Tag(Named),
    Category(Named),
    Year(i32),
    Month(i32, u32),
}

/// One page of a listing of posts, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostListing {
    pub filter: crate::filter::PostFilter,
    /// The filter's parts, named.
    pub facets: Vec<Facet>,
    pub posts: Vec<PostSummary>,
    pub page: u32,
    pub per_page: u32,
    pub total: Count,
}

/// The number of the last page of `total` items shown `per_page` a page (1 when there are none).
fn last_page(total: u64, per_page: u32) -> u32 {
    let pages = total.div_ceil(u64::from(per_page.max(1))).max(1);
    u32::try_from(pages).unwrap_or(u32::MAX)
}

impl PostListing {
    /// The last page, as far as it is known.
    pub fn last_page(&self) -> u32 {
        last_page(self.total.value(), self.per_page)
    }

    pub fn has_next(&self) -> bool {
        self.page < self.last_page()
            || (matches!(self.total, Count::MoreThan(_)) && !self.posts.is_empty())
    }
}

/// A category in the sidebar: its place in the tree, and how many posts it and the categories
/// below it hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryCount {
    pub category: Named,
    pub depth: u32,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagCount {
    pub tag: Named,
    pub count: i64,
}

/// "April 2009 (9)".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveMonth {
    pub year: i32,
    pub month: u32,
    pub count: i64,
}

/// What the sidebar of every page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sidebar {
    /// Top-level pages, in their menu order.
    pub pages: Vec<Named>,
    pub categories: Vec<CategoryCount>,
    /// The most used tags, in alphabetical order.
    pub tags: Vec<TagCount>,
    pub months: Vec<ArchiveMonth>,
    pub recent: Vec<Named>,
}

/// A category, tag or author with the number of published posts filed there (for a category,
/// including its subcategories).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermCount {
    pub slug: String,
    pub name: String,
    /// The parent category's slug; always `None` for tags and authors.
    pub parent: Option<String>,
    pub count: i64,
}

/// A reader's comment, as shown under a post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    pub id: i64,
    /// The comment this one replies to.
    pub parent_id: Option<i64>,
    pub author_name: String,
    pub author_url: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Plain text.
    pub body: String,
}

/// A post found by a search, with the words that matched marked in its excerpt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    pub post: Named,
    pub published_at: DateTime<Utc>,
    pub excerpt: Vec<Highlighted>,
}

/// A part of an excerpt: text, and whether it matched the query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Highlighted {
    pub text: String,
    pub matched: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResults {
    pub query: String,
    pub hits: Vec<SearchHit>,
    pub page: u32,
    pub per_page: u32,
    pub total: Count,
}

impl SearchResults {
    pub fn last_page(&self) -> u32 {
        last_page(self.total.value(), self.per_page)
    }
}

/// Search queries longer than this are refused rather than searched.
pub const MAX_QUERY_CHARS: usize = 200;

/// How many posts a page of a listing shows.
pub const POSTS_PER_PAGE: u32 = 10;
