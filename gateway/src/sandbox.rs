//! Test controls under `/_sandbox/` (loopback clients only, no API key): fault injection,
//! held-webhook flushing, counters, a look at every session and event, and the outbox of
//! e-mails sent through `POST /email` (as JSON, and as pages for people, see
//! [`crate::outbox_page`]).
//!
//! | Request | Body | Answer |
//! |---|---|---|
//! | `POST /_sandbox/faults` | JSON, every field optional and merged: `fail_next_creates` (n), `create_delay_ms` (ms, 0 = off), `fail_next_emails` (n), `rate_limit_next_creates` (n: the next creates answer 429 `rate_limit`), `duplicate_webhooks` (bool), `hold_webhooks` (bool); unknown fields are a 400 | the settings |
//! | `POST /_sandbox/reset` | none | the settings, all faults off |
//! | `POST /_sandbox/webhooks/flush` | `{"order": "fifo" \| "reverse"}` (default fifo) | `{"delivered": n, "failed": n}` once all were sent |
//! | `GET /_sandbox/stats` | | `{"create_requests", "sessions_created", "webhooks_sent", "webhooks_failed", "webhooks_abandoned", "emails_sent", "emails_failed"}` |
//! | `GET /_sandbox/sessions` | | every session, oldest first |
//! | `GET /_sandbox/events` | | every event, oldest first |
//! | `GET /_sandbox/refunds` | | every refund made through `POST /v1/refunds`, oldest first |
//! | `POST /_sandbox/sessions/{id}/complete` | optional: `{"shipping_details": {"name", "address": {"line1", "line2"?, "city", "postal_code", "state"?, "country"}}}` | the paid session, as paying with 4242 would |
//! | `GET /_sandbox/emails` | query, optional: `to=<address>` (any recipient, ignoring case), `tag=<tag>` | the e-mails sent, oldest first, as [`crate::email::Email::to_json`] shows them |
//! | `DELETE /_sandbox/emails` | | `{"deleted": n}`, the outbox emptied |
//! | `GET /_sandbox/outbox` | | HTML: the e-mails sent, newest first, each linking to its page |
//! | `GET /_sandbox/outbox/{id}` | | HTML: e-mail `id` (its `MessageID`), or a 404 page |
//!
//! The settings are `{"fail_next_creates", "create_delay_ms", "fail_next_emails",
//! "rate_limit_next_creates", "duplicate_webhooks", "hold_webhooks", "held_webhooks"}`, the last being how many
//! deliveries are waiting. `fail_next_emails` makes the next that-many otherwise valid
//! `POST /email` answer 500 and keep nothing (see [`crate::postmark`]). Turning
//! `hold_webhooks` off (or resetting) sends whatever is held, oldest first, in the background.
//! Reset leaves sessions, events, e-mails and counters alone.
//!
//! Completing a session that collects an address ships to the body's `shipping_details`,
//! checked as the payment page checks them (a missing field or a country not allowed is a 400
//! naming it); without them (no body, `{}` or `null`), to a placeholder in the first allowed
//! country: "Sandbox Shopper", "1 Test Street", "12345 Testville". A session that collects no
//! address refuses `shipping_details`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::json;

use crate::error::ApiError;
use crate::faults::{Faults, FaultsPatch};
use crate::ids::unix_now;
use crate::lock;
use crate::outbox::Filter;
use crate::outbox_page;
use crate::reply::Reply;
use crate::request::{Id, Local};
use crate::session::Status;
use crate::shipping::ShippingDetails;
use crate::state::App;
use crate::webhooks::Order;

/// `POST /_sandbox/faults`.
pub async fn faults(State(app): State<Arc<App>>, Local(req): Local) -> Reply {
    answer(set_faults(&app, &req.body))
}

/// `POST /_sandbox/reset`.
pub async fn reset(State(app): State<Arc<App>>, _: Local) -> Reply {
    answer(Ok(reset_faults(&app)))
}

/// `POST /_sandbox/webhooks/flush`.
pub async fn flush(State(app): State<Arc<App>>, Local(req): Local) -> Reply {
    answer(flush_held(&app, &req.body).await)
}

/// `GET /_sandbox/stats`.
pub async fn stats(State(app): State<Arc<App>>, _: Local) -> Reply {
    answer(Ok(app.stats.to_json()))
}

/// `GET /_sandbox/sessions`.
pub async fn sessions(State(app): State<Arc<App>>, _: Local) -> Reply {
    answer(Ok(app.sessions().iter().map(|s| s.to_json()).collect()))
}

