//! PostgreSQL servers the tests start themselves, with Debian's programs, for what the blog's
//! own cluster cannot show: a streaming replica, a connection pooler in front.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub fn postgres_bin() -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL is installed")
        .filter_map(|entry| Some(entry.ok()?.path().join("bin")))
        .filter(|bin| bin.join("pg_basebackup").is_file())
        .collect();
    versions.sort();
    versions.pop().expect("PostgreSQL's programs")
}

/// The `postgres` user's ids when these tests run as root, who may not run PostgreSQL.
pub fn postgres_ids() -> Option<(u32, u32)> {
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
pub fn postgres(program: &str, args: &[&str]) -> Output {
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

/// A directory of PostgreSQL clusters on unix sockets inside it, emptied first (any cluster a
/// failed run left there stopped); every cluster is stopped when this is dropped.
pub struct Clusters {
    pub dir: PathBuf,
    started: std::cell::RefCell<Vec<String>>,
}

impl Clusters {
    pub fn new(name: &str) -> Self {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for entry in entries.flatten() {
                if entry.path().join("PG_VERSION").exists() {
                    stop_quietly(&entry.path().display().to_string(), "immediate");
                }
            }
            std::fs::remove_dir_all(&dir).unwrap();
        }
        std::fs::create_dir_all(&dir).unwrap();
        if let Some((uid, gid)) = postgres_ids() {
            std::os::unix::fs::chown(&dir, Some(uid), Some(gid)).unwrap();
        }
        Clusters {
            dir,
            started: Default::default(),
        }
    }

    pub fn data(&self, cluster: &str) -> String {
        self.dir.join(cluster).display().to_string()
    }

    /// A new cluster as Fieldnotes' own is made, started, with an empty `fieldnotes` database.
    pub fn create(&self, cluster: &str, port: u16) {
        postgres(
            "initdb",
            &[
                "-D",
                &self.data(cluster),
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
        self.start(cluster, port);
        self.sql_in("postgres", port, "CREATE DATABASE fieldnotes");
    }

    pub fn start(&self, cluster: &str, port: u16) {
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
        self.started.borrow_mut().push(cluster.to_string());
    }

    pub fn stop(&self, cluster: &str, mode: &str) {
        postgres("pg_ctl", &["stop", "-m", mode, "-D", &self.data(cluster)]);
        self.started
            .borrow_mut()
            .retain(|started| started != cluster);
    }

    /// The `fieldnotes` database of the cluster on `port`, as its superuser.
    pub fn url(&self, port: u16) -> String {
        format!(
            "postgres://postgres@localhost:{port}/fieldnotes?host={}",
            self.dir.display()
        )
    }

    /// What `statement` answers in the `fieldnotes` database of the cluster on `port`.
    pub fn sql(&self, port: u16, statement: &str) -> String {
        self.sql_in("fieldnotes", port, statement)
    }

    fn sql_in(&self, database: &str, port: u16, statement: &str) -> String {
        let (socket, port) = (self.dir.display().to_string(), port.to_string());
        let output = postgres(
            "psql",
            &[
                "-h", &socket, "-p", &port, "-U", "postgres", "-d", database, "-Atc", statement,
            ],
        );
        String::from_utf8_lossy(&output.stdout).trim().to_string()
    }
}

impl Drop for Clusters {
    fn drop(&mut self) {
        for cluster in self.started.borrow().iter().rev() {
            stop_quietly(&self.data(cluster), "fast");
        }
    }
}

fn stop_quietly(data: &str, mode: &str) {
    let mut pg_ctl = Command::new(postgres_bin().join("pg_ctl"));
    pg_ctl.args(["stop", "-m", mode, "-D", data]);
    if let Some((uid, gid)) = postgres_ids() {
        pg_ctl.uid(uid).gid(gid);
    }
    let _ = pg_ctl.output();
}
