//! What the integration tests share: the fixture files, a running copy of the app, and the
//! `fieldnotes` binary.
//!
//! Tests get a fresh database each from `#[sqlx::test]`, which needs `DATABASE_URL` to point at a
//! PostgreSQL server where it may create databases; `make test` runs them inside
//! `fieldnotes exec`, which provides the private cluster.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use server::import::{ImportError, ImportSummary, import_wxr};
use server::web::{AppState, leptos_options, router};
use sqlx::PgPool;

/// A file of the shared WordPress corpus, or the demo blog for `"seed-blog.wxr"`.
pub fn fixture(name: &str) -> PathBuf {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures");
    if name == "seed-blog.wxr" {
        shared.join(name)
    } else {
        shared.join("wordpress").join(name)
    }
}

pub async fn import_fixture(pool: &PgPool, name: &str) -> Result<ImportSummary, ImportError> {
    let file = File::open(fixture(name)).unwrap_or_else(|error| panic!("fixture {name}: {error}"));
    import_wxr(pool, BufReader::new(file), |_| {}).await
}

/// A new account (its slug made from its name) with an API token: its id and the token.
pub async fn account_with_token(
    pool: &PgPool,
    email: &str,
    name: &str,
    role: app::model::Role,
) -> (i64, String) {
    let mut conn = pool.acquire().await.expect("a connection");
    let slug = app::slug::slugify(name);
    let id = app::db::accounts::create_account(&mut conn, email, name, &slug, role, "unused")
        .await
        .expect("the account is stored")
        .expect("the address is free");
    let (token, hash) = app::auth::new_token();
    app::db::accounts::create_api_token(pool, id, "tests", &hash)
        .await
        .expect("the token is stored");
    (id, token)
}

/// The app, serving on a port of its own over `pool`.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
}

impl TestApp {
    pub async fn spawn(pool: PgPool) -> Self {
        Self::spawn_with_cors(pool, &[]).await
    }

    /// The app, letting pages of `cors_origins` read its API.
    pub async fn spawn_with_cors(pool: PgPool, cors_origins: &[String]) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let address = format!("http://{}", listener.local_addr().expect("a bound address"));
        let state = AppState {
            leptos_options: leptos_options(Path::new("target/site")),
            pool,
            public_url: address.clone(),
        };
        let app = router(state, cors_origins);
        tokio::spawn(async move {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .await
        });
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client");
        Self { address, client }
    }

    /// The status and body of `GET path`.
    pub async fn get(&self, path: &str) -> (u16, String) {
        let response = self
            .client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .unwrap_or_else(|error| panic!("GET {path}: {error}"));
        let status = response.status().as_u16();
        (status, response.text().await.expect("a text body"))
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
