//! What administrators change of the blog's people (roles, one-time sign-in links, turning
//! accounts off, removing them) and what people change of their own account (name, bio,
//! password). Who may do which is decided by the callers; the one rule kept here, under a lock,
//! is that the blog always keeps an administrator who can sign in.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use super::accounts::end_sessions_of;
use crate::model::{Account, Role};

/// A person's name and bio as they edit them on their account page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub name: String,
    pub bio: String,
}

/// How many other administrators could still sign in without `user_id`. Locks them all until the
/// transaction ends, so that two administrators cannot each demote the other at once.
pub async fn other_admins(conn: &mut PgConnection, user_id: i64) -> sqlx::Result<usize> {
    let admins = sqlx::query_scalar!(
        r#"
        SELECT id FROM users
        WHERE role = 'admin' AND password_hash IS NOT NULL AND disabled_at IS NULL AND id <> $1
        FOR UPDATE
        "#,
        user_id
    )
    .fetch_all(conn)
    .await?;
    Ok(admins.len())
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
        end_sessions_of(conn, user_id).await?;
    }
    Ok(changed.rows_affected() == 1)
}

/// Removes an account; its posts and pages become `heir_id`'s. Its comments stay, under the
/// name they were written with.
pub async fn remove_person(
    conn: &mut PgConnection,
    user_id: i64,
    heir_id: i64,
) -> sqlx::Result<bool> {
    sqlx::query!(
        "UPDATE posts SET author_id = $2 WHERE author_id = $1",
        user_id,
        heir_id
    )
    .execute(&mut *conn)
    .await?;
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

/// Stores a one-time sign-in link (the hash of its secret) for a person, replacing any they had.
pub async fn create_sign_in_link(
    conn: &mut PgConnection,
    user_id: i64,
    created_by: i64,
    token_hash: &[u8],
    expires_at: DateTime<Utc>,
) -> sqlx::Result<()> {
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

/// Uses up a sign-in link: sets its person's password and ends their other sessions. `None` when
/// the link is unknown, used or out of time.
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
    end_sessions_of(&mut tx, user_id).await?;
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

/// Sets a person's own new password and ends their sessions but the one they changed it in.
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
    sqlx::query!(
        "DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2",
        user_id,
        kept_session_hash
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}
