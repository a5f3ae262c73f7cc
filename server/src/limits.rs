//! Bounds on what a client can hold of the server: every request is answered within a set time
//! (longer for a large body, which must arrive at a minimum rate), only so many are served at
//! once (the rest are told at once to come back shortly), only so many pages are rendered at once
//! (the rest wait their turn, for a bounded time), only so many connections are open at once,
//! and a connection whose client is slow to send its headers, stays idle between requests, or
//! stops reading its answer, is closed. Database statements have a time limit of their own (see
//! `Workload::Serving`).

use std::future::Future;
use std::net::SocketAddr;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use app::error::AppError;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body::Body as _;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_io_timeout::TimeoutStream;
use tower_service::Service;

use crate::config::RequestLimits;

/// Answers 503 at once, with a Retry-After, when every permit is held by a request in progress.
pub async fn shed_load(
    State(permits): State<Arc<Semaphore>>,
    request: Request,
    next: Next,
) -> Response {
    let Ok(_permit) = permits.try_acquire() else {
        tracing::warn!(path = %request.uri().path(), "too many requests at once: one was turned away");
        return AppError::busy().into_response();
    };
    next.run(request).await
}

/// How many pages one process renders at once. A render asks up to a dozen database statements
/// at once and keeps a core busy between them: more at once share the connections and the cores,
/// and each takes longer without more being done.
pub const PAGE_RENDERS_AT_ONCE: usize = 4;
/// How long a page waits for its turn to be rendered before the reader is told to come back.
const RENDER_TURN_TIMEOUT: Duration = Duration::from_secs(10);
/// The most of a rendered page read before it is sent.
const MAX_PAGE_BYTES: usize = 64 * 1024 * 1024;

/// Renders pages in turn, at most `turns` at once (server functions are not held). A page is
/// rendered whole before its turn ends, so that a client slow to read it does not hold the turn
/// (the pages readers share are read whole by the page cache anyway).
pub async fn render_in_turn(
    State(turns): State<Arc<Semaphore>>,
    request: Request,
    next: Next,
) -> Response {
    if is_server_function(&request) {
        return next.run(request).await;
    }
    let path = request.uri().path().to_string();
    let Ok(Ok(turn)) = tokio::time::timeout(RENDER_TURN_TIMEOUT, turns.acquire()).await else {
        tracing::warn!(%path, "a page waited too long for its turn to be rendered");
        return AppError::busy().into_response();
    };
    let (parts, body) = next.run(request).await.into_parts();
    let body = axum::body::to_bytes(body, MAX_PAGE_BYTES).await;
    drop(turn);
    match body {
        Ok(body) => Response::from_parts(parts, Body::from(body)),
        Err(error) => {
            tracing::error!(%path, %error, "a page could not be rendered whole");
            AppError::Internal.into_response()
        }
    }
}

/// The most the API and server functions read of a request's body: a post of the longest allowed
/// body, escaped. (Image uploads may be larger: see `app::uploads::MAX_IMAGE_BYTES`.)
pub const MAX_REQUEST_BYTES: usize = 3 * app::writing::MAX_BODY_BYTES;

/// Whether a request is for a server function.
pub fn is_server_function(request: &Request) -> bool {
    request.uri().path().starts_with(env!("SERVER_FN_PREFIX"))
}

/// A request's body must arrive at least this fast: its time limit grows by how long its declared
/// length takes at this rate (an image upload of 10 MB gets about five minutes more), up to the
/// time the largest body any route accepts takes.
pub const MIN_BODY_BYTES_PER_SECOND: u64 = 32 * 1024;
const LARGEST_BODY_BYTES: u64 = app::uploads::MAX_IMAGE_BYTES as u64;

/// Answers a request that is not answered within `limit` (plus the time its body may take):
/// 408 when its body had not arrived, otherwise 503 with a Retry-After. Dropping the request ends
/// its work (and cancels the database statement it was waiting for).
pub async fn time_out(State(limit): State<Duration>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let declared_length = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|length| length.to_str().ok()?.parse::<u64>().ok())
        .unwrap_or(0)
        .min(LARGEST_BODY_BYTES);
    let limit = limit + Duration::from_secs(declared_length / MIN_BODY_BYTES_PER_SECOND);
    let body_read = Arc::new(AtomicBool::new(request.body().is_end_stream()));
    let request = request.map(|body| {
        Body::new(WatchedBody {
            body,
            read: body_read.clone(),
        })
    });
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) if !body_read.load(Ordering::Relaxed) => {
            tracing::warn!(%path, ?limit, "a request's body arrived too slowly");
            AppError::RequestTimeout(format!(
                "The request's body did not arrive within {} seconds: it must arrive at {} KB a \
                 second or faster.",
                limit.as_secs(),
                MIN_BODY_BYTES_PER_SECOND / 1024
            ))
            .into_response()
        }
        Err(_) => {
            tracing::warn!(%path, ?limit, "a request took too long and was given up");
            AppError::busy().into_response()
        }
    }
}

/// A request body that notes when it has been read to its end.
struct WatchedBody {
    body: Body,
    read: Arc<AtomicBool>,
}

impl http_body::Body for WatchedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        let frame = Pin::new(&mut self.body).poll_frame(context);
        if matches!(frame, Poll::Ready(None)) || self.body.is_end_stream() {
            self.read.store(true, Ordering::Relaxed);
        }
        frame
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

/// Serves `router` over HTTP/1.1 on `listener` until `stop` resolves, then lets open requests
/// finish. At most `limits.max_connections` connections are open at once: further clients wait
/// in the listening socket's queue. A client has `limits.header_timeout` to send a request's
/// headers, which is also how long a connection may stay idle between requests; a client that
/// takes no part of its answer for `limits.request_timeout` is disconnected.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: RequestLimits,
    stop: impl Future<Output = ()>,
) {
    let connections = GracefulShutdown::new();
    let open_connections = Arc::new(Semaphore::new(limits.max_connections as usize));
    let mut stop = pin!(stop);
    loop {
        let permit = tokio::select! {
            permit = open_connections.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut stop => break,
        };
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, say: accepting again at once would fail again.
                    tracing::warn!(%error, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let router = router.clone();
        let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
            let mut request = request.map(Body::new);
            request
                .extensions_mut()
                .insert(ConnectInfo::<SocketAddr>(remote));
            router.clone().call(request)
        });
        let mut stream = TimeoutStream::new(stream);
        stream.set_write_timeout(Some(limits.request_timeout()));
        let connection = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_timeout())
            .serve_connection(TokioIo::new(Box::pin(stream)), service);
        let connection = connections.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, %remote, "a connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    connections.shutdown().await;
}
