//! `/preview/{id}`: a post, whatever its status, shown exactly as its page will show it once
//! published, to the people who may change it.

use leptos::prelude::*;
use leptos_meta::Meta;
use leptos_router::hooks::use_params_map;

use crate::components::{ErrorNotice, Site};
use crate::error::AppError;
use crate::model::PostView;
use crate::pages::SignInFirst;
use crate::pages::post::PostArticle;

#[server(endpoint = "preview")]
pub async fn get_preview(id: i64) -> Result<PostView, AppError> {
    let pool = crate::context::pool()?;
    let account = crate::auth::require_account()?;
    crate::writing::preview(&pool, &account, id).await
}

#[component]
pub fn PreviewPage() -> impl IntoView {
    let params = use_params_map();
    let post = Resource::new(
        move || {
            params
                .read()
                .get("id")
                .and_then(|id| id.parse::<i64>().ok())
        },
        |id| async move {
            match id {
                Some(id) => get_preview(id).await,
                None => Err(AppError::NotFound("this post".to_string())),
            }
        },
    );
    let site = expect_context::<Site>();
    view! {
        <Meta name="robots" content="noindex" />
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading the preview…"</p> }>
            {move || Suspend::new(async move {
                let site = site.info().await;
                match post.await {
                    Ok(view) => view! {
                        <p class="preview-banner" role="note">"Preview: this is how the post will look when published."</p>
                        <PostArticle view site comment=None />
                    }.into_any(),
                    Err(AppError::Unauthorized(_)) => view! { <SignInFirst /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
