//! A private PostgreSQL cluster inside the data directory, for when no `DATABASE_URL` is given.
//!
//! The cluster is created on first use and started when a `fieldnotes` process needs it. It
//! listens only on a unix socket inside the data directory. Several processes (a server and an
//! import, say) may share it: each holds a shared lock on `cluster.users` while it runs, and the
//! last one to leave stops the cluster with a fast shutdown. A cluster left running by a crash is
//! found by `pg_ctl status` and reused. As root, PostgreSQL's programs run as the `postgres` user,
//! which owns the cluster's directory.
//!
//! Connections are trusted without a password, so only the cluster's owner (and root) may reach
//! the socket: its directory and the socket itself are readable by their owner alone.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// The cluster's superuser, who alone connects (over the socket, which only this machine reaches).
const SUPERUSER: &str = "postgres";
/// How long a running cluster may take to accept connections (after a crash, it recovers first).
const READY_TIMEOUT: Duration = Duration::from_secs(120);
/// Unix socket paths are limited to 107 bytes, and the socket's file name takes 15 of them.
const MAX_SOCKET_DIR_BYTES: usize = 90;

/// Characters a data directory's path may not hold: `pg_ctl` passes it through a shell in double
/// quotes, and PostgreSQL reads socket directories as a comma-separated list.
const UNSAFE_PATH_CHARACTERS: &[char] = &['"', '\'', '$', '`', '\\', ',', '\n', '\r'];

#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error(
        "PostgreSQL's server programs (initdb, pg_ctl) were not found on PATH or in /usr/lib/postgresql. \
         Install them (on Debian or Ubuntu: `apt-get install postgresql`), \
         or set DATABASE_URL to use a PostgreSQL server you run yourself."
    )]
    BinariesNotFound,
    #[error(
        "running as root, PostgreSQL needs the unprivileged `postgres` user, which does not exist. \
         Debian's `postgresql` package creates it; or set DATABASE_URL."
    )]
    NoPostgresUser,
    #[error(
        "the `postgres` user cannot reach {0}: every directory above it must be searchable by others \
         (chmod o+x), or choose another FIELDNOTES_DATA_DIR"
    )]
    Unreachable(PathBuf),
    #[error(
        "the data directory's path {0} is too long for PostgreSQL's socket; choose a shorter FIELDNOTES_DATA_DIR"
    )]
    PathTooLong(PathBuf),
    #[error(
        "the data directory's path {0} contains one of \" ' $ ` \\ , or a line break, or is not valid UTF-8; \
         choose another FIELDNOTES_DATA_DIR"
    )]
    UnusablePath(PathBuf),
    #[error("{action} failed: {details}")]
    Command { action: String, details: String },
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: io::Error,
    },
}

fn io_error(context: impl Into<String>) -> impl FnOnce(io::Error) -> ClusterError {
    let context = context.into();
    move |source| ClusterError::Io { context, source }
}

/// A running private cluster, held in use by this process until [`PrivateCluster::release`] (or
/// until it is dropped, as when a panic unwinds).
pub struct PrivateCluster {
    programs: Programs,
    /// Holds the cluster, everything PostgreSQL owns: `cluster/` (the data) and the socket.
    dir: PathBuf,
    users: File,
    lock_path: PathBuf,
    released: bool,
}

impl PrivateCluster {
    /// Creates the cluster in `data_dir` if needed, and starts it unless it is already running.
    pub fn start(data_dir: &Path) -> Result<Self, ClusterError> {
        fs::create_dir_all(data_dir)
            .map_err(io_error(format!("creating {}", data_dir.display())))?;
        let data_dir = data_dir
            .canonicalize()
            .map_err(io_error(format!("resolving {}", data_dir.display())))?;
        let dir = data_dir.join("postgres");
        check_path(&dir)?;
        let programs = Programs::find()?;

        let lock_path = data_dir.join("cluster.lock");
        let guard = open_lock(&lock_path)?;
        guard.lock().map_err(io_error("locking the cluster"))?;
        let users = open_lock(&data_dir.join("cluster.users"))?;
        users
            .lock_shared()
            .map_err(io_error("joining the cluster's users"))?;

        let cluster = Self {
            programs,
            dir,
            users,
            lock_path,
            released: false,
        };
        if !cluster.data().join("PG_VERSION").exists() {
            cluster.init()?;
        }
        cluster.keep_private()?;
        if cluster.is_running()? {
            // Left by a crash, it may still be starting or recovering.
            cluster.wait_until_ready()?;
        } else {
            cluster.run_pg_ctl("starting PostgreSQL", &cluster.start_args())?;
        }
        drop(guard);
        Ok(cluster)
    }

