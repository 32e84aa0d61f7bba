//! The inventory shards' and buckets' commands (see the parent module).

use super::Command;
use domain::inventory::bucket::Frozen;
use domain::inventory::split::{Answer, Ask};
use domain::inventory::{Committed, HoldLine, Reservation, Stock};
use domain::Sku;
use serde::{Deserialize, Serialize};

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
