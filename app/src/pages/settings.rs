//! `/dashboard/settings`: administrators change the blog's title, tagline and language, its time
//! zone, date format and posts per page, whether new posts take comments, and how comments are
//! screened, in the browser. `fieldnotes site` and `fieldnotes comments` change the same
//! settings from the command line.

// The form's fields are the arguments of the server function it posts to, one each.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use leptos_meta::{Meta, Title};

use crate::components::{ErrorNotice, Site};
use crate::error::AppError;
use crate::model::{DateFormat, SiteSettings};
use crate::pages::SignInFirst;
use crate::settings::{
    MAX_POSTS_PER_PAGE, MAX_TAGLINE_CHARS, MAX_TITLE_CHARS, MAX_WRITING_SECONDS,
};

#[server(endpoint = "site_settings")]
pub async fn get_site_settings() -> Result<SiteSettings, AppError> {
    let pool = crate::context::pool()?;
    crate::auth::require_admin()?;
    Ok(crate::db::site::site_settings(&pool).await?)
}

/// Saves every setting at once; a checkbox left unticked is sent as no value at all.
#[server(endpoint = "save_site_settings")]
pub async fn save_site_settings(
    title: String,
    tagline: String,
    language: String,
    #[server(default)] comments_open_by_default: Option<String>,
    #[server(default)] show_pings: Option<String>,
    spam_words: String,
    min_writing_seconds: String,
    time_zone: String,
    date_format: String,
    posts_per_page: String,
) -> Result<(), AppError> {
    use crate::settings;
    let pool = crate::context::pool()?;
    crate::auth::require_admin()?;
    let refused = |reason: String| AppError::BadRequest(format!("Not saved: {reason}."));
    let min_writing_seconds = min_writing_seconds
        .trim()
        .parse()
        .map_err(|_| refused("the shortest writing time must be a whole number of seconds".into()))
        .and_then(|seconds| settings::min_writing_seconds(seconds).map_err(refused))?;
    let site = SiteSettings {
        title: settings::site_title(&title).map_err(refused)?,
        tagline: settings::site_tagline(&tagline).map_err(refused)?,
        language: settings::language_tag(&language).map_err(refused)?,
        comments_open_by_default: comments_open_by_default.is_some(),
        show_pings: show_pings.is_some(),
        spam_words: settings::spam_words(&spam_words),
        min_writing_seconds,
        time_zone: settings::time_zone(&time_zone).map_err(refused)?,
        date_format: settings::date_format(&date_format).map_err(refused)?,
        posts_per_page: settings::posts_per_page(&posts_per_page).map_err(refused)?,
    };
    crate::db::site::set_site_settings(&pool, &site)
        .await
        .map_err(|error| match error {
            crate::db::site::SettingsError::Database(error) => AppError::from(error),
            unknown => refused(unknown.to_string()),
        })
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    let save = ServerAction::<SaveSiteSettings>::new();
    let settings = Resource::new(move || save.version().get(), |_| get_site_settings());
    let site = expect_context::<Site>();
    Effect::new(move |_| {
        if matches!(save.value().get(), Some(Ok(()))) {
            site.0.refetch();
        }
    });
    view! {
        <Title text="Settings" />
        <Meta name="robots" content="noindex" />
        <section class="dashboard settings">
            <h1>"Settings"</h1>
            <p><a href="/dashboard">"← Dashboard"</a></p>
            <Transition fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match settings.await {
                        Ok(settings) => view! { <SettingsForm settings save /> }.into_any(),
                        Err(AppError::Unauthorized(_)) => view! { <SignInFirst /> }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn SettingsForm(settings: SiteSettings, save: ServerAction<SaveSiteSettings>) -> impl IntoView {
    view! {
        <ActionForm action=save attr:class="settings-form">
            <h2>"The blog"</h2>
            <p class="field">
                <label for="settings-title">"Title"</label>
                <input id="settings-title" type="text" name="title" value=settings.title maxlength=MAX_TITLE_CHARS required />
            </p>
            <p class="field">
                <label for="settings-tagline">"Tagline, the line under the title (may be empty)"</label>
                <input id="settings-tagline" type="text" name="tagline" value=settings.tagline maxlength=MAX_TAGLINE_CHARS />
            </p>
            <p class="field">
                <label for="settings-language">"Language the blog is written in (a tag such as en, zh or zh-Hant; a post can have its own)"</label>
                <input id="settings-language" type="text" name="language" value=settings.language maxlength="35" required />
            </p>
            <h2>"Reading"</h2>
            <p class="field">
                <label for="settings-time-zone">"Time zone, in which dates are written (a name such as UTC, Europe/Berlin or Asia/Shanghai)"</label>
                <input id="settings-time-zone" type="text" name="time_zone" value=settings.time_zone maxlength="64" required />
            </p>
            <p class="field">
                <label for="settings-date-format">"Date format"</label>
                <select id="settings-date-format" name="date_format">
                    {DateFormat::ALL.into_iter().map(|format| {
                        let example = crate::format::day(
                            chrono::DateTime::<chrono::Utc>::from_timestamp(1_240_142_400, 0).unwrap_or_default(),
                            format,
                        );
                        view! {
                            <option value=format.code() selected=format == settings.date_format>{example}</option>
                        }
                    }).collect_view()}
                </select>
            </p>
            <p class="field">
                <label for="settings-posts-per-page">{format!("Posts on a page of a listing or a search (1 to {MAX_POSTS_PER_PAGE})")}</label>
                <input id="settings-posts-per-page" type="number" name="posts_per_page" min="1" max=MAX_POSTS_PER_PAGE value=settings.posts_per_page required />
            </p>
            <h2>"Comments"</h2>
            <p class="field">
                <label>
                    <input type="checkbox" name="comments_open_by_default" value="on" checked=settings.comments_open_by_default />
                    " New posts take comments unless their writer closes them"
                </label>
            </p>
            <p class="field">
                <label>
                    <input type="checkbox" name="show_pings" value="on" checked=settings.show_pings />
                    " List pingbacks and trackbacks under posts, apart from the comments"
                </label>
            </p>
            <p class="field">
                <label for="settings-spam-words">"Words that send a comment to the spam queue, separated by commas"</label>
                <textarea id="settings-spam-words" name="spam_words" rows="3">{settings.spam_words.join(", ")}</textarea>
            </p>
            <p class="field">
                <label for="settings-writing-seconds">{format!("A comment sent sooner than this many seconds after its form appeared goes to the spam queue (0 to {MAX_WRITING_SECONDS})")}</label>
                <input id="settings-writing-seconds" type="number" name="min_writing_seconds" min="0" max=MAX_WRITING_SECONDS value=settings.min_writing_seconds required />
            </p>
            {move || save.value().get().map(|saved| match saved {
                Ok(()) => view! { <p class="notice" role="status">"Saved."</p> }.into_any(),
                Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
            })}
            <button type="submit">"Save the settings"</button>
        </ActionForm>
    }
}
