//! Which PostgreSQL Fieldnotes uses: the server named by `DATABASE_URL`, or else its private
//! cluster. Either way the schema is brought up to date before anything else runs.

use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

use app::db::PRIVATE_DATABASE;

use crate::cluster::{ClusterError, PrivateCluster};
use crate::config::DatabaseSettings;

#[derive(Debug, thiserror::Error)]
pub enum DatabaseError {
    #[error("the private PostgreSQL cluster could not be started: {0}")]
    Cluster(#[from] ClusterError),
    #[error("could not connect to the database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("could not bring the database schema up to date: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(transparent)]
    Query(#[from] sqlx::Error),
}

/// A connection pool, and the private cluster behind it when there is one.
pub struct Database {
    pub pool: PgPool,
    pub url: String,
    cluster: Option<PrivateCluster>,
}

impl Database {
    pub async fn open(settings: &DatabaseSettings) -> Result<Self, DatabaseError> {
        let (url, cluster) = match &settings.database_url {
            Some(url) => (url.clone(), None),
            None => {
                let data_dir = settings.data_dir.clone();
                let cluster = tokio::task::spawn_blocking(move || PrivateCluster::start(&data_dir))
                    .await
                    .expect("starting the cluster does not panic")?;
                tracing::info!(data_dir = %settings.data_dir.display(), "private PostgreSQL cluster running");
                if let Err(error) = create_private_database(&cluster).await {
                    release(cluster).await;
                    return Err(error);
                }
                (cluster.url_for(PRIVATE_DATABASE), Some(cluster))
            }
        };
        let pool = match connect(&url).await {
            Ok(pool) => pool,
            Err(error) => {
                if let Some(cluster) = cluster {
                    release(cluster).await;
                }
                return Err(error);
            }
        };
        let database = Self { pool, url, cluster };
        if let Err(error) = app::db::MIGRATOR.run(&database.pool).await {
            database.close().await;
            return Err(error.into());
        }
        Ok(database)
    }

    /// Environment variables that point programs at this database: DATABASE_URL, and for the
    /// private cluster also libpq's own (PGHOST…), which psql and pg_dump read.
    pub fn environment(&self) -> Vec<(&'static str, String)> {
        let mut environment = vec![("DATABASE_URL", self.url.clone())];
        if let Some(cluster) = &self.cluster {
            environment.extend(cluster.libpq_environment(PRIVATE_DATABASE));
        }
        environment
    }

    /// A second pool on the same database, for serving requests: PostgreSQL cancels any of its
    /// statements that runs longer than `statement_timeout`, so that a slow query cannot hold a
    /// connection for long. Connections are opened as they are needed.
    pub fn serving_pool(&self, statement_timeout: Duration) -> PgPool {
        with_statement_timeout(&self.pool, statement_timeout)
    }

    /// Closes every connection, then stops the private cluster unless another process uses it.
    pub async fn close(self) {
        self.pool.close().await;
        if let Some(cluster) = self.cluster {
            release(cluster).await;
        }
    }
}

async fn connect(url: &str) -> Result<PgPool, DatabaseError> {
    pool_options()
        .connect(url)
        .await
        .map_err(DatabaseError::Connect)
}

fn pool_options() -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(10)
        .acquire_timeout(Duration::from_secs(10))
}

/// A pool like `pool`, on the same database with the same credentials, whose statements
/// PostgreSQL cancels after `limit`.
pub fn with_statement_timeout(pool: &PgPool, limit: Duration) -> PgPool {
    let options = (*pool.connect_options())
        .clone()
        .options([("statement_timeout", limit.as_millis().to_string())]);
    pool_options().connect_lazy_with(options)
}

async fn create_private_database(cluster: &PrivateCluster) -> Result<(), DatabaseError> {
    let maintenance = connect(&cluster.url_for("postgres")).await?;
    let created = app::db::create_private_database(&maintenance).await;
    maintenance.close().await;
    Ok(created?)
}

async fn release(cluster: PrivateCluster) {
    match tokio::task::spawn_blocking(move || cluster.release()).await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => tracing::error!(%error, "could not stop the private PostgreSQL cluster"),
        Err(error) => tracing::error!(%error, "could not stop the private PostgreSQL cluster"),
    }
}
