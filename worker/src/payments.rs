//! The payment gateway port over the runtime's `fetch`: Stripe-compatible Checkout Sessions,
//! session expiry and refunds. Each call is one attempt; the service (`commerce`) retries what
//! may succeed, always with the same `Idempotency-Key`, so a retry after a timeout or a 5xx can
//! never open a second session (and so never charge twice).
//!
//! The runtime's fetch (not reqwest) because it is already in the runtime: no extra code in the
//! wasm, and it takes an `AbortSignal`, which is how a slow gateway is cut off.

use crate::config::Config;
use crate::platform;
use commerce::ports::{PaymentError, PaymentGateway, Session};
use serde::Deserialize;
use std::time::Duration;
use worker::Request;

pub struct Gateway {
    base: String,
    secret_key: Option<String>,
    timeout: Duration,
}

#[derive(Debug, Deserialize)]
struct SessionBody {
    id: String,
    url: String,
}

#[derive(Debug, Deserialize)]
struct RefundBody {
    id: String,
}

#[derive(Debug, Deserialize)]
struct GatewayError {
    error: GatewayErrorBody,
}

#[derive(Debug, Deserialize)]
struct GatewayErrorBody {
    #[serde(default)]
    message: String,
}

impl Gateway {
    pub fn new(config: &Config) -> Self {
        Gateway {
            base: config.payment_api_base.clone(),
            secret_key: config.payment_secret_key.clone(),
            timeout: config.payment_timeout,
        }
    }

    /// POSTs the form `body` to `path` with the key and `idempotency_key`: the status and text.
    async fn post(
        &self,
        path: &str,
        body: &str,
        idempotency_key: &str,
    ) -> Result<(u16, String), PaymentError> {
        let key = self
            .secret_key
            .as_deref()
            .ok_or(PaymentError::NotConfigured)?;
        let url = format!("{}{path}", self.base.trim_end_matches('/'));
        let request = platform::post(
            &url,
            body,
            &[
                ("authorization", &format!("Bearer {key}")),
                ("content-type", "application/x-www-form-urlencoded"),
                ("idempotency-key", idempotency_key),
            ],
        )
        .map_err(|e| PaymentError::Refused(e.to_string()))?;
        let mut resp = self.send(request).await?;
        let status = resp.status_code();
        let text = resp.text().await.unwrap_or_default();
        if !(200..300).contains(&status) {
            worker::console_error!("payment gateway answered {status} to {path}: {text}");
        }
        Ok((status, text))
    }

    /// Sends `request`, cut off after the timeout.
    async fn send(&self, request: Request) -> Result<worker::Response, PaymentError> {
        platform::fetch_within(request, self.timeout)
            .await
            .map_err(|e| match e {
                platform::FetchFailure::Timeout => PaymentError::Timeout,
                platform::FetchFailure::Unreachable(why) => {
                    worker::console_error!("payment gateway unreachable: {why}");
                    PaymentError::Unavailable("unreachable".into())
                }
            })
    }
}

/// A non-2xx answer: worth a retry (5xx, 409 in-flight idempotent request), the rate limiter
/// (429: see [`PaymentError::RateLimited`]) or final.
fn refusal(status: u16, text: &str) -> PaymentError {
    let message = serde_json::from_str::<GatewayError>(text)
        .map(|e| e.error.message)
        .unwrap_or_default();
    let what = format!(
        "{status}{}{message}",
        if message.is_empty() { "" } else { ": " }
    );
    if status == 429 {
        PaymentError::RateLimited
    } else if status >= 500 || status == 409 {
        PaymentError::Unavailable(what)
    } else {
        PaymentError::Refused(what)
    }
}

fn odd(e: serde_json::Error) -> PaymentError {
    PaymentError::Refused(format!("an answer the shop cannot read: {e}"))
}

impl PaymentGateway for Gateway {
    async fn open_session(
        &self,
        params: &[(String, String)],
        idempotency_key: &str,
    ) -> Result<Session, PaymentError> {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params)
            .finish();
        match self
            .post("/v1/checkout/sessions", &body, idempotency_key)
            .await?
        {
            (200..=299, text) => {
                let s: SessionBody = serde_json::from_str(&text).map_err(odd)?;
                Ok(Session {
                    id: s.id,
                    url: s.url,
                })
            }
            (status, text) => Err(refusal(status, &text)),
        }
    }

    async fn expire_session(&self, session_id: &str) -> Result<bool, PaymentError> {
        let path = format!(
            "/v1/checkout/sessions/{}/expire",
            form_urlencoded::byte_serialize(session_id.as_bytes()).collect::<String>()
        );
        match self
            .post(&path, "", &format!("expire-{session_id}"))
            .await?
        {
            (200..=299, _) => Ok(true),
            // Stripe: the session is not open any more (paid, or expired already).
            (400, _) => Ok(false),
            (status, text) => Err(refusal(status, &text)),
        }
    }

    async fn refund(
        &self,
        payment_intent: &str,
        order_id: &str,
        idempotency_key: &str,
    ) -> Result<String, PaymentError> {
        let body = form_urlencoded::Serializer::new(String::new())
            .append_pair("payment_intent", payment_intent)
            .append_pair("metadata[order_id]", order_id)
            .finish();
        match self.post("/v1/refunds", &body, idempotency_key).await? {
            (200..=299, text) => Ok(serde_json::from_str::<RefundBody>(&text).map_err(odd)?.id),
            (status, text) => Err(refusal(status, &text)),
        }
    }
}
