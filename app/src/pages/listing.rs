//! Every listing of posts (the home page, a tag, a category, an author, an archive, or any
//! combination), from one server function.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

use crate::components::{
    ErrorNotice, Loading, PageHead, Pagination, PostMeta, Site, set_http_status,
};
use crate::error::AppError;
use crate::filter::{MAX_COMBINED_POSTS, Part, PostFilter, post_href};
use crate::format;
use crate::model::{Count, Facet, PROTECTED_NOTICE, PostListing, PostSummary};
use crate::pages::NotFoundPage;

#[server]
pub async fn list_posts(
    #[server(default)] filter: PostFilter,
    page: u32,
) -> Result<PostListing, AppError> {
    let not_found = || AppError::NotFound("this page of posts".to_string());
    if page == 0 || !filter.is_valid() {
        return Err(not_found());
    }
    let pool = crate::context::pool()?;
    let listing = crate::db::listings::list_posts_as_set(&pool, &filter, page)
        .await?
        .ok_or_else(not_found)?;
    if (page > 1 && listing.posts.is_empty()) || filter.is_beyond_reach(page, listing.per_page) {
        return Err(not_found());
    }
    Ok(listing)
}

/// A listing of posts, newest first, as many a page as the blog's settings say (`?page=2`):
/// whichever listing its address names (see [`PostFilter::from_address`]).
#[component]
pub fn ListingPage() -> impl IntoView {
    let location = use_location();
    let request = Memo::new(move |_| {
        let path = location.pathname.get();
        let query = location.search.get();
        let query = query.trim_start_matches('?');
        if query.is_empty() {
            PostFilter::from_address(&path)
        } else {
            PostFilter::from_address(&format!("{path}?{query}"))
        }
    });
    let posts = Resource::new(
        move || request.get(),
        |request| async move {
            match request {
                Some((filter, page)) => list_posts(filter, page).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let site = expect_context::<Site>();
    let Loading(loading) = expect_context::<Loading>();

    view! {
        <Transition
            fallback=|| view! { <p class="loading" role="status">"Loading posts…"</p> }
            set_pending=loading.write_only()
        >
            {move || Suspend::new(async move {
                let site = site.info().await;
                if let Some((filter, page)) = request.get_untracked()
                    && filter.is_beyond_reach(page, site.posts_per_page)
                {
                    return view! { <BeyondReach filter /> }.into_any();
                }
                match posts.await {
                    Ok(Some(listing)) => view! { <ListingView listing site /> }.into_any(),
                    Ok(None) | Err(AppError::NotFound(_)) => view! { <NotFoundPage /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ListingView(listing: PostListing, site: crate::model::SiteInfo) -> impl IntoView {
    let heading = heading(&listing.facets);
    let count = format::post_count(listing.total);
    let page_suffix = if listing.page > 1 {
        format!(", page {}", listing.page)
    } else {
        String::new()
    };
    let title = match &heading {
        Some(heading) => format!("{heading}{page_suffix}"),
        None if listing.page > 1 => format!("Page {}", listing.page),
        None => String::new(),
    };
    let description = match &heading {
        Some(heading) => format!("{heading} on {}: {count}.", site.title),
        None if site.tagline.is_empty() => format!("The newest posts of {}.", site.title),
        None => format!("{}: {}", site.title, site.tagline),
    };
    let filter = listing.filter.clone();
    let path = filter.href(listing.page);
    let feed = filter.feed_href();
    let last = match listing.total {
        Count::Exact(_) | Count::AtLeast(_) => Some(listing.last_page()),
        Count::MoreThan(_) => None,
    };
    let has_next = listing.has_next();
    let chips = (!filter.is_empty())
        .then(|| view! { <FilterChips facets=listing.facets.clone() filter=filter.clone() /> });
    let empty = listing.posts.is_empty();
    let href_filter = filter.clone();
    view! {
        <PageHead site title description path feed />
        <header class="listing-header">
            {match heading {
                Some(heading) => view! {
                    <h1>{heading}</h1>
                    {listing.about.clone().map(|about| view! { <p class="listing-about">{about}</p> })}
                    <p class="listing-count">{count}</p>
                }.into_any(),
                None => view! { <h1 class="visually-hidden">"Newest posts"</h1> }.into_any(),
            }}
            {chips}
        </header>
        {empty.then(|| view! { <p class="notice">"No posts here yet."</p> })}
        <ol class="post-list">
            {listing
                .posts
                .into_iter()
                .map(|summary| view! { <li><PostTeaser summary within=filter.clone() /></li> })
                .collect_view()}
        </ol>
        <Pagination page=listing.page last has_next href=move |page| href_filter.href(page) />
    }
    .into_any()
}

/// A 404 for a page past the newest posts a combination of filters reaches, saying how to reach
/// older ones.
#[component]
fn BeyondReach(filter: PostFilter) -> impl IntoView {
    set_http_status(404);
    let broader = [
        (Part::Author, "author"),
        (Part::Tag, "tag"),
        (Part::Category, "category"),
    ]
    .into_iter()
    .filter(|(part, _)| filter.without(*part) != filter)
    .map(|(part, name)| {
        let href = filter.without(part).href(1);
        view! { <li><A href=href>{format!("Without the {name}")}</A></li> }
    })
    .collect_view();
    view! {
        <Title text="Page not found" />
        <div class="notice" role="alert">
            <h1>"This page is too far back"</h1>
            <p>
                {format!(
                    "A combination of filters shows its newest {MAX_COMBINED_POSTS} posts. To \
                     reach older ones, narrow it to a year or a month, or drop one of its parts:"
                )}
            </p>
            <ul>{broader}</ul>
        </div>
    }
    .into_any()
}

/// "Posts tagged “video” by Jane, April 2009"; `None` for the home page.
fn heading(facets: &[Facet]) -> Option<String> {
    if facets.is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    for facet in facets {
        parts.push(match facet {
            Facet::Category(category) => format!("filed under “{}”", category.name),
            Facet::Tag(tag) => format!("tagged “{}”", tag.name),
            Facet::Author(author) => format!("by {}", author.name),
            Facet::Year(year) => format!("of {year}"),
            Facet::Month(year, month) => format!("of {}", format::month_name(*year, *month)),
        });
    }
    Some(format!("Posts {}", parts.join(", ")))
}

/// The active parts of the filter, each a link that removes it.
#[component]
fn FilterChips(facets: Vec<Facet>, filter: PostFilter) -> impl IntoView {
    view! {
        <ul class="filter-chips" aria-label="Active filters">
            {facets
                .into_iter()
                .map(|facet| {
                    let (label, part) = match &facet {
                        Facet::Author(author) => (format!("Author: {}", author.name), Part::Author),
                        Facet::Tag(tag) => (format!("Tag: {}", tag.name), Part::Tag),
                        Facet::Category(category) => (format!("Category: {}", category.name), Part::Category),
                        Facet::Year(year) => (format!("Year: {year}"), Part::Year),
                        Facet::Month(year, month) => (format!("Month: {}", format::month_name(*year, *month)), Part::Month),
                    };
                    let href = filter.without(part).href(1);
                    let remove = format!("Remove filter {label}");
                    view! {
                        <li class="chip">
                            <span>{label}</span>
                            <A href=href attr:class="chip-remove" attr:aria-label=remove attr:title="Remove">"×"</A>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn PostTeaser(summary: PostSummary, within: PostFilter) -> impl IntoView {
    let href = post_href(&summary.slug);
    let language = summary.language.clone();
    let title = if summary.title.is_empty() {
        "(untitled)".to_string()
    } else {
        summary.title.clone()
    };
    let excerpt = if summary.protected {
        view! { <p class="post-excerpt protected-notice">{PROTECTED_NOTICE}</p> }.into_any()
    } else {
        view! { <p class="post-excerpt">{summary.excerpt.clone()}</p> }.into_any()
    };
    view! {
        <article class="post-teaser" lang=language>
            <h2 class="post-title">
                <A href=href>{title}</A>
            </h2>
            <PostMeta summary within />
            {excerpt}
        </article>
    }
    .into_any()
}
