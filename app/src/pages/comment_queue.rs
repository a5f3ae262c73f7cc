//! `/dashboard/comments`: the moderation queues (pending, approved, spam, trash) of the comments
//! a signed-in person moderates (editors and administrators: all; authors: their posts'), with
//! actions on one comment or many at once.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;

use crate::components::{ErrorNotice, SiteDate};
use crate::error::AppError;
use crate::filter::post_href;
use crate::model::{CommentQueue, CommentStatus, QueuedComment};
use crate::pages::SignInFirst;

#[server(endpoint = "comment_queue")]
pub async fn get_comment_queue(
    status: CommentStatus,
    #[server(default)] before: Option<i64>,
) -> Result<CommentQueue, AppError> {
    let pool = crate::context::pool()?;
    let account = crate::auth::require_account()?;
    crate::commenting::queue(&pool, &account, status, before).await
}

#[server(endpoint = "moderate_comments", input = leptos::server_fn::codec::Json)]
pub async fn moderate_comments(ids: Vec<i64>, status: CommentStatus) -> Result<u64, AppError> {
    let pool = crate::context::pool()?;
    let account = crate::auth::require_account()?;
    crate::commenting::moderate(&pool, &account, &ids, status).await
}

const QUEUES: [(CommentStatus, &str); 4] = [
    (CommentStatus::Pending, "Pending"),
    (CommentStatus::Approved, "Approved"),
    (CommentStatus::Spam, "Spam"),
    (CommentStatus::Trash, "Trash"),
];

/// What can be done to a comment in each queue: the status it moves to, and the button's label.
fn actions(status: CommentStatus) -> Vec<(CommentStatus, &'static str)> {
    let all = [
        (CommentStatus::Approved, "Approve"),
        (CommentStatus::Pending, "Unapprove"),
        (CommentStatus::Spam, "Spam"),
        (CommentStatus::Trash, "Trash"),
    ];
    all.into_iter()
        .filter(|(to, _)| *to != status)
        .filter(|(to, _)| !(status != CommentStatus::Approved && *to == CommentStatus::Pending))
        .collect()
}

#[component]
pub fn CommentQueuePage() -> impl IntoView {
    let query = use_query_map();
    let status = move || {
        query
            .read()
            .get("status")
            .and_then(|status| CommentStatus::parse(&status))
            .unwrap_or(CommentStatus::Pending)
    };
    let before = move || query.read().get("before").and_then(|id| id.parse().ok());
    let moderate = Action::new(|(ids, to): &(Vec<i64>, CommentStatus)| {
        let (ids, to) = (ids.clone(), *to);
        async move { moderate_comments(ids, to).await }
    });
    let queue = Resource::new(
        move || (status(), before(), moderate.version().get()),
        |(status, before, _)| get_comment_queue(status, before),
    );
    let selected = RwSignal::new(Vec::<i64>::new());
    view! {
        <Title text="Comments" />
        <Meta name="robots" content="noindex" />
        <section class="dashboard">
            <h1>"Comments"</h1>
            <p><a href="/dashboard">"← Posts"</a></p>
            <nav class="status-tabs" aria-label="Queues">
                {QUEUES.into_iter().map(|(queue_status, label)| view! {
                    <a href=format!("/dashboard/comments?status={}", queue_status.as_str())
                        aria-current=move || (status() == queue_status).then_some("page")>{label}</a>
                }).collect_view()}
            </nav>
            {move || moderate.value().get().and_then(Result::err).map(|error| view! {
                <p class="form-error" role="alert">{error.to_string()}</p>
            })}
            <Transition fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let current = status();
                    match queue.await {
                        Ok(queue) => {
                            selected.set(Vec::new());
                            view! { <Queue queue status=current selected moderate /> }.into_any()
                        }
                        Err(AppError::Unauthorized(_)) => view! { <SignInFirst /> }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Queue(
    queue: CommentQueue,
    status: CommentStatus,
    selected: RwSignal<Vec<i64>>,
    moderate: Action<(Vec<i64>, CommentStatus), Result<u64, AppError>>,
) -> impl IntoView {
    if queue.comments.is_empty() {
        return view! { <p>"No comments here."</p> }.into_any();
    }
    let all: Vec<i64> = queue.comments.iter().map(|comment| comment.id).collect();
    let count = all.len();
    let bulk = actions(status)
        .into_iter()
        .map(|(to, label)| {
            view! {
                <button type="button" class="button secondary"
                    disabled=move || selected.read().is_empty()
                    on:click=move |_| { moderate.dispatch((selected.get_untracked(), to)); }>
                    {format!("{label} selected")}
                </button>
            }
        })
        .collect_view();
    let next = queue.next_before.map(|before| {
        view! {
            <p class="pagination">
                <a href=format!("/dashboard/comments?status={}&before={before}", status.as_str())>"Older comments →"</a>
            </p>
        }
    });
    view! {
        <p class="bulk-actions">
            <label>
                <input type="checkbox"
                    prop:checked=move || selected.read().len() == count
                    on:change={
                        let all = all.clone();
                        move |ev| selected.set(if event_target_checked(&ev) { all.clone() } else { Vec::new() })
                    } />
                " Select all"
            </label>
            " "
            {bulk}
        </p>
        <ol class="comment-queue">
            {queue.comments.into_iter().map(|comment| view! {
                <QueuedCommentEntry comment status selected moderate />
            }).collect_view()}
        </ol>
        {next}
    }
    .into_any()
}

#[component]
fn QueuedCommentEntry(
    comment: QueuedComment,
    status: CommentStatus,
    selected: RwSignal<Vec<i64>>,
    moderate: Action<(Vec<i64>, CommentStatus), Result<u64, AppError>>,
) -> impl IntoView {
    let id = comment.id;
    let post = post_href(&comment.post_slug);
    let buttons = actions(status)
        .into_iter()
        .map(|(to, label)| {
            view! {
                <button type="button" class="link-button"
                    on:click=move |_| { moderate.dispatch((vec![id], to)); }>{label}</button>
                " "
            }
        })
        .collect_view();
    let reply = (status == CommentStatus::Approved).then(|| {
        view! { <a href=format!("{post}?replyto={id}#respond")>"Reply"</a> }
    });
    view! {
        <li class="queued-comment">
            <input type="checkbox" aria-label=format!("Select the comment of {}", comment.author_name)
                prop:checked=move || selected.read().contains(&id)
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    selected.update(|selected| {
                        selected.retain(|chosen| *chosen != id);
                        if on {
                            selected.push(id);
                        }
                    });
                } />
            <div>
                <p class="comment-meta">
                    <strong>{comment.author_name.clone()}</strong>
                    {format!(" <{}>", comment.author_email)}
                    {(!comment.author_url.is_empty()).then(|| format!(" · {}", comment.author_url))}
                    {comment.is_ping.then_some(" · pingback/trackback")}
                    " · on "
                    <a href=post.clone()>{comment.post_title.clone()}</a>
                    " · "
                    <SiteDate date=comment.created_at />
                </p>
                <p class="comment-body">{comment.body.clone()}</p>
                <p class="row-actions">{buttons}{reply}</p>
            </div>
        </li>
    }
}
