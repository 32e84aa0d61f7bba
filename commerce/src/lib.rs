//! The flows the shop most needs to get right, as a service that compiles and tests natively:
//! checkout (an order, its stock held, its payment page), a checkout abandoned or superseded,
//! the gateway's payment events, and refunds.
//!
//! [`Commerce`] works through the small [`ports`]: carts, orders, stock, the payment gateway, a
//! clock and ids. It answers typed outcomes, and [`ShopError`] when it cannot; it never picks an
//! HTTP status. The worker implements the ports with Durable Objects, `fetch`, `Date.now` and
//! `crypto`; `tests/` implements them in memory, with a clock the test moves by hand.
//!
//! Every step is idempotent and ordered so that a crash or a retry between two steps leaves
//! nothing a later attempt (or an expiry) cannot finish: that is what lets a checkout never
//! double-charge and a payment never be lost.

pub mod ports;

mod after;
mod checkout;
mod orders;
mod outcome;

pub use after::WebhookOutcome;
pub use checkout::{price, Checkout};
pub use orders::Refunded;
pub use outcome::ShopError;

use domain::inventory::HoldLine;
use domain::order::Order;
use ports::{CartStore, Clock, DiscountStore, Ids, OrderStore, PaymentGateway, StockStore};

/// How often the service tries to open a payment session before giving up.
pub const SESSION_ATTEMPTS: u32 = 3;

/// The ports one deployment of the service works through: the worker's objects, gateway and
/// runtime, or a test's fakes.
pub trait Ports {
    type Carts: CartStore;
    type Orders: OrderStore;
    type Stock: StockStore;
    type Discounts: DiscountStore;
    type Gateway: PaymentGateway;
    type Clock: Clock;
    type Ids: Ids;
}

/// The service, over its ports.
pub struct Commerce<P: Ports> {
    pub carts: P::Carts,
    pub orders: P::Orders,
    pub stock: P::Stock,
    pub discounts: P::Discounts,
    pub gateway: P::Gateway,
    pub clock: P::Clock,
    pub ids: P::Ids,
    /// How long checkout holds stock, and the payment page stays open (seconds).
    pub reservation_ttl: i64,
}

impl<P: Ports> Commerce<P> {
    async fn order_of(&self, id: &str) -> Result<Order, ShopError> {
        self.orders
            .get(id)
            .await?
            .ok_or_else(|| ShopError::UnknownOrder(id.to_owned()))
    }

    /// Gives back the discount use an order holds, if it has a code (an order that ended unpaid).
    async fn release_discount(&self, order: &Order) -> Result<(), ShopError> {
        if let Some(code) = order_code(order) {
            self.discounts.release(&code, &order.id).await?;
        }
        Ok(())
    }
}

/// How long a discount hold outlives the order's payment page (seconds): a payment completed at
/// the page's last second still finds its hold. Ended orders release theirs at once.
pub const DISCOUNT_HOLD_GRACE: i64 = 600;

/// The code an order was placed with, if any.
fn order_code(order: &Order) -> Option<domain::discount::Code> {
    let d = order.discount.as_ref()?;
    domain::discount::Code::parse(&d.code).ok()
}

/// The stock an order holds: one hold line per order line.
pub fn hold_lines(order: &Order) -> Vec<HoldLine> {
    order
        .lines
        .iter()
        .map(|l| HoldLine {
            sku: l.sku.clone(),
            quantity: l.quantity,
            initial: l.initial_stock,
        })
        .collect()
}
