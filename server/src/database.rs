//! Which PostgreSQL Fieldnotes uses: the server named by `DATABASE_URL`, or else its private
//! cluster, where the blog connects as a role of its own. Either way the schema is brought up to
//! date before anything else runs, and no connection waits without a bound.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgPool};

use app::db::PRIVATE_DATABASE;

use crate::cluster::{ClusterError, ClusterRole, PrivateCluster};
use crate::config::DatabaseSettings;
use crate::stop::StopRequests;

/// How long getting a connection may take, opening it included.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long closing the pool waits for connections in use to come back.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(15);
/// How long a statement may wait for a lock another session holds (a long import, a migration
/// in another process) before giving up with an error.
const LOCK_TIMEOUT: &str = "60s";
/// How long a session may sit idle inside a transaction. Fieldnotes never pauses inside one for
/// more than the parsing of one imported item, so only a stuck or vanished client would, keeping
/// its locks from everyone else.
const IDLE_IN_TRANSACTION_TIMEOUT: &str = "60s";

#[derive(Debug, thiserror::Error)]
pub enum DatabaseError {
    #[error("the private PostgreSQL cluster could not be started: {0}")]
    Cluster(#[from] ClusterError),
    #[error("could not connect to the database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("could not bring the database schema up to date: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("asked to stop while connecting to the database")]
    Interrupted,
}

/// What the connections are for, which decides how long a statement may run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// Answering requests: a statement ends after `statement_timeout`, so that a page or an API
    /// request waits no longer for the database and holds a pool slot no longer. The server's own
    /// work (indexing for search, publishing scheduled posts) goes in small batches well within it.
    Serving { statement_timeout: Duration },
    /// A command's work (an import, say), whose statements may take as long as the work does;
    /// waiting for locks is still bounded.
    Command,
}

/// A connection pool, and the private cluster behind it when there is one.
pub struct Database {
    pub pool: PgPool,
    source: Source,
}

enum Source {
    Url(String),
    /// Shared with the supervisor, which starts its server again should it stop.
    Cluster(Arc<PrivateCluster>),
}

impl Database {
    /// Connects (starting the private cluster if there is no `DATABASE_URL`) and migrates. A
    /// request to stop ends this early, leaving the cluster as it was.
    pub async fn open(
        settings: &DatabaseSettings,
        workload: Workload,
        stop: &StopRequests,
    ) -> Result<Self, DatabaseError> {
        let (options, source) = match &settings.database_url {
            Some(url) => (
                PgConnectOptions::from_str(url).map_err(DatabaseError::Connect)?,
                Source::Url(url.clone()),
            ),
            None => {
                let cluster = PrivateCluster::open(&settings.data_dir, stop).await?;
                tracing::info!(data_dir = %settings.data_dir.display(), "private PostgreSQL cluster running");
                (
                    cluster.connect_options(ClusterRole::Blog, PRIVATE_DATABASE),
                    Source::Cluster(Arc::new(cluster)),
                )
            }
        };
        let connected = tokio::select! {
            connected = connect_and_migrate(options, workload) => connected,
            () = stop.clone().first() => Err(DatabaseError::Interrupted),
        };
        match connected {
            Ok(pool) => Ok(Self { pool, source }),
            Err(error) => {
                if let Source::Cluster(cluster) = source {
                    release(cluster).await;
                }
                Err(error)
            }
        }
    }

    /// Environment variables that point programs at this database: DATABASE_URL, and for the
    /// private cluster also libpq's own (PGHOST…), which psql and pg_dump read. In the private
    /// cluster they sign in as `role`; a `DATABASE_URL` names its role itself.
    pub fn environment(&self, role: ClusterRole) -> Vec<(&'static str, String)> {
        match &self.source {
            Source::Url(url) => vec![("DATABASE_URL", url.clone())],
            Source::Cluster(cluster) => {
                let mut environment = vec![("DATABASE_URL", cluster.url(role, PRIVATE_DATABASE))];
                environment.extend(cluster.libpq_environment(role, PRIVATE_DATABASE));
                environment
            }
        }
    }

    /// Closes every connection, then stops the private cluster unless another process uses it.
    pub async fn close(self) {
        if tokio::time::timeout(CLOSE_TIMEOUT, self.pool.close())
            .await
            .is_err()
        {
            tracing::warn!("connections still in use after {CLOSE_TIMEOUT:?}: closing regardless");
        }
        if let Source::Cluster(cluster) = self.source {
            release(cluster).await;
        }
    }

    /// Watches the database while the server runs, never returning: a private cluster whose
    /// server has gone is started again, and when the database stops answering, the connections
    /// kept open to it are closed (each would fail a request once). Requests meanwhile wait for
    /// a connection up to the pool's bound, or are answered 503 (see `AppError`'s conversion of
    /// database errors).
    pub async fn supervise(&self, stop: StopRequests) {
        let mut ticks = tokio::time::interval(SUPERVISION_INTERVAL);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut away = false;
        loop {
            ticks.tick().await;
            if stop.requested() {
                // Stopping: the server's requests finish, and nothing is started again.
                return std::future::pending().await;
            }
            if let Source::Cluster(cluster) = &self.source {
                let cluster = Arc::clone(cluster);
                let stop = stop.clone();
                match tokio::task::spawn_blocking(move || cluster.restart_if_down(&stop)).await {
                    Ok(Ok(true)) => {
                        tracing::warn!("PostgreSQL had stopped: started it again");
                        close_idle_connections(&self.pool);
                    }
                    Ok(Ok(false)) => {}
                    Ok(Err(error)) => tracing::error!(%error, "could not start PostgreSQL again"),
                    Err(error) => tracing::error!(%error, "could not start PostgreSQL again"),
                }
            }
            let probe = sqlx::query("SELECT 1").execute(&self.pool);
            let error = match tokio::time::timeout(PROBE_TIMEOUT, probe).await {
                Ok(Ok(_)) => {
                    if away {
                        tracing::info!("the database answers again");
                        away = false;
                    }
                    continue;
                }
                Ok(Err(error)) if app::db::is_unreachable(&error) => error.to_string(),
                // A statement that failed, or a pool busy with requests, is no sign of absence.
                Ok(Err(_)) | Err(_) => continue,
            };
            if !away {
                tracing::warn!(%error, "the database does not answer: requests get 503 until it does");
                away = true;
            }
            close_idle_connections(&self.pool);
        }
    }
}

