//! What handlers take from a request, as axum extractors:
//! - [`Request`]: the request with its body read, up to [`MAX_BODY_BYTES`] (a longer body is
//!   a 413, whatever the route);
//! - [`Local`]: the same, for loopback clients only (anyone else gets a 403);
//! - [`Id`]: the `{id}` segment of the matched route, exactly as sent.
//!
//! A rejection is a [`Reply`], so it is answered like any other.

use std::convert::Infallible;
use std::net::{Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, MatchedPath};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode};
use bytes::Bytes;
use http_body_util::{BodyExt, LengthLimitError, Limited};

use crate::reply::Reply;

/// Largest request body accepted.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// The path as the client sent it, recorded by the server before routing tidies it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawPath(pub String);

/// A request with its body read.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    /// The path as sent, without the query.
    pub path: String,
    /// The query, without its `?`, if the URL has one.
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// The client; `0.0.0.0:0` (not loopback) if the server did not record it.
    pub peer: SocketAddr,
}

impl Request {
    /// Header `name` as text, if present and valid.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)?.to_str().ok()
    }
}

impl<S: Send + Sync> FromRequest<S> for Request {
    type Rejection = Reply;

    async fn from_request(req: axum::extract::Request, _state: &S) -> Result<Request, Reply> {
        let (parts, body) = req.into_parts();
        let body = match Limited::new(body, MAX_BODY_BYTES).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => {
                return Err(Reply::text(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "Request body too large.",
                ))
            }
            Err(_) => {
                return Err(Reply::text(
                    StatusCode::BAD_REQUEST,
                    "Unreadable request body.",
                ))
            }
        };
        let path = match parts.extensions.get::<RawPath>() {
            Some(RawPath(path)) => path.clone(),
            None => parts.uri.path().to_owned(),
        };
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0)), |info| info.0);
        Ok(Request {
            method: parts.method,
            path,
            query: parts.uri.query().map(str::to_owned),
            headers: parts.headers,
            body,
            peer,
        })
    }
}

/// A [`Request`] from a loopback client.
#[derive(Debug, Clone)]
pub struct Local(pub Request);

impl<S: Send + Sync> FromRequest<S> for Local {
    type Rejection = Reply;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Local, Reply> {
        // The body is read first, so a body over the limit is a 413 for anyone.
        let req = Request::from_request(req, state).await?;
        if req.peer.ip().is_loopback() {
            Ok(Local(req))
        } else {
            Err(Reply::text(
                StatusCode::FORBIDDEN,
                "The sandbox controls are for loopback clients only.",
            ))
        }
    }
}

/// The `{id}` segment of the matched route as sent, still percent-encoded (the ids the sandbox
/// makes never need encoding, so an encoded one is simply unknown). Empty where the route has no
/// `{id}`: the routes for an empty id, such as `/pay/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Id(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Id, Infallible> {
        let id = parts.extensions.get::<MatchedPath>().and_then(|route| {
            let at = route.as_str().split('/').position(|s| s == "{id}")?;
            parts.uri.path().split('/').nth(at)
        });
        Ok(Id(id.unwrap_or_default().to_owned()))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use axum::body::Body;
    use axum::extract::FromRequest;
    use axum::routing::get;
    use axum::Router;
    use tower::ServiceExt;

    use super::*;

    /// A request from a loopback client, as the extractor would make it; `path` may carry a
    /// query.
    pub fn request(method: Method, path: &str, headers: &[(&str, &str)], body: &str) -> Request {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(
                axum::http::header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                value.parse().unwrap(),
            );
        }
        let (path, query) = match path.split_once('?') {
            Some((path, query)) => (path, Some(query.to_owned())),
            None => (path, None),
        };
        Request {
            method,
            path: path.to_owned(),
            query,
            headers: map,
            body: Bytes::from(body.to_owned()),
            peer: ([127, 0, 0, 1], 50_000).into(),
        }
    }

    fn incoming(path: &str, body: impl Into<Body>) -> axum::extract::Request {
        axum::http::Request::post(path)
            .header("x-test", "1")
            .body(body.into())
            .unwrap()
    }

    #[tokio::test]
    async fn reads_the_request_and_prefers_the_recorded_path_and_peer() {
        let mut req = incoming("/v1/refunds?x=1", "a=1");
        let plain = Request::from_request(req, &()).await.unwrap();
        assert_eq!(plain.method, Method::POST);
        assert_eq!(plain.path, "/v1/refunds");
        assert_eq!(plain.query.as_deref(), Some("x=1"));
        assert_eq!(plain.header("x-test"), Some("1"));
        assert_eq!(&plain.body[..], b"a=1");
        assert!(!plain.peer.ip().is_loopback());

        req = incoming("/v1/refunds", "");
        req.extensions_mut().insert(RawPath("//v1/refunds".into()));
        let peer: SocketAddr = ([127, 0, 0, 1], 4242).into();
        req.extensions_mut().insert(ConnectInfo(peer));
        let recorded = Request::from_request(req, &()).await.unwrap();
        assert_eq!(
            (recorded.path.as_str(), recorded.peer),
            ("//v1/refunds", peer)
        );
        assert_eq!(recorded.query, None);
    }

    #[tokio::test]
    async fn bodies_over_the_limit_are_refused() {
        let full = vec![b'a'; MAX_BODY_BYTES];
        let read = Request::from_request(incoming("/", full), &()).await;
        assert_eq!(read.unwrap().body.len(), MAX_BODY_BYTES);
        let over = vec![b'a'; MAX_BODY_BYTES + 1];
        let refused = Request::from_request(incoming("/", over), &()).await;
        let reply = refused.unwrap_err();
        assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(&reply.body[..], b"Request body too large.");
    }

    #[tokio::test]
    async fn local_admits_loopback_clients_only() {
        let from = |ip: [u8; 4]| {
            let mut req = incoming("/_sandbox/stats", "");
            req.extensions_mut()
                .insert(ConnectInfo(SocketAddr::from((ip, 50_000))));
            req
        };
        assert!(Local::from_request(from([127, 0, 0, 1]), &()).await.is_ok());
        let remote = Local::from_request(from([192, 0, 2, 7]), &()).await;
        assert_eq!(remote.unwrap_err().status, StatusCode::FORBIDDEN);
        // No recorded peer counts as remote.
        let unknown = Local::from_request(incoming("/_sandbox/stats", ""), &()).await;
        assert_eq!(unknown.unwrap_err().status, StatusCode::FORBIDDEN);
    }

    #[tokio::test]
    async fn id_is_the_raw_segment_of_the_matched_route() {
        async fn echo(Id(id): Id) -> String {
            id
        }
        let router = Router::new()
            .route("/a/{id}/b", get(echo))
            .route("/a/", get(echo));
        for (path, id) in [
            ("/a/cs_test_1/b", "cs_test_1"),
            ("/a/x%2Fy%FF/b", "x%2Fy%FF"),
            ("/a//b", ""),
            ("/a/", ""),
        ] {
            let req = axum::http::Request::get(path).body(Body::empty()).unwrap();
            let response = router.clone().oneshot(req).await.unwrap();
            let body = axum::body::to_bytes(response.into_body(), 1024)
                .await
                .unwrap();
            assert_eq!(&body[..], id.as_bytes(), "{path}");
        }
    }
}
