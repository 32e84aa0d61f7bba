//! Carts and the shop's write paths as a service: the cart commands (with their stock checks)
//! here, and [`Shopping::commerce`], which lends the `commerce` service (checkout, payment
//! events, cancel, fulfil, refund) this worker's objects, gateway, clock and randomness.
//!
//! Every change goes through one Durable Object command, so a refused request leaves carts,
//! stock and orders as they were.

use crate::config::Config;
use crate::error::{AppError, BadInput};
use crate::objects::cart::Carts;
use crate::objects::discounts::Discounts;
use crate::objects::inventory::Inventory;
use crate::objects::orders::Orders;
use crate::payments::Gateway;
use crate::platform;
use crate::ports::Runtime;
use commerce::{Commerce, Ports, ShopError};
use domain::cart::{Cart, CartCommand, CartError, Destination, PricedCart};
use domain::discount::{Code, Refusal};
use domain::{CartId, CatalogIndex, Quantity, Sku};
use worker::Env;

pub struct Shopping {
    pub carts: Carts,
    pub inventory: Inventory,
    pub orders: Orders,
    pub discounts: Discounts,
    pub gateway: Gateway,
    reservation_ttl: i64,
    pub webhook_secret: Option<String>,
}

/// Refuses a SKU the catalog does not sell.
fn known_sku(index: &CatalogIndex, sku: &Sku) -> Result<(), AppError> {
    if !index.skus.contains_key(sku) {
        return Err(BadInput::UnknownSku(sku.clone()).into());
    }
    Ok(())
}

/// Prices `cart` with the catalog's current prices.
pub fn price(index: &CatalogIndex, cart: &Cart) -> Result<PricedCart, AppError> {
    Ok(commerce::price(index, cart)?)
}

/// The service over this worker's objects, gateway, clock and randomness.
pub type Service<'a> = Commerce<Objects<'a>>;

/// The service's ports in this worker: the object clients, the gateway, the runtime.
pub struct Objects<'a>(std::marker::PhantomData<&'a ()>);

impl<'a> Ports for Objects<'a> {
    type Carts = &'a Carts;
    type Orders = &'a Orders;
    type Stock = &'a Inventory;
    type Discounts = &'a Discounts;
    type Gateway = &'a Gateway;
    type Clock = Runtime;
    type Ids = Runtime;
}

