//! How a shard meets storage: the object stores its counters under one key and each order's
//! hold and outcome under a key of the order's own, writing after each command only what the
//! command changed ([`Shard::take_changed`]).

use super::{bucket, Hold, Outcome, Shard, Stock};
use crate::ids::Sku;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The shard without its holds and outcomes: what the object stores under one key (its size
/// does not grow with the orders in flight).
#[derive(Serialize)]
pub struct Counters<'a> {
    stock: &'a BTreeMap<Sku, Stock>,
    #[serde(skip_serializing_if = "bucket::SkuMap::is_empty")]
    splits: &'a bucket::SkuMap<u32>,
    #[serde(skip_serializing_if = "bucket::SkuMap::is_empty")]
    frozen: &'a bucket::SkuMap<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bucket: &'a Option<bucket::BucketRole>,
}

/// One order's hold and outcome, as the object stores them under a key of the order's own.
#[derive(Debug, Serialize, Deserialize)]
#[serde(bound(deserialize = "H: Deserialize<'de>, O: Deserialize<'de>"))]
pub struct OrderEntry<H = Hold, O = (Outcome, i64)> {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold: Option<H>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<O>,
}

/// Bookkeeping for storage, not state: two shards with the same counters, holds and outcomes
/// are equal whatever their changes since the last write.
#[derive(Debug, Clone, Default)]
pub(super) struct ChangedOrders(Vec<String>);

impl PartialEq for ChangedOrders {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for ChangedOrders {}

impl Shard {
    /// The counters, split state and bucket role, as stored apart from the holds and outcomes
    /// (read back as a `Shard` whose holds and outcomes are then added to it).
    pub fn counters(&self) -> Counters<'_> {
        Counters {
            stock: &self.stock,
            splits: &self.splits,
            frozen: &self.frozen,
            bucket: &self.bucket,
        }
    }

    /// The orders whose hold or outcome changed since the last call, each once (the hold or
    /// outcome may now be gone: look each up), emptied.
    pub fn take_changed(&mut self) -> Vec<String> {
        let mut changed = std::mem::take(&mut self.changed.0);
        changed.sort_unstable();
        changed.dedup();
        changed
    }

    /// What the shard keeps of `order_id` (`None`: nothing, the key can go).
    pub fn entry_of(&self, order_id: &str) -> Option<OrderEntry<&Hold, &(Outcome, i64)>> {
        let entry = OrderEntry {
            hold: self.holds.get(order_id),
            outcome: self.outcomes.get(order_id),
        };
        (entry.hold.is_some() || entry.outcome.is_some()).then_some(entry)
    }

    /// Puts back what [`Shard::entry_of`] gave for `order_id`, as read from storage.
    pub fn restore(&mut self, order_id: String, entry: OrderEntry) {
        if let Some(outcome) = entry.outcome {
            self.outcomes.insert(order_id.clone(), outcome);
        }
        if let Some(hold) = entry.hold {
            self.holds.insert(order_id, hold);
        }
    }

    /// Notes that `order_id`'s hold or outcome changed.
    pub(super) fn touch(&mut self, order_id: &str) {
        self.changed.0.push(order_id.to_owned());
    }
}

/// An outcome read back by its JSON name, as stored and as answered.
impl Outcome {
    /// The variant named `name` (its snake_case JSON name).
    fn from_name(name: &str) -> Option<Self> {
        match name {
            "committed" => Some(Outcome::Committed),
            "released" => Some(Outcome::Released),
            "restocked" => Some(Outcome::Restocked),
            _ => None,
        }
    }
}

deserialize_by_name!(Outcome, Outcome::from_name);
