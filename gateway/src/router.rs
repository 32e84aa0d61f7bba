//! [`router`]: the sandbox's routes (axum), and [`prepare`], which readies a request for them.
//!
//! | Path | Methods | Handler |
//! |---|---|---|
//! | `/health` | `GET` | `ok` |
//! | `/v1/checkout/sessions` | `POST` | [`api::create`] |
//! | `/v1/checkout/sessions/{id}` | `GET` | [`api::retrieve`] |
//! | `/v1/checkout/sessions/{id}/expire` | `POST` | [`api::expire`] |
//! | `/v1/refunds` | `POST` | [`api::refund`] |
//! | `/pay/{id}` | `GET`, `POST`, others | [`pay::show`], [`pay::pay`], [`pay::other`] |
//! | `/email` | `POST` | [`postmark::send`] (Postmark's API, any client) |
//! | `/_sandbox/emails` | `GET`, `DELETE` | [`sandbox::emails`], [`sandbox::delete_emails`], loopback clients only |
//! | `/_sandbox/outbox` | `GET` | [`sandbox::outbox`] (HTML), loopback clients only |
//! | `/_sandbox/outbox/{id}` | `GET` | [`sandbox::outbox_email`] (HTML), loopback clients only |
//! | `/_sandbox/…` | see [`sandbox`] | [`sandbox`]'s handlers, loopback clients only |
//!
//! Anything else under `/v1` is [`api::unknown`], under `/_sandbox` [`sandbox::unknown`], and
//! elsewhere (other methods on `/email` included) a plain 404. A method a path does not serve
//! goes to the same handler as an unknown path below the same prefix (never to axum's bare
//! 405), and `HEAD` is not taken as `GET`. Every handler reads the body first (see
//! [`crate::request`]), so a body over the limit is a 413 on any path.
//!
//! An id segment may be empty (`/pay/`, `/v1/checkout/sessions/`, `/_sandbox/outbox/`): that is
//! the session or e-mail `""`, which does not exist, as for any other unknown id.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::ConnectInfo;
use axum::handler::Handler;
use axum::http::uri::PathAndQuery;
use axum::http::{StatusCode, Uri};
use axum::routing::{any, MethodRouter};
use axum::Router;

use crate::reply::Reply;
use crate::request::{RawPath, Request};
use crate::state::App;
use crate::{api, pay, postmark, sandbox};

/// Every route of the sandbox, on `app`.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/health", get_or(health, not_found))
        .route("/v1/checkout/sessions", post_or(api::create, api::unknown))
        .route(
            "/v1/checkout/sessions/",
            get_or(api::retrieve, api::unknown),
        )
        .route(
            "/v1/checkout/sessions/{id}",
            get_or(api::retrieve, api::unknown),
        )
        .route(
            "/v1/checkout/sessions/{id}/expire",
            post_or(api::expire, api::unknown),
        )
        .route("/v1/refunds", post_or(api::refund, api::unknown))
        .route("/v1", any(api::unknown))
        .route("/v1/", any(api::unknown))
        .route("/v1/{*rest}", any(api::unknown))
        .route("/pay/", pay_routes())
        .route("/pay/{id}", pay_routes())
        .route("/email", post_or(postmark::send, not_found))
        .route(
            "/_sandbox/faults",
            post_or(sandbox::faults, sandbox::unknown),
        )
        .route("/_sandbox/reset", post_or(sandbox::reset, sandbox::unknown))
        .route(
            "/_sandbox/webhooks/flush",
            post_or(sandbox::flush, sandbox::unknown),
        )
        .route("/_sandbox/stats", get_or(sandbox::stats, sandbox::unknown))
        .route(
            "/_sandbox/sessions",
            get_or(sandbox::sessions, sandbox::unknown),
        )
        .route(
            "/_sandbox/events",
            get_or(sandbox::events, sandbox::unknown),
        )
        .route(
            "/_sandbox/refunds",
            get_or(sandbox::refunds, sandbox::unknown),
        )
        .route(
            "/_sandbox/sessions/{id}/complete",
            post_or(sandbox::complete, sandbox::unknown),
        )
        .route(
            "/_sandbox/emails",
            get_or(sandbox::emails, sandbox::unknown).delete(sandbox::delete_emails),
        )
        .route(
            "/_sandbox/outbox",
            get_or(sandbox::outbox, sandbox::unknown),
        )
        .route(
            "/_sandbox/outbox/",
            get_or(sandbox::outbox_email, sandbox::unknown),
        )
        .route(
            "/_sandbox/outbox/{id}",
            get_or(sandbox::outbox_email, sandbox::unknown),
        )
        .route("/_sandbox", any(sandbox::unknown))
        .route("/_sandbox/", any(sandbox::unknown))
        .route("/_sandbox/{*rest}", any(sandbox::unknown))
        .fallback(not_found)
        .with_state(app)
}

