//! The Fieldnotes web application: the pages readers see, the server functions they call, and
//! (with the `ssr` feature) the database layer that every part of the server shares.

pub mod error;
pub mod filter;
pub mod format;
pub mod model;
pub mod settings;
pub mod slug;

mod components;
mod pages;

#[cfg(feature = "ssr")]
pub mod auth;
#[cfg(feature = "ssr")]
pub mod commenting;
#[cfg(feature = "ssr")]
pub mod context;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod diff;
#[cfg(feature = "ssr")]
pub mod html;
#[cfg(feature = "ssr")]
pub mod protection;
#[cfg(feature = "ssr")]
pub mod search;
#[cfg(feature = "ssr")]
pub mod uploads;
#[cfg(feature = "ssr")]
pub mod writing;

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, Link, MetaTags, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{Route, Router, Routes},
    path,
};

use crate::components::{
    SidebarContent, SiteHeader, provide_session, provide_sidebar, provide_site,
};
use crate::pages::{
    AccountPage, CommentQueuePage, DashboardPage, ListingPage, NotFoundPage, PagePage, PeoplePage,
    PostPage, PreviewPage, RevisionsPage, SearchPage, SettingsPage, SignInPage, WelcomePage,
    WritePage,
};

/// The HTML document around the application, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        // The page's `lang` is the blog's language, set by the site header.
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <ShellScripts options=options.clone() />
                <HashedStylesheet options id="leptos" />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The addresses of the writing pages, and of every page under them: only these load the
/// compiled front end and run as the live application in the browser.
pub const WRITING_PATHS: [&str; 6] = [
    "/account",
    "/dashboard",
    "/login",
    "/preview",
    "/welcome",
    "/write",
];

