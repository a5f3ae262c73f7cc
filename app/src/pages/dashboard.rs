//! `/dashboard`: the posts a signed-in person may change (authors their own, editors and
//! administrators everyone's), newest first, filtered by status, author and tag, with the trash;
//! and, for editors and administrators, the pages (`/dashboard?kind=page`).

use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::components::{ErrorNotice, SiteDate};
use crate::error::AppError;
use crate::filter::{escape_url_part, page_href, post_href};
use crate::model::{
    Account, DashboardFilter, DashboardListing, DashboardPost, PostKind, PostStatus,
};
use crate::pages::SignInFirst;

#[server(endpoint = "dashboard")]
pub async fn get_dashboard(
    #[server(default)] filter: DashboardFilter,
) -> Result<(Account, DashboardListing), AppError> {
    let pool = crate::context::pool()?;
    let account = crate::auth::require_account()?;
    let page = crate::writing::dashboard(&pool, &account, &filter).await?;
    Ok((account, page))
}

#[server(endpoint = "trash_post")]
pub async fn trash_post(id: i64) -> Result<(), AppError> {
    let pool = crate::context::pool()?;
    let account = crate::auth::require_account()?;
    crate::writing::trash_post(&pool, &account, id).await
}

#[server(endpoint = "restore_post")]
pub async fn restore_post(id: i64) -> Result<(), AppError> {
    let pool = crate::context::pool()?;
    let account = crate::auth::require_account()?;
    crate::writing::restore_post(&pool, &account, id).await
}

#[server(endpoint = "empty_trash")]
pub async fn empty_trash() -> Result<u64, AppError> {
    let pool = crate::context::pool()?;
    let account = crate::auth::require_account()?;
    crate::writing::empty_trash(&pool, &account).await
}

const STATUS_TABS: [(Option<PostStatus>, &str); 5] = [
    (None, "All"),
    (Some(PostStatus::Draft), "Drafts"),
    (Some(PostStatus::Scheduled), "Scheduled"),
    (Some(PostStatus::Published), "Published"),
    (Some(PostStatus::Trash), "Trash"),
];