/// Readies a request from `peer` for [`router`]: records the peer ([`ConnectInfo`]) and the path
/// as sent ([`RawPath`], which error messages and idempotency fingerprints use), and reduces
/// leading slashes to one, so `//health` is `/health`.
pub fn prepare<B>(mut req: axum::http::Request<B>, peer: SocketAddr) -> axum::http::Request<B> {
    let path = req.uri().path().to_owned();
    req.extensions_mut().insert(ConnectInfo(peer));
    if path.starts_with("//") {
        let tidy = match req.uri().query() {
            Some(query) => format!("/{}?{query}", path.trim_start_matches('/')),
            None => format!("/{}", path.trim_start_matches('/')),
        };
        let mut parts = req.uri().clone().into_parts();
        parts.path_and_query = PathAndQuery::try_from(tidy).ok();
        if let Ok(uri) = Uri::from_parts(parts) {
            *req.uri_mut() = uri;
        }
    }
    req.extensions_mut().insert(RawPath(path));
    req
}

/// `GET` to `handler`, every other method (`HEAD` included) to `other`.
fn get_or<H, T, O, U>(handler: H, other: O) -> MethodRouter<Arc<App>>
where
    H: Handler<T, Arc<App>>,
    O: Handler<U, Arc<App>>,
    T: 'static,
    U: 'static,
{
    // `any` first, so no `Allow` header is added to what `other` answers; `head` explicitly,
    // as axum would otherwise answer `HEAD` with the `GET` handler.
    any(other.clone()).get(handler).head(other)
}

/// `POST` to `handler`, every other method to `other`.
fn post_or<H, T, O, U>(handler: H, other: O) -> MethodRouter<Arc<App>>
where
    H: Handler<T, Arc<App>>,
    O: Handler<U, Arc<App>>,
    T: 'static,
    U: 'static,
{
    any(other).post(handler)
}

fn pay_routes() -> MethodRouter<Arc<App>> {
    any(pay::other)
        .get(pay::show)
        .head(pay::other)
        .post(pay::pay)
}

async fn health(_req: Request) -> Reply {
    Reply::text(StatusCode::OK, "ok")
}

