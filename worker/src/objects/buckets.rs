//! A hot SKU split over bucket objects (`domain::inventory::split` and `::bucket`): the
//! bucket's side (routing checks, borrowing from siblings, recovery) and the names and routing
//! the worker's [`super::inventory::Inventory`] uses.
//!
//! Buckets are inventory objects of their own, named `bucket-{SKU}-{i}`. A bucket serves a
//! command only when the worker routed it (header `x-buckets`) with the bucket count the bucket
//! knows; otherwise it answers 421 with the count it knows and the worker routes again. A reservation its own units cannot
//! cover borrows from its siblings before it is refused: it reads their counters (no write),
//! records the transfers it will ask for, asks, and credits the answers, each step one storage
//! write, so a crash anywhere loses and duplicates nothing (pending transfers are asked again by
//! the next reservation or the alarm).

use super::inventory::InventoryObject;
use crate::objects::protocol::{Lend, ReadStock, Reserve, ShardRequest, StockView};
use crate::platform::{self, call, call_routed};
use domain::inventory::split::{plan_borrow, Answer, Ask};
use domain::inventory::Reservation;
use domain::Sku;
use std::cell::RefCell;
use std::collections::HashMap;

/// How many times a bucket borrows for one reservation before it gives up (siblings may lend
/// what another borrower takes first).
const BORROW_ROUNDS: u32 = 3;

/// The object of bucket `index` of `sku`.
pub fn bucket_name(sku: &Sku, index: u32) -> String {
    format!("bucket-{sku}-{index}")
}

thread_local! {
    /// SKUs this isolate has seen split, with their bucket count. An entry is only a first
    /// guess: the home shard and the buckets correct it (see the module docs).
    static SPLITS: RefCell<HashMap<Sku, u32>> = RefCell::new(HashMap::new());
}

/// The bucket count this isolate knows for `sku` (1: not split, as far as it knows).
pub fn known_buckets(sku: &Sku) -> u32 {
    SPLITS.with_borrow(|m| m.get(sku).copied().unwrap_or(1))
}

/// Learns `sku`'s bucket count.
pub fn learn_buckets(sku: &Sku, k: u32) {
    SPLITS.with_borrow_mut(|m| {
        if k > 1 {
            m.insert(sku.clone(), k);
        } else {
            m.remove(sku);
        }
    });
}

impl InventoryObject {
    /// A command routed to this shard as a bucket of a SKU split over `k`: its answer, or the
    /// bucket count to route with instead.
    pub(super) async fn in_bucket(
        &self,
        k: u32,
        request: ShardRequest,
    ) -> worker::Result<Result<String, u32>> {
        let moved = self
            .read(|s| s.bucket.as_ref().map_or(Some(1), |role| role.misrouted(k)))
            .await?;
        if let Some(buckets) = moved {
            return Ok(Err(buckets));
        }
        Ok(Ok(match request {
            ShardRequest::Reserve(r) => {
                let reservation = self.reserve_borrowing(r, k).await?;
                crate::objects::stored::json(&reservation)?
            }
            other => self.serve(other).await?,
        }))
    }

    /// Reserves in this bucket, borrowing from its siblings what it lacks: refused only when
    /// the buckets together have too little.
    async fn reserve_borrowing(&self, r: Reserve, k: u32) -> worker::Result<Reservation> {
        self.recover().await?;
        let mut round = 0;
        loop {
            let reservation = self
                .apply(|s| s.reserve(&r.order_id, &r.lines, r.now, r.ttl_seconds))
                .await?;
            let Reservation::OutOfStock {
                sku,
                requested,
                available,
            } = &reservation
            else {
                return Ok(reservation);
            };
            round += 1;
            if round > BORROW_ROUNDS {
                return Ok(reservation);
            }
            let me = self
                .read(|s| s.bucket.as_ref().map_or(0, |b| b.index))
                .await?;
            let siblings = self.siblings(sku, k, me).await;
            let loans = match plan_borrow(*available, *requested, &siblings) {
                Ok(loans) => loans,
                Err(sold_out) => {
                    return Ok(Reservation::OutOfStock {
                        sku: sku.clone(),
                        requested: *requested,
                        available: sold_out.available,
                    })
                }
            };
            let asks = self
                .apply(|s| {
                    loans
                        .iter()
                        .filter_map(|l| s.begin_borrow(l.from, l.n, platform::now()))
                        .collect::<Vec<_>>()
                })
                .await?;
            self.ask(sku, asks).await?;
        }
    }

    /// The siblings' available units of `sku` (a sibling that does not answer counts as 0).
    async fn siblings(&self, sku: &Sku, k: u32, me: u32) -> Vec<(u32, u32)> {
        let Ok(ns) = self.inventory_ns() else {
            return Vec::new();
        };
        let reads = (0..k).filter(|i| *i != me).map(|i| {
            let ns = &ns;
            async move {
                let read = ReadStock {
                    skus: vec![(sku.clone(), 0)],
                };
                let name = bucket_name(sku, i);
                let views: Vec<StockView> = match call_routed(ns, &name, k, read).await {
                    Ok(Ok(v)) => v,
                    _ => Vec::new(),
                };
                (i, views.first().map(|v| v.available).unwrap_or(0))
            }
        });
        futures_util::future::join_all(reads).await
    }

    /// Sends `asks` to their lenders at once and credits every answer in one write; an ask that
    /// gets no answer stays pending, for [`InventoryObject::recover`].
    async fn ask(&self, sku: &Sku, asks: Vec<Ask>) -> worker::Result<()> {
        if asks.is_empty() {
            return Ok(());
        }
        let ns = self.inventory_ns()?;
        let sends = asks.into_iter().map(|ask| {
            let ns = &ns;
            let now = platform::now();
            async move { call(ns, &bucket_name(sku, ask.lender), Lend { ask, now }).await }
        });
        let answers: Vec<Answer> = futures_util::future::join_all(sends)
            .await
            .into_iter()
            .filter_map(|a| {
                a.map_err(|e| worker::console_error!("borrowing {sku}: {e}"))
                    .ok()
            })
            .collect();
        self.apply(|s| {
            for a in &answers {
                s.finish_borrow(a);
            }
        })
        .await
    }

    /// Asks again for the transfers still pending here (a bucket only).
    pub(super) async fn recover(&self) -> worker::Result<()> {
        let pending = self
            .read(|s| s.bucket.as_ref().map(|r| (r.sku.clone(), s.pending_asks())))
            .await?;
        match pending {
            Some((sku, asks)) => self.ask(&sku, asks).await,
            None => Ok(()),
        }
    }

    fn inventory_ns(&self) -> worker::Result<worker::ObjectNamespace> {
        self.env
            .durable_object(super::inventory::Inventory::BINDING)
    }
}
