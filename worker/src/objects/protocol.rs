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
use domain::discount::{Code, Commit as DiscountCommit, Discount, Refusal as CodeRefusal, Summary};
use domain::inventory::bucket::Frozen;
use domain::inventory::split::{Answer, Ask};
use domain::inventory::{Committed, HoldLine, Reservation, Stock};
use domain::order::{Order, OrderEvent, OrderStatus, Transition};
use domain::{Catalog, Sku};
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

// ---- inventory shards ----------------------------------------------------------------------

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShardRequest {
    Stock(ReadStock),
    SetOnHand(SetOnHand),
    Reserve(Reserve),
    Commit(Commit),
    Release(Release),
    Restock(Restock),
    Freeze(Freeze),
    SetHome(SetHome),
    SetBucket(SetBucket),
    Lend(Lend),
}

/// Counters of SKUs, each with the catalog's initial stock for SKUs never seen.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct ReadStock {
    pub skus: Vec<(Sku, u32)>,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct SetOnHand {
    pub sku: Sku,
    pub on_hand: u32,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct Reserve {
    pub order_id: String,
    pub lines: Vec<HoldLine>,
    pub now: i64,
    pub ttl_seconds: i64,
}

/// `lines` are used only if the hold is gone (released or expired before payment).
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct Commit {
    pub order_id: String,
    pub lines: Vec<HoldLine>,
    pub now: i64,
}

/// Answers whether the order held anything here. `skus` are the order's SKUs meant for this
/// shard: a home shard that has split one of them sends the worker on to its buckets.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct Release {
    pub order_id: String,
    pub now: i64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skus: Vec<Sku>,
}

/// Puts a committed order's units back, once; answers whether it did.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct Restock {
    pub order_id: String,
    pub lines: Vec<HoldLine>,
    pub now: i64,
}

/// One SKU's counters as the admin API and product pages show them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StockView {
    pub sku: Sku,
    pub on_hand: u32,
    pub reserved: u32,
    pub available: u32,
    /// From a home shard: the SKU is split over this many buckets, which hold its counters
    /// (0: not split).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub split: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl StockView {
    pub fn new(sku: Sku, s: Stock) -> Self {
        StockView {
            sku,
            on_hand: s.on_hand,
            reserved: s.reserved,
            available: s.available(),
            split: 0,
        }
    }

    /// The counters of several buckets of one SKU, added up.
    pub fn sum(sku: Sku, parts: &[StockView]) -> Self {
        let add = |f: fn(&StockView) -> u32| parts.iter().map(f).fold(0u32, u32::saturating_add);
        StockView {
            sku,
            on_hand: add(|v| v.on_hand),
            reserved: add(|v| v.reserved),
            available: add(|v| v.available),
            split: 0,
        }
    }
}

command!(ReadStock => ShardRequest::Stock, Vec<StockView>);
command!(SetOnHand => ShardRequest::SetOnHand, StockView);
command!(Reserve => ShardRequest::Reserve, Reservation);
command!(Commit => ShardRequest::Commit, Committed);
command!(Release => ShardRequest::Release, bool);
command!(Restock => ShardRequest::Restock, bool);
command!(Freeze => ShardRequest::Freeze, Frozen);
command!(SetHome => ShardRequest::SetHome, StockView);
command!(SetBucket => ShardRequest::SetBucket, StockView);
command!(Lend => ShardRequest::Lend, Answer);

/// Freezes a SKU's counter here until `until` (unix seconds): reservations of it answer busy.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct Freeze {
    pub sku: Sku,
    pub initial: u32,
    pub until: i64,
}

/// Home shard: the SKU is split over `k` buckets (`k` = 1: back here with `on_hand`); thaws.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct SetHome {
    pub sku: Sku,
    pub k: u32,
    pub on_hand: u32,
}

/// Makes the shard bucket `index` of `k` with `on_hand` units (retired when `index ≥ k`); thaws.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct SetBucket {
    pub sku: Sku,
    pub k: u32,
    pub index: u32,
    pub on_hand: u32,
}

/// A sibling's ask for units ([`domain::inventory::split::Book::lend`]), at `now` (a frozen
/// lender gives nothing).
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct Lend {
    pub ask: Ask,
    #[serde(default)]
    pub now: i64,
}

// ---- discount codes ------------------------------------------------------------------------

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiscountRequest {
    Put(PutDiscount),
    Disable(DisableDiscount),
    Register(RegisterDiscount),
    List(ListDiscounts),
    Summarize(SummarizeDiscount),
    Check(CheckDiscount),
    Hold(HoldDiscount),
    Release(ReleaseDiscount),
    Redeem(RedeemDiscount),
}

/// Creates a code (`create`: refused if it exists) or replaces one's definition, keeping its
/// uses (refused if it does not exist): its summary, or `None` when refused.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct PutDiscount {
    pub discount: Discount,
    pub create: bool,
    pub now: i64,
}

/// Disables a code (uses kept): its summary, `None` if there is no such code.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct DisableDiscount {
    pub code: Code,
    pub now: i64,
}

/// To the registry: remembers a code (idempotent), so that the merchant's list shows it.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct RegisterDiscount {
    pub code: Code,
}

/// To the registry: every code it remembers, in order.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct ListDiscounts {}

/// To a code's object: its summary now, `None` if it holds no such code.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct SummarizeDiscount {
    pub code: Code,
    pub now: i64,
}

/// Whether a cart of `subtotal` may use the code now: the code, or why not.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckDiscount {
    pub code: Code,
    pub subtotal: i64,
    pub now: i64,
}

/// Holds one use for an order (idempotent per order): the code as it is now, or why not.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct HoldDiscount {
    pub code: Code,
    pub order_id: String,
    pub email: String,
    pub subtotal: i64,
    pub now: i64,
    pub until: i64,
}

/// Gives back an order's held use; whether it held one.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct ReleaseDiscount {
    pub code: Code,
    pub order_id: String,
}

/// The order was paid: its use is redeemed.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct RedeemDiscount {
    pub code: Code,
    pub order_id: String,
    pub email: String,
    pub now: i64,
}

/// A code and its counts as the object answers them (the merchant's [`Summary`] flattens the
/// code's fields, which would need a buffering decoder here).
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct Tally {
    pub discount: Discount,
    pub redeemed: u32,
    pub held: u32,
}

impl From<Summary> for Tally {
    fn from(s: Summary) -> Tally {
        Tally {
            discount: s.discount,
            redeemed: s.redeemed,
            held: s.held,
        }
    }
}

impl From<Tally> for Summary {
    fn from(t: Tally) -> Summary {
        Summary {
            discount: t.discount,
            redeemed: t.redeemed,
            held: t.held,
        }
    }
}

command!(PutDiscount => DiscountRequest::Put, Option<Tally>);
command!(DisableDiscount => DiscountRequest::Disable, Option<Tally>);
command!(RegisterDiscount => DiscountRequest::Register, ());
command!(ListDiscounts => DiscountRequest::List, Vec<String>);
command!(SummarizeDiscount => DiscountRequest::Summarize, Option<Tally>);
command!(CheckDiscount => DiscountRequest::Check, Result<Discount, CodeRefusal>);
command!(HoldDiscount => DiscountRequest::Hold, Result<Discount, CodeRefusal>);
command!(ReleaseDiscount => DiscountRequest::Release, bool);
command!(RedeemDiscount => DiscountRequest::Redeem, DiscountCommit);

#[cfg(test)]
mod tests;
