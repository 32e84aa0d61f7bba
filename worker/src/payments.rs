//! The payment gateway client: Stripe-compatible Checkout Sessions over the runtime's `fetch`.
//!
//! The runtime's fetch (not reqwest) because it is already in the runtime: no extra code in the
//! wasm, and it takes an `AbortSignal`, which is how a slow gateway is cut off. Every attempt for
//! an order sends the same `Idempotency-Key`, so retries after a timeout or a 5xx can never
//! open a second session (and so never charge twice).

use crate::config::Config;
use crate::error::AppError;
use crate::platform;
use domain::order::Order;
use domain::payment;
use futures_util::future::{select, Either};
use serde::Deserialize;
use std::time::Duration;
use worker::{AbortController, Delay, Fetch, Request};

const ATTEMPTS: u32 = 3;

pub struct Gateway {
    base: String,
    secret_key: Option<String>,
    timeout: Duration,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Session {
    pub id: String,
    pub url: String,
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

enum Attempt {
    Done(Session),
    /// Worth another try with the same key (timeout, network error, 5xx, 409, 429).
    Retry(AppError),
    Fail(AppError),
}

impl Gateway {
    pub fn new(config: &Config) -> Self {
        Gateway {
            base: config.payment_api_base.clone(),
            secret_key: config.payment_secret_key.clone(),
            timeout: config.payment_timeout,
        }
    }

    /// Opens (or, for a retried order, finds again) the hosted checkout of `order`.
    pub async fn checkout_session(
        &self,
        order: &Order,
        origin: &str,
        expires_at: i64,
    ) -> Result<Session, AppError> {
        let Some(key) = &self.secret_key else {
            return Err(AppError::Gateway {
                status: 503,
                detail: "Payments are not configured for this shop yet.".into(),
            });
        };
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(payment::session_params(order, origin, expires_at))
            .finish();
        let url = format!("{}/v1/checkout/sessions", self.base.trim_end_matches('/'));
        let mut last = AppError::Gateway {
            status: 502,
            detail: "The payment service failed.".into(),
        };
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                Delay::from(Duration::from_millis(200 * u64::from(attempt))).await;
            }
            match self
                .attempt(&url, key, &payment::idempotency_key(&order.id), &body)
                .await
            {
                Attempt::Done(s) => return Ok(s),
                Attempt::Fail(e) => return Err(e),
                Attempt::Retry(e) => last = e,
            }
        }
        Err(last)
    }

    async fn attempt(&self, url: &str, key: &str, idempotency_key: &str, body: &str) -> Attempt {
        let request = match build_request(url, key, idempotency_key, body) {
            Ok(r) => r,
            Err(e) => return Attempt::Fail(AppError::from(e)),
        };
        let mut resp = match self.send(request).await {
            Ok(resp) => resp,
            Err(e) => return Attempt::Retry(e),
        };
        let status = resp.status_code();
        let text = resp.text().await.unwrap_or_default();
        if (200..300).contains(&status) {
            return match serde_json::from_str::<Session>(&text) {
                Ok(s) => Attempt::Done(s),
                Err(e) => Attempt::Fail(AppError::Gateway {
                    status: 502,
                    detail: format!("The payment service answered oddly: {e}"),
                }),
            };
        }
        let message = serde_json::from_str::<GatewayError>(&text)
            .map(|e| e.error.message)
            .unwrap_or_default();
        worker::console_error!("payment gateway answered {status}: {text}");
        let err = AppError::Gateway {
            status: 502,
            detail: format!("The payment service refused the checkout ({status}). {message}"),
        };
        if status >= 500 || status == 409 || status == 429 {
            Attempt::Retry(err)
        } else {
            Attempt::Fail(err)
        }
    }
}

fn build_request(
    url: &str,
    key: &str,
    idempotency_key: &str,
    body: &str,
) -> worker::Result<Request> {
    platform::post(
        url,
        body,
        &[
            ("authorization", &format!("Bearer {key}")),
            ("content-type", "application/x-www-form-urlencoded"),
            ("idempotency-key", idempotency_key),
        ],
    )
}

