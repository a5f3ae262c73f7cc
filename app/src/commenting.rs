//! The rules of commenting, for the post page's form and the API alike: what a comment must
//! hold, when it appears at once (a signed-in person, or a browser whose comments were approved
//! before), when it waits for moderation, and what sends it to the spam queue: the hidden field
//! filled in, a form sent too soon after it was shown, too many comments from one address, too
//! many links, or a word from the blog's list.

use chrono::Utc;
use sqlx::PgPool;

use crate::db::{self, comments::NewComment};
use crate::error::AppError;
use crate::html;
use crate::model::{
    Account, CommentInput, CommentOutcome, CommentQueue, CommentStatus, QueuedComment,
};

pub const MAX_BODY_CHARS: usize = 10_000;
const MAX_NAME_CHARS: usize = 100;
const MAX_EMAIL_CHARS: usize = 254;
const MAX_WEBSITE_CHARS: usize = 300;
/// More comments than this from one address within the window go to the spam queue.
const MAX_COMMENTS_PER_ADDRESS: i64 = 5;
const ADDRESS_WINDOW_MINUTES: i32 = 10;
/// A comment with more links than this goes to the spam queue.
const MAX_LINKS: usize = 2;

/// Who is commenting: a signed-in person, and in any case the address the comment came from and
/// the hash of the token (the commenter cookie) that lets its writer see it while it waits and
/// makes later comments from the same browser appear at once once one was approved.
pub struct Commenter<'a> {
    pub account: Option<&'a Account>,
    pub address: String,
    pub token_hash: Option<&'a [u8]>,
}

/// Checks a comment, decides its status and stores it: its id and what became of it.
pub async fn post_comment(
    pool: &PgPool,
    commenter: &Commenter<'_>,
    input: &CommentInput,
) -> Result<(i64, CommentOutcome), AppError> {
    let bad = |message: String| Err(AppError::BadRequest(message));
    match db::comments::comments_open(pool, input.post_id).await? {
        None => return Err(AppError::NotFound("this post".to_string())),
        Some(false) => {
            return Err(AppError::Forbidden(
                "Comments are closed on this post.".to_string(),
            ));
        }
        Some(true) => {}
    }
    let texts = [&input.name, &input.email, &input.website, &input.body];
    if texts.iter().any(|text| text.contains('\0')) {
        return bad("The comment contains a NUL character, which text cannot hold.".to_string());
    }
    let body = input.body.trim();
    if body.is_empty() {
        return bad("Write something before sending the comment.".to_string());
    }
    if body.chars().count() > MAX_BODY_CHARS {
        return bad(format!(
            "A comment can be at most {MAX_BODY_CHARS} characters long; this one has {}.",
            body.chars().count()
        ));
    }
    if let Some(parent) = input.parent_id
        && !db::comments::is_approved_comment_of(pool, parent, input.post_id).await?
    {
        return bad("The comment this one answers is not on this post.".to_string());
    }
    let (name, email, website) = match commenter.account {
        Some(account) => (account.name.clone(), account.email.clone(), String::new()),
        None => checked_identity(input)?,
    };

    let status = if is_spam(pool, commenter, input, body).await? {
        "spam"
    } else if is_trusted(pool, commenter, &name, &email).await? {
        "approved"
    } else {
        "pending"
    };
    // Comments are kept as HTML, as WordPress keeps them; a reader's text is escaped so that it
    // shows exactly as typed.
    let stored_body = html::text_as_html(body);
    let id = db::comments::insert_comment(
        pool,
        &NewComment {
            post_id: input.post_id,
            parent_id: input.parent_id,
            user_id: commenter.account.map(|account| account.id),
            author_name: &name,
            author_email: &email,
            author_url: &website,
            author_ip: &commenter.address,
            body: &stored_body,
            status,
            commenter_token_hash: commenter.token_hash,
        },
    )
    .await?;
    let outcome = if status == "approved" {
        CommentOutcome::Published
    } else {
        CommentOutcome::AwaitingModeration
    };
    Ok((id, outcome))
}

const QUEUE_PAGE_SIZE: i64 = 30;

/// The posts whose comments this person moderates: everyone's for editors and administrators
/// (`None`), their own for authors.
fn moderated_posts_of(account: &Account) -> Option<i64> {
    (!account.may_edit(None)).then_some(account.id)
}

/// A moderation queue: the comments with this status that this person may moderate.
pub async fn queue(
    pool: &PgPool,
    account: &Account,
    status: CommentStatus,
    before: Option<i64>,
) -> Result<CommentQueue, AppError> {
    let mut rows = db::comments::moderation_queue(
        pool,
        status.as_str(),
        moderated_posts_of(account),
        before,
        QUEUE_PAGE_SIZE + 1,
    )
    .await?;
    let next_before = if rows.len() as i64 > QUEUE_PAGE_SIZE {
        rows.truncate(QUEUE_PAGE_SIZE as usize);
        rows.last().map(|row| row.id)
    } else {
        None
    };
    let comments = rows
        .into_iter()
        .map(|row| QueuedComment {
            id: row.id,
            post_slug: row.post_slug,
            post_title: row.post_title,
            author_name: html::plain_text(&row.author_name),
            author_email: row.author_email,
            author_url: row.author_url,
            body: html::plain_paragraphs(&row.body),
            is_ping: row.kind != "comment",
            created_at: row.created_at,
        })
        .collect();
    Ok(CommentQueue {
        comments,
        next_before,
    })
}

