//! Carts, checkout, payment webhooks and orders: the shop's write paths.
//!
//! Every handler validates its input completely before it changes anything, and every change
//! goes through one Durable Object command, so a refused request leaves carts, stock and orders
//! as they were.

use crate::catalog::CatalogStore;
use crate::config::Config;
use crate::error::AppError;
use crate::objects::cart::Carts;
use crate::objects::inventory::{Inventory, Refusal};
use crate::objects::orders::Orders;
use crate::payments::Gateway;
use crate::platform::{self, field};
use app::api::{CartJson, OrderJson};
use app::checkout_pages::CartView;
use domain::cart::{self, Cart, CartCommand, CartError, PricedCart, SkuInfo};
use domain::inventory::HoldLine;
use domain::order::{Order, OrderEvent, OrderLine, OrderStatus, Transition};
use domain::{CatalogIndex, Sku};
use serde_json::Value;
use worker::{Env, Request, Response};

/// How long checkout holds stock (and the payment page stays open), by default.
const COOKIE: &str = "cart";
const COOKIE_MAX_AGE: u64 = 30 * 24 * 3600;
/// Webhook bodies can be larger than shop requests (a session with many lines).
const MAX_WEBHOOK_BYTES: usize = 256 * 1024;

pub struct Shopping {
    pub carts: Carts,
    pub inventory: Inventory,
    pub orders: Orders,
    pub gateway: Gateway,
    reservation_ttl: i64,
    webhook_secret: Option<String>,
}

