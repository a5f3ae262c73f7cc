//! The search page.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::components::{ErrorNotice, Loading, PageHead, Pagination, SearchForm, Site, SiteDate};
use crate::error::AppError;
use crate::filter::{escape_url_part, post_href};
use crate::format;
use crate::model::{Count, MAX_QUERY_CHARS, PROTECTED_NOTICE, SearchResults};
use crate::pages::NotFoundPage;

#[server]
pub async fn find_posts(query: String, page: u32) -> Result<SearchResults, AppError> {
    let query = query.trim();
    if query.chars().count() > MAX_QUERY_CHARS {
        return Err(AppError::BadRequest(format!(
            "a search can be at most {MAX_QUERY_CHARS} characters long"
        )));
    }
    if page == 0 {
        return Err(AppError::NotFound("this page of results".to_string()));
    }
    let pool = crate::context::pool()?;
    Ok(crate::db::search::search_posts(&pool, query, page, None).await?)
}

/// What a search asks for, before anything is looked up.
#[derive(Debug, Clone, PartialEq)]
enum Request {
    Empty,
    TooLong,
    /// Only punctuation or symbols: nothing to look for.
    NoWords(String),
    Search(String, u32),
    BadPage,
}

/// `/search?q=…`: posts that hold every word of the query, best matches first.
#[component]
pub fn SearchPage() -> impl IntoView {
    let query = use_query_map();
    let request = Memo::new(move |_| {
        let query = query.read();
        let text = query.get("q").unwrap_or_default().trim().to_string();
        let page = match query.get_str("page") {
            None => Some(1),
            Some(page) => page.parse::<u32>().ok().filter(|page| *page >= 1),
        };
        match page {
            None => Request::BadPage,
            Some(_) if text.is_empty() => Request::Empty,
            Some(_) if text.chars().count() > MAX_QUERY_CHARS => Request::TooLong,
            Some(_) if !text.chars().any(char::is_alphanumeric) => Request::NoWords(text),
            Some(page) => Request::Search(text, page),
        }
    });
    let results = Resource::new(
        move || request.get(),
        |request| async move {
            match request {
                Request::Search(text, page) => find_posts(text, page).await.map(Some),
                _ => Ok(None),
            }
        },
    );
    let site = expect_context::<Site>();
    let Loading(loading) = expect_context::<Loading>();

    view! {
        <Transition
            fallback=|| view! { <p class="loading" role="status">"Searching…"</p> }
            set_pending=loading.write_only()
        >
            {move || Suspend::new(async move {
                let site = site.info().await;
                let request = request.get_untracked();
                let shown = match &request {
                    Request::Search(text, _) | Request::NoWords(text) => text.clone(),
                    _ => String::new(),
                };
                let head = view! {
                    <PageHead site title="Search" description="Search the posts of this blog." path="/search" />
                    <h1>"Search"</h1>
                    <SearchForm label="Search the posts" query=shown.clone() id="search-page" />
                };
                let body = match (request, results.await) {
                    (Request::BadPage, _) => view! { <NotFoundPage /> }.into_any(),
                    (Request::Empty, _) => view! {
                        <p class="notice">"Type a word or two to look for, in English, Chinese or any language."</p>
                    }
                    .into_any(),
                    (Request::TooLong, _) => view! {
                        <p class="notice" role="alert">
                            {format!("That search is too long: please use at most {MAX_QUERY_CHARS} characters.")}
                        </p>
                    }
                    .into_any(),
                    (Request::NoWords(_), _) => view! {
                        <p class="notice">"That search has no words to look for: try letters or numbers."</p>
                    }
                    .into_any(),
                    (_, Ok(Some(results))) if results.page > 1 && results.hits.is_empty() => {
                        view! { <NotFoundPage /> }.into_any()
                    }
                    (_, Ok(Some(results))) => view! { <ResultList results /> }.into_any(),
                    (_, Ok(None)) => ().into_any(),
                    (_, Err(error)) => view! { <ErrorNotice error /> }.into_any(),
                };
                view! { {head} {body} }
            })}
        </Transition>
    }
}

#[component]
fn ResultList(results: SearchResults) -> impl IntoView {
    let found = match results.total {
        Count::Exact(0) => format!("Nothing found for “{}”.", results.query),
        count => format!(
            "{} found for “{}”.",
            format::post_count(count),
            results.query
        ),
    };
    let last = results.last_page();
    let query = results.query.clone();
    view! {
        <p class="search-summary" role="status">{found}</p>
        <ol class="search-results">
            {results
                .hits
                .into_iter()
                .map(|hit| {
                    let href = post_href(&hit.post.slug);
                    let title = if hit.post.name.is_empty() { "(untitled)".to_string() } else { hit.post.name };
                    view! {
                        <li class="search-hit">
                            <h2 class="post-title"><A href=href>{title}</A></h2>
                            <p class="post-meta">
                                <SiteDate date=hit.published_at />
                            </p>
                            <p class="post-excerpt" class:protected-notice=hit.protected>
                                {hit.protected.then_some(PROTECTED_NOTICE)}
                                {hit
                                    .excerpt
                                    .into_iter()
                                    .map(|part| if part.matched {
                                        view! { <mark>{part.text}</mark> }.into_any()
                                    } else {
                                        part.text.into_any()
                                    })
                                    .collect_view()}
                            </p>
                        </li>
                    }
                })
                .collect_view()}
        </ol>
        <Pagination
            page=results.page
            last=Some(last)
            has_next=results.page < last
            href=move |page| {
                let q = escape_url_part(&query);
                if page > 1 { format!("/search?q={q}&page={page}") } else { format!("/search?q={q}") }
            }
        />
    }
    .into_any()
}