#[derive(Debug, Clone, Deserialize)]
pub struct Refund {
    pub id: String,
    pub status: String,
}

impl Gateway {
    /// Refunds the whole payment of `order_id`. The idempotency key is derived from the order,
    /// so a repeated request (a double click, a retry) refunds once.
    pub async fn refund(&self, order_id: &str, payment_intent: &str) -> Result<Refund, AppError> {
        let Some(key) = &self.secret_key else {
            return Err(AppError::Gateway {
                status: 503,
                detail: "Payments are not configured for this shop yet.".into(),
            });
        };
        let body = form_urlencoded::Serializer::new(String::new())
            .append_pair("payment_intent", payment_intent)
            .append_pair("metadata[order_id]", order_id)
            .finish();
        let url = format!("{}/v1/refunds", self.base.trim_end_matches('/'));
        let request = build_request(&url, key, &format!("refund-{order_id}"), &body)?;
        let mut resp = self.send(request).await?;
        let status = resp.status_code();
        let text = resp.text().await.unwrap_or_default();
        if (200..300).contains(&status) {
            return serde_json::from_str(&text).map_err(|e| AppError::Gateway {
                status: 502,
                detail: format!("The payment service answered oddly: {e}"),
            });
        }
        let message = serde_json::from_str::<GatewayError>(&text)
            .map(|e| e.error.message)
            .unwrap_or_default();
        Err(AppError::Gateway {
            status: 502,
            detail: format!("The payment service refused the refund ({status}). {message}"),
        })
    }
}

impl Gateway {
    /// Expires an open Checkout Session (`POST /v1/checkout/sessions/{id}/expire`), so that it
    /// can no longer be paid. `Ok(false)`: the session is not open any more (paid, or expired
    /// already); its webhook tells what happened.
    pub async fn expire_session(&self, session_id: &str) -> Result<bool, AppError> {
        let Some(key) = &self.secret_key else {
            return Err(AppError::Gateway {
                status: 503,
                detail: "Payments are not configured for this shop yet.".into(),
            });
        };
        let url = format!(
            "{}/v1/checkout/sessions/{}/expire",
            self.base.trim_end_matches('/'),
            form_urlencoded::byte_serialize(session_id.as_bytes()).collect::<String>()
        );
        let request = build_request(&url, key, &format!("expire-{session_id}"), "")?;
        let mut resp = self.send(request).await?;
        let status = resp.status_code();
        match status {
            200..=299 => Ok(true),
            400 => Ok(false),
            _ => {
                let text = resp.text().await.unwrap_or_default();
                worker::console_error!("payment gateway answered {status} to an expiry: {text}");
                Err(AppError::Gateway {
                    status: 502,
                    detail: format!(
                        "The payment service refused to close the checkout ({status})."
                    ),
                })
            }
        }
    }
}

impl Gateway {
    /// Sends `request`, cut off after the timeout: 502 if unreachable, 504 if too slow.
    async fn send(&self, request: Request) -> Result<worker::Response, AppError> {
        let controller = AbortController::default();
        let signal = controller.signal();
        let fetch = Fetch::Request(request);
        let send = Box::pin(fetch.send_with_signal(&signal));
        let timer = Box::pin(Delay::from(self.timeout));
        let outcome = select(send, timer).await;
        match outcome {
            Either::Left((Ok(resp), _)) => Ok(resp),
            Either::Left((Err(e), _)) => {
                worker::console_error!("payment gateway unreachable: {e}");
                Err(AppError::Gateway {
                    status: 502,
                    detail: "The payment service could not be reached.".into(),
                })
            }
            Either::Right(_) => {
                controller.abort();
                Err(AppError::Gateway {
                    status: 504,
                    detail: "The payment service did not answer in time.".into(),
                })
            }
        }
    }
}
