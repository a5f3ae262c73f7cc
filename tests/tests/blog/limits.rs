//! What a slow or greedy client can hold: requests past the limit of those served at once are
//! turned away at once, a request whose body does not come in time is given up (a large body gets
//! time in proportion), connections past their limit wait, a client slow to send its headers
//! loses its connection, and a statement that runs too long is cancelled; each answered with a
//! problem that says what happened, where there is anyone to answer.

use std::time::Duration;

use app::error::AppError;
use integration_tests::{Setup, TestApp, import_fixture};
use server::config::RequestLimits;
use server::database::with_statement_timeout;
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Longer than any answer here takes when things work; reached only when they do not.
const PATIENCE: Duration = Duration::from_secs(30);

async fn app_with(pool: PgPool, limits: RequestLimits) -> TestApp {
    TestApp::spawn_with(
        pool,
        Setup {
            limits,
            ..Setup::default()
        },
    )
    .await
}

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(app.address.trim_start_matches("http://"))
        .await
        .expect("the app listens")
}

/// Sends the headers of a comment whose JSON body is yet to come, and waits until the server
/// asks for the body: from then on, the request is being served.
async fn request_waiting_for_its_body(app: &TestApp) -> TcpStream {
    let mut stream = connect(app).await;
    stream
        .write_all(
            b"POST /api/v1/posts/no-such-post/comments HTTP/1.1\r\nHost: test\r\n\
              Content-Type: application/json\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n",
        )
        .await
        .unwrap();
    let continuing = read_some(&mut stream).await;
    assert!(
        continuing.starts_with("HTTP/1.1 100 Continue"),
        "{continuing}"
    );
    stream
}

/// What the server sends next, waiting at most [`PATIENCE`] for it; "" when it closes the
/// connection.
async fn read_some(stream: &mut TcpStream) -> String {
    let mut buffer = vec![0; 64 * 1024];
    let read = tokio::time::timeout(PATIENCE, stream.read(&mut buffer))
        .await
        .expect("the server answers or closes in time")
        .expect("a readable connection");
    String::from_utf8_lossy(&buffer[..read]).to_string()
}

/// The whole answer to a request sent with `Connection: close`.
async fn read_answer(stream: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    tokio::time::timeout(PATIENCE, stream.read_to_end(&mut answer))
        .await
        .expect("the server answers in time")
        .expect("a readable connection");
    String::from_utf8_lossy(&answer).to_string()
}

/// A 503 that says when to ask again, as an API answer (a problem document).
fn assert_busy(answer: &str) {
    assert_told_to_ask_again(answer);
    assert!(
        answer
            .to_ascii_lowercase()
            .contains("\r\ncontent-type: application/problem+json"),
        "{answer}"
    );
}

