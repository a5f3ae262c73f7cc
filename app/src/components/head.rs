//! What a page tells browsers, feed readers and other sites about itself: the `<head>`.

use leptos::prelude::*;
use leptos_meta::{Link, Meta, Title};

use crate::model::SiteInfo;

/// The `<head>` of a page: title, description, canonical address, feeds and the OpenGraph
/// preview other sites show. `path` and `feed` are addresses on this site.
#[component]
pub fn PageHead(
    site: SiteInfo,
    /// The page's own title; empty for the home page, which is titled by the blog's name.
    #[prop(into)]
    title: String,
    #[prop(into)] description: String,
    #[prop(into)] path: String,
    /// The RSS feed of what the page lists; the Atom feed sits beside it.
    #[prop(optional, into)]
    feed: Option<String>,
    #[prop(default = None)] image: Option<String>,
    #[prop(optional)] article: bool,
) -> impl IntoView {
    let full_title = if title.is_empty() {
        site.title.clone()
    } else {
        format!("{title} – {}", site.title)
    };
    let absolute = |path: &str| {
        if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{path}", site.url)
        }
    };
    let feed = feed.unwrap_or_else(|| "/feed.xml".to_string());
    let atom = feed.replacen("feed.xml", "atom.xml", 1);
    let feed_title = if title.is_empty() {
        site.title.clone()
    } else {
        full_title.clone()
    };
    view! {
        <Title text=full_title.clone() />
        <Meta name="description" content=description.clone() />
        <Link rel="canonical" href=absolute(&path) />
        <Link rel="alternate" type_="application/rss+xml" title=format!("{feed_title} (RSS)") href=feed />
        <Link rel="alternate" type_="application/atom+xml" title=format!("{feed_title} (Atom)") href=atom />
        <Meta property="og:site_name" content=site.title.clone() />
        <Meta property="og:title" content=if title.is_empty() { site.title.clone() } else { title } />
        <Meta property="og:description" content=description />
        <Meta property="og:type" content=if article { "article" } else { "website" } />
        <Meta property="og:url" content=absolute(&path) />
        {image.map(|image| view! { <Meta property="og:image" content=absolute(&image) /> })}
    }
    .into_any()
}