    /// The connection URL of a database in the cluster, over the unix socket.
    pub fn url_for(&self, database: &str) -> String {
        format!(
            "postgres://{SUPERUSER}@localhost/{database}?host={}",
            percent_encode(&self.dir.display().to_string())
        )
    }

    /// The environment that points PostgreSQL's own tools (psql, pg_dump…) at a database in the
    /// cluster.
    pub fn libpq_environment(&self, database: &str) -> [(&'static str, String); 3] {
        [
            ("PGHOST", self.dir.display().to_string()),
            ("PGUSER", SUPERUSER.to_string()),
            ("PGDATABASE", database.to_string()),
        ]
    }

    /// Stops using the cluster; the last process to do so stops it (a fast shutdown: open
    /// transactions roll back, everything committed is kept), and waits until it is down.
    pub fn release(mut self) -> Result<(), ClusterError> {
        self.released = true;
        self.stop_if_last()
    }

    fn stop_if_last(&self) -> Result<(), ClusterError> {
        let guard = open_lock(&self.lock_path)?;
        guard.lock().map_err(io_error("locking the cluster"))?;
        if self.users.try_lock().is_ok() && self.is_running()? {
            self.run_pg_ctl("stopping PostgreSQL", &["stop", "-m", "fast", "-w"])?;
        }
        Ok(())
    }

    /// Makes the directory holding the data and the socket reachable by its owner alone.
    fn keep_private(&self) -> Result<(), ClusterError> {
        fs::set_permissions(&self.dir, fs::Permissions::from_mode(0o700)).map_err(io_error(
            format!("restricting access to {}", self.dir.display()),
        ))
    }

    /// Waits until the server accepts connections.
    fn wait_until_ready(&self) -> Result<(), ClusterError> {
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            let status = self
                .programs
                .command(self.programs.bin.join("pg_isready"))
                .args(["--quiet", "--timeout=1", "--host"])
                .arg(&self.dir)
                .status()
                .map_err(io_error("running pg_isready"))?;
            if status.success() {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(ClusterError::Command {
                    action: "waiting for PostgreSQL to accept connections".to_string(),
                    details: format!("it was not ready after {} seconds", READY_TIMEOUT.as_secs()),
                });
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Whether a server runs on this cluster: one this process started, another process's, or
    /// one a crash left behind.
    fn is_running(&self) -> Result<bool, ClusterError> {
        let output = self.pg_ctl(&["status"])?;
        Ok(output.status.success())
    }

    fn data(&self) -> PathBuf {
        self.dir.join("cluster")
    }

    fn init(&self) -> Result<(), ClusterError> {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&self.dir)
            .map_err(io_error(format!("creating {}", self.dir.display())))?;
        if let Some(owner) = &self.programs.run_as {
            std::os::unix::fs::chown(&self.dir, Some(owner.uid), Some(owner.gid)).map_err(
                io_error(format!(
                    "giving {} to the postgres user",
                    self.dir.display()
                )),
            )?;
            let reachable = self
                .programs
                .command("test")
                .arg("-w")
                .arg(&self.dir)
                .status();
            if !reachable.is_ok_and(|status| status.success()) {
                return Err(ClusterError::Unreachable(self.dir.clone()));
            }
        }
        let output = self
            .programs
            .command(self.programs.bin.join("initdb"))
            .arg("--pgdata")
            .arg(self.data())
            .args([
                "--username",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--locale-provider=icu",
                // Latin script first, then Chinese in pinyin order.
                "--icu-locale=zh-u-kr-latn-hani",
            ])
            .output()
            .map_err(io_error("running initdb"))?;
        check("creating the database cluster (initdb)", output)
    }

    fn start_args(&self) -> Vec<String> {
        vec![
            "start".into(),
            "-w".into(),
            "-l".into(),
            self.dir.join("server.log").display().to_string(),
            "-o".into(),
            format!(
                "-c listen_addresses='' -c unix_socket_permissions=0700 -k \"{}\"",
                self.dir.display()
            ),
        ]
    }

    fn pg_ctl<S: AsRef<std::ffi::OsStr>>(&self, args: &[S]) -> Result<Output, ClusterError> {
        self.programs
            .command(self.programs.bin.join("pg_ctl"))
            .arg("--pgdata")
            .arg(self.data())
            .args(args)
            // In a process group of its own, the server is not stopped by the Ctrl-C meant for
            // this process: this process stops it in order, once no one else uses it.
            .process_group(0)
            .output()
            .map_err(io_error("running pg_ctl"))
    }

    fn run_pg_ctl<S: AsRef<std::ffi::OsStr>>(
        &self,
        action: &str,
        args: &[S],
    ) -> Result<(), ClusterError> {
        let output = self.pg_ctl(args)?;
        check(action, output).map_err(|error| match error {
            ClusterError::Command { action, details } => ClusterError::Command {
                action,
                details: format!(
                    "{details}\nsee {} for PostgreSQL's own log",
                    self.dir.join("server.log").display()
                ),
            },
            other => other,
        })
    }
}

fn open_lock(path: &Path) -> Result<File, ClusterError> {
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(io_error(format!("opening {}", path.display())))
}

fn check_path(dir: &Path) -> Result<(), ClusterError> {
    let text = dir
        .to_str()
        .ok_or_else(|| ClusterError::UnusablePath(dir.to_path_buf()))?;
    if text.contains(UNSAFE_PATH_CHARACTERS) {
        return Err(ClusterError::UnusablePath(dir.to_path_buf()));
    }
    if text.len() > MAX_SOCKET_DIR_BYTES {
        return Err(ClusterError::PathTooLong(dir.to_path_buf()));
    }
    Ok(())
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        if !self.released
            && let Err(error) = self.stop_if_last()
        {
            tracing::error!(%error, "could not stop the private PostgreSQL cluster");
        }
    }
}

/// Percent-encodes a path for a URL's query, where `/` may stand as it is.
fn percent_encode(path: &str) -> String {
    path.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                char::from(byte).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

fn check(action: &str, output: Output) -> Result<(), ClusterError> {
    check_output(action, output).map(drop)
}

fn check_output(action: &str, output: Output) -> Result<String, ClusterError> {
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        let mut details = String::from_utf8_lossy(&output.stderr).trim().to_string();
        if details.is_empty() {
            details = String::from_utf8_lossy(&output.stdout).trim().to_string();
        }
        Err(ClusterError::Command {
            action: action.to_string(),
            details,
        })
    }
}

/// The user PostgreSQL's programs run as when this process runs as root.
struct Owner {
    uid: u32,
    gid: u32,
}

/// Where PostgreSQL's programs are, and as whom they run.
struct Programs {
    bin: PathBuf,
    run_as: Option<Owner>,
}

impl Programs {
    fn find() -> Result<Self, ClusterError> {
        let bin = find_bin_dir().ok_or(ClusterError::BinariesNotFound)?;
        let run_as = if is_root() {
            Some(postgres_user()?)
        } else {
            None
        };
        Ok(Self { bin, run_as })
    }

    fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        match self.run_as {
            Some(_) => {
                let mut command = Command::new("runuser");
                command.args(["-u", "postgres", "--"]).arg(program);
                command
            }
            None => Command::new(program),
        }
    }
}

/// The directory holding `initdb` and `pg_ctl`: from PATH, or Debian's versioned directories,
/// newest version first.
fn find_bin_dir() -> Option<PathBuf> {
    let has_programs = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .find(|dir| has_programs(dir))
        .and_then(|dir| dir.join("initdb").canonicalize().ok())
        .and_then(|initdb| initdb.parent().map(Path::to_path_buf));
    on_path.or_else(|| {
        let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(|entry| {
                let entry = entry.ok()?;
                let version = entry.file_name().to_str()?.parse().ok()?;
                Some((version, entry.path().join("bin")))
            })
            .filter(|(_, bin)| has_programs(bin))
            .collect();
        versions.sort();
        versions.pop().map(|(_, bin)| bin)
    })
}

fn is_root() -> bool {
    rustix::process::geteuid().is_root()
}

fn postgres_user() -> Result<Owner, ClusterError> {
    let id = |flag: &str| -> Option<u32> {
        let output = Command::new("id").args([flag, "postgres"]).output().ok()?;
        if !output.status.success() {
            return None;
        }
        String::from_utf8(output.stdout).ok()?.trim().parse().ok()
    };
    match (id("-u"), id("-g")) {
        (Some(uid), Some(gid)) => Ok(Owner { uid, gid }),
        _ => Err(ClusterError::NoPostgresUser),
    }
}
