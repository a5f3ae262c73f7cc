//! The sidebar: ways to browse the whole blog, loaded once per visit.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::SearchForm;
use crate::error::AppError;
use crate::filter::{PostFilter, escape_url_part, page_href, post_href};
use crate::model::{ArchiveMonth, CategoryCount, Named, Sidebar, TagCount};

/// Months listed one by one; older ones are listed by year.
const RECENT_MONTHS: usize = 12;

#[server]
pub async fn get_sidebar() -> Result<Sidebar, AppError> {
    use crate::db::{listings, terms};
    const TAG_CLOUD_SIZE: i64 = 45;
    const RECENT_POSTS: i64 = 5;
    let pool = crate::context::pool()?;
    // Five independent questions, asked at once.
    let (pages, categories, tags, months, recent) = tokio::try_join!(
        crate::db::posts::public_pages(&pool, true),
        terms::category_counts(&pool),
        terms::top_tags(&pool, TAG_CLOUD_SIZE),
        listings::archive_months(&pool),
        listings::recent_posts(&pool, RECENT_POSTS),
    )?;
    Ok(Sidebar {
        pages,
        categories,
        tags,
        months,
        recent,
    })
}

#[derive(Clone, Copy)]
struct SidebarData(Resource<Result<Sidebar, AppError>>);

pub fn provide_sidebar() {
    provide_context(SidebarData(Resource::new(|| (), |_| get_sidebar())));
}

/// Search, categories, tags, the month archive and recent posts.
#[component]
pub fn SidebarContent() -> impl IntoView {
    let SidebarData(sidebar) = expect_context::<SidebarData>();
    view! {
        <SearchForm label="Search the blog" id="sidebar-search" />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                sidebar.await.ok().map(|sidebar| view! {
                    <PageList pages=sidebar.pages />
                    <RecentList recent=sidebar.recent title="Recent posts" heading_id="recent-heading" />
                    <CategoryTree categories=sidebar.categories />
                    <TagCloud tags=sidebar.tags />
                    <MonthArchive months=sidebar.months />
                })
            })}
        </Suspense>
    }
}

/// The newest posts, for pages (such as the 404 page) that suggest where to go.
#[component]
pub fn RecentPosts(title: &'static str, heading_id: &'static str) -> impl IntoView {
    let SidebarData(sidebar) = expect_context::<SidebarData>();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                sidebar.await.ok().map(|sidebar| view! { <RecentList recent=sidebar.recent title heading_id /> })
            })}
        </Suspense>
    }
}

#[component]
fn RecentList(recent: Vec<Named>, title: &'static str, heading_id: &'static str) -> impl IntoView {
    (!recent.is_empty()).then(|| {
        view! {
            <section class="widget" aria-labelledby=heading_id>
                <h2 id=heading_id>{title}</h2>
                <ul>
                    {recent
                        .into_iter()
                        .map(|post| {
                            let href = post_href(&post.slug);
                            let title = if post.name.is_empty() { "(untitled)".to_string() } else { post.name };
                            view! { <li><A href=href>{title}</A></li> }
                        })
                        .collect_view()}
                </ul>
            </section>
        }
    })
}

#[component]
fn PageList(pages: Vec<Named>) -> impl IntoView {
    (!pages.is_empty()).then(|| {
        view! {
            <nav class="widget" aria-labelledby="pages-heading">
                <h2 id="pages-heading">"Pages"</h2>
                <ul>
                    {pages
                        .into_iter()
                        .map(|page| view! { <li><A href=page_href(&page.slug)>{page.name}</A></li> })
                        .collect_view()}
                </ul>
            </nav>
        }
    })
}

#[component]
fn CategoryTree(categories: Vec<CategoryCount>) -> impl IntoView {
    (!categories.is_empty()).then(|| {
        view! {
            <section class="widget" aria-labelledby="categories-heading">
                <h2 id="categories-heading">"Categories"</h2>
                <ul class="category-tree">
                    {categories
                        .into_iter()
                        .map(|entry| {
                            let href = format!("/category/{}", escape_url_part(&entry.category.slug));
                            let nested = entry.depth > 0;
                            view! {
                                <li class=crate::format::depth_class(entry.depth) class:nested=nested>
                                    <A href=href>{entry.category.name}</A>
                                    {format!(" ({})", entry.count)}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </section>
        }
    })
}

#[component]
fn TagCloud(tags: Vec<TagCount>) -> impl IntoView {
    let most = tags.iter().map(|tag| tag.count).max().unwrap_or(1);
    (!tags.is_empty()).then(|| {
        view! {
            <section class="widget" aria-labelledby="tags-heading">
                <h2 id="tags-heading">"Tags"</h2>
                <ul class="tag-cloud">
                    {tags
                        .into_iter()
                        .map(|entry| {
                            let href = format!("/tag/{}", escape_url_part(&entry.tag.slug));
                            let weight = tag_weight(entry.count, most);
                            let label = format!("{} ({} posts)", entry.tag.name, entry.count);
                            view! {
                                <li class=format!("weight-{weight}")>
                                    <A href=href attr:aria-label=label>{entry.tag.name}</A>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </section>
        }
    })
}

/// 1 to 5, growing with the logarithm of use, so that a few busy tags do not dwarf the rest.
fn tag_weight(count: i64, most: i64) -> u32 {
    if most <= 1 {
        return 1;
    }
    let share = ((count.max(1) as f64).ln() / (most as f64).ln()).clamp(0.0, 1.0);
    1 + (share * 4.0).round() as u32
}

#[component]
fn MonthArchive(months: Vec<ArchiveMonth>) -> impl IntoView {
    let recent: Vec<ArchiveMonth> = months.iter().take(RECENT_MONTHS).copied().collect();
    let mut years: Vec<(i32, i64)> = Vec::new();
    for month in months.iter().skip(RECENT_MONTHS) {
        match years.last_mut() {
            Some((year, count)) if *year == month.year => *count += month.count,
            _ => years.push((month.year, month.count)),
        }
    }
    (!months.is_empty()).then(|| {
        view! {
            <section class="widget" aria-labelledby="archive-heading">
                <h2 id="archive-heading">"Archive"</h2>
                <ul>
                    {recent
                        .into_iter()
                        .map(|month| {
                            let filter = PostFilter { year: Some(month.year), month: Some(month.month), ..PostFilter::default() };
                            view! {
                                <li>
                                    <A href=filter.href(1)>{crate::format::month_name(month.year, month.month)}</A>
                                    {format!(" ({})", month.count)}
                                </li>
                            }
                        })
                        .collect_view()}
                    {years
                        .into_iter()
                        .map(|(year, count)| {
                            let filter = PostFilter { year: Some(year), ..PostFilter::default() };
                            view! { <li><A href=filter.href(1)>{year}</A> {format!(" ({count})")}</li> }
                        })
                        .collect_view()}
                </ul>
            </section>
        }
    })
}

#[cfg(test)]
mod tests {
    use super::tag_weight;

    #[test]
    fn tag_weights_grow_with_use() {
        assert_eq!(tag_weight(1, 1), 1);
        assert_eq!(tag_weight(1, 100), 1);
        assert_eq!(tag_weight(100, 100), 5);
        assert!(tag_weight(10, 100) > tag_weight(2, 100));
    }
}
