//! The blog's settings, changed by administrators in the browser: bad values are refused with a
//! reason and change nothing, and readers see the change on their next visit.

use app::model::Role;
use integration_tests::{Request, TestApp, account_with_token, form_body, import_fixture};
use reqwest::{Method, StatusCode};
use serde_json::json;
use sqlx::PgPool;

fn settings_form<'a>(title: &'a str, extra: &[(&'a str, &'a str)]) -> String {
    let mut fields = vec![
        ("title", title),
        ("tagline", "Notes from the field"),
        ("language", "zh-Hant"),
        ("spam_words", "Casino, cheap PILLS"),
        ("min_writing_seconds", "5"),
        ("time_zone", "UTC"),
        ("date_format", "F jS, Y"),
        ("posts_per_page", "10"),
    ];
    fields.extend_from_slice(extra);
    form_body(fields)
}

async fn saved_title(pool: &PgPool) -> String {
    sqlx::query_scalar("SELECT title FROM site")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn administrators_change_the_settings_and_readers_see_them(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let (_, admin) = account_with_token(&pool, "admin@example.org", "Ada", Role::Admin).await;
    let (_, editor) = account_with_token(&pool, "ed@example.org", "Ed", Role::Editor).await;
    let before = saved_title(&pool).await;
    assert_eq!(
        app.get("/").await.0,
        200,
        "the home page is cached with the old title"
    );

    let by_editor = Request::server_fn("save_site_settings", &settings_form("Mine now", &[]))
        .by(&editor)
        .send(&app)
        .await;
    assert_eq!(by_editor.status, StatusCode::FORBIDDEN);
    for (title, seconds, language, reading) in [
        ("   ", "5", "en", ["UTC", "F jS, Y", "10"]),
        ("Fine", "601", "en", ["UTC", "F jS, Y", "10"]),
        ("Fine", "soon", "en", ["UTC", "F jS, Y", "10"]),
        ("Fine", "5", "English", ["UTC", "F jS, Y", "10"]),
        ("Fine", "5", "en", ["Mars/Olympus_Mons", "F jS, Y", "10"]),
        ("Fine", "5", "en", ["", "F jS, Y", "10"]),
        ("Fine", "5", "en", ["UTC", "l, F jS", "10"]),
        ("Fine", "5", "en", ["UTC", "F jS, Y", "0"]),
        ("Fine", "5", "en", ["UTC", "F jS, Y", "101"]),
    ] {
        let [time_zone, date_format, per_page] = reading;
        let form = form_body([
            ("title", title),
            ("language", language),
            ("tagline", ""),
            ("spam_words", ""),
            ("min_writing_seconds", seconds),
            ("time_zone", time_zone),
            ("date_format", date_format),
            ("posts_per_page", per_page),
        ]);
        let refused = Request::server_fn("save_site_settings", &form)
            .by(&admin)
            .send(&app)
            .await;
        assert_eq!(
            refused.status,
            StatusCode::BAD_REQUEST,
            "{title} {seconds} {language} {reading:?}"
        );
        assert!(refused.body.contains("Not saved"), "{}", refused.body);
    }
    assert_eq!(saved_title(&pool).await, before, "nothing was changed");

    let saved = Request::server_fn(
        "save_site_settings",
        &settings_form("Fieldwork 田野", &[("show_pings", "on")]),
    )
    .by(&admin)
    .send(&app)
    .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let settings = Request::server_fn("site_settings", "")
        .by(&admin)
        .send(&app)
        .await
        .json();
    assert_eq!(settings["title"], "Fieldwork 田野");
    assert_eq!(settings["spam_words"], json!(["casino", "cheap pills"]));
    assert_eq!(settings["show_pings"], true);
    assert_eq!(
        settings["comments_open_by_default"], false,
        "an unticked box is no"
    );
    assert_eq!(settings["min_writing_seconds"], 5);
    let (_, home) = app.get("/").await;
    assert!(
        home.contains("Fieldwork 田野"),
        "readers see the new title at once"
    );
    assert!(
        home.contains("<html lang=\"zh-Hant\""),
        "the pages say the blog's language"
    );

    let post = Request::json(
        Method::POST,
        "/api/v1/posts",
        &json!({ "title": "Closed by default", "body_html": "<p>x</p>", "status": "published" }),
    )
    .by(&admin)
    .send(&app)
    .await;
    assert_eq!(post.status, StatusCode::CREATED, "{}", post.body);
    let open: String =
        sqlx::query_scalar("SELECT comment_status FROM posts WHERE slug = 'closed-by-default'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(open, "closed", "a new post follows the blog's default");
    for (method, path, body) in [
        (
            Method::POST,
            "/api/v1/posts",
            json!({ "title": "Open draft", "body_html": "<p>x</p>", "status": "draft",
                    "comments_open": true }),
        ),
        (
            Method::PUT,
            "/api/v1/posts/open-draft",
            json!({ "title": "Open draft", "body_html": "<p>y</p>", "status": "draft" }),
        ),
    ] {
        let saved = Request::json(method, path, &body)
            .by(&admin)
            .send(&app)
            .await;
        assert!(saved.status.is_success(), "{}", saved.body);
    }
    let kept: String =
        sqlx::query_scalar("SELECT comment_status FROM posts WHERE slug = 'open-draft'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        kept, "open",
        "a draft saved without saying keeps what it had"
    );
    let page = Request::get("/dashboard/settings")
        .by(&admin)
        .send(&app)
        .await;
    assert!(page.body.contains("Fieldwork 田野"));
}

/// Time zone, date format and posts per page: listings, searches and dates follow them, and the
/// export writes the blog's local times.
#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn readers_see_dates_in_the_blogs_time_zone_and_pages_of_its_length(pool: PgPool) {
    import_fixture(&pool, "demo.wxr").await.unwrap();
    let app = TestApp::spawn(pool.clone()).await;
    let (_, admin) = account_with_token(&pool, "admin@example.org", "Ada", Role::Admin).await;
    let (_, home) = app.get("/").await;
    assert!(home.contains(">April 19th, 2009</time>"), "{home}");
    assert_eq!(home.matches("class=\"post-teaser\"").count(), 9);

    // Kiritimati is 14 hours ahead of UTC: noon on April 19th there is already the 20th.
    let saved = Request::server_fn(
        "save_site_settings",
        &form_body([
            ("title", "Fieldnotes"),
            ("tagline", ""),
            ("language", "en"),
            ("spam_words", ""),
            ("min_writing_seconds", "0"),
            ("time_zone", " Pacific/Kiritimati "),
            ("date_format", "j F Y"),
            ("posts_per_page", "4"),
        ]),
    )
    .by(&admin)
    .send(&app)
    .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);

    let (status, home) = app.get("/").await;
    assert_eq!(status, 200);
    assert!(home.contains(">20 April 2009</time>"), "{home}");
    assert!(
        home.contains("datetime=\"2009-04-19T12:00:00+00:00\""),
        "the machine-readable date stays exact"
    );
    assert_eq!(home.matches("class=\"post-teaser\"").count(), 4);
    assert!(
        home.contains("href=\"/?page=3\""),
        "nine posts make three pages"
    );
    let (status, third) = app.get("/?page=3").await;
    assert_eq!(status, 200);
    assert_eq!(third.matches("class=\"post-teaser\"").count(), 1);
    assert_eq!(app.get("/?page=4").await.0, 404);

    let settings = Request::server_fn("site_settings", "")
        .by(&admin)
        .send(&app)
        .await
        .json();
    assert_eq!(settings["time_zone"], "Pacific/Kiritimati");
    assert_eq!(settings["posts_per_page"], 4);

    let export = std::process::Command::new(integration_tests::fieldnotes_binary())
        .arg("export")
        .env("DATABASE_URL", integration_tests::database_url(&pool))
        .output()
        .unwrap();
    assert!(export.status.success(), "{export:?}");
    let wxr = String::from_utf8(export.stdout).unwrap();
    assert!(
        wxr.contains("<wp:post_date><![CDATA[2009-04-20 02:00:00]]></wp:post_date>")
            && wxr.contains("<wp:post_date_gmt><![CDATA[2009-04-19 12:00:00]]></wp:post_date_gmt>"),
        "the export writes local and UTC times as WordPress does"
    );
}
