//! After checkout: a checkout abandoned or replaced, and the gateway's payment events.

use crate::ports::{CartStore, Clock, DiscountStore, OrderStore, PaymentGateway, StockStore};
use crate::{hold_lines, Commerce, Ports, ShopError};
use domain::cart::{CartCommand, CartLine};
use domain::order::{Address, Order, OrderEvent, OrderStatus};
use domain::CartId;
use serde::Deserialize;

/// What a payment event did, for the gateway's logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookOutcome {
    /// Verified, but nothing to do, and why.
    Ignored(&'static str),
    /// The order the event was about, after it.
    Applied {
        order_id: String,
        status: OrderStatus,
    },
}

impl<P: Ports> Commerce<P> {
    /// Ends a checkout its shopper left (Cancel on the payment page) or replaced (a new checkout
    /// of the changed cart), if it belongs to `cart_id` and still waits for its payment: its
    /// payment session is expired first, so that it can no longer be paid, then the order, then
    /// its stock holds are released at once. If the gateway says the session is no longer open,
    /// it was paid (or expired) meanwhile, and its webhook records that: a payment is never
    /// undone here. Answers the order, if it is the cart's.
    pub async fn abandon(
        &self,
        order_id: &str,
        cart_id: &CartId,
    ) -> Result<Option<Order>, ShopError> {
        let Some(order) = self.orders.get(order_id).await? else {
            return Ok(None);
        };
        if order.cart_id != cart_id.as_str() {
            return Ok(None);
        }
        if !order.status.holds_stock() {
            return Ok(Some(order));
        }
        if let Some(session) = &order.session_id {
            if !self.gateway.expire_session(session).await? {
                return Ok(Some(order));
            }
        }
        let expired = OrderEvent::Expired {
            at: self.clock.now(),
        };
        match self.orders.apply(&order.id, expired).await? {
            Some((order, _)) if order.status == OrderStatus::Expired => {
                self.stock
                    .release(&order.id, &order.cart_id, &hold_lines(&order))
                    .await?;
                self.release_discount(&order).await?;
                Ok(Some(order))
            }
            other => Ok(other.map(|(o, _)| o)),
        }
    }

    /// A payment event from the gateway: its signature checked with `secret`, then applied to
    /// its order. Effects follow the order's state, not the event, and are idempotent: a
    /// repeated, late or out-of-order delivery finishes whatever an earlier one could not and
    /// never undoes a payment.
    pub async fn payment_event(
        &self,
        secret: Option<&str>,
        signature: Option<&str>,
        body: &[u8],
    ) -> Result<WebhookOutcome, ShopError> {
        let Some(secret) = secret else {
            return Err(ShopError::WebhooksNotConfigured);
        };
        domain::webhook::verify(
            secret.as_bytes(),
            signature,
            body,
            self.clock.now(),
            domain::webhook::DEFAULT_TOLERANCE_SECONDS,
        )
        .map_err(|e| ShopError::BadSignature(e.to_string()))?;
        let event: Event = std::str::from_utf8(body)
            .map_err(|e| e.to_string())
            .and_then(|text| serde_json::from_str(text).map_err(|e| e.to_string()))
            .map_err(ShopError::MalformedEvent)?;
        let (order_id, event) = match order_event(event, self.clock.now()) {
            Ok(found) => found,
            Err(why) => return Ok(WebhookOutcome::Ignored(why)),
        };
        let Some((order, _)) = self.orders.apply(&order_id, event).await? else {
            return Ok(WebhookOutcome::Ignored("unknown order"));
        };
        match order.status {
            OrderStatus::Paid => self.settle(&order).await?,
            OrderStatus::Expired | OrderStatus::Failed => {
                self.stock
                    .release(&order.id, &order.cart_id, &hold_lines(&order))
                    .await?;
                self.release_discount(&order).await?;
            }
            OrderStatus::Pending
            | OrderStatus::AwaitingPayment
            | OrderStatus::Fulfilled
            | OrderStatus::Refunded => {}
        }
        Ok(WebhookOutcome::Applied {
            order_id: order.id,
            status: order.status,
        })
    }

