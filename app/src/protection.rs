//! Posts and pages protected by a password, as WordPress protects them: readers see the title and
//! a form, and the text, images and comments only once they have given the password.
//!
//! A reader who gives it receives the post's key in a cookie of that post. The key is random and
//! changes with the password (see the migration that made it), so the cookie never holds the
//! password, and a new password shuts out everyone who unlocked the post before.

use leptos::prelude::use_context;
use sha2::{Digest, Sha256};
use sqlx::PgPool;

use crate::auth::{
    append_header, counted_client_address, request_cookie, set_cookie, site_is_https, wait_in_words,
};
use crate::db;
use crate::error::AppError;

/// Longer passwords are refused, as WordPress refuses them.
pub const MAX_PASSWORD_CHARS: usize = 255;

/// How long a reader's browser remembers that they gave a post's password.
const UNLOCKED_DAYS: i64 = 10;

/// A client may try this many passwords for a post within [`TRY_WINDOW_SECONDS`] of each other;
/// then it waits until that long has passed since its last counted try.
const MAX_TRIES: i32 = 10;
const TRY_WINDOW_SECONDS: f64 = 15.0 * 60.0;

const POST_COOKIE_PREFIX: &str = "fieldnotes_post_";

pub fn cookie_name(post_id: i64) -> String {
    format!("{POST_COOKIE_PREFIX}{post_id}")
}

/// The `Set-Cookie` value that unlocks a post for its reader.
pub fn unlock_cookie(post_id: i64, key: &[u8], secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{}={}; Path=/; Max-Age={}; HttpOnly; SameSite=Lax{secure}",
        cookie_name(post_id),
        hex(key),
        UNLOCKED_DAYS * 24 * 60 * 60
    )
}

/// Whether these request headers carry the cookie that unlocks the post with this key.
pub fn headers_unlock(headers: &http::HeaderMap, post_id: i64, key: &[u8]) -> bool {
    crate::auth::cookie(headers, &cookie_name(post_id))
        .is_some_and(|value| same(value.as_bytes(), hex(key).as_bytes()))
}

/// Whether the request a server function answers carries the cookie that unlocks the post.
pub fn request_unlocks(post_id: i64, key: &[u8]) -> bool {
    request_cookie(&cookie_name(post_id))
        .is_some_and(|value| same(value.as_bytes(), hex(key).as_bytes()))
}

/// Compared through their digests, so that the time a comparison takes tells nothing of where
/// the texts differ.
fn same(given: &[u8], expected: &[u8]) -> bool {
    Sha256::digest(given) == Sha256::digest(expected)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// A password as a writer gives it: trimmed, `None` when empty.
pub fn checked_password(given: &str) -> Result<Option<String>, AppError> {
    let password = given.trim();
    if password.contains('\0') {
        return Err(AppError::BadRequest(
            "The password contains a NUL character, which text cannot hold.".to_string(),
        ));
    }
    if given.chars().count() > MAX_PASSWORD_CHARS {
        return Err(AppError::BadRequest(format!(
            "The password is too long: at most {MAX_PASSWORD_CHARS} characters."
        )));
    }
    Ok(Some(password.to_string()).filter(|password| !password.is_empty()))
}

/// Keeps the answer to this request out of shared caches: it shows an unlocked post.
pub fn keep_private() {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.insert_header(
            http::header::CACHE_CONTROL,
            http::HeaderValue::from_static("private, no-store"),
        );
    }
}

/// Checks the password a reader gave for a protected post or page; when it is right, the
/// answer sets the cookie that unlocks it. A client that tried too many wrong ones is refused for
/// a while, right or wrong.
pub async fn unlock(pool: &PgPool, post_id: i64, password: &str) -> Result<(), AppError> {
    let (stored, key) = db::posts::protection(pool, post_id)
        .await?
        .ok_or_else(|| AppError::NotFound("this protected post".to_string()))?;
    let address = counted_client_address();
    let tries =
        db::posts::note_password_try(pool, post_id, &address, MAX_TRIES, TRY_WINDOW_SECONDS)
            .await?;
    if tries.count > MAX_TRIES {
        let wait = (TRY_WINDOW_SECONDS - tries.seconds_since_last)
            .ceil()
            .max(1.0) as u64;
        append_header(http::header::RETRY_AFTER, &wait.to_string());
        return Err(AppError::TooManyRequests(format!(
            "Too many wrong passwords for this post. Please wait {} and try again.",
            wait_in_words(wait)
        )));
    }
    if !same(password.as_bytes(), stored.as_bytes()) {
        return Err(AppError::Forbidden(
            "That is not the password of this post. Check it and try again.".to_string(),
        ));
    }
    db::posts::forget_password_tries(pool, post_id, &address).await?;
    set_cookie(&unlock_cookie(post_id, &key, site_is_https()?));
    Ok(())
}

/// Refuses a comment on a protected post from a reader who has not given its password.
pub async fn check_may_comment(pool: &PgPool, post_id: i64) -> Result<(), AppError> {
    match db::posts::protection(pool, post_id).await? {
        Some((_, key)) if !request_unlocks(post_id, &key) => Err(AppError::Forbidden(
            "This post is protected by a password: give it before commenting.".to_string(),
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_holds_the_key_and_not_the_password() {
        let cookie = unlock_cookie(7, &[0xab, 0x01], true);
        assert_eq!(
            cookie,
            "fieldnotes_post_7=ab01; Path=/; Max-Age=864000; HttpOnly; SameSite=Lax; Secure"
        );
        let mut headers = http::HeaderMap::new();
        headers.insert(
            http::header::COOKIE,
            "a=b; fieldnotes_post_7=ab01".parse().unwrap(),
        );
        assert!(headers_unlock(&headers, 7, &[0xab, 0x01]));
        assert!(!headers_unlock(&headers, 7, &[0xab, 0x02]));
        assert!(!headers_unlock(&headers, 8, &[0xab, 0x01]));
    }

    #[test]
    fn passwords_are_trimmed_and_bounded() {
        assert_eq!(
            checked_password("  enter ").unwrap().as_deref(),
            Some("enter")
        );
        assert_eq!(checked_password("   ").unwrap(), None);
        assert!(checked_password(&"x".repeat(256)).is_err());
    }
}
