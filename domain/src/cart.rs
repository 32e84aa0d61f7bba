//! A shopping cart: lines of (SKU, quantity), the commands that change it, and pricing.
//!
//! A cart holds no prices: they are resolved from the catalog each time it is shown or checked
//! out ([`price`]), so a client can never set one. Every command is all-or-nothing: on error the
//! cart is exactly as it was.
//!
//! A cart may carry the discount code the shopper applied, as it was defined then: the quote
//! applies it ([`quote`]), and the checkout checks it again against the code's ledger
//! ([`crate::discount::Ledger`]).

use crate::discount::Discount;
use crate::ids::Sku;
use crate::money::{Currency, Money, MoneyError};
use serde::{Deserialize, Serialize};

/// At most this many distinct lines.
pub const MAX_LINES: usize = 100;
/// Per line, 1 to this many units.
pub const MAX_QUANTITY: u32 = crate::ids::Quantity::MAX;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartLine {
    pub sku: Sku,
    pub quantity: u32,
}

/// The checkout a cart is in, so that a retried checkout reuses its order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingCheckout {
    pub order_id: String,
    /// [`Cart::fingerprint`] when the order was made: a changed cart needs a new order.
    pub fingerprint: String,
    /// The checkout this one replaced while it may still be open (the cart changed, then was
    /// checked out again): the shop ends it, so that it holds no stock and cannot be paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub superseded: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cart {
    pub lines: Vec<CartLine>,
    #[serde(default)]
    pub checkout: Option<PendingCheckout>,
    /// Where the shopper said to ship, if they did (see [`quote`] for the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping: Option<Destination>,
    /// The code the shopper applied, as the merchant defined it then (checked by the caller).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount: Option<Discount>,
}

