//! The people of a blog, managed in the browser: administrators add people (who choose their
//! password through a one-time link), change roles, turn accounts off and remove them; everyone
//! changes their own name, bio and password. No one can lock themselves or the blog out.

use app::auth::{hash_password, new_token};
use app::db::accounts;
use app::model::Role;
use integration_tests::{Reply, Request, TestApp, cookie_pair, form_body};
use reqwest::{StatusCode, header};
use sqlx::PgPool;

const PASSWORD: &str = "a long enough password";

/// An account with a real password and a session: its id and the session's secret.
async fn person(pool: &PgPool, email: &str, name: &str, role: Role) -> (i64, String) {
    let hash = hash_password(PASSWORD).unwrap();
    let mut conn = pool.acquire().await.unwrap();
    let slug = app::slug::slugify(name);
    let id = accounts::create_account(&mut conn, email, name, &slug, role, Some(&hash))
        .await
        .unwrap()
        .unwrap();
    let (session, session_hash) = new_token();
    accounts::start_session(
        pool,
        id,
        &session_hash,
        chrono::Utc::now() + chrono::Duration::days(1),
    )
    .await
    .unwrap();
    (id, session)
}

async fn call(app: &TestApp, session: &str, function: &str, fields: &[(&str, &str)]) -> Reply {
    Request::server_fn(function, &form_body(fields.iter().copied()))
        .by(session)
        .send(app)
        .await
}

