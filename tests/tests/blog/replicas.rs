//! Reading from a streaming replica: a primary and its replica (made with `pg_basebackup -R`)
//! started here on unix sockets, and `fieldnotes serve` with `DATABASE_URL` on the primary and
//! `DATABASE_READ_URL` on the replica. Anonymous readers are answered from the replica, the writer
//! reads their own writes at once, and a replica that falls behind or goes away is skipped.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use app::model::Role;
use integration_tests::{Request, ServerProcess, TestApp, account_with_token};
use reqwest::{Method, StatusCode};
use serde_json::json;
use sqlx::PgPool;

const PRIMARY_PORT: u16 = 5741;
const REPLICA_PORT: u16 = 5742;

fn postgres_bin() -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL is installed")
        .filter_map(|entry| Some(entry.ok()?.path().join("bin")))
        .filter(|bin| bin.join("pg_basebackup").is_file())
        .collect();
    versions.sort();
    versions.pop().expect("PostgreSQL's programs")
}

/// The `postgres` user's ids when these tests run as root, who may not run PostgreSQL.
fn postgres_ids() -> Option<(u32, u32)> {
    if !std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .any(|line| line.starts_with("Uid:") && line.split_whitespace().nth(1) == Some("0"))
    {
        return None;
    }
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap();
    passwd.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        (fields.first() == Some(&"postgres"))
            .then(|| Some((fields[2].parse().ok()?, fields[3].parse().ok()?)))
            .flatten()
    })
}

/// Runs one of PostgreSQL's programs as the user PostgreSQL runs as, and checks it succeeded.
fn postgres(program: &str, args: &[&str]) -> Output {
    let mut command = Command::new(postgres_bin().join(program));
    command.args(args).stdin(Stdio::null());
    // The tests run inside `fieldnotes exec`, whose libpq settings name another cluster.
    for name in [
        "PGHOST",
        "PGPORT",
        "PGUSER",
        "PGDATABASE",
        "PGPASSFILE",
        "PGPASSWORD",
    ] {
        command.env_remove(name);
    }
    if let Some((uid, gid)) = postgres_ids() {
        command.uid(uid).gid(gid);
    }
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn sql(socket: &Path, port: u16, statement: &str) -> String {
    let socket = socket.display().to_string();
    let port = port.to_string();
    let output = postgres(
        "psql",
        &[
            "-h",
            &socket,
            "-p",
            &port,
            "-U",
            "postgres",
            "-d",
            "fieldnotes",
            "-Atc",
            statement,
        ],
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// A primary with one streaming replica, stopped when dropped.
struct Replication {
    dir: PathBuf,
}

impl Replication {
    fn start() -> Self {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("replication");
        if dir.exists() {
            for cluster in ["primary", "replica"] {
                let data = dir.join(cluster).display().to_string();
                let _ = Command::new(postgres_bin().join("pg_ctl"))
                    .args(["stop", "-m", "immediate", "-D", &data])
                    .uid(postgres_ids().map_or(0, |ids| ids.0))
                    .output();
            }
            std::fs::remove_dir_all(&dir).unwrap();
        }
        std::fs::create_dir_all(&dir).unwrap();
        if let Some((uid, gid)) = postgres_ids() {
            std::os::unix::fs::chown(&dir, Some(uid), Some(gid)).unwrap();
        }
        let replication = Replication { dir };
        let (primary, replica) = (replication.data("primary"), replication.data("replica"));
        let socket = replication.dir.display().to_string();
        postgres(
            "initdb",
            &[
                "-D",
                &primary,
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--locale-provider=icu",
                "--icu-locale=zh-u-kr-latn-hani",
            ],
        );
        replication.start_cluster("primary", PRIMARY_PORT);
        postgres(
            "psql",
            &[
                "-h",
                &socket,
                "-p",
                &PRIMARY_PORT.to_string(),
                "-U",
                "postgres",
                "-c",
                "CREATE DATABASE fieldnotes",
            ],
        );
        postgres(
            "pg_basebackup",
            &[
                "-h",
                &socket,
                "-p",
                &PRIMARY_PORT.to_string(),
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
        replication.start_cluster("replica", REPLICA_PORT);
        replication
    }

    fn data(&self, cluster: &str) -> String {
        self.dir.join(cluster).display().to_string()
    }

    fn start_cluster(&self, cluster: &str, port: u16) {
        let options = format!("-c listen_addresses='' -k {} -p {port}", self.dir.display());
        let log = self
            .dir
            .join(format!("{cluster}.log"))
            .display()
            .to_string();
        postgres(
            "pg_ctl",
            &[
                "start",
                "-w",
                "-t",
                "60",
                "-D",
                &self.data(cluster),
                "-l",
                &log,
                "-o",
                &options,
            ],
        );
    }

    fn url(&self, port: u16) -> String {
        format!(
            "postgres://postgres@localhost:{port}/fieldnotes?host={}",
            self.dir.display()
        )
    }

    fn sql(&self, port: u16, statement: &str) -> String {
        sql(&self.dir, port, statement)
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

impl Drop for Replication {
    fn drop(&mut self) {
        for cluster in ["replica", "primary"] {
            let _ = Command::new(postgres_bin().join("pg_ctl"))
                .args(["stop", "-m", "fast", "-D", &self.data(cluster)])
                .uid(postgres_ids().map_or(0, |ids| ids.0))
                .output();
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

    // Behind by more than its bound, the replica is skipped.
    until_anonymous(&server.app, path, StatusCode::OK, Duration::from_secs(15)).await;
    replication.sql(REPLICA_PORT, "SELECT pg_wal_replay_resume()");
    replication.until_replayed();

    // Gone, it is skipped too, and readers are served all along.
    postgres(
        "pg_ctl",
        &[
            "stop",
            "-m",
            "immediate",
            "-D",
            &replication.data("replica"),
        ],
    );
    for _ in 0..20 {
        assert_eq!(status(&server.app, page, None).await, StatusCode::OK);
        assert_eq!(status(&server.app, "/", None).await, StatusCode::OK);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    primary.close().await;
}
