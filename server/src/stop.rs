//! Requests to stop (Ctrl-C, SIGTERM), counted from the moment a command starts listening: long
//! work (starting PostgreSQL, an import, serving) ends in order when asked, rather than being cut
//! off or going on regardless.

use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::watch;

/// Counts the requests to stop this process receives.
#[derive(Clone)]
pub struct StopRequests(watch::Receiver<u32>);

impl StopRequests {
    /// Starts listening for Ctrl-C and SIGTERM.
    pub fn listen() -> std::io::Result<Self> {
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        let (count, requests) = watch::channel(0);
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = interrupt.recv() => {}
                    _ = terminate.recv() => {}
                    // No one asks any more: the signals are someone else's to handle.
                    () = count.closed() => return,
                }
                tracing::info!("asked to stop");
                count.send_modify(|count| *count += 1);
            }
        });
        Ok(Self(requests))
    }

    /// Requests that never come, for work that no one can ask to stop.
    pub fn never() -> Self {
        let (_, requests) = watch::channel(0);
        Self(requests)
    }

    /// Whether a stop was asked for: for blocking work, which looks between its steps.
    pub fn requested(&self) -> bool {
        *self.0.borrow() >= 1
    }

    /// Waits for the first request to stop.
    pub async fn first(self) {
        self.at_least(1).await;
    }

    /// Waits for a second request to stop, which asks not to wait for anything.
    pub async fn second(self) {
        self.at_least(2).await;
    }

    async fn at_least(mut self, requests: u32) {
        if self.0.wait_for(|count| *count >= requests).await.is_err() {
            // No one is listening for signals: no request will come.
            std::future::pending::<()>().await;
        }
    }
}
