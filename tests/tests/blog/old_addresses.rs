//! A blog moved from WordPress keeps its addresses: every post and page of WordPress's theme
//! unit test export is found at its old permalink (with or without the trailing slash) and at
//! `/?p=ID` or `/?page_id=ID` while it is published, and at none of them while it is not;
//! WordPress's archives and feeds lead to the same listings here.

use std::fs::File;
use std::io::BufReader;

use integration_tests::{Request, TestApp, fixture, import_fixture};
use percent_encoding::percent_decode_str;
use reqwest::StatusCode;
use reqwest::header;
use server::import::wordpress_path;
use server::import::wxr::{Record, WxrReader};
use sqlx::PgPool;

const EXPORT: &str = "themeunittestdata.wordpress.xml";

/// The posts and pages of the export: their WordPress id and permalink.
fn exported_items() -> Vec<(i64, String, String)> {
    let file = File::open(fixture(EXPORT)).unwrap();
    let mut reader = WxrReader::new(BufReader::new(file));
    let mut items = Vec::new();
    while let Some(record) = reader.next_record().unwrap() {
        if let Record::Item(item) = record
            && (item.post_type == "post" || item.post_type == "page")
            && let Some(id) = item.post_id
        {
            items.push((id, item.post_type.clone(), item.link.clone()));
        }
    }
    items
}

/// Where a post or page imported from WordPress's `wp_post_id` is read here, if readers may see
/// it.
async fn address_here(pool: &PgPool, wp_post_id: i64) -> Option<String> {
    let (kind, slug, public): (String, String, bool) = sqlx::query_as(
        "SELECT kind, slug, is_public(status, published_at) FROM posts WHERE wp_post_id = $1",
    )
    .bind(wp_post_id)
    .fetch_one(pool)
    .await
    .unwrap();
    let section = if kind == "page" { "pages" } else { "posts" };
    public.then(|| format!("/{section}/{}", app::filter::escape_url_part(&slug)))
}

/// The status of `GET path`, and where it leads, percent-decoded.
async fn location(app: &TestApp, path: &str) -> (StatusCode, String) {
    let reply = Request::get(path).with_origin(None).send(app).await;
    (reply.status, decoded(&reply.header(header::LOCATION)))
}

