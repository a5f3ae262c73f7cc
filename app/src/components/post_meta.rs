//! The line under a post's title that says when, by whom and where it was filed.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::SiteDate;
use crate::filter::{Part, PostFilter};
use crate::format;
use crate::model::{Named, PostSummary};

/// "Posted: April 19th, 2009 | Author: … | Filed under: theory, video | Tags: … | No Comments »"
///
/// The date, author, categories and tags link to their listings, narrowing `within`: on a tag's
/// page, an author's link lists that author's posts with that tag.
#[component]
pub fn PostMeta(summary: PostSummary, #[prop(optional)] within: PostFilter) -> impl IntoView {
    let date = summary.published_at;
    let month_href = within
        .with(Part::Year, &summary.published_at.format("%Y").to_string())
        .with(Part::Month, &summary.published_at.format("%-m").to_string())
        .href(1);
    let comments_href = format!("{}#comments", crate::filter::post_href(&summary.slug));
    let comments = format!("{} »", format::comment_count(summary.comment_count));
    let narrowed = within.clone();
    let links = move |items: Vec<Named>, part: Part, class: &'static str| {
        let last = items.len().saturating_sub(1);
        items
            .into_iter()
            .enumerate()
            .map(|(index, item)| {
                let href = narrowed.with(part, &item.slug).href(1);
                view! {
                    <A href=href attr:class=class>{item.name}</A>
                    {(index < last).then_some(", ")}
                }
            })
            .collect_view()
    };
    let author = summary.author.map(|author| {
        let href = within.with(Part::Author, &author.slug).href(1);
        view! {
            <span class="meta-sep">" | "</span>
            "Author: "
            <A href=href attr:class="meta-author">{author.name}</A>
        }
    });
    let categories = (!summary.categories.is_empty()).then(|| {
        view! {
            <span class="meta-sep">" | "</span>
            "Filed under: "
            {links(summary.categories, Part::Category, "meta-category")}
        }
    });
    let tags = (!summary.tags.is_empty()).then(|| {
        view! {
            <span class="meta-sep">" | "</span>
            "Tags: "
            {links(summary.tags, Part::Tag, "meta-tag")}
        }
    });
    view! {
        <p class="post-meta">
            "Posted: "
            <A href=month_href>
                <SiteDate date=date />
            </A>
            {author}
            {categories}
            {tags}
            <span class="meta-sep">" | "</span>
            <a href=comments_href>{comments}</a>
        </p>
    }
    .into_any()
}
