//! `/account`: the signed-in person's name and bio (shown on their author page), their password,
//! their personal API tokens, which let programs write through the JSON API as them until
//! revoked, and signing out of every browser at once. All of it needs a signed-in browser: an API
//! token cannot change an account.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};

use crate::components::{ErrorNotice, NewPasswordFields, Session, SiteDate};
use crate::error::AppError;
use crate::model::{Account, ApiToken};
use crate::pages::SignInFirst;

/// The longest bio, in characters.
pub const MAX_BIO_CHARS: usize = 2000;

/// The signed-in person, their bio and their API tokens.
#[server(endpoint = "account")]
pub async fn get_account() -> Result<(Account, String, Vec<ApiToken>), AppError> {
    let pool = crate::context::pool()?;
    let account = crate::auth::require_session()?;
    let profile = crate::db::people::profile(&pool, account.id).await?;
    let tokens = crate::db::accounts::api_tokens(&pool, account.id).await?;
    Ok((account, profile.bio, tokens))
}

#[server(endpoint = "update_profile")]
pub async fn update_profile(name: String, bio: String) -> Result<(), AppError> {
    let pool = crate::context::pool()?;
    let account = crate::auth::require_session()?;
    let name = crate::pages::people::display_name(&name)?;
    let bio = crate::settings::without_nul("bio", &bio)
        .map_err(AppError::BadRequest)?
        .trim()
        .replace("\r\n", "\n");
    if bio.chars().count() > MAX_BIO_CHARS {
        return Err(AppError::BadRequest(format!(
            "The bio is longer than {MAX_BIO_CHARS} characters."
        )));
    }
    let profile = crate::db::people::Profile { name, bio };
    crate::db::people::set_profile(&pool, account.id, &profile).await?;
    Ok(())
}

/// Changes the signed-in person's password, given their present one; their other sessions end.
#[server(endpoint = "change_password")]
pub async fn change_password(
    current: String,
    password: String,
    repeated: String,
) -> Result<(), AppError> {
    use crate::auth::{SESSION_COOKIE, request_cookie, token_hash};
    let pool = crate::context::pool()?;
    let account = crate::auth::require_session()?;
    match crate::auth::check_credentials(&pool, &account.email, &current).await {
        Ok(checked) if checked.id == account.id => {}
        Ok(_) | Err(AppError::Unauthorized(_)) => {
            return Err(AppError::Forbidden(
                "Your present password is not right.".into(),
            ));
        }
        Err(error) => return Err(error),
    }
    let hash = crate::auth::hash_new_password(password, &repeated).await?;
    let session = request_cookie(SESSION_COOKIE).unwrap_or_default();
    crate::db::people::change_own_password(&pool, account.id, &hash, &token_hash(&session)).await?;
    Ok(())
}

#[server(endpoint = "create_api_token")]
pub async fn create_api_token(name: String) -> Result<String, AppError> {
    let pool = crate::context::pool()?;
    let account = crate::auth::require_session()?;
    crate::auth::issue_api_token(&pool, &account, &name).await
}

#[server(endpoint = "revoke_api_token")]
pub async fn revoke_api_token(id: i64) -> Result<(), AppError> {
    let pool = crate::context::pool()?;
    let account = crate::auth::require_session()?;
    if crate::db::accounts::revoke_api_token(&pool, account.id, id).await? {
        Ok(())
    } else {
        Err(AppError::NotFound("this token".to_string()))
    }
}

