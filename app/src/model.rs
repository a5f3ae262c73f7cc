//! The shapes of blog content as the pages (and, later, the API) see them.

use chrono::{DateTime, Offset, Utc};
use serde::{Deserialize, Serialize};

/// What a person may do: admins everything, editors every post and how posts are filed,
/// authors their own posts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Editor,
    Author,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Editor => "editor",
            Role::Author => "author",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "admin" => Some(Role::Admin),
            "editor" => Some(Role::Editor),
            "author" => Some(Role::Author),
            _ => None,
        }
    }
}

/// A person signed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub email: String,
    pub role: Role,
}

/// The blog's own settings, as administrators change them on the settings page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteSettings {
    pub title: String,
    pub tagline: String,
    /// A BCP 47 tag: the pages' `lang`.
    pub language: String,
    pub comments_open_by_default: bool,
    /// Whether pingbacks and trackbacks are listed under posts.
    pub show_pings: bool,
    /// Words that send a comment to the spam queue, in lower case.
    pub spam_words: Vec<String>,
    /// A comment sent sooner than this after its form appeared goes to the spam queue.
    pub min_writing_seconds: i32,
    /// A name from PostgreSQL's zone database (`UTC`, `Asia/Shanghai`, `America/New_York`).
    pub time_zone: String,
    pub date_format: DateFormat,
    /// How many posts a page of a listing or a search shows.
    pub posts_per_page: i32,
}

/// How the blog's pages write a day, named as WordPress names its date formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DateFormat {
    /// April 19th, 2009
    MonthDayOrdinal,
    /// April 19, 2009
    MonthDay,
    /// 19 April 2009
    DayMonth,
    /// 2009-04-19
    Iso,
    /// 04/19/2009
    MonthDayNumbers,
    /// 19/04/2009
    DayMonthNumbers,
    /// 2009年4月19日
    Chinese,
}

impl DateFormat {
    pub const ALL: [DateFormat; 7] = [
        DateFormat::MonthDayOrdinal,
        DateFormat::MonthDay,
        DateFormat::DayMonth,
        DateFormat::Iso,
        DateFormat::MonthDayNumbers,
        DateFormat::DayMonthNumbers,
        DateFormat::Chinese,
    ];

    /// The format as WordPress writes it, which is how it is stored.
    pub fn code(self) -> &'static str {
        match self {
            DateFormat::MonthDayOrdinal => "F jS, Y",
            DateFormat::MonthDay => "F j, Y",
            DateFormat::DayMonth => "j F Y",
            DateFormat::Iso => "Y-m-d",
            DateFormat::MonthDayNumbers => "m/d/Y",
            DateFormat::DayMonthNumbers => "d/m/Y",
            DateFormat::Chinese => "Y年n月j日",
        }
    }

    pub fn from_code(code: &str) -> Option<DateFormat> {
        DateFormat::ALL
            .into_iter()
            .find(|format| format.code() == code)
    }
}

/// A time zone as the pages need it: the instants (Unix seconds, ascending) at which its offset
/// from UTC changes, and the offsets in seconds in force before the first change and from each.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ZoneOffsets {
    pub changes: Vec<i64>,
    pub offsets: Vec<i32>,
}

impl ZoneOffsets {
    /// The time `at` in this zone.
    pub fn local(&self, at: DateTime<Utc>) -> DateTime<chrono::FixedOffset> {
        at.with_timezone(&self.offset_at(at))
    }

    fn offset_at(&self, at: DateTime<Utc>) -> chrono::FixedOffset {
        let in_force = self
            .changes
            .partition_point(|change| *change <= at.timestamp());
        let seconds = self.offsets.get(in_force).copied().unwrap_or_default();
        chrono::FixedOffset::east_opt(seconds).unwrap_or_else(|| Utc.fix())
    }
}

/// Passwords shorter than this are refused.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// Someone with an account, as administrators see them on the people page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub slug: String,
    pub role: Role,
    /// Whether they have chosen a password (a new person has not, until they use their link).
    pub can_sign_in: bool,
    pub disabled: bool,
    pub published_posts: i64,
}

impl Account {
    /// Whether this person may change a post written by `author_id` (`None`: no author).
    pub fn may_edit(&self, author_id: Option<i64>) -> bool {
        match self.role {
            Role::Admin | Role::Editor => true,
            Role::Author => author_id == Some(self.id),
        }
    }

    /// Whether this person may create and change categories and tags for everyone.
    pub fn may_manage_terms(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Editor)
    }

    /// Whether this person may empty the trash and manage accounts.
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

/// The blog's own name and description.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteInfo {
    pub title: String,
    pub tagline: String,
    /// The language the blog is written in, a BCP 47 tag.
    pub language: String,
    /// Where the blog is published, without a trailing slash: the base of absolute links.
    pub url: String,
    /// The blog's time zone, in which its pages write dates.
    pub zone: ZoneOffsets,
    pub date_format: DateFormat,
    /// How many posts a page of a listing or a search shows.
    pub posts_per_page: u32,
}

