//! Who is asking, and how they proved it: Argon2id password hashes, random tokens (for sessions
//! and the API) of which only a SHA-256 is ever stored, signing in with its limits on guessing,
//! and the account a request acts for.
//!
//! The limits on guessing never lock the owner out. Failures are counted per e-mail address and
//! client address (an IPv6 client by its /64 network, which one subscriber usually holds whole),
//! and a client is refused after a few, which stops a guesser at one address and no one else.
//! They are counted per e-mail address for all clients together too: past a few, every client
//! must wait longer and longer between its own attempts, so guesses spread over many addresses
//! slow down, while a client that has not tried yet is never kept waiting by the others. A
//! browser that signed in to an account before keeps a device cookie, and with it only its own
//! failures count. An unknown e-mail address is counted and refused exactly like a known one.

use std::net::{IpAddr, Ipv6Addr};
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

/// How the name of every cookie the blog sets begins.
pub const COOKIE_PREFIX: &str = "fieldnotes_";

/// The cookie that carries a session token.
pub const SESSION_COOKIE: &str = "fieldnotes_session";

/// How long a session lasts after signing in.
pub const SESSION_DAYS: i64 = 30;

/// A session unused for this long ends before its time: a browser left signed in somewhere
/// (a shared or lost computer) does not stay a way in for a month, while someone who writes every
/// week never has to sign in again before the 30 days are over.
pub const SESSION_IDLE_DAYS: i32 = 7;

/// The cookie of a browser that signed in before; it is sent to the sign-in only.
pub const DEVICE_COOKIE: &str = "fieldnotes_device";

/// After this many failures from one client address for one e-mail address, that client is
/// refused until [`CLIENT_FAILURE_WINDOW`] seconds have passed since the last.
const MAX_FAILURES_PER_CLIENT: i32 = 5;
const CLIENT_FAILURE_WINDOW: f64 = 15.0 * 60.0;
/// Failures for an e-mail address from all clients without a device cookie are free up to this
/// many; each further one doubles the wait between a client's attempts, up to [`MAX_DELAY`]
/// seconds. They are forgotten after [`ACCOUNT_FAILURE_MEMORY`] seconds without one.
const FREE_FAILURES_PER_ACCOUNT: i32 = 10;
const MAX_DELAY: f64 = 15.0 * 60.0;
const ACCOUNT_FAILURE_MEMORY: f64 = 60.0 * 60.0;
/// A device cookie is honoured until this many failures in a row, so that a stolen one buys no
/// more than a few guesses.
const MAX_FAILURES_PER_DEVICE: i32 = 10;
/// How many browsers each account remembers.
const DEVICES_PER_ACCOUNT: i64 = 20;

/// How long failed sign-ins are remembered at all.
pub const FAILURE_MEMORY_MINUTES: i32 = 60;

/// The account a request acts for, as the server found it from the request's session cookie or
/// API token.
#[derive(Debug, Clone)]
pub struct SignedIn(pub Account);

/// Marks a request whose account comes from its session cookie: a browser where someone signed
/// in with their password, not a program with an API token.
#[derive(Debug, Clone, Copy)]
pub struct SignedInBySession;

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

/// The account of the signed-in browser making the present request, or 401: changes to an
/// account itself (its tokens, its sessions) need a session, never an API token.
pub fn require_session() -> Result<Account, AppError> {
    let by_session = use_context::<http::request::Parts>()
        .is_some_and(|parts| parts.extensions.get::<SignedInBySession>().is_some());
    if by_session {
        require_account()
    } else {
        Err(AppError::Unauthorized(
            "please sign in with your password first".to_string(),
        ))
    }
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

/// Where a form the browser posted itself (not the live application) goes back to: the page it
/// was sent from, without its query, at the place `fragment` names. The live application stays on
/// its page and shows the outcome there.
pub fn return_to_form_page(fragment: &str) {
    let Some(parts) = use_context::<http::request::Parts>() else {
        return;
    };
    let plain_form = parts
        .headers
        .get(http::header::ACCEPT)
        .and_then(|accept| accept.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    let page = parts
        .headers
        .get(http::header::REFERER)
        .and_then(|referer| referer.to_str().ok()?.parse::<http::Uri>().ok());
    let path = page.as_ref().map(http::Uri::path).unwrap_or_default();
    if plain_form && is_local_path(path) {
        leptos_axum::redirect(&format!("{path}#{fragment}"));
    }
}

/// Whether `path` stays on this site. Browsers ignore tabs and line breaks in addresses and read
/// `\` as `/`, so any of these could turn a path into another site's address (`/\t/evil.example`
/// is `//evil.example`).
pub fn is_local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path
            .chars()
            .any(|c| c == '\\' || c.is_whitespace() || c.is_control())
}

/// Adds a `Set-Cookie` header to the response of a server function.
pub fn set_cookie(value: &str) {
    append_header(http::header::SET_COOKIE, value);
}

pub fn append_header(name: http::HeaderName, value: &str) {
    if let (Some(response), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(value),
    ) {
        response.append_header(name, value);
    }
}

/// Keeps the present page out of every cache, for a page whose address carries a secret.
pub fn forbid_caching() {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.insert_header(
            http::header::CACHE_CONTROL,
            http::HeaderValue::from_static("private, no-store"),
        );
    }
}

