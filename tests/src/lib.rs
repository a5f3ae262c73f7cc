//! What the integration tests share: the fixture files, a running copy of the app, and the
//! `fieldnotes` binary.
//!
//! Tests get a fresh database each from `#[sqlx::test]`, which needs `DATABASE_URL` to point at a
//! PostgreSQL server where it may create databases; `make test` runs them inside
//! `fieldnotes exec --superuser`, which provides the private cluster and its superuser.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use app::auth::new_token;
use app::db::accounts;
use app::model::Role;
use app::slug::slugify;
use server::client_address::TrustedProxies;
use server::config::RequestLimits;
use server::import::{ImportError, ImportSummary, import_wxr};
use server::limits::serve;
use server::page_cache;
use server::web::{AppState, AppStateInner, leptos_options, router};
use sqlx::PgPool;

mod requests;

pub use requests::{Reply, Request};

/// A file of `fixtures/wordpress` (see `fixtures/README.md`), or the demo blog for `"demo.wxr"`.
pub fn fixture(name: &str) -> PathBuf {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
    if name == "demo.wxr" {
        fixtures.join(name)
    } else {
        fixtures.join("wordpress").join(name)
    }
}

pub async fn import_fixture(pool: &PgPool, name: &str) -> Result<ImportSummary, ImportError> {
    let file = File::open(fixture(name)).unwrap_or_else(|error| panic!("fixture {name}: {error}"));
    import_wxr(pool, BufReader::new(file), |_| {}).await
}

/// A new account (its slug made from its name) with an API token: its id and the token. The
/// token's secret also opens a session, sent as the session cookie, for pages and server
/// functions, which do not take API tokens.
pub async fn account_with_token(
    pool: &PgPool,
    email: &str,
    name: &str,
    role: Role,
) -> (i64, String) {
    let mut conn = pool.acquire().await.expect("a connection");
    let slug = slugify(name);
    let id = accounts::create_account(&mut conn, email, name, &slug, role, Some("unused"))
        .await
        .expect("the account is stored")
        .expect("the address is free");
    let (token, hash) = new_token();
    accounts::create_api_token(pool, id, "tests", &hash)
        .await
        .expect("the token is stored");
    let expires_at = chrono::Utc::now() + chrono::Duration::days(1);
    accounts::start_session(pool, id, &hash, expires_at)
        .await
        .expect("the session is stored");
    (id, token)
}

/// The app, serving on a port of its own over `pool`.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
}

/// How a test's copy of the app is set up, where it differs from the defaults.
#[derive(Debug, Clone, Default)]
pub struct Setup {
    /// Sites whose pages may read the API.
    pub cors_origins: Vec<String>,
    /// Where the blog says it is published; its own address by default.
    pub public_url: Option<String>,
    pub limits: RequestLimits,
    /// The reverse proxies whose word on the client's address is believed.
    pub trusted_proxies: TrustedProxies,
    /// What callers elsewhere than this machine give to read `/metrics`.
    pub metrics_token: Option<String>,
}

impl TestApp {
    pub async fn spawn(pool: PgPool) -> Self {
        Self::spawn_with(pool, Setup::default()).await
    }

    /// The app, letting pages of `cors_origins` read its API.
    pub async fn spawn_with_cors(pool: PgPool, cors_origins: &[String]) -> Self {
        Self::spawn_with(
            pool,
            Setup {
                cors_origins: cors_origins.to_vec(),
                ..Setup::default()
            },
        )
        .await
    }

    /// The app, believing what `trusted_proxies` (addresses or ranges) say of their clients.
    pub async fn spawn_behind_proxies(pool: PgPool, trusted_proxies: &[&str]) -> Self {
        let trusted_proxies =
            TrustedProxies::parse(&trusted_proxies.join(",")).expect("addresses or ranges");
        Self::spawn_with(
            pool,
            Setup {
                trusted_proxies,
                ..Setup::default()
            },
        )
        .await
    }

