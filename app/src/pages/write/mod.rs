//! `/write` and `/write/{id}`: writing a new post and changing one. Drafts save themselves a few
//! seconds after the writer stops typing; every save keeps a revision.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use leptos_meta::{Meta, Title};
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

use crate::components::{ErrorNotice, RichEditor};

mod categories;
mod panels;
mod tags;

use crate::error::AppError;
use crate::model::{
    Account, CategoryChoice, EditablePost, PageChoice, PagePlace, PostInput, PostKind, PostStatus,
    SavedPost,
};
use categories::CategoryPicker;
use panels::{
    AddressPanel, DiscussionPanel, LanguagePanel, PagePanel, PasswordPanel, PublishPanel,
};
use tags::TagPicker;

/// Seconds of quiet after the last change before a draft saves itself.
const AUTOSAVE_SECONDS: u64 = 3;

/// What the writing page needs: the post (when editing), the categories to choose from, and
/// who is writing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WritingDesk {
    pub post: Option<EditablePost>,
    /// The pages a page may stand under.
    pub pages: Vec<PageChoice>,
    /// Whether a new post takes comments unless its writer closes them.
    pub comments_open_by_default: bool,
    pub categories: Vec<CategoryChoice>,
    pub writer: Account,
}

#[server(endpoint = "writing_desk")]
pub async fn get_writing_desk(id: Option<i64>) -> Result<WritingDesk, AppError> {
    let pool = crate::context::pool()?;
    let writer = crate::auth::require_account()?;
    let post = match id {
        Some(id) => Some(crate::writing::editable_post(&pool, &writer, id).await?),
        None => None,
    };
    Ok(WritingDesk {
        post,
        pages: crate::writing::page_choices(&pool, &writer).await?,
        comments_open_by_default: crate::db::site::comments_open_by_default(&pool).await?,
        categories: crate::writing::category_choices(&pool).await?,
        writer,
    })
}

#[server(endpoint = "save_post", input = Json)]
pub async fn save_post(
    id: Option<i64>,
    input: PostInput,
    autosave: bool,
    last_saved_at: Option<DateTime<Utc>>,
) -> Result<SavedPost, AppError> {
    let pool = crate::context::pool()?;
    let writer = crate::auth::require_account()?;
    crate::writing::save_post(&pool, &writer, id, input, autosave, last_saved_at).await
}

#[server(endpoint = "suggest_slug")]
pub async fn suggest_slug(
    title: String,
    kind: PostKind,
    id: Option<i64>,
) -> Result<String, AppError> {
    let pool = crate::context::pool()?;
    crate::auth::require_account()?;
    crate::writing::suggest_slug(&pool, &title, kind, id).await
}

