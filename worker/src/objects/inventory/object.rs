//! The inventory Durable Object: a shard of SKU counters, or one bucket of a split SKU (its
//! bucket side is in [`crate::objects::buckets`]).

use super::text;
use crate::objects::protocol::{
    Commit, Freeze, Lend, ReadStock, Release, Reserve, Restock, SetBucket, SetHome, SetOnHand,
    ShardRequest, StockView,
};
use crate::objects::stored;
use crate::platform;
use domain::inventory::Shard;
use domain::Sku;
use std::cell::{Cell, RefCell};
use worker::{durable_object, Env, Request, Response, State};

/// How soon a bucket asks again for transfers left pending (seconds).
const RECOVER_SECONDS: i64 = 2;

const KEY: &str = "shard";

#[durable_object]
pub struct InventoryObject {
    state: State,
    /// For a bucket: its siblings, to borrow from.
    pub(in crate::objects) env: Env,
    pub(in crate::objects) shard: RefCell<Option<Shard>>,
    /// The expiry the alarm was last set for by this instance (`Some(None)`: deleted).
    alarm_at: Cell<Option<Option<i64>>>,
}

impl InventoryObject {
    pub(in crate::objects) async fn load(&self) -> worker::Result<Shard> {
        if let Some(s) = self.shard.borrow().clone() {
            return Ok(s);
        }
        let shard: Shard = stored::read(&self.state.storage(), KEY)
            .await?
            .unwrap_or_default();
        *self.shard.borrow_mut() = Some(shard.clone());
        Ok(shard)
    }

    /// Keeps memory, storage and the expiry alarm in step with `shard`.
    pub(in crate::objects) async fn save(&self, shard: Shard) -> worker::Result<()> {
        let mut next = shard.next_expiry();
        // A bucket with transfers pending (a lost answer, a crash after the begin) asks again
        // soon by itself, not only at its next reservation.
        if !shard.pending_asks().is_empty() {
            let soon = platform::now() + RECOVER_SECONDS;
            next = Some(next.map_or(soon, |at| at.min(soon)));
        }
        let storage = self.state.storage();
        stored::write(&storage, KEY, &shard).await?;
        *self.shard.borrow_mut() = Some(shard);
        // The alarm moves only when the next expiry does (most reservations expire after the
        // earliest one already scheduled).
        if self.alarm_at.get() != Some(next) {
            match next {
                Some(at) => {
                    // An offset in milliseconds from now; at least 1 ms so it is in the future.
                    let offset_ms = (at - platform::now()).max(0) * 1000 + 1;
                    storage.set_alarm(offset_ms).await?;
                }
                None => storage.delete_alarm().await?,
            }
            self.alarm_at.set(Some(next));
        }
        Ok(())
    }
}

impl worker::DurableObject for InventoryObject {
    fn new(state: State, env: Env) -> Self {
        InventoryObject {
            state,
            env,
            shard: RefCell::new(None),
            alarm_at: Cell::new(None),
        }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        let routed = platform::header(&req, platform::BUCKETS_HEADER)
            .parse::<u32>()
            .ok();
        let request: ShardRequest = crate::platform::command(&mut req).await?;
        let body = match routed {
            Some(k) => match self.in_bucket(k, request).await? {
                Ok(body) => body,
                Err(moved) => {
                    return Ok(Response::ok(moved.to_string())?.with_status(platform::MISROUTED))
                }
            },
            None => {
                if let Some((sku, k)) = self.split_here(&request).await? {
                    let moved = format!("{k} {sku}");
                    return Ok(Response::ok(moved)?.with_status(platform::MISROUTED));
                }
                self.serve(request).await?
            }
        };
        Response::ok(body)
    }

    async fn alarm(&self) -> worker::Result<Response> {
        // This alarm has fired: whatever comes next must be scheduled again.
        self.alarm_at.set(None);
        let mut shard = self.load().await?;
        let expired = shard.expire(platform::now());
        self.save(shard).await?;
        // A bucket finishes the borrows a crash or a lost answer left pending.
        self.recover().await?;
        Response::from_json(&expired)
    }
}

impl InventoryObject {
    /// A release or restock naming a SKU this home shard has split over buckets (a worker that
    /// did not know yet): the SKU and its bucket count, to send the worker on. Reservations and
    /// commits say so in their answers instead.
    async fn split_here(&self, request: &ShardRequest) -> worker::Result<Option<(Sku, u32)>> {
        // Only these two; asked before anything is read, so other commands pay nothing.
        let mut skus: Box<dyn Iterator<Item = &Sku>> = match request {
            ShardRequest::Release(r) => Box::new(r.skus.iter()),
            ShardRequest::Restock(r) => Box::new(r.lines.iter().map(|l| &l.sku)),
            _ => return Ok(None),
        };
        if self.shard.borrow().is_none() {
            self.load().await?;
        }
        let shard = self.shard.borrow();
        let splits = match shard.as_ref() {
            Some(s) if !s.splits.is_empty() => &s.splits,
            _ => return Ok(None),
        };
        Ok(skus.find_map(|sku| splits.get(sku).map(|k| (sku.clone(), k))))
    }

    /// One command on this shard: its answer as JSON text.
    pub(in crate::objects) async fn serve(&self, request: ShardRequest) -> worker::Result<String> {
        let mut shard = self.load().await?;
        let before = shard.clone();
        let answer = match request {
            ShardRequest::Stock(ReadStock { skus }) => {
                let views: Vec<StockView> = skus
                    .into_iter()
                    .map(|(sku, initial)| {
                        let mut view = StockView::new(sku.clone(), shard.stock_of(&sku, initial));
                        view.split = shard.splits.get(&sku).unwrap_or(0);
                        view
                    })
                    .collect();
                return text::<ReadStock>(&views);
            }
            ShardRequest::Freeze(Freeze {
                sku,
                initial,
                until,
            }) => text::<Freeze>(&shard.freeze(&sku, initial, until)),
            ShardRequest::SetHome(SetHome { sku, k, on_hand }) => {
                shard.set_home(&sku, k, on_hand);
                let mut view = StockView::new(sku.clone(), shard.stock_of(&sku, 0));
                view.split = shard.splits.get(&sku).unwrap_or(0);
                text::<SetHome>(&view)
            }
            ShardRequest::SetBucket(SetBucket {
                sku,
                k,
                index,
                on_hand,
            }) => {
                shard.set_bucket(&sku, k, index, on_hand);
                text::<SetBucket>(&StockView::new(sku.clone(), shard.stock_of(&sku, 0)))
            }
            ShardRequest::Lend(Lend { ask, now }) => text::<Lend>(&shard.lend(&ask, now)),
            ShardRequest::SetOnHand(SetOnHand { sku, on_hand }) => {
                let stock = shard.set_on_hand(&sku, on_hand);
                text::<SetOnHand>(&StockView::new(sku, stock))
            }
            ShardRequest::Reserve(Reserve {
                order_id,
                lines,
                now,
                ttl_seconds,
            }) => text::<Reserve>(&shard.reserve(&order_id, &lines, now, ttl_seconds)),
            ShardRequest::Commit(Commit {
                order_id,
                lines,
                now,
            }) => text::<Commit>(&shard.commit(&order_id, &lines, now)),
            ShardRequest::Release(Release { order_id, now, .. }) => {
                text::<Release>(&shard.release(&order_id, now))
            }
            ShardRequest::Restock(Restock {
                order_id,
                lines,
                now,
            }) => text::<Restock>(&shard.restock(&order_id, &lines, now)),
        };
        if shard != before {
            self.save(shard).await?;
        }
        answer
    }
}
