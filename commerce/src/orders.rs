//! The merchant's order actions: fulfil and refund.

use crate::ports::{Clock, OrderStore, PaymentGateway, StockStore};
use crate::{hold_lines, Commerce, Ports, ShopError};
use domain::order::{Order, OrderEvent, OrderStatus};

/// A refund's result: the order, and whether its units went back on the shelf by this call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refunded {
    pub order: Order,
    pub restocked: bool,
}

impl<P: Ports> Commerce<P> {
    /// Marks a paid order fulfilled (repeating it changes nothing).
    pub async fn fulfil(&self, id: &str) -> Result<Order, ShopError> {
        let order = self.order_of(id).await?;
        if !matches!(order.status, OrderStatus::Paid | OrderStatus::Fulfilled) {
            return Err(ShopError::NotPaid {
                action: "fulfilled",
                status: order.status,
            });
        }
        let event = OrderEvent::Fulfilled {
            at: self.clock.now(),
        };
        self.applied(id, event).await
    }

    /// Refunds a paid order's whole payment at the gateway, once (the idempotency key is the
    /// order's, and a refunded order is not sent again), and restocks its units if asked, once.
    pub async fn refund(&self, id: &str, restock: bool) -> Result<Refunded, ShopError> {
        let order = self.order_of(id).await?;
        let refund_id = match (order.status, &order.refund_id) {
            (OrderStatus::Refunded, Some(r)) => r.clone(),
            (OrderStatus::Paid | OrderStatus::Fulfilled, _) => {
                let pi = order
                    .payment_intent
                    .as_deref()
                    .ok_or(ShopError::NoPayment)?;
                self.gateway.refund(pi, id, &format!("refund-{id}")).await?
            }
            (status, _) => {
                return Err(ShopError::NotPaid {
                    action: "refunded",
                    status,
                })
            }
        };
        let event = OrderEvent::Refunded {
            refund_id,
            at: self.clock.now(),
        };
        let order = self.applied(id, event).await?;
        let restocked = restock
            && self
                .stock
                .restock(id, &order.cart_id, &hold_lines(&order))
                .await?;
        Ok(Refunded { order, restocked })
    }

    async fn applied(&self, id: &str, event: OrderEvent) -> Result<Order, ShopError> {
        let (order, _) = self
            .orders
            .apply(id, event)
            .await?
            .ok_or_else(|| ShopError::UnknownOrder(id.to_owned()))?;
        Ok(order)
    }
}
