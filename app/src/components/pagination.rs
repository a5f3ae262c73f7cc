//! Numbered links between the pages of a listing.

use leptos::prelude::*;

/// Numbered page links with newer/older links around them: the first and last page, and the
/// pages near the current one. (Plain links: the router still follows them in the page, and
/// they do not claim to be the current page as router links to the same path would.)
#[component]
pub fn Pagination(
    page: u32,
    /// The last page, when it is known.
    last: Option<u32>,
    has_next: bool,
    href: impl Fn(u32) -> String + Send + Sync + 'static,
) -> impl IntoView {
    let known_last = last.unwrap_or(page + u32::from(has_next));
    if known_last <= 1 {
        return None;
    }
    let mut numbers: Vec<u32> = [1, known_last]
        .into_iter()
        .chain(page.saturating_sub(2).max(1)..=(page + 2).min(known_last))
        .collect();
    numbers.sort_unstable();
    numbers.dedup();
    let mut items = Vec::new();
    let mut previous = 0;
    for number in numbers {
        if number > previous + 1 {
            items.push(view! { <li class="gap" aria-hidden="true">"…"</li> }.into_any());
        }
        items.push(if number == page {
            view! { <li><span class="current" aria-current="page">{number}</span></li> }.into_any()
        } else {
            view! { <li><a href=href(number) aria-label=format!("Page {number}")>{number}</a></li> }
                .into_any()
        });
        previous = number;
    }
    if last.is_none() && has_next {
        items.push(view! { <li class="gap" aria-hidden="true">"…"</li> }.into_any());
    }
    let newer =
        (page > 1).then(|| view! { <a href=href(page - 1) class="newer" rel="prev">"« Newer"</a> });
    let older =
        has_next.then(|| view! { <a href=href(page + 1) class="older" rel="next">"Older »"</a> });
    Some(view! {
        <nav class="pagination" aria-label="Pages of this list">
            {newer}
            <ol class="page-numbers">{items}</ol>
            {older}
        </nav>
    })
}
