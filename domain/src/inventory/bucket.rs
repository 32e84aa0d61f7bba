//! A [`Shard`] in the role of one bucket of a split SKU, and a home shard's record of the SKUs it
//! split: the synchronous half of [`super::split`]'s protocol, as the inventory objects apply it.
//!
//! - The **home shard** of a SKU (the one [`super::shard_of`] names) keeps `splits[sku] = K` while
//!   the SKU is spread over K ≥ 2 buckets; it then holds none of its stock and answers a
//!   reservation of it with [`Reservation::Moved`], so that a worker with an old idea of K finds
//!   the buckets.
//! - A **bucket** is a shard of its own holding one SKU's counter, its holds and its [`Book`];
//!   its [`BucketRole`] says which bucket of how many it is. A request routed with another K
//!   (the merchant changed it) is answered with the K the bucket knows, and a bucket retired by
//!   a smaller K answers the same way.
//! - While the merchant changes a SKU's stock or K, its shards are **frozen** for a few seconds:
//!   reservations of it answer [`Reservation::Busy`] (a moment's 503 for the shopper), so the
//!   numbers read and written are not moving under the change. A freeze ends by itself, so a
//!   change cut off half-way never blocks the SKU for long.

use super::split::{Answer, Ask, Book};
use super::{Reservation, Shard, Stock};
use crate::ids::Sku;
use serde::{Deserialize, Serialize};

/// A few values by SKU: a vector rather than a map (a shard splits or freezes a handful of
/// SKUs, and every map type costs the Worker code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SkuMap<V>(Vec<(Sku, V)>);

impl<V> Default for SkuMap<V> {
    fn default() -> Self {
        SkuMap(Vec::new())
    }
}

impl<V: Copy> SkuMap<V> {
    pub fn get(&self, sku: &Sku) -> Option<V> {
        self.0.iter().find(|(s, _)| s == sku).map(|(_, v)| *v)
    }

    pub fn contains_key(&self, sku: &Sku) -> bool {
        self.0.iter().any(|(s, _)| s == sku)
    }

    pub fn insert(&mut self, sku: Sku, value: V) {
        self.remove(&sku);
        self.0.push((sku, value));
    }

    pub fn remove(&mut self, sku: &Sku) {
        self.0.retain(|(s, _)| s != sku);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Which bucket of a split SKU a shard is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BucketRole {
    pub sku: Sku,
    /// The SKU's bucket count as this bucket last heard it (1: no longer split).
    pub k: u32,
    pub index: u32,
    pub book: Book,
}

impl BucketRole {
    /// Serves requests routed with `k`: the bucket count to route with instead, if not.
    pub fn misrouted(&self, k: u32) -> Option<u32> {
        (self.k != k || self.index >= self.k).then_some(self.k)
    }
}

/// What a frozen shard reports of one SKU, for the change the merchant is making.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Frozen {
    pub stock: Stock,
    /// Units are on their way to this bucket from a sibling (a borrow not finished).
    pub borrowing: bool,
}

impl Shard {
    /// The number of buckets `sku` is split over by this home shard (1: not split).
    pub fn buckets_of(&self, sku: &Sku) -> u32 {
        self.splits.get(sku).unwrap_or(1)
    }

    /// The refusal a reservation of these SKUs meets before any counting: one split elsewhere
    /// or frozen.
    pub(super) fn redirect<'a>(
        &self,
        skus: impl Iterator<Item = &'a Sku>,
        now: i64,
    ) -> Option<Reservation> {
        for sku in skus {
            if let Some(buckets) = self.splits.get(sku) {
                return Some(Reservation::Moved {
                    sku: sku.clone(),
                    buckets,
                });
            }
            if self.frozen_at(sku, now) {
                return Some(Reservation::Busy { sku: sku.clone() });
            }
        }
        None
    }

