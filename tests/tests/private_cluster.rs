//! The private PostgreSQL cluster: created on first use, shared by processes, stopped by the last
//! one, reused after a crash; and the `fieldnotes` binary that stops it on Ctrl-C.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use integration_tests::fieldnotes_binary;
use server::cluster::PrivateCluster;
use sqlx::{Connection, PgConnection};

/// A fresh data directory under the build's temporary directory (which the `postgres` user can
/// reach, unlike a home directory).
fn data_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn running(dir: &Path) -> bool {
    let pid_file = dir.join("postgres/cluster/postmaster.pid");
    let Ok(contents) = std::fs::read_to_string(pid_file) else {
        return false;
    };
    let pid = contents.lines().next().unwrap_or_default().trim();
    Path::new("/proc").join(pid).exists()
}

async fn setting(cluster: &PrivateCluster, name: &str) -> String {
    let mut connection = PgConnection::connect(&cluster.url_for("postgres"))
        .await
        .expect("connects over the socket");
    sqlx::query_scalar("SELECT current_setting($1)")
        .bind(name)
        .fetch_one(&mut connection)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_last_user_stops_the_cluster() {
    let dir = data_dir("cluster-sharing");
    let first = PrivateCluster::start(&dir).expect("starts");
    assert!(running(&dir));
    assert_eq!(setting(&first, "listen_addresses").await, "", "no TCP port");
    assert_eq!(setting(&first, "server_encoding").await, "UTF8");
    assert!(
        dir.join("postgres/.s.PGSQL.5432").exists(),
        "the socket is inside the data directory"
    );

    let second = PrivateCluster::start(&dir).expect("joins the running cluster");
    first.release().expect("leaves");
    assert!(running(&dir), "still in use by the second");
    second.release().expect("stops");
    assert!(!running(&dir), "the last one out stopped it");
}

#[tokio::test]
async fn only_its_owner_can_reach_the_cluster() {
    use std::os::unix::fs::PermissionsExt;
    let dir = data_dir("cluster-private");
    let cluster = PrivateCluster::start(&dir).expect("starts");
    let mode = std::fs::metadata(dir.join("postgres"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(
        mode & 0o777,
        0o700,
        "the socket's directory is its owner's alone"
    );
    assert_eq!(setting(&cluster, "unix_socket_permissions").await, "0700");
    cluster.release().unwrap();
}

#[test]
fn paths_a_shell_would_read_are_refused() {
    for name in ["with$dollar", "with`tick", "with\"quote", "with,comma"] {
        let dir = data_dir(name);
        match PrivateCluster::start(&dir) {
            Err(error) => assert!(
                error
                    .to_string()
                    .contains("choose another FIELDNOTES_DATA_DIR"),
                "{name}: {error}"
            ),
            Ok(_) => panic!("{name} was accepted"),
        }
    }
}

struct Server {
    child: Option<Child>,
    address: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn start_server(dir: &Path, port: u16) -> Server {
    let address = format!("127.0.0.1:{port}");
    let child = Command::new(fieldnotes_binary())
        .args(["serve", "--addr", &address, "--data-dir"])
        .arg(dir)
        .env_remove("DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("fieldnotes starts");
    let server = Server {
        child: Some(child),
        address,
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(&server.address).is_err() {
        assert!(
            Instant::now() < deadline,
            "fieldnotes did not start listening"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    server
}

/// Sends Ctrl-C (SIGINT) and returns what the server logged.
fn interrupt(mut server: Server) -> String {
    let child = server.child.take().expect("a running server");
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "fieldnotes exited with {}",
        output.status
    );
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test]
async fn ctrl_c_stops_the_server_and_its_postgres_and_data_is_kept() {
    let dir = data_dir("serve-restart");
    let log = interrupt(start_server(&dir, free_port()));
    assert!(log.contains("the demo blog was imported"), "{log}");
    assert!(!running(&dir), "Ctrl-C stopped PostgreSQL too");

    let log = interrupt(start_server(&dir, free_port()));
    assert!(
        !log.contains("demo blog"),
        "the demo is imported once only: {log}"
    );
    assert!(!running(&dir));

    let cluster = PrivateCluster::start(&dir).unwrap();
    let mut connection = PgConnection::connect(&cluster.url_for("fieldnotes"))
        .await
        .unwrap();
    let posts: i64 = sqlx::query_scalar("SELECT count(*) FROM posts")
        .fetch_one(&mut connection)
        .await
        .unwrap();
    assert_eq!(posts, 9);
    connection.close().await.unwrap();
    cluster.release().unwrap();
}

#[tokio::test]
async fn a_cluster_left_running_by_a_crash_is_reused() {
    let dir = data_dir("cluster-crash");
    let server = start_server(&dir, free_port());
    let deadline = Instant::now() + Duration::from_secs(60);
    while !running(&dir) {
        assert!(Instant::now() < deadline, "PostgreSQL did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    let pid = server.child.as_ref().expect("a running server").id();
    Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .unwrap();
    drop(server);
    assert!(running(&dir), "the crash left PostgreSQL running");

    let next = PrivateCluster::start(&dir).expect("reuses the running cluster");
    assert_eq!(setting(&next, "server_encoding").await, "UTF8");
    next.release().expect("stops");
    assert!(!running(&dir));
}

#[test]
fn an_interrupted_import_changes_nothing_and_stops_postgres() {
    let dir = data_dir("import-interrupted");
    let export = dir.with_extension("wxr");
    let items: String = (1..=4000)
        .map(|n| {
            format!(
                "<item><title>Post {n}</title><wp:post_id>{n}</wp:post_id><wp:post_type>post</wp:post_type>\
                 <wp:status>publish</wp:status><content:encoded><![CDATA[<p>{}</p>]]></content:encoded></item>\n",
                "words ".repeat(40)
            )
        })
        .collect();
    std::fs::write(
        &export,
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" \
             xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" xmlns:wp=\"http://wordpress.org/export/1.2/\">\
             <channel><title>Big</title><wp:wxr_version>1.2</wp:wxr_version>\n{items}</channel></rss>"
        ),
    )
    .unwrap();
    let import = Command::new(fieldnotes_binary())
        .args(["import", "--data-dir"])
        .arg(&dir)
        .arg(&export)
        .env_remove("DATABASE_URL")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !running(&dir) {
        assert!(
            Instant::now() < deadline,
            "the import did not start PostgreSQL"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(1500));
    Command::new("kill")
        .args(["-INT", &import.id().to_string()])
        .status()
        .unwrap();
    let output = import.wait_with_output().unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("interrupted; nothing was changed"),
        "{stderr}"
    );
    assert!(!running(&dir), "the interrupted import stopped PostgreSQL");
}

#[tokio::test]
async fn an_import_joins_a_running_server() {
    let dir = data_dir("import-while-serving");
    let server = start_server(&dir, free_port());
    let output = Command::new(fieldnotes_binary())
        .args(["import", "--data-dir"])
        .arg(&dir)
        .arg(integration_tests::fixture("wxr-simple.xml"))
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("posts"));
    assert!(
        running(&dir),
        "the import left the server's PostgreSQL running"
    );
    let response = reqwest::get(format!("http://{}/", server.address))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    interrupt(server);
    assert!(!running(&dir));
}

#[test]
fn a_malformed_file_fails_with_its_line_and_a_nonzero_exit() {
    let dir = data_dir("import-malformed");
    let output = Command::new(fieldnotes_binary())
        .args(["import", "--data-dir"])
        .arg(&dir)
        .arg(integration_tests::fixture("malformed-simple.xml"))
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("malformed-simple.xml") && stderr.contains("line 14"),
        "{stderr}"
    );
    assert!(!running(&dir));
}
