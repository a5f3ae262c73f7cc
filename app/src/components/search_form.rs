//! The search box, on every page and on the search and 404 pages.

use leptos::ev::SubmitEvent;
use leptos::html::Input;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::filter::escape_url_part;
use crate::model::MAX_QUERY_CHARS;

/// A search box. Without JavaScript it is a plain GET form to `/search`; once the page is live,
/// submitting it navigates inside the application.
#[component]
pub fn SearchForm(
    /// The form's name for assistive technology, and its visible label; each search box on a
    /// page needs its own.
    label: &'static str,
    id: &'static str,
    #[prop(optional, into)] query: String,
) -> impl IntoView {
    let input = NodeRef::<Input>::new();
    let navigate = use_navigate();
    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        let query = input.get().map(|input| input.value()).unwrap_or_default();
        navigate(
            &format!("/search?q={}", escape_url_part(query.trim())),
            Default::default(),
        );
    };
    view! {
        <form method="get" action="/search" class="search-form" role="search" aria-label=label on:submit=on_submit>
            <label for=id>{label}</label>
            <div class="search-row">
                <input
                    node_ref=input
                    type="search"
                    id=id
                    name="q"
                    value=query
                    maxlength=MAX_QUERY_CHARS.to_string()
                />
                <button type="submit">"Search"</button>
            </div>
        </form>
    }
}
