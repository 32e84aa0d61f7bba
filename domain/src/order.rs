//! Orders and their life cycle, as the order Durable Objects apply it.
//!
//! ```text
//! pending ──session created──▶ awaiting_payment ──completed──▶ paid
//!    │                              │  └──────expired───────▶ expired ──completed──▶ paid
//!    └──────── failed (out of stock, gateway error) ──────────▶ failed
//! ```
//! Payment events may arrive twice, late or out of order; [`Order::apply`] makes the outcome the
//! same: `paid` is final, and a completion after an expiry still pays the order (the shopper was
//! charged), while an expiry after payment changes nothing.

use crate::ids::Sku;
use crate::money::Currency;
use serde::{Deserialize, Serialize};

mod delivery;
mod notice;
pub mod receipt;
pub use delivery::{Address, Charges, Delivery, OrderDiscount};
pub use notice::{
    backoff_ms, Notice, NoticeKind, NoticeState, DEFAULT_BACKOFF_BASE_MS, MAX_ATTEMPTS,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Pending,
    AwaitingPayment,
    Paid,
    Expired,
    Failed,
    /// Paid and sent to the shopper.
    Fulfilled,
    /// Paid, then refunded.
    Refunded,
}

/// Order ids are `ord_` and 32 lowercase hex digits (128 random bits).
pub fn is_order_id(s: &str) -> bool {
    crate::ids::OrderId::parse(s).is_ok()
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 7] = [
        OrderStatus::Pending,
        OrderStatus::AwaitingPayment,
        OrderStatus::Paid,
        OrderStatus::Expired,
        OrderStatus::Failed,
        OrderStatus::Fulfilled,
        OrderStatus::Refunded,
    ];

    /// The snake_case name used in JSON and query strings.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Pending => "pending",
            OrderStatus::AwaitingPayment => "awaiting_payment",
            OrderStatus::Paid => "paid",
            OrderStatus::Expired => "expired",
            OrderStatus::Failed => "failed",
            OrderStatus::Fulfilled => "fulfilled",
            OrderStatus::Refunded => "refunded",
        }
    }

    pub fn parse(s: &str) -> Option<OrderStatus> {
        OrderStatus::ALL.into_iter().find(|st| st.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            OrderStatus::Pending => "Pending",
            OrderStatus::AwaitingPayment => "Awaiting payment",
            OrderStatus::Paid => "Paid",
            OrderStatus::Expired => "Expired",
            OrderStatus::Failed => "Failed",
            OrderStatus::Fulfilled => "Fulfilled",
            OrderStatus::Refunded => "Refunded",
        }
    }

    /// Whether the order still holds (or may hold) reserved stock.
    pub fn holds_stock(self) -> bool {
        matches!(self, OrderStatus::Pending | OrderStatus::AwaitingPayment)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLine {
    pub sku: Sku,
    pub title: String,
    pub quantity: u32,
    pub unit_price: i64,
    pub line_total: i64,
    /// Initial stock of the SKU in the catalog, to seed counters never seen before.
    #[serde(default)]
    pub initial_stock: u32,
    /// This line's share of the order's discount (minor units, 0 to `line_total`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub discount: i64,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    pub id: String,
    pub status: OrderStatus,
    pub cart_id: String,
    pub email: String,
    pub currency: Currency,
    pub lines: Vec<OrderLine>,
    pub total: i64,
    /// Unix seconds.
    pub created_at: i64,
    pub updated_at: i64,
    pub session_id: Option<String>,
    pub payment_url: Option<String>,
    pub failure: Option<String>,
    /// Units the shop could not cover when a payment arrived after its hold expired.
    #[serde(default)]
    pub shortfall: Vec<(String, u32)>,
    /// The gateway's payment, for refunds.
    #[serde(default)]
    pub payment_intent: Option<String>,
    #[serde(default)]
    pub refund_id: Option<String>,
    /// Where it ships and by which rate (absent in a shop without shipping settings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<Delivery>,
    /// The parts of `total` (absent in a shop without shipping settings: `total` is the goods).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charges: Option<Charges>,
    /// What the gateway reports the shopper paid, once paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_paid: Option<i64>,
    /// The discount code the order was placed with, as it applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount: Option<OrderDiscount>,
    /// The shop's origin the order was placed on (`https://shop.example`), for links in its
    /// e-mails.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub origin: String,
    /// Its e-mails to the shopper ([`notice`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<Notice>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderEvent {
    SessionCreated {
        session_id: String,
        payment_url: String,
        at: i64,
    },
    Failed {
        reason: String,
        at: i64,
    },
    Completed {
        session_id: Option<String>,
        #[serde(default)]
        payment_intent: Option<String>,
        at: i64,
        /// The session's `amount_total`: what the shopper was charged.
        #[serde(default)]
        amount_total: Option<i64>,
        /// The address the payment page collected (boxed: the other events are small).
        #[serde(default)]
        address: Option<Box<Address>>,
    },
    Fulfilled {
        at: i64,
    },
    Refunded {
        refund_id: String,
        at: i64,
    },
    Expired {
        at: i64,
    },
    Shortfall {
        lines: Vec<(String, u32)>,
    },
}

/// What changed, so the caller knows which side effects to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transition {
    Unchanged,
    Changed,
}