impl SiteInfo {
    /// What pages show while the blog's own facts cannot be read.
    pub fn neutral() -> SiteInfo {
        SiteInfo {
            title: "Fieldnotes".to_string(),
            tagline: String::new(),
            language: "en".to_string(),
            url: String::new(),
            zone: ZoneOffsets::default(),
            date_format: DateFormat::MonthDayOrdinal,
            posts_per_page: 10,
        }
    }
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
    /// Protected by a password: the excerpt is empty, and the body, images and comments are
    /// shown only to readers who gave the password.
    #[serde(default)]
    pub protected: bool,
    /// The post's language, when it has one of its own.
    #[serde(default)]
    pub language: Option<String>,
}

/// What readers are told in place of the text of a post protected by a password (in listings,
/// feeds and previews on other sites).
pub const PROTECTED_NOTICE: &str = "This post is protected by a password.";

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
    pub id: i64,
    pub slug: String,
    pub title: String,
    /// Made safe to show.
    pub body_html: String,
    /// The start of the text, for previews.
    pub description: String,
    pub parent: Option<Named>,
    pub children: Vec<Named>,
    /// Protected by a password.
    pub protected: bool,
    /// Protected, and the reader has not given the password: the body is withheld.
    pub locked: bool,
    /// The page's own language, when it differs from the blog's.
    pub language: Option<String>,
}

/// A post with its neighbours in time, as the post page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostView {
    pub id: i64,
    pub post: Post,
    /// Whether readers may comment.
    pub comments_open: bool,
    /// The post published just before this one.
    pub older: Option<Named>,
    /// The post published just after this one.
    pub newer: Option<Named>,
    /// Approved comments, oldest first; replies name the comment they answer.
    pub comments: Vec<Comment>,
    /// Approved pingbacks and trackbacks, when the blog lists them.
    pub pings: Vec<Comment>,
    /// Protected, and the reader has not given the password: the body, image, comments and
    /// pings are withheld.
    pub locked: bool,
}

/// How many items a listing has: exactly, or more than this many where counting all of them
/// would cost more than it tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Count {
    Exact(u64),
    MoreThan(u64),
    /// Found by reading only part of what could match: these, and perhaps more further back.
    AtLeast(u64),
}

impl Count {
    pub fn value(self) -> u64 {
        match self {
            Count::Exact(count) | Count::MoreThan(count) | Count::AtLeast(count) => count,
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
    /// What the one author, tag or category it lists says of itself: a bio, a description.
    pub about: Option<String>,
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
    /// Shown only to the person who wrote it, until it is approved.
    pub awaiting_moderation: bool,
}

/// What a reader sends to comment on a post.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CommentInput {
    pub post_id: i64,
    /// The comment this one answers.
    pub parent_id: Option<i64>,
    pub name: String,
    pub email: String,
    pub website: String,
    pub body: String,
    /// A field hidden from people; only programs fill it in.
    pub homepage: String,
    /// When the form was shown (milliseconds since 1970); people take a while to write.
    pub shown_at: i64,
}

/// What became of a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CommentOutcome {
    Published,
    AwaitingModeration,
}

/// A post found by a search, with the words that matched marked in its excerpt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    pub post: Named,
    pub published_at: DateTime<Utc>,
    /// Empty for a protected post.
    pub excerpt: Vec<Highlighted>,
    pub protected: bool,
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

/// Where a post stands: only published posts (and scheduled ones, once their time has come) are
/// on the blog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PostStatus {
    Draft,
    Published,
    Scheduled,
    Private,
    Trash,
}

impl PostStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PostStatus::Draft => "draft",
            PostStatus::Published => "published",
            PostStatus::Scheduled => "scheduled",
            PostStatus::Private => "private",
            PostStatus::Trash => "trash",
        }
    }

    pub fn parse(text: &str) -> Option<PostStatus> {
        match text {
            "draft" => Some(PostStatus::Draft),
            "published" => Some(PostStatus::Published),
            "scheduled" => Some(PostStatus::Scheduled),
            "private" => Some(PostStatus::Private),
            "trash" => Some(PostStatus::Trash),
            _ => None,
        }
    }

    /// How the dashboard names it.
    pub fn label(self) -> &'static str {
        match self {
            PostStatus::Draft => "Draft",
            PostStatus::Published => "Published",
            PostStatus::Scheduled => "Scheduled",
            PostStatus::Private => "Private",
            PostStatus::Trash => "In the trash",
        }
    }
}

/// A post of the blog, or a page (About, Contact) that stands outside its listings, in the
/// sidebar.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PostKind {
    #[default]
    Post,
    Page,
}

impl PostKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PostKind::Post => "post",
            PostKind::Page => "page",
        }
    }

    pub fn parse(text: &str) -> Option<PostKind> {
        match text {
            "post" => Some(PostKind::Post),
            "page" => Some(PostKind::Page),
            _ => None,
        }
    }
}

/// Where a page stands: under which page, and in what order among its siblings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PagePlace {
    pub parent_id: Option<i64>,
    /// Lower first.
    pub menu_order: i32,
}

