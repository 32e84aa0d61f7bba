//! The merchant's side of inventory: a SKU's counters with each bucket's, and setting its stock
//! and its bucket count (`GET`/`PUT /admin/api/inventory/{sku}`).

use super::{shard_name, Inventory};
use crate::error::AppError;
use crate::objects::buckets::{bucket_name, learn_buckets};
use crate::objects::protocol::{Freeze, ReadStock, SetBucket, SetHome, StockView};
use crate::platform::{self, call, call_routed};
use domain::inventory::shard_of;
use domain::inventory::split::{resplit, split, Buckets};
use domain::Sku;
use serde::Serialize;

/// How long a merchant's stock change may keep a SKU frozen (seconds).
pub const FREEZE_SECONDS: i64 = 10;

/// A SKU's counters for the merchant (`GET`/`PUT /admin/api/inventory/{sku}`): the totals,
/// and each bucket's when it is split (no `buckets` otherwise).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InventoryView {
    pub sku: Sku,
    pub on_hand: u32,
    pub reserved: u32,
    pub available: u32,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub buckets: Vec<BucketView>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BucketView {
    pub bucket: u32,
    pub on_hand: u32,
    pub reserved: u32,
    pub available: u32,
}

impl InventoryView {
    fn of(total: StockView, parts: Vec<StockView>) -> Self {
        InventoryView {
            sku: total.sku,
            on_hand: total.on_hand,
            reserved: total.reserved,
            available: total.available,
            buckets: parts
                .into_iter()
                .enumerate()
                .map(|(i, v)| BucketView {
                    bucket: i as u32,
                    on_hand: v.on_hand,
                    reserved: v.reserved,
                    available: v.available,
                })
                .collect(),
        }
    }
}

impl Inventory {
    /// Each bucket's counters of a SKU split over `k`.
    pub(super) async fn bucket_views(&self, sku: &Sku, k: u32) -> Result<Vec<StockView>, AppError> {
        let reads = (0..k).map(|i| async move {
            let read = ReadStock {
                skus: vec![(sku.clone(), 0)],
            };
            match call_routed(&self.ns, &bucket_name(sku, i), k, read).await? {
                Ok(views) => Ok(views.into_iter().next()),
                Err(_) => Err(AppError::internal("the buckets changed; try again")),
            }
        });
        let mut out = Vec::with_capacity(k as usize);
        for r in futures_util::future::join_all(reads).await {
            out.extend(r?);
        }
        Ok(out)
    }

    /// A SKU's counters for the merchant, with each bucket's when it is split.
    pub async fn view(&self, sku: &Sku, initial: u32) -> Result<InventoryView, AppError> {
        let home = self
            .send(
                shard_of(sku),
                ReadStock {
                    skus: vec![(sku.clone(), initial)],
                },
            )
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| AppError::internal("no stock answer"))?;
        if home.split <= 1 {
            return Ok(InventoryView::of(home, Vec::new()));
        }
        let parts = self.bucket_views(sku, home.split).await?;
        Ok(InventoryView::of(
            StockView::sum(sku.clone(), &parts),
            parts,
        ))
    }

    /// Sets a SKU's stock to `on_hand`, spread over `buckets` bucket objects (`None`: as many
    /// as now; 1: not split). The merchant's number is what the buckets add up to.
    ///
    /// An unsplit SKU kept unsplit is one write to its shard. Otherwise every shard involved is
    /// frozen for a moment (reservations of the SKU answer busy), its counters read, the new
    /// numbers written bucket by bucket and the home shard last, which thaws it. Changing the
    /// number of buckets needs no unit held (a hold lives in one bucket) and no units between
    /// buckets; keeping it spreads the new number so that every bucket still covers its holds.
    /// A change cut off half-way thaws by itself in [`FREEZE_SECONDS`]; setting it again
    /// completes it.
    pub async fn set_stock(
        &self,
        sku: &Sku,
        initial: u32,
        on_hand: u32,
        buckets: Option<u32>,
    ) -> Result<InventoryView, AppError> {
        let changed = self.change_stock(sku, initial, on_hand, buckets).await;
        // What this isolate kept of the counter (read during the change too) is read again.
        super::forget_shown([sku]);
        changed
    }

    async fn change_stock(
        &self,
        sku: &Sku,
        initial: u32,
        on_hand: u32,
        buckets: Option<u32>,
    ) -> Result<InventoryView, AppError> {
        let home = shard_of(sku);
        let now = platform::now();
        let freeze = |until| Freeze {
            sku: sku.clone(),
            initial,
            until,
        };
        let before = self.send(home, freeze(now + FREEZE_SECONDS)).await?;
        let k_old = self
            .view(sku, initial)
            .await
            .map(|v| v.buckets.len().max(1) as u32)?;
        let k = buckets.unwrap_or(k_old);
        if k_old == 1 && k == 1 {
            let set = SetHome {
                sku: sku.clone(),
                k: 1,
                on_hand,
            };
            self.send(home, set).await?;
            learn_buckets(sku, 1);
            return self.view(sku, initial).await;
        }
        // Freeze the buckets and read them (the home shard's counter when not split yet).
        let mut stocks = vec![before.stock];
        let mut borrowing = before.borrowing;
        if k_old > 1 {
            stocks.clear();
            for i in 0..k_old {
                let name = bucket_name(sku, i);
                let frozen = call(&self.ns, &name, freeze(now + FREEZE_SECONDS)).await?;
                borrowing |= frozen.borrowing;
                stocks.push(frozen.stock);
            }
        }
        let held: u32 = stocks.iter().map(|s| s.reserved).sum();
        if borrowing || (k != k_old && held > 0) {
            self.thaw(sku, initial, k_old).await;
            return Err(AppError::StockInUse { held });
        }
        let parts = if k == k_old {
            resplit(on_hand, &stocks).map_err(|e| AppError::internal(e.to_string()))?
        } else {
            let k = Buckets::new(k).map_err(|e| AppError::internal(e.to_string()))?;
            split(on_hand, k)
        };
        if k > 1 {
            for (i, part) in parts.iter().enumerate() {
                let set = SetBucket {
                    sku: sku.clone(),
                    k,
                    index: i as u32,
                    on_hand: *part,
                };
                call(&self.ns, &bucket_name(sku, i as u32), set).await?;
            }
        }
        // Buckets no longer used answer with the new count from now on.
        for i in k.max(if k > 1 { k } else { 0 })..k_old {
            let retire = SetBucket {
                sku: sku.clone(),
                k,
                index: i,
                on_hand: 0,
            };
            call(&self.ns, &bucket_name(sku, i), retire).await?;
        }
        let set = SetHome {
            sku: sku.clone(),
            k,
            on_hand,
        };
        self.send(home, set).await?;
        learn_buckets(sku, k);
        self.view(sku, initial).await
    }

    /// Ends a freeze the merchant's change put on `sku` (best effort: it ends by itself).
    async fn thaw(&self, sku: &Sku, initial: u32, k: u32) {
        let thaw = || Freeze {
            sku: sku.clone(),
            initial,
            until: 0,
        };
        let mut names = vec![shard_name(shard_of(sku))];
        if k > 1 {
            names.extend((0..k).map(|i| bucket_name(sku, i)));
        }
        for name in names {
            if let Err(e) = call(&self.ns, &name, thaw()).await {
                worker::console_error!("thawing {sku} at {name}: {e}");
            }
        }
    }
}
