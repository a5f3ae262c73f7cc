//! Where someone chooses a new password: typed twice, the way browsers' password managers
//! recognise.

use leptos::prelude::*;

use crate::model::MIN_PASSWORD_CHARS;

/// The `password` and `repeated` fields of a form that sets a password.
#[component]
pub fn NewPasswordFields(id: &'static str) -> impl IntoView {
    let again = format!("{id}-again");
    view! {
        <p class="field">
            <label for=id>{format!("New password (at least {MIN_PASSWORD_CHARS} characters)")}</label>
            <input id=id type="password" name="password" autocomplete="new-password" minlength=MIN_PASSWORD_CHARS required />
        </p>
        <p class="field">
            <label for=again.clone()>"The new password again"</label>
            <input id=again type="password" name="repeated" autocomplete="new-password" required />
        </p>
    }
}
