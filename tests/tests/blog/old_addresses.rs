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
