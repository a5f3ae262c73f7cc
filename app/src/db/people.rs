//! What administrators change of the blog's people (roles, one-time sign-in links, turning
//! accounts off, removing them) and what people change of their own account (name, bio,
//! password). Who may do which is decided by the callers, who keep an administrator who can sign
//! in with [`other_admins`]. Whenever a way into an account changes (a new password, a link used,
//! the account turned off), the other ways that may have leaked end with it.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use crate::model::{Account, Role};

/// A person's name and bio as they edit them on their account page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub name: String,
    pub bio: String,
}

/// How many other administrators could still sign in without `user_id`. Locks them all, and
/// `user_id`, in one order until the transaction ends, so that two administrators cannot each
/// demote the other at once (nor wait for each other forever).
pub async fn other_admins(conn: &mut PgConnection, user_id: i64) -> sqlx::Result<usize> {
    let admins = sqlx::query_scalar!(
        r#"
        SELECT id FROM users
        WHERE (role = 'admin' AND password_hash IS NOT NULL AND disabled_at IS NULL) OR id = $1
        ORDER BY id
        FOR UPDATE
        "#,
        user_id
    )
    .fetch_all(conn)
    .await?;
    Ok(admins.iter().filter(|id| **id != user_id).count())
}

pub async fn set_role(conn: &mut PgConnection, user_id: i64, role: Role) -> sqlx::Result<bool> {
    let changed = sqlx::query!(
        "UPDATE users SET role = $2 WHERE id = $1 AND email IS NOT NULL",
        user_id,
        role.as_str()
    )
    .execute(conn)
    .await?;
    Ok(changed.rows_affected() == 1)
}

/// Turns an account off (ending its sessions; its API tokens stop working while it is off) or
/// on again.
pub async fn set_disabled(
    conn: &mut PgConnection,
    user_id: i64,
    disabled: bool,
) -> sqlx::Result<bool> {
    let changed = sqlx::query!(
        r#"
        UPDATE users
        SET disabled_at = CASE WHEN $2 THEN coalesce(disabled_at, now()) END
        WHERE id = $1 AND email IS NOT NULL
        "#,
        user_id,
        disabled
    )
    .execute(&mut *conn)
    .await?;
    if disabled {
        super::accounts::end_other_access(conn, user_id, None, false).await?;
    }
    Ok(changed.rows_affected() == 1)
}

/// Removes an account; its posts and pages become `heir_id`'s, their listings refreshed once at
/// the end. Its comments stay, under the name they were written with.
pub async fn remove_person(
    conn: &mut PgConnection,
    user_id: i64,
    heir_id: i64,
) -> sqlx::Result<bool> {
    super::listings::defer_listing_refreshes(conn).await?;
    let moved = sqlx::query_scalar!(
        "UPDATE posts SET author_id = $2 WHERE author_id = $1 RETURNING id",
        user_id,
        heir_id
    )
    .fetch_all(&mut *conn)
    .await?;
    super::listings::refresh_listings(conn, &moved).await?;
    let removed = sqlx::query!("DELETE FROM users WHERE id = $1", user_id)
        .execute(conn)
        .await?;
    Ok(removed.rows_affected() == 1)
}

/// Whether an account with this id exists, to receive another's posts.
pub async fn account_exists(conn: &mut PgConnection, user_id: i64) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM users WHERE id = $1 AND email IS NOT NULL) AS "exists!""#,
        user_id
    )
    .fetch_one(conn)
    .await
}

/// Stores a one-time sign-in link (the hash of its secret) for a person, replacing any they had
/// (the person's row is locked meanwhile, so that two at once leave one link).
pub async fn create_sign_in_link(
    conn: &mut PgConnection,
    user_id: i64,
    created_by: i64,
    token_hash: &[u8],
    expires_at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query!("SELECT id FROM users WHERE id = $1 FOR UPDATE", user_id)
        .fetch_optional(&mut *conn)
        .await?;
    sqlx::query!("DELETE FROM sign_in_links WHERE user_id = $1", user_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query!(
        "INSERT INTO sign_in_links (token_hash, user_id, created_by, expires_at) VALUES ($1, $2, $3, $4)",
        token_hash,
        user_id,
        created_by,
        expires_at
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The name and address of the person a sign-in link is for, while it may be used.
pub async fn sign_in_link_holder(
    pool: &PgPool,
    token_hash: &[u8],
) -> sqlx::Result<Option<(String, String)>> {
    let row = sqlx::query!(
        r#"
        SELECT u.display_name, u.email AS "email!" FROM sign_in_links l JOIN users u ON u.id = l.user_id
        WHERE l.token_hash = $1 AND l.expires_at > now() AND u.disabled_at IS NULL
          AND u.email IS NOT NULL
        "#,
        token_hash
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|row| (row.display_name, row.email)))
}

/// Uses up a sign-in link: sets its person's password and ends every other way in (sessions,
/// API tokens, other links), as recovering an account must. `None` when the link is unknown,
/// used or out of time.
pub async fn use_sign_in_link(
    pool: &PgPool,
    token_hash: &[u8],
    password_hash: &str,
) -> sqlx::Result<Option<Account>> {
    let mut tx = pool.begin().await?;
    let Some(user_id) = sqlx::query_scalar!(
        "DELETE FROM sign_in_links WHERE token_hash = $1 AND expires_at > now() RETURNING user_id",
        token_hash
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(None);
    };
    let Some(row) = sqlx::query!(
        r#"
        UPDATE users SET password_hash = $2
        WHERE id = $1 AND disabled_at IS NULL AND email IS NOT NULL
        RETURNING id, slug, display_name, email AS "email!", role
        "#,
        user_id,
        password_hash
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(None);
    };
    super::accounts::end_other_access(&mut tx, user_id, None, true).await?;
    sqlx::query!(
        "DELETE FROM sign_in_failures WHERE email_hash = $1",
        crate::auth::email_hash(&row.email)
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Some(Account {
        id: row.id,
        slug: row.slug,
        name: row.display_name,
        email: row.email,
        role: Role::parse(&row.role).unwrap_or(Role::Author),
    }))
}

pub async fn profile(pool: &PgPool, user_id: i64) -> sqlx::Result<Profile> {
    let row = sqlx::query!("SELECT display_name, bio FROM users WHERE id = $1", user_id)
        .fetch_one(pool)
        .await?;
    Ok(Profile {
        name: row.display_name,
        bio: row.bio,
    })
}

pub async fn set_profile(pool: &PgPool, user_id: i64, profile: &Profile) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE users SET display_name = $2, bio = $3 WHERE id = $1",
        user_id,
        profile.name,
        profile.bio
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Sets a person's own new password and ends their sessions but the one they changed it in, and
/// any sign-in link they had. Their API tokens stay, listed on their account page to revoke.
pub async fn change_own_password(
    pool: &PgPool,
    user_id: i64,
    password_hash: &str,
    kept_session_hash: &[u8],
) -> sqlx::Result<()> {
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "UPDATE users SET password_hash = $2 WHERE id = $1",
        user_id,
        password_hash
    )
    .execute(&mut *tx)
    .await?;
    super::accounts::end_other_access(&mut tx, user_id, Some(kept_session_hash), false).await?;
    tx.commit().await
}
