//! Checkout: the cart agrees on an order, the stock is held, the payment session opened.

use crate::ports::{
    CartStore, Clock, DiscountStore, Ids, OrderStore, PaymentGateway, Refusal, Session, StockStore,
};
use crate::{hold_lines, Commerce, Ports, ShopError, DISCOUNT_HOLD_GRACE, SESSION_ATTEMPTS};
use domain::cart::{self, Cart, CartCommand, PricedCart, SkuInfo};
use domain::discount::Kind;
use domain::order::{
    Charges, Delivery, Order, OrderDiscount, OrderEvent, OrderLine, OrderStatus, Transition,
};
use domain::{CartId, CatalogIndex, Country, Email};

/// Prices `cart` with the catalog's current prices.
pub fn price(index: &CatalogIndex, cart: &Cart) -> Result<PricedCart, ShopError> {
    cart::price(cart, index.currency, |sku| {
        index.skus.get(sku).map(|e| SkuInfo {
            title: e.title.clone(),
            product_handle: e.product.to_string(),
            unit_price: e.price,
        })
    })
    .map_err(|e| ShopError::Store(crate::ports::StoreError(format!("pricing the cart: {e}"))))
}

/// A checkout's result: the order awaiting its payment, and whether this call created it (a
/// retried or concurrent checkout of the same unchanged cart joins the first one's order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkout {
    pub order: Order,
    pub created: bool,
}

impl<P: Ports> Commerce<P> {
    /// Checks the cart out: an order, its discount code's use and its stock held (all or
    /// nothing), a payment session. The order is charged what the cart page quoted: the goods
    /// less the code's discount, shipping to the cart's destination (or to `visitor`, the
    /// country the request comes from, when the shopper chose none) and tax.
    pub async fn checkout(
        &self,
        index: &CatalogIndex,
        origin: &str,
        cart_id: Option<&CartId>,
        email: &Email,
        visitor: Option<Country>,
    ) -> Result<Checkout, ShopError> {
        let Some(cart_id) = cart_id else {
            return Err(ShopError::EmptyCart);
        };
        let (order_id, cart, priced) = match self.agree_on_order(index, cart_id).await? {
            Agreed::New(id, cart, priced) => (id, cart, priced),
            Agreed::Open(order) => {
                return Ok(Checkout {
                    order: *order,
                    created: false,
                })
            }
        };

        let mut cart = *cart;
        // The code's use first, checked against the code as it is now (the cart keeps the
        // code as it was when applied): the order is quoted with the current one.
        if let (Some(d), Some(_)) = (&cart.discount, &index.settings) {
            let until = self.clock.now() + self.reservation_ttl + DISCOUNT_HOLD_GRACE;
            let held = self
                .discounts
                .hold(&d.code, &order_id, email.as_str(), priced.subtotal, until)
                .await?;
            cart.discount = Some(held?);
        }
        let quote = cart::quote(index, &cart, &priced, visitor);
        let shares: Vec<i64> = quote
            .as_ref()
            .map(|q| q.totals.lines.iter().map(|l| l.discount).collect())
            .unwrap_or_default();
        let discount = quote
            .as_ref()
            .and_then(|q| q.discount.as_ref())
            .filter(|d| d.below_minimum.is_none())
            .map(|d| OrderDiscount {
                code: d.code.to_string(),
                amount: d.amount,
                free_shipping: d.kind == Kind::FreeShipping,
            });

        let now = self.clock.now();
        let lines: Vec<OrderLine> = priced
            .lines
            .iter()
            .zip(shares.into_iter().chain(std::iter::repeat(0)))
            .map(|(l, share)| OrderLine {
                sku: l.sku.clone(),
                title: l.title.clone(),
                quantity: l.quantity,
                unit_price: l.unit_price,
                line_total: l.line_total,
                initial_stock: index.skus.get(&l.sku).map_or(0, |e| e.initial_stock),
                discount: share,
            })
            .collect();
        let (delivery, charges, total) = match quote.as_ref() {
            Some(q) => {
                let rate_name = q
                    .options
                    .iter()
                    .find(|o| o.id == q.rate)
                    .map_or_else(|| q.rate.clone(), |o| o.name.clone());
                let delivery = Delivery {
                    country: q.country,
                    rate: q.rate.clone(),
                    rate_name,
                    address: None,
                };
                (Some(delivery), Some(Charges::of(&q.totals)), q.totals.total)
            }
            None => (None, None, priced.subtotal),
        };
        let order = Order {
            id: order_id,
            status: OrderStatus::Pending,
            cart_id: cart_id.to_string(),
            email: email.to_string(),
            currency: priced.currency,
            lines,
            total,
            created_at: now,
            updated_at: now,
            session_id: None,
            payment_url: None,
            failure: None,
            shortfall: Vec::new(),
            payment_intent: None,
            refund_id: None,
            delivery,
            charges,
            amount_paid: None,
            discount,
            origin: origin.to_owned(),
            notices: Vec::new(),
        };
        let order = self.orders.create(order).await?;
        match order.status {
            OrderStatus::Pending => {}
            OrderStatus::AwaitingPayment => {
                return Ok(Checkout {
                    order,
                    created: false,
                })
            }
            _ => return Err(ShopError::CheckoutConflict("this checkout already ended")),
        }

        let holds = hold_lines(&order);
        if let Err(refusal) = self
            .stock
            .reserve(&order.id, &order.cart_id, &holds, self.reservation_ttl)
            .await?
        {
            let (err, reason) = match refusal {
                Refusal::OutOfStock {
                    sku,
                    requested,
                    available,
                } => (
                    ShopError::OutOfStock {
                        sku: sku.clone(),
                        requested,
                        available,
                    },
                    format!("out of stock: {sku}"),
                ),
                Refusal::Closed => (ShopError::CheckoutExpired, "reservation closed".to_owned()),
                Refusal::Busy { sku } => {
                    let reason = format!("stock of {sku} being changed");
                    (ShopError::StockBusy { sku }, reason)
                }
            };
            self.release_discount(&order).await?;
            let failed = OrderEvent::Failed {
                reason,
                at: self.clock.now(),
            };
            self.orders.apply(&order.id, failed).await?;
            return Err(err);
        }

        // Derived from the order, so every attempt for it sends identical parameters (a gateway
        // refuses a reused idempotency key with a different body).
        let expires_at = order.created_at + self.reservation_ttl;
        match self.open_session(&order, origin, expires_at).await {
            Ok(session) => {
                let event = OrderEvent::SessionCreated {
                    session_id: session.id,
                    payment_url: session.url,
                    at: self.clock.now(),
                };
                let (order, _) = self
                    .orders
                    .apply(&order.id, event)
                    .await?
                    .ok_or_else(|| ShopError::UnknownOrder(order.id.clone()))?;
                Ok(Checkout {
                    order,
                    created: true,
                })
            }
            Err(e) => {
                // Fail the order first: if a concurrent attempt for the same order has already
                // opened the session, the order is past `pending`, keeps its stock, and wins.
                let failed = OrderEvent::Failed {
                    reason: e.to_string(),
                    at: self.clock.now(),
                };
                match self.orders.apply(&order.id, failed).await? {
                    Some((o, Transition::Unchanged))
                        if o.status == OrderStatus::AwaitingPayment =>
                    {
                        Ok(Checkout {
                            order: o,
                            created: false,
                        })
                    }
                    _ => {
                        self.stock
                            .release(&order.id, &order.cart_id, &holds)
                            .await?;
                        self.release_discount(&order).await?;
                        Err(e.into())
                    }
                }
            }
        }
    }

