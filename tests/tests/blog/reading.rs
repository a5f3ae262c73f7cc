//! What readers see: the listing of posts, single posts, and what is never shown to them.

use app::db::listings;
use app::db::posts::{PostParts, find_public_post};
use app::filter::PostFilter;
use app::model::PostListing;
use integration_tests::{TestApp, import_fixture};
use sqlx::PgPool;

const SEED_TITLES_NEWEST_FIRST: [&str; 9] = [
    "Using Sassen’s theory to explain the phenomenon of cluster",
    "Fu Hanqing’s Essay Question (The final one)",
    "Useful Resource: Ningbo Creative Industry Association",
    "Some Surveys from Ningbo Creative Cluster",
    "Some Notes from Government Report of Renewable Resource Recycling Planning in Ningbo Cixi",
    "Notes about Creative Clusters: Out Of Nowhere",
    "Interviews to Recycling Business in Ningbo",
    "The Trip of E-waste recycling",
    "Clip: Shanghai Creative Industry Park",
];

async fn list_public_posts(pool: &PgPool, page: u32, per_page: u32) -> PostListing {
    listings::list_posts(pool, &PostFilter::default(), page, per_page)
        .await
        .unwrap()
        .expect("all posts")
}

async fn seed_titles(pool: &PgPool) -> Vec<String> {
    sqlx::query_scalar("SELECT title FROM posts ORDER BY published_at DESC, id DESC")
        .fetch_all(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn the_listing_is_newest_first_ten_a_page(pool: PgPool) {
    import_fixture(&pool, "themeunittestdata.wordpress.xml")
        .await
        .unwrap();
    let visible: i64 = sqlx::query_scalar("SELECT count(*) FROM public_posts")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        visible, 56,
        "published posts, without the draft and the scheduled one"
    );

    let mut seen = Vec::new();
    let mut page = 1;
    loop {
        let listing = list_public_posts(&pool, page, 10).await;
        assert_eq!(listing.page, page);
        assert!(listing.posts.len() <= 10);
        let has_next = listing.has_next();
        seen.extend(listing.posts);
        if !has_next {
            break;
        }
        page += 1;
    }
    assert_eq!(page, 6, "56 posts make six pages");
    assert_eq!(seen.len(), 56);
    assert!(
        seen.windows(2)
            .all(|pair| pair[0].published_at >= pair[1].published_at),
        "newest first"
    );
    let mut slugs: Vec<_> = seen.iter().map(|post| post.slug.clone()).collect();
    slugs.sort();
    slugs.dedup();
    assert_eq!(slugs.len(), 56, "no post on two pages");

    let past_the_end = list_public_posts(&pool, 7, 10).await;
    assert!(past_the_end.posts.is_empty() && !past_the_end.has_next());
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_page_boundary_falls_exactly(pool: PgPool) {
    import_fixture(&pool, "demo.wxr").await.unwrap();
    let first = list_public_posts(&pool, 1, 9).await;
    assert_eq!(first.posts.len(), 9);
    assert!(
        !first.has_next(),
        "nine posts fill one page of nine exactly"
    );
    let of_three = list_public_posts(&pool, 3, 3).await;
    assert_eq!(of_three.posts.len(), 3);
    assert!(!of_three.has_next());
    assert_eq!(
        of_three.posts[2].slug,
        list_public_posts(&pool, 1, 9).await.posts[8].slug
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn hidden_statuses_are_never_shown(pool: PgPool) {
    import_fixture(&pool, "demo.wxr").await.unwrap();
    let slugs: Vec<String> =
        sqlx::query_scalar("SELECT slug FROM posts ORDER BY published_at DESC")
            .fetch_all(&pool)
            .await
            .unwrap();
    sqlx::query("UPDATE posts SET status = 'draft' WHERE slug = $1")
        .bind(&slugs[0])
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE posts SET status = 'private' WHERE slug = $1")
        .bind(&slugs[1])
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE posts SET status = 'trash' WHERE slug = $1")
        .bind(&slugs[2])
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE posts SET status = 'scheduled', published_at = now() + interval '1 day' WHERE slug = $1")
        .bind(&slugs[3])
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE posts SET status = 'scheduled', published_at = now() - interval '1 minute' WHERE slug = $1")
        .bind(&slugs[4])
        .execute(&pool)
        .await
        .unwrap();

    let listing = list_public_posts(&pool, 1, 10).await;
    let listed: Vec<_> = listing
        .posts
        .iter()
        .map(|post| post.slug.as_str())
        .collect();
    assert_eq!(listed.len(), 5, "{listed:?}");
    for hidden in &slugs[..4] {
        assert!(!listed.contains(&hidden.as_str()), "{hidden} is listed");
        assert!(
            find_public_post(&pool, hidden, PostParts::Page, |_, _| false)
                .await
                .unwrap()
                .is_none(),
            "{hidden} can be read"
        );
    }
    assert!(
        listed.contains(&slugs[4].as_str()),
        "a scheduled post shows once its time has come"
    );

    let app = TestApp::spawn(pool.clone()).await;
    for hidden in &slugs[..4] {
        let (status, _) = app.get(&format!("/posts/{hidden}")).await;
        assert_eq!(status, 404, "{hidden}");
    }
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn the_home_page_lists_the_seed_posts_newest_first(pool: PgPool) {
    import_fixture(&pool, "demo.wxr").await.unwrap();
    assert_eq!(seed_titles(&pool).await, SEED_TITLES_NEWEST_FIRST);

    let app = TestApp::spawn(pool).await;
    let (status, html) = app.get("/").await;
    assert_eq!(status, 200);
    let positions: Vec<usize> = SEED_TITLES_NEWEST_FIRST
        .iter()
        .map(|title| {
            html.find(&format!(">{title}</a>"))
                .unwrap_or_else(|| panic!("{title} missing"))
        })
        .collect();
    assert!(
        positions.windows(2).all(|pair| pair[0] < pair[1]),
        "newest first"
    );
    assert!(html.contains("<title>Creative and Waste Industries in Ningbo</title>"));
    assert!(html.contains(
        "Posted: <a href=\"/archive/2009/04\"><time datetime=\"2009-04-19T12:00:00+00:00\">April 19th, 2009</time></a>"
    ));
    assert!(html.contains(
        "Filed under: <a href=\"/category/creative-industries\" class=\"meta-category\">creative industries</a>, \
         <a href=\"/category/theory\" class=\"meta-category\">theory</a>"
    ));
    assert!(!html.contains("Author:"), "the seed posts have no author");
    assert!(html.contains("No Comments »"));
    assert!(!html.contains("Older posts"), "nine posts fit on one page");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn pages_of_the_listing_have_their_own_addresses(pool: PgPool) {
    import_fixture(&pool, "themeunittestdata.wordpress.xml")
        .await
        .unwrap();
    let app = TestApp::spawn(pool).await;
    let (status, first) = app.get("/").await;
    assert_eq!(status, 200);
    assert!(
        first.contains("href=\"/?page=2\""),
        "a link to the next page"
    );
    let (status, sixth) = app.get("/?page=6").await;
    assert_eq!(status, 200);
    assert!(sixth.contains("href=\"/?page=5\"") && !sixth.contains("href=\"/?page=7\""));
    for missing in ["/?page=7", "/?page=0", "/?page=abc"] {
        assert_eq!(app.get(missing).await.0, 404, "{missing}");
    }
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_post_page_shows_the_whole_post(pool: PgPool) {
    import_fixture(&pool, "demo.wxr").await.unwrap();
    let app = TestApp::spawn(pool).await;
    let (status, html) = app
        .get("/posts/using-sassens-theory-to-explain-the-phenomenon-of-cluster")
        .await;
    assert_eq!(status, 200);
    assert!(html.contains(
        "<h1 class=\"post-title\">Using Sassen’s theory to explain the phenomenon of cluster</h1>"
    ));
    assert!(
        html.contains("A new theme cluster is constructing."),
        "the end of the body is there"
    );
    assert!(html.contains("<title>Using Sassen’s theory to explain the phenomenon of cluster – Creative and Waste Industries in Ningbo</title>"));
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn approved_comments_are_shown_threaded_under_their_post(pool: PgPool) {
    import_fixture(&pool, "themeunittestdata.wordpress.xml")
        .await
        .unwrap();
    let approved: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM comments c JOIN posts p ON p.id = c.post_id
         WHERE p.slug = 'template-comments' AND c.status = 'approved' AND c.kind = 'comment'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let app = TestApp::spawn(pool).await;
    let (status, html) = app.get("/posts/template-comments").await;
    assert_eq!(status, 200);
    assert_eq!(html.matches("class=\"comment\"").count() as i64, approved);
    assert!(
        html.contains("<ol class=\"comment-replies\">"),
        "replies are nested"
    );
    assert!(html.contains(&format!(">{approved} Comments</h2>")));
    assert!(
        html.contains("rel=\"nofollow ugc external\""),
        "commenters' sites are not endorsed"
    );
    assert!(!html.contains("@gmail.com"), "no e-mail addresses");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn unknown_addresses_are_404_pages(pool: PgPool) {
    import_fixture(&pool, "demo.wxr").await.unwrap();
    let app = TestApp::spawn(pool).await;
    for path in ["/posts/no-such-post", "/no/such/page"] {
        let (status, html) = app.get(path).await;
        assert_eq!(status, 404, "{path}");
        assert!(html.contains("Page not found"), "{path}");
    }
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn imported_scripts_never_reach_the_page(pool: PgPool) {
    import_fixture(&pool, "demo.wxr").await.unwrap();
    sqlx::query(
        "UPDATE posts SET body_html = body_html || '<script>alert(1)</script><img src=x onerror=alert(2)><a href=\"javascript:alert(3)\">x</a>'",
    )
    .execute(&pool)
    .await
    .unwrap();
    let app = TestApp::spawn(pool).await;
    let (_, html) = app
        .get("/posts/using-sassens-theory-to-explain-the-phenomenon-of-cluster")
        .await;
    assert!(!html.contains("alert("), "{html}");
}