/// A page as the editor offers it for a parent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageChoice {
    pub id: i64,
    pub title: String,
}

/// What a writer sends when saving a post.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostInput {
    /// A post or a page; a saved one stays what it is.
    #[serde(default)]
    pub kind: PostKind,
    /// A page's place among the pages; posts have none.
    #[serde(default)]
    pub place: PagePlace,
    pub title: String,
    pub body_html: String,
    pub excerpt: String,
    /// Empty: made from the title.
    pub slug: String,
    /// Draft, published or scheduled.
    pub status: PostStatus,
    /// When a scheduled post appears (in the future), or the date a published post shows; `None`
    /// publishes now.
    pub published_at: Option<DateTime<Utc>>,
    pub category_ids: Vec<i64>,
    /// Tag names; new ones are created.
    pub tags: Vec<String>,
    /// Whether readers may comment: `None` to keep what the post has (for a new post, what the
    /// blog's settings say).
    #[serde(default)]
    pub comments_open: Option<bool>,
    /// The password readers must give to see the text: empty for none, `None` to keep the one
    /// the post has.
    #[serde(default)]
    pub password: Option<String>,
    /// The post's own language (a BCP 47 tag): empty for the blog's, `None` to keep the one the
    /// post has.
    #[serde(default)]
    pub language: Option<String>,
}

/// A post as its writer edits it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EditablePost {
    pub id: i64,
    pub author_id: Option<i64>,
    pub author_name: Option<String>,
    pub input: PostInput,
    pub updated_at: DateTime<Utc>,
}

/// What a save did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedPost {
    pub id: i64,
    pub slug: String,
    pub status: PostStatus,
    pub published_at: Option<DateTime<Utc>>,
    pub saved_at: DateTime<Utc>,
    /// Protected by a password.
    pub protected: bool,
}

/// A category as the editor offers it: in tree order, with its depth.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryChoice {
    pub id: i64,
    pub name: String,
    pub parent_id: Option<i64>,
    pub depth: i32,
}

/// A post in the dashboard's list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DashboardPost {
    pub id: i64,
    pub kind: PostKind,
    pub slug: String,
    pub title: String,
    pub status: PostStatus,
    pub published_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub author_id: Option<i64>,
    pub author_slug: Option<String>,
    pub author_name: Option<String>,
}

/// Which posts the dashboard lists: each part narrows the list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardFilter {
    /// Pages instead of posts.
    #[serde(default)]
    pub pages: bool,
    pub status: Option<PostStatus>,
    /// An author's slug.
    pub author: Option<String>,
    /// A tag's slug.
    pub tag: Option<String>,
    /// Only posts older than this one (the next page).
    pub before: Option<i64>,
}

/// One page of the dashboard's list, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DashboardListing {
    pub posts: Vec<DashboardPost>,
    /// Where the next page starts, when there is one.
    pub next_before: Option<i64>,
}

/// A kept state of a post.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Revision {
    pub id: i64,
    pub saved_at: DateTime<Utc>,
    pub saved_by: Option<String>,
    pub is_autosave: bool,
    pub title: String,
}

/// A line of a comparison between a revision and the post as it is now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DiffLine {
    Same(String),
    /// Only in the revision.
    Removed(String),
    /// Only in the post as it is now.
    Added(String),
}

/// A post's revisions, newest first, and how one of them differs from the post now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RevisionHistory {
    pub post_id: i64,
    pub post_title: String,
    pub revisions: Vec<Revision>,
    pub compared: Option<(Revision, Vec<DiffLine>)>,
}

/// An uploaded image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaItem {
    pub id: i64,
    pub url: String,
    pub file_name: String,
    pub content_type: String,
    pub byte_size: i64,
}

/// A personal API token, as its owner sees it (the token itself is shown once, when made).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// Where a comment stands: only approved ones are shown to readers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CommentStatus {
    Pending,
    Approved,
    Spam,
    Trash,
}

impl CommentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CommentStatus::Pending => "pending",
            CommentStatus::Approved => "approved",
            CommentStatus::Spam => "spam",
            CommentStatus::Trash => "trash",
        }
    }

    pub fn parse(text: &str) -> Option<CommentStatus> {
        match text {
            "pending" => Some(CommentStatus::Pending),
            "approved" => Some(CommentStatus::Approved),
            "spam" => Some(CommentStatus::Spam),
            "trash" => Some(CommentStatus::Trash),
            _ => None,
        }
    }
}

/// A comment in a moderation queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueuedComment {
    pub id: i64,
    pub post_slug: String,
    pub post_title: String,
    pub author_name: String,
    /// Shown to moderators only.
    pub author_email: String,
    pub author_url: String,
    /// Plain text.
    pub body: String,
    /// A pingback or trackback rather than a comment.
    pub is_ping: bool,
    pub created_at: DateTime<Utc>,
}

/// One page of a moderation queue, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommentQueue {
    pub comments: Vec<QueuedComment>,
    /// Where the next page starts, when there is one.
    pub next_before: Option<i64>,
}
