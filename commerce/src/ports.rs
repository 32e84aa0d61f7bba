//! The ports the service works through. Each is small and speaks domain types; the worker
//! implements them with Durable Object stubs, the runtime's `fetch`, `Date.now` and `crypto`,
//! the tests with in-memory fakes (`tests/fakes/`).
//!
//! The futures are not `Send`: a Worker runs one request on one thread.
#![allow(async_fn_in_trait)]

use domain::cart::{Cart, CartCommand, CartError};
use domain::discount::{Code, Commit, Discount, Refusal as CodeRefusal};
use domain::inventory::HoldLine;
use domain::order::{Order, OrderEvent, Transition};
use domain::Sku;

/// A store (a Durable Object, say) could not be reached or answered oddly: a 500, never the
/// shopper's fault. The text is for the logs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct StoreError(pub String);

/// Carts by id: each applies one command atomically.
pub trait CartStore {
    async fn apply(
        &self,
        cart_id: &str,
        command: CartCommand,
    ) -> Result<Result<Cart, CartError>, StoreError>;
}

/// Orders by id: each applies one event atomically, through the order's state machine.
pub trait OrderStore {
    async fn get(&self, order_id: &str) -> Result<Option<Order>, StoreError>;
    /// Creates the order, or answers the one already stored under its id.
    async fn create(&self, order: Order) -> Result<Order, StoreError>;
    /// `None`: there is no such order.
    async fn apply(
        &self,
        order_id: &str,
        event: OrderEvent,
    ) -> Result<Option<(Order, Transition)>, StoreError>;
}

/// Why stock was not reserved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    OutOfStock {
        sku: Sku,
        requested: u32,
        available: u32,
    },
    /// The order's reservation already ended (committed or released).
    Closed,
    /// The merchant is changing `sku`'s stock this very moment.
    Busy { sku: Sku },
}

/// Stock counters and the holds orders place on them. Every call is idempotent per order.
/// `cart_id` is the order's cart: a SKU split over buckets is held in the cart's bucket.
pub trait StockStore {
    /// Holds every line for `order_id` until `now + ttl_seconds`, all or nothing.
    async fn reserve(
        &self,
        order_id: &str,
        cart_id: &str,
        lines: &[HoldLine],
        ttl_seconds: i64,
    ) -> Result<Result<(), Refusal>, StoreError>;
    /// Gives the order's held units back.
    async fn release(
        &self,
        order_id: &str,
        cart_id: &str,
        lines: &[HoldLine],
    ) -> Result<(), StoreError>;
    /// Takes the order's units off the shelf (payment); answers units it could not cover
    /// because the hold had ended and others bought them meanwhile.
    async fn commit(
        &self,
        order_id: &str,
        cart_id: &str,
        lines: &[HoldLine],
    ) -> Result<Vec<(String, u32)>, StoreError>;
    /// Puts a committed order's units back, once; answers whether it did.
    async fn restock(
        &self,
        order_id: &str,
        cart_id: &str,
        lines: &[HoldLine],
    ) -> Result<bool, StoreError>;
}

/// Discount codes and the uses orders hold on them. Every call is idempotent per order.
pub trait DiscountStore {
    /// Holds one use of `code` for `order_id` until `until` (Unix seconds), checked against the
    /// code as it is now (active, `subtotal` at its minimum, uses left, `email` not used before):
    /// the code as it is now, or why not.
    async fn hold(
        &self,
        code: &Code,
        order_id: &str,
        email: &str,
        subtotal: i64,
        until: i64,
    ) -> Result<Result<Discount, CodeRefusal>, StoreError>;
    /// Gives the order's held use back (never a redeemed one).
    async fn release(&self, code: &Code, order_id: &str) -> Result<(), StoreError>;
    /// The order was paid: its use is redeemed.
    async fn commit(&self, code: &Code, order_id: &str, email: &str) -> Result<Commit, StoreError>;
}

/// A hosted payment page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: String,
    pub url: String,
}

/// What went wrong at the payment gateway.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    /// The shop has no gateway key.
    #[error("payments are not configured for this shop yet")]
    NotConfigured,
    /// No answer in time: the request may or may not have been applied.
    #[error("the payment service did not answer in time")]
    Timeout,
    /// Unreachable, or a 5xx or 409: worth another try with the same idempotency key.
    #[error("the payment service failed ({0})")]
    Unavailable(String),
    /// The gateway refused the request: another try would be refused too.
    #[error("the payment service refused: {0}")]
    Refused(String),
    /// The gateway's rate limiter (429): too many checkouts at once. Not retried at once: more
    /// requests would only deepen the queue; the shopper is asked to try again in a moment.
    #[error("checkout is very busy right now; please try again in a moment")]
    RateLimited,
}

