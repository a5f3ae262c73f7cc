//! The rules of writing, in one place for the editor's server functions and the JSON API alike:
//! who may change which post, what a post must hold to be saved or published, how its slug is
//! chosen, and that every body is cleaned before it is stored.

use chrono::{DateTime, Datelike, Utc};
use sqlx::PgPool;

use crate::db::{self, writing::PostFields};
use crate::error::AppError;
use crate::html;
use crate::model::{
    Account, CategoryChoice, DashboardFilter, DashboardListing, EditablePost, PageChoice,
    PagePlace, PostInput, PostKind, PostStatus, PostView, RevisionHistory, SavedPost,
};
use crate::slug::slugify;

pub const MAX_TITLE_CHARS: usize = 300;
pub const MAX_EXCERPT_CHARS: usize = 2_000;
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;
pub const MAX_TAGS: usize = 50;
pub const MAX_TAG_CHARS: usize = 100;
const DASHBOARD_PAGE_SIZE: i64 = 20;
/// The bounds of a page's order among its siblings.
pub const MENU_ORDERS: std::ops::RangeInclusive<i32> = -9999..=9999;
const MAX_REVISIONS_LISTED: i64 = 200;

fn not_found(id: i64) -> AppError {
    AppError::NotFound(format!("post {id}"))
}

