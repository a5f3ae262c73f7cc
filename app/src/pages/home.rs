use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::{components::A, hooks::use_query_map};

use crate::components::{ErrorNotice, PostMeta, Site};
use crate::error::AppError;
use crate::model::{PostListPage, PostSummary};
use crate::pages::NotFoundPage;

#[server]
pub async fn list_posts(page: u32) -> Result<PostListPage, AppError> {
    if page == 0 {
        return Err(AppError::BadRequest(
            "pages are numbered from 1".to_string(),
        ));
    }
    let pool = crate::db::pool()?;
    Ok(crate::db::posts::list_public_posts(&pool, page, crate::model::POSTS_PER_PAGE).await?)
}

/// The newest posts, a page at a time (`/?page=2`).
#[component]
pub fn HomePage() -> impl IntoView {
    let query = use_query_map();
    let page = move || match query.read().get("page") {
        None => Some(1),
        Some(page) => page.parse::<u32>().ok().filter(|page| *page >= 1),
    };
    let listing = Resource::new(page, |page| async move {
        match page {
            Some(page) => list_posts(page).await.map(Some),
            None => Ok(None),
        }
    });
    let site = expect_context::<Site>();

    view! {
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading posts…"</p> }>
            {move || Suspend::new(async move {
                let title = site.title().await;
                match listing.await {
                    Ok(Some(listing)) if listing.page == 1 || !listing.posts.is_empty() => {
                        view! {
                            <Title text=title.clone() />
                            <Meta name="description" content=format!("The newest posts of {title}") />
                            <PostList listing />
                        }
                            .into_any()
                    }
                    Ok(_) => view! { <NotFoundPage /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn PostList(listing: PostListPage) -> impl IntoView {
    let empty = listing.posts.is_empty();
    let newer = (listing.page > 1).then(|| {
        let href = if listing.page == 2 {
            "/".to_string()
        } else {
            format!("/?page={}", listing.page - 1)
        };
        view! { <A href=href attr:class="newer" attr:rel="prev">"« Newer posts"</A> }
    });
    let older = listing.has_next.then(|| {
        let href = format!("/?page={}", listing.page + 1);
        view! { <A href=href attr:class="older" attr:rel="next">"Older posts »"</A> }
    });
    view! {
        <h1 class="visually-hidden">"Newest posts"</h1>
        {empty.then(|| view! { <p class="notice">"Nothing has been published yet."</p> })}
        <ol class="post-list">
            {listing
                .posts
                .into_iter()
                .map(|summary| view! { <li><PostTeaser summary /></li> })
                .collect_view()}
        </ol>
        <nav class="pagination" aria-label="More posts">
            {newer}
            {older}
        </nav>
    }
}

#[component]
fn PostTeaser(summary: PostSummary) -> impl IntoView {
    let href = format!("/posts/{}", summary.slug);
    let title = if summary.title.is_empty() {
        "(untitled)".to_string()
    } else {
        summary.title.clone()
    };
    let excerpt = summary.excerpt.clone();
    view! {
        <article class="post-teaser">
            <h2 class="post-title">
                <A href=href>{title}</A>
            </h2>
            <PostMeta summary />
            <p class="post-excerpt">{excerpt}</p>
        </article>
    }
}