/// `GET /_sandbox/events`.
pub async fn events(State(app): State<Arc<App>>, _: Local) -> Reply {
    answer(Ok(app.webhooks.events().into()))
}

/// `GET /_sandbox/refunds`.
pub async fn refunds(State(app): State<Arc<App>>, _: Local) -> Reply {
    answer(Ok(lock(&app.refunds).clone().into()))
}

/// `POST /_sandbox/sessions/{id}/complete`.
pub async fn complete(State(app): State<Arc<App>>, Id(id): Id, Local(req): Local) -> Reply {
    answer(complete_session(&app, &id, &req.body))
}

/// `GET /_sandbox/emails`.
pub async fn emails(State(app): State<Arc<App>>, Local(req): Local) -> Reply {
    let filter = Filter::from_query(req.query.as_deref());
    let emails = app.outbox.list(&filter);
    answer(Ok(emails.iter().map(|e| e.to_json()).collect()))
}

/// `DELETE /_sandbox/emails`.
pub async fn delete_emails(State(app): State<Arc<App>>, _: Local) -> Reply {
    answer(Ok(json!({ "deleted": app.outbox.clear() })))
}

/// `GET /_sandbox/outbox`.
pub async fn outbox(State(app): State<Arc<App>>, _: Local) -> Reply {
    let emails = app.outbox.list(&Filter::default());
    Reply::html(StatusCode::OK, outbox_page::list(&emails))
}

/// `GET /_sandbox/outbox/{id}`.
pub async fn outbox_email(State(app): State<Arc<App>>, Id(id): Id, _: Local) -> Reply {
    match app.outbox.get(&id) {
        Some(email) => Reply::html(StatusCode::OK, outbox_page::message(&email)),
        None => Reply::html(StatusCode::NOT_FOUND, outbox_page::not_found()),
    }
}

/// Any other request under `/_sandbox`.
pub async fn unknown(Local(req): Local) -> Reply {
    ApiError::no_route(req.method.as_str(), &req.path).reply()
}

fn answer(result: Result<serde_json::Value, ApiError>) -> Reply {
    match result {
        Ok(value) => Reply::json(StatusCode::OK, &value),
        Err(error) => error.reply(),
    }
}

/// Current faults, creation and webhook ones together.
fn settings(app: &App) -> serde_json::Value {
    let faults = *lock(&app.faults);
    let policy = app.webhooks.policy();
    json!({
        "fail_next_creates": faults.fail_next_creates,
        "create_delay_ms": faults.create_delay_ms,
        "fail_next_emails": faults.fail_next_emails,
        "rate_limit_next_creates": faults.rate_limit_next_creates,
        "duplicate_webhooks": policy.duplicate,
        "hold_webhooks": policy.hold,
        "held_webhooks": app.webhooks.held(),
    })
}

/// A JSON body, with an empty body read as `{}`.
fn json_body<T: DeserializeOwned + Default>(body: &[u8]) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("Invalid JSON body: {e}")))
}

fn set_faults(app: &App, body: &[u8]) -> Result<serde_json::Value, ApiError> {
    let patch: FaultsPatch = json_body(body)?;
    patch.apply(&mut lock(&app.faults));
    app.webhooks
        .set_policy(patch.hold_webhooks, patch.duplicate_webhooks);
    Ok(settings(app))
}