    /// Freezes `sku` here until `until` (unix seconds) and reports its counter.
    pub fn freeze(&mut self, sku: &Sku, initial: u32, until: i64) -> Frozen {
        self.frozen.insert(sku.clone(), until);
        let borrowing = self
            .bucket
            .as_ref()
            .is_some_and(|b| !b.book.pending().is_empty());
        Frozen {
            stock: self.stock_of(sku, initial),
            borrowing,
        }
    }

    /// Ends a freeze of `sku` (also what every setting below does).
    pub fn thaw(&mut self, sku: &Sku) {
        self.frozen.remove(sku);
    }

    /// Home shard: `sku` is spread over `k` buckets from now on (`k` = 1: it is back here, with
    /// `on_hand` units). Holds it has are kept.
    pub fn set_home(&mut self, sku: &Sku, k: u32, on_hand: u32) {
        if k > 1 {
            self.splits.insert(sku.clone(), k);
        } else {
            self.splits.remove(sku);
        }
        self.set_on_hand(sku, if k > 1 { 0 } else { on_hand });
        self.thaw(sku);
    }

    /// Makes this shard bucket `index` of `k` for `sku` with `on_hand` units (`index ≥ k`: a
    /// retired bucket, which keeps its holds until they end but serves nothing new). Its book
    /// carries over.
    pub fn set_bucket(&mut self, sku: &Sku, k: u32, index: u32, on_hand: u32) {
        let book = match self.bucket.take() {
            Some(role) if role.sku == *sku && role.index == index => role.book,
            _ => Book::new(index),
        };
        self.bucket = Some(BucketRole {
            sku: sku.clone(),
            k,
            index,
            book,
        });
        self.set_on_hand(sku, if index < k { on_hand } else { 0 });
        self.thaw(sku);
    }

    /// Whether the merchant's change holds `sku` still at `now`.
    fn frozen_at(&self, sku: &Sku, now: i64) -> bool {
        self.frozen.get(sku).is_some_and(|until| until > now)
    }

    /// Lender: gives up to `ask.want` available units of this bucket's SKU (see [`Book::lend`]).
    /// A shard that is not a bucket gives nothing; a frozen bucket gives nothing either, and
    /// remembers so (a repeated ask gets 0 too), so that no unit moves while the merchant's
    /// change reads and writes the buckets.
    pub fn lend(&mut self, ask: &Ask, now: i64) -> Answer {
        let frozen = self
            .bucket
            .as_ref()
            .is_some_and(|role| self.frozen_at(&role.sku, now));
        let Some(role) = self.bucket.as_mut() else {
            return Answer {
                id: ask.id,
                lender: ask.lender,
                given: 0,
            };
        };
        if frozen {
            return role.book.lend(ask, &mut Stock::default());
        }
        let stock = self.stock.entry(role.sku.clone()).or_default();
        role.book.lend(ask, stock)
    }

    /// Borrower: records a transfer of up to `want` units from bucket `lender`; the ask to send
    /// once this shard is written (`None` if it is not a bucket, or is frozen at `now`).
    pub fn begin_borrow(&mut self, lender: u32, want: u32, now: i64) -> Option<Ask> {
        let frozen = self
            .bucket
            .as_ref()
            .is_some_and(|role| self.frozen_at(&role.sku, now));
        if frozen {
            return None;
        }
        let role = self.bucket.as_mut()?;
        Some(role.book.begin_borrow(lender, want))
    }

    /// Borrower: credits a lender's answer, once.
    pub fn finish_borrow(&mut self, answer: &Answer) -> bool {
        let Some(role) = self.bucket.as_mut() else {
            return false;
        };
        let stock = self.stock.entry(role.sku.clone()).or_default();
        role.book.finish_borrow(answer, stock)
    }

    /// Borrower: the asks of transfers still pending (after a crash or a lost answer).
    pub fn pending_asks(&self) -> Vec<Ask> {
        self.bucket
            .as_ref()
            .map(|b| b.book.pending())
            .unwrap_or_default()
    }
}

#[cfg(test)]
#[path = "bucket_tests.rs"]
mod bucket_tests;
