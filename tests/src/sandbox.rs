//! The sandbox payment gateway's test endpoints, payments and webhooks, and waiting for
//! the effects they have later.

use crate::client::{Client, Reply};
use crate::stack::{Gateway, WEBHOOK_SECRET};
use std::time::{Duration, Instant};

/// A plain client for the sandbox gateway's test endpoints.
pub async fn sandbox(
    gateway: &Gateway,
    method: reqwest::Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> serde_json::Value {
    let http = reqwest::Client::new();
    let mut req = http.request(method, gateway.url(path));
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req
        .send()
        .await
        .unwrap_or_else(|e| panic!("sandbox {path}: {e}"));
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    assert!(status.is_success(), "sandbox {path}: {status} {text}");
    serde_json::from_str(&text).unwrap_or(serde_json::Value::Null)
}

/// The id of the sandbox session opened for `order_id`.
pub async fn session_of(gateway: &Gateway, order_id: &str) -> String {
    let sessions = sandbox(gateway, reqwest::Method::GET, "/_sandbox/sessions", None).await;
    sessions
        .as_array()
        .and_then(|a| a.iter().find(|s| s["metadata"]["order_id"] == order_id))
        .and_then(|s| s["id"].as_str())
        .unwrap_or_else(|| panic!("no session for {order_id}: {sessions}"))
        .to_owned()
}

/// Pays `order_id`'s session as the test card would (the sandbox then sends the webhook).
pub async fn pay(gateway: &Gateway, order_id: &str) {
    let sid = session_of(gateway, order_id).await;
    sandbox(
        gateway,
        reqwest::Method::POST,
        &format!("/_sandbox/sessions/{sid}/complete"),
        None,
    )
    .await;
}

/// Unix seconds now.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Posts `body` to the shop's payment webhook, signed now with the tests' webhook secret, as
/// the gateway would.
pub async fn deliver_webhook(c: &Client, body: &[u8]) -> Reply {
    let sig = domain::webhook::header(WEBHOOK_SECRET.as_bytes(), unix_now(), body);
    c.send(
        c.request(reqwest::Method::POST, "/webhooks/payment")
            .header("stripe-signature", sig)
            .header("content-type", "application/json")
            .body(body.to_vec()),
    )
    .await
}

/// Polls `check` until it returns `Some`, for effects that arrive asynchronously (webhooks).
pub async fn eventually<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let started = Instant::now();
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(
            started.elapsed() < timeout,
            "timed out after {timeout:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
