//! A single post with its comments.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::components::{
    CommentForm, CommentThread, ErrorNotice, Loading, PageHead, PasswordForm, PostComment,
    PostMeta, Site, UnlockPost,
};
use crate::error::AppError;
use crate::filter::post_href;
use crate::model::{Named, PROTECTED_NOTICE, PostView, SiteInfo};
use crate::pages::NotFoundPage;

#[server]
pub async fn get_post(slug: String) -> Result<PostView, AppError> {
    use crate::auth::{COMMENTER_COOKIE, request_cookie, token_hash};
    let pool = crate::context::pool()?;
    let mut view = crate::db::posts::find_public_post(
        &pool,
        &slug,
        crate::db::posts::PostParts::Page,
        crate::protection::request_unlocks,
    )
    .await?
    .ok_or_else(|| AppError::NotFound(format!("the post “{slug}”")))?;
    if view.locked {
        return Ok(view);
    }
    if view.post.summary.protected {
        crate::protection::keep_private();
    }
    if let Some(token) = request_cookie(COMMENTER_COOKIE) {
        let waiting =
            crate::db::comments::own_waiting_comments(&pool, view.id, &token_hash(&token)).await?;
        view.comments.extend(waiting);
    }
    Ok(view)
}

/// One post in full (`/posts/{slug}`).
#[component]
pub fn PostPage() -> impl IntoView {
    let params = use_params_map();
    let comment = ServerAction::<PostComment>::new();
    let unlock = ServerAction::<UnlockPost>::new();
    let post = Resource::new(
        move || {
            (
                params.read().get("slug").unwrap_or_default(),
                comment.version().get(),
                unlock.version().get(),
            )
        },
        |(slug, _, _)| get_post(slug),
    );
    let site = expect_context::<Site>();
    let Loading(loading) = expect_context::<Loading>();

    view! {
        <Transition
            fallback=|| view! { <p class="loading" role="status">"Loading the post…"</p> }
            set_pending=loading.write_only()
        >
            {move || Suspend::new(async move {
                let site = site.info().await;
                match post.await {
                    Ok(view) => view! {
                        <PostArticle view site comment=Some(comment) unlock=Some(unlock) />
                    }.into_any(),
                    Err(AppError::NotFound(_)) => view! { <NotFoundPage /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
pub(crate) fn PostArticle(
    view: PostView,
    site: SiteInfo,
    /// The action that sends a comment; `None` where no one may comment (a preview).
    comment: Option<ServerAction<PostComment>>,
    /// The action that sends a protected post's password; `None` in a preview.
    #[prop(default = None)]
    unlock: Option<ServerAction<UnlockPost>>,
) -> impl IntoView {
    let PostView {
        id,
        post,
        comments_open,
        older,
        newer,
        comments,
        pings,
        locked,
    } = view;
    let summary = post.summary;
    let language = summary.language.clone();
    let title = if summary.title.is_empty() {
        "(untitled)".to_string()
    } else {
        summary.title.clone()
    };
    let path = post_href(&summary.slug);
    let description = if summary.protected {
        PROTECTED_NOTICE.to_string()
    } else {
        summary.excerpt.clone()
    };
    let head = view! {
        <PageHead site title=title.clone() description path image=post.image.clone() article=true />
    };
    let neighbours = view! {
        <nav class="post-neighbours" aria-label="More posts">
            {newer.map(|post| view! { <Neighbour post rel="next" label="Newer post" /> })}
            {older.map(|post| view! { <Neighbour post rel="prev" label="Older post" /> })}
        </nav>
    };
    if locked {
        return view! {
            {head}
            <article class="post protected" lang=language>
                <h1 class="post-title">{title}</h1>
                <PostMeta summary />
                {unlock.map(|action| view! { <PasswordForm post_id=id action /> })}
            </article>
            {neighbours}
        }
        .into_any();
    }
    view! {
        {head}
        <article class="post" lang=language>
            <h1 class="post-title">{title}</h1>
            <PostMeta summary />
            <div class="post-body" inner_html=post.body_html></div>
        </article>
        {neighbours}
        <CommentThread comments open=comments_open && comment.is_some() />
        {(!pings.is_empty()).then(|| view! {
            <section class="pings" aria-labelledby="pings-heading">
                <h2 id="pings-heading">"Pingbacks and trackbacks"</h2>
                <ul>
                    {pings.into_iter().map(|ping| {
                        let name = if ping.author_name.is_empty() { "A site".to_string() } else { ping.author_name };
                        match ping.author_url {
                            Some(url) => view! { <li><a href=url rel="nofollow ugc external">{name}</a></li> }.into_any(),
                            None => view! { <li>{name}</li> }.into_any(),
                        }
                    }).collect_view()}
                </ul>
            </section>
        })}
        {comment.map(|action| if comments_open {
            view! { <CommentForm post_id=id action /> }.into_any()
        } else {
            view! { <p class="comments-closed">"Comments are closed."</p> }.into_any()
        })}
    }
    .into_any()
}

#[component]
fn Neighbour(post: Named, rel: &'static str, label: &'static str) -> impl IntoView {
    let href = post_href(&post.slug);
    let title = if post.name.is_empty() {
        "(untitled)".to_string()
    } else {
        post.name
    };
    view! {
        <p class=format!("neighbour {rel}")>
            <span class="neighbour-label">{label}</span>
            <A href=href attr:rel=rel>{title}</A>
        </p>
    }
}
