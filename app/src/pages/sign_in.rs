//! `/login`: where the people of the blog sign in. The form works before the page is live too:
//! then the server answers with a redirect, carrying any error back in the address.

use leptos::prelude::*;
use leptos::server_fn::error::ServerFnUrlError;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::Session;
use crate::error::AppError;

#[component]
pub fn SignInPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let query = use_query_map();
    let next = move || {
        query
            .read()
            .get("next")
            .unwrap_or_else(|| "/dashboard".to_string())
    };
    let error_in_address = move || {
        query
            .read()
            .get("__err")
            .map(|error| ServerFnUrlError::<AppError>::decode_err(&error).to_string())
    };
    let error = move || match session.sign_in.value().get() {
        Some(Err(error)) => Some(error.to_string()),
        Some(Ok(())) => None,
        None => error_in_address(),
    };
    let pending = session.sign_in.pending();
    view! {
        <Title text="Sign in" />
        <section class="sign-in">
            <h1>"Sign in"</h1>
            <ActionForm action=session.sign_in>
                <input type="hidden" name="next" value=next />
                <p class="field">
                    <label for="sign-in-email">"E-mail address"</label>
                    <input id="sign-in-email" type="email" name="email" autocomplete="username" required />
                </p>
                <p class="field">
                    <label for="sign-in-password">"Password"</label>
                    <input id="sign-in-password" type="password" name="password" autocomplete="current-password" required />
                </p>
                {move || error().map(|error| view! { <p class="form-error" role="alert">{error}</p> })}
                <p>
                    <button type="submit" disabled=pending>
                        {move || if pending.get() { "Signing in…" } else { "Sign in" }}
                    </button>
                </p>
            </ActionForm>
        </section>
    }
}