    /// Agrees with the cart on the order id (the cart's object decides atomically). Its answer
    /// is the cart being checked out: no separate read of the cart first.
    async fn agree_on_order(
        &self,
        index: &CatalogIndex,
        cart_id: &CartId,
    ) -> Result<Agreed, ShopError> {
        let mut replace = None;
        loop {
            let proposal = format!("ord_{}", self.ids.random_hex(16)?);
            let command = CartCommand::StartCheckout {
                order_id: proposal.clone(),
                replace: replace.clone(),
            };
            let cart = self.carts.apply(cart_id.as_str(), command).await??;
            if cart.is_empty() {
                return Err(ShopError::EmptyCart);
            }
            let priced = price(index, &cart)?;
            if let Some(line) = priced.unavailable().next() {
                return Err(ShopError::Unavailable {
                    sku: line.sku.clone(),
                });
            }
            let chosen = cart
                .current_checkout()
                .map(str::to_owned)
                .unwrap_or(proposal.clone());
            if chosen == proposal {
                // The cart changed since its last checkout, which may still be open: end it
                // (its holds and its payment page) before this one reserves. Best effort: if it
                // cannot be ended now, its hold expires and a late payment is still honoured.
                if let Some(old) = cart.checkout.as_ref().and_then(|c| c.superseded.as_ref()) {
                    let _ = self.abandon(old, cart_id).await;
                }
                return Ok(Agreed::New(chosen, Box::new(cart), priced));
            }
            match self.orders.get(&chosen).await? {
                Some(o) if !o.status.holds_stock() => {
                    if replace.as_deref() == Some(chosen.as_str()) {
                        return Err(ShopError::CheckoutConflict(
                            "the cart changed during checkout",
                        ));
                    }
                    replace = Some(chosen);
                }
                Some(o) if o.status == OrderStatus::AwaitingPayment => {
                    return Ok(Agreed::Open(Box::new(o)))
                }
                // Being created by a concurrent request, or left half-way by a failed one:
                // every step after this is idempotent, so carry on with it.
                _ => return Ok(Agreed::New(chosen, Box::new(cart), priced)),
            }
        }
    }

    /// Opens the order's payment session, retrying what may succeed with the same key.
    async fn open_session(
        &self,
        order: &Order,
        origin: &str,
        expires_at: i64,
    ) -> Result<Session, crate::ports::PaymentError> {
        let params = domain::payment::session_params(order, origin, expires_at);
        let key = domain::payment::idempotency_key(&order.id);
        let mut attempt = 0;
        loop {
            match self.gateway.open_session(&params, &key).await {
                Err(e) if e.retryable() && attempt + 1 < SESSION_ATTEMPTS => {
                    attempt += 1;
                    self.clock.sleep_ms(200 * u64::from(attempt)).await;
                }
                other => return other,
            }
        }
    }
}

enum Agreed {
    /// A new order id for the cart, as it is and as priced.
    New(String, Box<Cart>, PricedCart),
    /// The cart's unchanged checkout, still open.
    Open(Box<Order>),
}
