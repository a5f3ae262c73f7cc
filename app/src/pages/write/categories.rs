//! The writing page's categories: a tree of checkboxes, and (for editors) a way to add one.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::CategoryChoice;

#[server(endpoint = "create_category")]
pub async fn create_category(
    name: String,
    parent_id: Option<i64>,
) -> Result<CategoryChoice, AppError> {
    let pool = crate::context::pool()?;
    let writer = crate::auth::require_account()?;
    crate::writing::create_category(&pool, &writer, &name, parent_id).await
}

/// The categories as a tree of checkboxes, and (for editors) a way to add one.
#[component]
pub fn CategoryPicker(
    choices: RwSignal<Vec<CategoryChoice>>,
    chosen: RwSignal<Vec<i64>>,
    may_create: bool,
) -> impl IntoView {
    let new_name = RwSignal::new(String::new());
    let new_parent = RwSignal::new(None::<i64>);
    let create = Action::new(move |(name, parent): &(String, Option<i64>)| {
        let (name, parent) = (name.clone(), *parent);
        async move {
            let created = create_category(name, parent).await?;
            choices.update(|choices| {
                let at = choices
                    .iter()
                    .position(|choice| Some(choice.id) == created.parent_id)
                    .map_or(choices.len(), |parent| parent + 1);
                choices.insert(at, created.clone());
            });
            chosen.update(|chosen| chosen.push(created.id));
            new_name.set(String::new());
            Ok::<_, AppError>(())
        }
    });
    view! {
        <section class="panel">
            <h2>"Categories"</h2>
            <ul class="category-choices">
                <For each=move || choices.get() key=|choice| choice.id let:choice>
                    {
                        let id = choice.id;
                        let field = format!("category-{id}");
                        view! {
                            <li class=crate::format::depth_class(choice.depth.unsigned_abs())>
                                <input type="checkbox" id=field.clone()
                                    prop:checked=move || chosen.read().contains(&id)
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        chosen.update(|chosen| {
                                            chosen.retain(|chosen| *chosen != id);
                                            if on {
                                                chosen.push(id);
                                            }
                                        });
                                    } />
                                <label for=field>{choice.name.clone()}</label>
                            </li>
                        }
                    }
                </For>
            </ul>
            {may_create.then(|| view! {
                <details class="new-category">
                    <summary>"New category"</summary>
                    <p class="field">
                        <label for="new-category-name">"Name"</label>
                        <input id="new-category-name" type="text" prop:value=new_name
                            on:input=move |ev| new_name.set(event_target_value(&ev))
                            on:keydown=move |ev| if ev.key() == "Enter" {
                                ev.prevent_default();
                                create.dispatch((new_name.get_untracked(), new_parent.get_untracked()));
                            } />
                    </p>
                    <p class="field">
                        <label for="new-category-parent">"Under"</label>
                        <select id="new-category-parent" on:change=move |ev| {
                            new_parent.set(event_target_value(&ev).parse().ok());
                        }>
                            <option value="">"(top level)"</option>
                            {move || choices.get().into_iter().map(|choice| view! {
                                <option value=choice.id.to_string()>
                                    {format!("{}{}", "— ".repeat(choice.depth as usize), choice.name)}
                                </option>
                            }).collect_view()}
                        </select>
                    </p>
                    <button type="button" class="button secondary" on:click=move |_| {
                        create.dispatch((new_name.get_untracked(), new_parent.get_untracked()));
                    }>"Add category"</button>
                    {move || match create.value().get() {
                        Some(Err(error)) => Some(view! { <p class="form-error" role="alert">{error.to_string()}</p> }),
                        _ => None,
                    }}
                </details>
            })}
        </section>
    }
    .into_any()
}
