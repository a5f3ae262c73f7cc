//! What every answer tells browsers: a page's content security policy allows exactly the inline
//! scripts the page carries and nothing unsafe, no other site may frame anything, referrers are
//! trimmed, types are never sniffed, and behind an https address browsers are told to use https
//! only. The same page gets the same policy every time, so that pages stay cacheable.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use integration_tests::{Setup, TestApp, import_fixture};
use reqwest::header::HeaderMap;
use sha2::{Digest, Sha256};
use sqlx::PgPool;

/// Pages of every kind a reader can reach without signing in, the 404 page included.
const PAGES: [&str; 10] = [
    "/",
    "/posts/using-sassens-theory-to-explain-the-phenomenon-of-cluster",
    "/tag/8bit",
    "/archive/2009/04",
    "/posts?author=themedemos&tag=content-2",
    "/search?q=recycling",
    "/login",
    "/write",
    "/posts/no-such-post",
    "/no/such/page",
];

async fn seeded(pool: &PgPool) {
    import_fixture(pool, "demo.wxr").await.unwrap();
    import_fixture(pool, "themeunittestdata.wordpress.xml")
        .await
        .unwrap();
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
}

/// The sources of one directive of a policy.
fn directive<'a>(policy: &'a str, name: &str) -> Vec<&'a str> {
    policy
        .split(';')
        .map(str::trim)
        .find_map(|directive| directive.strip_prefix(&format!("{name} ")))
        .unwrap_or_else(|| panic!("no {name} in {policy}"))
        .split_whitespace()
        .collect()
}

/// The text of every inline script of a page.
fn inline_scripts(html: &str) -> Vec<&str> {
    html.split("<script")
        .skip(1)
        .filter_map(|rest| {
            let (attributes, rest) = rest.split_once('>')?;
            (!attributes.contains("src=")).then(|| rest.split("</script>").next().unwrap_or(""))
        })
        .collect()
}

fn hash_source(script: &str) -> String {
    format!(
        "'sha256-{}'",
        BASE64.encode(Sha256::digest(script.as_bytes()))
    )
}

