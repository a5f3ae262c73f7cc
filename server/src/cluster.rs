//! A private PostgreSQL cluster inside the data directory, for when no `DATABASE_URL` is given.
//!
//! The cluster is created on first use and started when a `fieldnotes` process needs it. It
//! listens only on a unix socket inside the data directory. Several processes (a server and an
//! import, say) may share it: each holds a shared lock on `cluster.users` while it runs, and the
//! last one to leave stops the cluster with a fast shutdown. Creating, starting, setting up and
//! stopping happen under an exclusive lock on `cluster.lock`, which names the process holding it.
//! A cluster left running by a crash is found by `pg_ctl status` and reused. As root,
//! PostgreSQL's programs run as the `postgres` user, which owns the cluster's directory.
//!
//! The blog connects as the role `fieldnotes`, which owns the blog's database and everything in
//! it and nothing else; the superuser `postgres` only creates that role and database (and takes
//! maintenance: `fieldnotes exec --superuser`). Both sign in with a password (SCRAM), kept in a
//! pgpass file that only the cluster's owner (and root) can read; the socket's directory and the
//! socket itself are reachable by their owner alone.
//!
//! Nothing here waits without a bound: locks, PostgreSQL's programs and its start and stop all
//! have deadlines, and a request to stop ends the wait (the cluster is then stopped again unless
//! another process uses it).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::{DirBuilderExt, FileExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use app::db::PRIVATE_DATABASE;
use app::db::roles;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use sqlx::postgres::{PgConnectOptions, PgSslMode};
use sqlx::{ConnectOptions, PgConnection};

use crate::stop::StopRequests;

/// The cluster's superuser, for creating the blog's role and database, and for maintenance.
const SUPERUSER: &str = "postgres";
/// The role the blog connects as: the owner of the blog's database.
const BLOG_ROLE: &str = "fieldnotes";
/// The port, which only names the socket (`.s.PGSQL.5432`): no TCP port is opened.
const PORT: u16 = 5432;
/// The programs of PostgreSQL's server package this module runs.
const PROGRAMS: [&str; 4] = ["initdb", "pg_ctl", "pg_isready", "postgres"];

/// How long initdb may take to create a cluster: it syncs every file it writes, which takes
/// minutes on a busy disk.
const INITDB_TIMEOUT: Duration = Duration::from_secs(600);
/// How long PostgreSQL may take to accept connections (after a crash, it recovers first).
const START_TIMEOUT: Duration = Duration::from_secs(120);
/// How long a fast shutdown may take, before PostgreSQL is stopped at once.
const STOP_TIMEOUT: Duration = Duration::from_secs(60);
/// How long setting up the roles and the blog's database may take.
const SET_UP_TIMEOUT: Duration = Duration::from_secs(60);
/// For programs that answer at once (pg_ctl status, pg_isready).
const QUICK_TIMEOUT: Duration = Duration::from_secs(10);
/// How long to wait for another process to finish creating, starting, setting up or stopping
/// the cluster: longer than all of that may take.
const LOCK_TIMEOUT: Duration = Duration::from_secs(
    INITDB_TIMEOUT.as_secs() + START_TIMEOUT.as_secs() + SET_UP_TIMEOUT.as_secs(),
);
/// When to say which process this one waits for.
const LOCK_NOTICE: Duration = Duration::from_secs(2);
/// How often waits look again, and for a request to stop.
const POLL_INTERVAL: Duration = Duration::from_millis(50);
/// How long an ended server may wait to be collected by its parent before a new one starts.
const COLLECT_TIMEOUT: Duration = Duration::from_secs(20);
/// How long a program asked to end (SIGTERM) may take before it is killed.
const END_GRACE: Duration = Duration::from_secs(5);
/// How many lines of PostgreSQL's log a failure shows.
const LOG_TAIL_LINES: usize = 10;

/// Unix socket paths are limited to 107 bytes, and the socket's file name takes 15 of them.
const MAX_SOCKET_DIR_BYTES: usize = 90;

/// Characters a data directory's path may not hold: `pg_ctl` passes it through a shell in double
/// quotes, and PostgreSQL reads socket directories as a comma-separated list.
const UNSAFE_PATH_CHARACTERS: &[char] = &['"', '\'', '$', '`', '\\', ',', '\n', '\r'];

