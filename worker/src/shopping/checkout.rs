//! Checkout: the cart agrees on an order, the stock is held, the payment session opened.

use super::*;

impl Shopping {
    /// Checks the cart out: an order, its stock reserved, a payment session. A retried or
    /// concurrent checkout of the same unchanged cart joins the same order and session.
    /// Answers the order and whether this call created it.
    pub async fn checkout(
        &self,
        index: &CatalogIndex,
        origin: &str,
        id: Option<String>,
        email: &str,
    ) -> Result<(Order, bool), AppError> {
        let email = email.trim();
        if !domain::payment::valid_email(email) {
            return Err(AppError::client(
                400,
                "bad_email",
                "give an e-mail address such as you@example.com for the receipt",
            ));
        }
        let empty_cart = || {
            AppError::client(
                409,
                "empty_cart",
                "the cart is empty: add something before checking out",
            )
        };
        let Some(cart_id) = id else {
            return Err(empty_cart());
        };

        // Agree with the cart on the order id (the cart's object decides atomically). Its answer
        // is the cart being checked out: no separate read of the cart first.
        let mut replace = None;
        let (order_id, priced) = loop {
            let proposal = format!("ord_{}", platform::random_hex(16)?);
            let command = CartCommand::StartCheckout {
                order_id: proposal.clone(),
                replace: replace.clone(),
            };
            let cart = self
                .carts
                .apply(&cart_id, command)
                .await?
                .map_err(cart_error)?;
            if cart.is_empty() {
                return Err(empty_cart());
            }
            let priced = price(index, &cart)?;
            if let Some(line) = priced.unavailable().next() {
                return Err(AppError::client(
                    409,
                    "unavailable",
                    format!("{} is no longer sold; remove it to check out", line.sku),
                )
                .with("sku", line.sku.as_str()));
            }
            let chosen = cart
                .current_checkout()
                .map(str::to_owned)
                .unwrap_or(proposal.clone());
            if chosen == proposal {
                // The cart changed since its last checkout, which may still be open: end it
                // (its holds and its payment page) before this one reserves.
                if let Some(old) = cart.checkout.as_ref().and_then(|c| c.superseded.as_ref()) {
                    if let Err(e) = self.abandon(old, &cart_id).await {
                        worker::console_error!("could not end the superseded checkout {old}: {e}");
                    }
                }
                break (chosen, priced);
            }
            match self.orders.get(&chosen).await? {
                Some(o)
                    if matches!(
                        o.status,
                        OrderStatus::Failed
                            | OrderStatus::Expired
                            | OrderStatus::Paid
                            | OrderStatus::Fulfilled
                            | OrderStatus::Refunded
                    ) =>
                {
                    if replace.as_deref() == Some(chosen.as_str()) {
                        return Err(AppError::client(
                            409,
                            "checkout_conflict",
                            "the cart changed during checkout; try again",
                        ));
                    }
                    replace = Some(chosen);
                }
                Some(o) if o.status == OrderStatus::AwaitingPayment => return Ok((o, false)),
                // Being created by a concurrent request, or left half-way by a failed one:
                // every step below is idempotent, so carry on with it.
                _ => break (chosen, priced),
            }
        };

        let now = platform::now();
        let lines: Vec<OrderLine> = priced
            .lines
            .iter()
            .map(|l| OrderLine {
                sku: l.sku.to_string(),
                title: l.title.clone(),
                quantity: l.quantity,
                unit_price: l.unit_price,
                line_total: l.line_total,
                initial_stock: index.skus.get(&l.sku).map_or(0, |e| e.initial_stock),
            })
            .collect();
        let order = Order {
            id: order_id.clone(),
            status: OrderStatus::Pending,
            cart_id: cart_id.clone(),
            email: email.to_owned(),
            currency: priced.currency,
            lines,
            total: priced.subtotal,
            created_at: now,
            updated_at: now,
            session_id: None,
            payment_url: None,
            failure: None,
            shortfall: Vec::new(),
            payment_intent: None,
            refund_id: None,
        };
        let order = self.orders.create(order).await?;
        match order.status {
            OrderStatus::Pending => {}
            OrderStatus::AwaitingPayment => return Ok((order, false)),
            _ => {
                return Err(AppError::client(
                    409,
                    "checkout_conflict",
                    "this checkout already ended; try again",
                ))
            }
        }

        let holds = hold_lines(&order);
        match self
            .inventory
            .reserve(&order.id, &holds, self.reservation_ttl)
            .await?
        {
            Ok(()) => {}
            Err(refusal) => {
                let (err, reason) = match refusal {
                    Refusal::OutOfStock {
                        sku,
                        requested,
                        available,
                    } => (
                        AppError::client(
                            409,
                            "out_of_stock",
                            format!("only {available} of {sku} left, the cart has {requested}"),
                        )
                        .with("sku", sku.as_str())
                        .with("available", available),
                        format!("out of stock: {sku}"),
                    ),
                    Refusal::Closed => (
                        AppError::client(
                            409,
                            "checkout_expired",
                            "this checkout's hold on the stock ended; try again",
                        ),
                        "reservation closed".to_owned(),
                    ),
                };
                self.orders
                    .apply(
                        &order.id,
                        OrderEvent::Failed {
                            reason,
                            at: platform::now(),
                        },
                    )
                    .await?;
                return Err(err);
            }
        }

        // Derived from the order, so every attempt for it sends identical parameters (a gateway
        // refuses a reused idempotency key with a different body).
        let expires_at = order.created_at + self.reservation_ttl;
        match self
            .gateway
            .checkout_session(&order, origin, expires_at)
            .await
        {
            Ok(session) => {
                let event = OrderEvent::SessionCreated {
                    session_id: session.id,
                    payment_url: session.url,
                    at: platform::now(),
                };
                let (order, _) = self
                    .orders
                    .apply(&order.id, event)
                    .await?
                    .ok_or_else(|| AppError::internal("order vanished"))?;
                Ok((order, true))
            }
            Err(e) => {
                // Fail the order first: if a concurrent attempt for the same order has already
                // opened the session, the order is past `pending`, keeps its stock, and wins.
                let failed = OrderEvent::Failed {
                    reason: e.to_string(),
                    at: platform::now(),
                };
                match self.orders.apply(&order.id, failed).await? {
                    Some((o, Transition::Unchanged))
                        if o.status == OrderStatus::AwaitingPayment =>
                    {
                        Ok((o, false))
                    }
                    _ => {
                        self.inventory.release(&order.id, &holds).await?;
                        Err(e)
                    }
                }
            }
        }
    }
}
