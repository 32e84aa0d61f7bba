//! After checkout: a checkout abandoned or replaced, and the gateway's payment events.

use super::*;

impl Shopping {
    /// Ends a checkout its shopper left (Cancel on the payment page) or replaced (a new checkout
    /// of the changed cart), if it belongs to `cart_id` and still waits for its payment: its
    /// payment session is expired first, so that it can no longer be paid, then the order, then
    /// its stock holds are released at once. If the gateway says the session is no longer open,
    /// it was paid (or expired) meanwhile, and its webhook records that: a payment is never
    /// undone here. Answers the order, if it is the cart's.
    pub async fn abandon(&self, order_id: &str, cart_id: &str) -> Result<Option<Order>, AppError> {
        let Some(order) = self.orders.get(order_id).await? else {
            return Ok(None);
        };
        if order.cart_id != cart_id {
            return Ok(None);
        }
        if !matches!(
            order.status,
            OrderStatus::Pending | OrderStatus::AwaitingPayment
        ) {
            return Ok(Some(order));
        }
        if let Some(session) = &order.session_id {
            if !self.gateway.expire_session(session).await? {
                return Ok(Some(order));
            }
        }
        let expired = OrderEvent::Expired {
            at: platform::now(),
        };
        match self.orders.apply(&order.id, expired).await? {
            Some((order, _)) if order.status == OrderStatus::Expired => {
                self.inventory
                    .release(&order.id, &hold_lines(&order))
                    .await?;
                Ok(Some(order))
            }
            other => Ok(other.map(|(o, _)| o)),
        }
    }

    /// A payment event, verified; answers what was done, for the gateway's logs.
    pub async fn webhook(&self, req: &mut Request) -> Result<Value, AppError> {
        let Some(secret) = &self.webhook_secret else {
            return Err(AppError::Gateway {
                status: 503,
                detail: "Webhooks are not configured (PAYMENT_WEBHOOK_SECRET).".into(),
            });
        };
        let body = platform::body_bytes(req, MAX_WEBHOOK_BYTES).await?;
        let header = req.headers().get("stripe-signature").ok().flatten();
        domain::webhook::verify(
            secret.as_bytes(),
            header.as_deref(),
            &body,
            platform::now(),
            domain::webhook::DEFAULT_TOLERANCE_SECONDS,
        )
        .map_err(|e| AppError::client(400, "bad_signature", e.to_string()))?;
        let event: Value = serde_json::from_slice(&body).map_err(AppError::malformed_json)?;
        let kind = event["type"].as_str().unwrap_or_default();
        let session = &event["data"]["object"];
        let order_id = session["metadata"]["order_id"]
            .as_str()
            .or_else(|| session["client_reference_id"].as_str())
            .filter(|id| app::routes::is_order_id(id));
        let ignored = |why: &str| serde_json::json!({ "received": true, "ignored": why });
        let Some(order_id) = order_id else {
            return Ok(ignored("no order id"));
        };
        let at = platform::now();
        let session_id = session["id"].as_str().map(str::to_owned);
        let event = match kind {
            "checkout.session.completed" | "checkout.session.async_payment_succeeded" => {
                if kind == "checkout.session.completed"
                    && session["payment_status"].as_str() == Some("unpaid")
                {
                    return Ok(ignored("payment not yet settled"));
                }
                let payment_intent = session["payment_intent"].as_str().map(str::to_owned);
                OrderEvent::Completed {
                    session_id,
                    payment_intent,
                    at,
                }
            }
            "checkout.session.expired" => OrderEvent::Expired { at },
            _ => return Ok(ignored("event type not handled")),
        };
        let Some((order, _)) = self.orders.apply(order_id, event).await? else {
            return Ok(ignored("unknown order"));
        };
        // Effects follow the order's state, not the event, and are idempotent: a repeated or
        // retried delivery finishes whatever an earlier one could not.
        match order.status {
            OrderStatus::Paid => {
                let shortfall = self
                    .inventory
                    .commit(&order.id, &hold_lines(&order))
                    .await?;
                if !shortfall.is_empty() {
                    worker::console_error!(
                        "order {} paid after its hold ended; short: {shortfall:?}",
                        order.id
                    );
                    self.orders
                        .apply(&order.id, OrderEvent::Shortfall { lines: shortfall })
                        .await?;
                }
                self.carts
                    .apply(
                        &order.cart_id,
                        CartCommand::CheckoutPaid {
                            order_id: order.id.clone(),
                            paid: order
                                .lines
                                .iter()
                                .filter_map(|l| {
                                    Some(cart::CartLine {
                                        sku: Sku::parse(&l.sku).ok()?,
                                        quantity: l.quantity,
                                    })
                                })
                                .collect(),
                        },
                    )
                    .await?
                    .map_err(cart_error)?;
            }
            OrderStatus::Expired | OrderStatus::Failed => {
                self.inventory
                    .release(&order.id, &hold_lines(&order))
                    .await?
            }
            OrderStatus::Pending
            | OrderStatus::AwaitingPayment
            | OrderStatus::Fulfilled
            | OrderStatus::Refunded => {}
        }
        Ok(serde_json::json!({ "received": true, "order_id": order.id, "status": order.status }))
    }
}
