//! The public JSON API: every endpoint, filter, page edge and error, and HTTP caching.

use integration_tests::{Request, TestApp, import_fixture};
use reqwest::header::{self, HeaderMap};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use sqlx::PgPool;

async fn app_with(pool: PgPool, theme: bool) -> TestApp {
    import_fixture(&pool, "demo.wxr").await.unwrap();
    if theme {
        import_fixture(&pool, "themeunittestdata.wordpress.xml")
            .await
            .unwrap();
    }
    TestApp::spawn(pool).await
}

/// A request as a program sends it, from no page.
fn from_a_program(method: Method, path: &str) -> Request {
    Request::new(method, path).with_origin(None)
}

/// `GET path`, its body read as JSON (`null` when empty).
async fn get(app: &TestApp, path: &str) -> (StatusCode, HeaderMap, Value) {
    let reply = from_a_program(Method::GET, path).send(app).await;
    let json = if reply.bytes.is_empty() {
        Value::Null
    } else {
        reply.json()
    };
    (reply.status, reply.headers, json)
}

fn slugs(page: &Value) -> Vec<String> {
    page["posts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|post| post["slug"].as_str().unwrap().to_string())
        .collect()
}

async fn expected_slugs(pool: &PgPool, query: &'static str) -> Vec<String> {
    sqlx::query_scalar(query).fetch_all(pool).await.unwrap()
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn posts_are_listed_with_their_summaries(pool: PgPool) {
    let app = app_with(pool, false).await;
    let (status, headers, page) = get(&app, "/api/v1/posts").await;
    assert_eq!(status, 200);
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    assert_eq!(
        (page["page"].as_u64(), page["per_page"].as_u64()),
        (Some(1), Some(10))
    );
    assert_eq!(
        (page["total"].as_u64(), page["total_pages"].as_u64()),
        (Some(9), Some(1))
    );
    assert_eq!(page["total_exact"], true);
    let first = &page["posts"][0];
    assert_eq!(
        first["slug"],
        "using-sassens-theory-to-explain-the-phenomenon-of-cluster"
    );
    assert_eq!(
        first["title"],
        "Using Sassen’s theory to explain the phenomenon of cluster"
    );
    assert_eq!(first["published_at"], "2009-04-19T12:00:00Z");
    assert_eq!(first["author"], Value::Null);
    assert_eq!(
        first["categories"],
        serde_json::json!([{"slug": "creative-industries", "name": "creative industries"}, {"slug": "theory", "name": "theory"}])
    );
    assert_eq!(first["tags"], serde_json::json!([]));
    assert_eq!(first["comment_count"], 0);
    assert_eq!(
        first["url"],
        format!(
            "{}/posts/using-sassens-theory-to-explain-the-phenomenon-of-cluster",
            app.address
        )
    );
    assert!(
        first["excerpt"]
            .as_str()
            .unwrap()
            .starts_with("According to Sassen")
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn every_filter_and_their_combinations(pool: PgPool) {
    let app = app_with(pool.clone(), true).await;
    let cases: [(&str, &'static str); 6] = [
        (
            "tag=8bit",
            "SELECT p.slug FROM public_posts p JOIN post_tags pt ON pt.post_id = p.id JOIN tags t ON t.id = pt.tag_id WHERE t.slug = '8bit' ORDER BY p.published_at DESC, p.id DESC",
        ),
        (
            "author=themereviewteam",
            "SELECT p.slug FROM public_posts p JOIN users u ON u.id = p.author_id WHERE u.slug = 'themereviewteam' ORDER BY p.published_at DESC, p.id DESC",
        ),
        (
            "category=video",
            "SELECT p.slug FROM public_posts p JOIN post_categories pc ON pc.post_id = p.id JOIN categories c ON c.id = pc.category_id WHERE c.slug = 'video' ORDER BY p.published_at DESC, p.id DESC",
        ),
        (
            "year=2009&month=4",
            "SELECT slug FROM public_posts WHERE published_at >= '2009-04-01' AND published_at < '2009-05-01' ORDER BY published_at DESC, id DESC",
        ),
        (
            "year=2013",
            "SELECT slug FROM public_posts WHERE published_at >= '2013-01-01' AND published_at < '2014-01-01' ORDER BY published_at DESC, id DESC",
        ),
        (
            "author=themedemos&tag=content-2&year=2013",
            "SELECT p.slug FROM public_posts p JOIN users u ON u.id = p.author_id JOIN post_tags pt ON pt.post_id = p.id JOIN tags t ON t.id = pt.tag_id WHERE u.slug = 'themedemos' AND t.slug = 'content-2' AND p.published_at >= '2013-01-01' AND p.published_at < '2014-01-01' ORDER BY p.published_at DESC, p.id DESC",
        ),
    ];
    for (query, truth) in cases {
        let want = expected_slugs(&pool, truth).await;
        assert!(!want.is_empty(), "{query}");
        let (status, _, page) = get(&app, &format!("/api/v1/posts?{query}&per_page=100")).await;
        assert_eq!(status, 200, "{query}");
        assert_eq!(slugs(&page), want, "{query}");
        assert_eq!(page["total"].as_u64(), Some(want.len() as u64), "{query}");
    }
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn pages_split_the_list_exactly(pool: PgPool) {
    let app = app_with(pool, true).await;
    let (_, _, all) = get(&app, "/api/v1/posts?per_page=100").await;
    let all = slugs(&all);
    assert_eq!(all.len(), 65);
    let mut paged = Vec::new();
    for page in 1..=7 {
        let (status, _, body) = get(&app, &format!("/api/v1/posts?per_page=10&page={page}")).await;
        assert_eq!(status, 200);
        assert_eq!(body["total_pages"], 7);
        paged.extend(slugs(&body));
    }
    assert_eq!(paged, all);
    let (_, _, one) = get(&app, "/api/v1/posts?per_page=1&page=65").await;
    assert_eq!(slugs(&one), [all[64].clone()]);
    let (status, _, past) = get(&app, "/api/v1/posts?per_page=10&page=8").await;
    assert_eq!(status, 200, "past the last page: an empty page");
    assert_eq!(past["posts"], serde_json::json!([]));
    assert_eq!(past["total"], 65);
    let (_, _, largest) = get(&app, "/api/v1/posts?per_page=100").await;
    assert_eq!(largest["per_page"], 100);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn search_combines_with_filters(pool: PgPool) {
    let app = app_with(pool, true).await;
    let (status, _, found) = get(&app, "/api/v1/posts?q=%E6%85%88%E6%BA%AA").await;
    assert_eq!(status, 200);
    assert_eq!(
        slugs(&found),
        [
            "some-notes-from-government-report-of-renewable-resource-recycling-planning-in-ningbo-cixi"
        ]
    );
    let (_, _, both) = get(&app, "/api/v1/posts?q=alignment&author=themedemos").await;
    assert!(both["total"].as_u64().unwrap() >= 1);
    for post in both["posts"].as_array().unwrap() {
        assert_eq!(post["author"]["slug"], "themedemos");
    }
    let (_, _, none) = get(&app, "/api/v1/posts?q=alignment&year=2009").await;
    assert_eq!(none["total"], 0);
    let (status, _, punctuation) = get(&app, "/api/v1/posts?q=%21%21").await;
    assert_eq!(
        (status, punctuation["total"].as_u64()),
        (StatusCode::OK, Some(0)),
        "punctuation matches nothing"
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_post_comes_whole_with_its_approved_comments(pool: PgPool) {
    let app = app_with(pool.clone(), true).await;
    let (status, _, post) = get(&app, "/api/v1/posts/template-comments").await;
    assert_eq!(status, 200);
    assert_eq!(post["slug"], "template-comments");
    assert!(post["body_html"].as_str().unwrap().contains("<p>"));
    let comments = post["comments"].as_array().unwrap();
    let approved: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM comments c JOIN posts p ON p.id = c.post_id
         WHERE p.slug = 'template-comments' AND c.status = 'approved' AND c.kind = 'comment'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(comments.len() as i64, approved);
    assert!(
        comments.iter().any(|comment| comment["parent_id"].is_i64()),
        "threading is kept"
    );
    assert!(
        comments
            .iter()
            .all(|comment| comment.get("author_email").is_none()),
        "no e-mail addresses"
    );
    assert_eq!(post["comment_count"].as_i64(), Some(approved));

    sqlx::query("UPDATE posts SET body_html = '<p onclick=\"x()\">hi</p><script>alert(1)</script>' WHERE slug = 'template-comments'")
        .execute(&pool)
        .await
        .unwrap();
    let (_, _, cleaned) = get(&app, "/api/v1/posts/template-comments").await;
    assert_eq!(
        cleaned["body_html"].as_str().map(str::trim),
        Some("<p>hi</p>")
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn taxonomies_and_archives(pool: PgPool) {
    let app = app_with(pool, true).await;
    let (_, _, tags) = get(&app, "/api/v1/tags").await;
    let tags = tags.as_array().unwrap();
    // Of the 114 tags, those with published posts: the others are used by drafts or by nothing.
    assert_eq!(tags.len(), 64);
    let eight_bit = tags.iter().find(|tag| tag["slug"] == "8bit").unwrap();
    assert_eq!(eight_bit["count"], 1);
    let (_, _, categories) = get(&app, "/api/v1/categories").await;
    let categories = categories.as_array().unwrap();
    // All 72 categories but “Blogroll”, which holds no posts.
    assert_eq!(categories.len(), 71);
    assert!(
        categories
            .iter()
            .all(|category| category["slug"] != "blogroll")
    );
    let child = categories
        .iter()
        .find(|category| category["slug"] == "child-1")
        .unwrap();
    assert_eq!(child["parent"], "parent");
    let parent = categories
        .iter()
        .find(|category| category["slug"] == "parent")
        .unwrap();
    assert_eq!(parent["parent"], Value::Null);
    assert!(parent["count"].as_i64() >= child["count"].as_i64());
    let (_, _, authors) = get(&app, "/api/v1/authors").await;
    let names: Vec<&str> = authors
        .as_array()
        .unwrap()
        .iter()
        .map(|author| author["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Theme Buster", "Theme Reviewer"]);
    let (_, _, archives) = get(&app, "/api/v1/archives").await;
    let archives = archives.as_array().unwrap();
    assert_eq!(archives[0]["year"], 2023);
    let april = archives
        .iter()
        .find(|month| month["year"] == 2009 && month["month"] == 4)
        .unwrap();
    assert_eq!(april["count"], 9);
    let years: Vec<i64> = archives
        .iter()
        .map(|month| month["year"].as_i64().unwrap() * 100 + month["month"].as_i64().unwrap())
        .collect();
    assert!(
        years.windows(2).all(|pair| pair[0] > pair[1]),
        "newest first"
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn bad_requests_are_problems_never_pages(pool: PgPool) {
    let app = app_with(pool, false).await;
    let cases = [
        ("/api/v1/posts?page=abc", 400),
        ("/api/v1/posts?page=0", 400),
        ("/api/v1/posts?per_page=0", 400),
        ("/api/v1/posts?per_page=1000", 400),
        ("/api/v1/posts?per_page=-1", 400),
        ("/api/v1/posts?month=13&year=2009", 400),
        ("/api/v1/posts?month=4", 400),
        ("/api/v1/posts?year=20000", 400),
        ("/api/v1/posts?page=1&page=2", 400),
        ("/api/v1/posts?tag=a%00b", 404),
        ("/api/v1/posts?tag=no-such-tag", 404),
        ("/api/v1/posts?author=nobody", 404),
        ("/api/v1/posts/no-such-post", 404),
        ("/api/v1/posts/a%00b", 404),
        ("/api/v1/no-such-resource", 404),
        ("/api/nothing/here", 404),
    ];
    for (path, status) in cases {
        let (got, headers, problem) = get(&app, path).await;
        assert_eq!(got.as_u16(), status, "{path}");
        assert_eq!(
            headers[header::CONTENT_TYPE],
            "application/problem+json",
            "{path}"
        );
        assert_eq!(problem["status"], status, "{path}");
        assert_eq!(problem["type"], "about:blank");
        assert!(
            problem["title"].is_string() && problem["detail"].is_string(),
            "{path}: {problem}"
        );
    }
    let long = format!("/api/v1/posts?q={}", "word+".repeat(50));
    assert_eq!(get(&app, &long).await.0, 400);

    let wrong_method = from_a_program(Method::PATCH, "/api/v1/posts")
        .send(&app)
        .await;
    assert_eq!(wrong_method.status, 405);
    assert_eq!(wrong_method.headers[header::ALLOW], "GET,HEAD,POST");
    assert_eq!(
        wrong_method.headers[header::CONTENT_TYPE],
        "application/problem+json"
    );
    let too_large = from_a_program(Method::POST, "/api/v1/posts")
        .with_body("application/json", vec![b' '; 7 * 1024 * 1024])
        .send(&app)
        .await;
    assert_eq!(too_large.status, 413);
    assert_eq!(
        too_large.headers[header::CONTENT_TYPE],
        "application/problem+json"
    );
    let not_json = from_a_program(Method::PUT, "/api/v1/posts/x")
        .with_body("text/plain", "hello")
        .send(&app)
        .await;
    assert_eq!(not_json.status, 415);
    assert_eq!(
        not_json.headers[header::CONTENT_TYPE],
        "application/problem+json"
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn reads_are_tagged_and_cached(pool: PgPool) {
    let app = app_with(pool.clone(), false).await;
    for (path, max_age) in [
        ("/api/v1/posts", 60),
        ("/api/v1/posts/the-trip-of-e-waste-recycling", 300),
        ("/api/v1/tags", 300),
        ("/api/v1/categories", 300),
        ("/api/v1/authors", 300),
        ("/api/v1/archives", 300),
        ("/api/openapi.json", 3600),
    ] {
        let first = from_a_program(Method::GET, path).send(&app).await;
        assert_eq!(first.status, 200, "{path}");
        assert_eq!(
            first.headers[header::CACHE_CONTROL],
            format!("public, max-age={max_age}"),
            "{path}"
        );
        let etag = first.headers[header::ETAG].clone();
        let again = from_a_program(Method::GET, path)
            .header(header::IF_NONE_MATCH, etag.to_str().unwrap())
            .send(&app)
            .await;
        assert_eq!(again.status, 304, "{path}");
        assert_eq!(again.headers[header::ETAG], etag);
        assert!(again.bytes.is_empty());
    }
    let before = from_a_program(Method::GET, "/api/v1/posts")
        .send(&app)
        .await
        .headers[header::ETAG]
        .clone();
    sqlx::query("UPDATE posts SET title = 'Renamed' WHERE slug = 'the-trip-of-e-waste-recycling'")
        .execute(&pool)
        .await
        .unwrap();
    let changed = from_a_program(Method::GET, "/api/v1/posts")
        .header(header::IF_NONE_MATCH, before.to_str().unwrap())
        .send(&app)
        .await;
    assert_eq!(changed.status, 200, "a changed list is sent again");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn answers_are_compressed_when_asked(pool: PgPool) {
    let app = app_with(pool, false).await;
    for encoding in ["gzip", "br"] {
        let response = from_a_program(Method::GET, "/api/v1/posts?per_page=9")
            .header(header::ACCEPT_ENCODING, encoding)
            .send(&app)
            .await;
        assert_eq!(response.headers[header::CONTENT_ENCODING], encoding);
    }
    let plain = from_a_program(Method::GET, "/api/v1/posts")
        .send(&app)
        .await;
    assert!(plain.headers.get(header::CONTENT_ENCODING).is_none());
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn cross_origin_reads_only_when_configured(pool: PgPool) {
    let app = app_with(pool.clone(), false).await;
    let from_a_page_of = |origin: &str| Request::get("/api/v1/archives").with_origin(Some(origin));
    let response = from_a_page_of("https://elsewhere.example").send(&app).await;
    assert!(
        response
            .headers
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_none(),
        "off by default"
    );

    let open = TestApp::spawn_with_cors(pool, &["https://elsewhere.example".to_string()]).await;
    let allowed = from_a_page_of("https://elsewhere.example")
        .send(&open)
        .await;
    assert_eq!(
        allowed.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://elsewhere.example"
    );
    let other = from_a_page_of("https://other.example").send(&open).await;
    assert!(
        other
            .headers
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_none()
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn the_openapi_document_describes_every_endpoint(pool: PgPool) {
    let app = app_with(pool, false).await;
    let (status, _, document) = get(&app, "/api/openapi.json").await;
    assert_eq!(status, 200);
    assert_eq!(document["openapi"], "3.1.0");
    for path in [
        "/api/v1/posts",
        "/api/v1/posts/{slug}",
        "/api/v1/tags",
        "/api/v1/categories",
        "/api/v1/authors",
        "/api/v1/archives",
        "/api/openapi.json",
    ] {
        assert!(document["paths"][path]["get"].is_object(), "{path}");
    }
    let parameters: Vec<&str> = document["paths"]["/api/v1/posts"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|parameter| parameter["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        parameters,
        [
            "author", "tag", "category", "year", "month", "q", "page", "per_page"
        ]
    );
    assert!(document["components"]["schemas"]["Problem"].is_object());
    assert!(document["paths"]["/api/v1/posts"]["get"]["responses"]["400"]["content"]["application/problem+json"].is_object());
    for status in ["405", "413", "415"] {
        assert_eq!(
            document["paths"]["/api/v1/tags"]["get"]["responses"][status]["$ref"],
            "#/components/responses/Problem"
        );
    }
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn pages_past_the_reach_of_a_combination_or_search_are_refused(pool: PgPool) {
    let app = app_with(pool, true).await;
    let combined = "/api/v1/posts?author=themedemos&tag=content-2&per_page=100";
    let (status, _, last) = get(&app, &format!("{combined}&page=100")).await;
    assert_eq!(status, 200, "{last}");
    assert_eq!(last["posts"], Value::Array(Vec::new()));
    let (status, headers, problem) = get(&app, &format!("{combined}&page=101")).await;
    assert_eq!(status, 400, "{problem}");
    assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json");
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains("10000"), "{detail}");
    assert!(detail.contains("`year`"), "{detail}");

    let (status, _, problem) = get(&app, "/api/v1/posts?q=alignment&page=501").await;
    assert_eq!(status, 400, "{problem}");
    assert!(
        problem["detail"].as_str().unwrap().contains("5000"),
        "{problem}"
    );
    assert_eq!(get(&app, "/api/v1/posts?q=alignment&page=500").await.0, 200);

    // One author, tag or category alone pages through all of its posts.
    let (status, _, single) = get(&app, "/api/v1/posts?tag=content-2&page=5000000").await;
    assert_eq!(status, 200, "{single}");
}