/// A destination the shopper chose: a country, and a rate by id (`None`: the cheapest).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Destination {
    pub country: crate::settings::Country,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CartCommand {
    /// Adds units, merging with an existing line of the same SKU. With `available` (the stock
    /// counter the caller just read), refuses to make the line larger than that, so that the
    /// cart needs no separate read to check stock.
    Add {
        sku: Sku,
        quantity: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        available: Option<u32>,
    },
    /// Sets a line's quantity; 0 removes it. Setting a SKU not in the cart adds it.
    Set {
        sku: Sku,
        quantity: u32,
    },
    Remove {
        sku: Sku,
    },
    Clear,
    /// Starts a checkout of the current contents with `order_id`, unless one is already under way
    /// for them (then that one stays: concurrent or retried checkouts share one order). `replace`
    /// names a finished checkout (failed, expired) that may be replaced. An empty cart starts
    /// nothing.
    StartCheckout {
        order_id: String,
        replace: Option<String>,
    },
    /// Ships to `destination` (checked against the merchant's settings by the caller).
    SetShipping {
        destination: Destination,
    },
    /// Applies a discount code (looked up and checked by the caller), replacing any other.
    SetDiscount {
        discount: Discount,
    },
    /// Takes the discount code off; without one, nothing changes.
    RemoveDiscount,
    /// The order was paid: if the cart's checkout is that order, exactly the paid quantities
    /// leave the cart, and so does the discount code (the order used it). Lines added or raised
    /// after the checkout began stay.
    CheckoutPaid {
        order_id: String,
        /// What the order holds (SKU and quantity).
        #[serde(default)]
        paid: Vec<CartLine>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CartError {
    #[error("quantity must be a whole number from {min} to {MAX_QUANTITY}, got {got}")]
    BadQuantity { min: u32, got: u32 },
    #[error("a line can hold at most {MAX_QUANTITY} units; {sku} would have {would_have}")]
    LineFull { sku: Sku, would_have: u32 },
    #[error("a cart can hold at most {MAX_LINES} different items")]
    TooManyLines,
    #[error("{sku} is not in the cart")]
    NotInCart { sku: Sku },
    #[error("only {available} of {sku} left, the cart would have {would_have}")]
    OutOfStock {
        sku: Sku,
        available: u32,
        would_have: u32,
    },
}

impl CartError {
    pub fn code(&self) -> &'static str {
        match self {
            CartError::BadQuantity { .. } => "bad_quantity",
            CartError::LineFull { .. } => "line_full",
            CartError::TooManyLines => "too_many_lines",
            CartError::NotInCart { .. } => "not_in_cart",
            CartError::OutOfStock { .. } => "out_of_stock",
        }
    }
}

impl Cart {
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    pub fn quantity_of(&self, sku: &str) -> u32 {
        self.lines
            .iter()
            .find(|l| l.sku.as_str() == sku)
            .map_or(0, |l| l.quantity)
    }

    /// Total units over all lines.
    pub fn units(&self) -> u32 {
        self.lines.iter().map(|l| l.quantity).sum()
    }

    /// A stable summary of the lines, to tell whether a checkout still matches the cart.
    pub fn fingerprint(&self) -> String {
        let mut parts: Vec<String> = self
            .lines
            .iter()
            .map(|l| format!("{}x{}", l.sku, l.quantity))
            .collect();
        parts.sort();
        // A new destination or code is a new total: a checkout begun before it is not this
        // cart's.
        if let Some(d) = &self.shipping {
            parts.push(format!(
                "to {}/{}",
                d.country,
                d.rate.as_deref().unwrap_or("")
            ));
        }
        if let Some(d) = &self.discount {
            parts.push(format!("code {}", d.code));
        }
        parts.join(",")
    }

    /// The order of the pending checkout, if the cart has not changed since it began.
    pub fn current_checkout(&self) -> Option<&str> {
        self.checkout
            .as_ref()
            .filter(|c| c.fingerprint == self.fingerprint())
            .map(|c| c.order_id.as_str())
    }

    /// Applies `cmd` all-or-nothing.
    pub fn apply(&mut self, cmd: &CartCommand) -> Result<(), CartError> {
        let mut next = self.clone();
        next.apply_in_place(cmd)?;
        *self = next;
        Ok(())
    }

    fn apply_in_place(&mut self, cmd: &CartCommand) -> Result<(), CartError> {
        match cmd {
            CartCommand::Add {
                sku,
                quantity,
                available,
            } => {
                if *quantity == 0 || *quantity > MAX_QUANTITY {
                    return Err(CartError::BadQuantity {
                        min: 1,
                        got: *quantity,
                    });
                }
                let would_have = self.quantity_of(sku.as_str()).saturating_add(*quantity);
                if let Some(available) = *available {
                    if would_have > available {
                        return Err(CartError::OutOfStock {
                            sku: sku.clone(),
                            available,
                            would_have,
                        });
                    }
                }
                match self.lines.iter_mut().find(|l| &l.sku == sku) {
                    Some(line) => {
                        let would_have = line.quantity + quantity;
                        if would_have > MAX_QUANTITY {
                            return Err(CartError::LineFull {
                                sku: sku.clone(),
                                would_have,
                            });
                        }
                        line.quantity = would_have;
                    }
                    None => self.push(sku, *quantity)?,
                }
            }
            CartCommand::Set { sku, quantity } => {
                if *quantity > MAX_QUANTITY {
                    return Err(CartError::BadQuantity {
                        min: 0,
                        got: *quantity,
                    });
                }
                match self.lines.iter().position(|l| &l.sku == sku) {
                    Some(i) if *quantity == 0 => {
                        self.lines.remove(i);
                    }
                    Some(i) => self.lines[i].quantity = *quantity,
                    None if *quantity == 0 => {}
                    None => self.push(sku, *quantity)?,
                }
            }
            CartCommand::Remove { sku } => {
                let i = self
                    .lines
                    .iter()
                    .position(|l| &l.sku == sku)
                    .ok_or_else(|| CartError::NotInCart { sku: sku.clone() })?;
                self.lines.remove(i);
            }
            CartCommand::Clear => {
                self.lines.clear();
                self.checkout = None;
            }
            CartCommand::StartCheckout { order_id, replace } => {
                if self.lines.is_empty() {
                    // Nothing to check out: the caller sees the empty cart in the answer.
                    return Ok(());
                }
                let keep = self
                    .current_checkout()
                    .is_some_and(|current| Some(current) != replace.as_deref());
                if !keep {
                    // A replaced checkout that is not named as finished may still be open.
                    let superseded = self
                        .checkout
                        .as_ref()
                        .map(|c| c.order_id.clone())
                        .filter(|old| old != order_id && Some(old) != replace.as_ref());
                    self.checkout = Some(PendingCheckout {
                        order_id: order_id.clone(),
                        fingerprint: self.fingerprint(),
                        superseded,
                    });
                }
            }
            CartCommand::SetShipping { destination } => {
                self.shipping = Some(destination.clone());
            }
            CartCommand::SetDiscount { discount } => {
                self.discount = Some(discount.clone());
            }
            CartCommand::RemoveDiscount => {
                self.discount = None;
            }
            CartCommand::CheckoutPaid { order_id, paid } => {
                if self
                    .checkout
                    .as_ref()
                    .is_some_and(|c| &c.order_id == order_id)
                {
                    for p in paid {
                        if let Some(line) = self.lines.iter_mut().find(|l| l.sku == p.sku) {
                            line.quantity = line.quantity.saturating_sub(p.quantity);
                        }
                    }
                    self.lines.retain(|l| l.quantity > 0);
                    self.checkout = None;
                    self.discount = None;
                }
            }
        }
        Ok(())
    }

    fn push(&mut self, sku: &Sku, quantity: u32) -> Result<(), CartError> {
        if self.lines.len() >= MAX_LINES {
            return Err(CartError::TooManyLines);
        }
        self.lines.push(CartLine {
            sku: sku.clone(),
            quantity,
        });
        Ok(())
    }
}

/// What the catalog says about a SKU, for pricing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkuInfo {
    /// Product title with the variant's option values, e.g. `Linen Shirt (M / White)`.
    pub title: String,
    pub product_handle: String,
    pub unit_price: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PricedLine {
    pub sku: Sku,
    pub title: String,
    pub product_handle: Option<String>,
    pub quantity: u32,
    pub unit_price: i64,
    pub line_total: i64,
    /// False when the SKU is no longer in the catalog: shown, but not priced or sold.
    pub purchasable: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PricedCart {
    pub currency: Currency,
    pub lines: Vec<PricedLine>,
    pub subtotal: i64,
    pub units: u32,
}

impl PricedCart {
    pub fn subtotal_money(&self) -> Money {
        Money::new(self.subtotal, self.currency)
    }

    /// SKUs that can no longer be bought.
    pub fn unavailable(&self) -> impl Iterator<Item = &PricedLine> {
        self.lines.iter().filter(|l| !l.purchasable)
    }
}

/// Prices `cart` with the catalog's current prices (`lookup`), in integer minor units.
pub fn price(
    cart: &Cart,
    currency: Currency,
    lookup: impl Fn(&Sku) -> Option<SkuInfo>,
) -> Result<PricedCart, MoneyError> {
    let mut subtotal = Money::zero(currency);
    let mut lines = Vec::with_capacity(cart.lines.len());
    for line in &cart.lines {
        let priced = match lookup(&line.sku) {
            Some(info) => {
                let total = Money::new(info.unit_price, currency).checked_mul(line.quantity)?;
                subtotal = subtotal.checked_add(total)?;
                PricedLine {
                    sku: line.sku.clone(),
                    title: info.title,
                    product_handle: Some(info.product_handle),
                    quantity: line.quantity,
                    unit_price: info.unit_price,
                    line_total: total.amount,
                    purchasable: true,
                }
            }
            None => PricedLine {
                sku: line.sku.clone(),
                title: format!("{} (no longer available)", line.sku),
                product_handle: None,
                quantity: line.quantity,
                unit_price: 0,
                line_total: 0,
                purchasable: false,
            },
        };
        lines.push(priced);
    }
    Ok(PricedCart {
        currency,
        units: cart.units(),
        lines,
        subtotal: subtotal.amount,
    })
}

#[cfg(test)]
mod tests;

mod quote;
pub use quote::{quote, CartQuote, QuoteDiscount, RateOption};
