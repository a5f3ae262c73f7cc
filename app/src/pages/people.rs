//! `/dashboard/people`: administrators see everyone with an account, add people, change their
//! roles, turn accounts off and on, hand out one-time sign-in links (the blog sends no e-mail)
//! and remove accounts, giving their posts to someone else. No one changes their own role or
//! account here, and the blog always keeps an administrator who can sign in.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};

use crate::components::ErrorNotice;
use crate::error::AppError;
use crate::filter::PostFilter;
use crate::model::{Account, Person, Role};
use crate::pages::SignInFirst;

/// How long a sign-in link may be used.
pub const SIGN_IN_LINK_DAYS: i64 = 7;

/// The longest display name, in characters.
pub const MAX_NAME_CHARS: usize = 100;

#[server(endpoint = "people")]
pub async fn get_people() -> Result<(Account, Vec<Person>), AppError> {
    let pool = crate::context::pool()?;
    let admin = crate::auth::require_admin()?;
    let people = crate::db::accounts::list_accounts(&pool).await?;
    Ok((admin, people))
}

#[server(endpoint = "add_person")]
pub async fn add_person(email: String, name: String, role: String) -> Result<String, AppError> {
    let pool = crate::context::pool()?;
    let admin = crate::auth::require_admin()?;
    let email = crate::auth::email_address(&email).ok_or_else(|| {
        AppError::BadRequest(format!("“{}” is not an e-mail address.", email.trim()))
    })?;
    let name = display_name(&name)?;
    let role = Role::parse(&role)
        .ok_or_else(|| AppError::BadRequest("Choose a role: admin, editor or author.".into()))?;
    let slug = Some(crate::slug::slugify(&name))
        .filter(|slug| !slug.is_empty())
        .unwrap_or_else(|| "writer".to_string());
    let taken = || AppError::Conflict(format!("{email} already has an account."));
    let mut tx = pool.begin().await?;
    let id = crate::db::accounts::create_account(&mut tx, &email, &name, &slug, role, None)
        .await
        .map_err(|error| match &error {
            sqlx::Error::Database(database) if database.is_unique_violation() => taken(),
            _ => AppError::from(error),
        })?
        .ok_or_else(taken)?;
    let link = sign_in_link(&mut tx, id, admin.id).await?;
    tx.commit().await?;
    Ok(link)
}

#[server(endpoint = "new_sign_in_link")]
pub async fn new_sign_in_link(id: i64) -> Result<String, AppError> {
    let pool = crate::context::pool()?;
    let admin = crate::auth::require_admin()?;
    not_oneself(&admin, id)?;
    let mut tx = pool.begin().await?;
    if !crate::db::people::account_exists(&mut tx, id).await? {
        return Err(AppError::NotFound("this person".into()));
    }
    let link = sign_in_link(&mut tx, id, admin.id).await?;
    tx.commit().await?;
    Ok(link)
}

#[server(endpoint = "change_role")]
pub async fn change_role(id: i64, role: String) -> Result<(), AppError> {
    let pool = crate::context::pool()?;
    let admin = crate::auth::require_admin()?;
    not_oneself(&admin, id)?;
    let role = Role::parse(&role)
        .ok_or_else(|| AppError::BadRequest("Choose a role: admin, editor or author.".into()))?;
    let mut tx = pool.begin().await?;
    if role != Role::Admin {
        keep_an_admin(&mut tx, id).await?;
    }
    if !crate::db::people::set_role(&mut tx, id, role).await? {
        return Err(AppError::NotFound("this person".into()));
    }
    tx.commit().await?;
    Ok(())
}

#[server(endpoint = "set_account_disabled")]
pub async fn set_account_disabled(id: i64, disabled: bool) -> Result<(), AppError> {
    let pool = crate::context::pool()?;
    let admin = crate::auth::require_admin()?;
    not_oneself(&admin, id)?;
    let mut tx = pool.begin().await?;
    if disabled {
        keep_an_admin(&mut tx, id).await?;
    }
    if !crate::db::people::set_disabled(&mut tx, id, disabled).await? {
        return Err(AppError::NotFound("this person".into()));
    }
    tx.commit().await?;
    Ok(())
}

