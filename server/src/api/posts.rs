//! `/api/v1/posts`: the published posts, filtered, searched and paged, and each post in full.

use app::db;
use app::db::posts::PostParts;
use app::error::{AppError, Problem};
use app::filter::{MAX_COMBINED_POSTS, PostFilter, parse_number};
use app::model::{Comment, Count, Named, PostListing, PostSummary};
use axum::Json;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::bad_parameter;
use crate::caching::{FIVE_MINUTES, ONE_MINUTE, cached};
use crate::replicas::Reading;
use crate::web::AppState;

const MAX_PER_PAGE: u32 = 100;
const MAX_PAGE: u32 = 10_000_000;
const DEFAULT_PER_PAGE: u32 = 10;

/// Which posts to list. Every parameter is optional; together they narrow the list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListPostsParams {
    /// An author's slug.
    author: Option<String>,
    /// A tag's slug.
    tag: Option<String>,
    /// A category's slug; its subcategories' posts are included.
    category: Option<String>,
    /// A year, such as 2009.
    #[param(value_type = Option<i32>, minimum = 1, maximum = 9999)]
    year: Option<String>,
    /// A month, 1 to 12; needs `year`.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 12)]
    month: Option<String>,
    /// Words to search for in titles and bodies (any language); the best matches come first.
    /// Punctuation alone matches nothing.
    #[param(max_length = 200)]
    q: Option<String>,
    /// The page, from 1. A search pages through its 5,000 best matches, a combination of
    /// author, tag and category through its 10,000 newest posts; deeper pages are refused.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 10_000_000)]
    page: Option<String>,
    /// Posts per page, 1 to 100 (10 by default).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    per_page: Option<String>,
}

/// A person, category or tag.
#[derive(Debug, Serialize, ToSchema)]
pub struct NamedRef {
    slug: String,
    name: String,
}

impl From<Named> for NamedRef {
    fn from(named: Named) -> Self {
        NamedRef {
            slug: named.slug,
            name: named.name,
        }
    }
}

/// A published post, as listings show it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostSummaryOut {
    slug: String,
    title: String,
    /// Plain text: the author's excerpt, or the start of the post; empty when `protected`.
    excerpt: String,
    /// Protected by a password: its text, images and comments are shown only on the blog, to
    /// readers who give the password, never through the API.
    protected: bool,
    published_at: DateTime<Utc>,
    author: Option<NamedRef>,
    categories: Vec<NamedRef>,
    tags: Vec<NamedRef>,
    /// Approved comments only.
    comment_count: i64,
    /// The post's page on the blog.
    url: String,
}

impl PostSummaryOut {
    fn new(summary: PostSummary, public_url: &str) -> Self {
        PostSummaryOut {
            url: format!("{public_url}{}", app::filter::post_href(&summary.slug)),
            slug: summary.slug,
            title: summary.title,
            excerpt: summary.excerpt,
            protected: summary.protected,
            published_at: summary.published_at,
            author: summary.author.map(NamedRef::from),
            categories: summary.categories.into_iter().map(NamedRef::from).collect(),
            tags: summary.tags.into_iter().map(NamedRef::from).collect(),
            comment_count: summary.comment_count,
        }
    }
}

/// One page of posts.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostList {
    posts: Vec<PostSummaryOut>,
    page: u32,
    per_page: u32,
    /// How many posts match. When several filters combine, counting stops past 10,000, and only
    /// the newest 20,000 posts of the narrowest filter are looked at: `total_exact` false means
    /// that more posts than `total` may match.
    total: u64,
    total_exact: bool,
    total_pages: u64,
}

/// A reader's approved comment. E-mail addresses are never shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommentOut {
    id: i64,
    /// The comment this one replies to.
    parent_id: Option<i64>,
    author_name: String,
    author_url: Option<String>,
    created_at: DateTime<Utc>,
    /// Plain text.
    body: String,
}

impl From<Comment> for CommentOut {
    fn from(comment: Comment) -> Self {
        CommentOut {
            id: comment.id,
            parent_id: comment.parent_id,
            author_name: comment.author_name,
            author_url: comment.author_url,
            created_at: comment.created_at,
            body: comment.body,
        }
    }
}

/// A published post in full.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostOut {
    #[serde(flatten)]
    summary: PostSummaryOut,
    /// The body, cleaned of anything that could run in a browser; left out when `protected`.
    #[serde(skip_serializing_if = "Option::is_none")]
    body_html: Option<String>,
    /// Left out when `protected`.
    #[serde(skip_serializing_if = "Option::is_none")]
    comments: Option<Vec<CommentOut>>,
}

/// What the query parameters ask for, checked.
struct ListRequest {
    filter: PostFilter,
    query: Option<String>,
    page: u32,
    per_page: u32,
}

impl TryFrom<ListPostsParams> for ListRequest {
    type Error = AppError;

