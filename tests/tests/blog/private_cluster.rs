//! The private PostgreSQL cluster: created on first use, shared by processes, stopped by the last
//! one, reused after a crash; and the `fieldnotes` binary that stops it on Ctrl-C.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use integration_tests::fieldnotes_binary;
use server::cluster::{ClusterError, ClusterRole, PrivateCluster};
use server::config::DatabaseSettings;
use server::database::{Database, Workload};
use server::stop::StopRequests;
use sqlx::{ConnectOptions, Connection, PgConnection};

/// A fresh data directory under the build's temporary directory (which the `postgres` user can
/// reach, unlike a home directory).
/// How long a command that creates a cluster may take: initdb syncs every file it writes, which
/// takes minutes on a busy disk.
const CREATING: Duration = Duration::from_secs(300);

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

async fn open(dir: &Path) -> Result<PrivateCluster, ClusterError> {
    PrivateCluster::open(dir, &StopRequests::never()).await
}

async fn setting(cluster: &PrivateCluster, name: &str) -> String {
    let mut connection = cluster
        .connect_options(ClusterRole::Superuser, "postgres")
        .connect()
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
    let first = open(&dir).await.expect("starts");
    assert!(running(&dir));
    assert_eq!(setting(&first, "listen_addresses").await, "", "no TCP port");
    assert_eq!(setting(&first, "server_encoding").await, "UTF8");
    assert!(
        dir.join("postgres/.s.PGSQL.5432").exists(),
        "the socket is inside the data directory"
    );

    let second = open(&dir).await.expect("joins the running cluster");
    first.release().expect("leaves");
    assert!(running(&dir), "still in use by the second");
    second.release().expect("stops");
    assert!(!running(&dir), "the last one out stopped it");
}