fn reset_faults(app: &App) -> serde_json::Value {
    *lock(&app.faults) = Faults::default();
    app.webhooks.set_policy(Some(false), Some(false));
    settings(app)
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FlushRequest {
    order: Option<String>,
}

async fn flush_held(app: &App, body: &[u8]) -> Result<serde_json::Value, ApiError> {
    let request: FlushRequest = json_body(body)?;
    let order = match request.order.as_deref() {
        None | Some("fifo") => Order::Fifo,
        Some("reverse") => Order::Reverse,
        Some(other) => {
            return Err(ApiError::invalid(
                "order",
                format!("Unknown order {other:?}: use \"fifo\" or \"reverse\"."),
            ))
        }
    };
    let flushed = app.webhooks.flush(order).await;
    Ok(json!({ "delivered": flushed.delivered, "failed": flushed.failed }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CompleteRequest {
    shipping_details: Option<ShippingDetails>,
}

fn complete_session(app: &App, id: &str, body: &[u8]) -> Result<serde_json::Value, ApiError> {
    let now = unix_now();
    let request: Option<CompleteRequest> = json_body(body)?;
    let given = request.and_then(|r| r.shipping_details);
    let open = app
        .session(id, now)
        .ok_or_else(|| ApiError::no_such("checkout.session", id))?;
    let shipping = match (&open.new.shipping_address_collection, given) {
        (Some(collection), given) => Some(
            given
                .unwrap_or_else(|| collection.default_details())
                .checked(collection)
                .map_err(|e| e.to_api())?,
        ),
        (None, None) => None,
        (None, Some(_)) => {
            return Err(ApiError::invalid(
                "shipping_details",
                format!("Checkout Session {id} does not collect a shipping address."),
            ))
        }
    };
    let session = app
        .complete(id, now, shipping)
        .ok_or_else(|| ApiError::no_such("checkout.session", id))?;
    match session.status {
        Status::Complete => Ok(session.to_json()),
        Status::Open | Status::Expired => Err(ApiError::bad_request(format!(
            "Checkout Session {id} has expired and cannot be paid."
        ))),
    }
}

#[cfg(test)]
mod tests {
    use axum::http::Method;

    use super::*;
    use crate::request::tests::request;
    use crate::state::tests::{app, new_session};

    /// A loopback request for `path` (the handlers ignore the method and the path).
    fn local(method: Method, path: &str, body: &str) -> Local {
        Local(request(method, path, &[], body))
    }

    fn state(app: &Arc<App>) -> State<Arc<App>> {
        State(Arc::clone(app))
    }

    #[tokio::test]
    async fn faults_merge_and_reset() {
        let app = app();
        let set = |body: &str| faults(state(&app), local(Method::POST, "/_sandbox/faults", body));
        let r = set(r#"{"fail_next_creates": 2}"#).await;
        assert_eq!(r.json_body()["fail_next_creates"], 2);
        let r = set(r#"{"create_delay_ms": 10, "duplicate_webhooks": true}"#).await;
        let s = r.json_body();
        assert_eq!(
            (s["fail_next_creates"].clone(), s["create_delay_ms"].clone()),
            (json!(2), json!(10))
        );
        assert_eq!(s["duplicate_webhooks"], true);
        let bad = set(r#"{"fail_next": 1}"#).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        let r = set(r#"{"fail_next_emails": 3}"#).await.json_body();
        assert_eq!(
            (&r["fail_next_emails"], &r["fail_next_creates"]),
            (&json!(3), &json!(2))
        );
        assert_eq!(lock(&app.faults).fail_next_emails, 3);
        let r = reset(state(&app), local(Method::POST, "/_sandbox/reset", ""))
            .await
            .json_body();
        assert_eq!(r["fail_next_creates"], 0);
        assert_eq!(r["fail_next_emails"], 0);
        assert_eq!(lock(&app.faults).fail_next_emails, 0);
        assert_eq!(r["hold_webhooks"], false);
        assert_eq!(r["duplicate_webhooks"], false);
    }

    #[tokio::test]
    async fn completes_sessions_and_lists_them_with_their_events() {
        let app = app();
        let s = app.create_session(new_session(unix_now() + 600), unix_now());
        let complete_id = |id: &str| {
            let path = format!("/_sandbox/sessions/{id}/complete");
            complete(
                state(&app),
                Id(id.to_owned()),
                local(Method::POST, &path, ""),
            )
        };
        let done = complete_id(&s.id).await;
        assert_eq!(done.status, StatusCode::OK);
        assert_eq!(done.json_body()["payment_status"], "paid");
        assert!(done.json_body()["payment_intent"]
            .as_str()
            .unwrap()
            .starts_with("pi_test_"));
        let unknown = complete_id("cs_x").await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND);

        let get = |path: &str| local(Method::GET, path, "");
        let sessions = sessions(state(&app), get("/_sandbox/sessions"))
            .await
            .json_body();
        assert_eq!(sessions[0]["id"], s.id.as_str());
        let events = events(state(&app), get("/_sandbox/events"))
            .await
            .json_body();
        assert_eq!(events[0]["type"], "checkout.session.completed");
        assert_eq!(events[0]["data"]["object"]["id"], s.id.as_str());
        let stats = stats(state(&app), get("/_sandbox/stats")).await.json_body();
        assert_eq!(stats["sessions_created"], 1);
    }

    #[tokio::test]
    async fn flush_rejects_unknown_orders() {
        let app = app();
        let flush_with = |body: &str| {
            flush(
                state(&app),
                local(Method::POST, "/_sandbox/webhooks/flush", body),
            )
        };
        let r = flush_with(r#"{"order":"lifo"}"#).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let r = flush_with("").await;
        assert_eq!(r.json_body(), json!({ "delivered": 0, "failed": 0 }));
    }

    #[tokio::test]
    async fn lists_refunds_and_names_unknown_routes() {
        let app = app();
        let refunds = refunds(state(&app), local(Method::GET, "/_sandbox/refunds", "")).await;
        assert_eq!(refunds.json_body(), json!([]));
        let other = unknown(local(Method::DELETE, "/_sandbox/stats", "")).await;
        assert_eq!(other.status, StatusCode::NOT_FOUND);
        assert_eq!(
            other.json_body()["error"]["message"],
            "Unrecognized request URL (DELETE: /_sandbox/stats)."
        );
    }

    async fn complete_with(app: &Arc<App>, id: &str, body: &str) -> Reply {
        let path = format!("/_sandbox/sessions/{id}/complete");
        complete(
            state(app),
            Id(id.to_owned()),
            local(Method::POST, &path, body),
        )
        .await
    }

    /// An open session that collects an address in France or Belgium.
    fn shipped(app: &App) -> crate::session::Session {
        let mut new = crate::totals::tests::shape(true);
        new.expires_at = unix_now() + 600;
        let collection = new.shipping_address_collection.as_mut().unwrap();
        collection.allowed_countries.push("BE".to_owned());
        app.create_session(new, unix_now())
    }

    #[tokio::test]
    async fn completing_without_a_body_ships_to_the_default_address() {
        let app = app();
        for body in ["", " ", "{}", "null", r#"{"shipping_details": null}"#] {
            let s = shipped(&app);
            let done = complete_with(&app, &s.id, body).await;
            assert_eq!(done.status, StatusCode::OK, "{body:?}");
            let details = &done.json_body()["shipping_details"];
            assert_eq!(
                *details,
                json!({"name": "Sandbox Shopper", "address": {"line1": "1 Test Street",
                       "line2": null, "city": "Testville", "postal_code": "12345",
                       "state": null, "country": "FR"}}),
                "{body:?}"
            );
            let event = app.webhooks.events().last().unwrap().clone();
            assert_eq!(event["data"]["object"]["id"], s.id.as_str());
            assert_eq!(event["data"]["object"]["shipping_details"], *details);
            assert_eq!(event["data"]["object"]["amount_total"], 2800);
        }
    }

    #[tokio::test]
    async fn completing_with_shipping_details_checks_them() {
        let app = app();
        let s = shipped(&app);
        let body = |country: &str, city: &str| {
            json!({"shipping_details": {"name": "Ada", "address": {
                "line1": "Rue Haute 1", "line2": "", "city": city, "postal_code": "1000",
                "state": "Brussels", "country": country}}})
            .to_string()
        };
        for (body, param) in [
            (body("US", "Brussels"), "shipping_details[address][country]"),
            (body("be", " "), "shipping_details[address][city]"),
        ] {
            let refused = complete_with(&app, &s.id, &body).await;
            assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{body}");
            let error = &refused.json_body()["error"];
            assert_eq!(error["param"], param);
            assert_eq!(error["type"], "invalid_request_error");
        }
        let unknown = complete_with(&app, &s.id, r#"{"shipping": {}}"#).await;
        assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
        assert_eq!(
            app.session(&s.id, unix_now()).unwrap().status,
            Status::Open,
            "nothing paid"
        );
        assert!(app.webhooks.events().is_empty());

        let done = complete_with(&app, &s.id, &body("be", "Brussels")).await;
        assert_eq!(done.status, StatusCode::OK);
        let address = &done.json_body()["shipping_details"]["address"];
        assert_eq!(address["country"], "BE");
        assert_eq!(
            (&address["line2"], &address["state"]),
            (&json!(null), &json!("Brussels"))
        );
    }

    #[tokio::test]
    async fn sessions_without_address_collection_refuse_shipping_details() {
        let app = app();
        let s = app.create_session(new_session(unix_now() + 600), unix_now());
        let body = json!({"shipping_details": {"name": "Ada"}}).to_string();
        let refused = complete_with(&app, &s.id, &body).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        assert_eq!(refused.json_body()["error"]["param"], "shipping_details");
        let done = complete_with(&app, &s.id, "").await;
        assert_eq!(done.status, StatusCode::OK);
        assert_eq!(done.json_body()["shipping_details"], json!(null));
    }
}
