//! The HTTP client tests drive the shop with, and the answers it reads.

use crate::stack::{server, ADMIN_TOKEN};
use std::time::Duration;

/// An answer, read in full.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// Asserts the body contains `needle`, showing the body when it does not.
    #[track_caller]
    pub fn assert_contains(&self, needle: &str) {
        assert!(
            self.body.contains(needle),
            "expected {needle:?} in:\n{}",
            self.body
        );
    }

    #[track_caller]
    pub fn assert_lacks(&self, needle: &str) {
        assert!(
            !self.body.contains(needle),
            "did not expect {needle:?} in:\n{}",
            self.body
        );
    }
}

/// An HTTP client bound to the shared runtime. It keeps cookies only when asked.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    pub base: String,
}

impl Client {
    /// A client of the shared stack.
    pub fn new() -> Client {
        Client::for_base(&server().base)
    }

    /// A client that keeps cookies (a shopper with a cart).
    pub fn shopper_of(base: &str) -> Client {
        Client::build(base, true)
    }

    pub fn shopper() -> Client {
        Client::shopper_of(&server().base)
    }

    pub fn for_base(base: &str) -> Client {
        Client::build(base, false)
    }

    fn build(base: &str, cookies: bool) -> Client {
        let base = base.to_owned();
        let http = reqwest::Client::builder()
            .cookie_store(cookies)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap_or_else(|e| panic!("http client: {e}"));
        Client { http, base }
    }

    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http.request(method, format!("{}{path}", self.base))
    }

    pub async fn send(&self, req: reqwest::RequestBuilder) -> Reply {
        let resp = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("request failed: {e}"));
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp.text().await.unwrap_or_else(|e| panic!("body: {e}"));
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(self.request(reqwest::Method::GET, path)).await
    }

    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> Reply {
        self.send(self.request(reqwest::Method::POST, path).json(body))
            .await
    }

    pub async fn patch_json(&self, path: &str, body: &serde_json::Value) -> Reply {
        self.send(self.request(reqwest::Method::PATCH, path).json(body))
            .await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.send(self.request(reqwest::Method::DELETE, path)).await
    }

    /// Posts a form as a browser would (same-origin, url-encoded).
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        self.send(
            self.request(reqwest::Method::POST, path)
                .header("origin", &self.base)
                .form(fields),
        )
        .await
    }

    /// Sets a SKU's stock through the admin API.
    pub async fn set_stock(&self, sku: &str, on_hand: u32) -> Reply {
        let r = self
            .send(
                self.request(reqwest::Method::PUT, &format!("/admin/api/inventory/{sku}"))
                    .bearer_auth(ADMIN_TOKEN)
                    .json(&serde_json::json!({ "on_hand": on_hand })),
            )
            .await;
        assert_eq!(r.status, 200, "set stock of {sku}: {}", r.body);
        r
    }

    /// A SKU's counters through the admin API: `{sku, on_hand, reserved, available}`.
    pub async fn stock(&self, sku: &str) -> serde_json::Value {
        let r = self
            .send(
                self.request(reqwest::Method::GET, &format!("/admin/api/inventory/{sku}"))
                    .bearer_auth(ADMIN_TOKEN),
            )
            .await;
        assert_eq!(r.status, 200, "stock of {sku}: {}", r.body);
        r.json()
    }

    /// Adds to this client's cart through the JSON API, asserting success.
    pub async fn add(&self, sku: &str, quantity: u32) -> serde_json::Value {
        let r = self
            .post_json(
                "/api/cart/items",
                &serde_json::json!({ "sku": sku, "quantity": quantity }),
            )
            .await;
        assert!(
            r.status == 200 || r.status == 201,
            "add {sku}: {} {}",
            r.status,
            r.body
        );
        r.json()
    }

    /// Checks out through the JSON API.
    pub async fn checkout(&self) -> Reply {
        self.post_json(
            "/api/checkout",
            &serde_json::json!({ "email": "shopper@example.com" }),
        )
        .await
    }
}

impl Default for Client {
    fn default() -> Self {
        Client::new()
    }
}