impl Order {
    /// When the gateway charged other than the order's total (a changed price, a tampered
    /// session): the amount paid, for the merchant to look into. Never silently accepted.
    pub fn amount_mismatch(&self) -> Option<i64> {
        self.amount_paid.filter(|paid| *paid != self.total)
    }

    pub fn apply(&mut self, event: &OrderEvent) -> Transition {
        use OrderStatus::*;
        let (next, at) = match (self.status, event) {
            (
                Pending,
                OrderEvent::SessionCreated {
                    session_id,
                    payment_url,
                    at,
                },
            ) => {
                self.session_id = Some(session_id.clone());
                self.payment_url = Some(payment_url.clone());
                (AwaitingPayment, *at)
            }
            // Only before a payment page exists: afterwards the shopper may be paying.
            (Pending, OrderEvent::Failed { reason, at }) => {
                self.failure = Some(reason.clone());
                (Failed, *at)
            }
            (
                Pending | AwaitingPayment | Expired | Failed,
                OrderEvent::Completed {
                    session_id,
                    payment_intent,
                    at,
                    amount_total,
                    address,
                },
            ) => {
                if self.session_id.is_none() {
                    self.session_id = session_id.clone();
                }
                self.payment_intent = payment_intent.clone();
                self.amount_paid = *amount_total;
                if let (Some(delivery), Some(address)) = (&mut self.delivery, address) {
                    delivery.address = Some(Address::clone(address));
                }
                (Paid, *at)
            }
            (Paid, OrderEvent::Fulfilled { at }) => (Fulfilled, *at),
            (Paid | Fulfilled, OrderEvent::Refunded { refund_id, at }) => {
                self.refund_id = Some(refund_id.clone());
                (Refunded, *at)
            }
            (Pending | AwaitingPayment, OrderEvent::Expired { at }) => (Expired, *at),
            (_, OrderEvent::Shortfall { lines }) => {
                if self.shortfall == *lines {
                    return Transition::Unchanged;
                }
                self.shortfall = lines.clone();
                return Transition::Changed;
            }
            _ => return Transition::Unchanged,
        };
        self.status = next;
        self.updated_at = at;
        match next {
            Paid => self.queue_notice(NoticeKind::Receipt, at.saturating_mul(1000)),
            Fulfilled => self.queue_notice(NoticeKind::Shipped, at.saturating_mul(1000)),
            _ => {}
        }
        Transition::Changed
    }
}

