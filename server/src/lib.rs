//! The `fieldnotes` server: configuration, the database it runs on, the HTTP router, the
//! WordPress importer and the command line that ties them together.

pub mod api;
pub mod auth;
pub mod caching;
pub mod client_address;
pub mod cluster;
pub mod config;
pub mod database;
pub mod demo;
pub mod export;
pub mod feeds;
pub mod headers;
pub mod health;
pub mod import;
pub mod limits;
pub mod media;
pub mod metrics;
pub mod old_addresses;
pub mod page_cache;
pub mod replicas;
pub mod request_log;
pub mod sitemap;
pub mod stop;
pub mod users;
pub mod web;
pub mod xml;

use std::fs::File;
use std::io::BufReader;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use sqlx::PgPool;
use tokio::net::TcpListener;
use tokio::signal::unix::{SignalKind, signal};

use crate::cluster::ClusterRole;
use crate::config::{
    Cli, Command, CommentSettingsArgs, ExecSettings, ExportSettings, ImportSettings, ServeSettings,
    SiteSettingsArgs, UserSettings,
};
use crate::database::{Database, DatabaseError, Workload};
use crate::replicas::Databases;
use crate::stop::StopRequests;
use crate::web::{AppState, AppStateInner};

/// How often the server looks for newly scheduled posts.
const SCHEDULE_CHECK: Duration = Duration::from_secs(60);

/// How often the server looks for renamed categories and tags whose posts' names wait.
const RENAME_CHECK: Duration = Duration::from_secs(1);

/// How long the server waits for open requests to finish after being asked to stop.
const GRACE_PERIOD: Duration = Duration::from_secs(10);

/// Exports smaller than this import too fast for a progress bar to be worth showing.
const PROGRESS_BAR_MIN_BYTES: u64 = 1 << 20;

