//! The blog's name and tagline at the top of every page, the language of the page, and the
//! facts about the blog every page needs.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_meta::Html;
use leptos_router::components::A;

use crate::components::AccountLinks;
use crate::error::AppError;
use crate::model::SiteInfo;

#[server]
pub async fn get_site_info() -> Result<SiteInfo, AppError> {
    let pool = crate::context::pool()?;
    Ok(crate::db::site::site_info(&pool, &crate::context::public_url()?).await?)
}

/// The blog's name, tagline and address, loaded once per visit and shared by every page.
#[derive(Clone, Copy)]
pub struct Site(pub Resource<Result<SiteInfo, AppError>>);

impl Site {
    /// The blog's facts, or neutral ones while they cannot be read.
    pub async fn info(self) -> SiteInfo {
        self.0.await.unwrap_or_else(|_| SiteInfo::neutral())
    }
}

/// A day as the blog writes it, in its time zone and date format.
#[component]
pub fn SiteDate(date: DateTime<Utc>) -> impl IntoView {
    let site = use_context::<Site>();
    let written = move || {
        let info = site
            .and_then(|site| site.0.get())
            .and_then(Result::ok)
            .unwrap_or_else(SiteInfo::neutral);
        crate::format::site_date(date, &info)
    };
    view! { <time datetime=date.to_rfc3339()>{written}</time> }
}

/// Whether a page is loading during navigation in the browser.
#[derive(Clone, Copy)]
pub struct Loading(pub RwSignal<bool>);

pub fn provide_site() {
    provide_context(Site(Resource::new(|| (), |_| get_site_info())));
    provide_context(Loading(RwSignal::new(false)));
}

#[component]
pub fn SiteHeader() -> impl IntoView {
    let site = expect_context::<Site>();
    let Loading(loading) = expect_context::<Loading>();
    view! {
        <header class="site-header">
            <Suspense fallback=|| view! { <p class="site-title">"Fieldnotes"</p> }>
                {move || Suspend::new(async move {
                    let site = site.info().await;
                    view! {
                        <Html {..} lang=site.language />
                        <p class="site-title">
                            <A href="/">{site.title}</A>
                        </p>
                        <p class="site-tagline">{site.tagline}</p>
                    }
                })}
            </Suspense>
            <AccountLinks />
            <div class="loading-bar" class:active=move || loading.get() role="status" aria-live="polite">
                {move || loading.get().then_some("Loading…")}
            </div>
        </header>
    }
}