#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error(
        "PostgreSQL's server programs ({}) were not found together on PATH or in /usr/lib/postgresql. \
         Install them (on Debian or Ubuntu: `apt-get install postgresql`), \
         or set DATABASE_URL to use a PostgreSQL server you run yourself.",
        PROGRAMS.join(", ")
    )]
    BinariesNotFound,
    #[error(
        "running as root, PostgreSQL needs the unprivileged `postgres` user, which /etc/passwd does not list. \
         Debian's `postgresql` package creates it; or set DATABASE_URL."
    )]
    NoPostgresUser,
    #[error(
        "the postgres user cannot enter {0}: chmod o+x it, or choose another --data-dir (FIELDNOTES_DATA_DIR)"
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
    #[error(
        "{holder} has held {} for {} seconds, creating, starting or stopping PostgreSQL; \
         wait for it to finish, or end it",
        path.display(),
        LOCK_TIMEOUT.as_secs()
    )]
    Locked { holder: String, path: PathBuf },
    #[error(
        "the private PostgreSQL in {} admits only password sign-ins, and {}, which holds its \
         superuser's password, is missing or unreadable: restore it from a backup of the data \
         directory",
        cluster.display(),
        file.display()
    )]
    LostPassword { cluster: PathBuf, file: PathBuf },
    #[error("asked to stop while {action}")]
    Interrupted { action: String },
    #[error("{action} failed: {details}")]
    Command { action: String, details: String },
    #[error("{action}: {source}")]
    SetUp {
        action: &'static str,
        #[source]
        source: sqlx::Error,
    },
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

fn set_up_error(action: &'static str) -> impl FnOnce(sqlx::Error) -> ClusterError {
    move |source| ClusterError::SetUp { action, source }
}

/// Whom a connection to the cluster signs in as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClusterRole {
    /// The role that owns the blog's database, and nothing else.
    Blog,
    /// The cluster's superuser, for maintenance.
    Superuser,
}

impl ClusterRole {
    fn name(self) -> &'static str {
        match self {
            ClusterRole::Blog => BLOG_ROLE,
            ClusterRole::Superuser => SUPERUSER,
        }
    }

    /// The pgpass file (a format psql and pg_dump read too) that holds the role's password.
    fn password_file(self) -> &'static str {
        match self {
            ClusterRole::Blog => "blog.pgpass",
            ClusterRole::Superuser => "superuser.pgpass",
        }
    }
}

#[derive(Default)]
struct Passwords {
    blog: String,
    superuser: String,
}

impl Passwords {
    fn of(&self, role: ClusterRole) -> &str {
        match role {
            ClusterRole::Blog => &self.blog,
            ClusterRole::Superuser => &self.superuser,
        }
    }
}

/// A running private cluster, held in use by this process until [`PrivateCluster::release`] (or
/// until it is dropped, as when a panic unwinds).
pub struct PrivateCluster {
    programs: Programs,
    /// Holds the cluster, everything PostgreSQL owns: `cluster/` (the data), the socket, the log
    /// and the password files.
    dir: PathBuf,
    lock_path: PathBuf,
    /// The exclusive lock on `cluster.lock` while this process creates, starts and sets up the
    /// cluster; whatever ends the start-up releases it.
    start_lock: Option<File>,
    users: File,
    passwords: Passwords,
    released: bool,
}

impl PrivateCluster {
    /// Creates the cluster in `data_dir` if needed, starts it unless it is already running, and
    /// sets up the blog's role and database. A request to stop ends the start-up early.
    pub async fn open(data_dir: &Path, stop: &StopRequests) -> Result<Self, ClusterError> {
        let data_dir = data_dir.to_path_buf();
        let blocking_stop = stop.clone();
        let mut cluster =
            tokio::task::spawn_blocking(move || Self::start(&data_dir, &blocking_stop))
                .await
                .expect("starting the cluster does not panic")?;
        let set_up = tokio::select! {
            set_up = tokio::time::timeout(SET_UP_TIMEOUT, cluster.set_up()) => set_up.unwrap_or_else(|_| {
                Err(ClusterError::Command {
                    action: "setting up the blog's database".to_string(),
                    details: format!("it did not finish within {} seconds", SET_UP_TIMEOUT.as_secs()),
                })
            }),
            () = stop.clone().first() => Err(ClusterError::Interrupted {
                action: "setting up the blog's database".to_string(),
            }),
        };
        match set_up {
            Ok(()) => {
                cluster.start_lock = None;
                Ok(cluster)
            }
            Err(error) => {
                let released = tokio::task::spawn_blocking(move || cluster.release()).await;
                if let Ok(Err(release_error)) = released {
                    tracing::error!(error = %release_error, "could not stop the private PostgreSQL cluster");
                }
                Err(error)
            }
        }
    }

    /// The options to connect to a database in the cluster as `role`, over the unix socket.
    pub fn connect_options(&self, role: ClusterRole, database: &str) -> PgConnectOptions {
        PgConnectOptions::new_without_pgpass()
            .socket(&self.dir)
            .port(PORT)
            .ssl_mode(PgSslMode::Disable)
            .username(role.name())
            .password(self.passwords.of(role))
            .database(database)
    }