/// `/write` (`/write?kind=page` for a new page) and `/write/{id}`.
#[component]
pub fn WritePage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let new_kind = move || {
        query
            .read()
            .get("kind")
            .and_then(|kind| PostKind::parse(&kind))
            .unwrap_or_default()
    };
    // `None` for a new post; `Some(None)` for an address whose id is no number.
    let id = move || params.read().get("id").map(|id| id.parse::<i64>().ok());
    let desk = Resource::new(id, |id| async move {
        match id {
            None => get_writing_desk(None).await,
            Some(Some(id)) => get_writing_desk(Some(id)).await,
            Some(None) => Err(AppError::NotFound("this post".to_string())),
        }
    });
    view! {
        <Title text="Write" />
        <Meta name="robots" content="noindex" />
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match desk.await {
                    Ok(desk) => view! { <PostForm desk new_kind=new_kind() /> }.into_any(),
                    Err(AppError::Unauthorized(_)) => view! { <SignInFirst /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// What pages for signed-in people show to everyone else.
#[component]
pub fn SignInFirst() -> impl IntoView {
    view! {
        <div class="notice" role="alert">
            <h1>"Please sign in"</h1>
            <p>"This page is for the people who write this blog. "
                <A href="/login">"Sign in"</A>" to continue."</p>
        </div>
    }
}

/// What a save sends, to tell whether anything changed since the last one.
#[derive(Debug, Clone, PartialEq)]
struct Snapshot {
    place: PagePlace,
    language: String,
    title: String,
    body: String,
    excerpt: String,
    slug: String,
    categories: Vec<i64>,
    tags: Vec<String>,
    comments_open: bool,
    password: String,
}

/// How the last save went.
#[derive(Debug, Clone, PartialEq)]
enum SaveState {
    Idle,
    Saving,
    Saved(String),
    Failed(String),
}

/// The editor; `new_kind` says whether a new one is a post or a page.
#[component]
fn PostForm(desk: WritingDesk, new_kind: PostKind) -> impl IntoView {
    let WritingDesk {
        post,
        pages,
        comments_open_by_default,
        categories,
        writer,
    } = desk;
    let kind = post.as_ref().map_or(new_kind, |post| post.input.kind);
    let initial = post.as_ref().map(|post| post.input.clone());
    let input = initial.unwrap_or(PostInput {
        kind,
        place: PagePlace::default(),
        title: String::new(),
        body_html: String::new(),
        excerpt: String::new(),
        slug: String::new(),
        status: PostStatus::Draft,
        published_at: None,
        category_ids: Vec::new(),
        tags: Vec::new(),
        comments_open: Some(comments_open_by_default),
        password: Some(String::new()),
        language: Some(String::new()),
    });
    let post_id = RwSignal::new(post.as_ref().map(|post| post.id));
    let last_saved_at = RwSignal::new(post.as_ref().map(|post| post.updated_at));
    let saved_status = RwSignal::new(input.status);
    let status = RwSignal::new(match input.status {
        PostStatus::Scheduled => PostStatus::Scheduled,
        PostStatus::Published => PostStatus::Published,
        _ => PostStatus::Draft,
    });
    let publish_at = RwSignal::new(
        input
            .published_at
            .filter(|_| input.status == PostStatus::Scheduled)
            .map(|at| {
                at.with_timezone(&chrono::Local)
                    .format("%Y-%m-%dT%H:%M")
                    .to_string()
            })
            .unwrap_or_default(),
    );
    let published_at = RwSignal::new(input.published_at);
    let address = RwSignal::new(input.slug.clone());
    let loaded = Snapshot {
        slug: if input.status == PostStatus::Draft && follows_title(&input.slug, &input.title) {
            String::new()
        } else {
            input.slug
        },
        place: input.place,
        language: input.language.unwrap_or_default(),
        title: input.title,
        body: input.body_html,
        excerpt: input.excerpt,
        categories: input.category_ids,
        tags: input.tags,
        comments_open: input.comments_open.unwrap_or(comments_open_by_default),
        password: input.password.unwrap_or_default(),
    };
    let title = RwSignal::new(loaded.title.clone());
    let body = RwSignal::new(loaded.body.clone());
    let excerpt = RwSignal::new(loaded.excerpt.clone());
    let slug = RwSignal::new(loaded.slug.clone());
    let chosen = RwSignal::new(loaded.categories.clone());
    let tags = RwSignal::new(loaded.tags.clone());
    let comments_open = RwSignal::new(loaded.comments_open);
    let password = RwSignal::new(loaded.password.clone());
    let language = RwSignal::new(loaded.language.clone());
    let parent = RwSignal::new(loaded.place.parent_id);
    let menu_order = RwSignal::new(loaded.place.menu_order);
    let saved = RwSignal::new(loaded);
    let choices = RwSignal::new(categories);
    let state = RwSignal::new(SaveState::Idle);
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));

    let snapshot = move || Snapshot {
        language: language.get(),
        place: PagePlace {
            parent_id: parent.get(),
            menu_order: menu_order.get(),
        },
        title: title.get(),
        body: body.get(),
        excerpt: excerpt.get(),
        slug: slug.get(),
        categories: chosen.get(),
        tags: tags.get(),
        comments_open: comments_open.get(),
        password: password.get(),
    };
    let dirty = Memo::new(move |_| saved.with(|saved| *saved != snapshot()));

    let save = Action::new(move |(requested, autosave): &(PostStatus, bool)| {
        let sent = snapshot();
        let input = PostInput {
            kind,
            place: sent.place,
            title: sent.title.clone(),
            body_html: sent.body.clone(),
            excerpt: sent.excerpt.clone(),
            slug: sent.slug.clone(),
            status: *requested,
            published_at: match requested {
                PostStatus::Scheduled => local_time(&publish_at.get_untracked()),
                PostStatus::Published => published_at.get_untracked(),
                _ => None,
            },
            category_ids: sent.categories.clone(),
            tags: sent.tags.clone(),
            comments_open: Some(sent.comments_open),
            password: Some(sent.password.clone()),
            language: Some(sent.language.clone()),
        };
        let autosave = *autosave;
        let id = post_id.get_untracked();
        let expected = last_saved_at.get_untracked();
        state.set(SaveState::Saving);
        async move {
            let result = save_post(id, input, autosave, expected).await;
            // The writer may have left the page while the save was on its way.
            if post_id.try_get_untracked().is_none() {
                return result;
            }
            match &result {
                Ok(done) => {
                    if id.is_none() {
                        show_address(&format!("/write/{}", done.id));
                    }
                    post_id.set(Some(done.id));
                    last_saved_at.set(Some(done.saved_at));
                    saved_status.set(done.status);
                    status.set(done.status);
                    published_at.set(done.published_at);
                    address.set(done.slug.clone());
                    let kept_slug = if sent.slug.is_empty() {
                        String::new()
                    } else {
                        done.slug.clone()
                    };
                    if slug.get_untracked() == sent.slug {
                        slug.set(kept_slug.clone());
                    }
                    saved.set(Snapshot {
                        slug: kept_slug,
                        ..sent
                    });
                    let at = done
                        .saved_at
                        .with_timezone(&chrono::Local)
                        .format("%H:%M:%S")
                        .to_string();
                    state.set(SaveState::Saved(at));
                }
                Err(error) => state.set(SaveState::Failed(error.to_string())),
            }
            result
        }
    });

    autosave_drafts(save, snapshot, dirty, saved_status, status);
    warn_before_leaving(dirty);

    let suggested = RwSignal::new(String::new());
    let suggest = Action::new(move |title: &String| {
        let title = title.clone();
        let id = post_id.get_untracked();
        async move {
            if let Ok(slug) = suggest_slug(title, kind, id).await {
                suggested.try_set(slug);
            }
        }
    });
    let title_done = move |_| {
        if !title.get_untracked().trim().is_empty() {
            suggest.dispatch(title.get_untracked());
        }
    };
    let saving = save.pending();
    let may_create_categories = writer.may_manage_terms();

    view! {
        <form class="write" on:submit=move |ev| {
            ev.prevent_default();
            save.dispatch((status.get_untracked(), false));
        }>
            <div class="write-main">
                <p class="field">
                    <label for="post-title">"Title"</label>
                    <input id="post-title" class="title-input" type="text" maxlength="300"
                        value=title.get_untracked() prop:value=title
                        on:input=move |ev| title.set(event_target_value(&ev))
                        on:keydown=move |ev| if ev.key() == "Enter" { ev.prevent_default(); }
                        on:blur=title_done />
                </p>
                <div class="field">
                    <span class="field-label">"Text"</span>
                    <RichEditor html=body label="Text of the post" />
                </div>
                <p class="field">
                    <label for="post-excerpt">"Excerpt"</label>
                    <textarea id="post-excerpt" rows="3" prop:value=excerpt
                        on:input=move |ev| excerpt.set(event_target_value(&ev))>{excerpt.get_untracked()}</textarea>
                    <span class="field-hint">"Shown in listings; the start of the post when left empty."</span>
                </p>
            </div>
            <aside class="write-side">
                <PublishPanel status saved_status publish_at state dirty post_id saving hydrated />
                <AddressPanel kind slug suggested saved_status address />
                {match kind {
                    PostKind::Page => view! { <PagePanel parent menu_order pages post_id /> }.into_any(),
                    PostKind::Post => ().into_any(),
                }}
                <DiscussionPanel comments_open />
                <PasswordPanel password />
                <LanguagePanel language />
                {match kind {
                    PostKind::Post => view! {
                        <CategoryPicker choices chosen may_create=may_create_categories />
                        <TagPicker tags />
                    }.into_any(),
                    PostKind::Page => ().into_any(),
                }}
            </aside>
        </form>
    }
    .into_any()
}

/// Saves a draft once the writer has paused for [`AUTOSAVE_SECONDS`], and again after a save
/// that edits overtook. `fields` reads every field of the form, so that any edit starts the wait
/// again.
fn autosave_drafts(
    save: Action<(PostStatus, bool), Result<SavedPost, AppError>>,
    fields: impl Fn() -> Snapshot + 'static,
    dirty: Memo<bool>,
    saved_status: RwSignal<PostStatus>,
    status: RwSignal<PostStatus>,
) {
    let edits = RwSignal::new(0u32);
    let saving = save.pending();
    Effect::new(move |previous: Option<()>| {
        fields();
        saving.track();
        if previous.is_none() {
            return;
        }
        let edit = edits.get_untracked().wrapping_add(1);
        edits.set(edit);
        set_timeout(
            move || {
                let autosave_due = || {
                    let quiet = edits.try_get_untracked()? == edit;
                    let draft = saved_status.try_get_untracked()? == PostStatus::Draft
                        && status.try_get_untracked()? == PostStatus::Draft;
                    Some(
                        quiet
                            && draft
                            && dirty.try_get_untracked()?
                            && !saving.try_get_untracked()?,
                    )
                };
                if autosave_due() == Some(true) {
                    save.dispatch((PostStatus::Draft, true));
                }
            },
            std::time::Duration::from_secs(AUTOSAVE_SECONDS),
        );
    });
}

/// Whether a draft's slug is the one its title gives (perhaps with a number to make it unique):
/// then it keeps following the title until the writer chooses one.
fn follows_title(slug: &str, title: &str) -> bool {
    let from_title = crate::slug::slugify(title);
    slug == from_title
        || slug
            .strip_prefix(&from_title)
            .and_then(|rest| rest.strip_prefix('-'))
            .is_some_and(|number| !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()))
        || (from_title.is_empty() && slug.starts_with("untitled"))
}

/// A `datetime-local` value, read in the writer's time zone.
fn local_time(value: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    use chrono::TimeZone;
    let naive = chrono::NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M").ok()?;
    chrono::Local
        .from_local_datetime(&naive)
        .earliest()
        .map(|at| at.with_timezone(&chrono::Utc))
}

/// Puts a new post's own address in the address bar without leaving the page.
fn show_address(path: &str) {
    #[cfg(feature = "hydrate")]
    if let Ok(history) = window().history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(path));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = path;
}

/// Asks the browser to warn before the page is left with changes not yet saved.
fn warn_before_leaving(dirty: Memo<bool>) {
    #[cfg(feature = "hydrate")]
    {
        let handle = window_event_listener(leptos::ev::beforeunload, move |event| {
            if dirty.get_untracked() {
                event.prevent_default();
                event.set_return_value("");
            }
        });
        on_cleanup(move || handle.remove());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = dirty;
}
