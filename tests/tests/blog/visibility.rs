//! What readers may see beyond a post's status: the images of unpublished posts, posts protected
//! by a password, and the names of tags, categories and people without published posts.

use app::model::Role;
use integration_tests::{Reply, Request, TestApp, account_with_token, cookie_pair, import_fixture};
use reqwest::header;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\x0f\0\0\x01\x01\0\x05\x18\xd8N\0\0\0\0IEND\xaeB`\x82";

/// A person with an API token, and their account's id.
struct Person {
    id: i64,
    token: String,
}

async fn person(pool: &PgPool, email: &str, name: &str, role: Role) -> Person {
    let (id, token) = account_with_token(pool, email, name, role).await;
    Person { id, token }
}

/// The status of `GET path`, for a stranger or for `who`.
async fn status_of(app: &TestApp, path: &str, who: Option<&Person>) -> StatusCode {
    let request = Request::get(path);
    match who {
        Some(who) => request.by(&who.token),
        None => request,
    }
    .send(app)
    .await
    .status
}

fn post(title: &str, body_html: &str, status: &str) -> Value {
    json!({ "title": title, "body_html": body_html, "status": status })
}

/// Calls a server function as `who`, which must succeed.
async fn call(app: &TestApp, who: &Person, name: &str, form: &str) -> Reply {
    let reply = Request::server_fn(name, form)
        .by(&who.token)
        .send(app)
        .await;
    assert!(reply.status.is_success(), "{name}: {}", reply.body);
    reply
}

async fn save(app: &TestApp, who: &Person, method: Method, path: &str, body: Value) -> Value {
    let reply = Request::json(method, path, &body)
        .by(&who.token)
        .send(app)
        .await;
    assert!(reply.status.is_success(), "{path}: {}", reply.body);
    reply.json()
}

/// Uploads the PNG as `who`; what the API answers.
async fn upload(app: &TestApp, who: &Person, file_name: &str) -> Value {
    let uploaded = Request::new(Method::POST, format!("/api/v1/media?filename={file_name}"))
        .with_body("application/octet-stream", PNG)
        .accept("application/json")
        .by(&who.token)
        .send(app)
        .await;
    assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.body);
    uploaded.json()
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn images_are_public_only_while_a_published_post_uses_them(pool: PgPool) {
    let ada = person(&pool, "ada@example.org", "Ada", Role::Author).await;
    let bo = person(&pool, "bo@example.org", "Bo", Role::Author).await;
    let app = TestApp::spawn(pool.clone()).await;

    let uploaded = upload(&app, &ada, "field.png").await;
    let url = uploaded["url"].as_str().unwrap().to_string();
    let id = uploaded["id"].as_i64().unwrap();
    let segment = url.split('/').nth(2).unwrap();
    assert_eq!(segment.len(), 32, "a random key, not a number: {url}");

    // The uploader sees the image in the editor before any post uses it; no one else does.
    let own = Request::get(&url).by(&ada.token).send(&app).await;
    assert_eq!(own.status, StatusCode::OK);
    assert_eq!(own.header(header::CACHE_CONTROL), "private, no-store");
    assert_eq!(status_of(&app, &url, None).await, StatusCode::NOT_FOUND);
    assert_eq!(
        status_of(&app, &url, Some(&bo)).await,
        StatusCode::NOT_FOUND
    );
    let by_number = format!("/media/{id}/field.png");
    assert_eq!(
        status_of(&app, &by_number, None).await,
        StatusCode::NOT_FOUND
    );

    let body = format!(r#"<p>Before the harvest.</p><p><img src="{url}" alt="A field"></p>"#);
    let draft = save(
        &app,
        &ada,
        Method::POST,
        "/api/v1/posts",
        post("Embargoed", &body, "draft"),
    )
    .await;
    let path = format!("/api/v1/posts/{}", draft["slug"].as_str().unwrap());
    let post_id = draft["id"].as_i64().unwrap();
    let set_status = async |status: &str| {
        save(
            &app,
            &ada,
            Method::PUT,
            &path,
            post("Embargoed", &body, status),
        )
        .await;
    };
    assert_eq!(status_of(&app, &url, None).await, StatusCode::NOT_FOUND);
    assert_eq!(status_of(&app, &url, Some(&ada)).await, StatusCode::OK);

    set_status("published").await;
    let public = Request::get(&url).send(&app).await;
    assert_eq!(public.status, StatusCode::OK);
    assert_eq!(public.bytes, PNG);
    assert_eq!(public.header(header::CACHE_CONTROL), "public, max-age=300");

    set_status("draft").await;
    assert_eq!(
        status_of(&app, &url, None).await,
        StatusCode::NOT_FOUND,
        "unpublished again"
    );

    set_status("published").await;
    let trashed = Request::new(Method::DELETE, &path)
        .by(&ada.token)
        .send(&app)
        .await;
    assert_eq!(trashed.status, StatusCode::NO_CONTENT);
    assert_eq!(status_of(&app, &url, None).await, StatusCode::NOT_FOUND);
    call(&app, &ada, "restore_post", &format!("id={post_id}")).await;
    assert_eq!(status_of(&app, &url, None).await, StatusCode::OK);

    // A new text without the image hides it; restoring the revision with it shows it again.
    save(
        &app,
        &ada,
        Method::PUT,
        &path,
        post("Embargoed", "<p>No picture.</p>", "published"),
    )
    .await;
    assert_eq!(status_of(&app, &url, None).await, StatusCode::NOT_FOUND);
    let revision: i64 = sqlx::query_scalar(
        "SELECT id FROM post_revisions WHERE post_id = $1 AND body_html LIKE '%<img%' ORDER BY id DESC LIMIT 1",
    )
    .bind(post_id)
    .fetch_one(&pool)
    .await
    .unwrap();
    call(
        &app,
        &ada,
        "restore_revision",
        &format!("revision_id={revision}"),
    )
    .await;
    assert_eq!(status_of(&app, &url, None).await, StatusCode::OK);

    // An image uploaded before addresses had keys keeps its numbered address, under the same
    // rule; naming someone else's image in one's own post does not publish it.
    let old: i64 = sqlx::query_scalar(
        "INSERT INTO media (uploaded_by, file_name, content_type, byte_size, bytes)
         VALUES ($1, 'old.png', 'image/png', $2, $3) RETURNING id",
    )
    .bind(ada.id)
    .bind(PNG.len() as i32)
    .bind(PNG)
    .fetch_one(&pool)
    .await
    .unwrap();
    let old_url = format!("/media/{old}/old.png");
    assert_eq!(status_of(&app, &old_url, None).await, StatusCode::NOT_FOUND);
    assert_eq!(status_of(&app, &old_url, Some(&ada)).await, StatusCode::OK);
    let naming = format!(r#"<p><img src="{old_url}" alt=""></p>"#);
    let publish_naming_it = async |who: &Person| {
        let published = post("Naming it", &naming, "published");
        save(&app, who, Method::POST, "/api/v1/posts", published).await;
    };
    publish_naming_it(&bo).await;
    assert_eq!(status_of(&app, &old_url, None).await, StatusCode::NOT_FOUND);
    assert_eq!(
        status_of(&app, &old_url, Some(&bo)).await,
        StatusCode::NOT_FOUND
    );
    publish_naming_it(&ada).await;
    assert_eq!(status_of(&app, &old_url, None).await, StatusCode::OK);
}

const PROTECTED: &str = "template-password-protected";
/// Words of both the protected post's text and its comment.
const SECRET: &str = "should not be visible until the password is entered";

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn protected_posts_show_nothing_of_their_text_until_the_password_is_given(pool: PgPool) {
    import_fixture(&pool, "themeunittestdata.wordpress.xml")
        .await
        .unwrap();
    let admin = person(&pool, "root@example.org", "Root", Role::Admin).await;
    let app = TestApp::spawn(pool.clone()).await;
    let post_path = format!("/posts/{PROTECTED}");

    let page = Request::get(&post_path).send(&app).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Template: Password Protected"));
    assert!(!page.body.contains(SECRET), "{}", page.body);
    assert!(page.body.contains(r#"name="password""#), "a password form");
    assert!(
        page.body.contains("This post is protected by a password."),
        "the page's description says so"
    );

    for path in [
        "/tag/password-2",
        "/posts?tag=password-2&category=classic",
        "/search?q=password+protected",
        "/feed.xml?tag=password-2",
        "/atom.xml?tag=password-2",
        "/tag/password-2/feed.xml",
        "/comments/feed.xml",
        "/api/v1/posts?tag=password-2",
        "/api/v1/posts?q=password+protected",
        &format!("/api/v1/posts/{PROTECTED}"),
    ] {
        let reply = Request::get(path).send(&app).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert!(!reply.body.contains(SECRET), "{path}: {}", reply.body);
        if path != "/comments/feed.xml" {
            assert!(reply.body.contains("Password Protected"), "{path}");
        }
    }
    let listing = Request::get("/tag/password-2").send(&app).await;
    assert!(
        listing
            .body
            .contains("This post is protected by a password.")
    );
    let listed = Request::get("/api/v1/posts?tag=password-2")
        .send(&app)
        .await
        .json();
    assert_eq!(listed["posts"][0]["protected"], true);
    assert_eq!(listed["posts"][0]["excerpt"], "");
    let single = Request::get(format!("/api/v1/posts/{PROTECTED}"))
        .send(&app)
        .await
        .json();
    assert_eq!(single["protected"], true);
    assert!(single.get("body_html").is_none() && single.get("comments").is_none());

    // Words of the text find nothing; the title still finds the post.
    let by_text = Request::get("/api/v1/posts?q=visible+entered")
        .send(&app)
        .await;
    assert!(!by_text.body.contains(PROTECTED), "{}", by_text.body);
    let by_title = Request::get("/api/v1/posts?q=password+protected")
        .send(&app)
        .await;
    assert!(by_title.body.contains(PROTECTED), "{}", by_title.body);

    // Comments: neither read nor written through the API, nor in the post's comment feed.
    let comments = format!("/api/v1/posts/{PROTECTED}/comments");
    assert_eq!(
        status_of(&app, &comments, None).await,
        StatusCode::FORBIDDEN
    );
    let comment = Request::json(
        Method::POST,
        &comments,
        &json!({ "body": "Let me in", "name": "Eve", "email": "eve@example.org" }),
    )
    .send(&app)
    .await;
    assert_eq!(comment.status, StatusCode::FORBIDDEN, "{}", comment.body);
    let feed = format!("/posts/{PROTECTED}/comments/feed.xml");
    assert_eq!(status_of(&app, &feed, None).await, StatusCode::NOT_FOUND);

    // The password form.
    let id: i64 = sqlx::query_scalar("SELECT id FROM posts WHERE slug = $1")
        .bind(PROTECTED)
        .fetch_one(&pool)
        .await
        .unwrap();
    let wrong = Request::server_fn("unlock_post", &format!("post_id={id}&password=entr"))
        .send(&app)
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    assert!(
        wrong.body.contains("not the password"),
        "a readable message: {}",
        wrong.body
    );
    assert!(wrong.header(header::SET_COOKIE).is_empty());
    let right = Request::server_fn("unlock_post", &format!("post_id={id}&password=enter"))
        .send(&app)
        .await;
    assert_eq!(right.status, StatusCode::OK, "{}", right.body);
    let set_cookie = right.header(header::SET_COOKIE);
    assert!(
        set_cookie.starts_with(&format!("fieldnotes_post_{id}="))
            && set_cookie.contains("HttpOnly")
            && set_cookie.contains("SameSite=Lax")
            && !set_cookie.contains("Secure"),
        "{set_cookie}"
    );
    let cookie = cookie_pair(&set_cookie);
    assert!(
        !cookie.contains("enter"),
        "the cookie does not hold the password"
    );

    let unlocked = Request::get(&post_path)
        .with_cookie(&cookie)
        .send(&app)
        .await;
    assert!(unlocked.body.contains("This content, comments, pingbacks"));
    assert!(
        unlocked
            .body
            .contains("This comment should not be visible until the password is entered.")
    );
    assert_eq!(unlocked.header(header::CACHE_CONTROL), "private, no-store");
    let forged = format!("fieldnotes_post_{id}=enter");
    let refused = Request::get(&post_path)
        .with_cookie(&forged)
        .send(&app)
        .await;
    assert!(!refused.body.contains(SECRET));
    let api = Request::get(format!("/api/v1/posts/{PROTECTED}"))
        .with_cookie(&cookie)
        .send(&app)
        .await;
    assert!(!api.body.contains(SECRET), "the API never shows it");

    // Without JavaScript the form is posted by the browser, which comes back to the post.
    let post_form = async |password: &str| {
        Request::server_fn("unlock_post", &format!("post_id={id}&password={password}"))
            .accept("text/html")
            .header(header::REFERER, &format!("{}{post_path}", app.address))
            .send(&app)
            .await
    };
    let response = post_form("enter").await;
    assert!(response.status.is_redirection());
    let back = response.headers[header::LOCATION].to_str().unwrap();
    assert!(
        back.starts_with(&format!("{}{post_path}", app.address)) && !back.contains("__err"),
        "{back}"
    );
    assert!(response.headers.contains_key(header::SET_COOKIE));
    let response = post_form("wrong").await;
    let back = response.headers[header::LOCATION]
        .to_str()
        .unwrap()
        .to_string();
    assert!(back.contains("__err="), "{back}");
    let told = Request::get(back.trim_start_matches(&app.address))
        .send(&app)
        .await;
    assert!(told.body.contains("not the password"), "{}", told.body);

    // A new password shuts out those who gave the old one.
    save(
        &app,
        &admin,
        Method::PUT,
        &format!("/api/v1/posts/{PROTECTED}"),
        json!({
            "title": "Template: Password Protected",
            "body_html": "<p>This content, comments, pingbacks, and trackbacks should not be visible until the password is entered.</p>",
            "status": "published",
            "password": "a new one",
        }),
    )
    .await;
    let shut_out = Request::get(&post_path)
        .with_cookie(&cookie)
        .send(&app)
        .await;
    assert!(!shut_out.body.contains(SECRET));
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn writers_set_and_remove_passwords(pool: PgPool) {
    let ada = person(&pool, "ada@example.org", "Ada", Role::Author).await;
    let app = TestApp::spawn(pool.clone()).await;
    let text = "Dear diary, the harvest failed.";

    let url = upload(&app, &ada, "diary.png").await["url"]
        .as_str()
        .unwrap()
        .to_string();
    let body = format!(r#"<p>{text}</p><p><img src="{url}" alt=""></p>"#);
    let mut created = post("Letters", &body, "published");
    created["password"] = json!("  open sesame ");
    let written = save(&app, &ada, Method::POST, "/api/v1/posts", created).await;
    assert_eq!(written["protected"], true);
    let id = written["id"].as_i64().unwrap();

    // What strangers get of the text: on the post's page, its image, and by searching a word.
    let seen_by_strangers = async || {
        let page = Request::get("/posts/letters").send(&app).await;
        let search = Request::get("/api/v1/posts?q=harvest").send(&app).await;
        [
            page.body.contains(text),
            status_of(&app, &url, None).await == StatusCode::OK,
            search.json()["total"] == 1,
        ]
    };
    assert_eq!(seen_by_strangers().await, [false; 3]);

    // The editor shows the password to its writer.
    let desk = call(&app, &ada, "writing_desk", &format!("id={id}"))
        .await
        .json();
    assert_eq!(desk["post"]["input"]["password"], "open sesame");

    // Whoever gave it sees the text and the image.
    let unlocked = Request::server_fn("unlock_post", &format!("post_id={id}&password=open+sesame"))
        .send(&app)
        .await;
    let cookie = cookie_pair(&unlocked.header(header::SET_COOKIE));
    let image = Request::get(&url).with_cookie(&cookie).send(&app).await;
    assert_eq!(image.status, StatusCode::OK);
    assert_eq!(image.header(header::CACHE_CONTROL), "private, no-store");
    let comment = Request::server_fn(
        "post_comment",
        &format!("post_id={id}&name=Eve&email=eve%40example.org&body=Hello"),
    )
    .send(&app)
    .await;
    assert_eq!(comment.status, StatusCode::FORBIDDEN, "{}", comment.body);

    // The editor removes it.
    let input = |password: &str| {
        json!({
            "id": id,
            "input": {
                "title": "Letters", "body_html": body, "excerpt": "", "slug": "",
                "status": "published", "published_at": null, "category_ids": [], "tags": [],
                "password": password,
            },
            "autosave": false,
        })
    };
    let editor_save = |value: Value| {
        let app = &app;
        let ada = &ada;
        async move {
            let reply = Request::json(Method::POST, "/_fn/save_post", &value)
                .by(&ada.token)
                .send(app)
                .await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            reply.json()
        }
    };
    assert_eq!(editor_save(input("")).await["protected"], false);
    assert_eq!(seen_by_strangers().await, [true; 3]);

    // …and sets it again.
    editor_save(input("closed")).await;
    assert_eq!(seen_by_strangers().await, [false; 3]);

    // Through the API, a post sent without a password keeps its own; `null` removes it.
    let path = "/api/v1/posts/letters";
    let kept = save(
        &app,
        &ada,
        Method::PUT,
        path,
        post("Letters", &body, "published"),
    )
    .await;
    assert_eq!(kept["protected"], true);
    let mut open = post("Letters", &body, "published");
    open["password"] = Value::Null;
    let opened = save(&app, &ada, Method::PUT, path, open).await;
    assert_eq!(opened["protected"], false);
    assert_eq!(seen_by_strangers().await, [true; 3]);
    let too_long = {
        let mut long = post("Letters", &body, "published");
        long["password"] = json!("x".repeat(256));
        Request::json(Method::PUT, path, &long)
            .by(&ada.token)
            .send(&app)
            .await
    };
    assert_eq!(too_long.status, StatusCode::BAD_REQUEST);

    let document = Request::get("/api/openapi.json").send(&app).await.json();
    let schema = &document["components"]["schemas"]["PostBody"]["properties"]["password"];
    assert!(schema.is_object(), "the password is described");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn names_without_published_posts_are_not_shown(pool: PgPool) {
    let ada = person(&pool, "ada@example.org", "Ada", Role::Author).await;
    let editor = person(&pool, "cy@example.org", "Cy", Role::Editor).await;
    person(&pool, "root@example.org", "Root Admin", Role::Admin).await;
    let app = TestApp::spawn(pool.clone()).await;

    call(&app, &editor, "create_category", "name=Secret+Plans").await;
    let mut draft = post("Surprise", "<p>Shh.</p>", "draft");
    draft["tags"] = json!(["Surprise party"]);
    draft["categories"] = json!(["secret-plans"]);
    let saved = save(&app, &ada, Method::POST, "/api/v1/posts", draft.clone()).await;
    let path = format!("/api/v1/posts/{}", saved["slug"].as_str().unwrap());

    for list in ["/api/v1/tags", "/api/v1/categories", "/api/v1/authors"] {
        let reply = Request::get(list).send(&app).await;
        assert_eq!(reply.status, StatusCode::OK);
        for name in ["Surprise party", "Secret Plans", "Root Admin", "Ada"] {
            assert!(!reply.body.contains(name), "{list} names {name}");
        }
    }
    for address in [
        "/tag/surprise-party",
        "/tag/surprise-party/feed.xml",
        "/posts?tag=surprise-party",
        "/feed.xml?tag=surprise-party",
        "/api/v1/posts?tag=surprise-party",
        "/category/secret-plans",
        "/category/secret-plans/atom.xml",
        "/author/root-admin",
        "/author/root-admin/feed.xml",
        "/posts?author=root-admin&year=2026",
        "/api/v1/posts?author=root-admin",
        "/author/ada",
    ] {
        let reply = Request::get(address).send(&app).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{address}");
        for name in ["Surprise party", "Secret Plans", "Root Admin"] {
            assert!(!reply.body.contains(name), "{address} names {name}");
        }
    }

    // Writers still complete the tags they used.
    let completed = call(&app, &ada, "matching_tags", "prefix=surp").await;
    assert!(
        completed.body.contains("Surprise party"),
        "{}",
        completed.body
    );

    let mut published = draft;
    published["status"] = json!("published");
    save(&app, &ada, Method::PUT, &path, published).await;
    for address in [
        "/tag/surprise-party",
        "/category/secret-plans",
        "/author/ada",
    ] {
        assert_eq!(
            status_of(&app, address, None).await,
            StatusCode::OK,
            "{address}"
        );
    }
    let tags = Request::get("/api/v1/tags").send(&app).await;
    assert!(tags.body.contains("Surprise party"));
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn protected_pages_are_opened_like_posts(pool: PgPool) {
    let export = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <title>Members</title>
  <link>https://members.example</link>
  <wp:wxr_version>1.2</wp:wxr_version>
  <item>
    <title>Member list</title>
    <content:encoded><![CDATA[<p>Ada, Bo and Cy.</p>]]></content:encoded>
    <wp:post_id>7</wp:post_id>
    <wp:post_date_gmt>2024-01-01 00:00:00</wp:post_date_gmt>
    <wp:post_name>member-list</wp:post_name>
    <wp:status>publish</wp:status>
    <wp:post_type>page</wp:post_type>
    <wp:post_password>enter</wp:post_password>
  </item>
</channel>
</rss>"#;
    server::import::import_wxr(&pool, export.as_bytes(), |_| {})
        .await
        .unwrap();
    let app = TestApp::spawn(pool.clone()).await;
    let locked = Request::get("/pages/member-list").send(&app).await;
    assert_eq!(locked.status, StatusCode::OK);
    assert!(locked.body.contains("Member list"));
    assert!(!locked.body.contains("Ada, Bo and Cy"), "{}", locked.body);
    assert!(locked.body.contains(r#"name="password""#));

    let id: i64 = sqlx::query_scalar("SELECT id FROM posts WHERE slug = 'member-list'")
        .fetch_one(&pool)
        .await
        .unwrap();
    let unlocked = Request::server_fn("unlock_post", &format!("post_id={id}&password=enter"))
        .send(&app)
        .await;
    let cookie = cookie_pair(&unlocked.header(header::SET_COOKIE));
    let page = Request::get("/pages/member-list")
        .with_cookie(&cookie)
        .send(&app)
        .await;
    assert!(page.body.contains("Ada, Bo and Cy"));
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn guessing_a_post_password_is_refused_after_a_few_tries(pool: PgPool) {
    import_fixture(&pool, "themeunittestdata.wordpress.xml")
        .await
        .unwrap();
    let app = TestApp::spawn(pool.clone()).await;
    let id: i64 = sqlx::query_scalar("SELECT id FROM posts WHERE slug = $1")
        .bind(PROTECTED)
        .fetch_one(&pool)
        .await
        .unwrap();
    let try_password = async |client: &reqwest::Client, password: &str| {
        Request::server_fn("unlock_post", &format!("post_id={id}&password={password}"))
            .send_with(client, &app)
            .await
    };
    let guesser = reqwest::Client::builder()
        .local_address("127.0.0.2".parse::<std::net::IpAddr>().unwrap())
        .build()
        .unwrap();
    for attempt in 0..10 {
        let wrong = try_password(&guesser, &format!("guess{attempt}")).await;
        assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    }
    let refused = try_password(&guesser, "enter").await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    let wait = refused.retry_after().expect("a Retry-After header");
    assert!((890..=900).contains(&wait), "{wait}");
    // Fourteen minutes later, as if the guesser had waited them, it is still refused, and the
    // refused tries did not start the quarter of an hour again.
    sqlx::query(
        "UPDATE post_password_tries SET last_tried_at = last_tried_at - interval '14 minutes'",
    )
    .execute(&pool)
    .await
    .unwrap();
    let again = try_password(&guesser, "enter").await;
    assert_eq!(again.status, StatusCode::TOO_MANY_REQUESTS);
    let wait = again.retry_after().expect("a Retry-After header");
    assert!(wait <= 60, "{wait}");
    assert!(refused.headers.get(header::SET_COOKIE).is_none());
    assert!(refused.body.contains("Too many wrong passwords"));

    let reader = reqwest::Client::builder()
        .local_address("127.0.0.3".parse::<std::net::IpAddr>().unwrap())
        .build()
        .unwrap();
    let right = try_password(&reader, "enter").await;
    assert_eq!(
        right.status,
        StatusCode::OK,
        "a reader elsewhere is not held up by the guesser"
    );
}