/// What can stop a command, said as the user should read it.
#[derive(Debug, thiserror::Error)]
pub enum FieldnotesError {
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Database(#[from] DatabaseError),
    #[error("cannot open {}: {source}", file.display())]
    Open {
        file: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {source}", file.display())]
    Import {
        file: PathBuf,
        source: import::ImportError,
    },
    #[error("the import was interrupted; nothing was changed")]
    Interrupted,
    #[error("{}", match file { Some(file) => format!("{}: {source}", file.display()), None => source.to_string() })]
    Export {
        file: Option<PathBuf>,
        source: export::ExportError,
    },
    #[error("the export was interrupted; no file was written")]
    ExportInterrupted,
    #[error("asked to stop before the command was carried out")]
    Stopped,
    #[error("no command to run was given")]
    NoCommand,
    #[error("cannot run {program}: {source}")]
    Run {
        program: String,
        source: std::io::Error,
    },
    #[error("cannot change the comment settings: {0}")]
    Settings(sqlx::Error),
    #[error("cannot change the blog's settings: {0}")]
    SiteSettings(#[from] app::db::site::SettingsError),
    #[error("cannot listen for signals: {0}")]
    Signals(std::io::Error),
    #[error(transparent)]
    User(#[from] users::UserError),
}

/// Runs the command the user asked for.
pub async fn run(cli: Cli) -> Result<ExitCode, FieldnotesError> {
    match cli.command.unwrap_or(Command::Serve(cli.serve)) {
        Command::Serve(settings) => serve(&settings).await.map(|()| ExitCode::SUCCESS),
        Command::Import(settings) => import(&settings).await.map(|()| ExitCode::SUCCESS),
        Command::Exec(settings) => exec(&settings).await,
        Command::User(settings) => user(&settings).await.map(|()| ExitCode::SUCCESS),
        Command::Comments(settings) => comments(&settings).await.map(|()| ExitCode::SUCCESS),
        Command::Site(settings) => site(&settings).await.map(|()| ExitCode::SUCCESS),
        Command::Export(settings) => export(&settings).await.map(|()| ExitCode::SUCCESS),
    }
}

async fn serve(settings: &ServeSettings) -> Result<(), FieldnotesError> {
    // Listening for Ctrl-C and SIGTERM from the start means that one arriving while PostgreSQL
    // starts ends the start-up in order, stopping what it started.
    let stop = StopRequests::listen().map_err(FieldnotesError::Signals)?;
    let listener =
        TcpListener::bind(settings.addr)
            .await
            .map_err(|source| FieldnotesError::Listen {
                addr: settings.addr,
                source,
            })?;
    let workload = Workload::Serving {
        statement_timeout: settings.limits.statement_timeout(),
    };
    let database = Database::open(&settings.database, workload, &stop).await?;
    let replicas = database::replica_pools(&settings.database_read_urls, workload)?;
    let served = serve_on(&database, replicas, settings, listener, stop).await;
    database.close().await;
    served
}

async fn serve_on(
    database: &Database,
    replicas: Vec<(String, PgPool)>,
    settings: &ServeSettings,
    listener: TcpListener,
    stop: StopRequests,
) -> Result<(), FieldnotesError> {
    if !settings.no_demo {
        match demo::import_if_new(&database.pool).await {
            Ok(Some(summary)) => {
                tracing::info!("the blog was empty, so the demo blog was imported\n{summary}")
            }
            Ok(None) => {}
            Err(error) => tracing::error!(%error, "could not import the demo blog"),
        }
    }
    if !settings.site_root.join("pkg").is_dir() {
        tracing::warn!(
            site_root = %settings.site_root.display(),
            "the compiled front end is missing: run `make build` first; pages are served without it"
        );
    }
    match app::db::accounts::any_accounts(&database.pool).await {
        Ok(false) => tracing::info!("{}", first_account_hint()),
        Ok(true) => {}
        Err(error) => tracing::error!(%error, "could not look for accounts"),
    }
    // Work in the background, for as long as the server serves.
    let background = [
        tokio::spawn(index_stale_posts(database.pool.clone())),
        tokio::spawn(forget_expired_sign_ins(database.pool.clone())),
        tokio::spawn(publish_scheduled_posts(database.pool.clone())),
        tokio::spawn(rewrite_renamed_names(database.pool.clone())),
    ];
    let state = AppState::new(AppStateInner {
        leptos_options: web::leptos_options(&settings.site_root),
        pool: database.pool.clone(),
        public_url: settings.public_url(),
        limits: settings.limits,
        trusted_proxies: settings.trusted_proxies.clone().unwrap_or_default(),
        page_cache_bytes: settings.page_cache_mb as usize * 1024 * 1024,
        metrics_token: settings.metrics_token.clone(),
        databases: Databases::new(database.pool.clone(), replicas),
    });
    let watching_replicas = state.databases.clone().watch();
    if let Ok(address) = listener.local_addr() {
        tracing::info!("Fieldnotes is serving on http://{address}");
    }
    let server = limits::serve(
        listener,
        web::router(state, &settings.cors_origins),
        settings.limits,
        stop.clone().first(),
    );
    let supervision = database.supervise(stop.clone());
    // After the first request to stop, open requests get a grace period; a second request, or
    // the end of the grace period, stops serving at once.
    let impatience = async {
        stop.clone().first().await;
        tokio::select! {
            () = stop.second() => tracing::warn!("asked again: stopping without waiting for open requests"),
            () = tokio::time::sleep(GRACE_PERIOD) => tracing::warn!("open requests did not finish in time"),
        }
    };
    tokio::select! {
        () = server => {}
        () = impatience => {}
        () = supervision => {}
        () = watching_replicas => {}
    }
    for task in background {
        task.abort();
    }
    tracing::info!("stopped serving");
    Ok(())
}

/// Brings every post's search tokens up to the present tokenizer, in the background.
async fn index_stale_posts(pool: PgPool) {
    match app::db::search::index_stale_posts(&pool).await {
        Ok(0) => {}
        Ok(count) => tracing::info!(count, "posts indexed for search"),
        Err(error) => tracing::error!(%error, "could not index posts for search"),
    }
}

/// Publishes scheduled posts when their time comes: sleeps until the next one is due, and checks
/// at least every minute for posts scheduled meanwhile (by this or another server process).
async fn publish_scheduled_posts(pool: PgPool) {
    loop {
        match app::db::scheduling::publish_due_posts(&pool).await {
            Ok(0) => {}
            Ok(count) => {
                metrics::scheduled_posts_published(count);
                tracing::info!(count, "scheduled posts published");
            }
            Err(error) => {
                tracing::error!(%error, "could not publish the scheduled posts that are due")
            }
        }
        let next = app::db::scheduling::next_due(&pool).await.ok().flatten();
        let wait = next
            .and_then(|due| (due - chrono::Utc::now()).to_std().ok())
            .map_or(SCHEDULE_CHECK, |until_due| until_due.min(SCHEDULE_CHECK));
        tokio::time::sleep(wait).await;
    }
}

/// How to make the first account, with this very program.
fn first_account_hint() -> String {
    let program = std::env::args()
        .next()
        .unwrap_or_else(|| "fieldnotes".to_string());
    format!(
        "No one can sign in yet. Create the first administrator in another terminal with:\n\n    \
         {program} user add --email you@example.org --name \"Your Name\" --role admin\n\n\
         (with the same --data-dir or DATABASE_URL as this server), then sign in at /login."
    )
}

/// Rewrites the names kept for the posts of categories and tags renamed (by this or another
/// server process, or an import) when they had too many posts for the rename to do it, a batch
/// at a time, looking every second for more; after failures, waiting twice as long each time,
/// up to a minute.
async fn rewrite_renamed_names(pool: PgPool) {
    let mut wait = RENAME_CHECK;
    loop {
        let mut rewritten = 0;
        let failed = loop {
            match app::db::terms::rewrite_renamed_names(&pool).await {
                Ok(0) => break false,
                Ok(count) => rewritten += count,
                Err(error) => {
                    tracing::error!(%error, "could not rewrite the names of renamed categories and tags");
                    break true;
                }
            }
        };
        if rewritten > 0 {
            tracing::info!(
                posts = rewritten,
                "names of renamed categories and tags rewritten"
            );
        }
        wait = if failed {
            (wait * 2).min(Duration::from_secs(60))
        } else {
            RENAME_CHECK
        };
        tokio::time::sleep(wait).await;
    }
}

/// Forgets ended sessions and old failed sign-ins, every hour.
async fn forget_expired_sign_ins(pool: PgPool) {
    loop {
        let forgotten = app::db::accounts::forget_expired(
            &pool,
            app::auth::SESSION_IDLE_DAYS,
            app::auth::FAILURE_MEMORY_MINUTES,
        );
        if let Err(error) = forgotten.await {
            tracing::error!(%error, "could not forget ended sessions");
        }
        tokio::time::sleep(Duration::from_secs(60 * 60)).await;
    }
}

async fn comments(settings: &CommentSettingsArgs) -> Result<(), FieldnotesError> {
    let stop = StopRequests::listen().map_err(FieldnotesError::Signals)?;
    let database = Database::open(&settings.database, Workload::Command, &stop).await?;
    let words = settings
        .spam_words
        .as_deref()
        .map(app::settings::spam_words);
    let set = app::db::site::set_comment_settings(
        &database.pool,
        settings.show_pings,
        words.as_deref(),
        settings.min_writing_seconds,
    )
    .await;
    database.close().await;
    let set = set.map_err(FieldnotesError::Settings)?;
    println!(
        "Pingbacks and trackbacks: {}\nSpam words: {}\nShortest time to write a comment: {} \
         seconds",
        if set.show_pings {
            "listed under posts"
        } else {
            "hidden"
        },
        if set.spam_words.is_empty() {
            "none".to_string()
        } else {
            set.spam_words.join(", ")
        },
        set.min_writing_seconds
    );
    Ok(())
}

async fn site(settings: &SiteSettingsArgs) -> Result<(), FieldnotesError> {
    let stop = StopRequests::listen().map_err(FieldnotesError::Signals)?;
    let database = Database::open(&settings.database, Workload::Command, &stop).await?;
    let set = change_site_settings(&database.pool, settings).await;
    database.close().await;
    let site = set?;
    println!(
        "Title: {}\nTagline: {}\nLanguage: {}\nTime zone: {}\nDate format: {} ({})\nPosts per page: {}",
        site.title,
        if site.tagline.is_empty() {
            "none"
        } else {
            &site.tagline
        },
        site.language,
        site.time_zone,
        site.date_format.code(),
        app::format::day(chrono::Utc::now(), site.date_format),
        site.posts_per_page,
    );
    Ok(())
}

/// The blog's settings with the options given changed; all of them unchanged without options.
async fn change_site_settings(
    pool: &sqlx::PgPool,
    options: &SiteSettingsArgs,
) -> Result<app::model::SiteSettings, app::db::site::SettingsError> {
    let mut site = app::db::site::site_settings(pool).await?;
    let before = site.clone();
    let replace = |field: &mut String, value: &Option<String>| {
        if let Some(value) = value {
            field.clone_from(value);
        }
    };
    replace(&mut site.title, &options.title);
    replace(&mut site.tagline, &options.tagline);
    replace(&mut site.language, &options.language);
    replace(&mut site.time_zone, &options.time_zone);
    site.date_format = options.date_format.unwrap_or(site.date_format);
    site.posts_per_page = options.posts_per_page.unwrap_or(site.posts_per_page);
    if site == before {
        return Ok(site);
    }
    app::db::site::set_site_settings(pool, &site).await?;
    // As stored: a time zone in the zone database's spelling, say.
    Ok(app::db::site::site_settings(pool).await?)
}

async fn user(settings: &UserSettings) -> Result<(), FieldnotesError> {
    let stop = StopRequests::listen().map_err(FieldnotesError::Signals)?;
    let database = Database::open(&settings.database, Workload::Command, &stop).await?;
    // Asking for a password may take long: Ctrl-C ends it.
    let done = tokio::select! {
        done = users::run(&database.pool, &settings.action) => done.map_err(FieldnotesError::from),
        () = stop.first() => Err(FieldnotesError::Stopped),
    };
    database.close().await;
    println!("{}", done?);
    Ok(())
}

async fn import(settings: &ImportSettings) -> Result<(), FieldnotesError> {
    let stop = StopRequests::listen().map_err(FieldnotesError::Signals)?;
    let file = File::open(&settings.file).map_err(|source| FieldnotesError::Open {
        file: settings.file.clone(),
        source,
    })?;
    let size = file.metadata().map(|metadata| metadata.len()).unwrap_or(0);
    let database = Database::open(&settings.database, Workload::Command, &stop).await?;
    let progress = progress_bar(&settings.file, size);
    let imported = tokio::select! {
        imported = import::import_wxr(&database.pool, BufReader::new(file), |bytes| progress.set_position(bytes)) => {
            imported.map_err(|source| FieldnotesError::Import { file: settings.file.clone(), source })
        }
        // Dropping the import rolls its transaction back.
        () = stop.first() => Err(FieldnotesError::Interrupted),
    };
    progress.finish_and_clear();
    database.close().await;
    println!("{}", imported?);
    Ok(())
}

async fn export(settings: &ExportSettings) -> Result<(), FieldnotesError> {
    let stop = StopRequests::listen().map_err(FieldnotesError::Signals)?;
    let public_url = settings.public_url.trim_end_matches('/');
    let failed = |source| FieldnotesError::Export {
        file: settings.file.clone(),
        source,
    };
    let database = Database::open(&settings.database, Workload::Command, &stop).await?;
    let exported = match &settings.file {
        Some(file) => {
            // Written beside the file and moved over it once whole, so that a failed export
            // never leaves a file that looks complete, nor spoils an earlier one.
            let partial = file.with_extension("partial");
            let written = async {
                let mut out = tokio::fs::File::create(&partial).await?;
                let summary = export::export_wxr(&database.pool, public_url, &mut out).await?;
                out.sync_all().await?;
                tokio::fs::rename(&partial, file).await?;
                Ok::<_, export::ExportError>(summary)
            };
            let exported = tokio::select! {
                written = written => written.map_err(failed),
                () = stop.first() => Err(FieldnotesError::ExportInterrupted),
            };
            if exported.is_err() {
                let _ = tokio::fs::remove_file(&partial).await;
            }
            exported
        }
        None => {
            let written = async {
                let mut out = std::io::stdout();
                let summary = export::export_wxr(&database.pool, public_url, &mut out).await?;
                std::io::Write::flush(&mut out)?;
                Ok::<_, export::ExportError>(summary)
            };
            tokio::select! {
                written = written => written.map_err(failed),
                () = stop.first() => Err(FieldnotesError::ExportInterrupted),
            }
        }
    };
    database.close().await;
    // Standard output may hold the export itself: the summary goes to standard error.
    eprintln!("{}", exported?);
    Ok(())
}

async fn exec(settings: &ExecSettings) -> Result<ExitCode, FieldnotesError> {
    let (program, arguments) = settings
        .command
        .split_first()
        .ok_or(FieldnotesError::NoCommand)?;
    // Ctrl-C reaches the command from the terminal; SIGTERM and SIGHUP, sent to this process
    // alone, are passed on. Either way this process waits for the command, so that it can
    // release the database afterwards.
    let mut interrupt = signal(SignalKind::interrupt()).map_err(FieldnotesError::Signals)?;
    let mut terminate = signal(SignalKind::terminate()).map_err(FieldnotesError::Signals)?;
    let mut hang_up = signal(SignalKind::hangup()).map_err(FieldnotesError::Signals)?;
    let stop = StopRequests::listen().map_err(FieldnotesError::Signals)?;
    let database = Database::open(&settings.database, Workload::Command, &stop).await?;
    // From here on, the command decides what a Ctrl-C means (psql cancels a query).
    drop(stop);
    let role = if settings.superuser {
        ClusterRole::Superuser
    } else {
        ClusterRole::Blog
    };
    let child = tokio::process::Command::new(program)
        .args(arguments)
        .envs(database.environment(role))
        .spawn();
    let status = match child {
        Ok(mut child) => loop {
            let forward = tokio::select! {
                status = child.wait() => break status,
                _ = interrupt.recv() => None,
                _ = terminate.recv() => Some(rustix::process::Signal::TERM),
                _ = hang_up.recv() => Some(rustix::process::Signal::HUP),
            };
            if let (Some(signal), Some(pid)) = (
                forward,
                child
                    .id()
                    .and_then(|id| rustix::process::Pid::from_raw(id as i32)),
            ) {
                let _ = rustix::process::kill_process(pid, signal);
            }
        },
        Err(error) => Err(error),
    };
    database.close().await;
    let status = status.map_err(|source| FieldnotesError::Run {
        program: program.clone(),
        source,
    })?;
    Ok(status
        .code()
        .and_then(|code| u8::try_from(code).ok())
        .map_or(ExitCode::FAILURE, ExitCode::from))
}

fn progress_bar(file: &Path, size: u64) -> ProgressBar {
    if size < PROGRESS_BAR_MIN_BYTES {
        return ProgressBar::hidden();
    }
    let style = ProgressStyle::with_template("{msg} [{bar:40}] {bytes}/{total_bytes} ({eta} left)")
        .expect("the template is valid")
        .progress_chars("=> ");
    ProgressBar::new(size)
        .with_style(style)
        .with_message(format!("importing {}", file.display()))
}