/// The post, if this person may change it.
async fn owned_post(
    pool: &PgPool,
    account: &Account,
    id: i64,
) -> Result<db::writing::PostState, AppError> {
    let post = db::writing::post_state(pool, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    if post.kind == PostKind::Page && !account.may_edit(None) {
        Err(pages_for_editors())
    } else if account.may_edit(post.author_id) {
        Ok(post)
    } else {
        Err(AppError::Forbidden(
            "Authors can change only their own posts.".to_string(),
        ))
    }
}

pub async fn editable_post(
    pool: &PgPool,
    account: &Account,
    id: i64,
) -> Result<EditablePost, AppError> {
    owned_post(pool, account, id).await?;
    let mut post = db::writing::editable_post(pool, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    // Bodies kept as text with line breaks, as WordPress keeps them, reach the editor as the
    // paragraphs they show as.
    post.input.body_html = html::paragraphs(&post.input.body_html);
    Ok(post)
}

/// Creates a post (`id` = `None`) or saves a new state of one; every save keeps a revision.
/// When changing a post, `expected_updated_at` (when it was last saved, as the writer saw it)
/// refuses the save if someone or something changed the post since. An empty slug keeps a
/// published post's address (a draft's follows its title), and a published post without a new
/// date keeps its date.
pub async fn save_post(
    pool: &PgPool,
    account: &Account,
    id: Option<i64>,
    input: PostInput,
    autosave: bool,
    expected_updated_at: Option<DateTime<Utc>>,
) -> Result<SavedPost, AppError> {
    let before = match id {
        Some(id) => {
            let post = owned_post(pool, account, id).await?;
            if post.status == PostStatus::Trash {
                return Err(in_trash());
            }
            Some(post)
        }
        None => None,
    };
    let was_public = before
        .as_ref()
        .is_some_and(|post| matches!(post.status, PostStatus::Published | PostStatus::Scheduled));
    let kind = before.as_ref().map_or(input.kind, |post| post.kind);
    if kind == PostKind::Page && !account.may_edit(None) {
        return Err(pages_for_editors());
    }
    let mut input = input;
    if was_public && input.published_at.is_none() && input.status == PostStatus::Published {
        input.published_at = before.as_ref().and_then(|post| post.published_at);
    }
    let place = input.place;
    let mut checked = checked_input(pool, input).await?;
    let mut tx = pool.begin().await?;
    // The post's listings are refreshed once, after all its rows are written, rather than after
    // each of them.
    db::listings::defer_listing_refreshes(&mut tx).await?;
    let place = match kind {
        PostKind::Post => PagePlace::default(),
        PostKind::Page => {
            // Pages stand in the sidebar, not under categories and tags. Changes to where pages
            // stand wait for each other, so that two at once cannot put pages under each other.
            checked.category_ids.clear();
            checked.tags.clear();
            db::writing::lock_page_tree(&mut tx).await?;
            checked_place(&mut tx, id, place).await?
        }
    };
    let slug = match (&checked.slug, &before) {
        (Some(slug), _) => {
            if db::writing::slug_taken(&mut tx, slug, kind, id).await? {
                return Err(slug_taken(slug, kind));
            }
            slug.clone()
        }
        (None, Some(post)) if post.status != PostStatus::Draft => post.slug.clone(),
        (None, _) => {
            let from_title = slugify(&checked.title);
            let base = if from_title.is_empty() {
                "untitled".to_string()
            } else {
                from_title
            };
            db::writing::free_slug(&mut tx, &base, kind, id).await?
        }
    };
    let fields = PostFields {
        kind,
        place,
        title: checked.title,
        body_html: checked.body_html,
        excerpt: checked.excerpt,
        slug,
        status: checked.status,
        published_at: checked.published_at,
        comments_open: match (checked.comments_open, &before) {
            (Some(open), _) => open,
            (None, Some(post)) => post.comments_open,
            // On the transaction's own connection: a save that waited for a second one while
            // holding its first could, with enough saves at once, leave none for anyone.
            (None, None) => db::site::comments_open_by_default(&mut *tx).await?,
        },
        password: match checked.password {
            Some(password) => password,
            None => before.as_ref().and_then(|post| post.password.clone()),
        },
        language: match checked.language {
            Some(language) => language,
            None => before.as_ref().and_then(|post| post.language.clone()),
        },
    };
    if let (Some(id), Some(post)) = (id, &before)
        && !post.has_revisions
    {
        db::writing::keep_revision(&mut tx, id, account.id, false).await?;
    }
    let saved = match id {
        Some(id) => db::writing::update_post(&mut tx, id, &fields, expected_updated_at)
            .await
            .map(|saved_at| saved_at.map(|saved_at| (id, saved_at))),
        None => db::writing::insert_post(&mut tx, account.id, &fields)
            .await
            .map(Some),
    };
    let (post_id, saved_at) = saved
        .map_err(|error| match &error {
            sqlx::Error::Database(db_error) if db_error.is_unique_violation() => {
                slug_taken(&fields.slug, kind)
            }
            _ => AppError::from(error),
        })?
        .ok_or_else(|| {
            AppError::Conflict(
                "This post was changed elsewhere (in another window, or by someone else) since \
                 you opened it, so this save was refused. Copy your text, reload the page and \
                 add your changes again."
                    .to_string(),
            )
        })?;
    db::posts::set_post_categories(&mut tx, post_id, &checked.category_ids).await?;
    let tag_ids = db::terms::tags_named(&mut tx, &checked.tags).await?;
    db::posts::set_post_tags(&mut tx, post_id, &tag_ids).await?;
    db::writing::keep_revision(&mut tx, post_id, account.id, autosave).await?;
    db::search::index_post(&mut tx, post_id).await?;
    record_media(&mut tx, account, post_id, &fields.body_html).await?;
    db::listings::refresh_listings(&mut tx, &[post_id]).await?;
    tx.commit().await?;
    Ok(SavedPost {
        id: post_id,
        slug: fields.slug,
        status: fields.status,
        published_at: fields.published_at,
        saved_at,
        protected: fields.password.is_some(),
    })
}

/// Records which images a post's body uses, as far as this person may see them.
async fn record_media(
    conn: &mut sqlx::PgConnection,
    account: &Account,
    post_id: i64,
    body_html: &str,
) -> Result<(), AppError> {
    let saver = db::media::Viewer {
        id: account.id,
        sees_all: account.may_edit(None),
    };
    let named = html::media_references(body_html);
    Ok(db::media::record_post_media(conn, post_id, &named, Some(saver)).await?)
}

fn pages_for_editors() -> AppError {
    AppError::Forbidden("Pages are written by editors and administrators.".to_string())
}

fn in_trash() -> AppError {
    AppError::Conflict("This post is in the trash: restore it before changing it.".to_string())
}

fn slug_taken(slug: &str, kind: PostKind) -> AppError {
    let address = match kind {
        PostKind::Post => crate::filter::post_href(slug),
        PostKind::Page => crate::filter::page_href(slug),
    };
    AppError::Conflict(format!(
        "Another {} already has the address {address}: choose another slug.",
        kind.as_str()
    ))
}

/// A page's place, if it may stand there: under another page (not itself, nor one under it),
/// with an order in [`MENU_ORDERS`].
async fn checked_place(
    conn: &mut sqlx::PgConnection,
    id: Option<i64>,
    place: PagePlace,
) -> Result<PagePlace, AppError> {
    if !MENU_ORDERS.contains(&place.menu_order) {
        return Err(AppError::BadRequest(format!(
            "The order of a page is a number from {} to {}.",
            MENU_ORDERS.start(),
            MENU_ORDERS.end()
        )));
    }
    if let Some(parent_id) = place.parent_id
        && !db::writing::may_stand_under(conn, id, parent_id).await?
    {
        return Err(AppError::BadRequest(
            "A page stands under another page, never under itself or a page under it.".to_string(),
        ));
    }
    Ok(place)
}

/// The pages a page may stand under, for the people who write pages.
pub async fn page_choices(pool: &PgPool, account: &Account) -> Result<Vec<PageChoice>, AppError> {
    if account.may_edit(None) {
        Ok(db::writing::page_choices(pool).await?)
    } else {
        Ok(Vec::new())
    }
}

/// A post's input, checked and put in the form it is stored in.
struct CheckedInput {
    title: String,
    body_html: String,
    excerpt: String,
    slug: Option<String>,
    status: PostStatus,
    published_at: Option<DateTime<Utc>>,
    category_ids: Vec<i64>,
    tags: Vec<String>,
    /// `None`: keep what the post has.
    comments_open: Option<bool>,
    /// `None`: keep the post's password.
    password: Option<Option<String>>,
    /// `None`: keep the post's language.
    language: Option<Option<String>>,
}

async fn checked_input(pool: &PgPool, input: PostInput) -> Result<CheckedInput, AppError> {
    let bad = |message: &str| Err(AppError::BadRequest(message.to_string()));
    let password = input
        .password
        .as_deref()
        .map(crate::protection::checked_password)
        .transpose()?;
    let language = match input.language.as_deref().map(str::trim) {
        None => None,
        Some("") => Some(None),
        Some(tag) => Some(Some(crate::settings::language_tag(tag).map_err(
            |reason| AppError::BadRequest(format!("The post's language: {reason}.")),
        )?)),
    };
    let texts = [&input.title, &input.body_html, &input.excerpt, &input.slug];
    if texts
        .into_iter()
        .chain(&input.tags)
        .any(|text| text.contains('\0'))
    {
        return bad("The post contains a NUL character, which text cannot hold.");
    }
    if input
        .published_at
        .is_some_and(|at| !(1..=9999).contains(&at.year()))
    {
        return bad("The date must fall between the years 1 and 9999.");
    }
    let title = input.title.trim().to_string();
    if input.title.chars().count() > MAX_TITLE_CHARS {
        return bad(&format!(
            "The title is too long: at most {MAX_TITLE_CHARS} characters."
        ));
    }
    if input.body_html.len() > MAX_BODY_BYTES {
        return bad("The post is too long: at most 2 MB of text.");
    }
    if input.excerpt.chars().count() > MAX_EXCERPT_CHARS {
        return bad(&format!(
            "The excerpt is too long: at most {MAX_EXCERPT_CHARS} characters."
        ));
    }
    let now = Utc::now();
    let (status, published_at) = match input.status {
        PostStatus::Draft => (PostStatus::Draft, input.published_at),
        PostStatus::Published => match input.published_at {
            Some(at) if at > now => (PostStatus::Scheduled, Some(at)),
            Some(at) => (PostStatus::Published, Some(at)),
            None => (PostStatus::Published, Some(now)),
        },
        PostStatus::Scheduled => match input.published_at {
            Some(at) if at > now => (PostStatus::Scheduled, Some(at)),
            _ => return bad("A scheduled post needs a time in the future."),
        },
        PostStatus::Private | PostStatus::Trash => {
            return bad("A post is saved as a draft, published or scheduled.");
        }
    };
    if status != PostStatus::Draft && title.is_empty() {
        return bad("Give the post a title before publishing it.");
    }
    let slug = match input.slug.trim() {
        "" => None,
        given => {
            let slug = slugify(given);
            if slug.is_empty() {
                return bad("The slug needs at least one letter or digit.");
            }
            Some(slug)
        }
    };
    let mut category_ids = input.category_ids;
    category_ids.sort_unstable();
    category_ids.dedup();
    if db::terms::existing_categories(pool, &category_ids).await? != category_ids.len() as i64 {
        return bad("One of the chosen categories does not exist (any more).");
    }
    let tags: Vec<String> = input
        .tags
        .iter()
        .map(|tag| tag.trim().to_string())
        .filter(|tag| !tag.is_empty())
        .collect();
    if tags.len() > MAX_TAGS {
        return bad(&format!("A post can have at most {MAX_TAGS} tags."));
    }
    if tags
        .iter()
        .any(|tag| tag.chars().count() > MAX_TAG_CHARS || slugify(tag).is_empty())
    {
        return bad(&format!(
            "Each tag needs a letter or digit and at most {MAX_TAG_CHARS} characters."
        ));
    }
    Ok(CheckedInput {
        title,
        body_html: html::clean_body(&input.body_html),
        excerpt: input.excerpt.trim().to_string(),
        slug,
        status,
        published_at,
        category_ids,
        tags,
        comments_open: input.comments_open,
        password,
        language,
    })
}

/// A free slug for a post with this title, for the editor to suggest.
pub async fn suggest_slug(
    pool: &PgPool,
    title: &str,
    kind: PostKind,
    id: Option<i64>,
) -> Result<String, AppError> {
    let base = slugify(title);
    if base.is_empty() {
        return Ok(String::new());
    }
    let mut conn = pool.acquire().await?;
    Ok(db::writing::free_slug(&mut conn, &base, kind, id).await?)
}

/// Moves a post to the trash; one already there stays there.
pub async fn trash_post(pool: &PgPool, account: &Account, id: i64) -> Result<(), AppError> {
    owned_post(pool, account, id).await?;
    Ok(db::writing::trash_post(pool, id).await?)
}

pub async fn restore_post(pool: &PgPool, account: &Account, id: i64) -> Result<(), AppError> {
    owned_post(pool, account, id).await?;
    if db::writing::restore_post(pool, id).await? {
        Ok(())
    } else {
        Err(AppError::Conflict(
            "This post is not in the trash.".to_string(),
        ))
    }
}

/// Deletes the posts in the trash for good: administrators only.
pub async fn empty_trash(pool: &PgPool, account: &Account) -> Result<u64, AppError> {
    if !account.is_admin() {
        return Err(AppError::Forbidden(
            "Only administrators can empty the trash.".to_string(),
        ));
    }
    Ok(db::writing::empty_trash(pool).await?)
}

/// The dashboard's list: an author's own posts, or everyone's for editors and administrators.
pub async fn dashboard(
    pool: &PgPool,
    account: &Account,
    filter: &DashboardFilter,
) -> Result<DashboardListing, AppError> {
    let only_author = (!account.may_edit(None)).then_some(account.id);
    Ok(db::writing::dashboard_posts(pool, only_author, filter, DASHBOARD_PAGE_SIZE).await?)
}

/// A post as it will look when published.
pub async fn preview(pool: &PgPool, account: &Account, id: i64) -> Result<PostView, AppError> {
    owned_post(pool, account, id).await?;
    db::posts::preview_post(pool, id)
        .await?
        .ok_or_else(|| not_found(id))
}

/// A post's revisions, and how `compare` (one of them) differs from the post now.
pub async fn history(
    pool: &PgPool,
    account: &Account,
    post_id: i64,
    compare: Option<i64>,
) -> Result<RevisionHistory, AppError> {
    owned_post(pool, account, post_id).await?;
    let post = db::writing::editable_post(pool, post_id)
        .await?
        .ok_or_else(|| not_found(post_id))?;
    let revisions = db::writing::revisions(pool, post_id, MAX_REVISIONS_LISTED).await?;
    let compared = match compare {
        Some(revision_id) => {
            let revision = db::writing::revision(pool, revision_id)
                .await?
                .filter(|revision| revision.post_id == post_id)
                .ok_or_else(|| AppError::NotFound(format!("revision {revision_id}")))?;
            let before = html::text_lines(&revision.revision.title, &revision.body_html);
            let now = html::text_lines(&post.input.title, &post.input.body_html);
            Some((revision.revision, crate::diff::line_diff(&before, &now)))
        }
        None => None,
    };
    Ok(RevisionHistory {
        post_id,
        post_title: post.input.title,
        revisions,
        compared,
    })
}

/// Puts an earlier revision's title, excerpt and body back. The state it replaces was kept by
/// its own save, and the restored state is kept as a new revision, so a restore can be undone.
pub async fn restore_revision(
    pool: &PgPool,
    account: &Account,
    revision_id: i64,
) -> Result<i64, AppError> {
    let revision = db::writing::revision(pool, revision_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("revision {revision_id}")))?;
    let post = owned_post(pool, account, revision.post_id).await?;
    if post.status == PostStatus::Trash {
        return Err(in_trash());
    }
    let mut tx = pool.begin().await?;
    db::writing::restore_revision(&mut tx, revision_id).await?;
    db::writing::keep_revision(&mut tx, revision.post_id, account.id, false).await?;
    db::search::index_post(&mut tx, revision.post_id).await?;
    record_media(&mut tx, account, revision.post_id, &revision.body_html).await?;
    tx.commit().await?;
    Ok(revision.post_id)
}

pub async fn category_choices(pool: &PgPool) -> Result<Vec<CategoryChoice>, AppError> {
    Ok(db::terms::category_choices(pool).await?)
}

/// Creates a category: editors and administrators only.
pub async fn create_category(
    pool: &PgPool,
    account: &Account,
    name: &str,
    parent_id: Option<i64>,
) -> Result<CategoryChoice, AppError> {
    if !account.may_manage_terms() {
        return Err(AppError::Forbidden(
            "Only editors and administrators can create categories.".to_string(),
        ));
    }
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_TAG_CHARS || slugify(name).is_empty() {
        return Err(AppError::BadRequest(format!(
            "A category's name needs a letter or digit and at most {MAX_TAG_CHARS} characters."
        )));
    }
    let id = db::terms::create_category(&mut *pool.acquire().await?, name, parent_id)
        .await?
        .ok_or_else(|| AppError::BadRequest("The parent category does not exist.".to_string()))?;
    let choices = db::terms::category_choices(pool).await?;
    choices
        .into_iter()
        .find(|choice| choice.id == id)
        .ok_or(AppError::Internal)
}