async fn sessions_of(pool: &PgPool, id: i64) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM sessions WHERE user_id = $1")
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_new_person_chooses_their_password_through_a_one_time_link(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let (_, admin) = person(&pool, "admin@example.org", "Ada Admin", Role::Admin).await;
    let (_, author) = person(&pool, "ann@example.org", "Ann Author", Role::Author).await;

    for (who, email, name, refusal) in [
        (&author, "x@example.org", "X", StatusCode::FORBIDDEN),
        (&admin, "not an address", "X", StatusCode::BAD_REQUEST),
        (&admin, "ANN@example.org", "X", StatusCode::CONFLICT),
        (&admin, "x@example.org", "X\0Y", StatusCode::BAD_REQUEST),
    ] {
        let fields = [("email", email), ("name", name), ("role", "admin")];
        let refused = call(&app, who, "add_person", &fields).await;
        assert_eq!(refused.status, refusal, "{email}: {}", refused.body);
    }

    let added = call(
        &app,
        &admin,
        "add_person",
        &[
            ("email", "wen@example.org"),
            ("name", "Wen 文"),
            ("role", "editor"),
        ],
    )
    .await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    let link = added.json().as_str().unwrap().to_string();
    let path = link
        .strip_prefix(&app.address)
        .expect("a link to this blog")
        .to_string();
    assert!(path.starts_with("/welcome/"), "{path}");
    let secret = path.trim_start_matches("/welcome/").to_string();

    let signed_out = app.get_with_headers(&path).await;
    assert_eq!(signed_out.0, 200);
    assert!(signed_out.2.contains("Welcome, Wen 文"));
    assert_eq!(
        signed_out.1[header::CACHE_CONTROL],
        "private, no-store",
        "the page of a secret link is never kept"
    );
    let again = app.get_with_headers(&path).await;
    assert!(
        again.1.get("x-cache").is_none(),
        "the page cache did not keep it"
    );

    let choose = |password: &'static str, repeated: &'static str| {
        let form = form_body([
            ("secret", secret.as_str()),
            ("password", password),
            ("repeated", repeated),
        ]);
        let app = &app;
        async move {
            Request::server_fn("use_sign_in_link", &form)
                .send(app)
                .await
        }
    };
    let differing = choose(PASSWORD, "something else").await;
    assert_eq!(
        differing.status,
        StatusCode::BAD_REQUEST,
        "{}",
        differing.body
    );
    let short = choose("short", "short").await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST, "{}", short.body);
    let chosen = choose(PASSWORD, PASSWORD).await;
    assert!(
        chosen.status.is_success() || chosen.status.is_redirection(),
        "{} {}",
        chosen.status,
        chosen.body
    );
    let session = cookie_pair(&chosen.session_cookie().expect("signed in"));
    let dashboard = Request::get("/dashboard")
        .with_cookie(session)
        .send(&app)
        .await;
    assert!(
        dashboard.body.contains("All posts"),
        "an editor sees all posts"
    );

    let reused = choose(PASSWORD, PASSWORD).await;
    assert_eq!(
        reused.status,
        StatusCode::NOT_FOUND,
        "a link works once: {}",
        reused.body
    );
    assert_eq!(app.get(&path).await.0, 404);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn administrators_change_roles_turn_accounts_off_and_remove_them(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let (admin_id, admin) = person(&pool, "admin@example.org", "Ada Admin", Role::Admin).await;
    let (ann_id, ann) = person(&pool, "ann@example.org", "Ann Author", Role::Author).await;
    let (ben_id, _) = person(&pool, "ben@example.org", "Ben", Role::Author).await;
    sqlx::query("INSERT INTO posts (slug, title, status, author_id) VALUES ('anns-draft', 'Ann''s draft', 'draft', $1)")
        .bind(ann_id)
        .execute(&pool)
        .await
        .unwrap();
    let (ann_api, ann_api_hash) = new_token();
    accounts::create_api_token(&pool, ann_id, "phone", &ann_api_hash)
        .await
        .unwrap();

    for (function, fields) in [
        (
            "change_role",
            &[("id", admin_id.to_string()), ("role", "author".to_string())][..],
        ),
        (
            "set_account_disabled",
            &[
                ("id", admin_id.to_string()),
                ("disabled", "true".to_string()),
            ],
        ),
        (
            "remove_person",
            &[("id", admin_id.to_string()), ("heir", ann_id.to_string())],
        ),
        ("new_sign_in_link", &[("id", admin_id.to_string())]),
    ] {
        let fields: Vec<(&str, &str)> = fields
            .iter()
            .map(|(name, value)| (*name, value.as_str()))
            .collect();
        let refused = call(&app, &admin, function, &fields).await;
        assert_eq!(
            refused.status,
            StatusCode::FORBIDDEN,
            "{function} on oneself: {}",
            refused.body
        );
    }
    let demoted_by_author = call(
        &app,
        &ann,
        "change_role",
        &[("id", &admin_id.to_string()), ("role", "author")],
    )
    .await;
    assert_eq!(demoted_by_author.status, StatusCode::FORBIDDEN);

    let promoted = call(
        &app,
        &admin,
        "change_role",
        &[("id", &ann_id.to_string()), ("role", "editor")],
    )
    .await;
    assert_eq!(promoted.status, StatusCode::OK, "{}", promoted.body);
    let role: String = sqlx::query_scalar("SELECT role FROM users WHERE id = $1")
        .bind(ann_id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(role, "editor");

    // A token that works is told there is no such post to delete; one that does not, to sign in.
    let token_works = |token: String| {
        let app = &app;
        async move {
            let reply = Request::new(reqwest::Method::DELETE, "/api/v1/posts/nothing-here")
                .bearer(&token)
                .with_origin(None)
                .send(app)
                .await;
            reply.status == StatusCode::NOT_FOUND
        }
    };
    assert!(token_works(ann_api.clone()).await);
    let off = call(
        &app,
        &admin,
        "set_account_disabled",
        &[("id", &ann_id.to_string()), ("disabled", "true")],
    )
    .await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.body);
    assert_eq!(
        sessions_of(&pool, ann_id).await,
        0,
        "a turned-off account's sessions end"
    );
    assert!(
        !token_works(ann_api.clone()).await,
        "nor do its tokens work"
    );
    let on = call(
        &app,
        &admin,
        "set_account_disabled",
        &[("id", &ann_id.to_string()), ("disabled", "false")],
    )
    .await;
    assert_eq!(on.status, StatusCode::OK, "{}", on.body);
    assert!(
        token_works(ann_api.clone()).await,
        "turned on again, its tokens work again"
    );

    let to_nobody = call(
        &app,
        &admin,
        "remove_person",
        &[("id", &ann_id.to_string()), ("heir", "999999")],
    )
    .await;
    assert_eq!(
        to_nobody.status,
        StatusCode::BAD_REQUEST,
        "{}",
        to_nobody.body
    );
    let removed = call(
        &app,
        &admin,
        "remove_person",
        &[("id", &ann_id.to_string()), ("heir", &ben_id.to_string())],
    )
    .await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.body);
    let author: Option<i64> =
        sqlx::query_scalar("SELECT author_id FROM posts WHERE slug = 'anns-draft'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(author, Some(ben_id), "the posts went to the heir");
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM users WHERE id = $1")
        .bind(ann_id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(left, 0);

    let page = Request::get("/dashboard/people")
        .by(&admin)
        .send(&app)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("ben@example.org") && !page.body.contains("ann@example.org"));
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn people_change_their_own_name_bio_and_password(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let (id, session) = person(&pool, "ann@example.org", "Ann Author", Role::Author).await;
    let (other_session, other_hash) = new_token();
    accounts::start_session(
        &pool,
        id,
        &other_hash,
        chrono::Utc::now() + chrono::Duration::days(1),
    )
    .await
    .unwrap();
    sqlx::query("INSERT INTO posts (slug, title, status, published_at, author_id) VALUES ('hello', 'Hello', 'published', now(), $1)")
        .bind(id)
        .execute(&pool)
        .await
        .unwrap();

    let empty = call(
        &app,
        &session,
        "update_profile",
        &[("name", "  "), ("bio", "")],
    )
    .await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    let long_bio = "字".repeat(2001);
    let too_long = call(
        &app,
        &session,
        "update_profile",
        &[("name", "Ann"), ("bio", &long_bio)],
    )
    .await;
    assert_eq!(too_long.status, StatusCode::BAD_REQUEST);
    let saved = call(
        &app,
        &session,
        "update_profile",
        &[
            ("name", "Ann B. Author"),
            ("bio", "Studies <waste> recycling in Ningbo."),
        ],
    )
    .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let (status, author_page) = app.get("/author/ann-author").await;
    assert_eq!(status, 200);
    assert!(author_page.contains("Ann B. Author"));
    assert!(
        author_page.contains("Studies &lt;waste&gt; recycling in Ningbo."),
        "the bio is shown as text"
    );

    let wrong = change_password(&app, &session, "not my password", "a brand new password").await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN, "{}", wrong.body);
    let changed = change_password(&app, &session, PASSWORD, "a brand new password").await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(
        sessions_of(&pool, id).await,
        1,
        "only the session it was changed in is left"
    );
    let here = Request::get("/account").by(&session).send(&app).await;
    assert!(here.body.contains("Ann B. Author"));
    let elsewhere = Request::get("/account").by(&other_session).send(&app).await;
    assert!(
        !elsewhere.body.contains("Ann B. Author"),
        "the other session has ended"
    );
    app::auth::check_credentials(&pool, "ann@example.org", "a brand new password")
        .await
        .expect("the new password opens the account");
}