/// Whether readers reach the blog over HTTPS, so that cookies must say `Secure`.
pub fn site_is_https() -> Result<bool, AppError> {
    Ok(crate::context::public_url()?.starts_with("https://"))
}

/// The hash of the commenter token in a request's cookie, if any.
pub fn commenter_token_hash_in(headers: &http::HeaderMap) -> Option<Vec<u8>> {
    cookie(headers, COMMENTER_COOKIE)
        .filter(|token| token.len() == 64)
        .map(token_hash)
}

/// The hash of the reader's commenter token, from its cookie or, the first time, a new one
/// whose cookie lasts a year.
pub fn commenter_token_hash() -> Result<Vec<u8>, AppError> {
    let parts = use_context::<http::request::Parts>();
    if let Some(hash) = parts.and_then(|parts| commenter_token_hash_in(&parts.headers)) {
        return Ok(hash);
    }
    let (token, hash) = new_token();
    let secure = if site_is_https()? { "; Secure" } else { "" };
    set_cookie(&format!(
        "{COMMENTER_COOKIE}={token}; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax{secure}"
    ));
    Ok(hash)
}

/// The cookies in a request's headers, as names and values.
pub fn cookies(headers: &http::HeaderMap) -> impl Iterator<Item = (&str, &str)> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
}

/// The value of a cookie in a request's headers.
pub fn cookie<'a>(headers: &'a http::HeaderMap, name: &str) -> Option<&'a str> {
    cookies(headers).find_map(|(key, value)| (key == name).then_some(value))
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

/// Signs someone in: a new session, and its token for the cookie.
pub async fn sign_in(
    pool: &PgPool,
    email: &str,
    password: &str,
) -> Result<(Account, String), AppError> {
    let account = check_credentials(pool, email, password).await?;
    let device = match request_cookie(DEVICE_COOKIE).filter(|token| token.len() == 64) {
        Some(device) => device,
        None => {
            let device = random_token();
            set_cookie(&device_cookie(&device, site_is_https()?));
            device
        }
    };
    accounts::trust_device(pool, &token_hash(&device), account.id, DEVICES_PER_ACCOUNT).await?;
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

/// Starts a session for someone who just proved who they are, and gives the browser its cookie.
pub async fn open_session(pool: &PgPool, user_id: i64) -> Result<(), AppError> {
    let (token, token_hash) = new_token();
    accounts::start_session(
        pool,
        user_id,
        &token_hash,
        Utc::now() + Duration::days(SESSION_DAYS),
    )
    .await?;
    set_cookie(&session_cookie(Some(&token), site_is_https()?));
    Ok(())
}

/// The account these credentials open. The attempt is counted as failed before the password is
/// checked, so that parallel guesses all count, and taken back when it succeeds; a wrong password
/// and an unknown address get the same answer, after the same work.
pub async fn check_credentials(
    pool: &PgPool,
    email: &str,
    password: &str,
) -> Result<Account, AppError> {
    if email.contains('\0') {
        return Err(AppError::BadRequest(
            "The e-mail address contains a NUL character, which text cannot hold.".to_string(),
        ));
    }
    let email = email.trim().to_lowercase();
    let email_hash = email_hash(&email);
    let address = counted_client_address();
    let device = request_cookie(DEVICE_COOKIE).filter(|token| token.len() == 64);
    let device_hash = device.as_deref().map(token_hash);
    let from_known_device =
        begin_sign_in(pool, &email, &email_hash, &address, device_hash.as_deref()).await?;

    let credentials = accounts::credentials(pool, &email).await?;
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
    if !from_known_device {
        accounts::forget_sign_in_failures(pool, &email_hash, &address).await?;
    }
    Ok(account)
}

/// The hash of a new password, typed twice the same; slow on purpose, so it waits its turn.
pub async fn hash_new_password(password: String, repeated: &str) -> Result<String, AppError> {
    if password != repeated {
        return Err(AppError::BadRequest(
            "The two passwords differ: type the same one twice.".to_string(),
        ));
    }
    let _turn = PASSWORD_CHECKS
        .acquire()
        .await
        .map_err(|_| AppError::Internal)?;
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|error| {
            tracing::error!(%error, "password hashing failed");
            AppError::Internal
        })?
        .map_err(|error| match error {
            PasswordError::Hashing(_) => AppError::Internal,
            refused => AppError::BadRequest(format!("Please choose another password: {refused}.")),
        })
}

