//! Two `fieldnotes serve` processes over one database, under half a minute of mixed reading and
//! writing from 64 connections at once: no answer is a server error, every write that was
//! acknowledged is there afterwards, and what one process writes the other shows on its next
//! page.
//!
//! Every write makes the kept pages out of date, so nearly every read here is made afresh, on
//! debug builds sharing two cores with PostgreSQL and this test. A connection whose statement
//! has ended stays taken until its request's task runs again, and with the cores this scarce
//! that can take seconds; a request that finds no database connection free within the pool's
//! limit is told the server is busy (503 with a Retry-After), as designed. A few such answers
//! are allowed, not more.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app::model::Role;
use integration_tests::{
    Request, ServerProcess, TestApp, account_with_token, database_url, import_fixture,
};
use reqwest::{Method, StatusCode};
use serde_json::json;
use sqlx::PgPool;

const CONNECTIONS: usize = 64;
const LOAD: Duration = Duration::from_secs(30);

async fn serve(pool: &PgPool) -> ServerProcess {
    ServerProcess::start(&["--no-demo"], &[("DATABASE_URL", database_url(pool))]).await
}

/// The most of the answers that may say the server is busy.
const MAX_BUSY_SHARE: f64 = 0.01;

/// What the load saw: answers by status, how many said the server was busy, a few of the other
/// server errors, and each written post's slug with the body its last acknowledged write gave it.
#[derive(Default)]
struct Tally {
    statuses: BTreeMap<u16, u64>,
    busy: u64,
    server_errors: Vec<String>,
    written: BTreeMap<String, String>,
}

