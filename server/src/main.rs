//! The `fieldnotes` command: logging, the command line, and the exit status.

use std::process::ExitCode;

use clap::Parser;
use server::config::LogFormat;
use server::metrics::{POOL_ACQUIRE_TARGET, PoolWaits};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::prelude::*;
use tracing_subscriber::{EnvFilter, Layer};

fn main() -> ExitCode {
    let cli = server::config::Cli::parse();
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let log = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let log = match cli.log_format {
        LogFormat::Text => log.with_filter(filter).boxed(),
        LogFormat::Json => log.json().flatten_event(true).with_filter(filter).boxed(),
    };
    // The pool's events reach the metrics whatever the log shows.
    let pool_waits = PoolWaits
        .with_filter(Targets::new().with_target(POOL_ACQUIRE_TARGET, tracing::Level::TRACE));
    tracing_subscriber::registry()
        .with(log)
        .with(pool_waits)
        .init();
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