impl PaymentError {
    /// Whether the same request may succeed if sent again (with the same idempotency key).
    pub fn retryable(&self) -> bool {
        matches!(self, PaymentError::Timeout | PaymentError::Unavailable(_))
    }
}

/// A Stripe-compatible payment gateway. Each call is one attempt; the service decides on
/// retries, always with the same idempotency key.
pub trait PaymentGateway {
    /// `POST /v1/checkout/sessions` with the form `params`.
    async fn open_session(
        &self,
        params: &[(String, String)],
        idempotency_key: &str,
    ) -> Result<Session, PaymentError>;
    /// `POST /v1/checkout/sessions/{id}/expire`. `Ok(false)`: the session is not open any more
    /// (paid, or expired already).
    async fn expire_session(&self, session_id: &str) -> Result<bool, PaymentError>;
    /// `POST /v1/refunds` for the whole payment; answers the refund's id.
    async fn refund(
        &self,
        payment_intent: &str,
        order_id: &str,
        idempotency_key: &str,
    ) -> Result<String, PaymentError>;
}

/// The time, and waiting.
pub trait Clock {
    /// Unix seconds.
    fn now(&self) -> i64;
    async fn sleep_ms(&self, ms: u64);
}

/// Fresh random identifiers.
pub trait Ids {
    /// `n` random bytes as lower-case hex; `Err` if the platform's randomness failed.
    fn random_hex(&self, n: usize) -> Result<String, StoreError>;
}

impl<T: CartStore> CartStore for &T {
    async fn apply(
        &self,
        cart_id: &str,
        command: CartCommand,
    ) -> Result<Result<Cart, CartError>, StoreError> {
        (**self).apply(cart_id, command).await
    }
}

impl<T: OrderStore> OrderStore for &T {
    async fn get(&self, order_id: &str) -> Result<Option<Order>, StoreError> {
        (**self).get(order_id).await
    }
    async fn create(&self, order: Order) -> Result<Order, StoreError> {
        (**self).create(order).await
    }
    async fn apply(
        &self,
        order_id: &str,
        event: OrderEvent,
    ) -> Result<Option<(Order, Transition)>, StoreError> {
        (**self).apply(order_id, event).await
    }
}

impl<T: StockStore> StockStore for &T {
    async fn reserve(
        &self,
        order_id: &str,
        cart_id: &str,
        lines: &[HoldLine],
        ttl_seconds: i64,
    ) -> Result<Result<(), Refusal>, StoreError> {
        (**self)
            .reserve(order_id, cart_id, lines, ttl_seconds)
            .await
    }
    async fn release(
        &self,
        order_id: &str,
        cart_id: &str,
        lines: &[HoldLine],
    ) -> Result<(), StoreError> {
        (**self).release(order_id, cart_id, lines).await
    }
    async fn commit(
        &self,
        order_id: &str,
        cart_id: &str,
        lines: &[HoldLine],
    ) -> Result<Vec<(String, u32)>, StoreError> {
        (**self).commit(order_id, cart_id, lines).await
    }
    async fn restock(
        &self,
        order_id: &str,
        cart_id: &str,
        lines: &[HoldLine],
    ) -> Result<bool, StoreError> {
        (**self).restock(order_id, cart_id, lines).await
    }
}

impl<T: DiscountStore> DiscountStore for &T {
    async fn hold(
        &self,
        code: &Code,
        order_id: &str,
        email: &str,
        subtotal: i64,
        until: i64,
    ) -> Result<Result<Discount, CodeRefusal>, StoreError> {
        (**self).hold(code, order_id, email, subtotal, until).await
    }
    async fn release(&self, code: &Code, order_id: &str) -> Result<(), StoreError> {
        (**self).release(code, order_id).await
    }
    async fn commit(&self, code: &Code, order_id: &str, email: &str) -> Result<Commit, StoreError> {
        (**self).commit(code, order_id, email).await
    }
}

impl<T: PaymentGateway> PaymentGateway for &T {
    async fn open_session(
        &self,
        params: &[(String, String)],
        idempotency_key: &str,
    ) -> Result<Session, PaymentError> {
        (**self).open_session(params, idempotency_key).await
    }
    async fn expire_session(&self, session_id: &str) -> Result<bool, PaymentError> {
        (**self).expire_session(session_id).await
    }
    async fn refund(
        &self,
        payment_intent: &str,
        order_id: &str,
        idempotency_key: &str,
    ) -> Result<String, PaymentError> {
        (**self)
            .refund(payment_intent, order_id, idempotency_key)
            .await
    }
}

impl<T: Clock> Clock for &T {
    fn now(&self) -> i64 {
        (**self).now()
    }
    async fn sleep_ms(&self, ms: u64) {
        (**self).sleep_ms(ms).await
    }
}

impl<T: Ids> Ids for &T {
    fn random_hex(&self, n: usize) -> Result<String, StoreError> {
        (**self).random_hex(n)
    }
}
