//! Who is asking, and how they proved it: Argon2id password hashes, random tokens (for sessions
//! and the API) of which only a SHA-256 is ever stored, signing in with its limits on guessing,
//! and the account a request acts for.

use std::net::IpAddr;
use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use chrono::{Duration, Utc};
use leptos::prelude::use_context;
use sha2::{Digest, Sha256};
use sqlx::PgPool;

use crate::db::accounts;
use crate::error::AppError;
use crate::model::Account;

/// The cookie that carries a session token.
pub const SESSION_COOKIE: &str = "fieldnotes_session";

/// How long a session lasts after signing in.
pub const SESSION_DAYS: i64 = 30;

/// Failed sign-ins are counted over this many minutes…
const FAILURE_WINDOW_MINUTES: i32 = 15;
/// …and after this many for one account, or this many from one address, further attempts are
/// refused until the window has passed.
const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
const MAX_FAILURES_PER_ADDRESS: i64 = 20;

/// The account a request acts for, as the server found it from the request's session cookie or
/// API token.
#[derive(Debug, Clone)]
pub struct SignedIn(pub Account);

/// The address a request came from.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress(pub IpAddr);

/// The account the present request acts for, if any.
pub fn viewer() -> Option<Account> {
    let parts = use_context::<http::request::Parts>()?;
    parts
        .extensions
        .get::<SignedIn>()
        .map(|signed_in| signed_in.0.clone())
}

/// The account the present request acts for, or 401.
pub fn require_account() -> Result<Account, AppError> {
    viewer().ok_or(AppError::Unauthorized("please sign in first".to_string()))
}

pub fn client_address() -> Option<IpAddr> {
    let parts = use_context::<http::request::Parts>()?;
    parts
        .extensions
        .get::<ClientAddress>()
        .map(|address| address.0)
}

/// The cookie that lets a reader see their own comments while they wait for moderation.
pub const COMMENTER_COOKIE: &str = "fieldnotes_commenter";

/// The value of a cookie of the request a server function answers.
pub fn request_cookie(name: &str) -> Option<String> {
    let parts = use_context::<http::request::Parts>()?;
    cookie(&parts.headers, name).map(str::to_string)
}

/// Adds a `Set-Cookie` header to the response of a server function.
pub fn set_cookie(value: &str) {
    if let (Some(response), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(value),
    ) {
        response.append_header(http::header::SET_COOKIE, value);
    }
}

/// Whether readers reach the blog over HTTPS, so that cookies must say `Secure`.
pub fn site_is_https() -> Result<bool, AppError> {
    Ok(crate::db::public_url()?.starts_with("https://"))
}

/// The hash of the reader's commenter token, from its cookie or, the first time, a new one
/// whose cookie lasts a year.
pub fn commenter_token_hash() -> Result<Vec<u8>, AppError> {
    if let Some(token) = request_cookie(COMMENTER_COOKIE).filter(|token| token.len() == 64) {
        return Ok(token_hash(&token));
    }
    let (token, hash) = new_token();
    let secure = if site_is_https()? { "; Secure" } else { "" };
    set_cookie(&format!(
        "{COMMENTER_COOKIE}={token}; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax{secure}"
    ));
    Ok(hash)
}

/// The value of a cookie in a request's headers.
pub fn cookie<'a>(headers: &'a http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find_map(|(key, value)| (key == name).then_some(value))
}

/// The `Set-Cookie` value that starts a session (`token`) or, with `None`, ends it.
pub fn session_cookie(token: Option<&str>, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    match token {
        Some(token) => format!(
            "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
            SESSION_DAYS * 24 * 60 * 60
        ),
        None => format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"),
    }
}

/// A hash to verify against when no account has the address given, so that a wrong address
/// takes as long to refuse as a wrong password.
static DECOY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_password("no account has this password").unwrap_or_default());