async fn not_found(_req: Request) -> Reply {
    Reply::text(StatusCode::NOT_FOUND, "Not found.")
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::{HeaderMap, Method};
    use bytes::Bytes;
    use tower::ServiceExt;

    use super::*;
    use crate::request::MAX_BODY_BYTES;
    use crate::state::tests::{app, new_session};

    const AUTH: (&str, &str) = ("authorization", "Bearer sk_test_123");
    const LOCAL: [u8; 4] = [127, 0, 0, 1];

    struct Answer {
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
    }

    impl Answer {
        fn text(&self) -> &str {
            std::str::from_utf8(&self.body).unwrap()
        }

        fn json(&self) -> serde_json::Value {
            serde_json::from_slice(&self.body).unwrap()
        }

        fn message(&self) -> String {
            self.json()["error"]["message"].as_str().unwrap().to_owned()
        }
    }

    /// Sends a request through [`prepare`] and [`router`], as the server does.
    async fn send(
        app: &Arc<App>,
        from: [u8; 4],
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: impl Into<Body>,
    ) -> Answer {
        let mut req = axum::http::Request::builder().method(method).uri(path);
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        let req = prepare(req.body(body.into()).unwrap(), (from, 50_000).into());
        let response = router(Arc::clone(app)).oneshot(req).await.unwrap();
        let (parts, body) = response.into_parts();
        Answer {
            status: parts.status,
            headers: parts.headers,
            body: axum::body::to_bytes(body, usize::MAX).await.unwrap(),
        }
    }

    async fn call(app: &Arc<App>, method: Method, path: &str, headers: &[(&str, &str)]) -> Answer {
        send(app, LOCAL, method, path, headers, Body::empty()).await
    }

    #[tokio::test]
    async fn routes_health_and_guards_the_sandbox_controls() {
        let app = app();
        let ok = call(&app, Method::GET, "/health", &[]).await;
        assert_eq!((ok.status, ok.text()), (StatusCode::OK, "ok"));
        let missing = call(&app, Method::GET, "/nope", &[]).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        let remote = send(
            &app,
            [192, 0, 2, 7],
            Method::GET,
            "/_sandbox/stats",
            &[],
            "",
        )
        .await;
        assert_eq!(remote.status, StatusCode::FORBIDDEN);
        for path in ["/_sandbox/x", "/_sandbox/emails", "/_sandbox/outbox"] {
            let remote = send(&app, [192, 0, 2, 7], Method::GET, path, &[], "").await;
            assert_eq!(remote.status, StatusCode::FORBIDDEN, "{path}");
        }
        let remote = send(
            &app,
            [192, 0, 2, 7],
            Method::DELETE,
            "/_sandbox/emails",
            &[],
            "",
        )
        .await;
        assert_eq!(remote.status, StatusCode::FORBIDDEN);
        // The e-mail API itself is for anyone (here: refused for want of a token, not a 403).
        let remote = send(&app, [192, 0, 2, 7], Method::POST, "/email", &[], "").await;
        assert_eq!(remote.status, StatusCode::UNAUTHORIZED);
        let local = call(&app, Method::GET, "/_sandbox/stats", &[]).await;
        assert_eq!(local.status, StatusCode::OK);
    }

    /// Method, path and whether it sends the key; the status and a piece of the answer. `{id}`
    /// stands for an open session's id. In this order, as paying changes the later answers.
    const ROUTES: &[(&str, &str, bool, u16, &str)] = &[
        ("POST", "/v1/checkout/sessions", true, 400, "mode"),
        ("GET", "/v1/checkout/sessions/{id}", true, 200, "{id}"),
        ("POST", "/v1/refunds", true, 400, "payment_intent"),
        ("GET", "/pay/{id}", false, 200, "<form"),
        ("POST", "/pay/{id}", false, 400, "invalid"),
        ("PUT", "/pay/{id}", false, 405, "GET or POST"),
        ("POST", "/_sandbox/faults", false, 200, "fail_next_creates"),
        ("POST", "/_sandbox/webhooks/flush", false, 200, "delivered"),
        ("GET", "/_sandbox/sessions", false, 200, "{id}"),
        ("GET", "/_sandbox/events", false, 200, "[]"),
        ("GET", "/_sandbox/refunds", false, 200, "[]"),
        ("POST", "/_sandbox/reset", false, 200, "hold_webhooks"),
        (
            "POST",
            "/_sandbox/sessions/{id}/complete",
            false,
            200,
            "paid",
        ),
        (
            "POST",
            "/v1/checkout/sessions/{id}/expire",
            true,
            400,
            "`complete`",
        ),
        ("GET", "/_sandbox/stats", false, 200, "sessions_created"),
        ("GET", "/health", false, 200, "ok"),
        ("POST", "/email", false, 401, "\"ErrorCode\":10"),
        ("GET", "/_sandbox/emails", false, 200, "[]"),
        ("DELETE", "/_sandbox/emails", false, 200, "deleted"),
        ("GET", "/_sandbox/outbox", false, 200, "The outbox is empty"),
        (
            "GET",
            "/_sandbox/outbox/{id}",
            false,
            404,
            "Message not found",
        ),
    ];

    #[tokio::test]
    async fn every_route_reaches_its_handler() {
        let app = app();
        let s = app.create_session(new_session(crate::ids::unix_now() + 600), 0);
        for (method, path, key, status, needle) in ROUTES {
            let (path, needle) = (path.replace("{id}", &s.id), needle.replace("{id}", &s.id));
            let method = Method::from_bytes(method.as_bytes()).unwrap();
            let headers: &[(&str, &str)] = if *key { &[AUTH] } else { &[] };
            let answer = call(&app, method.clone(), &path, headers).await;
            assert_eq!(answer.status, *status, "{method} {path}: {}", answer.text());
            assert!(
                answer.text().contains(&needle),
                "{method} {path}: {}",
                answer.text()
            );
            let allow = answer.headers.get("allow");
            assert_eq!(allow.is_some(), *status == 405, "{method} {path}");
        }
    }

    #[tokio::test]
    async fn unknown_paths_and_methods_answer_as_their_prefix_does() {
        let app = app();
        for (method, path) in [
            (Method::GET, "/v1"),
            (Method::GET, "/v1/"),
            (Method::GET, "/v1/customers"),
            (Method::GET, "/v1/checkout/sessions"),
            (Method::PUT, "/v1/checkout/sessions/cs_1"),
            (Method::HEAD, "/v1/checkout/sessions/cs_1"),
            (Method::GET, "/v1/checkout/sessions/cs_1/expire"),
            (Method::GET, "/v1/checkout/sessions/cs_1/x"),
            (Method::GET, "/v1/refunds"),
        ] {
            let unauthorised = call(&app, method.clone(), path, &[]).await;
            assert_eq!(
                unauthorised.status,
                StatusCode::UNAUTHORIZED,
                "{method} {path}"
            );
            let answer = call(&app, method.clone(), path, &[AUTH]).await;
            assert_eq!(answer.status, StatusCode::NOT_FOUND, "{method} {path}");
            assert!(answer.headers.get("allow").is_none(), "{method} {path}");
            if method != Method::HEAD {
                let expected = format!("Unrecognized request URL ({method}: {path}).");
                assert_eq!(answer.message(), expected);
            }
        }
        for (method, path) in [
            (Method::GET, "/_sandbox"),
            (Method::GET, "/_sandbox/"),
            (Method::GET, "/_sandbox/faults"),
            (Method::POST, "/_sandbox/stats"),
            (Method::GET, "/_sandbox/sessions/cs_1/complete"),
            (Method::POST, "/_sandbox/emails"),
            (Method::HEAD, "/_sandbox/emails"),
            (Method::DELETE, "/_sandbox/outbox"),
            (Method::POST, "/_sandbox/outbox/x"),
            (Method::GET, "/_sandbox/outbox/x/y"),
        ] {
            let answer = call(&app, method.clone(), path, &[]).await;
            assert_eq!(answer.status, StatusCode::NOT_FOUND, "{method} {path}");
            if method != Method::HEAD {
                let expected = format!("Unrecognized request URL ({method}: {path}).");
                assert_eq!(answer.message(), expected);
            }
            assert!(answer.headers.get("allow").is_none(), "{method} {path}");
        }
        for (method, path) in [
            (Method::HEAD, "/health"),
            (Method::POST, "/health"),
            (Method::GET, "/health/"),
            (Method::GET, "/"),
            (Method::GET, "/pay"),
            (Method::GET, "/pay/cs_1/x"),
            (Method::GET, "/email"),
            (Method::HEAD, "/email"),
            (Method::POST, "/email/batch"),
        ] {
            let answer = call(&app, method.clone(), path, &[]).await;
            assert_eq!(answer.status, StatusCode::NOT_FOUND, "{method} {path}");
            assert!(answer.headers.get("allow").is_none(), "{method} {path}");
            if method != Method::HEAD {
                assert_eq!(answer.text(), "Not found.");
            }
        }
    }

    #[tokio::test]
    async fn ids_are_taken_as_sent_and_may_be_empty() {
        let app = app();
        let message = |answer: Answer| answer.message();
        let get = |path: &'static str| call(&app, Method::GET, path, &[AUTH]);
        assert_eq!(
            message(get("/v1/checkout/sessions/%63s_x%20y").await),
            "No such checkout.session: '%63s_x%20y'"
        );
        assert_eq!(
            message(get("/v1/checkout/sessions/").await),
            "No such checkout.session: ''"
        );
        let expire = call(&app, Method::POST, "/v1/checkout/sessions//expire", &[AUTH]).await;
        assert_eq!(message(expire), "No such checkout.session: ''");
        let complete = call(&app, Method::POST, "/_sandbox/sessions//complete", &[]).await;
        assert_eq!(message(complete), "No such checkout.session: ''");
        for path in ["/pay/", "/pay/%FF"] {
            let page = call(&app, Method::GET, path, &[]).await;
            assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
            assert!(page.text().contains("Checkout not found"), "{path}");
        }
    }

    #[tokio::test]
    async fn leading_slashes_collapse_but_messages_keep_the_path_as_sent() {
        let app = app();
        let ok = call(&app, Method::GET, "//health", &[]).await;
        assert_eq!((ok.status, ok.text()), (StatusCode::OK, "ok"));
        let unknown = call(&app, Method::GET, "///v1/nope?x=1", &[AUTH]).await;
        assert_eq!(
            unknown.message(),
            "Unrecognized request URL (GET: ///v1/nope)."
        );
    }

    #[tokio::test]
    async fn bodies_over_the_limit_are_refused_on_every_path() {
        let app = app();
        for (from, path) in [
            (LOCAL, "/nope"),
            (LOCAL, "/v1/checkout/sessions"),
            (LOCAL, "/pay/cs_1"),
            (LOCAL, "/email"),
            ([192, 0, 2, 7], "/_sandbox/faults"),
        ] {
            let body = vec![b'a'; MAX_BODY_BYTES + 1];
            let answer = send(&app, from, Method::POST, path, &[], body).await;
            assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE, "{path}");
            assert_eq!(answer.text(), "Request body too large.");
        }
        // Refused before it counts as a create request.
        assert_eq!(app.stats.to_json()["create_requests"], 0);
    }

    #[tokio::test]
    async fn creates_count_and_fail_on_purpose_before_the_key_is_checked() {
        let app = app();
        crate::lock(&app.faults).fail_next_creates = 1;
        let failed = call(&app, Method::POST, "/v1/checkout/sessions", &[]).await;
        assert_eq!(failed.status, StatusCode::INTERNAL_SERVER_ERROR);
        let refused = call(&app, Method::POST, "/v1/checkout/sessions", &[]).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
        assert_eq!(app.stats.to_json()["create_requests"], 2);
    }
}
