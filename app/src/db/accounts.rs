//! People's accounts, their sessions, their API tokens, failed attempts to sign in and the
//! browsers that signed in before.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use crate::model::{Account, ApiToken, Person, Role};

struct AccountRow {
    id: i64,
    slug: String,
    display_name: String,
    email: Option<String>,
    role: String,
}

impl AccountRow {
    fn account(self) -> Account {
        Account {
            id: self.id,
            slug: self.slug,
            name: self.display_name,
            email: self.email.unwrap_or_default(),
            role: Role::parse(&self.role).unwrap_or(Role::Author),
        }
    }
}

/// Whether anyone can sign in yet.
pub async fn any_accounts(pool: &PgPool) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM users WHERE password_hash IS NOT NULL) AS "exists!""#
    )
    .fetch_one(pool)
    .await
}

/// Creates an account, or gives one to the person with this e-mail address (say, an author an
/// import created); `None` when that person can already sign in. Without a password, the person
/// cannot sign in until they choose one through a sign-in link.
pub async fn create_account(
    conn: &mut PgConnection,
    email: &str,
    name: &str,
    slug: &str,
    role: Role,
    password_hash: Option<&str>,
) -> sqlx::Result<Option<i64>> {
    let existing = sqlx::query!(
        "SELECT id, password_hash FROM users WHERE lower(email) = lower($1)",
        email
    )
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(existing) = existing {
        if existing.password_hash.is_some() {
            return Ok(None);
        }
        sqlx::query!(
            "UPDATE users SET display_name = $2, role = $3, password_hash = $4 WHERE id = $1",
            existing.id,
            name,
            role.as_str(),
            password_hash,
        )
        .execute(conn)
        .await?;
        return Ok(Some(existing.id));
    }
    let mut candidate = slug.to_string();
    let mut suffix = 1;
    loop {
        let inserted = sqlx::query_scalar!(
            r#"
            INSERT INTO users (slug, display_name, email, role, password_hash) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (slug) DO NOTHING
            RETURNING id
            "#,
            candidate,
            name,
            email,
            role.as_str(),
            password_hash,
        )
        .fetch_optional(&mut *conn)
        .await?;
        if inserted.is_some() {
            return Ok(inserted);
        }
        suffix += 1;
        candidate = format!("{slug}-{suffix}");
    }
}

/// Everyone with an account, by name: for `fieldnotes user list` and the people page.
pub async fn list_accounts(pool: &PgPool) -> sqlx::Result<Vec<Person>> {
    let rows = sqlx::query!(
        r#"
        SELECT u.id, u.email AS "email!", u.display_name, u.slug, u.role,
               u.password_hash IS NOT NULL AS "can_sign_in!", u.disabled_at IS NOT NULL AS "disabled!",
               coalesce(l.post_count, 0) AS "published_posts!"
        FROM users u
        LEFT JOIN listing_totals l ON l.scope = 'author' AND l.scope_id = u.id
        WHERE u.email IS NOT NULL
        ORDER BY lower(u.display_name), u.id
        "#
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| Person {
            id: row.id,
            email: row.email,
            name: row.display_name,
            slug: row.slug,
            role: Role::parse(&row.role).unwrap_or(Role::Author),
            can_sign_in: row.can_sign_in,
            disabled: row.disabled,
            published_posts: i64::from(row.published_posts),
        })
        .collect())
}

/// Whether one of the blog's people has this e-mail address or this display name (compared
/// without regard to case), whether or not they can sign in.
pub async fn is_staff_identity(pool: &PgPool, name: &str, email: &str) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (
               SELECT 1 FROM users WHERE lower(email) = lower($2)
               UNION ALL
               SELECT 1 FROM users WHERE lower(display_name) = lower($1)
           ) AS "exists!""#,
        name,
        email,
    )
    .fetch_one(pool)
    .await
}

