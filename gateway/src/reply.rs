//! [`Reply`]: a complete HTTP answer as plain data, so handlers stay testable without a socket
//! and idempotent responses can be stored and replayed byte for byte.

use axum::body::Body;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: Vec<(&'static str, String)>,
    pub body: Bytes,
}

impl Reply {
    fn new(status: StatusCode, content_type: &str, body: impl Into<Bytes>) -> Reply {
        Reply {
            status,
            headers: vec![("content-type", content_type.to_owned())],
            body: body.into(),
        }
    }

    /// A JSON body.
    pub fn json(status: StatusCode, value: &serde_json::Value) -> Reply {
        Reply::new(status, "application/json", value.to_string())
    }

    /// An HTML page.
    pub fn html(status: StatusCode, page: String) -> Reply {
        Reply::new(status, "text/html; charset=utf-8", page)
    }

    /// A plain-text body.
    pub fn text(status: StatusCode, text: &'static str) -> Reply {
        Reply::new(status, "text/plain; charset=utf-8", text)
    }

    /// `303 See Other` to `location`.
    pub fn see_other(location: &str) -> Reply {
        Reply::text(StatusCode::SEE_OTHER, "Redirecting to the shop.")
            .with_header("location", location)
    }

    pub fn with_header(mut self, name: &'static str, value: &str) -> Reply {
        self.headers.push((name, value.to_owned()));
        self
    }

    /// The value of header `name` (names are stored lower-case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON (`Null` if it is not JSON).
    pub fn json_body(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

impl IntoResponse for Reply {
    /// The response as sent; a header value that HTTP cannot carry makes it a 500.
    fn into_response(self) -> Response {
        let mut builder = Response::builder().status(self.status);
        for (name, value) in &self.headers {
            builder = builder.header(*name, value.as_str());
        }
        builder.body(Body::from(self.body)).unwrap_or_else(|e| {
            eprintln!("sandbox-gateway: cannot build a response: {e}");
            let mut fallback = Response::new(Body::from(Bytes::from_static(b"internal error")));
            *fallback.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            fallback
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_headers_and_rejects_unsendable_values() {
        let ok = Reply::see_other("https://shop.test/ok").into_response();
        assert_eq!(ok.status(), StatusCode::SEE_OTHER);
        assert_eq!(ok.headers()["location"], "https://shop.test/ok");
        let bad = Reply::see_other("https://shop.test/\n").into_response();
        assert_eq!(bad.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
