//! [`Request`] and [`handle`]: dispatch of a fully read request to the handler for its path.

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use hyper::{HeaderMap, Method, StatusCode};

use crate::reply::Reply;
use crate::state::App;
use crate::{api, pay, sandbox};

/// A request with its body read.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    /// The path, without the query.
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub peer: SocketAddr,
}

impl Request {
    /// Header `name` as text, if present and valid.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)?.to_str().ok()
    }
}

/// Answers `req`.
pub async fn handle(app: Arc<App>, req: Request) -> Reply {
    let path = req.path.clone();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        ["health"] if req.method == Method::GET => Reply::text(StatusCode::OK, "ok"),
        ["v1", rest @ ..] => api::handle(app, &req, rest).await,
        ["pay", id] => pay::handle(&app, &req, id),
        ["_sandbox", rest @ ..] => {
            if req.peer.ip().is_loopback() {
                sandbox::handle(&app, &req, rest).await
            } else {
                Reply::text(
                    StatusCode::FORBIDDEN,
                    "The sandbox controls are for loopback clients only.",
                )
            }
        }
        _ => Reply::text(StatusCode::NOT_FOUND, "Not found."),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::state::tests::app;

    pub fn request(method: Method, path: &str, headers: &[(&str, &str)], body: &str) -> Request {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(
                hyper::header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                value.parse().unwrap(),
            );
        }
        Request {
            method,
            path: path.to_owned(),
            headers: map,
            body: Bytes::from(body.to_owned()),
            peer: ([127, 0, 0, 1], 50_000).into(),
        }
    }

    #[tokio::test]
    async fn routes_health_and_guards_the_sandbox_controls() {
        let app = app();
        let ok = handle(Arc::clone(&app), request(Method::GET, "/health", &[], "")).await;
        assert_eq!((ok.status, &ok.body[..]), (StatusCode::OK, &b"ok"[..]));
        let missing = handle(Arc::clone(&app), request(Method::GET, "/nope", &[], "")).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        let mut remote = request(Method::GET, "/_sandbox/stats", &[], "");
        remote.peer = ([192, 0, 2, 7], 50_000).into();
        assert_eq!(
            handle(Arc::clone(&app), remote).await.status,
            StatusCode::FORBIDDEN
        );
        let local = handle(app, request(Method::GET, "/_sandbox/stats", &[], "")).await;
        assert_eq!(local.status, StatusCode::OK);
    }
}