#[server(endpoint = "remove_person")]
pub async fn remove_person(id: i64, heir: i64) -> Result<(), AppError> {
    let pool = crate::context::pool()?;
    let admin = crate::auth::require_admin()?;
    not_oneself(&admin, id)?;
    if heir == id {
        return Err(AppError::BadRequest(
            "Give their posts to someone else.".into(),
        ));
    }
    let mut tx = pool.begin().await?;
    keep_an_admin(&mut tx, id).await?;
    if !crate::db::people::account_exists(&mut tx, heir).await? {
        return Err(AppError::BadRequest(
            "The person to give the posts to has no account.".into(),
        ));
    }
    if !crate::db::people::remove_person(&mut tx, id, heir).await? {
        return Err(AppError::NotFound("this person".into()));
    }
    tx.commit().await?;
    Ok(())
}

/// A display name as typed, trimmed; refused when empty or too long.
#[cfg(feature = "ssr")]
pub fn display_name(name: &str) -> Result<String, AppError> {
    let name = crate::settings::without_nul("name", name)
        .map_err(AppError::BadRequest)?
        .trim();
    if name.is_empty() {
        return Err(AppError::BadRequest("The name cannot be empty.".into()));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(AppError::BadRequest(format!(
            "The name is longer than {MAX_NAME_CHARS} characters."
        )));
    }
    Ok(name.to_string())
}

#[cfg(feature = "ssr")]
fn not_oneself(admin: &Account, id: i64) -> Result<(), AppError> {
    if admin.id == id {
        Err(AppError::Forbidden(
            "You cannot change your own account here: your account page has your name and password, and another administrator can change your role.".into(),
        ))
    } else {
        Ok(())
    }
}

/// Refuses a change that would leave the blog without an administrator who can sign in.
#[cfg(feature = "ssr")]
async fn keep_an_admin(conn: &mut sqlx::PgConnection, id: i64) -> Result<(), AppError> {
    if crate::db::people::other_admins(conn, id).await? == 0 {
        return Err(AppError::Conflict(
            "The blog must keep an administrator who can sign in: make someone else an administrator first.".into(),
        ));
    }
    Ok(())
}

/// A new one-time sign-in link for a person, replacing any earlier one.
#[cfg(feature = "ssr")]
async fn sign_in_link(
    conn: &mut sqlx::PgConnection,
    id: i64,
    created_by: i64,
) -> Result<String, AppError> {
    let (token, hash) = crate::auth::new_token();
    let expires_at = chrono::Utc::now() + chrono::Duration::days(SIGN_IN_LINK_DAYS);
    crate::db::people::create_sign_in_link(conn, id, created_by, &hash, expires_at).await?;
    Ok(format!("{}/welcome/{token}", crate::context::public_url()?))
}