/// Ends every session of the signed-in person, this one too; their API tokens stay valid.
#[server(endpoint = "sign_out_everywhere")]
pub async fn sign_out_everywhere() -> Result<(), AppError> {
    let pool = crate::context::pool()?;
    let account = crate::auth::require_session()?;
    let mut conn = pool.acquire().await?;
    crate::db::accounts::end_sessions_of(&mut conn, account.id).await?;
    crate::auth::set_cookie(&crate::auth::session_cookie(
        None,
        crate::auth::site_is_https()?,
    ));
    Ok(())
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let create = ServerAction::<CreateApiToken>::new();
    let revoke = ServerAction::<RevokeApiToken>::new();
    let everywhere = ServerAction::<SignOutEverywhere>::new();
    let profile = ServerAction::<UpdateProfile>::new();
    let password = ServerAction::<ChangePassword>::new();
    let tokens = Resource::new(
        move || {
            (
                create.version().get(),
                revoke.version().get(),
                everywhere.version().get(),
                profile.version().get(),
            )
        },
        |_| get_account(),
    );
    let session = expect_context::<Session>();
    Effect::new(move |_| {
        if everywhere.version().get() > 0 {
            session.viewer.refetch();
        }
    });
    view! {
        <Title text="Your account" />
        <Meta name="robots" content="noindex" />
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match tokens.await {
                    Ok((account, bio, tokens)) => view! {
                        <section class="account">
                            <h1>{account.name.clone()}</h1>
                            <p>{account.email}" · "{account.role.as_str()}</p>
                            <h2>"About you"</h2>
                            <ActionForm action=profile attr:class="profile">
                                <p class="field">
                                    <label for="profile-name">"Your name, as readers see it"</label>
                                    <input id="profile-name" type="text" name="name" value=account.name maxlength=crate::pages::people::MAX_NAME_CHARS required />
                                </p>
                                <p class="field">
                                    <label for="profile-bio">"A few words about you, on your author page"</label>
                                    <textarea id="profile-bio" name="bio" rows="4" maxlength=MAX_BIO_CHARS>{bio}</textarea>
                                </p>
                                {move || profile.value().get().map(|saved| match saved {
                                    Ok(()) => view! { <p class="notice" role="status">"Saved."</p> }.into_any(),
                                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                                })}
                                <button type="submit">"Save"</button>
                            </ActionForm>
                            <h2>"Password"</h2>
                            <ActionForm action=password attr:class="password">
                                <p class="field">
                                    <label for="current-password">"Your present password"</label>
                                    <input id="current-password" type="password" name="current" autocomplete="current-password" required />
                                </p>
                                <NewPasswordFields id="changed-password" />
                                {move || password.value().get().map(|changed| match changed {
                                    Ok(()) => view! { <p class="notice" role="status">"Your password was changed; your other sessions have ended."</p> }.into_any(),
                                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                                })}
                                <button type="submit">"Change the password"</button>
                            </ActionForm>
                            <h2>"API tokens"</h2>
                            <p>"A program holding one of these can write through the JSON API as you: "
                                <code>"Authorization: Bearer <token>"</code>"."</p>
                            {if tokens.is_empty() {
                                view! { <p>"No tokens yet."</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="token-list">
                                        {tokens.into_iter().map(|token| view! {
                                            <li>
                                                <strong>{token.name}</strong>
                                                " made " <SiteDate date=token.created_at />
                                                {token.last_used_at.map(|at| view! { ", last used " <SiteDate date=at /> })}
                                                <ActionForm action=revoke>
                                                    <input type="hidden" name="id" value=token.id.to_string() />
                                                    <button type="submit" class="link-button">"Revoke"</button>
                                                </ActionForm>
                                            </li>
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                            <h2>"Sessions"</h2>
                            <p>"Signed in on a computer you no longer use? This signs you out in every browser, this one too. Your API tokens keep working; revoke them above."</p>
                            <ActionForm action=everywhere>
                                <button type="submit">"Sign out everywhere"</button>
                            </ActionForm>
                        </section>
                    }.into_any(),
                    Err(AppError::Unauthorized(_)) => view! { <SignInFirst /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
        <ActionForm action=create attr:class="new-token">
            <p class="field">
                <label for="token-name">"New token, named after the program that will use it"</label>
                <input id="token-name" type="text" name="name" required />
            </p>
            <button type="submit">"Make a token"</button>
        </ActionForm>
        {move || create.value().get().map(|made| match made {
            Ok(token) => view! {
                <div class="notice" role="status">
                    <p>"Your new token (copy it now: it is not shown again):"</p>
                    <p><code class="token">{token}</code></p>
                </div>
            }.into_any(),
            Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
        })}
    }
}
