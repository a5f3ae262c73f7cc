//! Through PgBouncer (Debian's package) in session pooling, as the README's "Connection poolers"
//! says: the schema is migrated, the demo blog imported, and pages, searches, feeds and writes
//! are served through the pooler alone.

use std::process::Command;

use app::model::Role;
use integration_tests::{Request, ServerProcess, account_with_token};
use reqwest::{Method, StatusCode};
use serde_json::json;
use sqlx::PgPool;

use crate::own_postgres::{Clusters, postgres_ids};

const CLUSTER_PORT: u16 = 5743;
const POOLER_PORT: u16 = 6743;
const PGBOUNCER: &str = "/usr/sbin/pgbouncer";

/// PgBouncer in front of `clusters`' cluster on [`CLUSTER_PORT`], stopped when dropped.
struct Pooler {
    pid_file: std::path::PathBuf,
}

impl Pooler {
    fn start(clusters: &Clusters) -> Self {
        let dir = &clusters.dir;
        let users = dir.join("users.txt");
        std::fs::write(&users, "\"postgres\" \"\"\n").unwrap();
        let pid_file = dir.join("pgbouncer.pid");
        let settings = dir.join("pgbouncer.ini");
        std::fs::write(
            &settings,
            format!(
                "[databases]\n\
                 fieldnotes = host={dir} port={CLUSTER_PORT} dbname=fieldnotes\n\
                 [pgbouncer]\n\
                 listen_addr = 127.0.0.1\n\
                 listen_port = {POOLER_PORT}\n\
                 unix_socket_dir =\n\
                 auth_type = trust\n\
                 auth_file = {users}\n\
                 pool_mode = session\n\
                 default_pool_size = 25\n\
                 max_client_conn = 200\n\
                 ignore_startup_parameters = extra_float_digits,options\n\
                 logfile = {dir}/pgbouncer.log\n\
                 pidfile = {pid}\n",
                dir = dir.display(),
                users = users.display(),
                pid = pid_file.display(),
            ),
        )
        .unwrap();
        let mut pgbouncer = Command::new(PGBOUNCER);
        pgbouncer.arg("-d").arg(&settings);
        if let Some((uid, gid)) = postgres_ids() {
            use std::os::unix::process::CommandExt;
            for file in [&users, &settings] {
                std::os::unix::fs::chown(file, Some(uid), Some(gid)).unwrap();
            }
            pgbouncer.uid(uid).gid(gid);
        }
        let started = pgbouncer
            .output()
            .expect("PgBouncer is installed (make test installs it)");
        assert!(started.status.success(), "{started:?}");
        Pooler { pid_file }
    }
}

impl Drop for Pooler {
    fn drop(&mut self) {
        if let Ok(pid) = std::fs::read_to_string(&self.pid_file) {
            let _ = Command::new("kill").arg(pid.trim()).status();
        }
    }
}

#[tokio::test]
async fn the_blog_is_served_through_pgbouncer_in_session_pooling() {
    let clusters = Clusters::new("pooler");
    clusters.create("cluster", CLUSTER_PORT);
    let _pooler = Pooler::start(&clusters);
    let url = format!("postgres://postgres@127.0.0.1:{POOLER_PORT}/fieldnotes");
    let server = ServerProcess::start(&[], &[("DATABASE_URL", url.clone())]).await;
    let pool = PgPool::connect(&url).await.unwrap();
    let (_, writer) = account_with_token(&pool, "pool@example.org", "Poo Ler", Role::Author).await;
    let written = Request::json(
        Method::POST,
        "/api/v1/posts",
        &json!({ "title": "Through the pooler", "body_html": "<p>Pooled words</p>", "status": "published" }),
    )
    .by(&writer)
    .send(&server.app)
    .await;
    assert_eq!(written.status, StatusCode::CREATED, "{}", written.body);
    for path in [
        "/",
        "/posts/through-the-pooler",
        "/category/theory",
        "/search?q=pooled",
        "/api/v1/posts?q=pooled",
        "/feed.xml",
        "/sitemap.xml",
    ] {
        let reply = Request::get(path).send(&server.app).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
    }
    let found = Request::get("/search?q=pooled").send(&server.app).await;
    assert!(found.body.contains("Through the pooler"));
    pool.close().await;
}
