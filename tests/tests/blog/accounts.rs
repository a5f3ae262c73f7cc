//! Accounts: the `fieldnotes user` commands, signing in and out, sessions, the limit on failed
//! attempts and the refusal of cross-site requests.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use app::auth::{hash_password, new_token};
use app::db::accounts;
use app::model::Role;
use integration_tests::{
    Reply, Request, TestApp, cookie_pair, database_url, fieldnotes_binary, form_body,
};
use reqwest::header;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use sqlx::PgPool;

const PASSWORD: &str = "correct horse battery";

fn fieldnotes_user(pool: &PgPool, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(fieldnotes_binary())
        .arg("user")
        .args(args)
        .env("DATABASE_URL", database_url(pool))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("fieldnotes starts");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

async fn add_account(pool: &PgPool, email: &str, role: Role) -> i64 {
    let hash = hash_password(PASSWORD).unwrap();
    let mut conn = pool.acquire().await.unwrap();
    accounts::create_account(&mut conn, email, "Writer", "writer", role, Some(&hash))
        .await
        .unwrap()
        .expect("a new account")
}

/// A server function called as a form without scripts would call it, from a page of the site
/// unless `origin` says otherwise.
async fn call(
    app: &TestApp,
    function: &str,
    fields: &[(&str, &str)],
    cookie: Option<&str>,
    origin: Option<&str>,
) -> Reply {
    let request =
        Request::server_fn(function, &form_body(fields.iter().copied())).with_origin(origin);
    match cookie {
        Some(cookie) => request.with_cookie(cookie),
        None => request,
    }
    .send(app)
    .await
}

async fn sign_in(app: &TestApp, email: &str, password: &str) -> Reply {
    call(
        app,
        "sign_in",
        &[("email", email), ("password", password), ("next", "/")],
        None,
        Some(&app.address),
    )
    .await
}

async fn viewer(app: &TestApp, cookie: &str) -> Value {
    let reply = call(app, "viewer", &[], Some(cookie), Some(&app.address)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json()
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn user_commands_add_list_and_change_accounts(pool: PgPool) {
    let added = fieldnotes_user(
        &pool,
        &[
            "add",
            "--email",
            "Ada@Example.org",
            "--name",
            "Ada Lovelace",
            "--role",
            "admin",
            "--password-stdin",
        ],
        "first password\n",
    );
    assert!(added.status.success(), "{}", text(&added.stderr));
    assert!(text(&added.stdout).contains("can now sign in as admin"));

    let again = fieldnotes_user(
        &pool,
        &[
            "add",
            "--email",
            "ada@example.org",
            "--name",
            "Ada",
            "--password-stdin",
        ],
        "another password\n",
    );
    assert!(!again.status.success());
    assert!(
        text(&again.stderr).contains("already has an account"),
        "{}",
        text(&again.stderr)
    );

    let short = fieldnotes_user(
        &pool,
        &[
            "add",
            "--email",
            "bo@example.org",
            "--name",
            "Bo",
            "--password-stdin",
        ],
        "short\n",
    );
    assert!(!short.status.success());
    let bad_email = fieldnotes_user(
        &pool,
        &[
            "add",
            "--email",
            "nobody",
            "--name",
            "X",
            "--password-stdin",
        ],
        "a long enough password\n",
    );
    assert!(!bad_email.status.success());
    assert!(text(&bad_email.stderr).contains("not an e-mail address"));
    let no_terminal = fieldnotes_user(
        &pool,
        &["add", "--email", "cy@example.org", "--name", "Cy"],
        "",
    );
    assert!(!no_terminal.status.success());
    assert!(text(&no_terminal.stderr).contains("--password-stdin"));

    let list = fieldnotes_user(&pool, &["list"], "");
    assert!(list.status.success());
    let listed = text(&list.stdout);
    assert!(listed.contains("Ada@Example.org") && listed.contains("admin"));
    assert!(!listed.contains("bo@example.org") && !listed.contains("cy@example.org"));

    let app = TestApp::spawn(pool.clone()).await;
    assert_eq!(
        sign_in(&app, "ada@example.org", "first password")
            .await
            .status,
        StatusCode::OK
    );
    let session = sign_in(&app, "ada@example.org", "first password").await;
    let cookie = cookie_pair(&session.session_cookie().unwrap());
    assert_eq!(viewer(&app, &cookie).await["role"], "admin");

    let unknown = fieldnotes_user(
        &pool,
        &["passwd", "nobody@example.org", "--password-stdin"],
        "a new password\n",
    );
    assert!(!unknown.status.success());
    assert!(text(&unknown.stderr).contains("no account"));
    let changed = fieldnotes_user(
        &pool,
        &["passwd", "ada@example.org", "--password-stdin"],
        "second password\n",
    );
    assert!(changed.status.success(), "{}", text(&changed.stderr));
    let token = fieldnotes_user(&pool, &["token", "ada@example.org", "--name", "laptop"], "");
    assert!(token.status.success(), "{}", text(&token.stderr));
    let token = text(&token.stdout).trim().to_string();
    assert_eq!(token.len(), 64, "{token}");
    assert_eq!(
        token_status(&app, &token).await,
        StatusCode::NOT_FOUND,
        "the token signs in"
    );
    let no_name = fieldnotes_user(&pool, &["token", "ada@example.org", "--name", " "], "");
    assert!(!no_name.status.success());
    assert_eq!(
        viewer(&app, &cookie).await,
        Value::Null,
        "a new password ends every session"
    );
    assert_eq!(
        sign_in(&app, "ada@example.org", "first password")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        sign_in(&app, "ada@example.org", "second password")
            .await
            .status,
        StatusCode::OK
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn signing_in_starts_a_session_and_signing_out_ends_it(pool: PgPool) {
    add_account(&pool, "writer@example.org", Role::Author).await;
    let app = TestApp::spawn(pool.clone()).await;

    let reply = sign_in(&app, "Writer@Example.org ", PASSWORD).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let set_cookie = reply.session_cookie().expect("a session cookie");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age="] {
        assert!(set_cookie.contains(attribute), "{attribute}: {set_cookie}");
    }
    assert!(!set_cookie.contains("Secure"), "plain HTTP: {set_cookie}");
    let cookie = cookie_pair(&set_cookie);
    let account = viewer(&app, &cookie).await;
    assert_eq!(account["email"], "writer@example.org");
    assert_eq!(account["role"], "author");

    let second = call(
        &app,
        "sign_in",
        &[
            ("email", "writer@example.org"),
            ("password", PASSWORD),
            ("next", "/"),
        ],
        Some(&cookie),
        Some(&app.address),
    )
    .await;
    let new_cookie = cookie_pair(&second.session_cookie().unwrap());
    assert_ne!(new_cookie, cookie, "a new session at every sign-in");
    assert_eq!(
        viewer(&app, &cookie).await,
        Value::Null,
        "the old one has ended"
    );

    let out = call(&app, "sign_out", &[], Some(&new_cookie), Some(&app.address)).await;
    assert_eq!(out.status, StatusCode::OK, "{}", out.body);
    assert!(out.session_cookie().unwrap().contains("Max-Age=0"));
    assert_eq!(viewer(&app, &new_cookie).await, Value::Null);
    let sessions: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(sessions, 0);
}

/// Signs in as the sign-in form does when the page's scripts have not run.
async fn sign_in_without_scripts(app: &TestApp, password: &str, next: &str) -> Reply {
    let fields = [
        ("email", "writer@example.org"),
        ("password", password),
        ("next", next),
    ];
    Request::server_fn("sign_in", &form_body(fields))
        .accept("text/html")
        .header(header::REFERER, &format!("{}/login", app.address))
        .send(app)
        .await
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_form_without_scripts_signs_in_and_goes_on(pool: PgPool) {
    add_account(&pool, "writer@example.org", Role::Author).await;
    let app = TestApp::spawn(pool).await;
    let response = sign_in_without_scripts(&app, PASSWORD, "/dashboard").await;
    assert!(response.status.is_redirection(), "{}", response.status);
    assert_eq!(response.headers[header::LOCATION], "/dashboard");

    let refused = sign_in_without_scripts(&app, "wrong password", "https://evil.example/").await;
    assert!(refused.status.is_redirection());
    let location = refused.headers[header::LOCATION].to_str().unwrap();
    assert!(
        location.starts_with(&format!("{}/login?", app.address)) && location.contains("__err="),
        "the form shows why: {location}"
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn wrong_passwords_and_unknown_addresses_get_the_same_answer(pool: PgPool) {
    add_account(&pool, "writer@example.org", Role::Author).await;
    let app = TestApp::spawn(pool).await;
    let wrong = sign_in(&app, "writer@example.org", "not the password").await;
    let unknown = sign_in(&app, "nobody@example.org", "not the password").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.body, unknown.body);
    assert!(wrong.body.contains("not right"), "{}", wrong.body);
    assert!(wrong.session_cookie().is_none());
}

/// A browser on a machine of its own: its requests come from `address` (on the loopback network),
/// and it sends back the cookies in `cookies`.
struct Browser {
    client: reqwest::Client,
    cookies: Vec<String>,
}

impl Browser {
    fn at(address: &str) -> Self {
        let client = reqwest::Client::builder()
            .local_address(address.parse::<std::net::IpAddr>().unwrap())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Browser {
            client,
            cookies: Vec::new(),
        }
    }

    async fn call(&self, app: &TestApp, function: &str, fields: &[(&str, &str)]) -> Reply {
        let request = Request::server_fn(function, &form_body(fields.iter().copied()));
        self.cookies
            .iter()
            .fold(request, |request, cookie| request.with_cookie(cookie))
            .send_with(&self.client, app)
            .await
    }

    /// Signs in, and keeps the cookies the answer sets.
    async fn sign_in(&mut self, app: &TestApp, email: &str, password: &str) -> Reply {
        let fields = [("email", email), ("password", password), ("next", "/")];
        let reply = self.call(app, "sign_in", &fields).await;
        for set_cookie in reply.headers.get_all(header::SET_COOKIE) {
            let pair = cookie_pair(set_cookie.to_str().unwrap());
            let name = pair.split('=').next().unwrap().to_string();
            self.cookies
                .retain(|cookie| !cookie.starts_with(&format!("{name}=")));
            self.cookies.push(pair);
        }
        reply
    }
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn guessing_from_one_address_is_refused_after_a_few_tries(pool: PgPool) {
    add_account(&pool, "writer@example.org", Role::Author).await;
    let app = TestApp::spawn(pool.clone()).await;
    let mut guesser = Browser::at("127.0.0.2");
    for _ in 0..5 {
        let reply = guesser.sign_in(&app, "writer@example.org", "guess").await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.body);
    }
    let limited = guesser.sign_in(&app, "writer@example.org", PASSWORD).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.body.contains("Too many failed attempts"));
    assert!(limited.session_cookie().is_none());
    let wait = limited.retry_after().expect("a Retry-After header");
    assert!((60..=15 * 60).contains(&wait), "{wait}");

    for _ in 0..5 {
        guesser.sign_in(&app, "nobody@example.org", "guess").await;
    }
    let unknown = guesser.sign_in(&app, "nobody@example.org", "guess").await;
    assert_eq!(
        (unknown.status, unknown.body),
        (limited.status, limited.body),
        "an unknown address is limited alike"
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn an_attacker_cannot_keep_the_owner_out(pool: PgPool) {
    add_account(&pool, "writer@example.org", Role::Author).await;
    let app = TestApp::spawn(pool.clone()).await;
    // The owner signed in on this laptop before, which keeps a device cookie from then; the
    // attacker shares the laptop's address (one office, one NAT).
    let mut laptop = Browser::at("127.0.0.3");
    assert_eq!(
        laptop
            .sign_in(&app, "writer@example.org", PASSWORD)
            .await
            .status,
        StatusCode::OK
    );
    assert!(
        laptop
            .cookies
            .iter()
            .any(|cookie| cookie.starts_with("fieldnotes_device=")),
        "{:?}",
        laptop.cookies
    );
    let mut attacker = Browser::at("127.0.0.3");
    for attempt in 0..30 {
        let reply = attacker
            .sign_in(&app, "writer@example.org", &format!("guess {attempt}"))
            .await;
        assert_ne!(reply.status, StatusCode::OK);
    }
    for attempt in 0..25 {
        let email = format!("other{attempt}@example.org");
        attacker.sign_in(&app, &email, "guess").await;
    }

    let with_device = laptop.sign_in(&app, "writer@example.org", PASSWORD).await;
    assert_eq!(with_device.status, StatusCode::OK, "{}", with_device.body);
    let mut phone = Browser::at("127.0.0.4");
    let elsewhere = phone.sign_in(&app, "writer@example.org", PASSWORD).await;
    assert_eq!(elsewhere.status, StatusCode::OK, "{}", elsewhere.body);
    add_account(&pool, "colleague@example.org", Role::Author).await;
    let mut colleague = Browser::at("127.0.0.3");
    let same_address = colleague
        .sign_in(&app, "colleague@example.org", PASSWORD)
        .await;
    assert_eq!(
        same_address.status,
        StatusCode::OK,
        "failures for other accounts do not stop an address: {}",
        same_address.body
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_distributed_guesser_gets_growing_delays_and_a_new_browser_gets_in(pool: PgPool) {
    add_account(&pool, "writer@example.org", Role::Author).await;
    let app = TestApp::spawn(pool.clone()).await;
    let mut laptop = Browser::at("127.0.0.5");
    laptop.sign_in(&app, "writer@example.org", PASSWORD).await;

    let mut refusals = Vec::new();
    for host in 1..=14 {
        let mut guesser = Browser::at(&format!("127.0.1.{host}"));
        let first = guesser.sign_in(&app, "writer@example.org", "guess").await;
        assert_eq!(
            first.status,
            StatusCode::UNAUTHORIZED,
            "a client's first try is always judged: {}",
            first.body
        );
        let again = guesser.sign_in(&app, "writer@example.org", "guess").await;
        match again.status {
            StatusCode::UNAUTHORIZED => {}
            StatusCode::TOO_MANY_REQUESTS => {
                refusals.push(again.retry_after().expect("a Retry-After header"));
                let with_device = laptop.sign_in(&app, "writer@example.org", PASSWORD).await;
                assert_eq!(
                    with_device.status,
                    StatusCode::OK,
                    "the owner's known device is never slowed down by others' failures"
                );
            }
            status => panic!("{status}: {}", again.body),
        }
    }
    assert!(
        refusals.len() >= 4,
        "guesses from 14 addresses: {refusals:?}"
    );
    assert!(
        refusals.windows(2).all(|pair| pair[1] > pair[0]),
        "{refusals:?}"
    );

    let mut new_phone = Browser::at("127.0.2.1");
    let reply = new_phone
        .sign_in(&app, "writer@example.org", PASSWORD)
        .await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "others' guessing never keeps a new browser out: {}",
        reply.body
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_new_password_forgets_the_failures(pool: PgPool) {
    add_account(&pool, "writer@example.org", Role::Author).await;
    let app = TestApp::spawn(pool.clone()).await;
    let mut guesser = Browser::at("127.0.3.1");
    for _ in 0..5 {
        guesser.sign_in(&app, "writer@example.org", "guess").await;
    }
    let limited = guesser.sign_in(&app, "writer@example.org", PASSWORD).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);

    let output = fieldnotes_user(
        &pool,
        &["passwd", "writer@example.org", "--password-stdin"],
        "a new long password\n",
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    let reply = guesser
        .sign_in(&app, "writer@example.org", "a new long password")
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn cross_site_requests_are_refused(pool: PgPool) {
    add_account(&pool, "writer@example.org", Role::Author).await;
    let app = TestApp::spawn(pool).await;
    let fields = [
        ("email", "writer@example.org"),
        ("password", PASSWORD),
        ("next", "/"),
    ];
    let forged = call(&app, "sign_in", &fields, None, Some("https://evil.example")).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(
        forged
            .body
            .contains("did not come from a page of this site"),
        "{}",
        forged.body
    );
    let anonymous = call(&app, "sign_in", &fields, None, None).await;
    assert_eq!(anonymous.status, StatusCode::FORBIDDEN);
    assert!(forged.session_cookie().is_none() && anonymous.session_cookie().is_none());

    let with_stolen_cookie =
        || Request::new(Method::DELETE, "/api/v1/posts/x").with_cookie("fieldnotes_session=stolen");
    let cross_site = with_stolen_cookie()
        .with_origin(Some("https://evil.example"))
        .send(&app)
        .await;
    assert_eq!(cross_site.status, StatusCode::FORBIDDEN);
    assert_eq!(
        cross_site.headers[header::CONTENT_TYPE],
        "application/problem+json"
    );
    let program = with_stolen_cookie()
        .by("not-a-token")
        .with_origin(None)
        .send(&app)
        .await;
    assert_eq!(
        program.status,
        StatusCode::UNAUTHORIZED,
        "a token request is a program's: no origin needed, but the token must be valid"
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn api_tokens_act_for_their_owner_until_revoked(pool: PgPool) {
    let id = add_account(&pool, "writer@example.org", Role::Editor).await;
    let (token, hash) = new_token();
    let token_id = accounts::create_api_token(&pool, id, "laptop", &hash)
        .await
        .unwrap();
    let account = accounts::token_account(&pool, &hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(account.email, "writer@example.org");
    assert_eq!(account.role, Role::Editor);
    assert!(
        accounts::api_tokens(&pool, id).await.unwrap()[0]
            .last_used_at
            .is_some()
    );
    assert!(
        accounts::revoke_api_token(&pool, id, token_id)
            .await
            .unwrap()
    );
    assert!(
        !accounts::revoke_api_token(&pool, id, token_id)
            .await
            .unwrap()
    );
    let (_, second) = new_token();
    accounts::create_api_token(&pool, id, "phone", &second)
        .await
        .unwrap();
    let new_hash = hash_password(PASSWORD).unwrap();
    assert!(
        accounts::set_password(
            &pool,
            "writer@example.org",
            &app::auth::email_hash("writer@example.org"),
            &new_hash
        )
        .await
        .unwrap()
    );
    assert!(
        accounts::token_account(&pool, &second)
            .await
            .unwrap()
            .is_none(),
        "a new password revokes the tokens too"
    );
    assert!(
        accounts::token_account(&pool, &app::auth::token_hash(&token))
            .await
            .unwrap()
            .is_none()
    );
}

async fn token_count(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM api_tokens WHERE revoked_at IS NULL")
        .fetch_one(pool)
        .await
        .unwrap()
}

/// `DELETE /api/v1/posts/nothing-here` with a token: 404 when the token acts for someone, 401
/// when not.
async fn token_status(app: &TestApp, token: &str) -> StatusCode {
    Request::new(Method::DELETE, "/api/v1/posts/nothing-here")
        .by(token)
        .with_origin(None)
        .send(app)
        .await
        .status
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn only_a_signed_in_browser_changes_the_account(pool: PgPool) {
    let id = add_account(&pool, "writer@example.org", Role::Editor).await;
    let (token, hash) = new_token();
    accounts::create_api_token(&pool, id, "laptop", &hash)
        .await
        .unwrap();
    let app = TestApp::spawn(pool.clone()).await;
    for (function, fields) in [
        ("create_api_token", &[("name", "minted")][..]),
        ("account", &[]),
        ("update_profile", &[("name", "Taken over"), ("bio", "")]),
        (
            "change_password",
            &[
                ("current", PASSWORD),
                ("password", "a new password"),
                ("repeated", "a new password"),
            ],
        ),
        ("people", &[]),
        (
            "add_person",
            &[
                ("email", "new@example.org"),
                ("name", "New"),
                ("role", "admin"),
            ],
        ),
        ("revoke_api_token", &[("id", "1")]),
        ("sign_out_everywhere", &[]),
    ] {
        let reply = Request::server_fn(function, &form_body(fields.iter().copied()))
            .bearer(&token)
            .send(&app)
            .await;
        let status = reply.status;
        assert!(
            status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN,
            "{function} with a token alone: {status} {}",
            reply.body
        );
    }
    assert_eq!(token_count(&pool).await, 1, "no token was made or revoked");
    assert_eq!(
        token_status(&app, &token).await,
        StatusCode::NOT_FOUND,
        "the token still acts on the JSON API"
    );

    let session = sign_in(&app, "writer@example.org", PASSWORD).await;
    let cookie = cookie_pair(&session.session_cookie().unwrap());
    let made = call(
        &app,
        "create_api_token",
        &[("name", "phone")],
        Some(&cookie),
        Some(&app.address),
    )
    .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    assert_eq!(token_count(&pool).await, 2);
}

async fn last_seen(pool: &PgPool) -> chrono::DateTime<chrono::Utc> {
    sqlx::query_scalar("SELECT last_seen_at FROM sessions")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn sessions_end_after_a_week_unused(pool: PgPool) {
    add_account(&pool, "writer@example.org", Role::Author).await;
    let app = TestApp::spawn(pool.clone()).await;
    let session = sign_in(&app, "writer@example.org", PASSWORD).await;
    let cookie = cookie_pair(&session.session_cookie().unwrap());
    let signed_in_at = last_seen(&pool).await;
    assert_eq!(viewer(&app, &cookie).await["email"], "writer@example.org");
    assert_eq!(
        last_seen(&pool).await,
        signed_in_at,
        "a session in use is not written to at every request"
    );

    sqlx::query("UPDATE sessions SET last_seen_at = last_seen_at - interval '6 days'")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(viewer(&app, &cookie).await["email"], "writer@example.org");
    assert!(
        last_seen(&pool).await >= signed_in_at,
        "using a session that was idle for a while notes that it is in use"
    );

    sqlx::query("UPDATE sessions SET last_seen_at = now() - interval '7 days 1 minute'")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(
        viewer(&app, &cookie).await,
        Value::Null,
        "a week unused ends a session"
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn signing_out_everywhere_ends_every_session(pool: PgPool) {
    let id = add_account(&pool, "writer@example.org", Role::Author).await;
    let (token, hash) = new_token();
    accounts::create_api_token(&pool, id, "laptop", &hash)
        .await
        .unwrap();
    let app = TestApp::spawn(pool.clone()).await;
    let mut laptop = Browser::at("127.0.0.6");
    let mut phone = Browser::at("127.0.0.7");
    laptop.sign_in(&app, "writer@example.org", PASSWORD).await;
    phone.sign_in(&app, "writer@example.org", PASSWORD).await;
    let session = |browser: &Browser| {
        browser
            .cookies
            .iter()
            .find(|cookie| cookie.starts_with("fieldnotes_session="))
            .unwrap()
            .clone()
    };
    let (laptop_session, phone_session) = (session(&laptop), session(&phone));
    add_account(&pool, "colleague@example.org", Role::Author).await;
    let colleague = sign_in(&app, "colleague@example.org", PASSWORD).await;
    let colleague = cookie_pair(&colleague.session_cookie().unwrap());

    let out = phone.call(&app, "sign_out_everywhere", &[]).await;
    assert_eq!(out.status, StatusCode::OK, "{}", out.body);
    assert!(out.session_cookie().unwrap().contains("Max-Age=0"));
    assert_eq!(viewer(&app, &laptop_session).await, Value::Null);
    assert_eq!(viewer(&app, &phone_session).await, Value::Null);
    assert_eq!(
        viewer(&app, &colleague).await["email"],
        "colleague@example.org",
        "other people stay signed in"
    );
    assert_eq!(
        token_status(&app, &token).await,
        StatusCode::NOT_FOUND,
        "API tokens are revoked one by one, on the account page"
    );
}
