use leptos::prelude::*;
use leptos_router::components::A;

use crate::format;
use crate::model::PostSummary;

/// "Posted: April 19th, 2009 | Author: … | Filed under: theory, video | No Comments »"
#[component]
pub fn PostMeta(summary: PostSummary) -> impl IntoView {
    let date = format::long_date(summary.published_at);
    let datetime = summary.published_at.to_rfc3339();
    let comments_href = format!("/posts/{}#comments", summary.slug);
    let comments = format!("{} »", format::comment_count(summary.comment_count));
    let author = summary.author.map(|author| {
        view! {
            <span class="meta-sep">" | "</span>
            "Author: "
            <span class="meta-author">{author.name}</span>
        }
    });
    let categories = (!summary.categories.is_empty()).then(|| {
        let names = summary
            .categories
            .into_iter()
            .map(|category| category.name)
            .collect::<Vec<_>>()
            .join(", ");
        view! {
            <span class="meta-sep">" | "</span>
            "Filed under: "
            <span class="meta-categories">{names}</span>
        }
    });
    let tags = (!summary.tags.is_empty()).then(|| {
        let names = summary
            .tags
            .into_iter()
            .map(|tag| tag.name)
            .collect::<Vec<_>>()
            .join(", ");
        view! {
            <span class="meta-sep">" | "</span>
            "Tags: "
            <span class="meta-tags">{names}</span>
        }
    });
    view! {
        <p class="post-meta">
            "Posted: "
            <time datetime=datetime>{date}</time>
            {author}
            {categories}
            {tags}
            <span class="meta-sep">" | "</span>
            <A href=comments_href>{comments}</A>
        </p>
    }
}