/// Signs someone in: a new session, and its token for the cookie. Every attempt is noted first,
/// so that parallel guesses all count, and taken back when it succeeds; a wrong password and an
/// unknown address get the same answer, after the same work.
pub async fn sign_in(
    pool: &PgPool,
    email: &str,
    password: &str,
) -> Result<(Account, String), AppError> {
    let account_subject = format!("account:{}", email.trim().to_lowercase());
    let address_subject = client_address().map(|address| format!("address:{address}"));
    let subjects: Vec<String> = std::iter::once(account_subject.clone())
        .chain(address_subject.clone())
        .collect();
    let attempt = accounts::record_sign_in_attempt(pool, &subjects).await?;
    let over_limit = accounts::recent_failures(pool, &account_subject, FAILURE_WINDOW_MINUTES)
        .await?
        > MAX_FAILURES_PER_ACCOUNT;
    let address_over_limit = match &address_subject {
        Some(subject) => {
            accounts::recent_failures(pool, subject, FAILURE_WINDOW_MINUTES).await?
                > MAX_FAILURES_PER_ADDRESS
        }
        None => false,
    };
    if over_limit || address_over_limit {
        return Err(AppError::TooManyRequests(format!(
            "Too many failed attempts to sign in. Please wait {FAILURE_WINDOW_MINUTES} minutes and try again."
        )));
    }
    let credentials = accounts::credentials(pool, email.trim()).await?;
    let hash = credentials
        .as_ref()
        .map_or_else(|| DECOY_HASH.clone(), |(_, hash)| hash.clone());
    let password = password.to_string();
    let matches = {
        let _turn = PASSWORD_CHECKS
            .acquire()
            .await
            .map_err(|_| AppError::Internal)?;
        tokio::task::spawn_blocking(move || {
            password.len() <= MAX_PASSWORD_BYTES && verify_password(&password, &hash)
        })
        .await
        .map_err(|error| {
            tracing::error!(%error, "password check failed");
            AppError::Internal
        })?
    };
    let account = match credentials {
        Some((account, _)) if matches => account,
        _ => {
            return Err(AppError::Unauthorized(
                "The e-mail address or the password is not right.".to_string(),
            ));
        }
    };
    accounts::forget_attempt(pool, &attempt, &account_subject).await?;
    let (token, token_hash) = new_token();
    accounts::start_session(
        pool,
        account.id,
        &token_hash,
        Utc::now() + Duration::days(SESSION_DAYS),
    )
    .await?;
    Ok((account, token))
}

/// Passwords are checked a few at a time: each check takes tens of megabytes on purpose.
static PASSWORD_CHECKS: LazyLock<tokio::sync::Semaphore> = LazyLock::new(|| {
    tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |cores| cores.get()))
});

/// Longer passwords are not checked (they cannot be right): hashing is slow enough as it is.
const MAX_PASSWORD_BYTES: usize = 1024;

/// Makes a personal API token for a program to act as this person; the token itself is shown
/// this once and only its hash is kept.
pub async fn issue_api_token(
    pool: &PgPool,
    account: &Account,
    name: &str,
) -> Result<String, AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::BadRequest(
            "Name the token (at most 100 characters), say after the program that will use it."
                .to_string(),
        ));
    }
    let (token, hash) = new_token();
    accounts::create_api_token(pool, account.id, name, &hash).await?;
    Ok(token)
}

/// Passwords shorter than this are refused.
pub const MIN_PASSWORD_CHARS: usize = 10;

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("a password needs at least {MIN_PASSWORD_CHARS} characters")]
    TooShort,
    #[error("a password can have at most {MAX_PASSWORD_BYTES} bytes")]
    TooLong,
    #[error("the password could not be hashed: {0}")]
    Hashing(String),
}

/// The Argon2id hash (a PHC string) of a password, with a random salt. Slow on purpose: call it
/// off the async runtime.
pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(PasswordError::TooShort);
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(PasswordError::TooLong);
    }
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|error| PasswordError::Hashing(error.to_string()))
}

/// Whether `password` matches `hash`. Slow on purpose: call it off the async runtime.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok()
    })
}

/// A new random token (256 bits, as hex) and the hash to store for it.
pub fn new_token() -> (String, Vec<u8>) {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system provides random bytes");
    let token: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    let hash = token_hash(&token);
    (token, hash)
}

pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_against_their_hash_only() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse battery!", &hash));
        assert!(!verify_password("anything", "not a hash"));
        assert!(matches!(
            hash_password("short"),
            Err(PasswordError::TooShort)
        ));
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let (first, first_hash) = new_token();
        let (second, _) = new_token();
        assert_ne!(first, second);
        assert_eq!(first.len(), 64);
        assert_eq!(token_hash(&first), first_hash);
    }
}
