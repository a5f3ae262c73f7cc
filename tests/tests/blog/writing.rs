//! Writing: who may do what (the permission matrix), saving and publishing through the JSON API
//! and the editor's server functions, slugs, cleaning, revisions, the trash, images and the
//! dashboard.

use app::db::writing::dashboard_posts;
use app::model::{DashboardFilter, Role};
use integration_tests::{Reply, Request, TestApp, account_with_token, import_fixture};
use reqwest::header;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;

/// Someone making requests: with a secret that is both their API token (for the JSON API) and
/// their session's token (for the editor's server functions), or no one.
#[derive(Clone, Copy)]
struct Actor<'a> {
    name: &'static str,
    token: Option<&'a str>,
}

struct People {
    author: String,
    other_author: String,
    editor: String,
    admin: String,
}

async fn person(pool: &PgPool, email: &str, name: &str, role: Role) -> String {
    account_with_token(pool, email, name, role).await.1
}

impl People {
    fn author(&self) -> Actor<'_> {
        Actor {
            name: "author (own post)",
            token: Some(&self.author),
        }
    }

    fn other_author(&self) -> Actor<'_> {
        Actor {
            name: "author (another's post)",
            token: Some(&self.other_author),
        }
    }

    fn editor(&self) -> Actor<'_> {
        Actor {
            name: "editor",
            token: Some(&self.editor),
        }
    }

    fn admin(&self) -> Actor<'_> {
        Actor {
            name: "admin",
            token: Some(&self.admin),
        }
    }
}

const ANONYMOUS: Actor<'static> = Actor {
    name: "anonymous",
    token: None,
};

async fn people(pool: &PgPool) -> People {
    People {
        author: person(pool, "ada@example.org", "Ada", Role::Author).await,
        other_author: person(pool, "bo@example.org", "Bo", Role::Author).await,
        editor: person(pool, "cy@example.org", "Cy", Role::Editor).await,
        admin: person(pool, "di@example.org", "Di", Role::Admin).await,
    }
}