#[tokio::test]
async fn only_its_owner_can_reach_the_cluster() {
    use std::os::unix::fs::PermissionsExt;
    let dir = data_dir("cluster-private");
    let cluster = open(&dir).await.expect("starts");
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

#[tokio::test]
async fn paths_a_shell_would_read_are_refused() {
    for name in ["with$dollar", "with`tick", "with\"quote", "with,comma"] {
        let dir = data_dir(name);
        match open(&dir).await {
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
    let mut connection = loop {
        if let Ok(connection) = std::net::TcpStream::connect(&server.address) {
            break connection;
        }
        assert!(
            Instant::now() < deadline,
            "fieldnotes did not start listening"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    // It listens before its database is up, and answers once it is: a Ctrl-C before that would
    // stop the start-up instead.
    use std::io::{Read, Write};
    connection.set_read_timeout(Some(CREATING)).unwrap();
    connection
        .write_all(b"GET /api/openapi.json HTTP/1.0\r\n\r\n")
        .unwrap();
    let mut answer = [0; 12];
    connection
        .read_exact(&mut answer)
        .expect("fieldnotes answers once its database is up");
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
    assert!(
        !log.contains(" ERROR "),
        "a start and a stop are no errors: {log}"
    );
    assert!(!running(&dir), "Ctrl-C stopped PostgreSQL too");

    let log = interrupt(start_server(&dir, free_port()));
    assert!(
        !log.contains("demo blog"),
        "the demo is imported once only: {log}"
    );
    assert!(!running(&dir));

    let cluster = open(&dir).await.unwrap();
    let mut connection = cluster
        .connect_options(ClusterRole::Blog, "fieldnotes")
        .connect()
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
    let deadline = Instant::now() + CREATING;
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

    let next = open(&dir).await.expect("reuses the running cluster");
    assert_eq!(setting(&next, "server_encoding").await, "UTF8");
    next.release().expect("stops");
    assert!(!running(&dir));
}

/// A WordPress export of `posts` posts beside `dir`, big enough to take a while to import.
fn big_export(dir: &Path, posts: usize) -> PathBuf {
    let export = dir.with_extension("wxr");
    let items: String = (1..=posts)
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
    export
}

/// `fieldnotes import` of `export` into the private cluster in `dir`, a second and a half after it
/// started PostgreSQL: well under way.
fn import_under_way(dir: &Path, export: &Path) -> Child {
    let import = Command::new(fieldnotes_binary())
        .args(["import", "--data-dir"])
        .arg(dir)
        .arg(export)
        .env_remove("DATABASE_URL")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + CREATING;
    while !running(dir) {
        assert!(
            Instant::now() < deadline,
            "the import did not start PostgreSQL"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(1500));
    import
}

#[test]
fn an_interrupted_import_changes_nothing_and_stops_postgres() {
    let dir = data_dir("import-interrupted");
    let export = big_export(&dir, 4000);
    let import = import_under_way(&dir, &export);
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
async fn an_import_killed_midway_leaves_no_half_of_it() {
    const POSTS: i64 = 4000;
    let dir = data_dir("import-killed");
    let export = big_export(&dir, POSTS as usize);
    let import = import_under_way(&dir, &export);
    Command::new("kill")
        .args(["-KILL", &import.id().to_string()])
        .status()
        .unwrap();
    let output = import.wait_with_output().unwrap();
    assert!(!output.status.success());

    let cluster = open(&dir)
        .await
        .expect("the cluster the import left is reused");
    let mut connection = cluster
        .connect_options(ClusterRole::Blog, "fieldnotes")
        .connect()
        .await
        .unwrap();
    let posts: i64 = sqlx::query_scalar("SELECT count(*) FROM posts")
        .fetch_one(&mut connection)
        .await
        .unwrap();
    assert!(
        posts == 0 || posts == POSTS,
        "a killed import left {posts} of its {POSTS} posts"
    );
    connection.close().await.unwrap();
    cluster.release().unwrap();
    assert!(!running(&dir));
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

/// What a command printed and how it ended, or a failure naming it when it is still running
/// after `limit` (it is killed then, so that a hanging command fails the test instead of hanging
/// the suite).
fn run_within(mut command: Command, limit: Duration) -> std::process::Output {
    let child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the command starts");
    wait_within(child, limit)
}

fn wait_within(child: Child, limit: Duration) -> std::process::Output {
    let pid = child.id();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || sender.send(child.wait_with_output()));
    match receiver.recv_timeout(limit) {
        Ok(output) => output.expect("the command's output"),
        Err(_) => {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            panic!("the command was still running after {limit:?}");
        }
    }
}

fn fieldnotes(args: &[&str], dir: &Path) -> Command {
    let mut command = Command::new(fieldnotes_binary());
    command
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .env_remove("DATABASE_URL");
    command
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// Whether these tests run as root, when PostgreSQL runs as the `postgres` user.
fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").unwrap().uid() == 0
}

/// Whether another process holds `file` locked.
fn is_locked(file: &Path) -> bool {
    let file = std::fs::File::open(file).unwrap();
    let locked = file.try_lock().is_err();
    if !locked {
        file.unlock().unwrap();
    }
    locked
}

fn send(signal: &str, pid: u32) {
    let status = Command::new("kill")
        .args([&format!("-{signal}"), &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn commands_work_from_a_bare_path_and_lock_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = data_dir("bare-path");
    let mut list = fieldnotes(&["user", "list"], &dir);
    list.env("PATH", "/usr/bin:/bin");
    let output = run_within(list, CREATING);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("No accounts yet"),
        "{}",
        stdout(&output)
    );
    assert!(!running(&dir));
    for name in ["cluster.lock", "cluster.users"] {
        let mode = std::fs::metadata(dir.join(name))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{name} is its owner's alone");
    }
}

/// On a machine without PostgreSQL's server programs (hidden here by an empty file system
/// mounted over /usr/lib/postgresql in a mount namespace of the command's own), the command ends
/// at once and says what to install.
#[test]
fn missing_postgresql_programs_are_named_with_what_to_install() {
    if !is_root() {
        eprintln!("skipped: only root may mount over /usr/lib/postgresql");
        return;
    }
    let dir = data_dir("no-postgresql");
    let mut list = Command::new("unshare");
    list.args(["--mount", "sh", "-c"])
        .arg(r#"mount -t tmpfs none /usr/lib/postgresql && exec "$0" "$@""#)
        .arg(fieldnotes_binary())
        .args(["user", "list", "--data-dir"])
        .arg(&dir)
        .env("PATH", "/usr/bin:/bin")
        .env_remove("DATABASE_URL");
    let output = run_within(list, Duration::from_secs(30));
    assert!(!output.status.success());
    let said = stderr(&output);
    assert!(
        said.contains("PostgreSQL's server programs")
            && said.contains("apt-get install postgresql"),
        "{said}"
    );
    assert!(!running(&dir));
}

#[test]
fn a_data_directory_the_postgres_user_cannot_enter_is_named() {
    use std::os::unix::fs::PermissionsExt;
    if !is_root() {
        eprintln!("skipped: only as root does PostgreSQL run as another user");
        return;
    }
    let sealed = data_dir("sealed");
    std::fs::create_dir_all(&sealed).unwrap();
    std::fs::set_permissions(&sealed, std::fs::Permissions::from_mode(0o700)).unwrap();
    let dir = sealed.join("data");
    for _ in 0..2 {
        let output = run_within(fieldnotes(&["user", "list"], &dir), Duration::from_secs(30));
        assert!(!output.status.success());
        let said = stderr(&output);
        assert!(
            said.contains(&format!("cannot enter {}", sealed.display()))
                && said.contains("chmod o+x"),
            "{said}"
        );
    }
    assert!(!running(&dir));
}

#[test]
fn a_failed_start_ends_with_postgres_log_and_holds_no_lock() {
    let dir = data_dir("failed-start");
    let output = run_within(fieldnotes(&["user", "list"], &dir), CREATING);
    assert!(output.status.success(), "{}", stderr(&output));
    let config = dir.join("postgres/cluster/postgresql.conf");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("\nno_such_setting_here = on\n");
    std::fs::write(&config, text).unwrap();

    for attempt in ["first", "second"] {
        let output = run_within(fieldnotes(&["user", "list"], &dir), Duration::from_secs(60));
        assert!(!output.status.success(), "{attempt}");
        let said = stderr(&output);
        assert!(
            said.contains("no_such_setting_here"),
            "{attempt}: PostgreSQL's own words are shown: {said}"
        );
        assert!(!is_locked(&dir.join("cluster.lock")), "{attempt}");
        assert!(!is_locked(&dir.join("cluster.users")), "{attempt}");
    }
    assert!(!running(&dir));
}

/// `fieldnotes serve`, with what it says kept.
fn spawn_server(dir: &Path) -> Child {
    fieldnotes(
        &["serve", "--addr", &format!("127.0.0.1:{}", free_port())],
        dir,
    )
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap()
}

/// Makes the cluster's next start wait for an archive that never comes: PostgreSQL stays in
/// recovery, refusing connections.
fn make_start_hang(dir: &Path) {
    let config = dir.join("postgres/cluster/postgresql.conf");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("\nhot_standby = off\nrestore_command = 'sleep 20'\n");
    std::fs::write(&config, text).unwrap();
    std::fs::write(dir.join("postgres/cluster/recovery.signal"), "").unwrap();
}

#[test]
fn sigterm_ends_a_slow_start_and_stops_postgres() {
    let dir = data_dir("slow-start");
    let output = run_within(fieldnotes(&["user", "list"], &dir), CREATING);
    assert!(output.status.success(), "{}", stderr(&output));
    make_start_hang(&dir);

    let child = spawn_server(&dir);
    let deadline = Instant::now() + Duration::from_secs(60);
    while !running(&dir) {
        assert!(Instant::now() < deadline, "PostgreSQL did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_secs(2));
    send("TERM", child.id());
    let output = wait_within(child, Duration::from_secs(30));
    assert!(!output.status.success());
    let said = stderr(&output);
    assert!(said.contains("asked to stop"), "{said}");
    assert!(!running(&dir), "the half-started PostgreSQL was stopped");
    assert!(!is_locked(&dir.join("cluster.lock")));
}

#[test]
fn a_command_waiting_for_the_cluster_names_who_holds_it_and_can_be_interrupted() {
    let dir = data_dir("lock-held");
    std::fs::create_dir_all(&dir).unwrap();
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .open(dir.join("cluster.lock"))
        .unwrap();
    lock.lock().unwrap();
    std::fs::write(
        dir.join("cluster.lock"),
        format!("{}\n", std::process::id()),
    )
    .unwrap();

    let child = spawn_server(&dir);
    std::thread::sleep(Duration::from_secs(4));
    send("TERM", child.id());
    let output = wait_within(child, Duration::from_secs(10));
    assert!(!output.status.success());
    let said = stderr(&output);
    assert!(
        said.contains(&dir.join("cluster.lock").display().to_string())
            && said.contains(&format!("process {}", std::process::id())),
        "the lock and its holder are named: {said}"
    );
    assert!(said.contains("asked to stop"), "{said}");
    drop(lock);
}

const IS_SUPERUSER: &str = "SELECT rolsuper FROM pg_roles WHERE rolname = current_user";

/// PostgreSQL's server programs, as Debian installs them.
fn postgres_bin() -> PathBuf {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL is installed")
        .filter_map(|entry| {
            let entry = entry.ok()?;
            Some((
                entry.file_name().to_str()?.parse().ok()?,
                entry.path().join("bin"),
            ))
        })
        .collect();
    versions.sort();
    versions.pop().expect("a PostgreSQL version").1
}

/// Runs one of PostgreSQL's programs as the cluster's owner would.
fn as_postgres_owner(program: &str) -> Command {
    use std::os::unix::process::CommandExt;
    let mut command = Command::new(postgres_bin().join(program));
    if is_root() {
        let passwd = std::fs::read_to_string("/etc/passwd").unwrap();
        let fields: Vec<&str> = passwd
            .lines()
            .find(|line| line.starts_with("postgres:"))
            .expect("a postgres user")
            .split(':')
            .collect();
        command
            .uid(fields[2].parse().unwrap())
            .gid(fields[3].parse().unwrap())
            .current_dir("/");
    }
    command
}

/// A data directory as the first versions of Fieldnotes left it: connections trusted, the blog's
/// database and everything in it owned by the superuser, with the posts of `fixture` in it.
async fn old_style_cluster(dir: &Path, fixture: &str) -> i64 {
    use std::os::unix::fs::PermissionsExt;
    let socket_dir = dir.join("postgres");
    std::fs::create_dir_all(&socket_dir).unwrap();
    std::fs::set_permissions(&socket_dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    if is_root() {
        let status = Command::new("chown")
            .args(["postgres:postgres"])
            .arg(&socket_dir)
            .status()
            .unwrap();
        assert!(status.success());
    }
    let data = socket_dir.join("cluster");
    let mut initdb = as_postgres_owner("initdb");
    initdb.arg("--pgdata").arg(&data).args([
        "--username",
        "postgres",
        "--auth=trust",
        "--encoding=UTF8",
        "--locale=C.UTF-8",
        "--locale-provider=icu",
        "--icu-locale=zh-u-kr-latn-hani",
    ]);
    let output = run_within(initdb, CREATING);
    assert!(output.status.success(), "{}", stderr(&output));
    let mut start = as_postgres_owner("pg_ctl");
    start
        .arg("--pgdata")
        .arg(&data)
        .args(["start", "-w", "-t", "60", "-l"]);
    start
        .arg(socket_dir.join("server.log"))
        .arg("-o")
        .arg(format!(
            "-c listen_addresses='' -c unix_socket_permissions=0700 -k \"{}\"",
            socket_dir.display()
        ));
    let output = run_within(start, CREATING);
    assert!(output.status.success(), "{}", stderr(&output));

    let url = |database: &str| {
        format!(
            "postgres://postgres@localhost/{database}?host={}",
            socket_dir.display()
        )
    };
    let mut maintenance = PgConnection::connect(&url("postgres")).await.unwrap();
    sqlx::query("CREATE DATABASE fieldnotes")
        .execute(&mut maintenance)
        .await
        .unwrap();
    maintenance.close().await.unwrap();
    let pool = sqlx::PgPool::connect(&url("fieldnotes")).await.unwrap();
    app::db::MIGRATOR.run(&pool).await.unwrap();
    integration_tests::import_fixture(&pool, fixture)
        .await
        .unwrap();
    let posts: i64 = sqlx::query_scalar("SELECT count(*) FROM posts")
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;

    let mut stop = as_postgres_owner("pg_ctl");
    stop.arg("--pgdata")
        .arg(&data)
        .args(["stop", "-m", "fast", "-w", "-t", "60"]);
    let output = run_within(stop, CREATING);
    assert!(output.status.success(), "{}", stderr(&output));
    posts
}

fn psql(dir: &Path, options: &[&str], sql: &str) -> std::process::Output {
    let mut command = fieldnotes(&["exec"], dir);
    command.args(options).args(["--", "psql", "-XAtc", sql]);
    run_within(command, CREATING)
}

#[tokio::test]
async fn a_cluster_of_the_first_versions_is_upgraded_in_place() {
    let dir = data_dir("old-style");
    let posts = old_style_cluster(&dir, "wxr-simple.xml").await;
    assert!(posts > 0);

    let output = psql(&dir, &[], "SELECT count(*) FROM posts");
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), posts.to_string(), "every post is kept");
    let output = psql(&dir, &[], IS_SUPERUSER);
    assert_eq!(stdout(&output), "f", "{}", stderr(&output));

    let output = psql(
        &dir,
        &["--superuser"],
        "SELECT count(*) FROM ( \
             SELECT relowner FROM pg_class WHERE relnamespace = 'public'::regnamespace \
             UNION ALL SELECT proowner FROM pg_proc WHERE pronamespace = 'public'::regnamespace \
         ) AS objects (owner) WHERE owner <> 'fieldnotes'::regrole",
    );
    assert_eq!(
        stdout(&output),
        "0",
        "every table, view, sequence and function is the blog's: {}",
        stderr(&output)
    );

    let output = psql(&dir, &[], "SET ROLE postgres");
    assert!(
        !output.status.success(),
        "the blog's role cannot become the superuser"
    );

    let mut without_password = fieldnotes(&["exec"], &dir);
    without_password.args([
        "--",
        "env",
        "PGUSER=postgres",
        "PGPASSFILE=/nonexistent",
        "psql",
        "-XAtc",
        "SELECT 1",
    ]);
    let output = run_within(without_password, CREATING);
    assert!(
        !output.status.success(),
        "no one is trusted without a password any more"
    );

    let mut add = fieldnotes(
        &[
            "user",
            "add",
            "--email",
            "ada@example.org",
            "--name",
            "Ada",
            "--password-stdin",
        ],
        &dir,
    );
    add.stdin(Stdio::piped());
    let mut child = add
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(
        &mut child.stdin.take().unwrap(),
        b"a long enough password\n",
    )
    .unwrap();
    let output = wait_within(child, CREATING);
    assert!(
        output.status.success(),
        "the blog's role writes: {}",
        stderr(&output)
    );
    assert!(!running(&dir));
}

#[tokio::test]
async fn the_blog_connects_as_a_role_that_is_no_superuser_and_its_waits_are_bounded() {
    let dir = data_dir("server-pool");
    let settings = DatabaseSettings {
        database_url: None,
        data_dir: dir.clone(),
    };
    let workload = Workload::Serving {
        statement_timeout: Duration::from_secs(30),
    };
    let database = Database::open(&settings, workload, &StopRequests::never())
        .await
        .expect("opens");
    let superuser: bool = sqlx::query_scalar(IS_SUPERUSER)
        .fetch_one(&database.pool)
        .await
        .unwrap();
    assert!(!superuser);
    let bounds: (String, String, String) = sqlx::query_as(
        "SELECT current_setting('statement_timeout'), current_setting('lock_timeout'), \
         current_setting('idle_in_transaction_session_timeout')",
    )
    .fetch_one(&database.pool)
    .await
    .unwrap();
    assert_eq!(bounds, ("30s".into(), "1min".into(), "1min".into()));
    let created = sqlx::query("CREATE DATABASE another_blog")
        .execute(&database.pool)
        .await;
    assert!(created.is_err(), "the blog's role owns its database alone");
    database.close().await;
    assert!(!running(&dir));

    let output = psql(&dir, &[], IS_SUPERUSER);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "f", "psql signs in as the blog's role too");
    let output = psql(&dir, &["--superuser"], IS_SUPERUSER);
    assert_eq!(stdout(&output), "t", "{}", stderr(&output));
}

#[tokio::test]
async fn a_function_the_blog_role_planted_never_runs_as_the_superuser() {
    let dir = data_dir("planted-function");
    // Shadows the built-in `quote_ident(text)` for `name` arguments, as the start-up's query
    // would call it, and notes who ran it.
    let output = psql(
        &dir,
        &[],
        "CREATE TABLE planted_runs (who text); \
         CREATE FUNCTION public.quote_ident(name) RETURNS text LANGUAGE plpgsql AS $$ \
         BEGIN \
             INSERT INTO public.planted_runs VALUES (current_user); \
             RETURN pg_catalog.quote_ident($1::text); \
         END $$",
    );
    assert!(output.status.success(), "{}", stderr(&output));
    // A schema left to the superuser, as the first versions left everything: starting again
    // hands it over to the blog's role, which names it.
    let output = psql(&dir, &["--superuser"], "CREATE SCHEMA leftovers");
    assert!(output.status.success(), "{}", stderr(&output));

    let output = psql(
        &dir,
        &[],
        "SELECT pg_get_userbyid(nspowner) || ' ' || (SELECT count(*) FROM planted_runs) \
         FROM pg_namespace WHERE nspname = 'leftovers'",
    );
    assert_eq!(
        stdout(&output),
        "fieldnotes 0",
        "handed over, without running the planted function: {}",
        stderr(&output)
    );
}

#[test]
fn a_lost_superuser_password_file_is_named_with_what_to_do() {
    let dir = data_dir("lost-password");
    let output = psql(&dir, &[], "SELECT 1");
    assert!(output.status.success(), "{}", stderr(&output));
    let file = dir.join("postgres/superuser.pgpass");
    assert!(file.exists(), "{}", file.display());
    let kept = std::fs::read(&file).unwrap();
    std::fs::remove_file(&file).unwrap();

    let output = psql(&dir, &[], "SELECT 1");
    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(
        message.contains("superuser.pgpass") && message.contains("restore it from a backup"),
        "{message}"
    );
    assert!(!running(&dir), "nothing is left running");

    std::fs::write(&file, kept).unwrap();
    let output = psql(&dir, &[], "SELECT 1");
    assert!(output.status.success(), "{}", stderr(&output));
}

/// Kills the cluster's PostgreSQL server as a crash would, its children left to notice.
fn kill_postgresql(dir: &Path) {
    let pid_file = std::fs::read_to_string(dir.join("postgres/cluster/postmaster.pid")).unwrap();
    let pid = pid_file.lines().next().unwrap().trim().to_string();
    assert!(
        Command::new("kill")
            .args(["-KILL", &pid])
            .status()
            .unwrap()
            .success()
    );
}

/// Asks `url` (one that reads the database on every request, such as `/readyz`) until it
/// answers 200, within `limit` of now; every answer on the way is a 503 problem, each within the
/// request timeout. How long it took.
async fn until_served(url: &str, limit: Duration) -> Duration {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(40))
        .build()
        .unwrap();
    let started = Instant::now();
    loop {
        let asked = Instant::now();
        let reply = client.get(url).send().await.expect("the server answers");
        assert!(
            asked.elapsed() <= Duration::from_secs(31),
            "an answer took {:?}, past the request timeout",
            asked.elapsed()
        );
        let status = reply.status().as_u16();
        let body = reply.text().await.unwrap();
        match status {
            200 => return started.elapsed(),
            503 => assert!(
                body.contains("\"status\": 503") || body.contains("\"status\":503"),
                "{body}"
            ),
            other => panic!("{url} answered {other} while the database was away: {body}"),
        }
        assert!(
            started.elapsed() < limit,
            "{url} was not served again within {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The slugs of the blog's newest posts, as the JSON API lists them `per_page` a page.
async fn post_slugs(base: &str, per_page: u32) -> Vec<String> {
    let answer = reqwest::get(format!("{base}/api/v1/posts?per_page={per_page}"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let listing: serde_json::Value = serde_json::from_str(&answer).unwrap();
    listing["posts"]
        .as_array()
        .expect("a list of posts")
        .iter()
        .map(|post| post["slug"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_postgresql_killed_while_serving_is_started_again() {
    let dir = data_dir("supervised");
    let server = start_server(&dir, free_port());
    let base = format!("http://{}", server.address);
    let before = post_slugs(&base, 100).await;
    assert!(!before.is_empty(), "the demo blog was imported");

    let killed = std::fs::read_to_string(dir.join("postgres/cluster/postmaster.pid")).unwrap();
    kill_postgresql(&dir);
    // Until PostgreSQL's own processes notice their server is gone, they still answer.
    let started_again = Instant::now();
    while std::fs::read_to_string(dir.join("postgres/cluster/postmaster.pid"))
        .is_ok_and(|now| now == killed)
    {
        let reply = reqwest::get(format!("{base}/readyz")).await.unwrap();
        assert!(
            matches!(reply.status().as_u16(), 200 | 503),
            "answered {} while PostgreSQL was away",
            reply.status()
        );
        assert!(
            started_again.elapsed() < Duration::from_secs(15),
            "not started again"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let back = until_served(&format!("{base}/readyz"), Duration::from_secs(15)).await
        + started_again.elapsed();
    eprintln!("served again {back:?} after PostgreSQL was killed");
    // Another page size, so that the answer is read afresh rather than kept from before.
    assert_eq!(
        post_slugs(&base, 99).await,
        before,
        "everything written before is there"
    );
    assert!(running(&dir));
    let log = interrupt(server);
    assert!(
        log.contains("PostgreSQL had stopped: started it again"),
        "{log}"
    );
    assert!(!running(&dir));
}

/// With `DATABASE_URL`, the server waits for its database to come back, answering 503 meanwhile,
/// and serves again on its own once it has.
#[tokio::test]
async fn a_database_that_goes_away_and_returns_is_used_again() {
    let dir = data_dir("database-away");
    let cluster = open(&dir).await.unwrap();
    let url = cluster.url(ClusterRole::Blog, app::db::PRIVATE_DATABASE);
    let address = format!("127.0.0.1:{}", free_port());
    let mut child = Command::new(fieldnotes_binary())
        .args(["serve", "--addr", &address, "--site-root", "../target/site"])
        .env("DATABASE_URL", &url)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("fieldnotes starts");
    let base = format!("http://{address}");
    let ready = format!("{base}/readyz");
    let listening = Instant::now();
    while std::net::TcpStream::connect(&address).is_err() {
        assert!(
            listening.elapsed() < CREATING,
            "fieldnotes did not start listening"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    until_served(&ready, CREATING).await;
    let before = post_slugs(&base, 100).await;

    kill_postgresql(&dir);
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let reply = client.get(&ready).send().await.unwrap();
        if reply.status() == 503 {
            break;
        }
        assert_eq!(reply.status(), 200, "answers while the database goes away");
        assert!(
            Instant::now() < deadline,
            "the database's absence was not noticed"
        );
    }
    // The killed server may still be ending when its clients notice: asked again, as the
    // server's own supervisor asks every second, until it is started again.
    let restarting = Instant::now();
    while !cluster.restart_if_down(&StopRequests::never()).unwrap() {
        assert!(
            restarting.elapsed() < Duration::from_secs(10),
            "PostgreSQL was not started again"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let back = until_served(&ready, Duration::from_secs(15)).await;
    eprintln!("served again {back:?} after the database came back");
    assert_eq!(
        post_slugs(&base, 99).await,
        before,
        "everything written before is there"
    );
    let _ = child.kill();
    let _ = child.wait();
    cluster.release().unwrap();
}