    pub async fn spawn_with(pool: PgPool, setup: Setup) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let address = format!("http://{}", listener.local_addr().expect("a bound address"));
        let state = AppState::new(AppStateInner {
            leptos_options: leptos_options(Path::new("target/site")),
            pool: pool.clone(),
            public_url: setup.public_url.unwrap_or_else(|| address.clone()),
            limits: setup.limits,
            trusted_proxies: setup.trusted_proxies,
            page_cache_bytes: page_cache::DEFAULT_BYTES,
            metrics_token: setup.metrics_token,
            databases: server::replicas::Databases::new(pool, Vec::new()),
        });
        let app = router(state, &setup.cors_origins);
        tokio::spawn(serve(listener, app, setup.limits, std::future::pending()));
        Self {
            address,
            client: http_client(&setup.limits),
        }
    }

    /// The status, headers and body of `GET path`, as a reader's browser asks for a page.
    pub async fn get_with_headers(&self, path: &str) -> (u16, reqwest::header::HeaderMap, String) {
        let reply = Request::get(path).with_origin(None).send(self).await;
        (reply.status.as_u16(), reply.headers, reply.body)
    }

    /// The status and body of `GET path`, as a reader's browser asks for a page.
    pub async fn get(&self, path: &str) -> (u16, String) {
        let (status, _, body) = self.get_with_headers(path).await;
        (status, body)
    }
}

/// The `fieldnotes` binary of this build (`make test` builds it before running the tests).
pub fn fieldnotes_binary() -> PathBuf {
    let binary = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/debug/fieldnotes");
    assert!(
        binary.exists(),
        "{} is missing: build it first (cargo build -p server)",
        binary.display()
    );
    binary
}

/// Whether `html` has a `<tag>` with all these attribute values, in whatever order.
pub fn has_element(html: &str, tag: &str, attributes: &[(&str, &str)]) -> bool {
    html.split(&format!("<{tag} "))
        .skip(1)
        .filter_map(|rest| rest.split('>').next())
        .any(|element| {
            attributes
                .iter()
                .all(|(name, value)| element.contains(&format!("{name}=\"{value}\"")))
        })
}

/// The `DATABASE_URL` of a test's own database, for the `fieldnotes` commands a test runs.
pub fn database_url(pool: &PgPool) -> String {
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL is set");
    let options = pool.connect_options();
    let database = options.get_database().expect("a database");
    let separator = if base.contains('?') { '&' } else { '?' };
    format!("{base}{separator}dbname={database}")
}

/// `application/x-www-form-urlencoded`, as a browser encodes a form.
pub fn form_body<'a>(fields: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish()
}

/// The `name=value` part of a `Set-Cookie` header, as a browser sends it back.
pub fn cookie_pair(set_cookie: &str) -> String {
    set_cookie
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// A client that follows no redirects and gives up on an answer after a minute. It keeps an idle
/// connection for half the time a server with `limits` does: a request sent on a connection at
/// the moment the server closes it for idleness would fail without having reached it.
fn http_client(limits: &RequestLimits) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(60))
        .pool_idle_timeout(limits.header_timeout() / 2)
        .build()
        .expect("an HTTP client")
}

/// A `fieldnotes serve` process of its own, on a free port, with the environment given (its
/// database, say), stopped when dropped; `app` asks it.
pub struct ServerProcess {
    child: std::process::Child,
    pub app: TestApp,
}

impl ServerProcess {
    /// Starts `fieldnotes serve` with `args` and `environment`, and waits (at most two minutes)
    /// until its `/readyz` answers 200.
    pub async fn start(args: &[&str], environment: &[(&str, String)]) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .expect("a free port")
            .local_addr()
            .expect("a bound address")
            .port();
        let child = std::process::Command::new(fieldnotes_binary())
            .args(["serve", "--site-root", "../target/site", "--addr"])
            .arg(format!("127.0.0.1:{port}"))
            .args(args)
            .envs(environment.iter().map(|(name, value)| (name, value)))
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("the server starts");
        let server = ServerProcess {
            child,
            app: TestApp {
                address: format!("http://127.0.0.1:{port}"),
                client: http_client(&RequestLimits::default()),
            },
        };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        loop {
            let ready = server
                .app
                .client
                .get(format!("{}/readyz", server.app.address))
                .send()
                .await;
            if ready.is_ok_and(|reply| reply.status() == reqwest::StatusCode::OK) {
                return server;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the server was not ready within two minutes"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }

    /// Ends the process as SIGKILL does, at once.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}