/// A request from the app's pages as `actor`, asking for JSON, with `body` (and its
/// `content_type`) unless it is empty.
async fn send(
    app: &TestApp,
    actor: Actor<'_>,
    method: Method,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> Reply {
    let mut request = Request::new(method, path).accept("application/json");
    if !body.is_empty() {
        request = request.with_body(content_type, body);
    }
    if let Some(token) = actor.token {
        request = request.by(token);
    }
    request.send(app).await
}

async fn api(app: &TestApp, actor: Actor<'_>, method: Method, path: &str, body: Value) -> Reply {
    let bytes = if body.is_null() {
        Vec::new()
    } else {
        serde_json::to_vec(&body).unwrap()
    };
    send(app, actor, method, path, "application/json", bytes).await
}

/// Calls a server function with form-encoded arguments (numbers and plain words only).
async fn server_fn(app: &TestApp, actor: Actor<'_>, name: &str, form: &str) -> Reply {
    send(
        app,
        actor,
        Method::POST,
        &format!("/_fn/{name}"),
        "application/x-www-form-urlencoded",
        form.as_bytes().to_vec(),
    )
    .await
}

fn draft(title: &str) -> Value {
    json!({ "title": title, "body_html": "<p>Words.</p>", "status": "draft" })
}

fn published(title: &str, tags: &[&str]) -> Value {
    json!({
        "title": title,
        "body_html": "<p>Field notes.</p>",
        "status": "published",
        "tags": tags,
    })
}

/// A post by the author, as a new one for each use.
async fn authors_post(app: &TestApp, people: &People, title: &str) -> (i64, String) {
    let reply = api(
        app,
        people.author(),
        Method::POST,
        "/api/v1/posts",
        draft(title),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let post = reply.json();
    (
        post["id"].as_i64().unwrap(),
        post["slug"].as_str().unwrap().to_string(),
    )
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\x0f\0\0\x01\x01\0\x05\x18\xd8N\0\0\0\0IEND\xaeB`\x82";

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn the_permission_matrix_holds(pool: PgPool) {
    let people = people(&pool).await;
    let app = TestApp::spawn(pool.clone()).await;
    let anonymous = ANONYMOUS;
    let own = people.author();
    let others = people.other_author();
    let editor = people.editor();
    let admin = people.admin();
    let actors = [anonymous, own, others, editor, admin];
    let mut failures = Vec::new();
    let mut expect = |action: &str, actor: Actor, reply: &Reply, expected: u16| {
        if reply.status.as_u16() != expected {
            failures.push(format!(
                "{action} by {}: {} instead of {expected}: {}",
                actor.name, reply.status, reply.body
            ));
        }
    };

    for (actor, expected) in actors.iter().zip([401, 201, 201, 201, 201]) {
        let reply = api(&app, *actor, Method::POST, "/api/v1/posts", draft("New")).await;
        expect("create a post", *actor, &reply, expected);
    }
    for (actor, expected) in actors.iter().zip([401, 201, 201, 201, 201]) {
        let reply = send(
            &app,
            *actor,
            Method::POST,
            "/api/v1/media?filename=dot.png",
            "image/png",
            PNG.to_vec(),
        )
        .await;
        expect("upload an image", *actor, &reply, expected);
    }
    for (actor, expected) in actors.iter().zip([401, 200, 403, 200, 200]) {
        let (id, slug) = authors_post(&app, &people, "Edit me").await;
        let reply = server_fn(&app, *actor, "writing_desk", &format!("id={id}")).await;
        expect("open a post for editing", *actor, &reply, expected);
        let reply = api(
            &app,
            *actor,
            Method::PUT,
            &format!("/api/v1/posts/{slug}"),
            published("Edited", &[]),
        )
        .await;
        expect("change and publish a post", *actor, &reply, expected);
        let reply = server_fn(&app, *actor, "preview", &format!("id={id}")).await;
        expect("preview a post", *actor, &reply, expected);
        let reply = server_fn(&app, *actor, "revisions", &format!("post_id={id}")).await;
        expect("list a post's revisions", *actor, &reply, expected);
    }
    for (actor, expected) in actors.iter().zip([401, 204, 403, 204, 204]) {
        let (_, slug) = authors_post(&app, &people, "Delete me").await;
        let reply = api(
            &app,
            *actor,
            Method::DELETE,
            &format!("/api/v1/posts/{slug}"),
            Value::Null,
        )
        .await;
        expect("move a post to the trash", *actor, &reply, expected);
    }
    for (actor, expected) in actors.iter().zip([401, 200, 403, 200, 200]) {
        let (id, slug) = authors_post(&app, &people, "Restore me").await;
        api(
            &app,
            own,
            Method::DELETE,
            &format!("/api/v1/posts/{slug}"),
            Value::Null,
        )
        .await;
        let reply = server_fn(&app, *actor, "restore_post", &format!("id={id}")).await;
        expect("restore a post from the trash", *actor, &reply, expected);
    }
    for (actor, expected) in actors.iter().zip([401, 403, 403, 200, 200]) {
        let reply = server_fn(&app, *actor, "create_category", "name=Field+trips").await;
        expect("create a category", *actor, &reply, expected);
    }
    for (actor, expected) in actors.iter().zip([401, 403, 403, 403, 200]) {
        let reply = server_fn(&app, *actor, "empty_trash", "").await;
        expect("empty the trash", *actor, &reply, expected);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM posts WHERE title = 'Edit me'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(left, 2, "only refused changes left the title as it was");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_published_post_is_read_like_any_other(pool: PgPool) {
    let people = people(&pool).await;
    let app = TestApp::spawn(pool.clone()).await;
    let author = people.author();
    let reply = api(
        &app,
        author,
        Method::POST,
        "/api/v1/posts",
        json!({
            "title": "慈溪的田野笔记",
            "body_html": "<p onclick=\"alert(1)\">Hello <strong>world</strong><script>alert(2)</script></p>\
                          <iframe src=\"https://www.youtube.com/embed/abc\"></iframe>",
            "status": "published",
            "tags": ["Cixi", "fieldwork"],
        }),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let written = reply.json();
    assert_eq!(written["slug"], "慈溪的田野笔记");
    assert_eq!(written["status"], "published");

    let stored: String = sqlx::query_scalar("SELECT body_html FROM posts WHERE slug = $1")
        .bind("慈溪的田野笔记")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(!stored.contains("alert"), "cleaned when saved: {stored}");
    assert!(stored.contains("<strong>world</strong>") && stored.contains("youtube.com/embed/abc"));

    let (status, home) = app.get("/").await;
    assert_eq!(status, 200);
    assert!(home.contains("慈溪的田野笔记"));
    let (status, tag) = app.get("/tag/cixi").await;
    assert_eq!(status, 200);
    assert!(tag.contains("慈溪的田野笔记"));
    let (status, _) = app
        .get("/posts/%E6%85%88%E6%BA%AA%E7%9A%84%E7%94%B0%E9%87%8E%E7%AC%94%E8%AE%B0")
        .await;
    assert_eq!(status, 200);
    let (_, found) = app.get("/api/v1/posts?tag=fieldwork").await;
    assert!(found.contains("慈溪的田野笔记"));

    let second = api(
        &app,
        author,
        Method::POST,
        "/api/v1/posts",
        published("慈溪的田野笔记", &[]),
    )
    .await;
    assert_eq!(
        second.json()["slug"],
        "慈溪的田野笔记-2",
        "slugs stay unique"
    );
    let taken = api(
        &app,
        author,
        Method::PUT,
        "/api/v1/posts/慈溪的田野笔记-2",
        json!({ "title": "x", "body_html": "", "status": "draft", "slug": "慈溪的田野笔记" }),
    )
    .await;
    assert_eq!(taken.status, StatusCode::CONFLICT, "{}", taken.body);
    assert!(taken.body.contains("already has the address"));
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn bad_posts_get_clear_errors_and_change_nothing(pool: PgPool) {
    let people = people(&pool).await;
    let app = TestApp::spawn(pool.clone()).await;
    let author = people.author();
    for (body, says) in [
        (
            json!({ "title": "x", "body_html": "", "status": "scheduled" }),
            "time in the future",
        ),
        (
            json!({ "title": "x", "body_html": "", "status": "scheduled", "published_at": "2001-01-01T00:00:00Z" }),
            "time in the future",
        ),
        (
            json!({ "title": "", "body_html": "<p>x</p>", "status": "published" }),
            "title",
        ),
        (
            json!({ "title": "x", "body_html": "", "status": "gone" }),
            "draft, published or scheduled",
        ),
        (
            json!({ "title": "x", "body_html": "", "status": "draft", "categories": ["nowhere"] }),
            "does not exist",
        ),
        (
            json!({ "title": "x", "body_html": "", "status": "draft", "slug": "!!!" }),
            "letter or digit",
        ),
        (json!({ "title": "x" }), "body_html"),
    ] {
        let reply = api(&app, author, Method::POST, "/api/v1/posts", body.clone()).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{body}: {}",
            reply.body
        );
        assert_eq!(
            reply.headers[header::CONTENT_TYPE],
            "application/problem+json"
        );
        assert!(reply.body.contains(says), "{body}: {}", reply.body);
    }
    let posts: i64 = sqlx::query_scalar("SELECT count(*) FROM posts")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(posts, 0);
    let missing = api(&app, author, Method::PUT, "/api/v1/posts/none", draft("x")).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn every_save_keeps_a_revision_that_can_be_restored(pool: PgPool) {
    let people = people(&pool).await;
    let app = TestApp::spawn(pool.clone()).await;
    let author = people.author();
    let save = |id: Option<i64>, body: &str, autosave: bool| {
        json!({
            "id": id,
            "input": {
                "title": "Notes", "body_html": body, "excerpt": "", "slug": "",
                "status": "draft", "published_at": null, "category_ids": [], "tags": []
            },
            "autosave": autosave,
        })
    };
    let call = |value: Value| {
        let app = &app;
        async move {
            let reply = send(
                app,
                author,
                Method::POST,
                "/_fn/save_post",
                "application/json",
                serde_json::to_vec(&value).unwrap(),
            )
            .await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            reply.json()
        }
    };
    let first = call(save(None, "<p>first</p>", false)).await;
    let id = first["id"].as_i64().unwrap();
    call(save(Some(id), "<p>typing</p>", true)).await;
    call(save(Some(id), "<p>typing more</p>", true)).await;
    call(save(Some(id), "<p>second</p>", false)).await;

    let history = server_fn(&app, author, "revisions", &format!("post_id={id}")).await;
    let revisions = history.json()["revisions"].as_array().unwrap().clone();
    let autosaves: Vec<bool> = revisions
        .iter()
        .map(|revision| revision["is_autosave"].as_bool().unwrap())
        .collect();
    assert_eq!(
        autosaves,
        [false, true, false],
        "the second autosave replaced the first"
    );
    let first_revision = revisions[2]["id"].as_i64().unwrap();
    let compared = server_fn(
        &app,
        author,
        "revisions",
        &format!("post_id={id}&compare={first_revision}"),
    )
    .await
    .json();
    let diff = compared["compared"][1].to_string();
    assert!(
        diff.contains(r#"{"Removed":"first"}"#) && diff.contains(r#"{"Added":"second"}"#),
        "{diff}"
    );

    let restored = server_fn(
        &app,
        author,
        "restore_revision",
        &format!("revision_id={first_revision}"),
    )
    .await;
    assert!(restored.status.is_success(), "{}", restored.body);
    let body: String = sqlx::query_scalar("SELECT body_html FROM posts WHERE id = $1")
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(body, "<p>first</p>");
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM post_revisions WHERE post_id = $1")
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(count, 4, "the restore is kept as a revision too");

    let other = people.other_author();
    let refused = server_fn(
        &app,
        other,
        "restore_revision",
        &format!("revision_id={first_revision}"),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn the_trash_keeps_posts_until_emptied(pool: PgPool) {
    let people = people(&pool).await;
    let app = TestApp::spawn(pool.clone()).await;
    let author = people.author();
    let admin = people.admin();
    let reply = api(
        &app,
        author,
        Method::POST,
        "/api/v1/posts",
        published("Short-lived", &[]),
    )
    .await;
    let id = reply.json()["id"].as_i64().unwrap();
    assert_eq!(app.get("/posts/short-lived").await.0, 200);

    let deleted = api(
        &app,
        author,
        Method::DELETE,
        "/api/v1/posts/short-lived",
        Value::Null,
    )
    .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get("/posts/short-lived").await.0, 404);
    assert_eq!(app.get("/api/v1/posts/short-lived").await.0, 404);
    let editing = api(
        &app,
        author,
        Method::PUT,
        "/api/v1/posts/short-lived",
        draft("x"),
    )
    .await;
    assert_eq!(editing.status, StatusCode::CONFLICT, "{}", editing.body);

    let trash = server_fn(&app, author, "dashboard", "filter[status]=trash").await;
    assert_eq!(trash.json()[1]["posts"][0]["id"], id, "{}", trash.body);
    let restored = server_fn(&app, author, "restore_post", &format!("id={id}")).await;
    assert_eq!(restored.status, StatusCode::OK, "{}", restored.body);
    assert_eq!(
        app.get("/posts/short-lived").await.0,
        200,
        "back as published"
    );

    api(
        &app,
        author,
        Method::DELETE,
        "/api/v1/posts/short-lived",
        Value::Null,
    )
    .await;
    let emptied = server_fn(&app, admin, "empty_trash", "").await;
    assert_eq!(emptied.json(), 1);
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM posts")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(left, 0);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn images_are_checked_stored_and_served(pool: PgPool) {
    let people = people(&pool).await;
    let app = TestApp::spawn(pool).await;
    let author = people.author();
    let upload = |bytes: Vec<u8>, content_type: &'static str| {
        let app = &app;
        async move {
            send(
                app,
                author,
                Method::POST,
                "/api/v1/media?filename=My%20Photo.PNG",
                content_type,
                bytes,
            )
            .await
        }
    };
    let stored = upload(PNG.to_vec(), "application/octet-stream").await;
    assert_eq!(stored.status, StatusCode::CREATED, "{}", stored.body);
    let url = stored.json()["url"].as_str().unwrap().to_string();
    assert!(url.ends_with("/my-photo.png"), "{url}");
    // No post uses it yet: only its uploader sees it (see the visibility tests).
    let served = send(&app, author, Method::GET, &url, "", Vec::new()).await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(served.headers[header::CONTENT_TYPE], "image/png");
    assert_eq!(served.headers[header::CACHE_CONTROL], "private, no-store");
    assert_eq!(served.bytes, PNG);

    let script = upload(b"<svg onload=alert(1)>".to_vec(), "image/png").await;
    assert_eq!(script.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(script.body.contains("JPEG, PNG, GIF or WebP"));
    let mut huge = PNG.to_vec();
    huge.resize(10 * 1024 * 1024 + 1, 0);
    let too_big = upload(huge, "image/png").await;
    assert_eq!(too_big.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        too_big.headers[header::CONTENT_TYPE],
        "application/problem+json"
    );
    assert_eq!(app.get("/media/999/x.png").await.0, 404);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn the_dashboard_lists_what_each_person_may_change(pool: PgPool) {
    let people = people(&pool).await;
    let app = TestApp::spawn(pool).await;
    let author = people.author();
    let other = people.other_author();
    let editor = people.editor();
    api(
        &app,
        author,
        Method::POST,
        "/api/v1/posts",
        draft("Ada's draft"),
    )
    .await;
    api(
        &app,
        author,
        Method::POST,
        "/api/v1/posts",
        published("Ada's post", &["rivers"]),
    )
    .await;
    api(
        &app,
        other,
        Method::POST,
        "/api/v1/posts",
        published("Bo's post", &["rivers"]),
    )
    .await;
    let titles = |reply: Reply| -> Vec<String> {
        reply.json()[1]["posts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|post| post["title"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        titles(server_fn(&app, author, "dashboard", "").await),
        ["Ada's post", "Ada's draft"]
    );
    assert_eq!(
        titles(server_fn(&app, editor, "dashboard", "").await),
        ["Bo's post", "Ada's post", "Ada's draft"]
    );
    assert_eq!(
        titles(server_fn(&app, editor, "dashboard", "filter[status]=draft").await),
        ["Ada's draft"]
    );
    assert_eq!(
        titles(
            server_fn(
                &app,
                editor,
                "dashboard",
                "filter[tag]=rivers&filter[author]=bo"
            )
            .await
        ),
        ["Bo's post"]
    );
    assert_eq!(
        titles(server_fn(&app, author, "dashboard", "filter[author]=bo").await),
        Vec::<String>::new(),
        "an author sees only their own posts"
    );
}

/// Imported posts arrive in the export's order, which is not their dates' order.
#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn the_dashboard_lists_posts_newest_first_by_date_page_after_page(pool: PgPool) {
    import_fixture(&pool, "demo.wxr").await.unwrap();
    let expected: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM posts WHERE kind = 'post' AND status <> 'trash'
         ORDER BY coalesce(published_at, updated_at) DESC, id DESC",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let by_id: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM posts WHERE kind = 'post' AND status <> 'trash' ORDER BY id DESC",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_ne!(expected, by_id, "the demo export is not in date order");
    let mut listed = Vec::new();
    let mut filter = DashboardFilter::default();
    loop {
        let page = dashboard_posts(&pool, None, &filter, 3).await.unwrap();
        listed.extend(page.posts.iter().map(|post| post.id));
        match page.next_before {
            Some(before) => filter.before = Some(before),
            None => break,
        }
    }
    assert_eq!(listed, expected);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn the_api_document_describes_writing(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let (_, document) = app.get("/api/openapi.json").await;
    let document: Value = serde_json::from_str(&document).unwrap();
    let posts = &document["paths"]["/api/v1/posts"];
    assert!(posts["post"]["security"].is_array());
    assert!(posts["post"]["responses"]["401"].is_object());
    assert!(document["paths"]["/api/v1/posts/{slug}"]["put"].is_object());
    assert!(document["paths"]["/api/v1/posts/{slug}"]["delete"].is_object());
    assert!(document["paths"]["/api/v1/media"]["post"].is_object());
    assert_eq!(
        document["components"]["securitySchemes"]["token"]["scheme"],
        "bearer"
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn saves_never_overwrite_what_they_did_not_see(pool: PgPool) {
    let people = people(&pool).await;
    let app = TestApp::spawn(pool.clone()).await;
    integration_tests::import_fixture(&pool, "demo.wxr")
        .await
        .unwrap();
    let editor = people.editor();
    let (id, original_body): (i64, String) = sqlx::query_as(
        "SELECT id, body_html FROM posts WHERE slug = 'the-trip-of-e-waste-recycling'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();

    let changed = api(
        &app,
        editor,
        Method::PUT,
        "/api/v1/posts/the-trip-of-e-waste-recycling",
        json!({ "title": "The trip, retitled", "body_html": "<p>New text.</p>", "status": "published" }),
    )
    .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    let changed = changed.json();
    assert_eq!(
        changed["slug"], "the-trip-of-e-waste-recycling",
        "a published post keeps its address"
    );
    assert!(
        changed["published_at"]
            .as_str()
            .unwrap()
            .starts_with("2009-"),
        "and its date: {changed}"
    );
    let kept: String = sqlx::query_scalar(
        "SELECT body_html FROM post_revisions WHERE post_id = $1 ORDER BY id LIMIT 1",
    )
    .bind(id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        kept, original_body,
        "the imported text is kept before the first change"
    );

    let save = |last_saved_at: &str| {
        json!({
            "id": id,
            "input": {
                "title": "Stale", "body_html": "<p>Stale.</p>", "excerpt": "", "slug": "",
                "status": "published", "published_at": null, "category_ids": [], "tags": []
            },
            "autosave": false,
            "last_saved_at": last_saved_at,
        })
    };
    let stale = send(
        &app,
        editor,
        Method::POST,
        "/_fn/save_post",
        "application/json",
        serde_json::to_vec(&save("2001-01-01T00:00:00Z")).unwrap(),
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    assert!(stale.body.contains("changed elsewhere"));
    let title: String = sqlx::query_scalar("SELECT title FROM posts WHERE id = $1")
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(title, "The trip, retitled");

    let current = changed["saved_at"].as_str().unwrap();
    let fresh = send(
        &app,
        editor,
        Method::POST,
        "/_fn/save_post",
        "application/json",
        serde_json::to_vec(&save(current)).unwrap(),
    )
    .await;
    assert_eq!(fresh.status, StatusCode::OK, "{}", fresh.body);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn oversized_server_function_calls_are_refused(pool: PgPool) {
    let people = people(&pool).await;
    let app = TestApp::spawn(pool).await;
    let huge = vec![b'a'; 7 * 1024 * 1024];
    let reply = send(
        &app,
        people.author(),
        Method::POST,
        "/_fn/save_post",
        "application/json",
        huge,
    )
    .await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        reply.json()["PayloadTooLarge"].is_u64(),
        "the editor can say why: {}",
        reply.body
    );
}

/// Saves a page through the editor's server function as `actor`.
async fn save_page(app: &TestApp, actor: Actor<'_>, id: Option<i64>, input: Value) -> Reply {
    let mut input = input;
    input["kind"] = json!("page");
    for (field, empty) in [
        ("body_html", json!("<p>About us.</p>")),
        ("excerpt", json!("")),
        ("slug", json!("")),
        ("status", json!("published")),
        ("published_at", Value::Null),
        ("category_ids", json!([])),
        ("tags", json!([])),
    ] {
        if input.get(field).is_none() {
            input[field] = empty;
        }
    }
    let call = json!({ "id": id, "input": input, "autosave": false });
    send(
        app,
        actor,
        Method::POST,
        "/_fn/save_post",
        "application/json",
        serde_json::to_vec(&call).unwrap(),
    )
    .await
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn pages_are_written_in_the_editor_with_a_parent_and_an_order(pool: PgPool) {
    let people = people(&pool).await;
    let app = TestApp::spawn(pool.clone()).await;

    let by_author = save_page(&app, people.author(), None, json!({ "title": "About" })).await;
    assert_eq!(
        by_author.status,
        StatusCode::FORBIDDEN,
        "{}",
        by_author.body
    );

    let about = save_page(
        &app,
        people.editor(),
        None,
        json!({ "title": "About", "tags": ["ignored"], "place": { "parent_id": null, "menu_order": 2 } }),
    )
    .await;
    assert_eq!(about.status, StatusCode::OK, "{}", about.body);
    let about_id = about.json()["id"].as_i64().unwrap();
    let contact = save_page(
        &app,
        people.admin(),
        None,
        json!({ "title": "Contact", "place": { "parent_id": null, "menu_order": 1 } }),
    )
    .await;
    assert_eq!(contact.status, StatusCode::OK, "{}", contact.body);
    let team = save_page(
        &app,
        people.editor(),
        None,
        json!({ "title": "The team", "place": { "parent_id": about_id, "menu_order": 0 } }),
    )
    .await;
    assert_eq!(team.status, StatusCode::OK, "{}", team.body);
    let team_id = team.json()["id"].as_i64().unwrap();

    let (kind, parent, tags): (String, Option<i64>, i64) = sqlx::query_as(
        "SELECT kind, parent_id, (SELECT count(*) FROM post_tags WHERE post_id = p.id) FROM posts p WHERE id = $1",
    )
    .bind(team_id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((kind.as_str(), parent, tags), ("page", Some(about_id), 0));
    let (status, page) = app.get("/pages/the-team").await;
    assert_eq!(status, 200);
    assert!(page.contains("About us."));

    let (_, home) = app.get("/").await;
    let contact_at = home
        .find("href=\"/pages/contact\"")
        .expect("Contact in the sidebar");
    let about_at = home
        .find("href=\"/pages/about\"")
        .expect("About in the sidebar");
    assert!(contact_at < about_at, "pages stand in their order");
    assert!(
        !home.contains("href=\"/pages/the-team\""),
        "the sidebar lists the top pages"
    );

    for (place, why) in [
        (
            json!({ "parent_id": team_id, "menu_order": 0 }),
            "under a page under it",
        ),
        (
            json!({ "parent_id": about_id, "menu_order": 0 }),
            "under itself",
        ),
        (
            json!({ "parent_id": 999_999, "menu_order": 0 }),
            "under no page",
        ),
        (
            json!({ "parent_id": null, "menu_order": 10_000 }),
            "out of order",
        ),
    ] {
        let refused = save_page(
            &app,
            people.editor(),
            Some(about_id),
            json!({ "title": "About", "place": place }),
        )
        .await;
        assert_eq!(
            refused.status,
            StatusCode::BAD_REQUEST,
            "{why}: {}",
            refused.body
        );
    }
    let same_slug = save_page(
        &app,
        people.editor(),
        None,
        json!({ "title": "Another", "slug": "contact" }),
    )
    .await;
    assert_eq!(same_slug.status, StatusCode::CONFLICT);
    assert!(
        same_slug.body.contains("/pages/contact"),
        "{}",
        same_slug.body
    );
    let post_with_a_pages_slug = api(
        &app,
        people.author(),
        Method::POST,
        "/api/v1/posts",
        json!({ "title": "Contact", "body_html": "<p>x</p>", "status": "published", "slug": "contact" }),
    )
    .await;
    assert_eq!(
        post_with_a_pages_slug.status,
        StatusCode::CREATED,
        "posts and pages have addresses of their own"
    );

    let pages = server_fn(&app, people.editor(), "dashboard", "filter[pages]=true").await;
    assert_eq!(pages.status, StatusCode::OK, "{}", pages.body);
    let listed = pages.json()[1]["posts"].as_array().unwrap().len();
    assert_eq!(listed, 3, "{}", pages.body);
    sqlx::query(
        "UPDATE posts SET author_id = (SELECT id FROM users WHERE email = 'ada@example.org') \
         WHERE id = $1",
    )
    .bind(team_id)
    .execute(&pool)
    .await
    .unwrap();
    let by_its_author = server_fn(
        &app,
        people.author(),
        "trash_post",
        &format!("id={team_id}"),
    )
    .await;
    assert_eq!(
        by_its_author.status,
        StatusCode::FORBIDDEN,
        "an author cannot change a page, not even one written in their name"
    );
    let trashed = server_fn(
        &app,
        people.editor(),
        "trash_post",
        &format!("id={team_id}"),
    )
    .await;
    assert_eq!(trashed.status, StatusCode::OK);
    assert_eq!(app.get("/pages/the-team").await.0, 404);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn listings_show_the_teaser_made_when_a_post_is_written(pool: PgPool) {
    let people = people(&pool).await;
    let app = TestApp::spawn(pool.clone()).await;
    let author = people.author();
    let long_body = format!("<p>{}</p>", "fieldwork <em>notes</em> ".repeat(100));
    let long_teaser = app::html::teaser(&"fieldwork notes ".repeat(100), 280);
    let mut saves = [
        (
            json!({"body_html": "<p>Hello <strong>world</strong> &amp; friends</p>"}),
            "Hello world & friends".to_string(),
        ),
        (
            json!({"body_html": "<p>Hello</p>", "excerpt": "<em>Short</em> version"}),
            "Short version".to_string(),
        ),
        (
            json!({"body_html": "<p>Hello</p>", "password": "secret"}),
            String::new(),
        ),
        (
            json!({"body_html": long_body, "excerpt": "", "password": null}),
            long_teaser.clone(),
        ),
    ]
    .into_iter();
    let listed = |query: &'static str| {
        let app = &app;
        async move {
            let (status, body) = app.get(&format!("/api/v1/posts?{query}")).await;
            assert_eq!(status, 200, "{body}");
            let page: Value = serde_json::from_str(&body).unwrap();
            page["posts"][0]["excerpt"].as_str().unwrap().to_string()
        }
    };

    let (fields, teaser) = saves.next().unwrap();
    let mut post = json!({"title": "Teasers", "status": "published"});
    post.as_object_mut()
        .unwrap()
        .extend(fields.as_object().unwrap().clone());
    let created = api(&app, author, Method::POST, "/api/v1/posts", post.clone()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let slug = created.json()["slug"].as_str().unwrap().to_string();
    assert_eq!(listed("page=1").await, teaser);
    for (save, (fields, teaser)) in saves.enumerate() {
        post.as_object_mut()
            .unwrap()
            .extend(fields.as_object().unwrap().clone());
        let saved = api(
            &app,
            author,
            Method::PUT,
            &format!("/api/v1/posts/{slug}"),
            post.clone(),
        )
        .await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
        let stored: Option<String> = sqlx::query_scalar("SELECT teaser FROM posts")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(stored.as_deref(), Some(teaser.as_str()), "save {save}");
        assert_eq!(
            listed(["per_page=9", "per_page=8", "per_page=7"][save]).await,
            teaser
        );
    }

    // Posts written before teasers were stored show one made as they are listed, until the
    // server has made and stored theirs.
    sqlx::query("UPDATE posts SET teaser = NULL")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(listed("per_page=6").await, long_teaser);
    assert_eq!(app::db::search::index_stale_posts(&pool).await.unwrap(), 1);
    let stored: Option<String> = sqlx::query_scalar("SELECT teaser FROM posts")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(stored, Some(long_teaser));
    sqlx::query("UPDATE posts SET excerpt = 'Changed <b>by hand</b>'")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(listed("per_page=5").await, "Changed by hand");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn writers_naming_the_same_new_tags_at_once_both_save(pool: PgPool) {
    let names: Vec<String> = (0..1000).map(|n| format!("Field season {n:04}")).collect();
    let reversed: Vec<String> = names.iter().rev().cloned().collect();
    async fn save(
        mut writer: sqlx::Transaction<'_, sqlx::Postgres>,
        names: &[String],
    ) -> sqlx::Result<usize> {
        let tags = app::db::terms::tags_named(&mut writer, names).await?;
        writer.commit().await?;
        Ok(tags.len())
    }
    let (first, second) = (pool.begin().await.unwrap(), pool.begin().await.unwrap());
    let (first, second) = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        tokio::join!(save(first, &names), save(second, &reversed))
    })
    .await
    .expect("neither writer waits for ever");
    assert_eq!(first.expect("the first writer's tags"), names.len());
    assert_eq!(second.expect("the second writer's tags"), names.len());
    let created: i64 =
        sqlx::query_scalar("SELECT count(*) FROM tags WHERE slug LIKE 'field-season-%'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(created, names.len() as i64);
}