    fn try_from(params: ListPostsParams) -> Result<Self, AppError> {
        let filter = PostFilter::parse_query(|key| match key {
            "author" => params.author.clone(),
            "tag" => params.tag.clone(),
            "category" => params.category.clone(),
            "year" => params.year.clone(),
            "month" => params.month.clone(),
            _ => None,
        })?;
        let query = params
            .q
            .map(|q| q.trim().to_string())
            .filter(|q| !q.is_empty());
        if query
            .as_ref()
            .is_some_and(|query| query.chars().count() > app::model::MAX_QUERY_CHARS)
        {
            return Err(AppError::BadRequest(format!(
                "`q` can be at most {} characters long",
                app::model::MAX_QUERY_CHARS
            )));
        }
        ListRequest {
            filter,
            query,
            page: parse_number("page", params.page.as_deref(), 1..=MAX_PAGE)?.unwrap_or(1),
            per_page: parse_number("per_page", params.per_page.as_deref(), 1..=MAX_PER_PAGE)?
                .unwrap_or(DEFAULT_PER_PAGE),
        }
        .within_reach()
    }
}

impl ListRequest {
    /// Refuses pages past what the listing reaches: the best [`db::search::SEARCH_CAP`] matches
    /// of a search, the newest [`MAX_COMBINED_POSTS`] posts of a combination of author, tag and
    /// category. Each deeper page would cost more than the one before.
    fn within_reach(self) -> Result<Self, AppError> {
        let skipped = u64::from(self.page - 1) * u64::from(self.per_page);
        if self.query.is_some() && skipped >= db::search::SEARCH_CAP {
            return Err(AppError::BadRequest(format!(
                "`page` {} is past the best {} matches, which are all a search ranks: \
                 add words or narrow it by author, tag, category, `year` or `month`",
                self.page,
                db::search::SEARCH_CAP
            )));
        }
        if self.query.is_none() && self.filter.is_beyond_reach(self.page, self.per_page) {
            return Err(AppError::BadRequest(format!(
                "`page` {} is past the newest {MAX_COMBINED_POSTS} posts, which are all that a \
                 combination of author, tag and category pages through: narrow it with `year` \
                 and `month`, or list one of them alone",
                self.page
            )));
        }
        Ok(self)
    }
}

/// List published posts, newest first (best matches first with `q`).
#[utoipa::path(
    get,
    path = "/api/v1/posts",
    tag = "posts",
    params(ListPostsParams),
    responses(
        (status = 200, description = "A page of posts; past the last page, an empty one", body = PostList),
        (status = 400, description = "A parameter is malformed, or `page` is past the 5,000 best matches of a search or the 10,000 newest posts of a combination of author, tag and category", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The author, tag or category does not exist", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_posts(
    State(state): State<AppState>,
    reading: Reading,
    params: Result<Query<ListPostsParams>, QueryRejection>,
) -> Result<Response, AppError> {
    let Query(params) = params.map_err(bad_parameter)?;
    let request = ListRequest::try_from(params)?;
    let listing = match &request.query {
        Some(query) => {
            db::search::search_listing(
                &reading.pool,
                query,
                &request.filter,
                request.page,
                request.per_page,
            )
            .await?
        }
        None => {
            db::listings::list_posts(
                &reading.pool,
                &request.filter,
                request.page,
                request.per_page,
            )
            .await?
        }
    }
    .ok_or_else(|| AppError::NotFound("the author, tag or category".to_string()))?;
    Ok(cached(
        ONE_MINUTE,
        Json(page_out(listing, &state.public_url)),
    ))
}

fn page_out(listing: PostListing, public_url: &str) -> PostList {
    let total = listing.total.value();
    PostList {
        page: listing.page,
        per_page: listing.per_page,
        total,
        total_exact: matches!(listing.total, Count::Exact(_)),
        total_pages: total.div_ceil(u64::from(listing.per_page)),
        posts: listing
            .posts
            .into_iter()
            .map(|post| PostSummaryOut::new(post, public_url))
            .collect(),
    }
}

/// A published post, with its body and approved comments (unless it is protected by a password).
#[utoipa::path(
    get,
    path = "/api/v1/posts/{slug}",
    tag = "posts",
    params(("slug" = String, Path, description = "The post's slug")),
    responses(
        (status = 200, description = "The post", body = PostOut),
        (status = 404, description = "No published post has this slug", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_post(
    State(state): State<AppState>,
    reading: Reading,
    slug: Result<Path<String>, PathRejection>,
) -> Result<Response, AppError> {
    let Path(slug) = slug.map_err(bad_parameter)?;
    // The API never unlocks a protected post: it has no cookies to remember a password by.
    let view = db::posts::find_public_post(&reading.pool, &slug, PostParts::Comments, |_, _| false)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("the post “{slug}”")))?;
    let locked = view.locked;
    let post = PostOut {
        summary: PostSummaryOut::new(view.post.summary, &state.public_url),
        body_html: (!locked).then_some(view.post.body_html),
        comments: (!locked).then(|| view.comments.into_iter().map(CommentOut::from).collect()),
    };
    Ok(cached(FIVE_MINUTES, Json(post)))
}
