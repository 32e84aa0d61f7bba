//! What the e-mail tests share: a valid message, `POST /email` with or without the token, and
//! readers for the outbox's JSON and pages.

use sandbox_gateway::{start, Running};
use serde_json::{json, Value};

use super::{client, config, EMAIL_TOKEN};

/// Nothing in these tests sends webhooks.
pub const NO_HOOKS: &str = "http://127.0.0.1:9/hooks";

/// A valid message from the shop to `to`, with `extra` fields merged in.
pub fn receipt(to: &str, extra: Value) -> Value {
    let mut body = json!({
        "From": "Sandbox Shop <shop@sandbox.example>",
        "To": to,
        "Subject": "Your receipt",
        "TextBody": "Thank you for your order.",
        "HtmlBody": "<p>Thank you for your order.</p>",
    });
    if let (Some(body), Value::Object(extra)) = (body.as_object_mut(), extra) {
        body.extend(extra);
    }
    body
}

/// `POST /email` with `token` (if any) and `body` as is; the status and the JSON answer.
pub async fn post_raw(base: &str, token: Option<&str>, body: &str) -> (u16, Value) {
    let mut request = client()
        .post(format!("{base}/email"))
        .header("accept", "application/json")
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(token) = token {
        request = request.header("X-Postmark-Server-Token", token);
    }
    let reply = request.send().await.unwrap();
    let status = reply.status().as_u16();
    assert_eq!(reply.headers()["content-type"], "application/json");
    (status, reply.json().await.unwrap())
}

/// `POST /email` with the right token and `body`.
pub async fn post(base: &str, body: &Value) -> (u16, Value) {
    post_raw(base, Some(EMAIL_TOKEN), &body.to_string()).await
}

/// `GET /_sandbox/{path}` as JSON.
pub async fn get(base: &str, path: &str) -> Value {
    let reply = client()
        .get(format!("{base}/_sandbox/{path}"))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200, "{path}");
    reply.json().await.unwrap()
}

/// `GET {path}` as a page: the status, the content type and the HTML.
pub async fn page(base: &str, path: &str) -> (u16, String, String) {
    let reply = client().get(format!("{base}{path}")).send().await.unwrap();
    let status = reply.status().as_u16();
    let content_type = reply.headers()["content-type"].to_str().unwrap().to_owned();
    (status, content_type, reply.text().await.unwrap())
}

/// The `MessageID`s of the outbox's e-mails `query` lists, oldest first.
pub async fn listed(base: &str, query: &str) -> Vec<String> {
    get(base, &format!("emails{query}"))
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Whether `id` looks like a random (version 4) UUID, as Postmark's `MessageID`s do.
pub fn is_uuid_v4(id: &str) -> bool {
    let groups: Vec<&str> = id.split('-').collect();
    let lengths: Vec<usize> = groups.iter().map(|g| g.len()).collect();
    lengths == [8, 4, 4, 4, 12]
        && id.bytes().all(|b| b == b'-' || b.is_ascii_hexdigit())
        && groups[2].starts_with('4')
        && groups[3].starts_with(['8', '9', 'a', 'b'])
}

/// The gateway with no e-mail token configured.
pub async fn started_without_token() -> Running {
    let mut config = config(NO_HOOKS);
    config.email_token = None;
    start(&config).await.unwrap()
}
