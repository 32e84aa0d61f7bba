//! Stock counters and reservations: the rules the inventory Durable Objects apply.
//!
//! A [`Shard`] holds the counters of some SKUs (the worker spreads SKUs over shards by hash, so
//! one hot SKU does not serialise the shop) and the holds orders placed on them. Per SKU,
//! `available = on_hand - reserved`, never below zero.
//!
//! Reservations are per order and per shard: all-or-nothing over the order's lines in the shard,
//! idempotent (reserving again with the same order changes nothing), and they expire, returning
//! the stock. An order spanning shards reserves shard by shard and releases what it took if a
//! later shard refuses; a crash between shards leaves holds that expire on their own.
//!
//! Commit (payment) takes units out of `on_hand` and the hold; release (cancel, expiry) returns
//! them. Both are idempotent, and a commit arriving after a release (payment completed after the
//! hold expired) still records the sale, reporting any shortfall.

use crate::ids::Sku;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub mod bucket;
pub mod split;
mod storage;

pub use storage::{Counters, OrderEntry};

/// How long a finished order's outcome is remembered, for idempotency (seconds).
pub const OUTCOME_MEMORY_SECONDS: i64 = 7 * 24 * 3600;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stock {
    pub on_hand: u32,
    pub reserved: u32,
}

