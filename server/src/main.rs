//! The `fieldnotes` command: logging, the command line, and the exit status.

use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = server::config::Cli::parse();
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
