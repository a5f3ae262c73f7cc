//! The writing page's tags: chips for the chosen ones, and suggestions from the tags in use as
//! the writer types.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::Named;

#[server(endpoint = "matching_tags")]
pub async fn matching_tags(prefix: String) -> Result<Vec<Named>, AppError> {
    let pool = crate::context::pool()?;
    crate::auth::require_account()?;
    let prefix = prefix.trim();
    if prefix.is_empty() || prefix.chars().count() > crate::writing::MAX_TAG_CHARS {
        return Ok(Vec::new());
    }
    Ok(crate::db::terms::matching_tags(&pool, prefix, 8).await?)
}

/// Tags as removable chips, with the existing tags that begin as typed offered first.
#[component]
pub fn TagPicker(tags: RwSignal<Vec<String>>) -> impl IntoView {
    let typed = RwSignal::new(String::new());
    let suggestions = Resource::new(
        move || typed.get(),
        |typed| async move {
            if typed.trim().is_empty() {
                Ok(Vec::new())
            } else {
                matching_tags(typed).await
            }
        },
    );
    let add = move |name: String| {
        let name = name.trim().trim_matches(',').trim().to_string();
        if !name.is_empty() {
            tags.update(|tags| {
                if !tags
                    .iter()
                    .any(|tag| tag.to_lowercase() == name.to_lowercase())
                {
                    tags.push(name);
                }
            });
        }
        typed.set(String::new());
    };
    view! {
        <section class="panel">
            <h2><label for="tag-input">"Tags"</label></h2>
            <ul class="tag-chips">
                <For each=move || tags.get() key=|tag| tag.clone() let:tag>
                    {
                        let removed = tag.clone();
                        view! {
                            <li class="chip">
                                {tag.clone()}
                                <button type="button" class="chip-remove" aria-label=format!("Remove tag {tag}")
                                    on:click=move |_| tags.update(|tags| tags.retain(|tag| *tag != removed))>"×"</button>
                            </li>
                        }
                    }
                </For>
            </ul>
            <input id="tag-input" type="text" autocomplete="off" placeholder="Add a tag and press Enter"
                prop:value=typed
                on:input=move |ev| {
                    let value = event_target_value(&ev);
                    if value.ends_with(',') {
                        add(value);
                    } else {
                        typed.set(value);
                    }
                }
                on:keydown=move |ev| {
                    if ev.key() == "Enter" {
                        ev.prevent_default();
                        add(typed.get_untracked());
                    }
                } />
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let found = suggestions.await.unwrap_or_default();
                    view! {
                        <ul class="tag-suggestions">
                            {found.into_iter().map(|tag| {
                                let name = tag.name.clone();
                                view! {
                                    <li><button type="button" class="link-button" on:click=move |_| add(name.clone())>
                                        {tag.name}
                                    </button></li>
                                }
                            }).collect_view()}
                        </ul>
                    }
                })}
            </Transition>
        </section>
    }
    .into_any()
}