impl Shopping {
    pub fn from_env(env: &Env, config: &Config) -> worker::Result<Self> {
        Ok(Shopping {
            carts: Carts::from_env(env)?,
            inventory: Inventory::from_env(env, config)?,
            orders: Orders::from_env(env)?,
            discounts: Discounts::from_env(env)?,
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
            discounts: &self.discounts,
            gateway: &self.gateway,
            clock: Runtime,
            ids: Runtime,
            reservation_ttl: self.reservation_ttl,
        }
    }

    pub async fn cart_of(&self, id: Option<&CartId>) -> Result<Cart, AppError> {
        match id {
            Some(id) => self.carts.get(id.as_str()).await,
            None => Ok(Cart::default()),
        }
    }

    /// The units of `sku` the counters have now.
    async fn available(&self, index: &CatalogIndex, sku: &Sku) -> Result<u32, AppError> {
        let initial = index.skus.get(sku).map_or(0, |e| e.initial_stock);
        let stock = self.inventory.stock(&[(sku.clone(), initial)]).await?;
        Ok(stock.first().map_or(0, |s| s.available))
    }

    /// Refuses `wanted` units of `sku` if the counters do not have them. A counter this isolate
    /// read in the last `SHOWN_STOCK_TTL_MS` may let them through without a call to the shard;
    /// a refusal is always checked against the counter itself. Checkout reserves the units.
    async fn check_stock(
        &self,
        index: &CatalogIndex,
        sku: &Sku,
        wanted: u32,
    ) -> Result<(), AppError> {
        if self
            .inventory
            .recent_available(sku)
            .is_some_and(|available| wanted <= available)
        {
            return Ok(());
        }
        let available = self.available(index, sku).await?;
        if wanted > available {
            return Err(CartError::OutOfStock {
                sku: sku.clone(),
                available,
                would_have: wanted,
            }
            .into());
        }
        Ok(())
    }

    /// Adds to the cart (creating it if needed); answers the cart id and whether it is new.
    /// The cart checks the stock against its own line as it adds (no window between check and
    /// add): with a counter this isolate read in the last `SHOWN_STOCK_TTL_MS`, one object call
    /// (the cart); when there is none, or the cart refuses on it, with the counter read now.
    pub async fn add(
        &self,
        index: &CatalogIndex,
        id: Option<CartId>,
        sku: Sku,
        qty: Quantity,
    ) -> Result<(CartId, Cart, bool), AppError> {
        known_sku(index, &sku)?;
        let (id, new) = match id {
            Some(id) => (id, false),
            None => (new_cart_id()?, true),
        };
        let add = |available| CartCommand::Add {
            sku: sku.clone(),
            quantity: qty.get(),
            available: Some(available),
        };
        if let Some(recent) = self.inventory.recent_available(&sku) {
            match self.carts.apply(id.as_str(), add(recent)).await? {
                Err(CartError::OutOfStock { .. }) => {}
                answer => return Ok((id, answer?, new)),
            }
        }
        let available = self.available(index, &sku).await?;
        let cart = self.carts.apply(id.as_str(), add(available)).await??;
        Ok((id, cart, new))
    }

    pub async fn set(
        &self,
        index: &CatalogIndex,
        id: Option<CartId>,
        sku: &Sku,
        qty: u32,
    ) -> Result<Cart, AppError> {
        let current = self.cart_of(id.as_ref()).await?;
        let not_in_cart = || AppError::from(CartError::NotInCart { sku: sku.clone() });
        let (Some(id), true) = (id, current.quantity_of(sku.as_str()) > 0) else {
            return Err(not_in_cart());
        };
        if qty > current.quantity_of(sku.as_str()) {
            known_sku(index, sku)?;
            self.check_stock(index, sku, qty).await?;
        }
        self.carts
            .apply(
                id.as_str(),
                CartCommand::Set {
                    sku: sku.clone(),
                    quantity: qty,
                },
            )
            .await?
            .map_err(AppError::from)
    }

    /// Ships the cart to `destination`, which the caller checked against the shop's settings;
    /// creates the cart if needed. Answers the cart id and whether it is new.
    pub async fn set_shipping(
        &self,
        id: Option<CartId>,
        destination: Destination,
    ) -> Result<(CartId, Cart, bool), AppError> {
        let (id, new) = match id {
            Some(id) => (id, false),
            None => (new_cart_id()?, true),
        };
        let command = CartCommand::SetShipping { destination };
        let cart = self.carts.apply(id.as_str(), command).await??;
        Ok((id, cart, new))
    }

    /// Applies discount `code` to the cart if the code may be used on it now (looked up
    /// case-insensitively): the cart, with the code as it is now. A code that cannot even be
    /// written is unknown.
    pub async fn apply_code(
        &self,
        index: &CatalogIndex,
        id: Option<CartId>,
        code: &str,
    ) -> Result<Cart, AppError> {
        let code = Code::parse(code).map_err(|_| Refusal::Unknown)?;
        let cart = self.cart_of(id.as_ref()).await?;
        let (Some(id), false) = (id, cart.is_empty()) else {
            return Err(ShopError::EmptyCart.into());
        };
        let subtotal = price(index, &cart)?.subtotal;
        let discount = self.discounts.check(code, subtotal).await??;
        let set = CartCommand::SetDiscount { discount };
        Ok(self.carts.apply(id.as_str(), set).await??)
    }

    /// Takes the cart's discount code off (nothing changes without one).
    pub async fn remove_code(&self, id: Option<CartId>) -> Result<Cart, AppError> {
        let Some(id) = id else {
            return Ok(Cart::default());
        };
        Ok(self
            .carts
            .apply(id.as_str(), CartCommand::RemoveDiscount)
            .await??)
    }

    pub async fn remove(&self, id: Option<CartId>, sku: &Sku) -> Result<Cart, AppError> {
        let Some(id) = id else {
            return Err(CartError::NotInCart { sku: sku.clone() }.into());
        };
        self.carts
            .apply(id.as_str(), CartCommand::Remove { sku: sku.clone() })
            .await?
            .map_err(AppError::from)
    }
}

/// A fresh cart id from the runtime's randomness.
fn new_cart_id() -> Result<CartId, AppError> {
    CartId::parse(&platform::random_hex(16)?)
        .map_err(|e| AppError::internal(format!("random cart id: {e}")))
}