/// Approves, holds, marks as spam or trashes comments; only those this person moderates change.
/// How many did.
pub async fn moderate(
    pool: &PgPool,
    account: &Account,
    ids: &[i64],
    status: CommentStatus,
) -> Result<u64, AppError> {
    if ids.is_empty() || ids.len() > 500 {
        return Err(AppError::BadRequest(
            "Choose between 1 and 500 comments.".to_string(),
        ));
    }
    let changed =
        db::comments::set_comment_status(pool, ids, status.as_str(), moderated_posts_of(account))
            .await?;
    if changed == 0 {
        return Err(AppError::Forbidden(
            "None of these comments is on a post you may moderate.".to_string(),
        ));
    }
    Ok(changed)
}

/// Whether a comment appears at once: a signed-in person's, or one from the browser (its
/// commenter cookie) that wrote an approved comment before under the same name and e-mail
/// address. A name or an e-mail address proves nothing, since anyone can type them: alone they
/// never make a comment trusted, and one of the blog's own people's in an anonymous comment
/// always makes it wait.
async fn is_trusted(
    pool: &PgPool,
    commenter: &Commenter<'_>,
    name: &str,
    email: &str,
) -> Result<bool, AppError> {
    if commenter.account.is_some() {
        return Ok(true);
    }
    let Some(token_hash) = commenter.token_hash else {
        return Ok(false);
    };
    if db::accounts::is_staff_identity(pool, name, email).await? {
        return Ok(false);
    }
    Ok(db::comments::is_known_commenter(pool, token_hash, name, email).await?)
}

/// A reader's name, e-mail address and website, checked.
fn checked_identity(input: &CommentInput) -> Result<(String, String, String), AppError> {
    let bad = |message: &str| Err(AppError::BadRequest(message.to_string()));
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return bad("Give your name (at most 100 characters).");
    }
    let email = input.email.trim();
    let email_ok = email.len() <= MAX_EMAIL_CHARS
        && !email.chars().any(char::is_whitespace)
        && email
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'));
    if !email_ok {
        return bad("Give an e-mail address (it is never shown).");
    }
    let website = input.website.trim();
    let website_ok = website.is_empty()
        || (website.chars().count() <= MAX_WEBSITE_CHARS
            && (website.starts_with("https://") || website.starts_with("http://"))
            && !website.chars().any(char::is_whitespace));
    if !website_ok {
        return bad("A website must be an address beginning with https:// or http://.");
    }
    Ok((name.to_string(), email.to_string(), website.to_string()))
}

async fn is_spam(
    pool: &PgPool,
    commenter: &Commenter<'_>,
    input: &CommentInput,
    body: &str,
) -> Result<bool, AppError> {
    if commenter.account.is_some() {
        return Ok(false);
    }
    let settings = db::site::comment_settings(pool).await?;
    let written_for = Utc::now().timestamp_millis() - input.shown_at;
    let min_writing_milliseconds = i64::from(settings.min_writing_seconds) * 1000;
    if !input.homepage.is_empty() || !(min_writing_milliseconds..).contains(&written_for) {
        return Ok(true);
    }
    if link_count(body) > MAX_LINKS {
        return Ok(true);
    }
    let lowered = format!("{} {} {}", input.name, input.website, body).to_lowercase();
    if settings
        .spam_words
        .iter()
        .map(|word| word.trim().to_lowercase())
        .any(|word| !word.is_empty() && lowered.contains(&word))
    {
        return Ok(true);
    }
    Ok(
        db::comments::recent_comments_from(pool, &commenter.address, ADDRESS_WINDOW_MINUTES)
            .await?
            >= MAX_COMMENTS_PER_ADDRESS,
    )
}

fn link_count(text: &str) -> usize {
    let lowered = text.to_lowercase();
    ["http://", "https://", "www."]
        .iter()
        .map(|start| lowered.matches(start).count())
        .sum::<usize>()
        - lowered.matches("://www.").count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_counted_once() {
        assert_eq!(link_count("see https://www.example.org and http://a.b"), 2);
        assert_eq!(link_count("www.example.org www.example.com"), 2);
        assert_eq!(link_count("no links here"), 0);
    }

    #[test]
    fn identities_are_checked() {
        let input = |name: &str, email: &str, website: &str| CommentInput {
            name: name.to_string(),
            email: email.to_string(),
            website: website.to_string(),
            ..CommentInput::default()
        };
        assert!(checked_identity(&input("Ada", "ada@example.org", "")).is_ok());
        assert!(checked_identity(&input("Ada", "ada@example.org", "https://ada.example")).is_ok());
        assert!(checked_identity(&input("", "ada@example.org", "")).is_err());
        assert!(checked_identity(&input("Ada", "not-an-address", "")).is_err());
        assert!(checked_identity(&input("Ada", "ada@example.org", "javascript:alert(1)")).is_err());
    }
}
