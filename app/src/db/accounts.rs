//! People's accounts, their sessions, their API tokens, and failed attempts to sign in.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use crate::model::{Account, ApiToken, Role};

/// An account as `fieldnotes user list` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserListing {
    pub email: String,
    pub name: String,
    pub slug: String,
    pub role: Role,
    pub can_sign_in: bool,
}

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
/// import created); `None` when that person can already sign in.
pub async fn create_account(
    conn: &mut PgConnection,
    email: &str,
    name: &str,
    slug: &str,
    role: Role,
    password_hash: &str,
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

pub async fn list_accounts(pool: &PgPool) -> sqlx::Result<Vec<UserListing>> {
    let rows = sqlx::query!(
        r#"SELECT email AS "email!", display_name, slug, role, password_hash IS NOT NULL AS "can_sign_in!"
           FROM users WHERE email IS NOT NULL ORDER BY lower(email)"#
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| UserListing {
            email: row.email,
            name: row.display_name,
            slug: row.slug,
            role: Role::parse(&row.role).unwrap_or(Role::Author),
            can_sign_in: row.can_sign_in,
        })
        .collect())
}

/// The account with this e-mail address, whether or not it can sign in.
pub async fn account_id(pool: &PgPool, email: &str) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar!("SELECT id FROM users WHERE lower(email) = lower($1)", email)
        .fetch_optional(pool)
        .await
}

/// Sets a person's password, ends all their sessions and revokes their API tokens; `false` when
/// no one has this address.
pub async fn set_password(pool: &PgPool, email: &str, password_hash: &str) -> sqlx::Result<bool> {
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
    end_sessions_of(&mut tx, id).await?;
    sqlx::query!(
        "UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL",
        id
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// The account with this e-mail address and its password hash, if it can sign in.
pub async fn credentials(pool: &PgPool, email: &str) -> sqlx::Result<Option<(Account, String)>> {
    let row = sqlx::query!(
        r#"SELECT id, slug, display_name, email, role, password_hash AS "password_hash!"
           FROM users WHERE lower(email) = lower($1) AND password_hash IS NOT NULL"#,
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

/// The account a session token belongs to, while the session lasts.
pub async fn session_account(pool: &PgPool, token_hash: &[u8]) -> sqlx::Result<Option<Account>> {
    let row = sqlx::query_as!(
        AccountRow,
        r#"
        SELECT u.id, u.slug, u.display_name, u.email, u.role
        FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.token_hash = $1 AND s.expires_at > now() AND u.password_hash IS NOT NULL
        "#,
        token_hash,
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

/// Forgets sessions that have ended and failed sign-ins older than a day.
pub async fn forget_expired(pool: &PgPool) -> sqlx::Result<()> {
    sqlx::query!("DELETE FROM sessions WHERE expires_at <= now()")
        .execute(pool)
        .await?;
    sqlx::query!("DELETE FROM failed_sign_ins WHERE failed_at < now() - interval '1 day'")
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
        WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.id = t.user_id AND u.password_hash IS NOT NULL
        RETURNING u.id, u.slug, u.display_name, u.email, u.role
        "#,
        token_hash,
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(AccountRow::account))
}

/// Notes an attempt to sign in against each subject (an account, an address), counted as failed
/// until [`forget_attempt`] takes it back; the ids of the notes.
pub async fn record_sign_in_attempt(pool: &PgPool, subjects: &[String]) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar!(
        "INSERT INTO failed_sign_ins (subject) SELECT unnest($1::text[]) RETURNING id",
        subjects
    )
    .fetch_all(pool)
    .await
}

/// Takes back the notes of an attempt that succeeded, with the account's earlier failures.
pub async fn forget_attempt(pool: &PgPool, ids: &[i64], account_subject: &str) -> sqlx::Result<()> {
    sqlx::query!(
        "DELETE FROM failed_sign_ins WHERE id = ANY($1) OR subject = $2",
        ids,
        account_subject
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// How many sign-ins failed for a subject in the last `minutes`.
pub async fn recent_failures(pool: &PgPool, subject: &str, minutes: i32) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM failed_sign_ins
           WHERE subject = $1 AND failed_at > now() - make_interval(mins => $2)"#,
        subject,
        minutes,
    )
    .fetch_one(pool)
    .await
}
