//! The `fieldnotes` command: logging, the command line, and the exit status.

use std::process::ExitCode;

use clap::Parser;
use server::config::LogFormat;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let cli = server::config::Cli::parse();
    let log = tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info")),
        )
        .with_writer(std::io::stderr);
    match cli.log_format {
        LogFormat::Text => log.init(),
        LogFormat::Json => log.json().flatten_event(true).init(),
    }
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