/// Closes the connections the pool keeps idle, so that new ones are made for the next requests.
fn close_idle_connections(pool: &PgPool) {
    for _ in 0..pool.num_idle() {
        let Some(mut connection) = pool.try_acquire() else {
            break;
        };
        connection.close_on_drop();
    }
}

async fn connect_and_migrate(
    options: PgConnectOptions,
    workload: Workload,
) -> Result<PgPool, DatabaseError> {
    // Migrations may rewrite big tables: they get no statement timeout, whatever the workload.
    let mut migrating = tokio::time::timeout(ACQUIRE_TIMEOUT, bounded(options.clone()).connect())
        .await
        .map_err(|_| {
            DatabaseError::Connect(sqlx::Error::Io(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!("no connection within {ACQUIRE_TIMEOUT:?}"),
            )))
        })?
        .map_err(DatabaseError::Connect)?;
    let migrated = app::db::MIGRATOR.run(&mut migrating).await;
    let _ = migrating.close().await;
    migrated?;
    pool_options()
        .connect_with(for_workload(options, workload))
        .await
        .map_err(DatabaseError::Connect)
}

/// `options` with every wait for a lock, and every pause inside a transaction, bounded.
fn bounded(options: PgConnectOptions) -> PgConnectOptions {
    options.options([
        ("lock_timeout", LOCK_TIMEOUT),
        (
            "idle_in_transaction_session_timeout",
            IDLE_IN_TRANSACTION_TIMEOUT,
        ),
    ])
}

/// `options` bounded, and for serving, with statements cancelled after the serving limit.
fn for_workload(options: PgConnectOptions, workload: Workload) -> PgConnectOptions {
    match workload {
        Workload::Serving { statement_timeout } => {
            with_statement_limit(bounded(options), statement_timeout)
        }
        Workload::Command => bounded(options),
    }
}

fn with_statement_limit(options: PgConnectOptions, limit: Duration) -> PgConnectOptions {
    options.options([("statement_timeout", format!("{}ms", limit.as_millis()))])
}

/// How often a serving process asks whether its database answers, and how long it waits.
const SUPERVISION_INTERVAL: Duration = Duration::from_secs(1);
const PROBE_TIMEOUT: Duration = Duration::from_secs(1);

/// Up to twenty connections: one page asks up to a dozen independent questions at once (the
/// sidebar's five beside a post's six), which should not wait for each other. Connections are
/// not tested with a ping before each use: that would double the round trips of every statement.
/// A connection that broke while idle fails its next statement, and is dropped.
///
/// Each connection handed out is reported (as a trace event) with how long it took, which the
/// metrics count (see `metrics::PoolWaits`).
fn pool_options() -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(20)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .test_before_acquire(false)
        .acquire_time_level(log::LevelFilter::Trace)
}

/// Pools on the replicas at `urls`, connecting when first used (a replica that is down does not
/// hold up the start), with the statement limits of `workload`; each named by its host for the log.
pub fn replica_pools(
    urls: &[String],
    workload: Workload,
) -> Result<Vec<(String, PgPool)>, DatabaseError> {
    urls.iter()
        .map(|url| {
            let options = PgConnectOptions::from_str(url).map_err(DatabaseError::Connect)?;
            let name = format!(
                "{}:{}/{}",
                options.get_host(),
                options.get_port(),
                options.get_database().unwrap_or_default()
            );
            Ok((
                name,
                pool_options().connect_lazy_with(for_workload(options, workload)),
            ))
        })
        .collect()
}

/// A pool like `pool`, on the same database with the same credentials, whose statements
/// PostgreSQL cancels after `limit`.
pub fn with_statement_timeout(pool: &PgPool, limit: Duration) -> PgPool {
    let options = with_statement_limit((*pool.connect_options()).clone(), limit);
    pool_options().connect_lazy_with(options)
}

/// Stops using the cluster, once the supervisor has let go of it (it may be asking whether its
/// server runs, or starting it, which a request to stop cuts short).
async fn release(mut cluster: Arc<PrivateCluster>) {
    let deadline = tokio::time::Instant::now() + CLOSE_TIMEOUT;
    let cluster = loop {
        match Arc::try_unwrap(cluster) {
            Ok(cluster) => break cluster,
            Err(shared) if tokio::time::Instant::now() < deadline => {
                cluster = shared;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            // Whoever holds it last stops it, as a dropped cluster does.
            Err(_) => return,
        }
    };
    match tokio::task::spawn_blocking(move || cluster.release()).await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => tracing::error!(%error, "could not stop the private PostgreSQL cluster"),
        Err(error) => tracing::error!(%error, "could not stop the private PostgreSQL cluster"),
    }
}