/// Whether the page at `path` is a writing page (see [`WRITING_PATHS`]).
#[cfg(feature = "ssr")]
fn is_writing_path(path: &str) -> bool {
    WRITING_PATHS.iter().any(|prefix| {
        path.strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

/// Called on the server as a page starts to render: a reading page is not hydrated, so the data
/// its components read is not sent along with it (it would make up some 40% of its HTML).
#[cfg(feature = "ssr")]
pub fn send_data_only_for_hydration() {
    let reading = use_context::<http::request::Parts>()
        .is_some_and(|request| !is_writing_path(request.uri.path()));
    if let (true, Some(page)) = (reading, Owner::current_shared_context()) {
        page.set_is_hydrating(false);
    }
}

/// The script in the `<head>` of every page (`live.js`), and Leptos' live-reload script while
/// `cargo leptos watch` runs. Both are the same on every page.
///
/// A writing page loads the compiled front end once the page has been painted, so that its
/// download does not compete with what the reader came for, and is hydrated once the browser is
/// idle (within two seconds); starting the WebAssembly and hydrating are two tasks, so that
/// neither holds the page for long.
///
/// A reading page (every other one) loads no WebAssembly: it is the server's HTML, its links and
/// forms work as they are, and the script moves from one reading page to the next without loading
/// a new document: it fetches the next page and puts its content in place of this one's. Leptos'
/// islands would do the same, but only with every writing page rewritten as islands; page-swapping
/// libraries (Turbo, swup) run the new page's inline scripts, which the browser policy refuses.
#[component]
fn ShellScripts(options: LeptosOptions) -> impl IntoView {
    let (script, wasm) = front_end_files(&options);
    let loader = format!(
        "{}({script:?}, {wasm:?}, {WRITING_PATHS:?});",
        include_str!("live.js").trim_end()
    );
    view! {
        <AutoReload options />
        <script type="module">{loader}</script>
    }
}

/// The addresses of the compiled front end's script and WebAssembly: with the hashes of their
/// content in their names when the build left them in the hash file beside the server's program.
fn front_end_files(options: &LeptosOptions) -> (String, String) {
    let hashes = options
        .hash_files
        .then(|| {
            let program = std::env::current_exe().ok()?;
            std::fs::read_to_string(program.parent()?.join(options.hash_file.as_ref())).ok()
        })
        .flatten()
        .unwrap_or_default();
    let hash_of = |kind: &str| {
        hashes
            .lines()
            .find_map(|line| {
                let (file, hash) = line.split_once(':')?;
                (file.trim() == kind).then(|| format!(".{}", hash.trim()))
            })
            .unwrap_or_default()
    };
    let (pkg, name) = (&options.site_pkg_dir, &options.output_name);
    (
        format!("/{pkg}/{name}{}.js", hash_of("js")),
        format!("/{pkg}/{name}{}.wasm", hash_of("wasm")),
    )
}

/// The HTML of the scripts in every page's `<head>`, for the server to allow them by their hash.
#[cfg(feature = "ssr")]
pub fn shell_scripts_html(options: LeptosOptions) -> String {
    Owner::new().with(|| view! { <ShellScripts options /> }.to_html())
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_site();
    provide_session();
    provide_sidebar();

    view! {
        <Link rel="icon" href="/favicon.svg" type_="image/svg+xml" />
        <Router>
            <a class="skip-link" href="#content">"Skip to content"</a>
            <SiteHeader />
            <div class="layout">
                <main id="content" class="content" tabindex="-1">
                    <Routes fallback=NotFoundPage>
                        <Route path=path!("/") view=ListingPage ssr=SsrMode::Async />
                        <Route path=path!("/posts") view=ListingPage ssr=SsrMode::Async />
                        <Route path=path!("/posts/:slug") view=PostPage ssr=SsrMode::Async />
                        <Route path=path!("/tag/:slug") view=ListingPage ssr=SsrMode::Async />
                        <Route path=path!("/category/:slug") view=ListingPage ssr=SsrMode::Async />
                        <Route path=path!("/author/:slug") view=ListingPage ssr=SsrMode::Async />
                        <Route path=path!("/archive/:year") view=ListingPage ssr=SsrMode::Async />
                        <Route path=path!("/archive/:year/:month") view=ListingPage ssr=SsrMode::Async />
                        <Route path=path!("/search") view=SearchPage ssr=SsrMode::Async />
                        <Route path=path!("/pages/:slug") view=PagePage ssr=SsrMode::Async />
                        <Route path=path!("/login") view=SignInPage ssr=SsrMode::Async />
                        <Route path=path!("/dashboard") view=DashboardPage ssr=SsrMode::Async />
                        <Route path=path!("/dashboard/comments") view=CommentQueuePage ssr=SsrMode::Async />
                        <Route path=path!("/dashboard/people") view=PeoplePage ssr=SsrMode::Async />
                        <Route path=path!("/dashboard/settings") view=SettingsPage ssr=SsrMode::Async />
                        <Route path=path!("/welcome/:secret") view=WelcomePage ssr=SsrMode::Async />
                        <Route path=path!("/account") view=AccountPage ssr=SsrMode::Async />
                        <Route path=path!("/write") view=WritePage ssr=SsrMode::Async />
                        <Route path=path!("/write/:id") view=WritePage ssr=SsrMode::Async />
                        <Route path=path!("/write/:id/revisions") view=RevisionsPage ssr=SsrMode::Async />
                        <Route path=path!("/preview/:id") view=PreviewPage ssr=SsrMode::Async />
                    </Routes>
                </main>
                <aside class="sidebar" aria-label="Browse the blog">
                    <SidebarContent />
                </aside>
            </div>
            <footer class="site-footer">
                <p>
                    "Subscribe: " <a href="/feed.xml">"RSS"</a> " · " <a href="/atom.xml">"Atom"</a>
                    " · Published with Fieldnotes"
                </p>
            </footer>
        </Router>
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::is_writing_path;

    #[test]
    fn writing_pages_are_those_under_the_writing_paths() {
        for path in [
            "/write",
            "/write/3/revisions",
            "/dashboard/people",
            "/login",
        ] {
            assert!(is_writing_path(path), "{path}");
        }
        for path in [
            "/",
            "/writers",
            "/posts/write",
            "/posts/login",
            "/accounting",
        ] {
            assert!(!is_writing_path(path), "{path}");
        }
    }
}
