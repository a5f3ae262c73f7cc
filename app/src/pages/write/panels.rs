//! The panels beside the text of a post: publishing, its address, a page's place, discussion
//! and password.

use leptos::prelude::*;

use super::SaveState;
use crate::filter::{page_href, post_href};
use crate::model::{PageChoice, PostKind, PostStatus};

/// The status and, for a scheduled post, its time; the button that saves, how the last save
/// went, and links to the preview and revisions once the post exists.
#[component]
pub(super) fn PublishPanel(
    status: RwSignal<PostStatus>,
    saved_status: RwSignal<PostStatus>,
    publish_at: RwSignal<String>,
    state: RwSignal<SaveState>,
    dirty: Memo<bool>,
    post_id: RwSignal<Option<i64>>,
    #[prop(into)] saving: Signal<bool>,
    hydrated: RwSignal<bool>,
) -> impl IntoView {
    let submit_label = move || match status.get() {
        PostStatus::Scheduled => "Schedule",
        PostStatus::Published if saved_status.get() == PostStatus::Published => "Update",
        PostStatus::Published => "Publish",
        _ => "Save draft",
    };
    view! {
        <section class="panel">
            <h2>"Publish"</h2>
            <p class="save-state" role="status">{move || match state.get() {
                SaveState::Saving => "Saving…".to_string(),
                SaveState::Failed(_) => "Not saved".to_string(),
                _ if dirty.get() => "Unsaved changes".to_string(),
                SaveState::Saved(at) => format!("Saved at {at}"),
                SaveState::Idle if post_id.get().is_some() => "Saved".to_string(),
                SaveState::Idle => "Not saved yet".to_string(),
            }}</p>
            {move || match state.get() {
                SaveState::Failed(error) => Some(view! { <p class="form-error" role="alert">{error}</p> }),
                _ => None,
            }}
            <p class="field">
                <label for="post-status">"Status"</label>
                <select id="post-status" prop:value=move || status.get().as_str() on:change=move |ev| {
                    status.set(PostStatus::parse(&event_target_value(&ev)).unwrap_or(PostStatus::Draft));
                }>
                    <option value="draft" selected=move || status.get() == PostStatus::Draft>"Draft"</option>
                    <option value="published" selected=move || status.get() == PostStatus::Published>"Published"</option>
                    <option value="scheduled" selected=move || status.get() == PostStatus::Scheduled>"Scheduled"</option>
                </select>
            </p>
            {move || (status.get() == PostStatus::Scheduled).then(|| view! {
                <p class="field">
                    <label for="post-publish-at">"Publish on (your time)"</label>
                    <input id="post-publish-at" type="datetime-local" prop:value=publish_at
                        on:input=move |ev| publish_at.set(event_target_value(&ev)) />
                </p>
            })}
            <p class="actions">
                <button type="submit" disabled=move || saving.get() || !hydrated.get()>{submit_label}</button>
                {move || post_id.get().map(|id| view! {
                    <a class="button secondary" href=format!("/preview/{id}") target="_blank" rel="noopener">"Preview"</a>
                })}
            </p>
            {move || post_id.get().map(|id| view! {
                <p class="field-hint">
                    <a href=format!("/write/{id}/revisions")>"Revisions"</a>
                </p>
            })}
        </section>
    }
}

/// The post's slug, and the address it gives: the one typed, else the published post's, else the
/// one the title suggests.
#[component]
pub(super) fn AddressPanel(
    kind: PostKind,
    slug: RwSignal<String>,
    suggested: RwSignal<String>,
    saved_status: RwSignal<PostStatus>,
    address: RwSignal<String>,
) -> impl IntoView {
    let shown_address = move || {
        let typed = slug.get();
        if !typed.is_empty() {
            typed
        } else if saved_status.get() != PostStatus::Draft {
            address.get()
        } else {
            suggested.get()
        }
    };
    view! {
        <section class="panel">
            <h2><label for="post-slug">"Address"</label></h2>
            <p class="field">
                <input id="post-slug" type="text" value=slug.get_untracked() prop:value=slug
                    placeholder=move || if suggested.get().is_empty() { "made from the title".to_string() } else { suggested.get() }
                    on:input=move |ev| slug.set(event_target_value(&ev))
                    on:keydown=move |ev| if ev.key() == "Enter" { ev.prevent_default(); } />
                <span class="field-hint slug-hint">{move || match kind {
                    PostKind::Post => post_href(&shown_address()),
                    PostKind::Page => page_href(&shown_address()),
                }}</span>
            </p>
        </section>
    }
}

