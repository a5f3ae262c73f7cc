//! The form that opens a post or page protected by a password. It works before the page is live
//! too: the browser then posts it, and comes back to the page with the post unlocked or with the
//! error in the address, where the action finds it.

use leptos::prelude::*;

use crate::error::AppError;

#[server(endpoint = "unlock_post")]
pub async fn unlock_post(post_id: i64, password: String) -> Result<(), AppError> {
    let pool = crate::context::pool()?;
    crate::protection::unlock(&pool, post_id, &password).await
}

#[component]
pub fn PasswordForm(post_id: i64, action: ServerAction<UnlockPost>) -> impl IntoView {
    let field = format!("post-password-{post_id}");
    let error = move || match action.value().get() {
        Some(Err(error)) => {
            Some(view! { <p class="form-error" role="alert">{error.to_string()}</p> })
        }
        _ => None,
    };
    view! {
        <section class="password-form" aria-labelledby="password-heading">
            <h2 id="password-heading">"Protected"</h2>
            <p>"This content is protected by a password. To read it, enter the password below."</p>
            <ActionForm action>
                <input type="hidden" name="post_id" value=post_id.to_string() />
                <p class="field">
                    <label for=field.clone()>"Password"</label>
                    <input id=field name="password" type="password" maxlength="255"
                        autocomplete="off" required />
                </p>
                {error}
                <button type="submit" disabled=action.pending()>"Enter"</button>
            </ActionForm>
        </section>
    }
}