fn assert_common_protections(path: &str, headers: &HeaderMap) {
    assert_eq!(header(headers, "x-frame-options"), "DENY", "{path}");
    assert_eq!(
        header(headers, "x-content-type-options"),
        "nosniff",
        "{path}"
    );
    assert_eq!(
        header(headers, "referrer-policy"),
        "strict-origin-when-cross-origin",
        "{path}"
    );
    assert_eq!(
        directive(
            header(headers, "content-security-policy"),
            "frame-ancestors"
        ),
        ["'none'"],
        "{path}"
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn pages_allow_their_own_scripts_and_nothing_unsafe(pool: PgPool) {
    seeded(&pool).await;
    let app = TestApp::spawn(pool).await;
    for path in PAGES {
        let (status, headers, html) = app.get_with_headers(path).await;
        assert!(status == 200 || status == 404, "{path}: {status}");
        assert_common_protections(path, &headers);
        assert!(headers.get("strict-transport-security").is_none(), "{path}");
        let policy = header(&headers, "content-security-policy");
        let scripts = directive(policy, "script-src");
        assert!(
            !scripts
                .iter()
                .any(|source| ["'unsafe-inline'", "'unsafe-eval'", "*"].contains(source)),
            "{path}: {policy}"
        );
        assert_eq!(directive(policy, "style-src"), ["'self'"], "{path}");
        assert_eq!(directive(policy, "object-src"), ["'none'"], "{path}");
        let inline = inline_scripts(&html);
        assert!(!inline.is_empty(), "{path}: the page has its scripts");
        for script in inline {
            assert!(
                scripts.contains(&hash_source(script).as_str()),
                "{path}: the policy allows {script:?}: {policy}"
            );
        }
        assert!(!html.contains("nonce="), "{path}: no per-request nonce");
        let (_, again, same_html) = app.get_with_headers(path).await;
        if same_html == html {
            assert_eq!(header(&again, "content-security-policy"), policy, "{path}");
        }
    }
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn listings_are_the_same_bytes_every_time(pool: PgPool) {
    seeded(&pool).await;
    let app = TestApp::spawn(pool).await;
    for path in ["/", "/tag/8bit", "/archive/2009/04", "/no/such/page"] {
        let (_, first, html) = app.get_with_headers(path).await;
        let (_, second, same_html) = app.get_with_headers(path).await;
        assert_eq!(same_html, html, "{path}");
        assert_eq!(
            header(&second, "content-security-policy"),
            header(&first, "content-security-policy"),
            "{path}"
        );
    }
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn pages_may_show_pictures_and_videos_from_elsewhere(pool: PgPool) {
    seeded(&pool).await;
    let app = TestApp::spawn(pool).await;
    let (_, headers, _) = app.get_with_headers("/").await;
    let policy = header(&headers, "content-security-policy");
    assert!(directive(policy, "img-src").contains(&"*"), "{policy}");
    let frames = directive(policy, "frame-src");
    for player in [
        "https://www.youtube.com",
        "https://www.youtube-nocookie.com",
        "https://player.vimeo.com",
    ] {
        assert!(frames.contains(&player), "{policy}");
    }
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn everything_else_runs_nothing_and_is_framed_nowhere(pool: PgPool) {
    seeded(&pool).await;
    let app = TestApp::spawn(pool).await;
    for path in [
        "/api/v1/posts",
        "/api/v1/no-such-thing",
        "/feed.xml",
        "/sitemap.xml",
        "/robots.txt",
        "/media/999/x.png",
    ] {
        let (_, headers, _) = app.get_with_headers(path).await;
        assert_common_protections(path, &headers);
        assert_eq!(
            directive(header(&headers, "content-security-policy"), "default-src"),
            ["'none'"],
            "{path}"
        );
    }
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn behind_an_https_address_browsers_are_told_to_keep_to_https(pool: PgPool) {
    seeded(&pool).await;
    let app = TestApp::spawn_with(
        pool,
        Setup {
            public_url: Some("https://blog.example.org".to_string()),
            ..Setup::default()
        },
    )
    .await;
    for path in ["/", "/no/such/page", "/api/v1/posts", "/feed.xml"] {
        let (_, headers, _) = app.get_with_headers(path).await;
        assert_eq!(
            header(&headers, "strict-transport-security"),
            "max-age=31536000",
            "{path}"
        );
    }
    let (_, headers, _) = app.get_with_headers("/").await;
    assert!(
        header(&headers, "content-security-policy").contains("upgrade-insecure-requests"),
        "{headers:?}"
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn pages_made_for_one_person_stay_in_their_browser(pool: PgPool) {
    seeded(&pool).await;
    let (_, token) = integration_tests::account_with_token(
        &pool,
        "ada@example.org",
        "Ada",
        app::model::Role::Admin,
    )
    .await;
    let app = TestApp::spawn(pool).await;
    let page = |path: &'static str, cookie: Option<String>| {
        let mut request = app.client.get(format!("{}{path}", app.address));
        if let Some(cookie) = cookie {
            request = request.header(reqwest::header::COOKIE, cookie);
        }
        async move { request.send().await.unwrap().headers().clone() }
    };

    for path in ["/", "/tag/8bit", "/dashboard"] {
        let headers = page(path, Some(format!("fieldnotes_session={token}"))).await;
        assert_eq!(
            header(&headers, "cache-control"),
            "private, no-store",
            "{path}"
        );
        assert!(varies_by_cookie(&headers), "{path}: {headers:?}");
    }
    let headers = page(
        "/posts/using-sassens-theory-to-explain-the-phenomenon-of-cluster",
        Some("theme=dark; fieldnotes_commenter=0123".to_string()),
    )
    .await;
    assert_eq!(header(&headers, "cache-control"), "private, no-store");

    let anonymous = page("/", None).await;
    assert!(!is_private(&anonymous), "{anonymous:?}");
    assert!(varies_by_cookie(&anonymous));
    let other_site = page("/", Some("theme=dark".to_string())).await;
    assert!(!is_private(&other_site), "{other_site:?}");
}

fn is_private(headers: &HeaderMap) -> bool {
    headers
        .get("cache-control")
        .is_some_and(|value| value.to_str().unwrap().contains("private"))
}

fn varies_by_cookie(headers: &HeaderMap) -> bool {
    headers
        .get_all("vary")
        .iter()
        .any(|value| value.to_str().unwrap().contains("Cookie"))
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn readers_pages_may_be_shared_and_checked_again_cheaply(pool: PgPool) {
    seeded(&pool).await;
    let app = TestApp::spawn(pool).await;
    let (status, headers, _) = app.get_with_headers("/tag/8bit").await;
    assert_eq!(status, 200);
    let caching = header(&headers, "cache-control");
    assert!(
        caching.contains("public") && caching.contains("s-maxage"),
        "{caching}"
    );
    let tag = header(&headers, "etag").to_string();
    let again = app
        .client
        .get(format!("{}/tag/8bit", app.address))
        .header("if-none-match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(again.text().await.unwrap(), "");

    let (status, headers, _) = app.get_with_headers("/no/such/page").await;
    assert_eq!(status, 404);
    assert!(headers.get("etag").is_none(), "a missing page is not kept");
}
