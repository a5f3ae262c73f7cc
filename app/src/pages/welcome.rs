//! `/welcome/{secret}`: where a one-time sign-in link leads. Its holder chooses the account's
//! password and is signed in; the link is then used up. The form works before the page is live
//! too.

use leptos::prelude::*;
use leptos::server_fn::error::ServerFnUrlError;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::components::{ErrorNotice, NewPasswordFields};
use crate::error::AppError;

#[cfg(feature = "ssr")]
fn link_not_valid() -> AppError {
    AppError::NotFound(
        "this sign-in link (it was used already, or its time is up: ask an administrator for a new one)"
            .into(),
    )
}

/// The name and e-mail address of the person the link is for.
#[server(endpoint = "sign_in_link")]
pub async fn get_sign_in_link(secret: String) -> Result<(String, String), AppError> {
    let pool = crate::context::pool()?;
    crate::auth::forbid_caching();
    crate::db::people::sign_in_link_holder(&pool, &crate::auth::token_hash(&secret))
        .await?
        .ok_or_else(link_not_valid)
}

#[server(endpoint = "use_sign_in_link")]
pub async fn use_sign_in_link(
    secret: String,
    password: String,
    repeated: String,
) -> Result<(), AppError> {
    let pool = crate::context::pool()?;
    let secret_hash = crate::auth::token_hash(&secret);
    // No password is hashed (slow on purpose) for a link that opens nothing.
    crate::db::people::sign_in_link_holder(&pool, &secret_hash)
        .await?
        .ok_or_else(link_not_valid)?;
    let hash = crate::auth::hash_new_password(password, &repeated).await?;
    let account = crate::db::people::use_sign_in_link(&pool, &secret_hash, &hash)
        .await?
        .ok_or_else(link_not_valid)?;
    crate::auth::open_session(&pool, account.id).await?;
    leptos_axum::redirect("/dashboard");
    Ok(())
}

#[component]
pub fn WelcomePage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let secret = move || params.read().get("secret").unwrap_or_default();
    let holder = Resource::new(secret, get_sign_in_link);
    let choose = ServerAction::<UseSignInLink>::new();
    let error = move || match choose.value().get() {
        Some(Err(error)) => Some(error.to_string()),
        Some(Ok(())) => None,
        None => query
            .read()
            .get("__err")
            .map(|error| ServerFnUrlError::<AppError>::decode_err(&error).to_string()),
    };
    view! {
        <Title text="Choose your password" />
        <Meta name="robots" content="noindex" />
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match holder.await {
                    Ok((name, email)) => view! {
                        <section class="sign-in">
                            <h1>{format!("Welcome, {name}")}</h1>
                            <p>{format!("Choose the password you will sign in with, as {email}. This link works once.")}</p>
                            <ActionForm action=choose>
                                <input type="hidden" name="secret" value=secret />
                                <input type="email" name="email" value=email.clone() autocomplete="username" hidden />
                                <NewPasswordFields id="new-password" />
                                {move || error().map(|error| view! { <p class="form-error" role="alert">{error}</p> })}
                                <button type="submit">"Choose this password and sign in"</button>
                            </ActionForm>
                        </section>
                    }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
