//! What the gateway's end-to-end tests share: the gateway on a free port, a webhook receiver
//! that records what it gets, and small HTTP helpers.

// clippy.toml allows these in `#[test]` functions only; these helpers are test code too, and a
// failed unwrap in them is a failed test. Each test file uses only some of the helpers.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::Ipv4Addr;
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

pub mod email;

pub const SECRET_KEY: &str = "sk_test_sandbox";
pub const WEBHOOK_SECRET: &str = "whsec_sandbox";
pub const EMAIL_TOKEN: &str = "pm_sandbox_token";

/// One webhook request as the receiver saw it.
pub struct Delivery {
    signature: Option<String>,
    content_type: Option<String>,
    body: Bytes,
}

impl Delivery {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    pub fn assert_signed(&self) {
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
pub struct Receiver {
    pub url: String,
    deliveries: mpsc::UnboundedReceiver<Delivery>,
}

impl Receiver {
    pub async fn start(script: &[u16]) -> Receiver {
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

    pub async fn next(&mut self) -> Delivery {
        tokio::time::timeout(Duration::from_secs(3), self.deliveries.recv())
            .await
            .expect("no webhook arrived in time")
            .unwrap()
    }

    /// Asserts nothing arrives within a short while.
    pub async fn assert_quiet(&mut self) {
        let got = tokio::time::timeout(Duration::from_millis(100), self.deliveries.recv()).await;
        assert!(got.is_err(), "unexpected webhook");
    }
}

/// The configuration [`gateway`] starts with: a free loopback port, the test secrets, and
/// [`EMAIL_TOKEN`] as the e-mail token.
pub fn config(webhook_url: &str) -> Config {
    Config {
        host: Ipv4Addr::LOCALHOST.into(),
        port: 0,
        webhook_url: webhook_url.to_owned(),
        webhook_secret: WEBHOOK_SECRET.to_owned(),
        secret_key: SECRET_KEY.to_owned(),
        email_token: Some(EMAIL_TOKEN.to_owned()),
    }
}

pub async fn gateway(webhook_url: &str) -> Running {
    start(&config(webhook_url)).await.unwrap()
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub fn session_form(order: &str, extra: &str) -> String {
    format!(
        "mode=payment&line_items[0][quantity]=2&line_items[0][price_data][currency]=eur\
         &line_items[0][price_data][unit_amount]=1250\
         &line_items[0][price_data][product_data][name]=Blue+mug\
         &success_url=http%3A%2F%2F127.0.0.1%3A8787%2Fthanks%3Fsession%3D%7BCHECKOUT_SESSION_ID%7D\
         &cancel_url=http%3A%2F%2F127.0.0.1%3A8787%2Fcart\
         &client_reference_id={order}&metadata[order_id]={order}{extra}"
    )
}

pub async fn create(base: &str, body: String) -> Value {
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

pub async fn sandbox(base: &str, path: &str, body: &str) -> Value {
    let reply = client()
        .post(format!("{base}/_sandbox/{path}"))
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200, "{path}");
    reply.json().await.unwrap()
}