/// Which page a page stands under, and its order among the pages there (in the sidebar, and
/// under its parent).
#[component]
pub(super) fn PagePanel(
    parent: RwSignal<Option<i64>>,
    menu_order: RwSignal<i32>,
    pages: Vec<PageChoice>,
    post_id: RwSignal<Option<i64>>,
) -> impl IntoView {
    view! {
        <section class="panel">
            <h2>"Page"</h2>
            <p class="field">
                <label for="page-parent">"Under"</label>
                <select id="page-parent" on:change=move |ev| {
                    parent.set(event_target_value(&ev).parse().ok());
                }>
                    <option value="" selected=move || parent.get().is_none()>"No page: at the top"</option>
                    {pages.into_iter().map(|page| {
                        let id = page.id;
                        view! {
                            <option value=id.to_string() selected=move || parent.get() == Some(id)
                                disabled=move || post_id.get() == Some(id)>{page.title}</option>
                        }
                    }).collect_view()}
                </select>
            </p>
            <p class="field">
                <label for="page-order">"Order (lower first)"</label>
                <input id="page-order" type="number" min="-9999" max="9999" step="1"
                    value=menu_order.get_untracked() prop:value=move || menu_order.get().to_string()
                    on:input=move |ev| menu_order.set(event_target_value(&ev).parse().unwrap_or(0)) />
            </p>
        </section>
    }
}

/// Whether readers may comment.
#[component]
pub(super) fn DiscussionPanel(comments_open: RwSignal<bool>) -> impl IntoView {
    view! {
        <section class="panel">
            <h2>"Discussion"</h2>
            <p>
                <input id="post-comments-open" type="checkbox" prop:checked=comments_open
                    on:change=move |ev| comments_open.set(event_target_checked(&ev)) />
                <label for="post-comments-open">" Allow comments"</label>
            </p>
        </section>
    }
}

/// The post's own language, when it is not the blog's: `zh` for a Chinese post on an English
/// blog.
#[component]
pub(super) fn LanguagePanel(language: RwSignal<String>) -> impl IntoView {
    view! {
        <section class="panel">
            <h2><label for="post-language">"Language"</label></h2>
            <p class="field">
                <input id="post-language" type="text" maxlength="35" autocomplete="off"
                    placeholder="the blog's" value=language.get_untracked() prop:value=language
                    on:input=move |ev| language.set(event_target_value(&ev))
                    on:keydown=move |ev| if ev.key() == "Enter" { ev.prevent_default(); } />
                <span class="field-hint">"Only when it is not the blog's: zh for Chinese, en for English…"</span>
            </p>
        </section>
    }
}

/// The password readers must give to see the post; empty for none.
#[component]
pub(super) fn PasswordPanel(password: RwSignal<String>) -> impl IntoView {
    view! {
        <section class="panel">
            <h2><label for="post-password">"Password"</label></h2>
            <p class="field">
                <input id="post-password" type="text" maxlength="255" autocomplete="off"
                    value=password.get_untracked() prop:value=password
                    on:input=move |ev| password.set(event_target_value(&ev))
                    on:keydown=move |ev| if ev.key() == "Enter" { ev.prevent_default(); } />
                <span class="field-hint">"Readers must give it to see the text, images and comments; leave it empty for everyone."</span>
            </p>
        </section>
    }
}
