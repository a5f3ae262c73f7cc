//! The Fieldnotes web application: the pages readers see, the server functions they call, and
//! (with the `ssr` feature) the database layer that every part of the server shares.

pub mod error;
pub mod format;
pub mod model;
pub mod slug;

mod components;
mod pages;

#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod html;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{Route, Router, Routes},
    path,
};

use crate::components::{SiteHeader, provide_site};
use crate::pages::{HomePage, NotFoundPage, PostPage};

/// The HTML document around the application, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_site();

    view! {
        <Stylesheet id="leptos" href="/pkg/fieldnotes.css" />
        <Router>
            <a class="skip-link" href="#content">"Skip to content"</a>
            <SiteHeader />
            <main id="content" class="content">
                <Routes fallback=NotFoundPage>
                    <Route path=path!("/") view=HomePage ssr=SsrMode::Async />
                    <Route path=path!("/posts/:slug") view=PostPage ssr=SsrMode::Async />
                </Routes>
            </main>
        </Router>
    }
}