/// The account with this e-mail address, whether or not it can sign in.
pub async fn account_id(pool: &PgPool, email: &str) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar!("SELECT id FROM users WHERE lower(email) = lower($1)", email)
        .fetch_optional(pool)
        .await
}

/// Sets a person's password, ends all their sessions and sign-in links, revokes their API tokens
/// and forgets the failed sign-ins to the account (`email_hash` is the hash they are counted
/// under); `false` when no one has this address.
pub async fn set_password(
    pool: &PgPool,
    email: &str,
    email_hash: &[u8],
    password_hash: &str,
) -> sqlx::Result<bool> {
    let mut tx = pool.begin().await?;
    let Some(id) = sqlx::query_scalar!(
        "UPDATE users SET password_hash = $2 WHERE lower(email) = lower($1) RETURNING id",
        email,
        password_hash,
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(false);
    };
    end_other_access(&mut tx, id, None, true).await?;
    sqlx::query!(
        "DELETE FROM sign_in_failures WHERE email_hash = $1",
        email_hash
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Ends what may have leaked of an account when a way into it changes: its sessions (but
/// `kept_session_hash`), its sign-in links, and its devices' failed sign-ins; and, with
/// `revoke_tokens`, its API tokens.
pub(super) async fn end_other_access(
    conn: &mut PgConnection,
    user_id: i64,
    kept_session_hash: Option<&[u8]>,
    revoke_tokens: bool,
) -> sqlx::Result<()> {
    sqlx::query!(
        "DELETE FROM sessions WHERE user_id = $1 AND token_hash IS DISTINCT FROM $2",
        user_id,
        kept_session_hash
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!("DELETE FROM sign_in_links WHERE user_id = $1", user_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query!(
        "UPDATE sign_in_devices SET failures = 0 WHERE user_id = $1",
        user_id
    )
    .execute(&mut *conn)
    .await?;
    if revoke_tokens {
        sqlx::query!(
            "UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL",
            user_id
        )
        .execute(conn)
        .await?;
    }
    Ok(())
}

/// The account with this e-mail address and its password hash, if it can sign in.
pub async fn credentials(pool: &PgPool, email: &str) -> sqlx::Result<Option<(Account, String)>> {
    let row = sqlx::query!(
        r#"SELECT id, slug, display_name, email, role, password_hash AS "password_hash!"
           FROM users
           WHERE lower(email) = lower($1) AND password_hash IS NOT NULL AND disabled_at IS NULL"#,
        email,
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|row| {
        let account = AccountRow {
            id: row.id,
            slug: row.slug,
            display_name: row.display_name,
            email: row.email,
            role: row.role,
        };
        (account.account(), row.password_hash)
    }))
}

pub async fn start_session(
    pool: &PgPool,
    user_id: i64,
    token_hash: &[u8],
    expires_at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ($1, $2, $3)",
        token_hash,
        user_id,
        expires_at,
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// The account a session token belongs to, while the session lasts: until it expires, or has
/// gone unused for `idle_days`. Notes that it is in use, at most once an hour.
pub async fn session_account(
    pool: &PgPool,
    token_hash: &[u8],
    idle_days: i32,
) -> sqlx::Result<Option<Account>> {
    let row = sqlx::query_as!(
        AccountRow,
        r#"
        WITH seen AS (
            UPDATE sessions SET last_seen_at = now()
            WHERE token_hash = $1 AND expires_at > now()
              AND last_seen_at > now() - make_interval(days => $2)
              AND last_seen_at < now() - interval '1 hour'
        )
        SELECT u.id, u.slug, u.display_name, u.email, u.role
        FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.token_hash = $1 AND s.expires_at > now()
          AND s.last_seen_at > now() - make_interval(days => $2)
          AND u.password_hash IS NOT NULL AND u.disabled_at IS NULL
        "#,
        token_hash,
        idle_days,
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(AccountRow::account))
}

pub async fn end_session(pool: &PgPool, token_hash: &[u8]) -> sqlx::Result<()> {
    sqlx::query!("DELETE FROM sessions WHERE token_hash = $1", token_hash)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn end_sessions_of(conn: &mut PgConnection, user_id: i64) -> sqlx::Result<()> {
    sqlx::query!("DELETE FROM sessions WHERE user_id = $1", user_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Forgets sessions that have ended (expired, or unused for `idle_days`), failed sign-ins and
/// wrong post passwords older than `failure_memory_minutes`, and browsers that have not signed in
/// for a year.
pub async fn forget_expired(
    pool: &PgPool,
    idle_days: i32,
    failure_memory_minutes: i32,
) -> sqlx::Result<()> {
    sqlx::query!(
        "DELETE FROM sessions
         WHERE expires_at <= now() OR last_seen_at <= now() - make_interval(days => $1)",
        idle_days
    )
    .execute(pool)
    .await?;
    sqlx::query!(
        "DELETE FROM sign_in_failures WHERE last_failed_at < now() - make_interval(mins => $1)",
        failure_memory_minutes
    )
    .execute(pool)
    .await?;
    sqlx::query!(
        "DELETE FROM post_password_tries WHERE last_tried_at < now() - make_interval(mins => $1)",
        failure_memory_minutes
    )
    .execute(pool)
    .await?;
    sqlx::query!("DELETE FROM sign_in_links WHERE expires_at <= now()")
        .execute(pool)
        .await?;
    sqlx::query!("DELETE FROM sign_in_devices WHERE last_signed_in_at < now() - interval '1 year'")
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn create_api_token(
    pool: &PgPool,
    user_id: i64,
    name: &str,
    token_hash: &[u8],
) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        "INSERT INTO api_tokens (user_id, name, token_hash) VALUES ($1, $2, $3) RETURNING id",
        user_id,
        name,
        token_hash,
    )
    .fetch_one(pool)
    .await
}

pub async fn api_tokens(pool: &PgPool, user_id: i64) -> sqlx::Result<Vec<ApiToken>> {
    sqlx::query_as!(
        ApiToken,
        "SELECT id, name, created_at, last_used_at FROM api_tokens
         WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC",
        user_id,
    )
    .fetch_all(pool)
    .await
}

/// Revokes one of a person's tokens; `false` when they have no such token.
pub async fn revoke_api_token(pool: &PgPool, user_id: i64, token_id: i64) -> sqlx::Result<bool> {
    let revoked = sqlx::query!(
        "UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
        token_id,
        user_id,
    )
    .execute(pool)
    .await?;
    Ok(revoked.rows_affected() == 1)
}

/// The account an API token acts for, unless it was revoked; notes that it was used.
pub async fn token_account(pool: &PgPool, token_hash: &[u8]) -> sqlx::Result<Option<Account>> {
    let row = sqlx::query_as!(
        AccountRow,
        r#"
        UPDATE api_tokens t SET last_used_at = now()
        FROM users u
        WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.id = t.user_id
          AND u.password_hash IS NOT NULL AND u.disabled_at IS NULL
        RETURNING u.id, u.slug, u.display_name, u.email, u.role
        "#,
        token_hash,
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(AccountRow::account))
}

/// Makes attempts to sign in to this e-mail address (its hash) wait for each other until the
/// transaction ends, so that each sees the failures of those before it.
pub async fn lock_sign_ins(conn: &mut PgConnection, email_hash: &[u8]) -> sqlx::Result<()> {
    let mut key = [0u8; 8];
    key.copy_from_slice(&email_hash[..8]);
    sqlx::query!("SELECT pg_advisory_xact_lock($1)", i64::from_be_bytes(key))
        .execute(conn)
        .await?;
    Ok(())
}

/// Failed sign-ins noted against one subject.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Failures {
    pub count: i32,
    pub seconds_since_last: f64,
}

/// The failed sign-ins to an e-mail address (its hash) from one client address, or with `None`,
/// from every client without a device cookie for the account.
pub async fn sign_in_failures(
    conn: &mut PgConnection,
    email_hash: &[u8],
    client_address: Option<&str>,
) -> sqlx::Result<Option<Failures>> {
    let row = sqlx::query!(
        r#"SELECT failures, extract(epoch FROM now() - last_failed_at)::float8 AS "seconds!"
           FROM sign_in_failures
           WHERE email_hash = $1 AND client_address IS NOT DISTINCT FROM $2::text::inet"#,
        email_hash,
        client_address,
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|row| Failures {
        count: row.failures,
        seconds_since_last: row.seconds,
    }))
}

/// Counts a failed sign-in to an e-mail address (its hash) from a client address, or with `None`
/// against all clients without a device cookie; the count starts again after `forget_after`
/// seconds without a failure.
pub async fn note_sign_in_failure(
    conn: &mut PgConnection,
    email_hash: &[u8],
    client_address: Option<&str>,
    forget_after: f64,
) -> sqlx::Result<()> {
    sqlx::query!(
        r#"
        INSERT INTO sign_in_failures AS f (email_hash, client_address, failures, last_failed_at)
        VALUES ($1, $2::text::inet, 1, now())
        ON CONFLICT (email_hash, client_address) DO UPDATE
        SET failures = CASE WHEN f.last_failed_at < now() - make_interval(secs => $3)
                            THEN 1 ELSE f.failures + 1 END,
            last_failed_at = now()
        "#,
        email_hash,
        client_address,
        forget_after,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Takes back the failure noted for a sign-in that succeeded, and forgets the earlier failures
/// from its client address.
pub async fn forget_sign_in_failures(
    pool: &PgPool,
    email_hash: &[u8],
    client_address: &str,
) -> sqlx::Result<()> {
    sqlx::query!(
        r#"
        WITH from_client AS (
            DELETE FROM sign_in_failures WHERE email_hash = $1 AND client_address = $2::text::inet
        )
        UPDATE sign_in_failures SET failures = failures - 1
        WHERE email_hash = $1 AND client_address IS NULL AND failures > 0
        "#,
        email_hash,
        client_address,
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// How many sign-ins with this device cookie (its hash) failed since its last success, when it
/// signed in to the account with this e-mail address before.
pub async fn device_failures(
    conn: &mut PgConnection,
    device_hash: &[u8],
    email: &str,
) -> sqlx::Result<Option<i32>> {
    sqlx::query_scalar!(
        "SELECT d.failures FROM sign_in_devices d JOIN users u ON u.id = d.user_id
         WHERE d.token_hash = $1 AND lower(u.email) = lower($2)",
        device_hash,
        email,
    )
    .fetch_optional(conn)
    .await
}

pub async fn note_device_failure(
    conn: &mut PgConnection,
    device_hash: &[u8],
    email: &str,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE sign_in_devices d SET failures = failures + 1 FROM users u
         WHERE d.token_hash = $1 AND u.id = d.user_id AND lower(u.email) = lower($2)",
        device_hash,
        email,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Notes that the browser with this device cookie (its hash) signed in to an account; each
/// account remembers its `keep` most recent browsers.
pub async fn trust_device(
    pool: &PgPool,
    device_hash: &[u8],
    user_id: i64,
    keep: i64,
) -> sqlx::Result<()> {
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "INSERT INTO sign_in_devices (token_hash, user_id) VALUES ($1, $2)
         ON CONFLICT (token_hash, user_id) DO UPDATE SET failures = 0, last_signed_in_at = now()",
        device_hash,
        user_id,
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "DELETE FROM sign_in_devices WHERE user_id = $1 AND token_hash NOT IN (
             SELECT token_hash FROM sign_in_devices WHERE user_id = $1
             ORDER BY last_signed_in_at DESC LIMIT $2)",
        user_id,
        keep,
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}