/// The dashboard's address for a filter.
fn dashboard_path(filter: &DashboardFilter) -> String {
    let parts: Vec<String> = [
        filter.pages.then(|| ("kind", "page".to_string())),
        filter
            .status
            .map(|status| ("status", status.as_str().to_string())),
        filter.author.clone().map(|author| ("author", author)),
        filter.tag.clone().map(|tag| ("tag", tag)),
        filter.before.map(|before| ("before", before.to_string())),
    ]
    .into_iter()
    .flatten()
    .map(|(name, value)| format!("{name}={}", escape_url_part(&value)))
    .collect();
    if parts.is_empty() {
        "/dashboard".to_string()
    } else {
        format!("/dashboard?{}", parts.join("&"))
    }
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let query = use_query_map();
    let filter = move || {
        let query = query.read();
        let text = |name: &str| query.get(name).filter(|value| !value.is_empty());
        DashboardFilter {
            pages: text("kind").as_deref() == Some("page"),
            status: text("status").and_then(|status| PostStatus::parse(&status)),
            author: text("author"),
            tag: text("tag"),
            before: text("before").and_then(|before| before.parse().ok()),
        }
    };
    let trash = ServerAction::<TrashPost>::new();
    let restore = ServerAction::<RestorePost>::new();
    let empty = ServerAction::<EmptyTrash>::new();
    let page = Resource::new(
        move || {
            (
                filter(),
                trash.version().get(),
                restore.version().get(),
                empty.version().get(),
            )
        },
        |(filter, ..)| get_dashboard(filter),
    );
    let action_error = move || {
        [trash.value().get(), restore.value().get()]
            .into_iter()
            .flatten()
            .find_map(Result::err)
            .or_else(|| empty.value().get().and_then(Result::err))
    };
    view! {
        <Title text="Dashboard" />
        <Meta name="robots" content="noindex" />
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let filter = filter();
                match page.await {
                    Ok((account, page)) => view! {
                        <section class="dashboard">
                            <h1>{match (filter.pages, account.may_edit(None)) {
                                (true, _) => "Pages",
                                (false, true) => "All posts",
                                (false, false) => "Your posts",
                            }}</h1>
                            // A block, not a paragraph, since it holds a form.
                            <div class="dashboard-links"><A href="/write">"Write a new post"</A>" · "
                                {account.may_edit(None).then(|| view! {
                                    <A href="/write?kind=page">"Write a new page"</A>" · "
                                    {if filter.pages {
                                        view! { <A href="/dashboard">"Posts"</A> }.into_any()
                                    } else {
                                        view! { <A href="/dashboard?kind=page">"Pages"</A> }.into_any()
                                    }}
                                    " · "
                                })}<A href="/dashboard/comments">"Comments"</A>" · "<A href="/account">"Your account"</A>
                                {account.is_admin().then(|| view! {
                                    " · "<A href="/dashboard/people">"People"</A>
                                    " · "<A href="/dashboard/settings">"Settings"</A>
                                    // Asked for by a form, never by a link: an image or a link in a
                                    // post an administrator previews cannot start an export.
                                    " · "<form class="inline-form" method="post" action="/dashboard/export">
                                        <button type="submit" class="link-button">"Export the blog (WordPress file)"</button>
                                    </form>
                                })}
                            </div>
                            <nav class="status-tabs" aria-label="Status">
                                {STATUS_TABS.into_iter().map(|(status, label)| {
                                    let path = dashboard_path(&DashboardFilter { status, before: None, ..filter.clone() });
                                    let current = filter.status == status;
                                    view! { <a href=path aria-current=current.then_some("page")>{label}</a> }
                                }).collect_view()}
                            </nav>
                            <form class="dashboard-filter" method="get" action="/dashboard">
                                {filter.status.map(|status| view! { <input type="hidden" name="status" value=status.as_str() /> })}
                                {filter.pages.then(|| view! { <input type="hidden" name="kind" value="page" /> })}
                                {filter.author.clone().map(|author| view! { <input type="hidden" name="author" value=author /> })}
                                <label for="dashboard-tag">"Tag"</label>
                                <input id="dashboard-tag" type="text" name="tag" placeholder="tag-slug" value=filter.tag.clone() />
                                <button type="submit" class="button secondary">"Filter"</button>
                            </form>
                            <FilterChips filter=filter.clone() />
                            {move || action_error().map(|error| view! { <p class="form-error" role="alert">{error.to_string()}</p> })}
                            {(filter.status == Some(PostStatus::Trash) && account.is_admin() && !page.posts.is_empty()).then(|| view! {
                                <details class="empty-trash">
                                    <summary class="button secondary">"Empty the trash…"</summary>
                                    <p>"Every post in the trash, of every author, will be deleted for good, with its revisions and comments."</p>
                                    <ActionForm action=empty>
                                        <button type="submit">"Delete them for good"</button>
                                    </ActionForm>
                                </details>
                            })}
                            <DashboardTable posts=page.posts.clone() trash restore />
                            {page.next_before.map(|before| {
                                let path = dashboard_path(&DashboardFilter { before: Some(before), ..filter.clone() });
                                view! { <p class="pagination"><a href=path>"Older posts →"</a></p> }
                            })}
                        </section>
                    }.into_any(),
                    Err(AppError::Unauthorized(_)) => view! { <SignInFirst /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The author and tag the list is narrowed to, each removable.
#[component]
fn FilterChips(filter: DashboardFilter) -> impl IntoView {
    let chips: Vec<_> = [
        filter.author.clone().map(|author| {
            (
                format!("Author: {author}"),
                DashboardFilter {
                    author: None,
                    before: None,
                    ..filter.clone()
                },
            )
        }),
        filter.tag.clone().map(|tag| {
            (
                format!("Tag: {tag}"),
                DashboardFilter {
                    tag: None,
                    before: None,
                    ..filter.clone()
                },
            )
        }),
    ]
    .into_iter()
    .flatten()
    .collect();
    (!chips.is_empty()).then(|| {
        view! {
            <p class="filter-chips">
                {chips.into_iter().map(|(label, without)| {
                    let remove = format!("Remove filter {label}");
                    view! {
                        <a class="chip" href=dashboard_path(&without) aria-label=remove>
                            {label}" ×"
                        </a>
                    }
                }).collect_view()}
            </p>
        }
    })
}

#[component]
fn DashboardTable(
    posts: Vec<DashboardPost>,
    trash: ServerAction<TrashPost>,
    restore: ServerAction<RestorePost>,
) -> impl IntoView {
    if posts.is_empty() {
        return view! { <p>"No posts here."</p> }.into_any();
    }
    view! {
        <table class="dashboard-posts">
            <thead>
                <tr><th scope="col">"Title"</th><th scope="col">"Author"</th><th scope="col">"Status"</th><th scope="col">"Date"</th><th scope="col">"Actions"</th></tr>
            </thead>
            <tbody>
                {posts.into_iter().map(|post| view! { <DashboardRow post trash restore /> }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn DashboardRow(
    post: DashboardPost,
    trash: ServerAction<TrashPost>,
    restore: ServerAction<RestorePost>,
) -> impl IntoView {
    let title = if post.title.is_empty() {
        "(untitled)".to_string()
    } else {
        post.title.clone()
    };
    let id = post.id;
    let in_trash = post.status == PostStatus::Trash;
    let date = post.published_at.unwrap_or(post.updated_at);
    let author = post.author_name.clone().zip(post.author_slug.clone());
    view! {
        <tr>
            <td>
                {if in_trash {
                    view! { <span>{title}</span> }.into_any()
                } else {
                    view! { <a href=format!("/write/{id}")>{title}</a> }.into_any()
                }}
            </td>
            <td>{author.map(|(name, slug)| view! {
                <a href=dashboard_path(&DashboardFilter { author: Some(slug), ..DashboardFilter::default() })
                    title="Only this author's posts">{name}</a>
            })}</td>
            <td><span class=format!("status status-{}", post.status.as_str())>{post.status.label()}</span></td>
            <td><SiteDate date=date /></td>
            <td class="row-actions">
                {if in_trash {
                    view! {
                        <ActionForm action=restore>
                            <input type="hidden" name="id" value=id.to_string() />
                            <button type="submit" class="link-button">"Restore"</button>
                        </ActionForm>
                    }.into_any()
                } else {
                    view! {
                        <a href=format!("/write/{id}")>"Edit"</a>
                        " "
                        <a href=format!("/preview/{id}")>"Preview"</a>
                        {(post.status == PostStatus::Published).then(|| view! {
                            " "<a href=match post.kind {
                                PostKind::Post => post_href(&post.slug),
                                PostKind::Page => page_href(&post.slug),
                            }>"View"</a>
                        })}
                        <ActionForm action=trash>
                            <input type="hidden" name="id" value=id.to_string() />
                            <button type="submit" class="link-button">"Trash"</button>
                        </ActionForm>
                    }.into_any()
                }}
            </td>
        </tr>
    }
}