    /// A paid order's effects: its code's use is redeemed, its units leave the shelf (a
    /// shortfall is noted on the order for the merchant), and exactly the paid quantities leave
    /// the cart.
    async fn settle(&self, order: &Order) -> Result<(), ShopError> {
        if let Some(code) = crate::order_code(order) {
            self.discounts
                .commit(&code, &order.id, &order.email)
                .await?;
        }
        let shortfall = self
            .stock
            .commit(&order.id, &order.cart_id, &hold_lines(order))
            .await?;
        if !shortfall.is_empty() {
            self.orders
                .apply(&order.id, OrderEvent::Shortfall { lines: shortfall })
                .await?;
        }
        let paid = order
            .lines
            .iter()
            .map(|l| CartLine {
                sku: l.sku.clone(),
                quantity: l.quantity,
            })
            .collect();
        let command = CartCommand::CheckoutPaid {
            order_id: order.id.clone(),
            paid,
        };
        self.carts.apply(&order.cart_id, command).await??;
        Ok(())
    }
}

/// A gateway event, as much of it as the shop reads (Stripe's shape: `type` and the Checkout
/// Session in `data.object`). Everything is optional: an event of another kind still parses.
#[derive(Debug, Default, Deserialize)]
struct Event {
    #[serde(default, rename = "type")]
    kind: String,
    #[serde(default)]
    data: EventData,
}

#[derive(Debug, Default, Deserialize)]
struct EventData {
    #[serde(default)]
    object: SessionObject,
}

#[derive(Debug, Default, Deserialize)]
struct SessionObject {
    id: Option<String>,
    client_reference_id: Option<String>,
    #[serde(default)]
    metadata: Metadata,
    payment_status: Option<String>,
    payment_intent: Option<String>,
    /// What the shopper was charged.
    amount_total: Option<i64>,
    /// The address the payment page collected (Stripe's `shipping_details`).
    shipping_details: Option<ShippingDetails>,
}

#[derive(Debug, Default, Deserialize)]
struct ShippingDetails {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    address: PostalAddress,
}

#[derive(Debug, Default, Deserialize)]
struct PostalAddress {
    line1: Option<String>,
    line2: Option<String>,
    postal_code: Option<String>,
    city: Option<String>,
    state: Option<String>,
    country: Option<String>,
}

impl ShippingDetails {
    fn address(self) -> Address {
        let a = self.address;
        Address {
            name: self.name.unwrap_or_default(),
            line1: a.line1.unwrap_or_default(),
            line2: a.line2.filter(|l| !l.is_empty()),
            postal_code: a.postal_code.unwrap_or_default(),
            city: a.city.unwrap_or_default(),
            state: a.state.filter(|s| !s.is_empty()),
            country: a.country.unwrap_or_default(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct Metadata {
    order_id: Option<String>,
}

/// The order a verified event is about and what happened to it; `Err` says why the shop has
/// nothing to do with the event.
fn order_event(event: Event, at: i64) -> Result<(String, OrderEvent), &'static str> {
    let session = event.data.object;
    let order_id = session
        .metadata
        .order_id
        .or(session.client_reference_id)
        .filter(|id| domain::order::is_order_id(id))
        .ok_or("no order id")?;
    let event = match event.kind.as_str() {
        "checkout.session.completed" if session.payment_status.as_deref() == Some("unpaid") => {
            return Err("payment not yet settled")
        }
        "checkout.session.completed" | "checkout.session.async_payment_succeeded" => {
            OrderEvent::Completed {
                session_id: session.id,
                payment_intent: session.payment_intent,
                at,
                amount_total: session.amount_total,
                address: session
                    .shipping_details
                    .map(|d| Box::new(ShippingDetails::address(d))),
            }
        }
        "checkout.session.expired" => OrderEvent::Expired { at },
        _ => return Err("event type not handled"),
    };
    Ok((order_id, event))
}