/// A 503 that says when to ask again, in its headers and in words.
fn assert_told_to_ask_again(answer: &str) {
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(
        answer
            .to_ascii_lowercase()
            .contains("\r\nretry-after: 5\r\n"),
        "{answer}"
    );
    assert!(answer.contains("please try again"), "{answer}");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn requests_past_the_limit_are_turned_away_at_once(pool: PgPool) {
    import_fixture(&pool, "demo.wxr").await.unwrap();
    let app = app_with(
        pool,
        RequestLimits {
            max_requests: 1,
            ..RequestLimits::default()
        },
    )
    .await;
    let mut held = request_waiting_for_its_body(&app).await;

    let (status, body) = app.get("/api/v1/tags").await;
    assert_eq!(status, 503, "{body}");
    let turned_away = app
        .client
        .get(format!("{}/", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(turned_away.status(), 503);
    assert_eq!(turned_away.headers()["retry-after"], "5");
    assert_eq!(
        turned_away.headers()["content-type"],
        "application/problem+json"
    );

    held.write_all(b"{}").await.unwrap();
    let answer = read_some(&mut held).await;
    assert!(answer.starts_with("HTTP/1.1 4"), "{answer}");
    assert_eq!(app.get("/api/v1/tags").await.0, 200);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_request_whose_body_does_not_come_in_time_is_given_up(pool: PgPool) {
    let app = app_with(
        pool,
        RequestLimits {
            request_timeout: 1,
            ..RequestLimits::default()
        },
    )
    .await;
    let mut held = request_waiting_for_its_body(&app).await;
    // The body never comes: only the time limit can end the request.
    let answer = read_some(&mut held).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        answer.contains("must arrive at 32 KB a second or faster"),
        "{answer}"
    );
    assert_eq!(app.get("/api/v1/tags").await.0, 200);
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_large_body_has_time_to_arrive_at_a_modest_rate(pool: PgPool) {
    let app = app_with(
        pool,
        RequestLimits {
            request_timeout: 1,
            ..RequestLimits::default()
        },
    )
    .await;
    // 96 KB at 32 KB a second: three seconds more than the one a request has.
    let body = format!("{{\"body\": \"{}\"}}", "x".repeat(96 * 1024));
    let mut stream = connect(&app).await;
    stream
        .write_all(
            format!(
                "POST /api/v1/posts/no-such-post/comments HTTP/1.1\r\nHost: test\r\n\
                 Content-Type: application/json\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n",
                body.len()
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    for part in body.as_bytes().chunks(body.len() / 4 + 1) {
        tokio::time::sleep(Duration::from_millis(400)).await;
        stream.write_all(part).await.unwrap();
    }
    let answer = read_answer(&mut stream).await;
    assert!(
        answer.starts_with("HTTP/1.1 4") && !answer.starts_with("HTTP/1.1 408"),
        "the request was served: {answer}"
    );
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn connections_past_the_limit_wait_for_one_to_close(pool: PgPool) {
    let app = app_with(
        pool,
        RequestLimits {
            max_connections: 1,
            ..RequestLimits::default()
        },
    )
    .await;
    let mut first = connect(&app).await;
    first
        .write_all(b"GET /robots.txt HTTP/1.1\r\nHost: test\r\n\r\n")
        .await
        .unwrap();
    assert!(read_some(&mut first).await.starts_with("HTTP/1.1 200"));

    let mut second = connect(&app).await;
    second
        .write_all(b"GET /robots.txt HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut buffer = [0; 64];
    let waiting = tokio::time::timeout(Duration::from_millis(500), second.read(&mut buffer)).await;
    assert!(
        waiting.is_err(),
        "the second connection waits while the first is open"
    );
    drop(first);
    assert!(read_answer(&mut second).await.starts_with("HTTP/1.1 200"));
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn clients_slow_to_send_their_headers_lose_the_connection(pool: PgPool) {
    let app = app_with(
        pool,
        RequestLimits {
            header_timeout: 1,
            ..RequestLimits::default()
        },
    )
    .await;
    let mut slow = connect(&app).await;
    slow.write_all(b"GET / HTTP/1.1\r\nHost: test\r\n")
        .await
        .unwrap();
    assert_eq!(read_some(&mut slow).await, "", "the connection is closed");

    // A connection left idle after its request is closed the same way.
    let mut idle = connect(&app).await;
    idle.write_all(b"GET /robots.txt HTTP/1.1\r\nHost: test\r\n\r\n")
        .await
        .unwrap();
    assert!(read_some(&mut idle).await.starts_with("HTTP/1.1 200"));
    assert_eq!(read_some(&mut idle).await, "", "the connection is closed");
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn statements_that_run_too_long_are_cancelled(pool: PgPool) {
    let limited = with_statement_timeout(&pool, Duration::from_millis(200));
    let error = sqlx::query("SELECT pg_sleep(30)")
        .execute(&limited)
        .await
        .expect_err("the statement is cancelled");
    assert_eq!(AppError::from(error), AppError::busy());
    let quick: i32 = sqlx::query_scalar("SELECT 1")
        .fetch_one(&limited)
        .await
        .unwrap();
    assert_eq!(quick, 1);
    limited.close().await;
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn without_a_free_connection_the_answer_is_busy(pool: PgPool) {
    let small = PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_millis(300))
        .connect_with((*pool.connect_options()).clone())
        .await
        .unwrap();
    let app = TestApp::spawn(small.clone()).await;
    let taken = small.acquire().await.unwrap();
    let mut stream = connect(&app).await;
    stream
        .write_all(b"GET /api/v1/tags HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    assert_busy(&read_answer(&mut stream).await);
    // A page says so too, and when to ask again (past the page cache, as a program's request).
    let mut stream = connect(&app).await;
    stream
        .write_all(
            b"GET /tag/theory HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer none\r\n\
              Connection: close\r\n\r\n",
        )
        .await
        .unwrap();
    assert_told_to_ask_again(&read_answer(&mut stream).await);
    drop(taken);
    assert_eq!(app.get("/api/v1/tags").await.0, 200);
    small.close().await;
}
