//! Who is reading: the signed-in account (if any) that the header and the writing pages show,
//! and the actions that sign in and out.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::error::AppError;
use crate::model::Account;

#[server(endpoint = "viewer")]
pub async fn get_viewer() -> Result<Option<Account>, AppError> {
    Ok(crate::auth::viewer())
}

#[server(endpoint = "sign_in")]
pub async fn sign_in(email: String, password: String, next: String) -> Result<(), AppError> {
    use crate::auth::{SESSION_COOKIE, cookie, session_cookie, token_hash};
    let pool = crate::context::pool()?;
    let (_, token) = crate::auth::sign_in(&pool, &email, &password).await?;
    let headers = use_context::<http::request::Parts>().map(|parts| parts.headers);
    if let Some(previous) = headers
        .as_ref()
        .and_then(|headers| cookie(headers, SESSION_COOKIE))
    {
        crate::db::accounts::end_session(&pool, &token_hash(previous)).await?;
    }
    crate::auth::set_cookie(&session_cookie(Some(&token), crate::auth::site_is_https()?));
    leptos_axum::redirect(&local_path(&next));
    Ok(())
}

#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::auth::{SESSION_COOKIE, cookie, session_cookie, token_hash};
    let pool = crate::context::pool()?;
    let headers = use_context::<http::request::Parts>().map(|parts| parts.headers);
    if let Some(token) = headers
        .as_ref()
        .and_then(|headers| cookie(headers, SESSION_COOKIE))
    {
        crate::db::accounts::end_session(&pool, &token_hash(token)).await?;
    }
    crate::auth::set_cookie(&session_cookie(None, crate::auth::site_is_https()?));
    leptos_axum::redirect("/");
    Ok(())
}

/// Where to go after signing in: a path on this site, or the dashboard.
#[cfg(feature = "ssr")]
fn local_path(next: &str) -> String {
    if crate::auth::is_local_path(next) {
        next.to_string()
    } else {
        "/dashboard".to_string()
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::local_path;

    #[test]
    fn only_paths_of_this_site_are_followed() {
        assert_eq!(local_path("/write/3?x=1"), "/write/3?x=1");
        for elsewhere in [
            "https://evil.example/",
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            " /x",
            "",
            "javascript:alert(1)",
        ] {
            assert_eq!(local_path(elsewhere), "/dashboard", "{elsewhere:?}");
        }
    }
}

/// The reader's session, shared by every page: the account, reloaded whenever someone signs in
/// or out.
#[derive(Clone, Copy)]
pub struct Session {
    pub viewer: Resource<Result<Option<Account>, AppError>>,
    pub sign_in: ServerAction<SignIn>,
    pub sign_out: ServerAction<SignOut>,
}

impl Session {
    /// The signed-in account, once known.
    pub async fn account(self) -> Option<Account> {
        self.viewer.await.ok().flatten()
    }
}

pub fn provide_session() {
    let sign_in = ServerAction::<SignIn>::new();
    let sign_out = ServerAction::<SignOut>::new();
    let viewer = Resource::new(
        move || (sign_in.version().get(), sign_out.version().get()),
        |_| get_viewer(),
    );
    provide_context(Session {
        viewer,
        sign_in,
        sign_out,
    });
}

/// The links of the header that depend on who is reading: sign in, or the writing pages and
/// sign out.
#[component]
pub fn AccountLinks() -> impl IntoView {
    let session = expect_context::<Session>();
    view! {
        <nav class="account-links" aria-label="Your account">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match session.account().await {
                        Some(account) => view! {
                            <span class="account-name">{account.name}</span>
                            <A href="/dashboard">"Dashboard"</A>
                            <A href="/write">"Write"</A>
                            <ActionForm action=session.sign_out>
                                <button type="submit" class="link-button">"Sign out"</button>
                            </ActionForm>
                        }
                        .into_any(),
                        None => view! { <A href="/login">"Sign in"</A> }.into_any(),
                    }
                })}
            </Suspense>
        </nav>
    }
}
