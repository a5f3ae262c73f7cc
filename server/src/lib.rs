//! The `fieldnotes` server: configuration, the database it runs on, the HTTP router, the
//! WordPress importer and the command line that ties them together.

pub mod api;
pub mod cluster;
pub mod config;
pub mod database;
pub mod demo;
pub mod feeds;
pub mod import;
pub mod sitemap;
pub mod web;

use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use sqlx::PgPool;
use tokio::net::TcpListener;
use tokio::signal::unix::{SignalKind, signal};

use crate::config::{Cli, Command, ExecSettings, ImportSettings, ServeSettings};
use crate::database::Database;
use crate::web::AppState;

/// How often the server looks for newly scheduled posts.
const SCHEDULE_CHECK: Duration = Duration::from_secs(60);

/// Exports smaller than this import too fast for a progress bar to be worth showing.
const PROGRESS_BAR_MIN_BYTES: u64 = 1 << 20;

/// Runs the command the user asked for; an error is what to tell them.
pub async fn run(cli: Cli) -> Result<ExitCode, Box<dyn std::error::Error>> {
    match cli.command.unwrap_or(Command::Serve(cli.serve)) {
        Command::Serve(settings) => serve(&settings).await.map(|()| ExitCode::SUCCESS),
        Command::Import(settings) => import(&settings).await.map(|()| ExitCode::SUCCESS),
        Command::Exec(settings) => exec(&settings).await,
    }
}

async fn serve(settings: &ServeSettings) -> Result<(), Box<dyn std::error::Error>> {
    // Listening for Ctrl-C and SIGTERM from the start means that one arriving while PostgreSQL
    // starts still ends in an orderly stop, once start-up is through.
    let shutdown = shutdown_signal()?;
    let listener = TcpListener::bind(settings.addr)
        .await
        .map_err(|error| format!("cannot listen on {}: {error}", settings.addr))?;
    let database = Database::open(&settings.database).await?;
    let served = serve_on(&database, settings, listener, shutdown).await;
    database.close().await;
    served
}

async fn serve_on(
    database: &Database,
    settings: &ServeSettings,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Box<dyn std::error::Error>> {
    if !settings.no_demo
        && let Some(summary) = demo::import_if_new(&database.pool).await?
    {
        tracing::info!("the blog was empty, so the demo blog was imported\n{summary}");
    }
    if !settings.site_root.join("pkg").is_dir() {
        tracing::warn!(
            site_root = %settings.site_root.display(),
            "the compiled front end is missing: run `make build` first; pages are served without it"
        );
    }
    tokio::spawn(index_stale_posts(database.pool.clone()));
    tokio::spawn(list_scheduled_posts(database.pool.clone()));
    let state = AppState {
        leptos_options: web::leptos_options(&settings.site_root),
        pool: database.pool.clone(),
        public_url: settings.public_url(),
    };
    let address = listener.local_addr()?;
    tracing::info!("Fieldnotes is serving on http://{address}");
    axum::serve(listener, web::router(state, &settings.cors_origins))
        .with_graceful_shutdown(shutdown)
        .await?;
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

/// Lists scheduled posts when their time comes: sleeps until the next one is due, and checks at
/// least every minute for posts scheduled meanwhile (by this or another server process).
async fn list_scheduled_posts(pool: PgPool) {
    loop {
        if let Err(error) = app::db::listings::list_due_posts(&pool).await {
            tracing::error!(%error, "could not list the scheduled posts that are due");
        }
        let next = app::db::listings::next_due(&pool).await.ok().flatten();
        let wait = next
            .and_then(|due| (due - chrono::Utc::now()).to_std().ok())
            .map_or(SCHEDULE_CHECK, |until_due| until_due.min(SCHEDULE_CHECK));
        tokio::time::sleep(wait).await;
    }
}

async fn import(settings: &ImportSettings) -> Result<(), Box<dyn std::error::Error>> {
    let file = File::open(&settings.file)
        .map_err(|error| format!("cannot open {}: {error}", settings.file.display()))?;
    let size = file.metadata()?.len();
    let database = Database::open(&settings.database).await?;
    let progress = progress_bar(&settings.file, size);
    let imported = import::import_wxr(&database.pool, BufReader::new(file), |bytes| {
        progress.set_position(bytes)
    })
    .await;
    progress.finish_and_clear();
    database.close().await;
    let summary = imported.map_err(|error| format!("{}: {error}", settings.file.display()))?;
    println!("{summary}");
    Ok(())
}

async fn exec(settings: &ExecSettings) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let (program, arguments) = settings.command.split_first().ok_or("no command given")?;
    let database = Database::open(&settings.database).await?;
    // Ctrl-C reaches the command, which decides what to do; this process waits for it either way,
    // so that it can release the database afterwards.
    let _ignore_interrupts = signal(SignalKind::interrupt())?;
    let status = tokio::process::Command::new(program)
        .args(arguments)
        .envs(database.environment())
        .status()
        .await;
    database.close().await;
    let status = status.map_err(|error| format!("cannot run {program}: {error}"))?;
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

/// Listens for Ctrl-C (SIGINT) and SIGTERM from now on; the future resolves on either.
fn shutdown_signal() -> std::io::Result<impl Future<Output = ()>> {
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
        tracing::info!("shutting down");
    })
}
