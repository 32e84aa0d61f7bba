//! The Stripe API under `/v1`: create, retrieve and expire Checkout Sessions; refunds.
//!
//! Every call needs `Authorization: Bearer <secret key>`. POSTs honour `Idempotency-Key` and run
//! in their own task, so a client that hangs up (say, on a timeout) does not cancel a creation
//! half-way: the session exists, as it would at Stripe, and a retry with the same key gets it.

use std::future::Future;
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;

use crate::error::ApiError;
use crate::ids::unix_now;
use crate::reply::Reply;
use crate::request::{Id, Request};
use crate::state::App;
use crate::stats::Stats;
use crate::{form, lock, params};

const SESSION: &str = "checkout.session";

/// `POST /v1/checkout/sessions`. Counted, and subject to injected failures, before the key is
/// checked.
pub async fn create(State(app): State<Arc<App>>, req: Request) -> Reply {
    Stats::bump(&app.stats.create_requests);
    if lock(&app.faults).take_rate_limit() {
        eprintln!("sandbox-gateway: injected rate limit of a create request");
        return ApiError::rate_limited().reply();
    }
    if lock(&app.faults).take_failure() {
        eprintln!("sandbox-gateway: injected failure of a create request");
        return ApiError::internal(
            "An error occurred with our connection to Stripe (injected fault).",
        )
        .reply();
    }
    if let Err(e) = authorize(&app.secret_key, req.header("authorization")) {
        return e.reply();
    }
    let body = req.body.clone();
    execute(app, &req, move |app| create_session(app, body)).await
}

/// `GET /v1/checkout/sessions/{id}`.
pub async fn retrieve(State(app): State<Arc<App>>, Id(id): Id, req: Request) -> Reply {
    if let Err(e) = authorize(&app.secret_key, req.header("authorization")) {
        return e.reply();
    }
    match app.session(&id, unix_now()) {
        Some(session) => Reply::json(StatusCode::OK, &session.to_json()),
        None => ApiError::no_such(SESSION, &id).reply(),
    }
}

/// `POST /v1/checkout/sessions/{id}/expire`.
pub async fn expire(State(app): State<Arc<App>>, Id(id): Id, req: Request) -> Reply {
    if let Err(e) = authorize(&app.secret_key, req.header("authorization")) {
        return e.reply();
    }
    execute(app, &req, move |app| expire_session(app, id)).await
}

/// `POST /v1/refunds`.
pub async fn refund(State(app): State<Arc<App>>, req: Request) -> Reply {
    if let Err(e) = authorize(&app.secret_key, req.header("authorization")) {
        return e.reply();
    }
    let body = req.body.clone();
    execute(app, &req, move |app| make_refund(app, body)).await
}

/// Any other request under `/v1`: a 404 in Stripe's shape, once the key is checked.
pub async fn unknown(State(app): State<Arc<App>>, req: Request) -> Reply {
    match authorize(&app.secret_key, req.header("authorization")) {
        Ok(()) => ApiError::no_route(req.method.as_str(), &req.path).reply(),
        Err(e) => e.reply(),
    }
}

/// Checks the bearer key in constant time.
fn authorize(expected: &str, header: Option<&str>) -> Result<(), ApiError> {
    let Some(value) = header else {
        return Err(ApiError::unauthorized(
            "You did not provide an API key. Provide it in the Authorization header, using Bearer \
             auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
        ));
    };
    let key = match value.split_once(' ') {
        Some((scheme, key)) if scheme.eq_ignore_ascii_case("bearer") => key.trim(),
        _ => {
            return Err(ApiError::unauthorized(
                "The Authorization header must use Bearer auth.",
            ))
        }
    };
    if domain::webhook::constant_time_eq(key.as_bytes(), expected.as_bytes()) {
        Ok(())
    } else {
        Err(ApiError::unauthorized(format!(
            "Invalid API Key provided: {}",
            redact(key)
        )))
    }
}

/// Shows only the last four characters of a key.
fn redact(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    let tail: String = if chars.len() >= 12 {
        chars[chars.len() - 4..].iter().collect()
    } else {
        String::new()
    };
    format!("****{tail}")
}

