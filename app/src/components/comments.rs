//! The comments under a post, threaded (replies under what they answer, oldest first), and the
//! form that adds one; it works before the page is live too.

// The form's fields are the arguments of the server function it posts to, one each.
#![allow(clippy::too_many_arguments)]

use std::collections::HashMap;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::{Session, SiteDate};
use crate::error::AppError;
use crate::format;
use crate::model::{Comment, CommentOutcome};

#[server(endpoint = "post_comment")]
pub async fn post_comment(
    post_id: i64,
    #[server(default)] parent_id: Option<i64>,
    #[server(default)] name: String,
    #[server(default)] email: String,
    #[server(default)] website: String,
    body: String,
    #[server(default)] homepage: String,
    #[server(default)] shown_at: i64,
) -> Result<CommentOutcome, AppError> {
    use crate::commenting::{Commenter, post_comment};
    let pool = crate::context::pool()?;
    crate::protection::check_may_comment(&pool, post_id).await?;
    let account = crate::auth::viewer();
    let token_hash = crate::auth::commenter_token_hash()?;
    let commenter = Commenter {
        account: account.as_ref(),
        address: crate::auth::client_address()
            .map(|address| address.to_string())
            .unwrap_or_default(),
        token_hash: Some(&token_hash),
    };
    let input = crate::model::CommentInput {
        post_id,
        parent_id,
        name,
        email,
        website,
        body,
        homepage,
        shown_at,
    };
    let (id, outcome) = post_comment(&pool, &commenter, &input).await?;
    crate::auth::return_to_form_page(&format!("comment-{id}"));
    Ok(outcome)
}

/// Replies deeper than this are shown at this depth.
const MAX_DEPTH: usize = 5;

#[component]
pub fn CommentThread(
    comments: Vec<Comment>,
    /// Whether comments can be answered.
    open: bool,
) -> impl IntoView {
    let approved = comments
        .iter()
        .filter(|comment| !comment.awaiting_moderation)
        .count();
    let heading = format::comment_count(approved as i64);
    let ids: Vec<i64> = comments.iter().map(|comment| comment.id).collect();
    let mut replies: HashMap<Option<i64>, Vec<Comment>> = HashMap::new();
    for comment in comments {
        // A reply to a comment that is not shown (pending, spam) stands at the top level.
        let parent = comment.parent_id.filter(|parent| ids.contains(parent));
        replies.entry(parent).or_default().push(comment);
    }
    let top = replies.remove(&None).unwrap_or_default();
    view! {
        <section id="comments" class="comments" aria-labelledby="comments-heading">
            <h2 id="comments-heading">{heading}</h2>
            {(!top.is_empty()).then(|| view! { <ol class="comment-list">{branch(top, &mut replies, 1, open)}</ol> })}
        </section>
    }
}

fn branch(
    comments: Vec<Comment>,
    replies: &mut HashMap<Option<i64>, Vec<Comment>>,
    depth: usize,
    open: bool,
) -> Vec<AnyView> {
    let mut views = Vec::new();
    for comment in comments {
        let answers = replies.remove(&Some(comment.id)).unwrap_or_default();
        let nested = if depth < MAX_DEPTH {
            let children = branch(answers, replies, depth + 1, open);
            (!children.is_empty())
                .then(|| view! { <ol class="comment-replies">{children}</ol> }.into_any())
        } else {
            views.extend(branch(answers, replies, depth, open));
            None
        };
        views.push(view! { <li><CommentView comment open />{nested}</li> }.into_any());
    }
    views
}

