//! End-to-end: the gateway on a free port, driven over HTTP, delivering webhooks to a tiny
//! local receiver whose signatures are checked with `domain::webhook::verify`.

// clippy.toml allows these in `#[test]` functions only; the helpers below are test code too,
// and a failed unwrap in them is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::VecDeque;
use std::convert::Infallible;
use std::io::{BufRead, BufReader};
use std::net::{Ipv4Addr, SocketAddr};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Response, StatusCode};
use hyper_util::rt::TokioIo;
use sandbox_gateway::{start, Config, Running};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

const SECRET_KEY: &str = "sk_test_sandbox";
const WEBHOOK_SECRET: &str = "whsec_sandbox";

/// One webhook request as the receiver saw it.
struct Delivery {
    signature: Option<String>,
    content_type: Option<String>,
    body: Bytes,
}

impl Delivery {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    fn assert_signed(&self) {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        let verified = domain::webhook::verify(
            WEBHOOK_SECRET.as_bytes(),
            self.signature.as_deref(),
            &self.body,
            now,
            domain::webhook::DEFAULT_TOLERANCE_SECONDS,
        );
        assert_eq!(verified, Ok(()), "signature {:?}", self.signature);
        assert_eq!(self.content_type.as_deref(), Some("application/json"));
    }
}

/// A webhook endpoint answering with the scripted statuses, then 200s.
struct Receiver {
    url: String,
    deliveries: mpsc::UnboundedReceiver<Delivery>,
}

impl Receiver {
    async fn start(script: &[u16]) -> Receiver {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
        let url = format!("http://{}/webhooks/stripe", listener.local_addr().unwrap());
        let (tx, deliveries) = mpsc::unbounded_channel();
        let script = Arc::new(Mutex::new(
            script.iter().copied().collect::<VecDeque<u16>>(),
        ));
        tokio::spawn(async move {
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                let (tx, script) = (tx.clone(), Arc::clone(&script));
                let service = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let (tx, script) = (tx.clone(), Arc::clone(&script));
                    async move {
                        let header = |name: &str| {
                            req.headers()
                                .get(name)
                                .map(|v| v.to_str().unwrap().to_owned())
                        };
                        let (signature, content_type) =
                            (header("stripe-signature"), header("content-type"));
                        let body = req.into_body().collect().await.unwrap().to_bytes();
                        tx.send(Delivery {
                            signature,
                            content_type,
                            body,
                        })
                        .ok();
                        let status = script.lock().unwrap().pop_front().unwrap_or(200);
                        let mut response = Response::new(Full::new(Bytes::new()));
                        *response.status_mut() = StatusCode::from_u16(status).unwrap();
                        Ok::<_, Infallible>(response)
                    }
                });
                tokio::spawn(http1::Builder::new().serve_connection(TokioIo::new(stream), service));
            }
        });
        Receiver { url, deliveries }
    }

    async fn next(&mut self) -> Delivery {
        tokio::time::timeout(Duration::from_secs(3), self.deliveries.recv())
            .await
            .expect("no webhook arrived in time")
            .unwrap()
    }

    /// Asserts nothing arrives within a short while.
    async fn assert_quiet(&mut self) {
        let got = tokio::time::timeout(Duration::from_millis(100), self.deliveries.recv()).await;
        assert!(got.is_err(), "unexpected webhook");
    }
}

async fn gateway(webhook_url: &str) -> Running {
    let config = Config {
        host: Ipv4Addr::LOCALHOST.into(),
        port: 0,
        webhook_url: webhook_url.to_owned(),
        webhook_secret: WEBHOOK_SECRET.to_owned(),
        secret_key: SECRET_KEY.to_owned(),
    };
    start(&config).await.unwrap()
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn session_form(order: &str, extra: &str) -> String {
    format!(
        "mode=payment&line_items[0][quantity]=2&line_items[0][price_data][currency]=eur\
         &line_items[0][price_data][unit_amount]=1250\
         &line_items[0][price_data][product_data][name]=Blue+mug\
         &success_url=http%3A%2F%2F127.0.0.1%3A8787%2Fthanks%3Fsession%3D%7BCHECKOUT_SESSION_ID%7D\
         &cancel_url=http%3A%2F%2F127.0.0.1%3A8787%2Fcart\
         &client_reference_id={order}&metadata[order_id]={order}{extra}"
    )
}

async fn create(base: &str, body: String) -> Value {
    let reply = client()
        .post(format!("{base}/v1/checkout/sessions"))
        .bearer_auth(SECRET_KEY)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    reply.json().await.unwrap()
}

async fn sandbox(base: &str, path: &str, body: &str) -> Value {
    let reply = client()
        .post(format!("{base}/_sandbox/{path}"))
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200, "{path}");
    reply.json().await.unwrap()
}