impl Stock {
    pub fn available(self) -> u32 {
        self.on_hand.saturating_sub(self.reserved)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoldLine {
    pub sku: Sku,
    pub quantity: u32,
    /// Stock to start from if this shard has never seen the SKU (the catalog's initial stock).
    #[serde(default)]
    pub initial: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hold {
    pub lines: Vec<HoldLine>,
    /// Unix seconds.
    pub expires_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Committed,
    Released,
    /// Committed, then put back on the shelf (a refund with restock).
    Restocked,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InventoryCommand {
    SetOnHand {
        sku: Sku,
        on_hand: u32,
    },
    Reserve {
        order_id: String,
        lines: Vec<HoldLine>,
        now: i64,
        ttl_seconds: i64,
    },
    /// `lines` are used only if the hold is gone (released or expired before payment).
    Commit {
        order_id: String,
        lines: Vec<HoldLine>,
        now: i64,
    },
    Release {
        order_id: String,
        now: i64,
    },
    Expire {
        now: i64,
    },
    /// Puts a committed order's units back into `on_hand`, once.
    Restock {
        order_id: String,
        lines: Vec<HoldLine>,
        now: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InventoryReply {
    Stock {
        sku: Sku,
        on_hand: u32,
        reserved: u32,
        available: u32,
    },
    Reserved {
        expires_at: i64,
        already: bool,
    },
    OutOfStock {
        sku: Sku,
        requested: u32,
        available: u32,
    },
    /// The order's hold was already released or committed; it cannot reserve again.
    Closed {
        outcome: Outcome,
    },
    Moved {
        sku: Sku,
        buckets: u32,
    },
    Busy {
        sku: Sku,
    },
    Committed {
        already: bool,
        shortfall: Vec<(Sku, u32)>,
    },
    Released {
        released: bool,
    },
    Expired {
        orders: Vec<String>,
    },
    Restocked {
        restocked: bool,
    },
}

/// What a reservation did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reservation {
    Reserved {
        expires_at: i64,
        /// The order held these units already (a retry).
        already: bool,
    },
    OutOfStock {
        sku: Sku,
        requested: u32,
        available: u32,
    },
    /// The order's hold was already released or committed; it cannot reserve again.
    Closed { outcome: Outcome },
    /// `sku` is split over `buckets` bucket objects (or, asked of a bucket, no longer split the
    /// way the request assumed): reserve there.
    Moved { sku: Sku, buckets: u32 },
    /// The merchant is changing `sku`'s stock right now; try again in a moment.
    Busy { sku: Sku },
}

/// What a commit did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Committed {
    /// Committed before (a repeated payment event).
    pub already: bool,
    /// Units the shelf could not cover.
    pub shortfall: Vec<(Sku, u32)>,
    /// Lines of SKUs this home shard has split over buckets (with their bucket count), left
    /// for the buckets to commit.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub moved: Vec<(Sku, u32)>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub stock: BTreeMap<Sku, Stock>,
    /// Stored one per key by the object, apart from the counters ([`Shard::counters`]).
    #[serde(default)]
    pub holds: BTreeMap<String, Hold>,
    /// Finished orders and when they finished, for idempotency (stored like the holds).
    #[serde(default)]
    pub outcomes: BTreeMap<String, (Outcome, i64)>,
    /// Home shard: SKUs spread over buckets, with their bucket count ([`bucket`]).
    #[serde(default, skip_serializing_if = "bucket::SkuMap::is_empty")]
    pub splits: bucket::SkuMap<u32>,
    /// SKUs whose stock the merchant is changing, until when (unix seconds).
    #[serde(default, skip_serializing_if = "bucket::SkuMap::is_empty")]
    pub frozen: bucket::SkuMap<i64>,
    /// Set when this shard is one bucket of a split SKU.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket: Option<bucket::BucketRole>,
    /// The orders whose hold or outcome changed since [`Shard::take_changed`].
    #[serde(skip)]
    changed: storage::ChangedOrders,
}

impl Shard {
    /// The counters of `sku`, starting from `initial` if the shard has never seen it.
    pub fn stock_of(&self, sku: &Sku, initial: u32) -> Stock {
        self.stock.get(sku).copied().unwrap_or(Stock {
            on_hand: initial,
            reserved: 0,
        })
    }

    /// When the next hold expires: the time for the shard's alarm.
    pub fn next_expiry(&self) -> Option<i64> {
        self.holds.values().map(|h| h.expires_at).min()
    }

    /// Applies `cmd`: the typed methods below, their answers as one enum.
    pub fn apply(&mut self, cmd: &InventoryCommand) -> InventoryReply {
        match cmd {
            InventoryCommand::SetOnHand { sku, on_hand } => {
                let s = self.set_on_hand(sku, *on_hand);
                InventoryReply::Stock {
                    sku: sku.clone(),
                    on_hand: s.on_hand,
                    reserved: s.reserved,
                    available: s.available(),
                }
            }
            InventoryCommand::Reserve {
                order_id,
                lines,
                now,
                ttl_seconds,
            } => match self.reserve(order_id, lines, *now, *ttl_seconds) {
                Reservation::Reserved {
                    expires_at,
                    already,
                } => InventoryReply::Reserved {
                    expires_at,
                    already,
                },
                Reservation::OutOfStock {
                    sku,
                    requested,
                    available,
                } => InventoryReply::OutOfStock {
                    sku,
                    requested,
                    available,
                },
                Reservation::Closed { outcome } => InventoryReply::Closed { outcome },
                Reservation::Moved { sku, buckets } => InventoryReply::Moved { sku, buckets },
                Reservation::Busy { sku } => InventoryReply::Busy { sku },
            },
            InventoryCommand::Commit {
                order_id,
                lines,
                now,
            } => {
                let Committed {
                    already, shortfall, ..
                } = self.commit(order_id, lines, *now);
                InventoryReply::Committed { already, shortfall }
            }
            InventoryCommand::Release { order_id, now } => InventoryReply::Released {
                released: self.release(order_id, *now),
            },
            InventoryCommand::Restock {
                order_id,
                lines,
                now,
            } => InventoryReply::Restocked {
                restocked: self.restock(order_id, lines, *now),
            },
            InventoryCommand::Expire { now } => InventoryReply::Expired {
                orders: self.expire(*now),
            },
        }
    }

    /// Sets the units on the shelf; answers the counters.
    pub fn set_on_hand(&mut self, sku: &Sku, on_hand: u32) -> Stock {
        let s = self.stock.entry(sku.clone()).or_default();
        s.on_hand = on_hand;
        *s
    }

    /// Puts a committed order's units back into `on_hand`, once; answers whether it did.
    pub fn restock(&mut self, order_id: &str, lines: &[HoldLine], now: i64) -> bool {
        if !matches!(self.outcomes.get(order_id), Some((Outcome::Committed, _))) {
            return false;
        }
        for l in lines.iter().filter(|l| !self.splits.contains_key(&l.sku)) {
            let s = self.stock.entry(l.sku.clone()).or_insert(Stock {
                on_hand: l.initial,
                reserved: 0,
            });
            s.on_hand = s.on_hand.saturating_add(l.quantity);
        }
        self.outcomes
            .insert(order_id.to_owned(), (Outcome::Restocked, now));
        self.touch(order_id);
        true
    }

    /// Releases every hold due at `now`; answers their orders.
    pub fn expire(&mut self, now: i64) -> Vec<String> {
        let due: Vec<String> = self
            .holds
            .iter()
            .filter(|(_, h)| h.expires_at <= now)
            .map(|(id, _)| id.clone())
            .collect();
        for id in &due {
            self.release(id, now);
        }
        let forgotten: Vec<String> = self
            .outcomes
            .iter()
            .filter(|(_, (_, at))| now - *at >= OUTCOME_MEMORY_SECONDS)
            .map(|(id, _)| id.clone())
            .collect();
        for id in forgotten {
            self.outcomes.remove(&id);
            self.touch(&id);
        }
        due
    }

    /// Holds every line for `order_id` until `now + ttl`, all or nothing; idempotent.
    pub fn reserve(
        &mut self,
        order_id: &str,
        lines: &[HoldLine],
        now: i64,
        ttl: i64,
    ) -> Reservation {
        if let Some(h) = self.holds.get(order_id) {
            return Reservation::Reserved {
                expires_at: h.expires_at,
                already: true,
            };
        }
        if let Some((outcome, _)) = self.outcomes.get(order_id) {
            return Reservation::Closed { outcome: *outcome };
        }
        if let Some(refusal) = self.redirect(lines.iter().map(|l| &l.sku), now) {
            return refusal;
        }
        // Sum per SKU first: an order may name a SKU on several lines.
        let mut wanted: BTreeMap<&Sku, (u32, u32)> = BTreeMap::new();
        for l in lines {
            let e = wanted.entry(&l.sku).or_insert((0, l.initial));
            e.0 = e.0.saturating_add(l.quantity);
        }
        for (sku, (qty, initial)) in &wanted {
            let available = self.stock_of(sku, *initial).available();
            if *qty > available {
                return Reservation::OutOfStock {
                    sku: (*sku).clone(),
                    requested: *qty,
                    available,
                };
            }
        }
        for (sku, (qty, initial)) in wanted {
            let s = self.stock.entry(sku.clone()).or_insert(Stock {
                on_hand: initial,
                reserved: 0,
            });
            s.reserved += qty;
        }
        let expires_at = now + ttl;
        self.holds.insert(
            order_id.to_owned(),
            Hold {
                lines: lines.to_vec(),
                expires_at,
            },
        );
        self.touch(order_id);
        Reservation::Reserved {
            expires_at,
            already: false,
        }
    }

    /// Takes the order's units off the shelf, once; a payment after its hold ended sells
    /// what is available and reports the rest as shortfall.
    pub fn commit(&mut self, order_id: &str, lines: &[HoldLine], now: i64) -> Committed {
        if let Some((Outcome::Committed, _)) = self.outcomes.get(order_id) {
            return Committed {
                already: true,
                shortfall: Vec::new(),
                moved: Vec::new(),
            };
        }
        let mut shortfall = Vec::new();
        let mut moved = Vec::new();
        match self.holds.remove(order_id) {
            Some(hold) => {
                for l in &hold.lines {
                    let s = self.stock.entry(l.sku.clone()).or_insert(Stock {
                        on_hand: l.initial,
                        reserved: 0,
                    });
                    s.reserved = s.reserved.saturating_sub(l.quantity);
                    s.on_hand = s.on_hand.saturating_sub(l.quantity);
                }
            }
            None => {
                // The hold was released (expired) before the payment arrived: sell from what is
                // available, and report what could not be covered.
                for l in lines {
                    if let Some(k) = self.splits.get(&l.sku) {
                        moved.push((l.sku.clone(), k));
                        continue;
                    }
                    let s = self.stock.entry(l.sku.clone()).or_insert(Stock {
                        on_hand: l.initial,
                        reserved: 0,
                    });
                    let covered = l.quantity.min(s.available());
                    if covered < l.quantity {
                        shortfall.push((l.sku.clone(), l.quantity - covered));
                    }
                    s.on_hand -= covered;
                }
            }
        }
        self.outcomes
            .insert(order_id.to_owned(), (Outcome::Committed, now));
        self.touch(order_id);
        Committed {
            already: false,
            shortfall,
            moved,
        }
    }

    /// Gives the order's held units back; answers whether it held any.
    pub fn release(&mut self, order_id: &str, now: i64) -> bool {
        let Some(hold) = self.holds.remove(order_id) else {
            return false;
        };
        for l in &hold.lines {
            if let Some(s) = self.stock.get_mut(&l.sku) {
                s.reserved = s.reserved.saturating_sub(l.quantity);
            }
        }
        self.outcomes
            .insert(order_id.to_owned(), (Outcome::Released, now));
        self.touch(order_id);
        true
    }
}

#[cfg(test)]
mod tests;

/// Number of inventory shards. Changing it moves SKUs between shards (their counters with
/// them would be lost), so it is a constant of the deployment.
pub const SHARDS: u32 = 16;

/// The shard of `sku`: FNV-1a over its bytes, stable across builds and platforms.
pub fn shard_of(sku: &Sku) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in sku.as_str().bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h % SHARDS
}

/// Groups lines by shard, in shard order (so every order visits shards in the same order).
pub fn by_shard(lines: &[HoldLine]) -> BTreeMap<u32, Vec<HoldLine>> {
    let mut out: BTreeMap<u32, Vec<HoldLine>> = BTreeMap::new();
    for l in lines {
        out.entry(shard_of(&l.sku)).or_default().push(l.clone());
    }
    out
}

#[cfg(test)]
mod shard_tests;

#[cfg(test)]
mod restock_tests;
