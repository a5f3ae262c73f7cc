//! Running the blog: health and readiness for load balancers, a request id on every answer, logs
//! for people or for log collectors, and several servers over one database.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use integration_tests::{Request, TestApp, database_url, fieldnotes_binary};
use reqwest::StatusCode;
use sqlx::PgPool;

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn health_and_readiness_say_whether_the_blog_can_serve(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    for path in ["/healthz", "/readyz"] {
        let reply = Request::get(path).with_origin(None).send(&app).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert_eq!(
            reply.header(reqwest::header::CACHE_CONTROL),
            "private, no-store"
        );
        let again = Request::get(path).with_origin(None).send(&app).await;
        assert!(
            again.headers.get("x-cache").is_none(),
            "{path} is never kept"
        );
    }
    sqlx::query(
        "DELETE FROM _sqlx_migrations WHERE version = (SELECT max(version) FROM _sqlx_migrations)",
    )
    .execute(&pool)
    .await
    .unwrap();
    let behind = Request::get("/readyz").with_origin(None).send(&app).await;
    assert_eq!(behind.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        behind.header(reqwest::header::CONTENT_TYPE),
        "application/problem+json"
    );
    assert!(behind.body.contains("schema"), "{}", behind.body);
    let alive = Request::get("/healthz").with_origin(None).send(&app).await;
    assert_eq!(alive.status, StatusCode::OK, "the process still answers");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn every_answer_carries_a_request_id(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let kept = Request::get("/")
        .header("x-request-id", "proxy-7f3a.1")
        .send(&app)
        .await;
    assert_eq!(kept.header("x-request-id".parse().unwrap()), "proxy-7f3a.1");
    for sent in [None, Some("not a sensible id <script>")] {
        let mut request = Request::get("/api/v1/posts/nothing-here").with_origin(None);
        if let Some(id) = sent {
            request = request.header("x-request-id", id);
        }
        let reply = request.send(&app).await;
        let id = reply.header("x-request-id".parse().unwrap());
        assert_eq!(id.len(), 64, "{id}");
        assert!(id.bytes().all(|byte| byte.is_ascii_hexdigit()), "{id}");
    }
    let first = Request::get("/healthz").send(&app).await;
    let second = Request::get("/healthz").send(&app).await;
    assert_ne!(
        first.header("x-request-id".parse().unwrap()),
        second.header("x-request-id".parse().unwrap())
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn logs_are_one_json_object_a_line_when_asked(pool: PgPool) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = Command::new(fieldnotes_binary())
        .args(["serve", "--log-format", "json", "--no-demo"])
        .arg("--addr")
        .arg(format!("127.0.0.1:{port}"))
        .args(["--site-root", "../target/site"])
        .env("DATABASE_URL", database_url(&pool))
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("the server starts");
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    let answered = loop {
        let reply = client
            .get(format!("http://127.0.0.1:{port}/healthz"))
            .header("x-request-id", "log-test-1")
            .send()
            .await;
        if let Ok(reply) = reply {
            break reply.status();
        }
        assert!(
            Instant::now() < deadline,
            "the server did not start in 30 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(answered, StatusCode::OK);
    server.kill().unwrap();
    let stderr = server.stderr.take().unwrap();
    let lines: Vec<String> = BufReader::new(stderr)
        .lines()
        .map_while(Result::ok)
        .collect();
    server.wait().unwrap();
    assert!(!lines.is_empty());
    for line in &lines {
        serde_json::from_str::<serde_json::Value>(line)
            .unwrap_or_else(|error| panic!("{error}: {line}"));
    }
    assert!(
        lines
            .iter()
            .any(|line| line.contains("\"request_id\":\"log-test-1\"")
                && line.contains("\"status\":200")),
        "{lines:?}"
    );
}

/// The `x-cache` of an answer: `hit` when it came from the server's kept pages.
fn cache_of(reply: &integration_tests::Reply) -> String {
    reply
        .headers
        .get("x-cache")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn two_servers_over_one_database_serve_the_same_blog(pool: PgPool) {
    integration_tests::import_fixture(&pool, "demo.wxr")
        .await
        .unwrap();
    let hash = app::auth::hash_password("a long enough password").unwrap();
    let mut conn = pool.acquire().await.unwrap();
    app::db::accounts::create_account(
        &mut conn,
        "ada@example.org",
        "Ada",
        "ada",
        app::model::Role::Author,
        Some(&hash),
    )
    .await
    .unwrap();
    drop(conn);
    let one = TestApp::spawn(pool.clone()).await;
    let other = TestApp::spawn(pool.clone()).await;

    assert_eq!(cache_of(&Request::get("/").send(&other).await), "miss");
    assert_eq!(cache_of(&Request::get("/").send(&other).await), "hit");

    let form = integration_tests::form_body([
        ("email", "ada@example.org"),
        ("password", "a long enough password"),
        ("next", "/"),
    ]);
    let signed_in = Request::server_fn("sign_in", &form).send(&one).await;
    let session = integration_tests::cookie_pair(
        &signed_in
            .session_cookie()
            .expect("signed in on the first server"),
    );
    let account = Request::get("/account")
        .with_cookie(session.clone())
        .send(&other)
        .await;
    assert!(
        account.body.contains("ada@example.org"),
        "a session made on one server is valid on the other"
    );

    let written = Request::json(
        reqwest::Method::POST,
        "/api/v1/posts",
        &serde_json::json!({
            "title": "Written through the first", "body_html": "<p>Hello.</p>",
            "status": "published"
        }),
    )
    .with_cookie(session)
    .send(&one)
    .await;
    assert_eq!(written.status, StatusCode::CREATED, "{}", written.body);
    let home = Request::get("/").send(&other).await;
    assert_eq!(
        cache_of(&home),
        "miss",
        "the other server's kept page is stale"
    );
    assert!(home.body.contains("Written through the first"));
    let post = Request::get("/posts/written-through-the-first")
        .send(&other)
        .await;
    assert_eq!(post.status, StatusCode::OK);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn metrics_are_read_from_this_machine_or_with_the_token(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    Request::get("/healthz").send(&app).await;
    Request::get("/").send(&app).await;
    Request::get("/").send(&app).await;
    let metrics = Request::get("/metrics").with_origin(None).send(&app).await;
    assert_eq!(metrics.status, StatusCode::OK);
    assert_eq!(
        metrics.header(reqwest::header::CACHE_CONTROL),
        "private, no-store"
    );
    for series in [
        "fieldnotes_requests_total{method=\"GET\",route=\"/healthz\",status=\"2xx\"}",
        "fieldnotes_request_duration_seconds_bucket{method=\"GET\",route=\"/healthz\"",
        "fieldnotes_page_cache_total{result=\"hit\"}",
        "fieldnotes_database_connections{state=\"idle\"}",
    ] {
        assert!(
            metrics.body.contains(series),
            "{series} in\n{}",
            metrics.body
        );
    }
    Request::get("/no/such/address/made/up-1").send(&app).await;
    let metrics = Request::get("/metrics").with_origin(None).send(&app).await;
    assert!(
        !metrics.body.contains("made/up-1"),
        "made-up addresses add no series"
    );

    let behind_a_proxy = TestApp::spawn_with(
        pool,
        integration_tests::Setup {
            trusted_proxies: server::client_address::TrustedProxies::parse("127.0.0.1").unwrap(),
            metrics_token: Some("metrics-secret".to_string()),
            ..integration_tests::Setup::default()
        },
    )
    .await;
    let from_afar = |token: Option<&'static str>| {
        let app = &behind_a_proxy;
        async move {
            let mut request = Request::get("/metrics")
                .with_origin(None)
                .header("x-forwarded-for", "203.0.113.9");
            if let Some(token) = token {
                request = request.bearer(token);
            }
            request.send(app).await.status
        }
    };
    assert_eq!(from_afar(None).await, StatusCode::NOT_FOUND);
    assert_eq!(from_afar(Some("a guess")).await, StatusCode::NOT_FOUND);
    assert_eq!(from_afar(Some("metrics-secret")).await, StatusCode::OK);
}

/// Every page being rendered is finished while other copies of the app start in the same
/// process: Leptos holds back each resource that starts loading while it finds an app's routes,
/// and for good (leptos#4773), so the routes are found once.
#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn pages_are_finished_while_other_apps_start(pool: PgPool) {
    integration_tests::import_fixture(&pool, "demo.wxr")
        .await
        .unwrap();
    let app = TestApp::spawn(pool.clone()).await;
    let done = Arc::new(AtomicBool::new(false));
    let starter = std::thread::spawn({
        let (pool, done) = (pool.clone(), Arc::clone(&done));
        move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            while !done.load(Ordering::Relaxed) {
                runtime.block_on(TestApp::spawn(pool.clone()));
            }
        }
    });
    for _ in 0..40 {
        // A program's request, which the page cache does not answer: the page is rendered.
        let reply = Request::get("/").bearer("none").send(&app).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    done.store(true, Ordering::Relaxed);
    starter.join().expect("the apps started");
}