#[component]
fn CommentView(comment: Comment, open: bool) -> impl IntoView {
    let anchor = format!("comment-{}", comment.id);
    let name = if comment.author_name.is_empty() {
        "Anonymous".to_string()
    } else {
        comment.author_name
    };
    let author = match comment.author_url {
        Some(url) => {
            view! { <a href=url rel="nofollow ugc external">{name.clone()}</a> }.into_any()
        }
        None => name.clone().into_any(),
    };
    let body = format::link_parts(&comment.body)
        .into_iter()
        .map(|(is_link, text)| {
            if is_link {
                let href = text.clone();
                view! { <a href=href rel="nofollow ugc">{text}</a> }.into_any()
            } else {
                text.into_any()
            }
        })
        .collect_view();
    let reply = (open && !comment.awaiting_moderation).then(|| {
        view! {
            <a class="comment-reply" href=format!("?replyto={}#respond", comment.id)
                aria-label=format!("Reply to {name}")>"Reply"</a>
        }
    });
    view! {
        <article class="comment" id=anchor class:awaiting=comment.awaiting_moderation>
            <p class="comment-meta">
                <span class="comment-author">{author}</span>
                " · "
                <SiteDate date=comment.created_at />
            </p>
            {comment.awaiting_moderation.then(|| view! {
                <p class="comment-status">"Your comment is awaiting moderation."</p>
            })}
            <p class="comment-body">{body}</p>
            {reply}
        </article>
    }
}

/// The form that adds a comment (`#respond`), as a reply when the address says `?replyto=`.
#[component]
pub fn CommentForm(post_id: i64, action: ServerAction<PostComment>) -> impl IntoView {
    let session = expect_context::<Session>();
    let query = use_query_map();
    let reply_to = move || {
        query
            .read()
            .get("replyto")
            .and_then(|id| id.parse::<i64>().ok())
    };
    let shown_at = chrono::Utc::now().timestamp_millis().to_string();
    let result = move || {
        match action.value().get() {
        Some(Ok(CommentOutcome::Published)) => {
            Some(view! { <p class="form-note" role="status">"Thank you: your comment is published."</p> }.into_any())
        }
        Some(Ok(CommentOutcome::AwaitingModeration)) => {
            Some(view! { <p class="form-note" role="status">"Thank you: your comment is awaiting moderation."</p> }.into_any())
        }
        Some(Err(error)) => {
            Some(view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any())
        }
        None => None,
    }
    };
    view! {
        <section id="respond" class="comment-form" aria-labelledby="respond-heading">
            <h2 id="respond-heading">{move || if reply_to().is_some() { "Reply" } else { "Leave a comment" }}</h2>
            {move || reply_to().map(|_| view! {
                <p class="field-hint">"Replying to a comment · "<a href="?#respond">"Cancel the reply"</a></p>
            })}
            <ActionForm action>
                <input type="hidden" name="post_id" value=post_id.to_string() />
                {move || reply_to().map(|id| view! { <input type="hidden" name="parent_id" value=id.to_string() /> })}
                <input type="hidden" name="shown_at" value=shown_at.clone() />
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        match session.account().await {
                            Some(account) => view! {
                                <p class="field-hint">{format!("Commenting as {}.", account.name)}</p>
                            }.into_any(),
                            None => view! {
                                <p class="field">
                                    <label for="comment-name">"Name"</label>
                                    <input id="comment-name" name="name" type="text" maxlength="100" autocomplete="name" required />
                                </p>
                                <p class="field">
                                    <label for="comment-email">"E-mail (never shown)"</label>
                                    <input id="comment-email" name="email" type="email" maxlength="254" autocomplete="email" required />
                                </p>
                                <p class="field">
                                    <label for="comment-website">"Website (optional)"</label>
                                    <input id="comment-website" name="website" type="url" maxlength="300" autocomplete="url" />
                                </p>
                            }.into_any(),
                        }
                    })}
                </Suspense>
                <p class="field comment-homepage" aria-hidden="true">
                    <label for="comment-homepage">"Leave this empty"</label>
                    <input id="comment-homepage" name="homepage" type="text" tabindex="-1" autocomplete="off" />
                </p>
                <p class="field">
                    <label for="comment-body">"Comment"</label>
                    <textarea id="comment-body" name="body" rows="6" maxlength="10000" required></textarea>
                    <span class="field-hint">"Plain text; addresses become links."</span>
                </p>
                {result}
                <button type="submit" disabled=action.pending()>"Post the comment"</button>
            </ActionForm>
        </section>
    }
}
