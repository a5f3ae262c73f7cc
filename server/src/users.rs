//! `fieldnotes user`: accounts made and changed from the command line, which is how the first
//! administrator of a new blog comes to be.

use std::io::{BufRead, IsTerminal};

use app::auth::hash_password;
use app::db::accounts;
use app::model::Role;
use app::slug::slugify;
use sqlx::PgPool;

use crate::config::UserAction;

/// Why a `fieldnotes user` command could not be carried out.
#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("{0:?} is not an e-mail address")]
    BadEmail(String),
    #[error("the name must not be empty")]
    EmptyName,
    #[error("{0} already has an account; use `fieldnotes user passwd {0}` to set its password")]
    Exists(String),
    #[error("no account has the address {0}")]
    NoSuchAccount(String),
    #[error("{0} cannot sign in yet: set a password with `fieldnotes user passwd {0}` first")]
    CannotSignIn(String),
    #[error("the passwords did not match")]
    Mismatch,
    #[error("no terminal to ask for the password on: use --password-stdin")]
    NoTerminal,
    #[error("cannot read the password: {0}")]
    Read(std::io::Error),
    #[error(transparent)]
    Password(#[from] app::auth::PasswordError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("{0}")]
    Refused(#[from] app::error::AppError),
}

/// Carries out a `fieldnotes user` command; what it did, said for the terminal.
pub async fn run(pool: &PgPool, action: &UserAction) -> Result<String, UserError> {
    match action {
        UserAction::Add {
            email,
            name,
            role,
            password_stdin,
        } => {
            let email = checked_email(email)?;
            let name = name.trim();
            if name.is_empty() {
                return Err(UserError::EmptyName);
            }
            let role = Role::parse(role).unwrap_or(Role::Author);
            let hash = password_hash(*password_stdin, true).await?;
            let slug = Some(slugify(name))
                .filter(|slug| !slug.is_empty())
                .unwrap_or_else(|| "writer".to_string());
            let mut conn = pool.acquire().await?;
            accounts::create_account(&mut conn, &email, name, &slug, role, Some(&hash))
                .await?
                .ok_or_else(|| UserError::Exists(email.clone()))?;
            Ok(format!(
                "{name} <{email}> can now sign in as {}.",
                role.as_str()
            ))
        }
        UserAction::List => {
            let accounts = accounts::list_accounts(pool).await?;
            if accounts.is_empty() {
                return Ok("No accounts yet: add one with `fieldnotes user add`.".to_string());
            }
            let lines: Vec<String> = accounts
                .iter()
                .map(|account| {
                    format!(
                        "{:<32} {:<7} {}{}",
                        account.email,
                        account.role.as_str(),
                        account.name,
                        if account.disabled {
                            " (turned off: cannot sign in)"
                        } else if account.can_sign_in {
                            ""
                        } else {
                            " (no password: cannot sign in)"
                        }
                    )
                })
                .collect();
            Ok(lines.join("\n"))
        }
        UserAction::Passwd {
            email,
            password_stdin,
        } => {
            let email = checked_email(email)?;
            if accounts::account_id(pool, &email).await?.is_none() {
                return Err(UserError::NoSuchAccount(email));
            }
            let hash = password_hash(*password_stdin, false).await?;
            let email_hash = app::auth::email_hash(&email);
            if !accounts::set_password(pool, &email, &email_hash, &hash).await? {
                return Err(UserError::NoSuchAccount(email));
            }
            Ok(format!(
                "The password of {email} was changed; they were signed out everywhere, and failed \
                 sign-ins to the account were forgotten."
            ))
        }
        UserAction::Token { email, name } => {
            let email = checked_email(email)?;
            let Some((account, _)) = accounts::credentials(pool, &email).await? else {
                return Err(match accounts::account_id(pool, &email).await? {
                    Some(_) => UserError::CannotSignIn(email),
                    None => UserError::NoSuchAccount(email),
                });
            };
            Ok(app::auth::issue_api_token(pool, &account, name).await?)
        }
    }
}

fn checked_email(email: &str) -> Result<String, UserError> {
    app::auth::email_address(email).ok_or_else(|| UserError::BadEmail(email.trim().to_string()))
}

/// Reads a password (from the terminal, twice, or from standard input) and hashes it, off the
/// async runtime since both block.
async fn password_hash(from_stdin: bool, new_account: bool) -> Result<String, UserError> {
    tokio::task::spawn_blocking(move || {
        let password = if from_stdin {
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .map_err(UserError::Read)?;
            line.trim_end_matches(['\r', '\n']).to_string()
        } else {
            if !std::io::stdin().is_terminal() {
                return Err(UserError::NoTerminal);
            }
            let prompt = if new_account {
                "Password for the new account: "
            } else {
                "New password: "
            };
            let password = rpassword::prompt_password(prompt).map_err(UserError::Read)?;
            let again =
                rpassword::prompt_password("The same password again: ").map_err(UserError::Read)?;
            if password != again {
                return Err(UserError::Mismatch);
            }
            password
        };
        Ok(hash_password(&password)?)
    })
    .await
    .unwrap_or_else(|error| Err(UserError::Read(std::io::Error::other(error))))
}