    /// The connection URL of a database in the cluster, for other programs.
    pub fn url(&self, role: ClusterRole, database: &str) -> String {
        format!(
            "postgres://{}:{}@localhost:{PORT}/{database}?host={}",
            role.name(),
            self.passwords.of(role),
            utf8_percent_encode(&self.dir.display().to_string(), QUERY_PATH)
        )
    }

    /// The environment that points PostgreSQL's own tools (psql, pg_dump…) at a database in the
    /// cluster, signing in as `role`.
    pub fn libpq_environment(
        &self,
        role: ClusterRole,
        database: &str,
    ) -> [(&'static str, String); 5] {
        [
            ("PGHOST", self.dir.display().to_string()),
            ("PGPORT", PORT.to_string()),
            ("PGUSER", role.name().to_string()),
            ("PGDATABASE", database.to_string()),
            ("PGPASSFILE", self.password_file(role).display().to_string()),
        ]
    }

    /// Starts PostgreSQL again when it stopped while the cluster was in use (it crashed, or was
    /// killed): under the start-up lock, as every start, so that of several processes using the
    /// cluster one starts it. `Ok(true)` when this call started it.
    pub fn restart_if_down(&self, stop: &StopRequests) -> Result<bool, ClusterError> {
        if self.server_process().is_some_and(|(_, state)| state != "Z") || self.is_running(stop)? {
            return Ok(false);
        }
        let _start_lock = lock(&self.lock_path, &self.lock_path, LockKind::Exclusive, stop)?;
        if self.is_running(stop)? {
            return Ok(false);
        }
        self.wait_until_collected(stop)?;
        self.start_server(stop)?;
        Ok(true)
    }

    /// Stops using the cluster; the last process to do so stops it (a fast shutdown: open
    /// transactions roll back, everything committed is kept), and waits until it is down.
    pub fn release(mut self) -> Result<(), ClusterError> {
        self.released = true;
        self.stop_if_last()
    }

    /// Takes the locks, creates and starts the cluster; returns holding the start-up lock.
    fn start(data_dir: &Path, stop: &StopRequests) -> Result<Self, ClusterError> {
        fs::create_dir_all(data_dir)
            .map_err(io_error(format!("creating {}", data_dir.display())))?;
        let data_dir = data_dir
            .canonicalize()
            .map_err(io_error(format!("resolving {}", data_dir.display())))?;
        let dir = data_dir.join("postgres");
        check_path(&dir)?;
        let programs = Programs::find()?;
        if let Some(owner) = &programs.run_as {
            check_reachable(&data_dir, owner)?;
        }

        let lock_path = data_dir.join("cluster.lock");
        let start_lock = lock(&lock_path, &lock_path, LockKind::Exclusive, stop)?;
        let users = lock(
            &data_dir.join("cluster.users"),
            &lock_path,
            LockKind::Shared,
            stop,
        )?;
        let mut cluster = Self {
            programs,
            dir,
            lock_path,
            start_lock: Some(start_lock),
            users,
            passwords: Passwords::default(),
            released: false,
        };
        match cluster.bring_up(stop) {
            Ok(()) => Ok(cluster),
            Err(error) => {
                // Releasing uses the start-up lock this process holds, rather than waiting for it.
                if let Err(release_error) = cluster.release() {
                    tracing::error!(error = %release_error, "could not stop the private PostgreSQL cluster");
                }
                Err(error)
            }
        }
    }

    fn bring_up(&mut self, stop: &StopRequests) -> Result<(), ClusterError> {
        if self.data().join("PG_VERSION").exists() {
            // Without the superuser's password, a cluster that requires passwords cannot be set
            // up again: a new one would not be accepted. (The blog's role gets a new password
            // from the superuser when its own is lost.)
            let requires_passwords =
                fs::read_to_string(self.data().join("pg_hba.conf")).is_ok_and(|text| text == hba());
            if requires_passwords && self.stored_password(ClusterRole::Superuser).is_none() {
                return Err(ClusterError::LostPassword {
                    cluster: self.data(),
                    file: self.password_file(ClusterRole::Superuser),
                });
            }
            // A cluster of an older Fieldnotes has no passwords yet: they are made here, and
            // set when the cluster is set up.
            self.passwords = Passwords {
                blog: self
                    .stored_password(ClusterRole::Blog)
                    .map_or_else(new_password, Ok)?,
                superuser: self
                    .stored_password(ClusterRole::Superuser)
                    .map_or_else(new_password, Ok)?,
            };
            // Written again when they differ, as when the data directory was moved.
            for role in [ClusterRole::Blog, ClusterRole::Superuser] {
                if fs::read_to_string(self.password_file(role)).ok() != Some(self.pgpass_line(role))
                {
                    self.write_password_file(role)?;
                }
            }
        } else {
            self.init(stop)?;
        }
        self.keep_private()?;
        if self.is_running(stop)? {
            // Left by a crash, it may still be starting or recovering.
            self.wait_until_ready(stop)
        } else {
            self.wait_until_collected(stop)?;
            self.start_server(stop)
        }
    }

    /// Gives the blog's role its password and its database, and makes sure that only passwords
    /// let anyone in (a cluster made by an older Fieldnotes trusted every connection, and left
    /// everything owned by the superuser).
    async fn set_up(&self) -> Result<(), ClusterError> {
        let hba_path = self.data().join("pg_hba.conf");
        let hba_written = fs::read_to_string(&hba_path).is_ok_and(|text| text == hba());
        let mut maintenance = self.set_up_connection("postgres").await?;
        if !hba_written {
            roles::set_password(&mut maintenance, SUPERUSER, &self.passwords.superuser)
                .await
                .map_err(set_up_error("setting the superuser's password"))?;
        }
        roles::set_up_login_role(&mut maintenance, BLOG_ROLE, &self.passwords.blog)
            .await
            .map_err(set_up_error("setting up the blog's role"))?;
        roles::set_up_database(&mut maintenance, PRIVATE_DATABASE, BLOG_ROLE)
            .await
            .map_err(set_up_error("setting up the blog's database"))?;
        let _ = sqlx::Connection::close(maintenance).await;

        let mut blog = self.set_up_connection(PRIVATE_DATABASE).await?;
        let handed_over = roles::hand_over_objects(&mut blog, BLOG_ROLE)
            .await
            .map_err(set_up_error(
                "handing the blog's tables and functions to its role",
            ))?;
        if handed_over > 0 {
            tracing::info!(
                objects = handed_over,
                "the blog's database now belongs to the role `{BLOG_ROLE}`, which the blog connects as"
            );
        }
        if !hba_written {
            self.write_private(&hba_path, &hba())?;
            roles::reload_configuration(&mut blog)
                .await
                .map_err(set_up_error("reloading PostgreSQL's configuration"))?;
        }
        let _ = sqlx::Connection::close(blog).await;
        Ok(())
    }

    /// A superuser's connection whose statements give up rather than wait long for a lock; whose
    /// names resolve in PostgreSQL's own schema alone, since the blog's role may create functions
    /// in its database's schemas and one that shadowed a built-in (a `quote_ident(name)`, say)
    /// must never run with the superuser's rights; and whose statements, which carry passwords,
    /// stay out of the server's log.
    async fn set_up_connection(&self, database: &str) -> Result<PgConnection, ClusterError> {
        self.connect_options(ClusterRole::Superuser, database)
            .options([
                ("lock_timeout", "20s"),
                ("statement_timeout", "50s"),
                ("search_path", "pg_catalog,pg_temp"),
                ("log_statement", "none"),
                ("log_min_error_statement", "panic"),
                ("log_min_duration_statement", "-1"),
            ])
            .connect()
            .await
            .map_err(set_up_error("connecting as the cluster's superuser"))
    }

    fn stop_if_last(&mut self) -> Result<(), ClusterError> {
        let never = StopRequests::never();
        let _guard = match self.start_lock.take() {
            Some(held) => held,
            None => lock(
                &self.lock_path,
                &self.lock_path,
                LockKind::Exclusive,
                &never,
            )?,
        };
        if self.users.try_lock().is_ok() && self.is_running(&never)? {
            self.stop_server()?;
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
    fn wait_until_ready(&self, stop: &StopRequests) -> Result<(), ClusterError> {
        let action = "waiting for PostgreSQL to accept connections";
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            let mut pg_isready = self.programs.command("pg_isready", &self.dir);
            pg_isready
                .args([
                    "--quiet",
                    "--timeout=1",
                    "--port",
                    &PORT.to_string(),
                    "--host",
                ])
                .arg(&self.dir);
            if run(pg_isready, action, QUICK_TIMEOUT, stop)?
                .status
                .success()
            {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(self.with_log(ClusterError::Command {
                    action: action.to_string(),
                    details: format!("it was not ready after {} seconds", START_TIMEOUT.as_secs()),
                }));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Whether a server runs on this cluster: one this process started, another process's, or
    /// one a crash left behind.
    fn is_running(&self, stop: &StopRequests) -> Result<bool, ClusterError> {
        let output = run(
            self.pg_ctl(&["status"]),
            "asking pg_ctl whether PostgreSQL runs",
            QUICK_TIMEOUT,
            stop,
        )?;
        Ok(output.status.success() && self.ended_server().is_none())
    }

    /// The process id in `postmaster.pid` when that process has ended but has not yet been
    /// collected by its parent (a zombie, as when a slow init adopted it): pg_ctl still calls it
    /// running, and PostgreSQL refuses to start while it is there.
    fn ended_server(&self) -> Option<String> {
        self.server_process()
            .and_then(|(pid, state)| (state == "Z").then_some(pid))
    }

    /// The server process named in `postmaster.pid`, if it exists, with its state as /proc says
    /// it (`Z` when it has ended but not been collected). Read from files alone, cheap enough to
    /// ask every second.
    fn server_process(&self) -> Option<(String, String)> {
        let pid_file = fs::read_to_string(self.data().join("postmaster.pid")).ok()?;
        let pid = pid_file.lines().next()?.trim().to_string();
        let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // The state follows the program's name, which is in parentheses.
        let state = stat
            .rsplit_once(')')?
            .1
            .split_whitespace()
            .next()?
            .to_string();
        Some((pid, state))
    }

    /// Waits, for a bounded time, until an ended server has been collected and a new one may
    /// start.
    fn wait_until_collected(&self, stop: &StopRequests) -> Result<(), ClusterError> {
        let deadline = Instant::now() + COLLECT_TIMEOUT;
        while let Some(pid) = self.ended_server() {
            if Instant::now() > deadline || stop.requested() {
                return Err(ClusterError::Command {
                    action: "starting PostgreSQL again".to_string(),
                    details: format!(
                        "its ended server process {pid} was not collected by its parent within {} seconds",
                        COLLECT_TIMEOUT.as_secs()
                    ),
                });
            }
            std::thread::sleep(POLL_INTERVAL);
        }
        Ok(())
    }

    fn data(&self) -> PathBuf {
        self.dir.join("cluster")
    }

    /// Creates the cluster in a directory of its own, moved into place once complete: a
    /// creation cut short leaves nothing that looks like a cluster.
    fn init(&mut self, stop: &StopRequests) -> Result<(), ClusterError> {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&self.dir)
            .map_err(io_error(format!("creating {}", self.dir.display())))?;
        let dir =
            File::open(&self.dir).map_err(io_error(format!("opening {}", self.dir.display())))?;
        self.give_to_owner(&dir, &self.dir)?;
        let staging = self.dir.join("cluster.new");
        remove_dir_if_present(&staging)?;
        self.passwords = Passwords {
            blog: new_password()?,
            superuser: new_password()?,
        };
        for role in [ClusterRole::Blog, ClusterRole::Superuser] {
            self.write_password_file(role)?;
        }
        let created = self.run_initdb(&staging, stop).and_then(|()| {
            self.write_private(&staging.join("pg_hba.conf"), &hba())?;
            fs::rename(&staging, self.data()).map_err(io_error(format!(
                "moving the new cluster into {}",
                self.dir.display()
            )))
        });
        if created.is_err() {
            let _ = fs::remove_dir_all(&staging);
        }
        created
    }

    fn run_initdb(&self, pgdata: &Path, stop: &StopRequests) -> Result<(), ClusterError> {
        let action = "creating the database cluster (initdb)";
        let password_file = self.dir.join("superuser.password");
        self.write_private(&password_file, &format!("{}\n", self.passwords.superuser))?;
        let mut initdb = self.programs.command("initdb", &self.dir);
        initdb
            .arg("--pgdata")
            .arg(pgdata)
            .args(["--username", SUPERUSER, "--pwfile"])
            .arg(&password_file)
            .args([
                "--auth=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--locale-provider=icu",
                // Latin script first, then Chinese in pinyin order.
                "--icu-locale=zh-u-kr-latn-hani",
            ]);
        let output = run(initdb, action, INITDB_TIMEOUT, stop);
        let _ = fs::remove_file(&password_file);
        check(action, output?)
    }

    fn start_server(&self, stop: &StopRequests) -> Result<(), ClusterError> {
        let action = "starting PostgreSQL";
        let log = self.dir.join("server.log");
        let options = format!(
            "-c listen_addresses='' -c unix_socket_permissions=0700 -p {PORT} -k \"{}\"",
            self.dir.display()
        );
        let timeout = START_TIMEOUT.as_secs().to_string();
        let start = self.pg_ctl(&[
            "start",
            "-w",
            "-t",
            &timeout,
            "-l",
            &log.display().to_string(),
            "-o",
            &options,
        ]);
        match run(start, action, START_TIMEOUT + END_GRACE, stop) {
            Ok(output) => check(action, output).map_err(|error| self.with_log(error)),
            Err(error) => {
                // pg_ctl was ended while the server came up: give the server a moment to say
                // so in its pid file, so that it is found and stopped.
                let deadline = Instant::now() + Duration::from_secs(2);
                while !self.data().join("postmaster.pid").exists() && Instant::now() < deadline {
                    std::thread::sleep(POLL_INTERVAL);
                }
                Err(self.with_log(error))
            }
        }
    }

    /// A fast shutdown, or when that does not end in time, an immediate one (PostgreSQL
    /// recovers from it at the next start, as after a crash).
    fn stop_server(&self) -> Result<(), ClusterError> {
        let action = "stopping PostgreSQL";
        let never = StopRequests::never();
        let timeout = STOP_TIMEOUT.as_secs().to_string();
        let fast = self.pg_ctl(&["stop", "-m", "fast", "-w", "-t", &timeout]);
        let stopped = run(fast, action, STOP_TIMEOUT + END_GRACE, &never)
            .and_then(|output| check(action, output));
        if let Err(error) = stopped {
            tracing::warn!(%error, "PostgreSQL did not stop in time: stopping it at once");
            let immediate = self.pg_ctl(&["stop", "-m", "immediate", "-w", "-t", "10"]);
            let output = run(immediate, action, QUICK_TIMEOUT + END_GRACE, &never)?;
            check(action, output).map_err(|error| self.with_log(error))?;
        }
        Ok(())
    }

    fn pg_ctl(&self, args: &[&str]) -> Command {
        let mut pg_ctl = self.programs.command("pg_ctl", &self.dir);
        pg_ctl
            .arg("--pgdata")
            .arg(self.data())
            .args(args)
            // In a process group of its own, the server is not stopped by the Ctrl-C meant for
            // this process: this process stops it in order, once no one else uses it.
            .process_group(0);
        pg_ctl
    }

    fn password_file(&self, role: ClusterRole) -> PathBuf {
        self.dir.join(role.password_file())
    }

    /// The role's password, from its file.
    fn stored_password(&self, role: ClusterRole) -> Option<String> {
        let text = fs::read_to_string(self.password_file(role)).ok()?;
        text.lines().find_map(|line| {
            let (entry, password) = line.rsplit_once(':')?;
            entry
                .ends_with(&format!(":{}", role.name()))
                .then(|| password.to_string())
        })
    }

    /// The role's line of its pgpass file: its password, for this cluster's socket alone.
    fn pgpass_line(&self, role: ClusterRole) -> String {
        let socket_dir = self.dir.display().to_string().replace(':', "\\:");
        let database = match role {
            ClusterRole::Blog => PRIVATE_DATABASE,
            ClusterRole::Superuser => "*",
        };
        format!(
            "{socket_dir}:{PORT}:{database}:{}:{}\n",
            role.name(),
            self.passwords.of(role)
        )
    }

    fn write_password_file(&self, role: ClusterRole) -> Result<(), ClusterError> {
        self.write_private(&self.password_file(role), &self.pgpass_line(role))
    }

    /// Writes a file that only the cluster's owner (and root) may read, replacing any file of
    /// that name at once.
    fn write_private(&self, path: &Path, contents: &str) -> Result<(), ClusterError> {
        let context = || format!("writing {}", path.display());
        let mut partial = path.as_os_str().to_owned();
        partial.push(".partial");
        let partial = PathBuf::from(partial);
        let _ = fs::remove_file(&partial);
        let file = OpenOptions::new()
            .create_new(true)
            .write(true)
            .mode(0o600)
            .open(&partial)
            .map_err(io_error(context()))?;
        file.write_all_at(contents.as_bytes(), 0)
            .and_then(|()| file.sync_all())
            .map_err(io_error(context()))?;
        self.give_to_owner(&file, &partial)?;
        fs::rename(&partial, path).map_err(io_error(context()))
    }

    /// Gives an open file or directory (found at `path`) to the user PostgreSQL runs as: the one
    /// this process opened, whatever that user may have put at `path` since.
    fn give_to_owner(&self, file: &File, path: &Path) -> Result<(), ClusterError> {
        match &self.programs.run_as {
            Some(owner) => {
                std::os::unix::fs::fchown(file, Some(owner.uid), Some(owner.gid)).map_err(io_error(
                    format!("giving {} to the postgres user", path.display()),
                ))
            }
            None => Ok(()),
        }
    }

    /// Adds the end of PostgreSQL's log to a failure's details: PostgreSQL says there why.
    fn with_log(&self, error: ClusterError) -> ClusterError {
        let log_path = self.dir.join("server.log");
        let Ok(log) = fs::read_to_string(&log_path) else {
            return error;
        };
        let lines: Vec<&str> = log.lines().collect();
        let tail = lines[lines.len().saturating_sub(LOG_TAIL_LINES)..].join("\n");
        let said = format!(
            "\nthe end of PostgreSQL's log ({}):\n{tail}",
            log_path.display()
        );
        match error {
            ClusterError::Command { action, details } => ClusterError::Command {
                action,
                details: details + &said,
            },
            other => other,
        }
    }
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

/// Who may connect, and how: the superuser and the blog's role, each with its password, over the
/// socket alone (the server listens on no TCP port), the blog's role to its own database only.
fn hba() -> String {
    format!(
        "# Written by Fieldnotes, which rewrites it when it differs.\n\
         # TYPE  DATABASE      USER          METHOD\n\
         local   all           {SUPERUSER:<13} scram-sha-256\n\
         local   {PRIVATE_DATABASE:<13} {BLOG_ROLE:<13} scram-sha-256\n"
    )
}

/// 192 random bits, in hex: nothing in it needs quoting in a URL or a pgpass file.
fn new_password() -> Result<String, ClusterError> {
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes)
        .map_err(|error| io_error("making a password")(io::Error::other(error)))?;
    Ok(bytes.iter().map(|byte| format!("{byte:02x}")).collect())
}

fn remove_dir_if_present(dir: &Path) -> Result<(), ClusterError> {
    match fs::remove_dir_all(dir) {
        Err(error) if error.kind() != io::ErrorKind::NotFound => {
            Err(io_error(format!("removing {}", dir.display()))(error))
        }
        _ => Ok(()),
    }
}

#[derive(Clone, Copy)]
enum LockKind {
    Exclusive,
    Shared,
}

/// Locks `path`, waiting at most [`LOCK_TIMEOUT`], and only until a stop is requested. An
/// exclusive lock records this process in `holder_file`, which names the process to wait for.
fn lock(
    path: &Path,
    holder_file: &Path,
    kind: LockKind,
    stop: &StopRequests,
) -> Result<File, ClusterError> {
    let file = open_lock(path)?;
    let started = Instant::now();
    let mut told = false;
    loop {
        let attempt = match kind {
            LockKind::Exclusive => file.try_lock(),
            LockKind::Shared => file.try_lock_shared(),
        };
        match attempt {
            Ok(()) => break,
            Err(fs::TryLockError::WouldBlock) => {}
            Err(fs::TryLockError::Error(error)) => {
                return Err(io_error(format!("locking {}", path.display()))(error));
            }
        }
        let waited = started.elapsed();
        if waited >= LOCK_TIMEOUT {
            return Err(ClusterError::Locked {
                holder: holder(holder_file),
                path: path.to_path_buf(),
            });
        }
        if stop.requested() {
            return Err(ClusterError::Interrupted {
                action: format!(
                    "waiting for {}, which holds {}",
                    holder(holder_file),
                    path.display()
                ),
            });
        }
        if !told && waited >= LOCK_NOTICE {
            tracing::warn!(
                "waiting for {}, which holds {} (creating, starting or stopping PostgreSQL)",
                holder(holder_file),
                path.display()
            );
            told = true;
        }
        std::thread::sleep(POLL_INTERVAL);
    }
    if let LockKind::Exclusive = kind {
        file.set_len(0)
            .and_then(|()| file.write_all_at(format!("{}\n", std::process::id()).as_bytes(), 0))
            .map_err(io_error(format!("writing to {}", path.display())))?;
    }
    Ok(file)
}

/// The process that recorded itself in a lock file, said for a person.
fn holder(lock_file: &Path) -> String {
    let pid = fs::read_to_string(lock_file)
        .ok()
        .and_then(|text| text.trim().parse::<u32>().ok());
    let command = pid.and_then(|pid| fs::read(format!("/proc/{pid}/cmdline")).ok());
    match (pid, command) {
        (Some(pid), Some(command)) => format!(
            "process {pid} ({})",
            String::from_utf8_lossy(&command).replace('\0', " ").trim()
        ),
        _ => "another process".to_string(),
    }
}

/// Opens a lock file, readable and writable by its owner alone: anyone who could open it could
/// also lock it, and keep every `fieldnotes` command waiting.
fn open_lock(path: &Path) -> Result<File, ClusterError> {
    let context = || format!("opening {}", path.display());
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .open(path)
        .map_err(io_error(context()))?;
    let mode = file.metadata().map_err(io_error(context()))?.mode();
    if mode & 0o777 != 0o600 {
        file.set_permissions(fs::Permissions::from_mode(0o600))
            .map_err(io_error(format!(
                "restricting access to {}",
                path.display()
            )))?;
    }
    Ok(file)
}

/// Runs a program to its end and returns what it printed. It is ended (SIGTERM, then SIGKILL)
/// when it runs longer than `limit` or a stop is requested.
fn run(
    mut command: Command,
    action: &str,
    limit: Duration,
    stop: &StopRequests,
) -> Result<Output, ClusterError> {
    let program = command.get_program().to_string_lossy().into_owned();
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(io_error(format!("{action}: running {program}")))?;
    let stdout = read_in_background(child.stdout.take());
    let stderr = read_in_background(child.stderr.take());
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child
            .try_wait()
            .map_err(io_error(format!("{action}: waiting for {program}")))?
        {
            break status;
        }
        if stop.requested() {
            end(&mut child);
            return Err(ClusterError::Interrupted {
                action: action.to_string(),
            });
        }
        if Instant::now() > deadline {
            end(&mut child);
            return Err(ClusterError::Command {
                action: action.to_string(),
                details: format!(
                    "{program} did not finish within {} seconds, and was ended",
                    limit.as_secs()
                ),
            });
        }
        std::thread::sleep(POLL_INTERVAL);
    };
    Ok(Output {
        status,
        stdout: collect(stdout),
        stderr: collect(stderr),
    })
}

/// Asks a program to end, and kills it if it does not.
fn end(child: &mut Child) {
    if let Some(pid) = rustix::process::Pid::from_raw(child.id() as i32) {
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
    }
    let deadline = Instant::now() + END_GRACE;
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(POLL_INTERVAL);
    }
    let _ = child.kill();
    let _ = child.wait();
}

fn read_in_background(pipe: Option<impl Read + Send + 'static>) -> mpsc::Receiver<Vec<u8>> {
    let (sender, receiver) = mpsc::channel();
    if let Some(mut pipe) = pipe {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            let _ = sender.send(bytes);
        });
    }
    receiver
}

