//! Reading from a streaming replica: a primary and its replica (made with `pg_basebackup -R`)
//! started here on unix sockets, and `fieldnotes serve` with `DATABASE_URL` on the primary and
//! `DATABASE_READ_URL` on the replica. Anonymous readers are answered from the replica, the writer
//! reads their own writes at once, and a replica that falls behind or goes away is skipped.

use std::time::{Duration, Instant};

use app::model::Role;
use integration_tests::{Request, ServerProcess, TestApp, account_with_token};
use reqwest::{Method, StatusCode};
use serde_json::json;
use sqlx::PgPool;

use crate::own_postgres::{Clusters, postgres};

const PRIMARY_PORT: u16 = 5741;
const REPLICA_PORT: u16 = 5742;

/// A primary with one streaming replica, stopped when dropped.
struct Replication {
    clusters: Clusters,
}

impl Replication {
    fn start() -> Self {
        let clusters = Clusters::new("replication");
        clusters.create("primary", PRIMARY_PORT);
        let (socket, port) = (clusters.dir.display().to_string(), PRIMARY_PORT.to_string());
        let replica = clusters.data("replica");
        postgres(
            "pg_basebackup",
            &[
                "-h",
                &socket,
                "-p",
                &port,
                "-U",
                "postgres",
                "-D",
                &replica,
                "-R",
                "-X",
                "stream",
                "--checkpoint=fast",
                "--no-sync",
            ],
        );
        clusters.start("replica", REPLICA_PORT);
        Replication { clusters }
    }

    fn url(&self, port: u16) -> String {
        self.clusters.url(port)
    }

    fn sql(&self, port: u16, statement: &str) -> String {
        self.clusters.sql(port, statement)
    }

    /// Waits until the replica has replayed all the primary has written.
    fn until_replayed(&self) {
        let written = self.sql(PRIMARY_PORT, "SELECT pg_current_wal_lsn()");
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.sql(
            REPLICA_PORT,
            &format!("SELECT pg_last_wal_replay_lsn() >= '{written}'::pg_lsn"),
        ) != "t"
        {
            assert!(Instant::now() < deadline, "the replica did not catch up");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

async fn serve(replication: &Replication) -> ServerProcess {
    ServerProcess::start(
        &[],
        &[
            ("DATABASE_URL", replication.url(PRIMARY_PORT)),
            ("DATABASE_READ_URL", replication.url(REPLICA_PORT)),
        ],
    )
    .await
}

async fn status(app: &TestApp, path: &str, token: Option<&str>) -> StatusCode {
    let request = Request::get(path);
    let request = match token {
        Some(token) => request.by(token),
        None => request,
    };
    request.send(app).await.status
}

/// Asks `path` anonymously until it answers `wanted`, for at most `limit`.
async fn until_anonymous(app: &TestApp, path: &str, wanted: StatusCode, limit: Duration) {
    let deadline = Instant::now() + limit;
    while status(app, path, None).await != wanted {
        assert!(
            Instant::now() < deadline,
            "{path} did not answer {wanted} within {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn anonymous_readers_are_answered_by_a_replica_that_keeps_up() {
    let replication = Replication::start();
    let server = serve(&replication).await;
    let primary = PgPool::connect(&replication.url(PRIMARY_PORT))
        .await
        .unwrap();
    let (_, writer) =
        account_with_token(&primary, "rep@example.org", "Re Plica", Role::Author).await;
    // Past the replica's lag bound since the last write, it is read from.
    replication.until_replayed();
    tokio::time::sleep(server::replicas::MAX_LAG + Duration::from_secs(2)).await;

    replication.sql(REPLICA_PORT, "SELECT pg_wal_replay_pause()");
    let written = Request::json(
        Method::POST,
        "/api/v1/posts",
        &json!({ "title": "Written while the replica waits", "body_html": "<p>x</p>", "status": "published" }),
    )
    .by(&writer)
    .send(&server.app)
    .await;
    assert_eq!(written.status, StatusCode::CREATED, "{}", written.body);
    let path = "/api/v1/posts/written-while-the-replica-waits";
    let page = "/posts/written-while-the-replica-waits";
    assert_eq!(
        status(&server.app, path, Some(&writer)).await,
        StatusCode::OK,
        "the writer reads their own write at once, from the primary"
    );
    assert_eq!(
        status(&server.app, page, Some(&writer)).await,
        StatusCode::OK
    );
    assert_eq!(
        status(&server.app, path, None).await,
        StatusCode::NOT_FOUND,
        "an anonymous reader is answered by the replica, which has not replayed it yet"
    );
    assert_eq!(status(&server.app, page, None).await, StatusCode::NOT_FOUND);
    let comment_feed = "/posts/written-while-the-replica-waits/comments/feed.xml";
    assert_eq!(
        status(&server.app, comment_feed, Some(&writer)).await,
        StatusCode::OK
    );
    assert_eq!(
        status(&server.app, comment_feed, None).await,
        StatusCode::NOT_FOUND,
        "feeds are read from the replica too"
    );

    // Behind by more than its bound, the replica is skipped.
    until_anonymous(&server.app, path, StatusCode::OK, Duration::from_secs(15)).await;
    replication.sql(REPLICA_PORT, "SELECT pg_wal_replay_resume()");
    replication.until_replayed();

    // Gone, it is skipped too, and readers are served all along.
    replication.clusters.stop("replica", "immediate");
    for _ in 0..20 {
        assert_eq!(status(&server.app, page, None).await, StatusCode::OK);
        assert_eq!(status(&server.app, "/", None).await, StatusCode::OK);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    primary.close().await;
}
