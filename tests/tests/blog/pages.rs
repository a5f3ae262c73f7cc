//! The reader's pages as served: statuses, headings, filters, the sidebar, and what the
//! `<head>` tells browsers, feed readers and other sites.

use integration_tests::{TestApp, has_element, import_fixture};
use sqlx::PgPool;

async fn app_with_theme_data(pool: PgPool) -> TestApp {
    import_fixture(&pool, "demo.wxr").await.unwrap();
    import_fixture(&pool, "themeunittestdata.wordpress.xml")
        .await
        .unwrap();
    TestApp::spawn(pool).await
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn every_listing_has_its_page(pool: PgPool) {
    let app = app_with_theme_data(pool).await;
    let cases = [
        ("/tag/8bit", "<h1>Posts tagged “8BIT”</h1>", "1 post"),
        (
            "/category/parent",
            "<h1>Posts filed under “Parent”</h1>",
            " posts",
        ),
        (
            "/author/themereviewteam",
            "<h1>Posts by Theme Reviewer</h1>",
            " posts",
        ),
        (
            "/archive/2009/04",
            "<h1>Posts of April 2009</h1>",
            "9 posts",
        ),
        ("/archive/2009", "<h1>Posts of 2009</h1>", " posts"),
        (
            "/posts?author=themedemos&tag=content-2",
            "<h1>Posts by Theme Buster, tagged “content περιεχόμενο”</h1>",
            " posts",
        ),
    ];
    for (path, heading, count) in cases {
        let (status, html) = app.get(path).await;
        assert_eq!(status, 200, "{path}");
        assert!(html.contains(heading), "{path}: {heading}");
        assert!(
            html.contains("<p class=\"listing-count\">") && html.contains(count),
            "{path}: {count}"
        );
        assert!(
            html.contains("class=\"filter-chips\""),
            "{path} shows its filters"
        );
    }
    let (_, combined) = app.get("/posts?author=themedemos&tag=content-2").await;
    assert!(
        combined
            .contains("href=\"/tag/content-2\" aria-label=\"Remove filter Author: Theme Buster\""),
        "removing the author leaves the tag"
    );
    assert!(
        combined.contains(
            "href=\"/author/themedemos\" aria-label=\"Remove filter Tag: content περιεχόμενο\""
        ),
        "removing the tag leaves the author"
    );
}

/// Reading pages are not hydrated in the browser, so they carry none of the data their
/// components read; the writing pages, which are, carry it.
#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn only_writing_pages_carry_their_data_for_the_browser(pool: PgPool) {
    let app = app_with_theme_data(pool).await;
    let handed_over = "__RESOLVED_RESOURCES[";
    for path in [
        "/",
        "/posts/wp-6-1-font-size-scale",
        "/tag/8bit",
        "/search?q=recycling",
    ] {
        let (status, html) = app.get(path).await;
        assert_eq!(status, 200, "{path}");
        assert!(html.contains("<h1"), "{path}: the page is rendered");
        assert!(!html.contains(handed_over), "{path}");
    }
    let (status, html) = app.get("/login").await;
    assert_eq!(status, 200);
    assert!(html.contains(handed_over));
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn listings_link_to_narrower_listings(pool: PgPool) {
    let app = app_with_theme_data(pool).await;
    let (_, html) = app.get("/tag/8bit").await;
    assert!(
        html.contains("href=\"/posts?author=themedemos&amp;tag=8bit\""),
        "the author link narrows the tag page"
    );
    let (_, home) = app.get("/").await;
    assert!(home.contains("href=\"/author/themereviewteam\" class=\"meta-author\""));
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn wrong_addresses_are_404_pages_with_help(pool: PgPool) {
    let app = app_with_theme_data(pool).await;
    for path in [
        "/tag/no-such-tag",
        "/category/no-such-category",
        "/author/nobody",
        "/archive/2009/13",
        "/archive/year",
        "/posts?month=4",
        "/tag/8bit?page=2",
        "/?page=8",
        "/no/such/page",
        "/tag/a%00b",
        "/posts/a%00b",
    ] {
        let (status, html) = app.get(path).await;
        assert_eq!(status, 404, "{path}");
        assert!(html.contains("Page not found"), "{path}");
        assert!(
            html.contains("id=\"not-found-search\""),
            "{path} offers a search"
        );
        assert!(html.contains("Recent posts"), "{path} offers recent posts");
    }
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn pages_are_numbered(pool: PgPool) {
    let app = app_with_theme_data(pool).await;
    let (_, first) = app.get("/").await;
    assert!(has_element(
        &first,
        "span",
        &[("class", "current"), ("aria-current", "page")]
    ));
    assert_eq!(
        first.matches("aria-current=\"page\"").count(),
        2,
        "the site's name and page 1, nothing else"
    );
    for page in 2..=3 {
        assert!(
            first.contains(&format!("href=\"/?page={page}\"")),
            "page {page}"
        );
    }
    assert!(first.contains("href=\"/?page=7\""), "the last page");
    let (status, fourth) = app.get("/?page=4").await;
    assert_eq!(status, 200);
    assert!(has_element(
        &fourth,
        "a",
        &[("href", "/?page=3"), ("rel", "prev")]
    ));
    assert!(has_element(
        &fourth,
        "a",
        &[("href", "/?page=5"), ("rel", "next")]
    ));
    assert!(fourth.contains("<title>Page 4 – Creative and Waste Industries in Ningbo</title>"));
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn the_sidebar_browses_the_whole_blog(pool: PgPool) {
    import_fixture(&pool, "demo.wxr").await.unwrap();
    let seed_only = TestApp::spawn(pool.clone()).await;
    let (_, html) = seed_only.get("/").await;
    assert!(
        html.contains("<a href=\"/archive/2009/04\">April 2009</a> (9)"),
        "the month archive"
    );

    let app = app_with_theme_data(pool).await;
    let (_, html) = app.get("/").await;
    assert!(
        html.contains("<a href=\"/archive/2009\">2009</a> ("),
        "months beyond the newest twelve are folded into years"
    );
    assert!(html.contains("class=\"tag-cloud\""));
    assert!(html.contains("href=\"/tag/8bit\""));
    assert!(html.contains("<a href=\"/category/parent\">Parent</a>"));
    assert!(
        has_element(&html, "li", &[("class", "depth-1 nested")]),
        "nested categories are indented"
    );
    assert!(html.contains("Recent posts"));
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn heads_describe_every_page(pool: PgPool) {
    let app = app_with_theme_data(pool).await;
    let base = app.address.clone();
    let (_, home) = app.get("/").await;
    assert!(home.contains("<title>Creative and Waste Industries in Ningbo</title>"));
    assert!(home.contains("<meta name=\"description\" content=\"Creative and Waste Industries in Ningbo: Fieldwork notes, April 2009\""));
    assert!(home.contains(&format!("<link href=\"{base}/\" rel=\"canonical\">")));
    assert!(home.contains(
        "<link href=\"/feed.xml\" rel=\"alternate\" title=\"Creative and Waste Industries in Ningbo (RSS)\" type=\"application/rss+xml\">"
    ));
    assert!(home.contains("type=\"application/atom+xml\""));
    assert!(home.contains("<meta property=\"og:type\" content=\"website\""));

    let (_, tag) = app.get("/tag/8bit").await;
    assert!(
        tag.contains(
            "<title>Posts tagged “8BIT” – Creative and Waste Industries in Ningbo</title>"
        )
    );
    assert!(tag.contains("href=\"/tag/8bit/feed.xml\""));
    assert!(tag.contains(&format!(
        "<link href=\"{base}/tag/8bit\" rel=\"canonical\">"
    )));

    let (_, post) = app.get("/posts/markup-image-alignment").await;
    assert!(post.contains("<meta property=\"og:type\" content=\"article\""));
    assert!(post.contains("<meta property=\"og:title\" content=\"Markup: Image Alignment\""));
    assert!(
        post.contains("<meta property=\"og:image\" content=\"https://"),
        "the first image of the post"
    );
    assert!(post.contains("<meta name=\"description\" content=\"Welcome to image alignment!"));
    assert!(post.contains(&format!(
        "<meta property=\"og:url\" content=\"{base}/posts/markup-image-alignment\""
    )));
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn pages_have_addresses_of_their_own(pool: PgPool) {
    import_fixture(&pool, "themeunittestdata.wordpress.xml")
        .await
        .unwrap();
    sqlx::query("UPDATE posts SET status = 'draft' WHERE kind = 'page' AND slug = 'page-b'")
        .execute(&pool)
        .await
        .unwrap();
    let app = TestApp::spawn(pool).await;
    let (status, about) = app.get("/pages/about").await;
    assert_eq!(status, 200);
    assert!(about.contains("<h1 class=\"post-title\">About The Tests</h1>"));
    assert!(
        about.contains("href=\"/pages/clearing-floats\""),
        "the pages under it"
    );
    let (status, child) = app.get("/pages/clearing-floats").await;
    assert_eq!(status, 200);
    assert!(child.contains("href=\"/pages/about\""), "its parent");
    assert!(
        about.contains("aria-labelledby=\"pages-heading\""),
        "the sidebar lists the pages"
    );
    assert_eq!(
        app.get("/pages/page-b").await.0,
        404,
        "a draft page is not shown"
    );
    assert_eq!(app.get("/pages/using-sassens-theory").await.0, 404);
    let (_, sitemap) = app.get("/sitemaps/listings.xml").await;
    assert!(sitemap.contains("/pages/about<"));
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn posts_link_to_their_neighbours(pool: PgPool) {
    import_fixture(&pool, "demo.wxr").await.unwrap();
    let app = TestApp::spawn(pool).await;
    let (_, html) = app
        .get("/posts/useful-resource-ningbo-creative-industry-association")
        .await;
    assert!(
        html.contains("href=\"/posts/fu-hanqings-essay-question-the-final-one\" rel=\"next\""),
        "newer"
    );
    assert!(
        html.contains("href=\"/posts/some-surveys-from-ningbo-creative-cluster\" rel=\"prev\""),
        "older"
    );
    let (_, newest) = app
        .get("/posts/using-sassens-theory-to-explain-the-phenomenon-of-cluster")
        .await;
    assert!(!newest.contains("rel=\"next\""));
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_combination_past_its_reach_says_how_to_go_on(pool: PgPool) {
    let app = app_with_theme_data(pool).await;
    let (status, html) = app
        .get("/posts?author=themedemos&tag=content-2&page=1001")
        .await;
    assert_eq!(status, 404);
    assert!(html.contains("This page is too far back"), "{html}");
    assert!(html.contains("newest 10000 posts"), "{html}");
    assert!(
        has_element(&html, "a", &[("href", "/tag/content-2")]),
        "{html}"
    );
    assert!(
        has_element(&html, "a", &[("href", "/author/themedemos")]),
        "{html}"
    );
    let (status, _) = app
        .get("/posts?author=themedemos&tag=content-2&page=1000")
        .await;
    assert_eq!(
        status, 404,
        "past the last page, within reach: not found as usual"
    );
    assert_eq!(app.get("/tag/content-2?page=1001").await.0, 404);
}

/// `x-cache` of an answer: whether it came from the kept answers.
async fn cache_state(app: &TestApp, path: &str, cookie: Option<&str>) -> (String, String) {
    let mut request = app.client.get(format!("{}{path}", app.address));
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let response = request.send().await.unwrap();
    let state = response
        .headers()
        .get("x-cache")
        .map(|value| value.to_str().unwrap().to_string())
        .unwrap_or_default();
    (state, response.text().await.unwrap())
}

/// Many readers asking for a page at once, none kept yet: it is made once, and the others are
/// answered with it.
#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_page_many_ask_for_at_once_is_made_once(pool: PgPool) {
    let app = std::sync::Arc::new(app_with_theme_data(pool.clone()).await);
    for path in ["/", "/tag/8bit", "/api/v1/posts"] {
        let asked: Vec<_> = (0..24)
            .map(|_| {
                let app = app.clone();
                tokio::spawn(async move { cache_state(&app, path, None).await })
            })
            .collect();
        let mut states = Vec::new();
        for answer in asked {
            let (state, page) = answer.await.unwrap();
            assert!(!page.is_empty());
            states.push(state);
        }
        let made = states.iter().filter(|state| *state == "miss").count();
        assert_eq!(made, 1, "{path}: {states:?}");
    }
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn readers_pages_are_kept_until_something_changes(pool: PgPool) {
    let app = app_with_theme_data(pool.clone()).await;
    let newest: String =
        sqlx::query_scalar("SELECT slug FROM public_posts ORDER BY published_at DESC LIMIT 1")
            .fetch_one(&pool)
            .await
            .unwrap();
    let post = &format!("/posts/{newest}");
    for path in [post, "/tag/8bit", "/feed.xml", "/api/v1/posts"] {
        let (first, page) = cache_state(&app, path, None).await;
        assert_eq!(first, "miss", "{path}");
        let (second, kept) = cache_state(&app, path, None).await;
        assert_eq!(second, "hit", "{path}");
        assert_eq!(kept, page, "{path}");
    }

    sqlx::query("UPDATE posts SET title = 'A changed title' WHERE slug = $1")
        .bind(&newest)
        .execute(&pool)
        .await
        .unwrap();
    let (state, page) = cache_state(&app, post, None).await;
    assert_eq!(state, "miss", "a change is seen at the very next read");
    assert!(page.contains("A changed title"));
    let (state, feed) = cache_state(&app, "/feed.xml", None).await;
    assert_eq!(state, "miss");
    assert!(feed.contains("A changed title"));

    let (state, _) = cache_state(&app, post, Some("fieldnotes_commenter=0123")).await;
    assert_eq!(
        state, "",
        "a reader with the blog's cookies is answered afresh"
    );
    let (state, _) = cache_state(&app, "/no/such/page", None).await;
    assert_eq!(state, "", "a page not found is not kept");
}

/// `fieldnotes site` with its options, as its own program against the blog's database.
fn fieldnotes_site(pool: &PgPool, args: &[&str]) -> std::process::Output {
    std::process::Command::new(integration_tests::fieldnotes_binary())
        .arg("site")
        .args(args)
        .env("DATABASE_URL", integration_tests::database_url(pool))
        .output()
        .unwrap()
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn the_blog_is_renamed_from_the_command_line(pool: PgPool) {
    let app = app_with_theme_data(pool.clone()).await;
    let shown = fieldnotes_site(&pool, &[]);
    assert!(shown.status.success());
    let (title, _): (String, String) = sqlx::query_as("SELECT title, tagline FROM site")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(
        String::from_utf8_lossy(&shown.stdout).contains(&format!("Title: {title}")),
        "{shown:?}"
    );

    let renamed = fieldnotes_site(
        &pool,
        &[
            "--title",
            " 田野笔记 Fieldnotes ",
            "--tagline",
            "Notes from the field",
        ],
    );
    assert!(renamed.status.success(), "{renamed:?}");
    let said = String::from_utf8_lossy(&renamed.stdout);
    assert!(
        said.contains("Title: 田野笔记 Fieldnotes\nTagline: Notes from the field"),
        "{said}"
    );
    let (_, home) = app.get("/").await;
    assert!(
        home.contains("田野笔记 Fieldnotes"),
        "the home page shows the new name"
    );
    let (_, feed) = app.get("/feed.xml").await;
    assert!(feed.contains("田野笔记 Fieldnotes"), "and so does the feed");

    let untouched = fieldnotes_site(&pool, &["--tagline", ""]);
    assert!(untouched.status.success());
    assert!(
        String::from_utf8_lossy(&untouched.stdout)
            .contains("Title: 田野笔记 Fieldnotes\nTagline: none")
    );

    for bad in [vec!["--title", "  "], vec!["--title", &"x".repeat(201)]] {
        let refused = fieldnotes_site(&pool, &bad);
        assert!(!refused.status.success(), "{bad:?}");
        assert!(
            String::from_utf8_lossy(&refused.stderr).contains("the title"),
            "{refused:?}"
        );
    }
    let (title, tagline): (String, String) = sqlx::query_as("SELECT title, tagline FROM site")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        (title.as_str(), tagline.as_str()),
        ("田野笔记 Fieldnotes", "")
    );

    let changed = fieldnotes_site(
        &pool,
        &[
            "--time-zone",
            "asia/shanghai",
            "--date-format",
            "Y年n月j日",
            "--posts-per-page",
            "5",
            "--language",
            "zh",
        ],
    );
    assert!(changed.status.success(), "{changed:?}");
    let said = String::from_utf8_lossy(&changed.stdout);
    assert!(
        said.contains("Language: zh\nTime zone: Asia/Shanghai\nDate format: Y年n月j日")
            && said.contains("Posts per page: 5"),
        "{said}"
    );
    let (_, home) = app.get("/").await;
    assert!(
        home.contains("日</time>") && !home.contains("th, 20"),
        "dates are written the Chinese way"
    );
    for (bad, said) in [
        (["--time-zone", "Mars/Olympus_Mons"], "Mars/Olympus_Mons"),
        (["--posts-per-page", "0"], "posts per page"),
        (["--date-format", "l jS"], "date formats"),
    ] {
        let refused = fieldnotes_site(&pool, &bad);
        assert!(!refused.status.success(), "{bad:?}");
        assert!(
            String::from_utf8_lossy(&refused.stderr).contains(said),
            "{refused:?}"
        );
    }
    let zone: String = sqlx::query_scalar("SELECT time_zone FROM site")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(zone, "Asia/Shanghai", "a refused change changes nothing");
}