fn decoded(address: &str) -> String {
    percent_decode_str(address).decode_utf8_lossy().into_owned()
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn every_old_permalink_leads_to_its_post(pool: PgPool) {
    import_fixture(&pool, EXPORT).await.unwrap();
    let app = TestApp::spawn(pool.clone()).await;
    let items = exported_items();
    let mut published = 0;
    for (id, post_type, link) in &items {
        let here = address_here(&pool, *id).await;
        let query = if post_type == "page" { "page_id" } else { "p" };
        let mut old_addresses = vec![format!("/?{query}={id}")];
        if let Some(path) = wordpress_path(link) {
            let encoded = path
                .split('/')
                .map(app::filter::escape_url_part)
                .collect::<Vec<_>>()
                .join("/");
            old_addresses.push(format!("{encoded}/"));
            old_addresses.push(encoded);
        }
        for old in old_addresses {
            let (status, location) = location(&app, &old).await;
            match &here {
                Some(here) => {
                    assert_eq!(status, StatusCode::MOVED_PERMANENTLY, "{old} ({link})");
                    assert_eq!(location, decoded(here), "{old} ({link})");
                }
                None => assert_ne!(
                    status,
                    StatusCode::MOVED_PERMANENTLY,
                    "{old}: not published"
                ),
            }
        }
        if let Some(here) = &here {
            published += 1;
            assert_eq!(app.get(here).await.0, 200, "{here}");
        }
    }
    assert!(
        published > 50,
        "the export's published posts and pages: {published}"
    );
    assert!(items.len() > published, "and some that are not published");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn wordpress_archives_and_feeds_lead_to_their_listings(pool: PgPool) {
    import_fixture(&pool, EXPORT).await.unwrap();
    let app = TestApp::spawn(pool).await;
    for (old, here) in [
        (
            "/category/parent-category/child-category-01/",
            "/category/child-category-01",
        ),
        ("/category/classic/", "/category/classic"),
        ("/category/classic/page/2/", "/category/classic?page=2"),
        ("/tag/8bit/", "/tag/8bit"),
        ("/tag/8bit/feed/", "/tag/8bit/feed.xml"),
        ("/author/themedemos/", "/author/themedemos"),
        ("/2013/01/", "/archive/2013/01"),
        ("/2013/01/10/", "/archive/2013/01"),
        ("/2013/", "/archive/2013"),
        ("/page/2/", "/?page=2"),
        ("/feed/", "/feed.xml"),
        ("/feed/atom/", "/atom.xml"),
        ("/comments/feed/", "/comments/feed.xml"),
    ] {
        assert_eq!(
            location(&app, old).await,
            (StatusCode::MOVED_PERMANENTLY, here.to_string()),
            "{old}"
        );
    }
    for here in [
        "/category/classic",
        "/tag/8bit",
        "/tag/8bit/feed.xml",
        "/author/themedemos",
        "/archive/2013/01",
        "/archive/2013",
        "/?page=2",
        "/feed.xml",
        "/atom.xml",
        "/comments/feed.xml",
    ] {
        assert_eq!(app.get(here).await.0, 200, "{here}");
    }
    // This blog's own addresses are never redirected, and unknown ones stay unknown.
    for (path, status) in [
        ("/tag/8bit", StatusCode::OK),
        ("/tag/no-such-tag", StatusCode::NOT_FOUND),
        ("/no/such/place/", StatusCode::NOT_FOUND),
        ("/?p=999999", StatusCode::OK),
    ] {
        assert_eq!(location(&app, path).await.0, status, "{path}");
    }
}

/// An export whose posts link to one another, to the old site's archives and elsewhere.
const LINKING_EXPORT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <title>Old blog</title><link>https://www.old.example/notes</link>
  <wp:wxr_version>1.2</wp:wxr_version>
  <wp:base_site_url>https://network.example/</wp:base_site_url>
  <wp:base_blog_url>https://www.old.example/notes</wp:base_blog_url>
  <item>
    <title>Linking</title><link>https://www.old.example/notes/2009/04/19/linking/</link>
    <content:encoded><![CDATA[<p>
      <a href="https://old.example/notes/2009/04/20/linked/#comments">by permalink</a>
      <a href="http://www.old.example/notes/?p=2">by id</a>
      <a href="/notes/?page_id=3">a page by id</a>
      <a href="https://www.old.example/notes/category/places/ningbo/">a category</a>
      <a href="https://www.old.example/notes/tag/e-waste/page/2/">a tag's second page</a>
      <a href="https://www.old.example/notes/?s=recycling">a search</a>
      <a href="https://www.old.example/notes/wp-content/uploads/2009/04/photo.jpg">a photo</a>
      <a href="https://network.example/tag/e-waste/">the network</a>
      <a href="https://elsewhere.example/2009/04/20/linked/">elsewhere</a>
    </p>]]></content:encoded>
    <wp:post_id>1</wp:post_id><wp:post_date_gmt>2009-04-19 10:00:00</wp:post_date_gmt>
    <wp:post_name>linking</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
  </item>
  <item>
    <title>Linked</title><link>https://www.old.example/notes/2009/04/20/linked/</link>
    <content:encoded><![CDATA[<p>Back to <a href="https://www.old.example/notes/2009/04/19/linking">the first</a>.</p>]]></content:encoded>
    <wp:post_id>2</wp:post_id><wp:post_date_gmt>2009-04-20 10:00:00</wp:post_date_gmt>
    <wp:post_name>linked</wp:post_name><wp:status>draft</wp:status><wp:post_type>post</wp:post_type>
  </item>
  <item>
    <title>About</title><link>https://www.old.example/notes/about/</link>
    <content:encoded><![CDATA[<p>No links here.</p>]]></content:encoded>
    <wp:post_id>3</wp:post_id><wp:post_date_gmt>2009-04-01 10:00:00</wp:post_date_gmt>
    <wp:post_name>about</wp:post_name><wp:status>publish</wp:status><wp:post_type>page</wp:post_type>
  </item>
</channel>
</rss>"#;

async fn body_of(pool: &PgPool, slug: &str) -> String {
    sqlx::query_scalar("SELECT body_html FROM posts WHERE slug = $1")
        .bind(slug)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn revisions_of(pool: &PgPool, slug: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT r.body_html FROM post_revisions r JOIN posts p ON p.id = r.post_id \
         WHERE p.slug = $1 ORDER BY r.id",
    )
    .bind(slug)
    .fetch_all(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn links_to_the_old_site_lead_here_after_the_import(pool: PgPool) {
    let summary = server::import::import_wxr(&pool, LINKING_EXPORT.as_bytes(), |_| {})
        .await
        .expect("the export imports");
    assert_eq!(summary.rewritten_links, 2);
    let linking = body_of(&pool, "linking").await;
    for (old, new) in [
        ("by permalink", "/posts/linked#comments"),
        ("by id", "/posts/linked"),
        ("a page by id", "/pages/about"),
        ("a category", "/category/ningbo"),
        ("a tag's second page", "/tag/e-waste?page=2"),
        ("a search", "https://www.old.example/notes/?s=recycling"),
        (
            "a photo",
            "https://www.old.example/notes/wp-content/uploads/2009/04/photo.jpg",
        ),
        ("the network", "https://network.example/tag/e-waste/"),
        ("elsewhere", "https://elsewhere.example/2009/04/20/linked/"),
    ] {
        assert!(
            linking.contains(&format!(
                "<a href=\"{new}\" rel=\"noopener noreferrer\">{old}</a>"
            )),
            "{old} should lead to {new}: {linking}"
        );
    }
    assert!(
        body_of(&pool, "linked")
            .await
            .contains("<a href=\"/posts/linking\" ")
    );

    let kept = revisions_of(&pool, "linking").await;
    assert_eq!(kept.len(), 1, "the body as imported is kept");
    assert!(kept[0].contains("https://old.example/notes/2009/04/20/linked/#comments"));
    assert!(revisions_of(&pool, "about").await.is_empty());

    let again = server::import::import_wxr(&pool, LINKING_EXPORT.as_bytes(), |_| {})
        .await
        .expect("the export imports again");
    assert_eq!(again.rewritten_links, 2);
    assert_eq!(body_of(&pool, "linking").await, linking);
    assert_eq!(
        revisions_of(&pool, "linking").await.len(),
        1,
        "importing again keeps no second copy"
    );
}