/// What a finished program printed; a process it left running and holding the pipe (which
/// PostgreSQL's programs do not do) cannot keep this waiting.
fn collect(output: mpsc::Receiver<Vec<u8>>) -> Vec<u8> {
    output.recv_timeout(END_GRACE).unwrap_or_default()
}

fn check(action: &str, output: Output) -> Result<(), ClusterError> {
    if output.status.success() {
        return Ok(());
    }
    let mut details = String::from_utf8_lossy(&output.stderr).trim().to_string();
    if details.is_empty() {
        details = String::from_utf8_lossy(&output.stdout).trim().to_string();
    }
    if details.is_empty() {
        details = describe(output.status);
    }
    Err(ClusterError::Command {
        action: action.to_string(),
        details,
    })
}

fn describe(status: ExitStatus) -> String {
    match status.code() {
        Some(code) => format!("it exited with status {code}"),
        None => "it was killed by a signal".to_string(),
    }
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

/// Fails naming the first directory on the way to `dir` (itself included) that `owner` may not
/// enter, by the permission bits that apply to that user and its group.
fn check_reachable(dir: &Path, owner: &Owner) -> Result<(), ClusterError> {
    let mut ancestors: Vec<&Path> = dir.ancestors().collect();
    ancestors.reverse();
    for ancestor in ancestors {
        let metadata = fs::metadata(ancestor)
            .map_err(io_error(format!("examining {}", ancestor.display())))?;
        let search_bit = if metadata.uid() == owner.uid {
            0o100
        } else if metadata.gid() == owner.gid {
            0o010
        } else {
            0o001
        };
        if metadata.mode() & search_bit == 0 {
            return Err(ClusterError::Unreachable(ancestor.to_path_buf()));
        }
    }
    Ok(())
}

/// What a path must escape in a URL's query: everything but unreserved characters and `/`.
const QUERY_PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

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
            Some(postgres_user().ok_or(ClusterError::NoPostgresUser)?)
        } else {
            None
        };
        Ok(Self { bin, run_as })
    }

    /// One of PostgreSQL's programs, run from `dir` as the cluster's owner (without root's
    /// supplementary groups), and without the caller's PG* settings (PGPORT, PGHOST…), which
    /// would send it elsewhere.
    fn command(&self, program: &str, dir: &Path) -> Command {
        let mut command = Command::new(self.bin.join(program));
        command.current_dir(dir);
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("PG") {
                command.env_remove(name);
            }
        }
        if let Some(owner) = &self.run_as {
            command.uid(owner.uid).gid(owner.gid);
        }
        command
    }
}

/// The directory holding PostgreSQL's server programs: from PATH, or Debian's versioned
/// directories, newest version first.
fn find_bin_dir() -> Option<PathBuf> {
    let has_programs = |dir: &Path| PROGRAMS.iter().all(|program| dir.join(program).is_file());
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .filter_map(|dir| dir.join("initdb").canonicalize().ok())
        .filter_map(|initdb| initdb.parent().map(Path::to_path_buf))
        .find(|dir| has_programs(dir));
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

/// The `postgres` user, as Debian's package makes it: a system user listed in /etc/passwd.
fn postgres_user() -> Option<Owner> {
    let passwd = fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        if fields.next()? != "postgres" {
            return None;
        }
        let _password = fields.next()?;
        Some(Owner {
            uid: fields.next()?.parse().ok()?,
            gid: fields.next()?.parse().ok()?,
        })
    })
}
