//! What the worker and its Durable Objects say to each other: one type per command, each naming
//! its reply ([`Command`]), travelling in one request enum per object. Plain data over domain
//! types, so it compiles and round-trips natively (tests below).
//!
//! The enums are serde's default, externally tagged: a private protocol, not a public format,
//! and internal tagging (`#[serde(tag = …)]`) would buffer and re-parse every message, in more
//! wasm and more CPU.

use crate::platform::Command;
use domain::cart::{Cart, CartCommand, CartError};
use domain::catalog::{CatalogChange, ChangeError};
use domain::order::{Order, OrderEvent, OrderStatus, Transition};
use domain::Catalog;
use serde::{Deserialize, Serialize};

/// `impl Command for $cmd` with reply `$reply`, carried as `$request::$variant`.
macro_rules! command {
    ($cmd:ident => $request:ident::$variant:ident, $reply:ty) => {
        impl Command for $cmd {
            type Request = $request;
            type Reply = $reply;
        }
        impl From<$cmd> for $request {
            fn from(c: $cmd) -> $request {
                $request::$variant(c)
            }
        }
    };
}

// ---- carts ---------------------------------------------------------------------------------

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CartRequest {
    Get(GetCart),
    Apply(ApplyToCart),
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct GetCart;

/// One cart command, all or nothing: the cart after it, or why the cart refused it.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct ApplyToCart {
    pub command: CartCommand,
}

command!(GetCart => CartRequest::Get, Cart);
command!(ApplyToCart => CartRequest::Apply, Result<Cart, CartError>);

// ---- orders --------------------------------------------------------------------------------

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderRequest {
    Create(CreateOrder),
    Get(GetOrder),
    Apply(ApplyToOrder),
}

/// Stores the order unless one exists; answers the stored one either way, and whether this
/// call stored it.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct CreateOrder {
    pub order: Box<Order>,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct GetOrder;

/// One event through the order's state machine; `None` if there is no such order.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct ApplyToOrder {
    pub event: OrderEvent,
}

command!(CreateOrder => OrderRequest::Create, (Order, Transition));
command!(GetOrder => OrderRequest::Get, Option<Order>);
command!(ApplyToOrder => OrderRequest::Apply, Option<(Order, Transition)>);

// ---- the merchant's list of orders ---------------------------------------------------------

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndexRequest {
    Upsert(UpsertSummary),
    List(ListOrders),
}

/// What the list shows of an order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderSummary {
    pub id: String,
    pub status: OrderStatus,
    pub created_at: i64,
    pub total: i64,
    pub currency: String,
    pub email: String,
    /// Where it ships (absent in a shop without shipping settings).
    #[serde(default)]
    pub country: Option<String>,
    /// The shipping and tax parts of `total`.
    #[serde(default)]
    pub shipping: Option<i64>,
    #[serde(default)]
    pub tax: Option<i64>,
    /// What the gateway charged, once paid; differs from `total` only when something is wrong.
    #[serde(default)]
    pub amount_paid: Option<i64>,
    /// The address, one line after another, once paid.
    #[serde(default)]
    pub address: Option<String>,
    /// The discount code it was placed with.
    #[serde(default)]
    pub discount: Option<String>,
    /// Its e-mails at a glance (`Order::mail_status`): `sent`, `pending`, `retrying`, `failed`.
    #[serde(default)]
    pub mail: Option<String>,
}

impl OrderSummary {
    pub fn of(o: &Order) -> Self {
        OrderSummary {
            id: o.id.clone(),
            status: o.status,
            created_at: o.created_at,
            total: o.total,
            currency: o.currency.code().to_owned(),
            email: o.email.clone(),
            country: o.delivery.as_ref().map(|d| d.country.code().to_owned()),
            shipping: o.charges.map(|c| c.shipping),
            tax: o.charges.map(|c| c.tax),
            amount_paid: o.amount_paid,
            address: o
                .delivery
                .as_ref()
                .and_then(|d| d.address.as_ref())
                .map(|a| a.lines().join("\n")),
            discount: o.discount.as_ref().map(|d| d.code.clone()),
            mail: Some(o.mail_status())
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
        }
    }
}

/// Where a page of the list ends: its last row. On the wire (and in the admin API's
/// `next_cursor`) it is `created_at:id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Cursor {
    pub created_at: i64,
    pub id: String,
}

impl Cursor {
    pub fn after(s: &OrderSummary) -> Cursor {
        Cursor {
            created_at: s.created_at,
            id: s.id.clone(),
        }
    }
}

impl From<Cursor> for String {
    fn from(c: Cursor) -> String {
        format!("{}:{}", c.created_at, c.id)
    }
}

impl TryFrom<String> for Cursor {
    type Error = String;
    fn try_from(s: String) -> Result<Cursor, String> {
        let bad = || format!("the cursor {s:?} is not one this list gave out");
        let (at, id) = s.split_once(':').ok_or_else(bad)?;
        let created_at = at.parse().map_err(|_| bad())?;
        if !domain::order::is_order_id(id) {
            return Err(bad());
        }
        Ok(Cursor {
            created_at,
            id: id.to_owned(),
        })
    }
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct UpsertSummary {
    pub summary: OrderSummary,
}

/// Newest first, after `cursor`.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct ListOrders {
    pub status: Option<OrderStatus>,
    pub cursor: Option<Cursor>,
    pub limit: u32,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct IndexPage {
    pub orders: Vec<OrderSummary>,
    pub next_cursor: Option<Cursor>,
}

command!(UpsertSummary => IndexRequest::Upsert, ());
command!(ListOrders => IndexRequest::List, IndexPage);

// ---- the catalog ---------------------------------------------------------------------------

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CatalogRequest {
    Export(ExportCatalog),
    Change(ChangeCatalog),
    ImportCsv(ImportCsv),
    Publish(PublishCatalog),
}

/// The whole catalog, if one was imported.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportCatalog;

/// One change, validated with the domain's rules, then published to KV.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct ChangeCatalog {
    pub change: CatalogChange,
}

/// Products as CSV (`domain::csv`), replacing the current catalog's products; its currency
/// and collections stay. Parsed and applied inside the object: one round trip, and no window
/// for a concurrent change to be lost.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct ImportCsv {
    pub text: String,
    pub confirm: bool,
}

/// Writes the current version to KV again (after a failed publish).
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct PublishCatalog;

/// What a change (or a publish) came to.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeOutcome {
    Published {
        version: String,
        products: usize,
        variants: usize,
        kv_writes: usize,
    },
    Refused {
        error: ChangeError,
    },
    /// Another change is being published.
    Busy,
    /// Saved, but KV could not be written; `PublishCatalog` retries.
    NotPublished {
        version: String,
        reason: String,
    },
}

command!(ExportCatalog => CatalogRequest::Export, Option<Catalog>);
command!(ChangeCatalog => CatalogRequest::Change, ChangeOutcome);
command!(ImportCsv => CatalogRequest::ImportCsv, ChangeOutcome);
command!(PublishCatalog => CatalogRequest::Publish, ChangeOutcome);

// ---- inventory shards and discount codes: their own files ---------------------------------

mod discounts;
mod inventory;
pub use discounts::*;
pub use inventory::*;

#[cfg(test)]
mod tests;
