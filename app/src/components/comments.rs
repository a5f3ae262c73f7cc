//! The approved comments under a post, threaded: replies under what they answer, oldest first.

use std::collections::HashMap;

use leptos::prelude::*;

use crate::format;
use crate::model::Comment;

/// Replies deeper than this are shown at this depth.
const MAX_DEPTH: usize = 5;

#[component]
pub fn CommentThread(comments: Vec<Comment>) -> impl IntoView {
    let heading = format::comment_count(comments.len() as i64);
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
            {(!top.is_empty()).then(|| view! { <ol class="comment-list">{branch(top, &mut replies, 1)}</ol> })}
        </section>
    }
}

fn branch(
    comments: Vec<Comment>,
    replies: &mut HashMap<Option<i64>, Vec<Comment>>,
    depth: usize,
) -> Vec<AnyView> {
    let mut views = Vec::new();
    for comment in comments {
        let answers = replies.remove(&Some(comment.id)).unwrap_or_default();
        let nested = if depth < MAX_DEPTH {
            let children = branch(answers, replies, depth + 1);
            (!children.is_empty())
                .then(|| view! { <ol class="comment-replies">{children}</ol> }.into_any())
        } else {
            views.extend(branch(answers, replies, depth));
            None
        };
        views.push(view! { <li><CommentView comment />{nested}</li> }.into_any());
    }
    views
}

#[component]
fn CommentView(comment: Comment) -> impl IntoView {
    let anchor = format!("comment-{}", comment.id);
    let name = if comment.author_name.is_empty() {
        "Anonymous".to_string()
    } else {
        comment.author_name
    };
    let author = match comment.author_url {
        Some(url) => view! { <a href=url rel="nofollow ugc external">{name}</a> }.into_any(),
        None => name.into_any(),
    };
    view! {
        <article class="comment" id=anchor>
            <p class="comment-meta">
                <span class="comment-author">{author}</span>
                " · "
                <time datetime=comment.created_at.to_rfc3339()>{format::long_date(comment.created_at)}</time>
            </p>
            <p class="comment-body">{comment.body}</p>
        </article>
    }
}
