//! Readers' comments: posting, moderation (first comments wait, known commenters' appear at
//! once), each spam rule, errors, plain text, and the import of WordPress's comments.

use app::auth::{new_token, token_hash};
use app::db::accounts;
use app::model::Role;
use integration_tests::{Reply, Request, TestApp, cookie_pair, form_body, import_fixture};
use reqwest::header;
use reqwest::{Method, StatusCode};
use serde_json::json;
use sqlx::PgPool;

const POST: &str = "the-trip-of-e-waste-recycling";

async fn post_id(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT id FROM posts WHERE slug = $1")
        .bind(POST)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// A comment as the form sends it, written `written_ms` milliseconds after the form appeared.
struct Form<'a> {
    post_id: i64,
    name: &'a str,
    email: &'a str,
    body: &'a str,
    extra: Vec<(&'a str, String)>,
    written_ms: i64,
}

impl<'a> Form<'a> {
    fn new(post_id: i64, email: &'a str, body: &'a str) -> Self {
        Form {
            post_id,
            name: "Reader",
            email,
            body,
            extra: Vec::new(),
            written_ms: 20_000,
        }
    }

    fn with(mut self, name: &'a str, value: impl Into<String>) -> Self {
        self.extra.push((name, value.into()));
        self
    }

    fn encoded(&self) -> String {
        let shown_at = chrono::Utc::now().timestamp_millis() - self.written_ms;
        let mut fields = vec![
            ("post_id", self.post_id.to_string()),
            ("name", self.name.to_string()),
            ("email", self.email.to_string()),
            ("body", self.body.to_string()),
            ("shown_at", shown_at.to_string()),
        ];
        fields.extend(self.extra.iter().cloned());
        form_body(fields.iter().map(|(name, value)| (*name, value.as_str())))
    }
}

/// Sends a comment as the form does: signed in when `session` is a session token, with the
/// reader's other cookies in `cookie`.
async fn send(
    app: &TestApp,
    form: &Form<'_>,
    session: Option<&str>,
    cookie: Option<&str>,
) -> Reply {
    let mut request = Request::server_fn("post_comment", &form.encoded());
    if let Some(token) = session {
        request = request.by(token);
    }
    if let Some(cookie) = cookie {
        request = request.with_cookie(cookie);
    }
    request.send(app).await
}

/// The cookie the answer to a comment sets, as the browser sends it back.
fn commenter_cookie(reply: &Reply) -> Option<String> {
    reply
        .headers
        .get(header::SET_COOKIE)
        .and_then(|value| value.to_str().ok())
        .map(cookie_pair)
}

async fn page(app: &TestApp, cookie: Option<&str>) -> String {
    let request = Request::get(format!("/posts/{POST}")).with_origin(None);
    match cookie {
        Some(cookie) => request.with_cookie(cookie),
        None => request,
    }
    .send(app)
    .await
    .body
}

async fn statuses(pool: &PgPool) -> Vec<String> {
    sqlx::query_scalar("SELECT status FROM comments ORDER BY id")
        .fetch_all(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn first_comments_wait_and_known_commenters_appear_at_once(pool: PgPool) {
    import_fixture(&pool, "demo.wxr").await.unwrap();
    let id = post_id(&pool).await;
    let app = TestApp::spawn(pool.clone()).await;

    let first = send(
        &app,
        &Form::new(id, "reader@example.org", "Were the workshops legal?"),
        None,
        None,
    )
    .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.body, "\"AwaitingModeration\"");
    let cookie = commenter_cookie(&first).expect("a commenter cookie");
    assert!(cookie.starts_with("fieldnotes_commenter="));

    let own = page(&app, Some(&cookie)).await;
    assert!(own.contains("Were the workshops legal?"));
    assert!(own.contains("Your comment is awaiting moderation."));
    assert!(own.contains("No Comments"), "waiting comments do not count");
    let others = page(&app, None).await;
    assert!(!others.contains("Were the workshops legal?"));

    sqlx::query("UPDATE comments SET status = 'approved'")
        .execute(&pool)
        .await
        .unwrap();
    let approved = page(&app, None).await;
    assert!(approved.contains("Were the workshops legal?"));
    assert!(approved.contains("1 Comment"));
    let (_, home) = app.get("/").await;
    assert!(home.contains("1 Comment »"), "listings count it too");

    let second = send(
        &app,
        &Form::new(id, "Reader@Example.org", "Thank you for the answer."),
        None,
        Some(&cookie),
    )
    .await;
    assert_eq!(second.body, "\"Published\"", "a known commenter");
    assert_eq!(statuses(&pool).await, ["approved", "approved"]);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_comment_sent_without_scripts_comes_back_to_the_post_at_the_comment(pool: PgPool) {
    import_fixture(&pool, "demo.wxr").await.unwrap();
    let id = post_id(&pool).await;
    let app = TestApp::spawn(pool.clone()).await;
    let sent_from = |query: &str| format!("{}/posts/{POST}{query}", app.address);
    let plain_form = |form: &Form<'_>, page: &str| {
        Request::server_fn("post_comment", &form.encoded())
            .accept("text/html")
            .header(header::REFERER, page)
    };

    let reply = plain_form(
        &Form::new(id, "reader@example.org", "Who sorts the copper?"),
        &sent_from("?replyto=1"),
    )
    .send(&app)
    .await;
    let comment: i64 = sqlx::query_scalar("SELECT max(id) FROM comments")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(reply.status.is_redirection(), "{}", reply.status);
    assert_eq!(
        reply.headers[header::LOCATION],
        format!("/posts/{POST}#comment-{comment}").as_str(),
        "the post without the reply's address, at the comment"
    );
    let cookie = commenter_cookie(&reply).expect("a commenter cookie");
    let shown = page(&app, Some(&cookie)).await;
    assert!(shown.contains(&format!("id=\"comment-{comment}\"")));
    assert!(shown.contains("Your comment is awaiting moderation."));

    let refused = plain_form(&Form::new(id, "reader@example.org", ""), &sent_from(""))
        .send(&app)
        .await;
    let location = refused.headers[header::LOCATION].to_str().unwrap();
    assert!(
        location.starts_with(&sent_from("?")) && location.contains("__err="),
        "back to the form, which shows why: {location}"
    );
}

/// Moves every comment an hour into the past, out of the reach of the limit on comments from one
/// address.
async fn age_comments(pool: &PgPool) {
    sqlx::query("UPDATE comments SET created_at = created_at - interval '1 hour'")
        .execute(pool)
        .await
        .unwrap();
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn known_commenters_are_known_by_their_browser_not_their_address(pool: PgPool) {
    import_fixture(&pool, "demo.wxr").await.unwrap();
    let id = post_id(&pool).await;
    let app = TestApp::spawn(pool.clone()).await;
    let first = send(
        &app,
        &Form::new(id, "reader@example.org", "A first question"),
        None,
        None,
    )
    .await;
    let reader = commenter_cookie(&first).expect("a commenter cookie");
    sqlx::query("UPDATE comments SET status = 'approved'")
        .execute(&pool)
        .await
        .unwrap();

    let impostor = send(
        &app,
        &Form::new(id, "reader@example.org", "Pretending to be the reader"),
        None,
        None,
    )
    .await;
    assert_eq!(
        impostor.body, "\"AwaitingModeration\"",
        "an e-mail address proves nothing"
    );
    let again = send(
        &app,
        &Form::new(id, "reader@example.org", "A second question"),
        None,
        Some(&reader),
    )
    .await;
    assert_eq!(again.body, "\"Published\"", "the reader's own browser");
    let renamed = Form {
        name: "Someone Else",
        ..Form::new(id, "reader@example.org", "Under another name")
    };
    let renamed = send(&app, &renamed, None, Some(&reader)).await;
    assert_eq!(
        renamed.body, "\"AwaitingModeration\"",
        "a known browser is known under the name it was approved with"
    );
    let other_address = send(
        &app,
        &Form::new(id, "another-address@example.org", "With another address"),
        None,
        Some(&reader),
    )
    .await;
    assert_eq!(other_address.body, "\"AwaitingModeration\"");

    let (admin, _) = person(&pool, "admin@example.org", Role::Admin).await;
    let session = start_session(&pool, admin).await;
    let signed_in = send(
        &app,
        &Form::new(id, "", "A word from the administrator"),
        Some(&session),
        None,
    )
    .await;
    assert_eq!(signed_in.body, "\"Published\"");
    let admin_browser = commenter_cookie(&signed_in).expect("a commenter cookie");
    age_comments(&pool).await;

    let as_admin = send(
        &app,
        &Form::new(
            id,
            "Admin@Example.org",
            "Pretending to be the administrator",
        ),
        None,
        None,
    )
    .await;
    assert_eq!(as_admin.body, "\"AwaitingModeration\"");
    let signed_out = send(
        &app,
        &Form::new(id, "admin@example.org", "Signed out, in the same browser"),
        None,
        Some(&admin_browser),
    )
    .await;
    assert_eq!(
        signed_out.body, "\"AwaitingModeration\"",
        "an anonymous comment with a staff address always waits"
    );
    // The reader was once approved under the administrator's display name.
    sqlx::query(
        "UPDATE comments SET author_name = 'ADMIN' WHERE author_email = 'reader@example.org'",
    )
    .execute(&pool)
    .await
    .unwrap();
    let named_like_staff = Form {
        name: "ADMIN",
        ..Form::new(id, "reader@example.org", "Named like the administrator")
    };
    let named_like_staff = send(&app, &named_like_staff, None, Some(&reader)).await;
    assert_eq!(
        named_like_staff.body, "\"AwaitingModeration\"",
        "an anonymous comment under a staff name always waits"
    );
    let through_api = Request::new(Method::POST, format!("/api/v1/posts/{POST}/comments"))
        .with_json(&json!({
            "name": "Admin", "email": "admin@example.org", "body": "Through the API"
        }))
        .with_origin(None)
        .send(&app)
        .await
        .json();
    assert_eq!(through_api["status"], "awaiting_moderation");
    let waiting: Vec<String> = sqlx::query_scalar(
        "SELECT status FROM comments WHERE body LIKE '%Pretending%' OR body LIKE '%Signed out%' \
         OR body LIKE '%Through the API%' ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        waiting, ["pending"; 4],
        "they wait for a moderator, not in the spam queue"
    );
}

/// The address the app notes for a comment sent through the API with these headers.
async fn comment_address(app: &TestApp, pool: &PgPool, headers: &[(&'static str, &str)]) -> String {
    let request = Request::new(Method::POST, format!("/api/v1/posts/{POST}/comments"))
        .with_json(&json!({ "name": "R", "email": "r@example.org", "body": "Hello" }))
        .with_origin(None);
    let response = headers
        .iter()
        .fold(request, |request, (name, value)| {
            request.header(*name, value)
        })
        .send(app)
        .await;
    assert_eq!(response.status, StatusCode::CREATED);
    sqlx::query_scalar("SELECT author_ip FROM comments ORDER BY id DESC LIMIT 1")
        .fetch_one(pool)
        .await
        .unwrap()
}

/// The statuses of six sign-ins with a wrong password, each claiming another address in
/// `X-Forwarded-For`.
async fn sign_ins_claiming_other_addresses(app: &TestApp, email: &str) -> Vec<StatusCode> {
    let mut statuses = Vec::new();
    for host in 1..=6 {
        let fields = [("email", email), ("password", "wrong"), ("next", "/")];
        let response = Request::server_fn("sign_in", &form_body(fields))
            .header("x-forwarded-for", &format!("198.51.100.{host}"))
            .send(app)
            .await;
        statuses.push(response.status);
    }
    statuses
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn forwarded_addresses_count_only_from_trusted_proxies(pool: PgPool) {
    import_fixture(&pool, "demo.wxr").await.unwrap();
    person(&pool, "direct@example.org", Role::Author).await;
    person(&pool, "proxied@example.org", Role::Author).await;
    let direct = TestApp::spawn(pool.clone()).await;
    let proxied = TestApp::spawn_behind_proxies(pool.clone(), &["10.0.0.1", "127.0.0.0/8"]).await;

    let claim = [("x-forwarded-for", "203.0.113.9")];
    assert_eq!(
        comment_address(&direct, &pool, &claim).await,
        "127.0.0.1",
        "a client's own claim is ignored"
    );
    assert_eq!(
        comment_address(&proxied, &pool, &claim).await,
        "203.0.113.9"
    );
    let chain = [("x-forwarded-for", "192.0.2.1, 203.0.113.10, 10.0.0.1")];
    assert_eq!(
        comment_address(&proxied, &pool, &chain).await,
        "203.0.113.10",
        "the nearest address that is not a trusted proxy"
    );
    let forwarded = [("forwarded", "for=\"[2001:db8::17]:4711\";proto=https")];
    assert_eq!(
        comment_address(&proxied, &pool, &forwarded).await,
        "2001:db8::17"
    );

    let through_proxy = sign_ins_claiming_other_addresses(&proxied, "proxied@example.org").await;
    assert_eq!(through_proxy, [StatusCode::UNAUTHORIZED; 6]);
    let spoofed = sign_ins_claiming_other_addresses(&direct, "direct@example.org").await;
    assert_eq!(
        spoofed.last(),
        Some(&StatusCode::TOO_MANY_REQUESTS),
        "one address, whatever it claims: {spoofed:?}"
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn each_spam_rule_sends_comments_to_the_spam_queue(pool: PgPool) {
    import_fixture(&pool, "demo.wxr").await.unwrap();
    let id = post_id(&pool).await;
    sqlx::query("UPDATE site SET comment_spam_words = '{casino, Cheap Pills}'")
        .execute(&pool)
        .await
        .unwrap();
    let app = TestApp::spawn(pool.clone()).await;
    let cases = [
        Form::new(id, "a@example.org", "Nice post").with("homepage", "http://spam.example"),
        Form {
            written_ms: 500,
            ..Form::new(id, "b@example.org", "Too quick")
        },
        Form::new(
            id,
            "c@example.org",
            "See http://a.example http://b.example www.c.example",
        ),
        Form::new(id, "d@example.org", "Best CASINO in town"),
        Form::new(id, "e@example.org", "Ordinary words"),
    ];
    for form in &cases {
        let sent = send(&app, form, None, None).await;
        assert_eq!(
            sent.body, "\"AwaitingModeration\"",
            "spam is not told apart"
        );
    }
    assert_eq!(
        statuses(&pool).await,
        ["spam", "spam", "spam", "spam", "pending"]
    );

    let sixth = send(
        &app,
        &Form::new(id, "f@example.org", "One more from the same address"),
        None,
        None,
    )
    .await;
    assert_eq!(sixth.status, StatusCode::OK);
    assert_eq!(
        statuses(&pool).await.last().unwrap(),
        "spam",
        "the sixth comment from one address in ten minutes"
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn bad_comments_get_clear_errors(pool: PgPool) {
    import_fixture(&pool, "demo.wxr").await.unwrap();
    let id = post_id(&pool).await;
    let app = TestApp::spawn(pool.clone()).await;
    let long = "x".repeat(10_001);
    for (form, says) in [
        (Form::new(id, "a@example.org", "   "), "Write something"),
        (
            Form::new(id, "a@example.org", &long),
            "at most 10000 characters",
        ),
        (Form::new(id, "not an address", "Hi"), "e-mail address"),
        (
            Form::new(id, "a@example.org", "Hi").with("website", "javascript:alert(1)"),
            "https://",
        ),
        (
            Form::new(id, "a@example.org", "Hi").with("parent_id", "999999"),
            "not on this post",
        ),
    ] {
        let sent = send(&app, &form, None, None).await;
        assert_eq!(sent.status, StatusCode::BAD_REQUEST, "{}", sent.body);
        assert!(sent.body.contains(says), "{says}: {}", sent.body);
    }
    let nowhere = send(&app, &Form::new(0, "a@example.org", "Hi"), None, None).await;
    assert_eq!(nowhere.status, StatusCode::NOT_FOUND);

    sqlx::query("UPDATE posts SET comment_status = 'closed' WHERE id = $1")
        .bind(id)
        .execute(&pool)
        .await
        .unwrap();
    let closed = send(&app, &Form::new(id, "a@example.org", "Hi"), None, None).await;
    assert_eq!(closed.status, StatusCode::FORBIDDEN);
    assert!(closed.body.contains("Comments are closed"));
    assert!(page(&app, None).await.contains("Comments are closed."));
    assert!(statuses(&pool).await.is_empty(), "nothing was stored");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn comments_are_plain_text_with_links_and_threads(pool: PgPool) {
    import_fixture(&pool, "demo.wxr").await.unwrap();
    let id = post_id(&pool).await;
    let mut conn = pool.acquire().await.unwrap();
    let user = accounts::create_account(
        &mut conn,
        "editor@example.org",
        "Cy Editor",
        "cy-editor",
        Role::Editor,
        Some("unused"),
    )
    .await
    .unwrap()
    .unwrap();
    drop(conn);
    let token = start_session(&pool, user).await;
    let app = TestApp::spawn(pool.clone()).await;

    let signed_in = send(
        &app,
        &Form::new(
            id,
            "",
            "<script>alert(1)</script>\nSee https://example.org/report.",
        ),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(signed_in.body, "\"Published\"", "{}", signed_in.body);
    let parent: i64 = sqlx::query_scalar("SELECT id FROM comments")
        .fetch_one(&pool)
        .await
        .unwrap();
    let reply = send(
        &app,
        &Form::new(id, "", "A reply").with("parent_id", parent.to_string()),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(reply.body, "\"Published\"", "{}", reply.body);

    let html = page(&app, None).await;
    assert!(html.contains("Cy Editor"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.contains("<script>alert(1)"));
    assert!(
        html.contains(r#"<a href="https://example.org/report" rel="nofollow ugc">"#),
        "addresses become links"
    );
    assert!(
        html.contains(r#"class="comment-replies""#),
        "the reply nests"
    );
    assert!(html.contains(&format!("?replyto={parent}#respond")));
    let email_shown = html.contains("editor@example.org");
    assert!(!email_shown, "e-mail addresses are never shown");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn wordpress_comments_keep_threads_statuses_and_kinds(pool: PgPool) {
    import_fixture(&pool, "themeunittestdata.wordpress.xml")
        .await
        .unwrap();
    let count = |query: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(query)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    assert_eq!(count("SELECT count(*) FROM comments").await, 33);
    assert_eq!(
        count("SELECT count(*) FROM comments WHERE parent_id IS NOT NULL").await,
        10
    );
    assert_eq!(
        count("SELECT count(*) FROM comments WHERE status = 'pending'").await,
        3
    );
    assert_eq!(
        count("SELECT count(*) FROM comments WHERE kind = 'pingback'").await,
        2
    );
    assert_eq!(
        count("SELECT count(*) FROM comments WHERE kind = 'trackback'").await,
        2
    );
}

/// A session of this person, as signing in starts one: its token.
async fn start_session(pool: &PgPool, user: i64) -> String {
    let (token, hash) = new_token();
    let expires_at = chrono::Utc::now() + chrono::Duration::days(1);
    accounts::start_session(pool, user, &hash, expires_at)
        .await
        .unwrap();
    token
}

/// Someone who moderates: their id, and a secret that is both one of their API tokens (for the
/// JSON API) and the token of a session of theirs (for the pages' server functions).
async fn person(pool: &PgPool, email: &str, role: Role) -> (i64, String) {
    let mut conn = pool.acquire().await.unwrap();
    let slug = email.split('@').next().unwrap().to_string();
    let id = accounts::create_account(&mut conn, email, &slug, &slug, role, Some("unused"))
        .await
        .unwrap()
        .unwrap();
    drop(conn);
    let token = start_session(pool, id).await;
    accounts::create_api_token(pool, id, "tests", &token_hash(&token))
        .await
        .unwrap();
    (id, token)
}

/// The comment queue's request to give the comments `ids` this `status`.
fn moderation(ids: &[i64], status: &str) -> Request {
    Request::new(Method::POST, "/_fn/moderate_comments")
        .with_json(&json!({ "ids": ids, "status": status }))
}

async fn moderate(app: &TestApp, token: &str, ids: &[i64], status: &str) -> (StatusCode, String) {
    let reply = moderation(ids, status).by(token).send(app).await;
    (reply.status, reply.body)
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn moderators_see_and_change_only_what_they_moderate(pool: PgPool) {
    import_fixture(&pool, "demo.wxr").await.unwrap();
    let id = post_id(&pool).await;
    let (author, author_token) = person(&pool, "author@example.org", Role::Author).await;
    let (_, other_token) = person(&pool, "other@example.org", Role::Author).await;
    let (_, editor_token) = person(&pool, "editor@example.org", Role::Editor).await;
    sqlx::query("UPDATE posts SET author_id = $1 WHERE id = $2")
        .bind(author)
        .bind(id)
        .execute(&pool)
        .await
        .unwrap();
    let app = TestApp::spawn(pool.clone()).await;
    send(&app, &Form::new(id, "r1@example.org", "First"), None, None).await;
    send(&app, &Form::new(id, "r2@example.org", "Second"), None, None).await;
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM comments ORDER BY id")
        .fetch_all(&pool)
        .await
        .unwrap();

    let queue = |token: String| {
        let app = &app;
        async move {
            let queue = Request::new(Method::POST, "/_fn/comment_queue")
                .with_body("application/x-www-form-urlencoded", "status=pending")
                .by(&token)
                .send(app)
                .await
                .json();
            queue["comments"].as_array().unwrap().len()
        }
    };
    assert_eq!(queue(author_token.clone()).await, 2, "the post's author");
    assert_eq!(queue(other_token.clone()).await, 0, "another author");
    assert_eq!(queue(editor_token.clone()).await, 2, "an editor");

    let (status, body) = moderate(&app, &other_token, &ids, "approved").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(statuses(&pool).await, ["pending", "pending"]);

    let (status, body) = moderate(&app, &author_token, &ids[..1], "approved").await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "1"));
    let (status, _) = moderate(&app, &editor_token, &ids[1..], "spam").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(statuses(&pool).await, ["approved", "spam"]);
    let (status, _) = moderate(&app, &editor_token, &ids, "trash").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(statuses(&pool).await, ["trash", "trash"]);
    let anonymous = moderation(&ids, "approved").send(&app).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn authors_close_comments_on_their_posts(pool: PgPool) {
    let (_, token) = person(&pool, "author@example.org", Role::Author).await;
    let app = TestApp::spawn(pool.clone()).await;
    let written = Request::new(Method::POST, "/api/v1/posts")
        .with_json(&json!({
            "title": "Quiet post", "body_html": "<p>No discussion.</p>",
            "status": "published", "comments_open": false
        }))
        .by(&token)
        .with_origin(None)
        .send(&app)
        .await;
    assert_eq!(written.status, StatusCode::CREATED);
    let id: i64 = sqlx::query_scalar("SELECT id FROM posts WHERE slug = 'quiet-post'")
        .fetch_one(&pool)
        .await
        .unwrap();
    let (_, html) = app.get("/posts/quiet-post").await;
    assert!(html.contains("Comments are closed."));
    assert!(!html.contains("Post the comment"));
    let refused = send(&app, &Form::new(id, "r@example.org", "Hello"), None, None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn approved_comments_have_feeds(pool: PgPool) {
    import_fixture(&pool, "demo.wxr").await.unwrap();
    let id = post_id(&pool).await;
    let app = TestApp::spawn(pool.clone()).await;
    send(
        &app,
        &Form::new(id, "a@example.org", "Approved <b>words</b>"),
        None,
        None,
    )
    .await;
    sqlx::query("UPDATE comments SET status = 'approved'")
        .execute(&pool)
        .await
        .unwrap();
    send(
        &app,
        &Form::new(id, "b@example.org", "Still waiting"),
        None,
        None,
    )
    .await;

    for path in [
        "/comments/feed.xml".to_string(),
        format!("/posts/{POST}/comments/feed.xml"),
        format!("/posts/{POST}/comments/atom.xml"),
    ] {
        let (status, feed) = app.get(&path).await;
        assert_eq!(status, 200, "{path}");
        let entries = feed_rs::parser::parse(feed.as_bytes()).unwrap().entries;
        assert!(
            entries.iter().any(|entry| {
                entry
                    .content
                    .as_ref()
                    .and_then(|content| content.body.as_deref())
                    == Some("Approved &lt;b&gt;words&lt;/b&gt;")
            }),
            "the text, as text: {path}: {feed}"
        );
        assert!(!feed.contains("Still waiting"), "{path}");
        assert!(feed.contains(&format!("/posts/{POST}#comment-")), "{path}");
    }
    assert_eq!(
        app.get("/posts/no-such-post/comments/feed.xml").await.0,
        404
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn the_api_lists_takes_and_moderates_comments(pool: PgPool) {
    import_fixture(&pool, "demo.wxr").await.unwrap();
    let (_, editor) = person(&pool, "editor@example.org", Role::Editor).await;
    let app = TestApp::spawn(pool.clone()).await;
    let path = format!("/api/v1/posts/{POST}/comments");
    let posted = Request::new(Method::POST, &path)
        .with_json(&json!({
            "name": "Program", "email": "program@example.org", "body": "From a script"
        }))
        .with_origin(None)
        .send(&app)
        .await;
    assert_eq!(posted.status, StatusCode::CREATED);
    let posted = posted.json();
    assert_eq!(posted["status"], "awaiting_moderation");
    let id = posted["id"].as_i64().unwrap();

    let list = async || {
        Request::get(&path)
            .with_origin(None)
            .send(&app)
            .await
            .json()
    };
    assert_eq!(list().await["comments"].as_array().unwrap().len(), 0);

    let moderate = async |token: Option<&str>, status: &str| {
        let request = Request::new(Method::PUT, format!("/api/v1/comments/{id}/status"))
            .with_json(&json!({ "status": status }))
            .with_origin(None);
        match token {
            Some(token) => request.by(token),
            None => request,
        }
        .send(&app)
        .await
        .status
    };
    assert_eq!(moderate(None, "approved").await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        moderate(Some(&editor), "nonsense").await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(moderate(Some(&editor), "approved").await, StatusCode::OK);
    let listed = list().await;
    assert_eq!(listed["comments"][0]["body"], "From a script");
    assert_eq!(listed["comments_open"], true);
    assert!(!listed.to_string().contains("program@example.org"));
    assert_eq!(
        app.get("/api/v1/posts/nothing/comments").await.0,
        404,
        "no such post"
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn settings_list_pings_and_choose_spam_words(pool: PgPool) {
    import_fixture(&pool, "themeunittestdata.wordpress.xml")
        .await
        .unwrap();
    let slug: String = sqlx::query_scalar(
        "SELECT p.slug FROM comments c JOIN posts p ON p.id = c.post_id
         WHERE c.kind = 'pingback' AND c.status = 'approved' LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let app = TestApp::spawn(pool.clone()).await;
    let (_, hidden) = app.get(&format!("/posts/{slug}")).await;
    assert!(!hidden.contains("Pingbacks and trackbacks"));

    let url = integration_tests::database_url(&pool);
    let output = std::process::Command::new(integration_tests::fieldnotes_binary())
        .args([
            "comments",
            "--show-pings",
            "true",
            "--spam-words",
            "Casino, pills",
            "--min-writing-seconds",
            "0",
        ])
        .env("DATABASE_URL", url)
        .output()
        .unwrap();
    assert!(output.status.success());
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(
        said.contains("listed under posts")
            && said.contains("casino, pills")
            && said.contains("write a comment: 0 seconds"),
        "{said}"
    );

    let (_, listed) = app.get(&format!("/posts/{slug}")).await;
    assert!(listed.contains("Pingbacks and trackbacks"));
    let words: Vec<String> = sqlx::query_scalar("SELECT comment_spam_words FROM site")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(words, ["casino", "pills"]);

    import_fixture(&pool, "demo.wxr").await.unwrap();
    let quick = Form {
        written_ms: 0,
        ..Form::new(post_id(&pool).await, "q@example.org", "Written at once")
    };
    assert_eq!(
        send(&app, &quick, None, None).await.body,
        "\"AwaitingModeration\""
    );
    let status: String =
        sqlx::query_scalar("SELECT status FROM comments WHERE body LIKE '%Written at once%'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(status, "pending", "no longer taken for a program's");
}
