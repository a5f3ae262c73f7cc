//! Feeds, sitemaps and robots.txt, read back by an independent parser.

use chrono::{TimeZone, Utc};
use feed_rs::model::{Feed, FeedType};
use integration_tests::{TestApp, import_fixture};
use sqlx::PgPool;

async fn fetch_feed(app: &TestApp, path: &str) -> (String, Feed) {
    let response = app
        .client
        .get(format!("{}{path}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{path}");
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    let body = response.bytes().await.unwrap();
    let feed = feed_rs::parser::parse(&body[..]).unwrap_or_else(|error| panic!("{path}: {error}"));
    (content_type, feed)
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn the_site_feeds_carry_the_newest_posts_in_full(pool: PgPool) {
    import_fixture(&pool, "demo.wxr").await.unwrap();
    let app = TestApp::spawn(pool).await;

    let (content_type, rss) = fetch_feed(&app, "/feed.xml").await;
    assert_eq!(content_type, "application/rss+xml; charset=utf-8");
    assert_eq!(rss.feed_type, FeedType::RSS2);
    assert_eq!(
        rss.title.unwrap().content,
        "Creative and Waste Industries in Ningbo"
    );
    assert_eq!(rss.entries.len(), 9);
    let newest = &rss.entries[0];
    assert_eq!(
        newest.title.as_ref().unwrap().content,
        "Using Sassen’s theory to explain the phenomenon of cluster"
    );
    assert_eq!(
        newest.published,
        Some(Utc.with_ymd_and_hms(2009, 4, 19, 12, 0, 0).unwrap())
    );
    assert_eq!(
        newest.links[0].href,
        format!(
            "{}/posts/using-sassens-theory-to-explain-the-phenomenon-of-cluster",
            app.address
        )
    );
    let content = newest
        .content
        .as_ref()
        .and_then(|content| content.body.clone())
        .unwrap();
    assert!(
        content.contains("A new theme cluster is constructing."),
        "full content: {content}"
    );
    let categories: Vec<&str> = newest
        .categories
        .iter()
        .map(|category| category.term.as_str())
        .collect();
    assert_eq!(categories, ["creative industries", "theory"]);
    let dates: Vec<_> = rss
        .entries
        .iter()
        .map(|entry| entry.published.unwrap())
        .collect();
    assert!(
        dates.windows(2).all(|pair| pair[0] >= pair[1]),
        "newest first"
    );
    assert!(
        dates
            .iter()
            .all(|date| *date >= Utc.with_ymd_and_hms(2009, 4, 1, 0, 0, 0).unwrap())
    );

    let (content_type, atom) = fetch_feed(&app, "/atom.xml").await;
    assert_eq!(content_type, "application/atom+xml; charset=utf-8");
    assert_eq!(atom.feed_type, FeedType::Atom);
    assert_eq!(atom.entries.len(), 9);
    assert_eq!(
        atom.updated,
        Some(Utc.with_ymd_and_hms(2009, 4, 19, 12, 0, 0).unwrap())
    );
    assert_eq!(atom.entries[0].published, newest.published);
    assert!(
        atom.entries[0]
            .content
            .as_ref()
            .unwrap()
            .body
            .as_ref()
            .unwrap()
            .contains("Sassen")
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn every_filter_has_its_feeds(pool: PgPool) {
    import_fixture(&pool, "demo.wxr").await.unwrap();
    import_fixture(&pool, "themeunittestdata.wordpress.xml")
        .await
        .unwrap();
    let app = TestApp::spawn(pool.clone()).await;
    let (_, site) = fetch_feed(&app, "/feed.xml").await;
    assert_eq!(site.entries.len(), 20, "a feed holds the newest twenty");

    let cases = [
        (
            "/tag/8bit",
            "SELECT count(*) FROM post_tags pt JOIN tags t ON t.id = pt.tag_id WHERE t.slug = '8bit'",
        ),
        (
            "/category/video",
            "SELECT count(*) FROM post_categories pc JOIN categories c ON c.id = pc.category_id WHERE c.slug = 'video'",
        ),
        (
            "/author/themereviewteam",
            "SELECT count(*) FROM posts p JOIN users u ON u.id = p.author_id WHERE u.slug = 'themereviewteam' AND p.status = 'published' AND p.kind = 'post'",
        ),
        (
            "/archive/2009/04",
            "SELECT count(*) FROM public_posts WHERE published_at >= '2009-04-01' AND published_at < '2009-05-01'",
        ),
    ];
    for (listing, count_query) in cases {
        let expected: i64 = sqlx::query_scalar(count_query)
            .fetch_one(&pool)
            .await
            .unwrap();
        for file in ["feed.xml", "atom.xml"] {
            let (_, feed) = fetch_feed(&app, &format!("{listing}/{file}")).await;
            assert_eq!(
                feed.entries.len() as i64,
                expected.min(20),
                "{listing}/{file}"
            );
            assert!(
                feed.entries
                    .iter()
                    .all(|entry| entry.links[0].href.starts_with(&app.address))
            );
        }
    }
    let (_, combined) = fetch_feed(&app, "/feed.xml?author=themedemos&tag=content-2").await;
    assert!(!combined.entries.is_empty());
    assert!(combined.title.unwrap().content.contains("by Theme Buster"));

    for missing in [
        "/tag/no-such-tag/feed.xml",
        "/author/nobody/atom.xml",
        "/archive/2009/13/feed.xml",
    ] {
        let status = app
            .client
            .get(format!("{}{missing}", app.address))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 404, "{missing}");
    }
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn text_that_looks_like_markup_stays_text_in_feeds(pool: PgPool) {
    import_fixture(&pool, "demo.wxr").await.unwrap();
    sqlx::query(
        "UPDATE posts SET excerpt = 'Beware &lt;img src=x onerror=alert(1)&gt;'
         WHERE slug = 'using-sassens-theory-to-explain-the-phenomenon-of-cluster'",
    )
    .execute(&pool)
    .await
    .unwrap();
    let app = TestApp::spawn(pool).await;
    let (_, feed) = fetch_feed(&app, "/feed.xml").await;
    let summary = feed.entries[0].summary.as_ref().unwrap().content.clone();
    assert!(
        !summary.contains("<img"),
        "the description is escaped HTML: {summary}"
    );
    assert!(summary.contains("&lt;img"), "{summary}");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn relative_links_in_posts_become_absolute_in_feeds(pool: PgPool) {
    import_fixture(&pool, "demo.wxr").await.unwrap();
    sqlx::query("UPDATE posts SET body_html = body_html || '<p><a href=\"/posts/elsewhere\">more</a><img src=\"/media/map.png\" alt=\"map\"></p>'")
        .execute(&pool)
        .await
        .unwrap();
    let app = TestApp::spawn(pool).await;
    let (_, feed) = fetch_feed(&app, "/feed.xml").await;
    let content = feed.entries[0]
        .content
        .as_ref()
        .unwrap()
        .body
        .clone()
        .unwrap();
    assert!(
        content.contains(&format!("href=\"{}/posts/elsewhere\"", app.address)),
        "{content}"
    );
    assert!(
        content.contains(&format!("src=\"{}/media/map.png\"", app.address)),
        "{content}"
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn the_sitemap_names_every_post_and_listing(pool: PgPool) {
    import_fixture(&pool, "demo.wxr").await.unwrap();
    import_fixture(&pool, "themeunittestdata.wordpress.xml")
        .await
        .unwrap();
    let app = TestApp::spawn(pool.clone()).await;
    let (status, index) = app.get("/sitemap.xml").await;
    assert_eq!(status, 200);
    let sitemaps: Vec<String> = index
        .split("<loc>")
        .skip(1)
        .map(|part| part.split("</loc>").next().unwrap().to_string())
        .collect();
    assert!(sitemaps.contains(&format!("{}/sitemaps/listings.xml", app.address)));
    let mut posts = Vec::new();
    for sitemap in &sitemaps {
        let path = sitemap.strip_prefix(&app.address).unwrap();
        let (status, body) = app.get(path).await;
        assert_eq!(status, 200, "{path}");
        posts.extend(
            body.split("<loc>")
                .skip(1)
                .map(|part| part.split("</loc>").next().unwrap().to_string())
                .filter(|url| url.contains("/posts/")),
        );
    }
    let published: i64 = sqlx::query_scalar("SELECT count(*) FROM public_posts")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(posts.len() as i64, published);
    let (_, listings) = app.get("/sitemaps/listings.xml").await;
    for listing in [
        "/category/parent<",
        "/tag/8bit<",
        "/author/themedemos<",
        "/archive/2009/04<",
    ] {
        assert!(
            listings.contains(&format!("{}{listing}", app.address)),
            "{listing}"
        );
    }
    let (status, robots) = app.get("/robots.txt").await;
    assert_eq!(status, 200);
    assert!(robots.contains(&format!("Sitemap: {}/sitemap.xml", app.address)));
    assert_eq!(app.get("/sitemaps/posts/1999-01.xml").await.0, 404);
}
