//! A page ("About", "Contact"): text that stands outside the flow of posts.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::components::{ErrorNotice, Loading, PageHead, PasswordForm, Site, UnlockPost};
use crate::error::AppError;
use crate::filter::page_href;
use crate::model::{Page, SiteInfo};
use crate::pages::NotFoundPage;

#[server]
pub async fn get_page(slug: String) -> Result<Page, AppError> {
    let pool = crate::context::pool()?;
    let page = crate::db::posts::find_public_page(&pool, &slug, crate::protection::request_unlocks)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("the page “{slug}”")))?;
    if page.protected && !page.locked {
        crate::protection::keep_private();
    }
    Ok(page)
}

/// `/pages/{slug}`.
#[component]
pub fn PagePage() -> impl IntoView {
    let params = use_params_map();
    let unlock = ServerAction::<UnlockPost>::new();
    let page = Resource::new(
        move || {
            (
                params.read().get("slug").unwrap_or_default(),
                unlock.version().get(),
            )
        },
        |(slug, _)| get_page(slug),
    );
    let site = expect_context::<Site>();
    let Loading(loading) = expect_context::<Loading>();
    view! {
        <Transition
            fallback=|| view! { <p class="loading" role="status">"Loading the page…"</p> }
            set_pending=loading.write_only()
        >
            {move || Suspend::new(async move {
                let site = site.info().await;
                match page.await {
                    Ok(page) => view! { <PageArticle page site unlock /> }.into_any(),
                    Err(AppError::NotFound(_)) => view! { <NotFoundPage /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn PageArticle(page: Page, site: SiteInfo, unlock: ServerAction<UnlockPost>) -> impl IntoView {
    let path = page_href(&page.slug);
    let title = if page.title.is_empty() {
        "(untitled)".to_string()
    } else {
        page.title
    };
    let link = |page: crate::model::Named| {
        view! { <A href=page_href(&page.slug)>{page.name}</A> }
    };
    view! {
        <PageHead site title=title.clone() description=page.description path />
        <article class="post page" lang=page.language>
            {page.parent.map(|parent| view! { <p class="page-parent">{link(parent)}</p> })}
            <h1 class="post-title">{title}</h1>
            {if page.locked {
                view! { <PasswordForm post_id=page.id action=unlock /> }.into_any()
            } else {
                view! { <div class="post-body" inner_html=page.body_html></div> }.into_any()
            }}
            {(!page.children.is_empty()).then(|| view! {
                <nav class="page-children" aria-label="Pages under this one">
                    <ul>{page.children.into_iter().map(|child| view! { <li>{link(child)}</li> }).collect_view()}</ul>
                </nav>
            })}
        </article>
    }
    .into_any()
}