/// `change_password` as the holder of `session`, from `current` to `new`.
async fn change_password(app: &TestApp, session: &str, current: &str, new: &str) -> Reply {
    let fields = [("current", current), ("password", new), ("repeated", new)];
    call(app, session, "change_password", &fields).await
}

/// A new sign-in link for person `id`, made by `admin`: its secret.
async fn new_link(app: &TestApp, admin: &str, id: i64) -> String {
    let made = call(app, admin, "new_sign_in_link", &[("id", &id.to_string())]).await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    let link = made.json().as_str().unwrap().to_string();
    link.rsplit('/').next().unwrap().to_string()
}

async fn use_link(app: &TestApp, secret: &str) -> Reply {
    let form = form_body([
        ("secret", secret),
        ("password", PASSWORD),
        ("repeated", PASSWORD),
    ]);
    Request::server_fn("use_sign_in_link", &form)
        .send(app)
        .await
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_sign_in_link_recovers_an_account_and_ends_every_other_way_in(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let (_, admin) = person(&pool, "admin@example.org", "Ada Admin", Role::Admin).await;
    let (ann_id, ann) = person(&pool, "ann@example.org", "Ann Author", Role::Author).await;
    let (_, token_hash) = new_token();
    accounts::create_api_token(&pool, ann_id, "phone", &token_hash)
        .await
        .unwrap();
    let links = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM sign_in_links")
            .fetch_one(&pool)
            .await
            .unwrap()
    };

    new_link(&app, &admin, ann_id).await;
    let changed = change_password(&app, &ann, PASSWORD, "another long one").await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(links().await, 0, "a new password voids the link");

    let secret = new_link(&app, &admin, ann_id).await;
    let id = ann_id.to_string();
    let off = [("id", id.as_str()), ("disabled", "true")];
    assert_eq!(
        call(&app, &admin, "set_account_disabled", &off)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(links().await, 0, "turning an account off voids its link");
    let on = [("id", id.as_str()), ("disabled", "false")];
    assert_eq!(
        call(&app, &admin, "set_account_disabled", &on).await.status,
        StatusCode::OK
    );
    assert_eq!(use_link(&app, &secret).await.status, StatusCode::NOT_FOUND);

    let secret = new_link(&app, &admin, ann_id).await;
    let recovered = use_link(&app, &secret).await;
    assert!(recovered.status.is_success() || recovered.status.is_redirection());
    let revoked: Option<chrono::DateTime<chrono::Utc>> =
        sqlx::query_scalar("SELECT revoked_at FROM api_tokens WHERE user_id = $1")
            .bind(ann_id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(
        revoked.is_some(),
        "recovering an account revokes its tokens"
    );
}