/// The signed-in person, when they are an administrator.
pub fn require_admin() -> Result<Account, AppError> {
    let account = require_session()?;
    if account.is_admin() {
        Ok(account)
    } else {
        Err(AppError::Forbidden(
            "Only administrators can do this.".to_string(),
        ))
    }
}

/// An e-mail address as typed, trimmed; `None` when it cannot be one.
pub fn email_address(text: &str) -> Option<String> {
    let email = text.trim();
    let valid = email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && email
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty());
    valid.then(|| email.to_string())
}

/// Decides whether an attempt to sign in may go on to the password check, and counts it as failed
/// until it succeeds; `true` when it comes from a browser that signed in to the account before.
async fn begin_sign_in(
    pool: &PgPool,
    email: &str,
    email_hash: &[u8],
    address: &str,
    device_hash: Option<&[u8]>,
) -> Result<bool, AppError> {
    let mut tx = pool.begin().await?;
    accounts::lock_sign_ins(&mut tx, email_hash).await?;
    if let Some(device_hash) = device_hash {
        let failures = accounts::device_failures(&mut tx, device_hash, email).await?;
        if failures.is_some_and(|failures| failures < MAX_FAILURES_PER_DEVICE) {
            accounts::note_device_failure(&mut tx, device_hash, email).await?;
            tx.commit().await?;
            return Ok(true);
        }
    }
    let from_client = accounts::sign_in_failures(&mut tx, email_hash, Some(address)).await?;
    let from_anyone = accounts::sign_in_failures(&mut tx, email_hash, None).await?;
    if let Some(seconds) = wait_before_next_try(from_client, from_anyone) {
        append_header(http::header::RETRY_AFTER, &seconds.to_string());
        return Err(AppError::TooManyRequests(format!(
            "Too many failed attempts to sign in. Please wait {} and try again.",
            wait_in_words(seconds)
        )));
    }
    accounts::note_sign_in_failure(&mut tx, email_hash, Some(address), CLIENT_FAILURE_WINDOW)
        .await?;
    accounts::note_sign_in_failure(&mut tx, email_hash, None, ACCOUNT_FAILURE_MEMORY).await?;
    tx.commit().await?;
    Ok(false)
}

/// The address the present request's guesses (sign-ins, post passwords) are counted against. A
/// request that did not come over a socket (never, in practice) counts as from `::`.
pub fn counted_client_address() -> String {
    counted_address(client_address().unwrap_or(IpAddr::V6(Ipv6Addr::UNSPECIFIED)))
}

/// The address failed sign-ins (and other guesses) are counted against: an IPv4 address, or an
/// IPv6 address's /64 network, in the form PostgreSQL's `inet` reads.
fn counted_address(address: IpAddr) -> String {
    match address.to_canonical() {
        IpAddr::V4(address) => address.to_string(),
        IpAddr::V6(address) => {
            let [a, b, c, d, ..] = address.segments();
            format!("{}/64", Ipv6Addr::new(a, b, c, d, 0, 0, 0, 0))
        }
    }
}

/// How many seconds a client without a device cookie must wait before it may try again, given
/// the failures from its address and those from every such client; `None` when it may go on.
/// The wait the others' failures impose runs from this client's own last failure: a client that
/// has not failed recently goes on at once.
fn wait_before_next_try(
    from_client: Option<accounts::Failures>,
    from_anyone: Option<accounts::Failures>,
) -> Option<u64> {
    let from_client = from_client?;
    let client_wait = if from_client.count >= MAX_FAILURES_PER_CLIENT {
        CLIENT_FAILURE_WINDOW - from_client.seconds_since_last
    } else {
        0.0
    };
    let account_wait = from_anyone
        .filter(|failures| failures.seconds_since_last < ACCOUNT_FAILURE_MEMORY)
        .map_or(0.0, |failures| {
            delay_after(failures.count) - from_client.seconds_since_last
        });
    let wait = client_wait.max(account_wait);
    (wait > 0.0).then(|| wait.ceil() as u64)
}

