//! The shop's domain, free of any platform code.
//!
//! Everything here compiles and is unit-tested natively: the Worker (wasm32) and the
//! Leptos pages call into it, and so do the native tools and tests.
//!
//! # Layout
//! - [`money`]: [`Currency`] codes and [`Money`] in integer minor units, with formatting.
//! - [`ids`]: parsed identifiers and bounded inputs: [`Handle`], [`Sku`], [`Quantity`].
//! - [`csv`]: catalog import from CSV, one row per variant, problems by row and column.
//! - [`catalog`]: products, variants, collections, the catalog file format and its validation;
//!   the merchant's changes to it and what a page says about stock.
//! - [`listing`]: listing queries (sort, search, pagination) over a catalog index.
//! - [`kv`]: how a catalog is laid out in a key-value store under a content version.
//! - [`admin_session`]: stateless admin sessions and CSRF tokens (HMAC).
//! - [`cart`]: cart lines, the commands that change a cart (all-or-nothing), pricing.
//! - [`discount`]: discount codes, what they take off an order, and the ledger of their uses.
//! - [`inventory`]: stock counters and per-order reservations (reserve, commit, release, expire);
//!   [`inventory::split`] the rules for spreading one hot SKU over several bucket objects (split,
//!   crash-safe borrowing between buckets, rebalance; not yet wired into the worker).
//! - [`order`]: orders and their life cycle under payment events that may repeat or reorder.
//! - [`payment`]: the Checkout Session parameters and idempotency key for an order.
//! - [`webhook`]: Stripe-scheme webhook signatures (sign, parse, verify) and constant-time compare.

/// `Deserialize` for a unit-only enum from its snake_case name through `$parse` (`&str ->
/// Option<Self>`): one small function per enum, where serde's derive compiles its whole enum
/// machinery for each (about 1.2 KB of the Worker's wasm apiece). Serialization stays derived.
macro_rules! deserialize_by_name {
    ($ty:ty, $parse:path) => {
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let name = String::deserialize(d)?;
                $parse(&name).ok_or_else(|| {
                    serde::de::Error::custom(format_args!("unknown variant `{name}`"))
                })
            }
        }
    };
}

pub mod admin_session;
pub mod cart;
pub mod catalog;
pub mod csv;
pub mod discount;
pub mod ids;
pub mod inventory;
pub mod kv;
pub mod listing;
pub mod money;
pub mod order;
pub mod payment;
pub mod settings;
pub mod totals;
pub mod webhook;

pub use catalog::{
    Availability, Catalog, CatalogIndex, Collection, Image, Product, ProductSummary, SkuEntry,
    Variant,
};
pub use discount::{Code, Discount, Ledger, Refusal};
pub use ids::{CartId, Email, Handle, OrderId, Quantity, Sku};
pub use money::{Currency, Money};
pub use settings::{Country, Settings};
pub use totals::Totals;
