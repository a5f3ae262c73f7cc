//! `/account`: the signed-in person's personal API tokens, which let programs write through the
//! JSON API as them, until revoked; and signing out of every browser at once. All of it needs a
//! signed-in browser: an API token cannot manage tokens or sessions.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};

use crate::components::{ErrorNotice, Session};
use crate::error::AppError;
use crate::format::long_date;
use crate::model::{Account, ApiToken};
use crate::pages::SignInFirst;

#[server(endpoint = "api_tokens")]
pub async fn get_api_tokens() -> Result<(Account, Vec<ApiToken>), AppError> {
    let pool = crate::context::pool()?;
    let account = crate::auth::require_session()?;
    let tokens = crate::db::accounts::api_tokens(&pool, account.id).await?;
    Ok((account, tokens))
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
    let tokens = Resource::new(
        move || {
            (
                create.version().get(),
                revoke.version().get(),
                everywhere.version().get(),
            )
        },
        |_| get_api_tokens(),
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
                    Ok((account, tokens)) => view! {
                        <section class="account">
                            <h1>{account.name}</h1>
                            <p>{account.email}" · "{account.role.as_str()}</p>
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
                                                {format!(" made {}", long_date(token.created_at))}
                                                {token.last_used_at.map(|at| format!(", last used {}", long_date(at)))}
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