/// "a second", "40 seconds", "15 minutes".
pub fn wait_in_words(seconds: u64) -> String {
    match seconds {
        1 => "a second".to_string(),
        2..60 => format!("{seconds} seconds"),
        60 => "a minute".to_string(),
        _ => format!("{} minutes", seconds.div_ceil(60)),
    }
}

/// The wait before the next attempt after `failures` from clients without a device cookie.
fn delay_after(failures: i32) -> f64 {
    let beyond_free = failures - FREE_FAILURES_PER_ACCOUNT;
    if beyond_free < 0 {
        0.0
    } else {
        2f64.powi(beyond_free).min(MAX_DELAY)
    }
}

/// The `Set-Cookie` value that marks a browser as one that signed in, for a year; only the
/// sign-in reads it.
fn device_cookie(token: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{DEVICE_COOKIE}={token}; Path={}/sign_in; Max-Age=31536000; HttpOnly; SameSite=Strict{secure}",
        env!("SERVER_FN_PREFIX")
    )
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

pub use crate::model::MIN_PASSWORD_CHARS;

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
    let token = random_token();
    let hash = token_hash(&token);
    (token, hash)
}

/// 256 random bits, in hexadecimal: what no one can guess.
pub fn random_token() -> String {
    use std::fmt::Write;
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system provides random bytes");
    bytes
        .iter()
        .fold(String::with_capacity(64), |mut token, byte| {
            let _ = write!(token, "{byte:02x}");
            token
        })
}

pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// What failed sign-ins to an e-mail address are counted under: what people type there is not
/// kept.
pub fn email_hash(email: &str) -> Vec<u8> {
    token_hash(&email.trim().to_lowercase())
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

    fn failures(count: i32, seconds_since_last: f64) -> Option<accounts::Failures> {
        Some(accounts::Failures {
            count,
            seconds_since_last,
        })
    }

    #[test]
    fn a_client_is_refused_after_a_few_failures_for_a_while() {
        assert_eq!(wait_before_next_try(None, None), None);
        assert_eq!(
            wait_before_next_try(failures(4, 1.0), failures(4, 1.0)),
            None
        );
        assert_eq!(
            wait_before_next_try(failures(5, 0.5), failures(5, 0.5)),
            Some(900)
        );
        assert_eq!(
            wait_before_next_try(failures(5, 600.0), failures(5, 600.0)),
            Some(300)
        );
        assert_eq!(
            wait_before_next_try(failures(5, 901.0), failures(5, 901.0)),
            None
        );
    }

    #[test]
    fn failures_from_everywhere_double_the_wait_between_a_clients_tries() {
        let waits: Vec<Option<u64>> = (9..=14)
            .map(|count| wait_before_next_try(failures(1, 0.0), failures(count, 0.0)))
            .collect();
        assert_eq!(waits, [None, Some(1), Some(2), Some(4), Some(8), Some(16)]);
        assert_eq!(
            wait_before_next_try(failures(1, 0.0), failures(1_000, 0.0)),
            Some(900),
            "at most a quarter of an hour"
        );
        assert_eq!(
            wait_before_next_try(failures(1, 10.0), failures(14, 0.0)),
            Some(6),
            "counted from the client's own last try"
        );
        assert_eq!(
            wait_before_next_try(failures(1, 4.0), failures(12, 4.0)),
            None
        );
        assert_eq!(
            wait_before_next_try(failures(1, 3_600.0), failures(1_000, 3_600.0)),
            None,
            "forgotten after an hour without failures"
        );
    }

    #[test]
    fn a_client_that_has_not_failed_is_never_kept_waiting_by_others() {
        assert_eq!(wait_before_next_try(None, failures(1_000, 0.0)), None);
    }

    #[test]
    fn an_ipv6_client_is_counted_by_its_network() {
        let address = |text: &str| counted_address(text.parse().unwrap());
        assert_eq!(address("192.0.2.7"), "192.0.2.7");
        assert_eq!(address("::ffff:192.0.2.7"), "192.0.2.7");
        assert_eq!(address("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
        assert_eq!(address("2001:db8:1:2::9"), address("2001:db8:1:2:ffff::1"));
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