deserialize_by_name!(OrderStatus, OrderStatus::parse);

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn order() -> Order {
        Order {
            id: "ord_1".into(),
            status: OrderStatus::Pending,
            cart_id: "c".into(),
            email: "a@example.com".into(),
            currency: Currency::EUR,
            lines: vec![],
            total: 0,
            created_at: 0,
            updated_at: 0,
            session_id: None,
            payment_url: None,
            failure: None,
            shortfall: vec![],
            payment_intent: None,
            refund_id: None,
            delivery: None,
            charges: None,
            amount_paid: None,
            discount: None,
            origin: String::new(),
            notices: vec![],
        }
    }

    fn created() -> OrderEvent {
        OrderEvent::SessionCreated {
            session_id: "cs_1".into(),
            payment_url: "http://pay".into(),
            at: 1,
        }
    }

    #[test]
    fn happy_path_and_duplicates() {
        let mut o = order();
        assert_eq!(o.apply(&created()), Transition::Changed);
        assert_eq!(o.status, OrderStatus::AwaitingPayment);
        assert_eq!(o.apply(&created()), Transition::Unchanged);
        let done = OrderEvent::Completed {
            session_id: Some("cs_1".into()),
            payment_intent: Some("pi_1".into()),
            at: 2,
            amount_total: None,
            address: None,
        };
        assert_eq!(o.apply(&done), Transition::Changed);
        assert_eq!(o.apply(&done), Transition::Unchanged);
        assert_eq!(o.status, OrderStatus::Paid);
    }

    #[test]
    fn paid_is_final_whatever_the_order_of_events() {
        let mut a = order();
        a.apply(&created());
        a.apply(&OrderEvent::Completed {
            session_id: None,
            payment_intent: None,
            at: 2,
            amount_total: None,
            address: None,
        });
        assert_eq!(
            a.apply(&OrderEvent::Expired { at: 3 }),
            Transition::Unchanged
        );
        assert_eq!(
            a.apply(&OrderEvent::Failed {
                reason: "x".into(),
                at: 3
            }),
            Transition::Unchanged
        );
        assert_eq!(a.status, OrderStatus::Paid);

        let mut b = order();
        b.apply(&created());
        b.apply(&OrderEvent::Expired { at: 2 });
        assert_eq!(b.status, OrderStatus::Expired);
        b.apply(&OrderEvent::Completed {
            session_id: None,
            payment_intent: None,
            at: 3,
            amount_total: None,
            address: None,
        });
        assert_eq!(b.status, OrderStatus::Paid, "a late completion still pays");
    }

    #[test]
    fn failure_only_from_open_states() {
        let mut o = order();
        assert_eq!(
            o.apply(&OrderEvent::Failed {
                reason: "gateway".into(),
                at: 1
            }),
            Transition::Changed
        );
        assert_eq!(o.status, OrderStatus::Failed);
        assert_eq!(o.failure.as_deref(), Some("gateway"));
        assert_eq!(o.apply(&created()), Transition::Unchanged);
        assert!(!o.status.holds_stock());
    }
}

#[cfg(test)]
mod after_payment_tests {
    use super::tests::order;
    use super::*;

    #[test]
    fn fulfil_and_refund_only_after_payment() {
        let mut o = order();
        assert_eq!(
            o.apply(&OrderEvent::Fulfilled { at: 1 }),
            Transition::Unchanged
        );
        assert_eq!(
            o.apply(&OrderEvent::Refunded {
                refund_id: "re".into(),
                at: 1
            }),
            Transition::Unchanged
        );
        o.apply(&OrderEvent::Completed {
            session_id: None,
            payment_intent: Some("pi".into()),
            at: 2,
            amount_total: None,
            address: None,
        });
        assert_eq!(o.payment_intent.as_deref(), Some("pi"));
        assert_eq!(
            o.apply(&OrderEvent::Fulfilled { at: 3 }),
            Transition::Changed
        );
        assert_eq!(
            o.apply(&OrderEvent::Refunded {
                refund_id: "re_1".into(),
                at: 4
            }),
            Transition::Changed
        );
        assert_eq!(o.status, OrderStatus::Refunded);
        assert_eq!(
            o.apply(&OrderEvent::Refunded {
                refund_id: "re_2".into(),
                at: 5
            }),
            Transition::Unchanged
        );
        assert_eq!(o.refund_id.as_deref(), Some("re_1"));
        assert_eq!(
            OrderStatus::parse("awaiting_payment"),
            Some(OrderStatus::AwaitingPayment)
        );
        assert_eq!(OrderStatus::parse("nope"), None);
    }
}
