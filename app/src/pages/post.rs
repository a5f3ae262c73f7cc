use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_params_map;

use crate::components::{ErrorNotice, PostMeta, Site};
use crate::error::AppError;
use crate::format;
use crate::model::Post;
use crate::pages::NotFoundPage;

#[server]
pub async fn get_post(slug: String) -> Result<Post, AppError> {
    let pool = crate::db::pool()?;
    crate::db::posts::find_public_post(&pool, &slug)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("the post “{slug}”")))
}

/// One post in full (`/posts/{slug}`).
#[component]
pub fn PostPage() -> impl IntoView {
    let params = use_params_map();
    let post = Resource::new(
        move || params.read().get("slug").unwrap_or_default(),
        get_post,
    );
    let site = expect_context::<Site>();

    view! {
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading the post…"</p> }>
            {move || Suspend::new(async move {
                let site_title = site.title().await;
                match post.await {
                    Ok(post) => view! { <PostArticle post site_title /> }.into_any(),
                    Err(AppError::NotFound(_)) => view! { <NotFoundPage /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn PostArticle(post: Post, site_title: String) -> impl IntoView {
    let Post { summary, body_html } = post;
    let title = if summary.title.is_empty() {
        "(untitled)".to_string()
    } else {
        summary.title.clone()
    };
    let comment_count = format::comment_count(summary.comment_count);
    let description = summary.excerpt.clone();
    view! {
        <Title text=format!("{title} – {site_title}") />
        <Meta name="description" content=description />
        <article class="post">
            <h1 class="post-title">{title}</h1>
            <PostMeta summary />
            <div class="post-body" inner_html=body_html></div>
        </article>
        <section id="comments" class="comments">
            <h2>{comment_count}</h2>
        </section>
    }
}
