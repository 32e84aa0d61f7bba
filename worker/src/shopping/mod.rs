//! Carts, checkout, payment webhooks and orders: the shop's write paths.
//!
//! Every handler validates its input completely before it changes anything, and every change
//! goes through one Durable Object command, so a refused request leaves carts, stock and orders
//! as they were.
//!
//! # Layout
//! - this module: the [`Shopping`] service (carts, stock checks) and the rules shared by all.
//! - `commerce` (the crate): checkout, a checkout abandoned or replaced, payment events and
//!   refunds, over ports; [`Shopping::commerce`] lends it this worker's objects and gateway.
//! - `http`: the cart API, checkout, webhooks, the cart and order pages.

mod http;

pub use http::*;

use crate::catalog::CatalogStore;
use crate::config::Config;
use crate::error::AppError;
use crate::objects::cart::Carts;
use crate::objects::inventory::Inventory;
use crate::objects::orders::Orders;
use crate::payments::Gateway;
use crate::platform::{self, field};
use crate::ports::Runtime;
use app::api::{CartJson, OrderJson};
use app::checkout_pages::CartView;
use commerce::Commerce;
use domain::cart::{self, Cart, CartCommand, CartError, PricedCart};
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
    pub webhook_secret: Option<String>,
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

/// Prices `cart` with the catalog's current prices.
pub fn price(index: &CatalogIndex, cart: &Cart) -> Result<PricedCart, AppError> {
    Ok(commerce::price(index, cart)?)
}

/// The service over this worker's objects, gateway, clock and randomness.
pub type Service<'a> =
    Commerce<&'a Carts, &'a Orders, &'a Inventory, &'a Gateway, Runtime, Runtime>;

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

    pub fn commerce(&self) -> Service<'_> {
        Commerce {
            carts: &self.carts,
            orders: &self.orders,
            stock: &self.inventory,
            gateway: &self.gateway,
            clock: Runtime,
            ids: Runtime,
            reservation_ttl: self.reservation_ttl,
        }
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
            return Err(crate::error::out_of_stock(
                crate::error::stock_sentence(sku, available),
                sku,
                available,
            ));
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
        let cart = self.carts.apply(&id, add).await??;
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
        let not_in_cart = || AppError::from(CartError::NotInCart { sku: sku.clone() });
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
            .map_err(AppError::from)
    }

    pub async fn remove(&self, id: Option<String>, sku: &Sku) -> Result<Cart, AppError> {
        let Some(id) = id else {
            return Err(CartError::NotInCart { sku: sku.clone() }.into());
        };
        self.carts
            .apply(&id, CartCommand::Remove { sku: sku.clone() })
            .await?
            .map_err(AppError::from)
    }
}