/// The cart id from the `cart` cookie, if it has the shape of one (32 hex digits).
pub fn cart_id(req: &Request) -> Option<String> {
    platform::cookie(req, COOKIE).filter(|v| {
        v.len() == 32
            && v.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

fn cart_cookie(req: &Request, id: &str) -> String {
    let secure = platform::is_https(req);
    format!(
        "{COOKIE}={id}; Path=/; Max-Age={COOKIE_MAX_AGE}; HttpOnly; SameSite=Lax{}",
        if secure { "; Secure" } else { "" }
    )
}

/// 409 `out_of_stock`: the counters have fewer than `sku` needs.
fn out_of_stock(sku: &Sku, available: u32) -> AppError {
    let detail = if available == 0 {
        format!("{sku} is sold out")
    } else {
        format!("only {available} of {sku} left")
    };
    AppError::client(409, "out_of_stock", detail)
        .with("sku", sku.as_str())
        .with("available", available)
}

fn cart_error(e: CartError) -> AppError {
    let status = match e {
        CartError::BadQuantity { .. } => 400,
        CartError::LineFull { .. } | CartError::TooManyLines => 409,
        CartError::NotInCart { .. } => 404,
        CartError::OutOfStock { sku, available, .. } => return out_of_stock(&sku, available),
    };
    let mut err = AppError::client(status, e.code(), e.to_string());
    if let CartError::LineFull { sku, .. } | CartError::NotInCart { sku } = &e {
        err = err.with("sku", sku.as_str());
    }
    err
}

/// A quantity from JSON: a whole number in `min..=99`.
fn quantity(v: Option<&Value>, min: u32) -> Result<u32, AppError> {
    let bad = |got: String| {
        AppError::client(
            400,
            "bad_quantity",
            format!(
                "quantity must be a whole number from {min} to {}, got {got}",
                cart::MAX_QUANTITY
            ),
        )
    };
    match v {
        None => Err(bad("nothing".into())),
        Some(Value::Number(n)) => match n.as_u64() {
            Some(q) if q >= u64::from(min) && q <= u64::from(cart::MAX_QUANTITY) => Ok(q as u32),
            _ => Err(bad(n.to_string())),
        },
        Some(other) => Err(bad(other.to_string())),
    }
}

/// A quantity from a form field.
fn form_quantity(v: Option<&str>, min: u32) -> Result<u32, AppError> {
    let parsed = v
        .and_then(|s| s.trim().parse::<u64>().ok())
        .map(|n| Value::Number(n.into()));
    match parsed {
        Some(n) => quantity(Some(&n), min),
        None => quantity(v.map(|s| Value::String(s.to_owned())).as_ref(), min),
    }
}

fn known_sku(index: &CatalogIndex, raw: &str) -> Result<Sku, AppError> {
    let sku = Sku::parse(raw).map_err(|e| {
        AppError::client(400, "bad_sku", format!("sku is not valid: {e}")).with("sku", raw)
    })?;
    if !index.skus.contains_key(&sku) {
        return Err(AppError::client(
            404,
            "unknown_sku",
            format!("there is no product variant {sku}"),
        )
        .with("sku", raw));
    }
    Ok(sku)
}

pub fn price(index: &CatalogIndex, cart: &Cart) -> Result<PricedCart, AppError> {
    cart::price(cart, index.currency, |sku| {
        index.skus.get(sku).map(|e| SkuInfo {
            title: e.title.clone(),
            product_handle: e.product.to_string(),
            unit_price: e.price,
        })
    })
    .map_err(|e| AppError::internal(e.to_string()))
}

impl Shopping {
    pub fn from_env(env: &Env, config: &Config) -> worker::Result<Self> {
        Ok(Shopping {
            carts: Carts::from_env(env)?,
            inventory: Inventory::from_env(env, config)?,
            orders: Orders::from_env(env)?,
            gateway: Gateway::new(config),
            reservation_ttl: i64::try_from(config.reservation_ttl_seconds).unwrap_or(i64::MAX),
            webhook_secret: config.payment_webhook_secret.clone(),
        })
    }

    async fn cart_of(&self, id: Option<&str>) -> Result<Cart, AppError> {
        match id {
            Some(id) => self.carts.get(id).await,
            None => Ok(Cart::default()),
        }
    }

    /// The units of `sku` the counters have now.
    async fn available(&self, index: &CatalogIndex, sku: &Sku) -> Result<u32, AppError> {
        let initial = index.skus.get(sku).map_or(0, |e| e.initial_stock);
        let stock = self.inventory.stock(&[(sku.clone(), initial)]).await?;
        Ok(stock.first().map_or(0, |s| s.available))
    }

    /// Refuses `wanted` units of `sku` if the counters do not have them.
    async fn check_stock(
        &self,
        index: &CatalogIndex,
        sku: &Sku,
        wanted: u32,
    ) -> Result<(), AppError> {
        let available = self.available(index, sku).await?;
        if wanted > available {
            return Err(out_of_stock(sku, available));
        }
        Ok(())
    }

    /// Adds to the cart (creating it if needed); answers the cart id and whether it is new.
    pub async fn add(
        &self,
        index: &CatalogIndex,
        id: Option<String>,
        raw_sku: &str,
        qty: u32,
    ) -> Result<(String, Cart, bool), AppError> {
        let sku = known_sku(index, raw_sku)?;
        // The cart checks the stock read here against its own line as it adds: one object
        // round trip fewer than reading the cart first, and no window between check and add.
        let available = self.available(index, &sku).await?;
        let (id, new) = match id {
            Some(id) => (id, false),
            None => (platform::random_hex(16)?, true),
        };
        let add = CartCommand::Add {
            sku,
            quantity: qty,
            available: Some(available),
        };
        let cart = self.carts.apply(&id, add).await?.map_err(cart_error)?;
        Ok((id, cart, new))
    }

    pub async fn set(
        &self,
        index: &CatalogIndex,
        id: Option<String>,
        sku: &Sku,
        qty: u32,
    ) -> Result<Cart, AppError> {
        let current = self.cart_of(id.as_deref()).await?;
        let not_in_cart = || cart_error(CartError::NotInCart { sku: sku.clone() });
        let (Some(id), true) = (id, current.quantity_of(sku.as_str()) > 0) else {
            return Err(not_in_cart());
        };
        if qty > current.quantity_of(sku.as_str()) {
            known_sku(index, sku.as_str())?;
            self.check_stock(index, sku, qty).await?;
        }
        self.carts
            .apply(
                &id,
                CartCommand::Set {
                    sku: sku.clone(),
                    quantity: qty,
                },
            )
            .await?
            .map_err(cart_error)
    }

    pub async fn remove(&self, id: Option<String>, sku: &Sku) -> Result<Cart, AppError> {
        let Some(id) = id else {
            return Err(cart_error(CartError::NotInCart { sku: sku.clone() }));
        };
        self.carts
            .apply(&id, CartCommand::Remove { sku: sku.clone() })
            .await?
            .map_err(cart_error)
    }

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

pub fn hold_lines(order: &Order) -> Vec<HoldLine> {
    order
        .lines
        .iter()
        .filter_map(|l| {
            Sku::parse(&l.sku).ok().map(|sku| HoldLine {
                sku,
                quantity: l.quantity,
                initial: l.initial_stock,
            })
        })
        .collect()
}

// ---- HTTP handlers ------------------------------------------------------------------------

fn no_store(mut resp: Response) -> worker::Result<Response> {
    resp.headers_mut()
        .set("cache-control", "private, no-store")?;
    crate::respond::with_security_headers(resp)
}

fn json_cart(id: Option<&str>, priced: &PricedCart, status: u16) -> Result<Response, AppError> {
    Ok(no_store(
        Response::from_json(&CartJson::new(id, priced))?.with_status(status),
    )?)
}

fn see_other(location: &str) -> Result<Response, AppError> {
    let mut resp = Response::empty()?.with_status(303);
    resp.headers_mut().set("location", location)?;
    Ok(no_store(resp)?)
}

fn with_cookie(mut resp: Response, req: &Request, id: &str) -> Result<Response, AppError> {
    resp.headers_mut()
        .set("set-cookie", &cart_cookie(req, id))?;
    Ok(resp)
}

pub async fn api_cart(
    req: &Request,
    store: &CatalogStore,
    shop: &Shopping,
) -> Result<Response, AppError> {
    let index = store.index().await?;
    let id = cart_id(req);
    let cart = shop.cart_of(id.as_deref()).await?;
    json_cart(id.as_deref(), &price(&index, &cart)?, 200)
}

pub async fn api_cart_add(
    req: &mut Request,
    store: &CatalogStore,
    shop: &Shopping,
) -> Result<Response, AppError> {
    let body: Value = platform::json_body(req).await?;
    let Some(obj) = body.as_object() else {
        return Err(AppError::malformed_json(
            "expected an object {\"sku\", \"quantity\"}",
        ));
    };
    let sku = obj
        .get("sku")
        .and_then(Value::as_str)
        .ok_or_else(|| AppError::client(400, "bad_sku", "sku is missing or not a string"))?;
    let qty = quantity(obj.get("quantity"), 1)?;
    let index = store.index().await?;
    let (id, cart, new) = shop.add(&index, cart_id(req), sku, qty).await?;
    let resp = json_cart(
        Some(&id),
        &price(&index, &cart)?,
        if new { 201 } else { 200 },
    )?;
    if new {
        return with_cookie(resp, req, &id);
    }
    Ok(resp)
}

pub async fn api_cart_update(
    req: &mut Request,
    store: &CatalogStore,
    shop: &Shopping,
    sku: &Sku,
) -> Result<Response, AppError> {
    let body: Value = platform::json_body(req).await?;
    let Some(obj) = body.as_object() else {
        return Err(AppError::malformed_json(
            "expected an object {\"quantity\"}",
        ));
    };
    let qty = quantity(obj.get("quantity"), 0)?;
    let index = store.index().await?;
    let id = cart_id(req);
    let cart = shop.set(&index, id.clone(), sku, qty).await?;
    json_cart(id.as_deref(), &price(&index, &cart)?, 200)
}

pub async fn api_cart_remove(
    req: &Request,
    store: &CatalogStore,
    shop: &Shopping,
    sku: &Sku,
) -> Result<Response, AppError> {
    let index = store.index().await?;
    let id = cart_id(req);
    let cart = shop.remove(id.clone(), sku).await?;
    json_cart(id.as_deref(), &price(&index, &cart)?, 200)
}

pub async fn api_checkout(
    req: &mut Request,
    store: &CatalogStore,
    shop: &Shopping,
) -> Result<Response, AppError> {
    let body: Value = platform::json_body(req).await?;
    let email = body
        .get("email")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let index = store.index().await?;
    let origin = platform::origin(req)?;
    let (order, created) = shop.checkout(&index, &origin, cart_id(req), &email).await?;
    let json = serde_json::json!({ "order_id": order.id, "payment_url": order.payment_url, "status": order.status });
    Ok(no_store(
        Response::from_json(&json)?.with_status(if created { 201 } else { 200 }),
    )?)
}

pub async fn api_order(shop: &Shopping, id: &str) -> Result<Response, AppError> {
    let order = shop.orders.get(id).await?.ok_or(AppError::NotFound)?;
    Ok(no_store(Response::from_json(&OrderJson::new(&order))?)?)
}

pub async fn payment_webhook(req: &mut Request, shop: &Shopping) -> Result<Response, AppError> {
    let outcome = shop.webhook(req).await?;
    Ok(no_store(Response::from_json(&outcome)?)?)
}

// ---- pages and form posts ----------------------------------------------------------------

/// A problem as the cart page says it: the product's title where the API names its SKU.
fn for_shoppers(index: &CatalogIndex, e: &AppError) -> String {
    let detail = e.detail();
    let entry = e
        .field("sku")
        .and_then(|s| Sku::parse(s).ok())
        .and_then(|sku| index.skus.get(&sku).map(|entry| (sku, entry)));
    match entry {
        Some((sku, entry)) => detail.replace(sku.as_str(), &entry.title),
        None => detail,
    }
}

async fn cart_page(
    req: &Request,
    store: &CatalogStore,
    shop: &Shopping,
    error: Option<&AppError>,
) -> Result<Response, AppError> {
    let index = store.index().await?;
    let id = cart_id(req);
    let query = platform::query_pairs(req);
    // Back from the payment page with Cancel: end that checkout at once (its holds, its
    // session), and keep the e-mail the shopper typed.
    let cancelled = query
        .iter()
        .find(|(k, _)| k == "cancelled")
        .map(|(_, v)| v.clone());
    let mut email = String::new();
    if let (Some(order_id), Some(cart)) = (&cancelled, &id) {
        match shop.abandon(order_id, cart).await {
            Ok(Some(order)) => email = order.email,
            Ok(None) => {}
            Err(e) => {
                worker::console_error!("could not end the cancelled checkout {order_id}: {e}")
            }
        }
    }
    let cart = shop.cart_of(id.as_deref()).await?;
    let notice = cancelled.map(|_| "Payment cancelled: your cart is as you left it.".to_owned());
    let priced = price(&index, &cart)?;
    let images = priced
        .lines
        .iter()
        .filter_map(|l| l.product_handle.as_deref())
        .filter_map(|h| {
            let p = index.products.iter().find(|p| p.handle.as_str() == h)?;
            Some((h.to_owned(), p.image.as_ref()?.src.clone()))
        })
        .collect();
    let view = CartView {
        cart: priced,
        images,
        error: error.map(|e| for_shoppers(&index, e)),
        notice,
        email,
    };
    let html = app::render::cart(index.collections.clone(), view);
    let status = error.map_or(200, AppError::status_code);
    Ok(no_store(Response::from_html(html)?.with_status(status))?)
}

pub async fn cart(
    req: &Request,
    store: &CatalogStore,
    shop: &Shopping,
) -> Result<Response, AppError> {
    cart_page(req, store, shop, None).await
}

/// Runs a form action; on a 4xx shows the cart with the problem, keeping its status code.
async fn form_action(
    req: &mut Request,
    store: &CatalogStore,
    shop: &Shopping,
    action: FormAction,
) -> Result<Response, AppError> {
    platform::same_origin(req)?;
    let form = platform::form_body(req).await?;
    let result = run_form(req, store, shop, action, &form).await;
    match result {
        Ok(resp) => Ok(resp),
        // The shopper's own mistakes and payment outages: show the cart (intact) with the reason.
        Err(e) if e.status_code() < 500 || matches!(e, AppError::Gateway { .. }) => {
            cart_page(req, store, shop, Some(&e)).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Clone, Copy)]
pub enum FormAction {
    Add,
    Update,
    Remove,
    Checkout,
}

async fn run_form(
    req: &Request,
    store: &CatalogStore,
    shop: &Shopping,
    action: FormAction,
    form: &[(String, String)],
) -> Result<Response, AppError> {
    let index = store.index().await?;
    let id = cart_id(req);
    let sku_field = || {
        let raw = field(form, "sku").unwrap_or_default();
        Sku::parse(raw)
            .map_err(|e| AppError::client(400, "bad_sku", format!("sku is not valid: {e}")))
    };
    match action {
        FormAction::Add => {
            let qty = form_quantity(field(form, "quantity"), 1)?;
            let (id, _, new) = shop
                .add(&index, id, field(form, "sku").unwrap_or_default(), qty)
                .await?;
            let resp = see_other("/cart")?;
            if new {
                return with_cookie(resp, req, &id);
            }
            Ok(resp)
        }
        FormAction::Update => {
            let qty = form_quantity(field(form, "quantity"), 0)?;
            // The stepper's − and + (submit buttons without JavaScript): one less or one more
            // than the quantity in the field, within the line's bounds.
            let qty = match field(form, "step") {
                Some("-1") => qty.saturating_sub(1),
                Some("1") => qty.saturating_add(1).min(cart::MAX_QUANTITY),
                _ => qty,
            };
            shop.set(&index, id, &sku_field()?, qty).await?;
            see_other("/cart")
        }
        FormAction::Remove => {
            shop.remove(id, &sku_field()?).await?;
            see_other("/cart")
        }
        FormAction::Checkout => {
            let origin = platform::origin(req)?;
            let (order, _) = shop
                .checkout(
                    &index,
                    &origin,
                    id,
                    field(form, "email").unwrap_or_default(),
                )
                .await?;
            match &order.payment_url {
                Some(url) => see_other(url),
                None => see_other(&format!("/orders/{}", order.id)),
            }
        }
    }
}

pub async fn cart_form(
    req: &mut Request,
    store: &CatalogStore,
    shop: &Shopping,
    action: FormAction,
) -> Result<Response, AppError> {
    form_action(req, store, shop, action).await
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
    Ok(no_store(Response::from_html(html)?)?)
}