#[component]
pub fn PeoplePage() -> impl IntoView {
    let add = ServerAction::<AddPerson>::new();
    let link = ServerAction::<NewSignInLink>::new();
    let role = ServerAction::<ChangeRole>::new();
    let disable = ServerAction::<SetAccountDisabled>::new();
    let remove = ServerAction::<RemovePerson>::new();
    let people = Resource::new(
        move || {
            (
                add.version().get(),
                role.version().get(),
                disable.version().get(),
                remove.version().get(),
            )
        },
        |_| get_people(),
    );
    let error = move || {
        [
            role.value().get().and_then(Result::err),
            disable.value().get().and_then(Result::err),
            remove.value().get().and_then(Result::err),
        ]
        .into_iter()
        .flatten()
        .next()
    };
    let made_link = move || {
        [add.value().get(), link.value().get()]
            .into_iter()
            .flatten()
            .next()
    };
    view! {
        <Title text="People" />
        <Meta name="robots" content="noindex" />
        <section class="dashboard people">
            <h1>"People"</h1>
            <p><a href="/dashboard">"← Dashboard"</a></p>
            {move || made_link().map(|made| match made {
                Ok(url) => view! {
                    <div class="notice" role="status">
                        <p>{format!("Pass this link on: it lets its holder choose the account's password, once, within {SIGN_IN_LINK_DAYS} days. It is not shown again.")}</p>
                        <p><code class="sign-in-link">{url}</code></p>
                    </div>
                }.into_any(),
                Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
            })}
            {move || error().map(|error| view! { <p class="form-error" role="alert">{error.to_string()}</p> })}
            <Transition fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match people.await {
                        Ok((admin, people)) => view! {
                            <PeopleTable admin people link role disable remove />
                        }.into_any(),
                        Err(AppError::Unauthorized(_)) => view! { <SignInFirst /> }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Transition>
            <h2>"Add someone"</h2>
            <ActionForm action=add attr:class="add-person">
                <p class="field">
                    <label for="person-email">"E-mail address (they sign in with it)"</label>
                    <input id="person-email" type="email" name="email" required />
                </p>
                <p class="field">
                    <label for="person-name">"Name, as readers see it"</label>
                    <input id="person-name" type="text" name="name" maxlength=MAX_NAME_CHARS required />
                </p>
                <p class="field">
                    <label for="person-role">"Role"</label>
                    <RoleChoice id="person-role".to_string() chosen=Role::Author />
                    <span class="field-hint">"An author writes their own posts; an editor every post, categories and tags; an administrator everything, people and settings too."</span>
                </p>
                <button type="submit">"Add and make a sign-in link"</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn PeopleTable(
    admin: Account,
    people: Vec<Person>,
    link: ServerAction<NewSignInLink>,
    role: ServerAction<ChangeRole>,
    disable: ServerAction<SetAccountDisabled>,
    remove: ServerAction<RemovePerson>,
) -> impl IntoView {
    let heirs: Vec<(i64, String)> = people
        .iter()
        .map(|person| (person.id, person.name.clone()))
        .collect();
    view! {
        <table class="people-table">
            <thead>
                <tr><th scope="col">"Name"</th><th scope="col">"E-mail"</th><th scope="col">"Role"</th><th scope="col">"Account"</th><th scope="col">"Actions"</th></tr>
            </thead>
            <tbody>
                {people.into_iter().map(|person| {
                    let is_me = person.id == admin.id;
                    let id = person.id;
                    let role_label = format!("Role of {}", person.name);
                    let remove_label = format!("Remove {}", person.name);
                    let disabled = person.disabled;
                    let state = if person.disabled {
                        "turned off"
                    } else if person.can_sign_in {
                        "can sign in"
                    } else {
                        "has not chosen a password yet"
                    };
                    let author_page = (person.published_posts > 0).then(|| PostFilter {
                        author: Some(person.slug.clone()),
                        ..PostFilter::default()
                    }.href(1));
                    let heirs: Vec<(i64, String)> = heirs.iter().filter(|(heir, _)| *heir != person.id).cloned().collect();
                    let role_id = format!("role-{}", person.id);
                    let heir_id = format!("heir-{}", person.id);
                    view! {
                        <tr data-person=person.email.clone()>
                            <td>
                                {match author_page {
                                    Some(href) => view! { <a href=href>{person.name.clone()}</a> }.into_any(),
                                    None => view! { <span>{person.name.clone()}</span> }.into_any(),
                                }}
                                {format!(" ({} published)", person.published_posts)}
                            </td>
                            <td>{person.email.clone()}</td>
                            <td>
                                {if is_me {
                                    view! { <span>{person.role.as_str()}" (you)"</span> }.into_any()
                                } else {
                                    view! {
                                        <ActionForm action=role attr:class="inline-form">
                                            <input type="hidden" name="id" value=id.to_string() />
                                            <label class="visually-hidden" for=role_id.clone()>{role_label.clone()}</label>
                                            <RoleChoice id=role_id chosen=person.role />
                                            <button type="submit" class="link-button">"Change"</button>
                                        </ActionForm>
                                    }.into_any()
                                }}
                            </td>
                            <td>{state}</td>
                            <td>
                                {(!is_me).then(|| view! {
                                    <ActionForm action=disable attr:class="inline-form">
                                        <input type="hidden" name="id" value=id.to_string() />
                                        <input type="hidden" name="disabled" value=(!disabled).to_string() />
                                        <button type="submit" class="link-button">{if disabled { "Turn on" } else { "Turn off" }}</button>
                                    </ActionForm>
                                    <ActionForm action=link attr:class="inline-form">
                                        <input type="hidden" name="id" value=id.to_string() />
                                        <button type="submit" class="link-button">"New sign-in link"</button>
                                    </ActionForm>
                                    <details class="remove-person">
                                        <summary>"Remove…"</summary>
                                        <ActionForm action=remove>
                                            <input type="hidden" name="id" value=id.to_string() />
                                            <label for=heir_id.clone()>"Give their posts and pages to"</label>
                                            <select id=heir_id name="heir">
                                                {heirs.into_iter().map(|(heir, name)| view! {
                                                    <option value=heir.to_string()>{name}</option>
                                                }).collect_view()}
                                            </select>
                                            <button type="submit">{remove_label.clone()}</button>
                                        </ActionForm>
                                    </details>
                                })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn RoleChoice(id: String, chosen: Role) -> impl IntoView {
    let roles = [Role::Author, Role::Editor, Role::Admin];
    view! {
        <select id=id name="role">
            {roles.into_iter().map(|role| view! {
                <option value=role.as_str() selected=role == chosen>{role.as_str()}</option>
            }).collect_view()}
        </select>
    }
}
