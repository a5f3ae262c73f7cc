//! The `fieldnotes` command: logging, the command line, and the exit status.

use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = server::config::Cli::parse();
    match server::run(cli).await {
        Ok(code) => code,
        Err(error) => {
            eprintln!("fieldnotes: {error}");
            ExitCode::FAILURE
        }
    }
}
