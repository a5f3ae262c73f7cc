//! `/write/{id}/revisions`: every kept state of a post, how one differs from the post now, and
//! putting one back.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::components::ErrorNotice;
use crate::error::AppError;
use crate::model::{DiffLine, Revision, RevisionHistory};
use crate::pages::SignInFirst;

#[server(endpoint = "revisions")]
pub async fn get_revisions(
    post_id: i64,
    compare: Option<i64>,
) -> Result<RevisionHistory, AppError> {
    let pool = crate::context::pool()?;
    let account = crate::auth::require_account()?;
    crate::writing::history(&pool, &account, post_id, compare).await
}

#[server(endpoint = "restore_revision")]
pub async fn restore_revision(revision_id: i64) -> Result<(), AppError> {
    let pool = crate::context::pool()?;
    let account = crate::auth::require_account()?;
    let post_id = crate::writing::restore_revision(&pool, &account, revision_id).await?;
    leptos_axum::redirect(&format!("/write/{post_id}"));
    Ok(())
}

#[component]
pub fn RevisionsPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let post_id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    };
    let compare = move || {
        query
            .read()
            .get("compare")
            .and_then(|id| id.parse::<i64>().ok())
    };
    let restore = ServerAction::<RestoreRevision>::new();
    let history = Resource::new(
        move || (post_id(), compare()),
        |(post_id, compare)| async move {
            match post_id {
                Some(post_id) => get_revisions(post_id, compare).await,
                None => Err(AppError::NotFound("this post".to_string())),
            }
        },
    );
    view! {
        <Title text="Revisions" />
        <Meta name="robots" content="noindex" />
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match history.await {
                    Ok(history) => view! { <History history restore /> }.into_any(),
                    Err(AppError::Unauthorized(_)) => view! { <SignInFirst /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
        {move || restore.value().get().and_then(Result::err).map(|error| view! {
            <p class="form-error" role="alert">{error.to_string()}</p>
        })}
    }
}

#[component]
fn History(history: RevisionHistory, restore: ServerAction<RestoreRevision>) -> impl IntoView {
    let RevisionHistory {
        post_id,
        post_title,
        revisions,
        compared,
    } = history;
    let compared_id = compared.as_ref().map(|(revision, _)| revision.id);
    view! {
        <section class="revisions">
            <h1>"Revisions of “"{post_title}"”"</h1>
            <p><a href=format!("/write/{post_id}")>"← Back to the editor"</a></p>
            <ol class="revision-list">
                {revisions.into_iter().map(|revision| {
                    let current = compared_id == Some(revision.id);
                    view! {
                        <li aria-current=current.then_some("true")>
                            <a href=format!("/write/{post_id}/revisions?compare={}", revision.id)>
                                {revision_label(&revision)}
                            </a>
                        </li>
                    }
                }).collect_view()}
            </ol>
            {compared.map(|(revision, lines)| view! {
                <h2>{format!("Changes since {}", revision_label(&revision))}</h2>
                <p class="field-hint">"Lines marked − are only in this revision; lines marked + were written since."</p>
                <div class="diff">
                    {lines.into_iter().map(|line| match line {
                        DiffLine::Same(text) => view! { <p class="diff-same">{text}</p> }.into_any(),
                        DiffLine::Removed(text) => view! { <p class="diff-removed"><span aria-label="removed">"− "</span>{text}</p> }.into_any(),
                        DiffLine::Added(text) => view! { <p class="diff-added"><span aria-label="added">"+ "</span>{text}</p> }.into_any(),
                    }).collect_view()}
                </div>
                <ActionForm action=restore>
                    <input type="hidden" name="revision_id" value=revision.id.to_string() />
                    <button type="submit">"Restore this revision"</button>
                </ActionForm>
            })}
        </section>
    }
}

fn revision_label(revision: &Revision) -> String {
    let by = revision
        .saved_by
        .as_ref()
        .map(|name| format!(" by {name}"))
        .unwrap_or_default();
    let kind = if revision.is_autosave {
        " (autosave)"
    } else {
        ""
    };
    format!(
        "{}{by}{kind}",
        revision.saved_at.format("%Y-%m-%d %H:%M:%S UTC")
    )
}