#[tokio::test]
async fn create_pay_and_receive_a_signed_webhook() {
    let mut receiver = Receiver::start(&[]).await;
    let running = gateway(&receiver.url).await;
    let base = running.base_url.clone();
    let http = client();

    let session = create(&base, session_form("ord_1", "")).await;
    let id = session["id"].as_str().unwrap().to_owned();
    assert_eq!(session["url"], format!("{base}/pay/{id}"));
    assert_eq!(session["amount_total"], 2500);

    let page = http.get(format!("{base}/pay/{id}")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("25.00 EUR") && html.contains("<label for=\"card_number\">"));

    let paid = http
        .post(format!("{base}/pay/{id}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("card_number=4242+4242+4242+4242&expiry=12%2F34&cvc=123")
        .send()
        .await
        .unwrap();
    assert_eq!(paid.status(), 303);
    assert_eq!(
        paid.headers()["location"],
        format!("http://127.0.0.1:8787/thanks?session={id}")
    );

    let delivery = receiver.next().await;
    delivery.assert_signed();
    let event = delivery.json();
    assert!(event["id"].as_str().unwrap().starts_with("evt_"));
    assert_eq!(event["type"], "checkout.session.completed");
    assert_eq!(event["data"]["object"]["id"], id.as_str());
    assert_eq!(event["data"]["object"]["payment_status"], "paid");
    assert_eq!(event["data"]["object"]["metadata"]["order_id"], "ord_1");

    let fetched: Value = http
        .get(format!("{base}/v1/checkout/sessions/{id}"))
        .bearer_auth(SECRET_KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(fetched["status"], "complete");
    assert!(fetched["payment_intent"]
        .as_str()
        .unwrap()
        .starts_with("pi_test_"));
    let unauthorised = http
        .get(format!("{base}/v1/checkout/sessions/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthorised.status(), 401);

    // Paying again redirects without a second event.
    let again = http
        .post(format!("{base}/pay/{id}"))
        .body("card_number=4242424242424242")
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 303);
    receiver.assert_quiet().await;
    let stats: Value = http
        .get(format!("{base}/_sandbox/stats"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["sessions_created"], 1);
    assert_eq!(stats["webhooks_sent"], 1);
    running.shutdown().await;
}

#[tokio::test]
async fn expiry_retries_holding_flushing_and_duplicates() {
    // The first delivery is refused, so the expiry event is retried.
    let mut receiver = Receiver::start(&[500]).await;
    let running = gateway(&receiver.url).await;
    let base = running.base_url.clone();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();

    // Due at once: the ticker expires it within a tick.
    let expiring = create(&base, session_form("ord_x", &format!("&expires_at={now}"))).await;
    let (refused, retried) = (receiver.next().await, receiver.next().await);
    refused.assert_signed();
    retried.assert_signed();
    assert_eq!(retried.json()["type"], "checkout.session.expired");
    assert_eq!(retried.json()["data"]["object"]["id"], expiring["id"]);
    assert_eq!(
        retried.json(),
        refused.json(),
        "a retry resends the same event"
    );
    let paid_late = client()
        .post(format!("{base}/pay/{}", expiring["id"].as_str().unwrap()))
        .body("card_number=4242424242424242");
    assert_eq!(paid_late.send().await.unwrap().status(), 410);

    // Held events go out on flush, here newest first.
    let settings = sandbox(&base, "faults", r#"{"hold_webhooks": true}"#).await;
    assert_eq!(settings["hold_webhooks"], true);
    let first = create(&base, session_form("ord_a", "")).await;
    let second = create(&base, session_form("ord_b", "")).await;
    for session in [&first, &second] {
        let done = sandbox(
            &base,
            &format!("sessions/{}/complete", session["id"].as_str().unwrap()),
            "",
        )
        .await;
        assert_eq!(done["status"], "complete");
    }
    receiver.assert_quiet().await;
    assert_eq!(sandbox(&base, "faults", "{}").await["held_webhooks"], 2);
    let flushed = sandbox(&base, "webhooks/flush", r#"{"order": "reverse"}"#).await;
    assert_eq!(flushed["delivered"], 2);
    let order: Vec<Value> = vec![receiver.next().await.json(), receiver.next().await.json()];
    assert_eq!(order[0]["data"]["object"]["id"], second["id"]);
    assert_eq!(order[1]["data"]["object"]["id"], first["id"]);

    // Duplicated delivery: the same event twice.
    sandbox(
        &base,
        "faults",
        r#"{"hold_webhooks": false, "duplicate_webhooks": true}"#,
    )
    .await;
    let third = create(&base, session_form("ord_c", "")).await;
    sandbox(
        &base,
        &format!("sessions/{}/complete", third["id"].as_str().unwrap()),
        "",
    )
    .await;
    let (a, b) = (receiver.next().await.json(), receiver.next().await.json());
    assert_eq!(a["id"], b["id"]);
    assert_eq!(a["data"]["object"]["id"], third["id"]);

    let stats: Value = client()
        .get(format!("{base}/_sandbox/stats"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["webhooks_failed"], 1);
    assert_eq!(stats["create_requests"], 4);
    let events: Value = client()
        .get(format!("{base}/_sandbox/events"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(events.as_array().unwrap().len(), 4);
    running.shutdown().await;
}

#[test]
fn the_binary_announces_its_address_and_stops_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sandbox-gateway"))
        .args(["--port", "0", "--webhook-url", "http://127.0.0.1:9/hook"])
        .env("PAYMENT_WEBHOOK_SECRET", WEBHOOK_SECRET)
        .env("PAYMENT_SECRET_KEY", SECRET_KEY)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let address = line
        .trim_end()
        .strip_prefix("sandbox-gateway listening on http://127.0.0.1:")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
    let port: u16 = address.parse().unwrap();
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let health = std::net::TcpStream::connect(addr);
    assert!(health.is_ok(), "nothing listens on {addr}");
    drop(health);

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}
