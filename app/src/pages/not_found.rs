//! The page for addresses that lead nowhere.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::components::{RecentPosts, SearchForm, set_http_status};

/// What any unknown address shows, with the 404 status: a way to search, and the newest posts.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    set_http_status(404);
    view! {
        <Title text="Page not found" />
        <div class="not-found">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address. It may have moved, or the link may be mistyped."</p>
            <p>
                <A href="/">"Go to the newest posts"</A>
                ", or search for what you were looking for:"
            </p>
            <SearchForm label="Search for what you were looking for" id="not-found-search" />
            <RecentPosts title="The newest posts" heading_id="not-found-recent-heading" />
        </div>
    }
}
