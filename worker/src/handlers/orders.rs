//! The HTTP side of orders after checkout: the order page and its JSON, and the payment
//! gateway's webhook.

use crate::error::AppError;
use crate::platform;
use crate::respond::no_store;
use crate::services::catalog::CatalogStore;
use crate::services::shopping::Shopping;
use app::api::OrderJson;
use commerce::WebhookOutcome;
use worker::{Request, Response};

/// Webhook bodies can be larger than shop requests (a session with many lines).
const MAX_WEBHOOK_BYTES: usize = 256 * 1024;

pub async fn api_order(shop: &Shopping, id: &str) -> Result<Response, AppError> {
    let order = shop.orders.get(id).await?.ok_or(AppError::NotFound)?;
    no_store(Response::from_json(&OrderJson::new(&order))?)
}

/// `POST /webhooks/payment`: a payment event, verified and applied by the service; answers
/// what was done, for the gateway's logs.
pub async fn payment_webhook(req: &mut Request, shop: &Shopping) -> Result<Response, AppError> {
    let body = platform::body_bytes(req, MAX_WEBHOOK_BYTES).await?;
    let signature = req.headers().get("stripe-signature").ok().flatten();
    let outcome = shop
        .commerce()
        .payment_event(shop.webhook_secret.as_deref(), signature.as_deref(), &body)
        .await?;
    let json = match outcome {
        WebhookOutcome::Ignored(why) => serde_json::json!({ "received": true, "ignored": why }),
        WebhookOutcome::Applied { order_id, status } => {
            serde_json::json!({ "received": true, "order_id": order_id, "status": status })
        }
    };
    no_store(Response::from_json(&json)?)
}

pub async fn order_page(
    req: &Request,
    store: &CatalogStore,
    shop: &Shopping,
    id: &str,
) -> Result<Response, AppError> {
    let order = shop.orders.get(id).await?.ok_or(AppError::NotFound)?;
    let index = store.index().await?;
    // How many times the page has reloaded itself while waiting for the payment.
    let refreshed = platform::query_pairs(req)
        .iter()
        .find(|(k, _)| k == "refreshed")
        .and_then(|(_, v)| v.parse::<u32>().ok())
        .unwrap_or(0);
    let html = app::render::order(index.collections.clone(), order, refreshed);
    no_store(Response::from_html(html)?)
}
