//! What the service answers when it cannot do what was asked. The worker maps each to its
//! status and wire code in one place (`worker/src/error.rs`).

use crate::ports::{PaymentError, StoreError};
use domain::cart::CartError;
use domain::order::OrderStatus;
use domain::Sku;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShopError {
    #[error("the cart is empty: add something before checking out")]
    EmptyCart,
    #[error("{sku} is no longer sold; remove it to check out")]
    Unavailable { sku: Sku },
    #[error("only {available} of {sku} left, the cart has {requested}")]
    OutOfStock {
        sku: Sku,
        requested: u32,
        available: u32,
    },
    #[error("the stock of {sku} is being changed right now; try again in a moment")]
    StockBusy { sku: Sku },
    #[error("this checkout's hold on the stock ended; try again")]
    CheckoutExpired,
    /// The cart changed while it was being checked out, or the checkout already ended.
    #[error("{0}; try again")]
    CheckoutConflict(&'static str),
    #[error(transparent)]
    Cart(#[from] CartError),
    /// The cart's discount code cannot be used (any more).
    #[error(transparent)]
    Discount(#[from] domain::discount::Refusal),
    #[error("there is no order {0}")]
    UnknownOrder(String),
    #[error("only paid orders can be {action}; this one is {}", status.as_str())]
    NotPaid {
        action: &'static str,
        status: OrderStatus,
    },
    #[error("the gateway did not report a payment for this order")]
    NoPayment,
    /// Webhooks cannot be checked: the shop has no signing secret.
    #[error("webhooks are not configured (PAYMENT_WEBHOOK_SECRET)")]
    WebhooksNotConfigured,
    #[error("{0}")]
    BadSignature(String),
    #[error("the event is not JSON: {0}")]
    MalformedEvent(String),
    #[error(transparent)]
    Payment(#[from] PaymentError),
    #[error(transparent)]
    Store(#[from] StoreError),
}
