use leptos::prelude::*;
use leptos_router::components::A;

use crate::error::AppError;
use crate::model::SiteInfo;

#[server]
pub async fn get_site_info() -> Result<SiteInfo, AppError> {
    let pool = crate::db::pool()?;
    Ok(crate::db::site::site_info(&pool).await?)
}

/// The blog's name and tagline, loaded once per visit and shared by every page.
#[derive(Clone, Copy)]
pub struct Site(pub Resource<Result<SiteInfo, AppError>>);

impl Site {
    /// The blog's name, or a neutral one while it cannot be read.
    pub async fn title(self) -> String {
        self.0
            .await
            .map(|site| site.title)
            .unwrap_or_else(|_| "Fieldnotes".to_string())
    }
}

pub fn provide_site() {
    provide_context(Site(Resource::new(|| (), |_| get_site_info())));
}

#[component]
pub fn SiteHeader() -> impl IntoView {
    let Site(site) = expect_context::<Site>();
    view! {
        <header class="site-header">
            <Suspense fallback=|| view! { <p class="site-title">"Fieldnotes"</p> }>
                {move || Suspend::new(async move {
                    let site = site.await.unwrap_or_else(|_| SiteInfo {
                        title: "Fieldnotes".to_string(),
                        tagline: String::new(),
                    });
                    view! {
                        <p class="site-title">
                            <A href="/">{site.title}</A>
                        </p>
                        <p class="site-tagline">{site.tagline}</p>
                    }
                })}
            </Suspense>
        </header>
    }
}
