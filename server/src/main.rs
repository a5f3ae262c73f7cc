//! The `fieldnotes` command: logging, the command line, and the exit status.

use std::process::ExitCode;

use clap::Parser;
use server::config::LogFormat;
use server::metrics::{POOL_ACQUIRE_TARGET, PoolWaits};
use tracing_log::{AsLog, LogTracer};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::prelude::*;
use tracing_subscriber::{EnvFilter, Layer};

fn main() -> ExitCode {
    let cli = server::config::Cli::parse();
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let logged = filter.max_level_hint().unwrap_or(LevelFilter::TRACE);
    let log = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let log = match cli.log_format {
        LogFormat::Text => log.with_filter(filter).boxed(),
        LogFormat::Json => log.json().flatten_event(true).with_filter(filter).boxed(),
    };
    // The pool's events reach the metrics whatever the log shows.
    let pool_waits = PoolWaits
        .with_filter(Targets::new().with_target(POOL_ACQUIRE_TARGET, tracing::Level::TRACE));
    tracing::subscriber::set_global_default(
        tracing_subscriber::registry().with(log).with(pool_waits),
    )
    .expect("logging is set up once");
    // Records of crates that use `log` (html5ever under ammonia, among others) are made only up to
    // the level the log shows: the metrics' trace-level interest in sqlx's pool would otherwise
    // have every parser's trace records formatted and thrown away.
    LogTracer::builder()
        .with_max_level(logged.as_log())
        .init()
        .expect("logging is set up once");
    let runtime = tokio::runtime::Runtime::new().expect("the async runtime starts");
    let code = runtime.block_on(async {
        match server::run(cli).await {
            Ok(code) => code,
            Err(error) => {
                eprintln!("fieldnotes: {error}");
                ExitCode::FAILURE
            }
        }
    });
    // A command asked to stop may leave a thread waiting for a line of input (a password): the
    // process ends without waiting for it.
    runtime.shutdown_background();
    code
}