/// Runs a POST's `work` in its own task, through the idempotency store when the request has a
/// key. The fingerprint of a request is its method, path and exact body.
async fn execute<F, Fut>(app: Arc<App>, req: &Request, work: F) -> Reply
where
    F: FnOnce(Arc<App>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Reply, ApiError>> + Send,
{
    let key = req.header("idempotency-key").map(str::to_owned);
    let fingerprint = [
        req.method.as_str().as_bytes(),
        b" ",
        req.path.as_bytes(),
        b"\n",
        &req.body,
    ]
    .concat();
    let task = tokio::spawn(async move {
        match key {
            Some(key) => {
                let worker = Arc::clone(&app);
                app.idempotency
                    .run(&key, fingerprint, move || work(worker))
                    .await
            }
            None => work(app).await.unwrap_or_else(|e| e.reply()),
        }
    });
    task.await
        .unwrap_or_else(|e| ApiError::internal(format!("The request failed: {e}")).reply())
}

async fn create_session(app: Arc<App>, body: bytes::Bytes) -> Result<Reply, ApiError> {
    let form = form::parse(&body).map_err(|e| ApiError::invalid(e.param, e.message))?;
    let now = unix_now();
    let new = params::validate(&form, now)?;
    let session = app.create_session(new, now);
    let delay = lock(&app.faults).delay();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    Ok(Reply::json(StatusCode::OK, &session.to_json()))
}

/// `POST /v1/refunds`: `payment_intent` (required) and `amount` (optional: the rest of the
/// payment). Refunds never exceed what was paid; with an `Idempotency-Key`, a repeat is a replay.
async fn make_refund(app: Arc<App>, body: bytes::Bytes) -> Result<Reply, ApiError> {
    let form = form::parse(&body).map_err(|e| ApiError::invalid(e.param, e.message))?;
    let pi = form
        .get("payment_intent")
        .and_then(|n| n.as_str())
        .ok_or_else(|| ApiError::missing("payment_intent"))?
        .to_owned();
    let session = app
        .sessions()
        .into_iter()
        .find(|s| s.payment_intent.as_deref() == Some(pi.as_str()))
        .ok_or_else(|| ApiError::no_such("payment_intent", &pi))?;
    let mut refunds = lock(&app.refunds);
    let already: u64 = refunds
        .iter()
        .filter(|r| r["payment_intent"] == pi.as_str())
        .filter_map(|r| r["amount"].as_u64())
        .sum();
    let left = session.new.amount_total.saturating_sub(already);
    let amount = match form.get("amount").and_then(|n| n.as_str()) {
        Some(a) => a
            .parse::<u64>()
            .map_err(|_| ApiError::not_an_integer("amount", a))?,
        None => left,
    };
    if amount == 0 || amount > left {
        return Err(ApiError::invalid(
            "amount",
            format!(
                "Refund amount ({amount}) is greater than the unrefunded amount ({left}), or zero."
            ),
        ));
    }
    let refund = serde_json::json!({
        "id": crate::ids::id("re_test_"),
        "object": "refund",
        "amount": amount,
        "currency": session.new.currency,
        "payment_intent": pi,
        "status": "succeeded",
        "created": unix_now(),
    });
    refunds.push(refund.clone());
    Ok(Reply::json(StatusCode::OK, &refund))
}

async fn expire_session(app: Arc<App>, id: String) -> Result<Reply, ApiError> {
    match app.expire(&id, unix_now()) {
        None => Err(ApiError::no_such(SESSION, &id)),
        Some(Ok(session)) => Ok(Reply::json(StatusCode::OK, &session.to_json())),
        Some(Err(session)) => Err(ApiError::bad_request(format!(
            "Only Checkout Sessions with a status in `open` can be expired; {} is `{}`.",
            session.id,
            session.status.as_str()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use axum::http::Method;
    use serde_json::Value;

    use super::*;
    use crate::request::tests::request;
    use crate::state::tests::app;

    const AUTH: (&str, &str) = ("authorization", "Bearer sk_test_123");
    const BODY: &str = "mode=payment&line_items[0][quantity]=3\
        &line_items[0][price_data][currency]=eur&line_items[0][price_data][unit_amount]=700\
        &line_items[0][price_data][product_data][name]=Tea\
        &success_url=https://shop.test/ok&cancel_url=https://shop.test/cart\
        &client_reference_id=ord_7&metadata[order_id]=ord_7";

    async fn create_with(app: &Arc<App>, headers: &[(&str, &str)], body: &str) -> Reply {
        let req = request(Method::POST, "/v1/checkout/sessions", headers, body);
        create(State(Arc::clone(app)), req).await
    }

    async fn get_session(app: &Arc<App>, id: &str) -> Reply {
        let req = request(
            Method::GET,
            &format!("/v1/checkout/sessions/{id}"),
            &[AUTH],
            "",
        );
        retrieve(State(Arc::clone(app)), Id(id.to_owned()), req).await
    }

    async fn expire_id(app: &Arc<App>, id: &str) -> Reply {
        let path = format!("/v1/checkout/sessions/{id}/expire");
        let req = request(Method::POST, &path, &[AUTH], "");
        expire(State(Arc::clone(app)), Id(id.to_owned()), req).await
    }

    fn stat(app: &App, name: &str) -> Value {
        app.stats.to_json()[name].clone()
    }

    #[tokio::test]
    async fn creates_and_retrieves_a_session() {
        let app = app();
        let reply = create_with(&app, &[AUTH], BODY).await;
        assert_eq!(reply.status, StatusCode::OK);
        let session = reply.json_body();
        let id = session["id"].as_str().unwrap();
        assert!(id.starts_with("cs_test_"));
        assert_eq!(session["url"], format!("http://127.0.0.1:1/pay/{id}"));
        assert_eq!(session["amount_total"], 2100);
        assert_eq!(session["currency"], "eur");
        assert_eq!(session["metadata"]["order_id"], "ord_7");
        assert_eq!(session["client_reference_id"], "ord_7");

        let got = get_session(&app, id).await;
        assert_eq!(got.json_body(), session);
        let missing = get_session(&app, "cs_x").await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert_eq!(
            missing.json_body()["error"]["type"],
            "invalid_request_error"
        );
    }

    #[tokio::test]
    async fn rejects_missing_or_wrong_keys() {
        let app = app();
        for headers in [
            &[][..],
            &[("authorization", "Bearer sk_test_wrong_key_1234")][..],
            &[("authorization", "sk_test_123")][..],
        ] {
            let reply = create_with(&app, headers, BODY).await;
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{headers:?}");
            assert_eq!(reply.json_body()["error"]["type"], "invalid_request_error");
        }
        let wrong = create_with(
            &app,
            &[("authorization", "Bearer sk_test_wrong_key_1234")],
            BODY,
        )
        .await;
        let message = wrong.json_body()["error"]["message"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            message.ends_with("****1234") && !message.contains("wrong"),
            "{message}"
        );
        assert_eq!(stat(&app, "sessions_created"), 0);
    }

    #[tokio::test]
    async fn validation_errors_name_the_param() {
        let app = app();
        let body = BODY.replace("line_items[0][quantity]=3", "line_items[0][quantity]=0");
        let reply = create_with(&app, &[AUTH], &body).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        assert_eq!(
            reply.json_body()["error"]["param"],
            "line_items[0][quantity]"
        );
        let reply = create_with(&app, &[AUTH], &format!("{BODY}&metadata=x")).await;
        assert_eq!(reply.json_body()["error"]["param"], "metadata");
    }

    #[tokio::test]
    async fn idempotency_key_replays_or_refuses() {
        let app = app();
        let key = ("idempotency-key", "order-7-attempt");
        let first = create_with(&app, &[AUTH, key], BODY).await.json_body();
        let again = create_with(&app, &[AUTH, key], BODY).await;
        assert_eq!(again.json_body()["id"], first["id"]);
        assert_eq!(again.header("idempotent-replayed"), Some("true"));
        let other = create_with(&app, &[AUTH, key], &BODY.replace("=700", "=800")).await;
        assert_eq!(other.status, StatusCode::BAD_REQUEST);
        assert_eq!(other.json_body()["error"]["type"], "idempotency_error");
        // Without a key every request creates.
        create_with(&app, &[AUTH], BODY).await;
        assert_eq!(stat(&app, "sessions_created"), 2);
        assert_eq!(stat(&app, "create_requests"), 4);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_creates_with_one_key_make_one_session() {
        let app = app();
        lock(&app.faults).create_delay_ms = 50;
        let tasks: Vec<_> = (0..6)
            .map(|_| {
                let app = Arc::clone(&app);
                tokio::spawn(async move {
                    create_with(&app, &[AUTH, ("idempotency-key", "same")], BODY).await
                })
            })
            .collect();
        let mut ids = Vec::new();
        for task in tasks {
            let reply = task.await.unwrap();
            assert_eq!(reply.status, StatusCode::OK);
            ids.push(reply.json_body()["id"].clone());
        }
        assert!(ids.windows(2).all(|w| w[0] == w[1]), "{ids:?}");
        assert_eq!(stat(&app, "sessions_created"), 1);
        assert_eq!(app.sessions().len(), 1);
    }

    #[tokio::test]
    async fn injected_failures_answer_500_and_are_not_remembered() {
        let app = app();
        lock(&app.faults).fail_next_creates = 1;
        let key = ("idempotency-key", "k");
        let failed = create_with(&app, &[AUTH, key], BODY).await;
        assert_eq!(failed.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(failed.json_body()["error"]["type"], "api_error");
        assert_eq!(stat(&app, "sessions_created"), 0);
        let retried = create_with(&app, &[AUTH, key], BODY).await;
        assert_eq!(retried.status, StatusCode::OK);
        assert_eq!(stat(&app, "create_requests"), 2);
    }

    #[tokio::test]
    async fn injected_rate_limits_answer_429_like_stripe() {
        let app = app();
        lock(&app.faults).rate_limit_next_creates = 1;
        let key = ("idempotency-key", "k");
        let limited = create_with(&app, &[AUTH, key], BODY).await;
        assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(limited.json_body()["error"]["code"], "rate_limit");
        assert_eq!(stat(&app, "sessions_created"), 0);
        let retried = create_with(&app, &[AUTH, key], BODY).await;
        assert_eq!(retried.status, StatusCode::OK);
    }

    #[tokio::test]
    async fn expires_open_sessions_only() {
        let app = app();
        let id = create_with(&app, &[AUTH], BODY).await.json_body()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let expired = expire_id(&app, &id).await;
        assert_eq!(expired.status, StatusCode::OK);
        assert_eq!(expired.json_body()["status"], "expired");
        let events = app.webhooks.events();
        assert_eq!(events.last().unwrap()["type"], "checkout.session.expired");

        let id = create_with(&app, &[AUTH], BODY).await.json_body()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        app.complete(&id, unix_now(), None);
        let refused = expire_id(&app, &id).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        let unknown = expire_id(&app, "x").await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    }

    async fn refund_with(app: &Arc<App>, body: &str) -> Reply {
        let req = request(Method::POST, "/v1/refunds", &[AUTH], body);
        refund(State(Arc::clone(app)), req).await
    }

    #[tokio::test]
    async fn a_refund_gives_back_the_amount_total_shipping_included() {
        let app = app();
        let body = format!(
            "{BODY}&shipping_address_collection[allowed_countries][0]=FR\
             &shipping_options[0][shipping_rate_data][display_name]=Express\
             &shipping_options[0][shipping_rate_data][fixed_amount][amount]=490\
             &shipping_options[0][shipping_rate_data][fixed_amount][currency]=eur"
        );
        let created = create_with(&app, &[AUTH], &body).await.json_body();
        assert_eq!(created["amount_subtotal"], 2100);
        assert_eq!(created["amount_total"], 2590);
        let id = created["id"].as_str().unwrap();
        let details = crate::shipping::tests::collection(&["FR"]).default_details();
        let paid = app.complete(id, unix_now(), Some(details)).unwrap();
        let pi = paid.payment_intent.unwrap();
        assert_eq!(
            get_session(&app, id).await.json_body()["amount_total"],
            2590
        );

        let full = refund_with(&app, &format!("payment_intent={pi}")).await;
        assert_eq!(full.status, StatusCode::OK);
        assert_eq!(full.json_body()["amount"], 2590);
        assert_eq!(full.json_body()["currency"], "eur");
        let more = refund_with(&app, &format!("payment_intent={pi}&amount=1")).await;
        assert_eq!(more.status, StatusCode::BAD_REQUEST);
        assert_eq!(more.json_body()["error"]["param"], "amount");
    }

    #[tokio::test]
    async fn partial_refunds_stop_at_the_amount_total() {
        let app = app();
        let body = format!(
            "{BODY}&shipping_options[0][shipping_rate_data][display_name]=Post\
             &shipping_options[0][shipping_rate_data][fixed_amount][amount]=300\
             &shipping_options[0][shipping_rate_data][fixed_amount][currency]=eur"
        );
        let id = create_with(&app, &[AUTH], &body).await.json_body()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let pi = app
            .complete(&id, unix_now(), None)
            .unwrap()
            .payment_intent
            .unwrap();
        let too_much = refund_with(&app, &format!("payment_intent={pi}&amount=2401")).await;
        assert_eq!(too_much.status, StatusCode::BAD_REQUEST);
        let part = refund_with(&app, &format!("payment_intent={pi}&amount=2100")).await;
        assert_eq!(part.json_body()["amount"], 2100);
        let rest = refund_with(&app, &format!("payment_intent={pi}")).await;
        assert_eq!(
            rest.json_body()["amount"],
            300,
            "the shipping is refunded too"
        );
    }
}