#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn two_processes_under_mixed_load_lose_nothing_and_never_fail(pool: PgPool) {
    import_fixture(&pool, "demo.wxr").await.unwrap();
    let (_, writer) = account_with_token(&pool, "load@example.org", "Lo Ad", Role::Author).await;
    let processes = Arc::new([serve(&pool).await, serve(&pool).await]);
    let reads = [
        "/",
        "/archive/2009",
        "/posts/using-sassens-theory-to-explain-the-phenomenon-of-cluster",
        "/category/theory",
        "/archive/2009/04",
        "/search?q=theory",
        "/feed.xml",
        "/sitemap.xml",
        "/api/v1/posts",
        "/api/v1/posts?category=theory",
    ];
    let tally = Arc::new(Mutex::new(Tally::default()));
    let until = Instant::now() + LOAD;
    let workers: Vec<_> = (0..CONNECTIONS)
        .map(|worker| {
            let (processes, tally, writer) = (processes.clone(), tally.clone(), writer.clone());
            tokio::spawn(async move {
                // The slug and title of the post this connection wrote last.
                let mut own: Option<(String, String)> = None;
                let mut step = 0usize;
                while Instant::now() < until {
                    step += 1;
                    let app = &processes[(worker + step) % 2].app;
                    let (request, writes) = match (step % 10, &own) {
                        (0, _) => {
                            let title = format!("Load {worker} {step}");
                            (
                                Request::json(
                                    Method::POST,
                                    "/api/v1/posts",
                                    &json!({
                                        "title": title,
                                        "body_html": format!("<p>Written {step}</p>"),
                                        "status": "published",
                                    }),
                                ),
                                Some((title, format!("<p>Written {step}</p>"))),
                            )
                        }
                        (5, Some((slug, title))) => (
                            Request::json(
                                Method::PUT,
                                format!("/api/v1/posts/{slug}"),
                                &json!({
                                    "title": title,
                                    "body_html": format!("<p>Changed {step}</p>"),
                                    "status": "published",
                                }),
                            ),
                            Some((title.clone(), format!("<p>Changed {step}</p>"))),
                        ),
                        _ => (Request::get(reads[step % reads.len()]), None),
                    };
                    let request = if writes.is_some() {
                        request.by(&writer)
                    } else {
                        request
                    };
                    let reply = request.send(app).await;
                    let mut tally = tally.lock().unwrap();
                    *tally.statuses.entry(reply.status.as_u16()).or_default() += 1;
                    let busy = reply.status == StatusCode::SERVICE_UNAVAILABLE
                        && reply.headers.contains_key(reqwest::header::RETRY_AFTER);
                    if busy {
                        tally.busy += 1;
                    } else if reply.status.is_server_error() && tally.server_errors.len() < 5 {
                        tally.server_errors.push(format!(
                            "{} on {}: {}",
                            reply.status, app.address, reply.body
                        ));
                    }
                    if let Some((title, body)) = writes
                        && reply.status.is_success()
                    {
                        let slug = reply.json()["slug"].as_str().unwrap().to_string();
                        tally.written.insert(slug.clone(), body);
                        own = Some((slug, title));
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.unwrap();
    }

    let tally = Arc::try_unwrap(tally).ok().unwrap().into_inner().unwrap();
    let answered: u64 = tally.statuses.values().sum();
    eprintln!(
        "{answered} answers in {LOAD:?} ({:.0} a second): {:?}; {} posts written",
        answered as f64 / LOAD.as_secs_f64(),
        tally.statuses,
        tally.written.len()
    );
    assert!(
        tally.server_errors.is_empty(),
        "{}",
        tally.server_errors.join("\n")
    );
    assert!(
        tally.busy as f64 <= answered as f64 * MAX_BUSY_SHARE,
        "{} of {answered} answers said the server was busy",
        tally.busy
    );
    assert!(
        tally.written.len() >= CONNECTIONS,
        "every connection wrote at least once"
    );
    let stored: BTreeMap<String, String> =
        sqlx::query_as("SELECT slug, body_html FROM posts WHERE slug = ANY($1)")
            .bind(tally.written.keys().cloned().collect::<Vec<_>>())
            .fetch_all(&pool)
            .await
            .unwrap()
            .into_iter()
            .collect();
    assert_eq!(
        stored, tally.written,
        "every acknowledged write is stored as acknowledged"
    );

    // A write through one process is on the other's next page, whatever either kept.
    let [first, second] = &*processes;
    let before = Request::get("/").send(&second.app).await;
    assert_eq!(before.status, StatusCode::OK);
    let written = Request::json(
        Method::POST,
        "/api/v1/posts",
        &json!({ "title": "Seen from the other process", "body_html": "<p>x</p>", "status": "published" }),
    )
    .by(&writer)
    .send(&first.app)
    .await;
    assert_eq!(written.status, StatusCode::CREATED, "{}", written.body);
    let after = Request::get("/").send(&second.app).await;
    assert!(after.body.contains("Seen from the other process"));
    // And a session begun through one is valid on the other.
    let account = Request::get("/account").by(&writer).send(&second.app).await;
    assert!(account.body.contains("Lo Ad"), "{}", account.body);

    // Their metrics say how long requests waited for a database connection.
    let metrics = Request::get("/metrics").send(&first.app).await;
    let acquired: f64 = metrics
        .body
        .lines()
        .find_map(|line| line.strip_prefix("fieldnotes_database_acquire_seconds_count "))
        .and_then(|count| count.trim().parse().ok())
        .unwrap_or_else(|| panic!("no acquire count in {}", metrics.body));
    assert!(acquired > 0.0);
    assert!(metrics.body.contains("fieldnotes_database_waits_total"));
}

/// A server killed with SIGKILL while posts are being saved leaves every save whole or absent:
/// each post has the revision of its text and is counted in its listings, and every save that
/// was acknowledged is there when a new server starts on the same database.
#[sqlx::test(migrator = "app::db::MIGRATOR")]
async fn a_server_killed_while_saving_leaves_no_half_saved_post(pool: PgPool) {
    import_fixture(&pool, "demo.wxr").await.unwrap();
    let (_, writer) = account_with_token(&pool, "kill@example.org", "Ki Ll", Role::Author).await;
    let mut process = serve(&pool).await;
    let app = Arc::new(TestApp {
        address: process.app.address.clone(),
        client: process.app.client.clone(),
    });
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let savers: Vec<_> = (0..16)
        .map(|saver| {
            let (app, writer, acknowledged) = (app.clone(), writer.clone(), acknowledged.clone());
            tokio::spawn(async move {
                for step in 0.. {
                    let body = format!("<p>{}</p>", "Saved whole or not at all. ".repeat(400));
                    let post = json!({
                        "title": format!("Killed {saver} {step}"), "body_html": body,
                        "status": "published", "tags": ["kill", format!("saver {saver}")],
                    });
                    let sent = app
                        .client
                        .post(format!("{}/api/v1/posts", app.address))
                        .bearer_auth(&writer)
                        .header("content-type", "application/json")
                        .body(serde_json::to_vec(&post).unwrap())
                        .send()
                        .await;
                    // Once the server is gone, requests fail without an answer: that ends it.
                    let Ok(reply) = sent else {
                        break;
                    };
                    if reply.status() == StatusCode::CREATED {
                        acknowledged
                            .lock()
                            .unwrap()
                            .push(format!("Killed {saver} {step}"));
                    }
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(3)).await;
    process.kill();
    for saver in savers {
        saver.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        !acknowledged.is_empty(),
        "saves were acknowledged before the kill"
    );
    eprintln!("{} saves acknowledged before the kill", acknowledged.len());

    let restarted = serve(&pool).await;
    let missing: Vec<String> = sqlx::query_scalar(
        "SELECT title FROM unnest($1::text[]) AS wanted (title)
         WHERE NOT EXISTS (SELECT 1 FROM posts p WHERE p.title = wanted.title)",
    )
    .bind(&acknowledged)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(missing.is_empty(), "acknowledged but missing: {missing:?}");
    let without_revision: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM posts p WHERE p.title LIKE 'Killed %' AND NOT EXISTS (
             SELECT 1 FROM post_revisions r WHERE r.post_id = p.id AND r.body_html = p.body_html)",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(without_revision, 0, "every saved text has its revision");
    let without_tags: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM posts p WHERE p.title LIKE 'Killed %'
         AND (SELECT count(*) FROM post_tags t WHERE t.post_id = p.id) <> 2",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(without_tags, 0, "every saved post has both its tags");
    let (counted, published): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT post_count FROM listing_totals WHERE scope = 'all' AND scope_id = 0)::bigint,
                (SELECT count(*) FROM public_posts WHERE kind = 'post')",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        counted, published,
        "the blog's count is the number of its posts"
    );
    // A save acknowledged last may have been dated early (it waited its turn), so every page
    // of the tag is read and every acknowledged save looked for by its exact title.
    let mut listed = std::collections::HashSet::new();
    for page in 1.. {
        let reply = Request::get(format!("/api/v1/posts?tag=kill&per_page=100&page={page}"))
            .send(&restarted.app)
            .await;
        assert_eq!(reply.status, StatusCode::OK);
        let list: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
        let posts = list["posts"].as_array().unwrap();
        if posts.is_empty() {
            break;
        }
        listed.extend(
            posts
                .iter()
                .map(|post| post["title"].as_str().unwrap().to_string()),
        );
    }
    for title in &acknowledged {
        assert!(listed.contains(title), "{title} is listed");
    }
}
