//! Who a request comes from: its session cookie or (on the JSON API only) API token, resolved to
//! an account for the handlers and server functions behind; its address, for the limits on
//! signing in and commenting; and the refusal of state-changing requests that another site's page
//! made with a reader's cookie (cross-site request forgery).

use std::net::SocketAddr;

use app::auth::{
    ClientAddress, SESSION_COOKIE, SESSION_IDLE_DAYS, SignedIn, SignedInBySession, cookie,
    token_hash,
};
use app::db::accounts;
use app::error::{AppError, Problem};
use app::model::Account;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderName, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sqlx::PgPool;

use crate::web::AppState;

/// Files that are the same for everyone: no need to look up who asks for them. (Images are not:
/// unpublished ones are shown to the people who may change the posts that use them.)
const PUBLIC_FILES: [&str; 3] = ["/pkg/", "/editor/", "/favicon"];

/// Notes the request's address and the account it acts for, if any, in its extensions.
pub async fn identify(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if PUBLIC_FILES.iter().any(|prefix| path.starts_with(prefix)) {
        return next.run(request).await;
    }
    let on_api = path.starts_with("/api/");
    if let Some(ConnectInfo(peer)) = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .copied()
    {
        let client = state
            .trusted_proxies
            .client_address(peer.ip(), request.headers());
        request.extensions_mut().insert(ClientAddress(client));
    }
    match account_of(&state.pool, on_api, request.headers()).await {
        Ok(Some((account, by_session))) => {
            request.extensions_mut().insert(SignedIn(account));
            if by_session {
                request.extensions_mut().insert(SignedInBySession);
            }
        }
        Ok(None) => {}
        Err(error) => return AppError::from(error).into_response(),
    }
    next.run(request).await
}

/// The account a request acts for, and whether by its session cookie. An API token counts on
/// the JSON API only: pages and server functions (among them those that manage tokens) know
/// signed-in browsers alone, so that a token cannot do more than its program needs.
async fn account_of(
    pool: &PgPool,
    on_api: bool,
    headers: &HeaderMap,
) -> sqlx::Result<Option<(Account, bool)>> {
    if let Some(token) = bearer_token(headers).filter(|_| on_api) {
        let account = accounts::token_account(pool, &token_hash(token)).await?;
        return Ok(account.map(|account| (account, false)));
    }
    match cookie(headers, SESSION_COOKIE) {
        Some(token) if !token.is_empty() => {
            let account =
                accounts::session_account(pool, &token_hash(token), SESSION_IDLE_DAYS).await?;
            Ok(account.map(|account| (account, true)))
        }
        _ => Ok(None),
    }
}

pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Refuses a state-changing request that a browser may have sent with the reader's cookie from
/// another site's page: server functions always, other requests when they carry a session
/// cookie. Such a request must say it comes from this site (`Origin`, or else `Sec-Fetch-Site`
/// or `Referer`); browsers set these headers and pages cannot forge them.
pub async fn refuse_cross_site(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let changes_state = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let is_server_function = crate::limits::is_server_function(&request);
    let carries_cookie = cookie(request.headers(), SESSION_COOKIE).is_some();
    // Another site's page cannot send an Authorization header without the API's consent (CORS),
    // so a request with a token is a program's or this site's own. Tokens count on the API only.
    let has_token =
        request.uri().path().starts_with("/api/") && bearer_token(request.headers()).is_some();
    if changes_state
        && (is_server_function || carries_cookie)
        && !has_token
        && !from_this_site(request.headers(), &state.public_url)
    {
        let refused = "This request did not come from a page of this site, so it was refused. \
                       Reload the page and try again.";
        return if is_server_function {
            (
                StatusCode::FORBIDDEN,
                axum::Json(AppError::Forbidden(refused.to_string())),
            )
                .into_response()
        } else {
            Problem::new(StatusCode::FORBIDDEN, refused).into_response()
        };
    }
    next.run(request).await
}

fn from_this_site(headers: &HeaderMap, public_url: &str) -> bool {
    let text = |name| headers.get(name).and_then(|value| value.to_str().ok());
    let host = text(header::HOST);
    let same_site = |url: &str| {
        let Ok(uri) = url.parse::<Uri>() else {
            return false;
        };
        let origin = uri.scheme_str().zip(uri.authority());
        origin.is_some_and(|(scheme, authority)| {
            host == Some(authority.as_str())
                || public_url.parse::<Uri>().ok().is_some_and(|public| {
                    public.scheme_str() == Some(scheme) && public.authority() == Some(authority)
                })
        })
    };
    if let Some(origin) = text(header::ORIGIN) {
        return same_site(origin);
    }
    if let Some(site) = text(HeaderName::from_static("sec-fetch-site")) {
        return site == "same-origin";
    }
    text(header::REFERER).is_some_and(same_site)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| {
                (
                    HeaderName::from_static(name),
                    value.parse().expect("a header value"),
                )
            })
            .collect()
    }

    #[test]
    fn requests_from_this_site_pass() {
        let public = "https://blog.example.org";
        for case in [
            headers(&[
                ("host", "127.0.0.1:3000"),
                ("origin", "http://127.0.0.1:3000"),
            ]),
            headers(&[
                ("host", "internal:80"),
                ("origin", "https://blog.example.org"),
            ]),
            headers(&[("host", "x"), ("sec-fetch-site", "same-origin")]),
            headers(&[
                ("host", "127.0.0.1:3000"),
                ("referer", "http://127.0.0.1:3000/write"),
            ]),
        ] {
            assert!(from_this_site(&case, public), "{case:?}");
        }
    }

    #[test]
    fn requests_from_elsewhere_are_refused() {
        let public = "https://blog.example.org";
        for case in [
            headers(&[
                ("host", "127.0.0.1:3000"),
                ("origin", "https://evil.example"),
            ]),
            headers(&[("host", "127.0.0.1:3000"), ("origin", "null")]),
            headers(&[
                ("host", "blog.example.org"),
                ("origin", "http://blog.example.org.evil.example"),
            ]),
            headers(&[("host", "127.0.0.1:3000"), ("sec-fetch-site", "cross-site")]),
            headers(&[
                ("host", "127.0.0.1:3000"),
                ("referer", "https://evil.example/?http://127.0.0.1:3000"),
            ]),
            headers(&[("host", "127.0.0.1:3000")]),
        ] {
            assert!(!from_this_site(&case, public), "{case:?}");
        }
    }
}
