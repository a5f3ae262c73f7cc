use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::components::set_http_status;

/// What any unknown address shows, with the 404 status.
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
            </p>
        </div>
    }
}
