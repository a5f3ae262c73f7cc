//! Requests to a test's copy of the app, and its answers, built and read in one place.
//!
//! The app judges a request by its headers: server functions and the pages' forms are refused
//! without an `Origin` of the site, the JSON API takes a token as `Authorization: Bearer`, and
//! pages and server functions know a person by the session cookie. Each test asks for exactly the
//! headers it means to send through [`Request`], and reads every answer as a [`Reply`].

use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue, IntoHeaderName};
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::TestApp;

/// The app's answer, with its whole body.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub bytes: Vec<u8>,
    /// The body as text, for messages and for searching in pages.
    pub body: String,
}

impl Reply {
    /// The body as JSON; panics with the body when it is not JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|error| panic!("{error}: {}", self.body))
    }

    /// The (first) value of the header `name`, or `""` when the answer has none.
    pub fn header(&self, name: HeaderName) -> String {
        self.headers
            .get(name)
            .map(|value| value.to_str().unwrap().to_string())
            .unwrap_or_default()
    }

    /// The whole `Set-Cookie` header of the session cookie, if the answer sets it.
    pub fn session_cookie(&self) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .find(|value| value.starts_with("fieldnotes_session="))
            .map(str::to_string)
    }

    /// How many seconds the answer asks to wait before trying again.
    pub fn retry_after(&self) -> Option<u64> {
        self.headers
            .get(header::RETRY_AFTER)
            .map(|value| value.to_str().unwrap().parse().unwrap())
    }
}

/// The `Origin` a request sends.
enum Origin {
    /// The app's own address, as from one of its pages.
    App,
    Other(String),
    Omitted,
}

/// A request to the app, sent as one of its own pages sends it (with the app's address as
/// `Origin`) unless [`Request::with_origin`] says otherwise, and with no other header than those
/// asked for.
pub struct Request {
    method: Method,
    path: String,
    origin: Origin,
    cookies: Vec<String>,
    headers: HeaderMap,
    body: Option<Vec<u8>>,
}

impl Request {
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        Request {
            method,
            path: path.into(),
            origin: Origin::App,
            cookies: Vec::new(),
            headers: HeaderMap::new(),
            body: None,
        }
    }

    pub fn get(path: impl Into<String>) -> Self {
        Self::new(Method::GET, path)
    }

    /// `body` as JSON, asking for JSON back, as the editor's scripts send it.
    pub fn json(method: Method, path: impl Into<String>, body: &Value) -> Self {
        Self::new(method, path)
            .with_json(body)
            .accept("application/json")
    }

    /// A server function called with form-encoded arguments, asking for JSON back, as the
    /// pages' scripts call it.
    pub fn server_fn(name: &str, form: &str) -> Self {
        Self::new(Method::POST, format!("/_fn/{name}"))
            .with_body("application/x-www-form-urlencoded", form)
            .accept("application/json")
    }

    pub fn with_body(mut self, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        self.body = Some(body.into());
        self.header(header::CONTENT_TYPE, content_type)
    }

    pub fn with_json(self, body: &Value) -> Self {
        self.with_body("application/json", serde_json::to_vec(body).unwrap())
    }

    pub fn accept(self, media_type: &str) -> Self {
        self.header(header::ACCEPT, media_type)
    }

    /// Sends the header `name` with `value`, in place of any value set before.
    pub fn header(mut self, name: impl IntoHeaderName, value: &str) -> Self {
        self.headers
            .insert(name, HeaderValue::from_str(value).expect("a header value"));
        self
    }

    /// As the person whose secret `token` is (see `account_with_token`): as their API token on
    /// the JSON API, as their session's cookie on pages, images and server functions.
    pub fn by(self, token: &str) -> Self {
        if self.path.starts_with("/api/") {
            self.bearer(token)
        } else {
            self.with_cookie(format!("fieldnotes_session={token}"))
        }
    }

    /// `token` as `Authorization: Bearer`, wherever the request goes.
    pub fn bearer(mut self, token: &str) -> Self {
        let mut value = HeaderValue::from_str(&format!("Bearer {token}")).expect("a token");
        value.set_sensitive(true);
        self.headers.insert(header::AUTHORIZATION, value);
        self
    }

    /// Sends the `name=value` `cookie` too, after those added before.
    pub fn with_cookie(mut self, cookie: impl Into<String>) -> Self {
        self.cookies.push(cookie.into());
        self
    }

    /// `Some`: sent from a page of that origin; `None`: sent by no page at all, as a program or
    /// a typed address sends it.
    pub fn with_origin(mut self, origin: Option<&str>) -> Self {
        self.origin = origin.map_or(Origin::Omitted, |origin| Origin::Other(origin.to_string()));
        self
    }

    pub async fn send(self, app: &TestApp) -> Reply {
        self.send_with(&app.client, app).await
    }

    /// Sends the request through `client`, such as one bound to another local address.
    pub async fn send_with(self, client: &reqwest::Client, app: &TestApp) -> Reply {
        let mut headers = self.headers;
        let origin = match self.origin {
            Origin::App => Some(app.address.clone()),
            Origin::Other(origin) => Some(origin),
            Origin::Omitted => None,
        };
        if let Some(origin) = origin {
            headers.insert(header::ORIGIN, HeaderValue::from_str(&origin).unwrap());
        }
        if !self.cookies.is_empty() {
            let cookies = self.cookies.join("; ");
            headers.insert(header::COOKIE, HeaderValue::from_str(&cookies).unwrap());
        }
        let url = format!("{}{}", app.address, self.path);
        let mut request = client.request(self.method.clone(), &url).headers(headers);
        if let Some(body) = self.body {
            request = request.body(body);
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|error| panic!("{} {url}: {}", self.method, causes(&error)));
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("a whole body").to_vec();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes,
        }
    }
}

/// An error with the errors that caused it, outermost first.
fn causes(error: &dyn std::error::Error) -> String {
    std::iter::successors(Some(error), |error| error.source())
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(": ")
}
