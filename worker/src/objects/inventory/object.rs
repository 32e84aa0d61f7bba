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
use wasm_bindgen::JsValue;
use worker::{durable_object, Env, Request, Response, State};

/// How soon a bucket asks again for transfers left pending (seconds).
const RECOVER_SECONDS: i64 = 2;

/// How a shard is stored: its counters (with its split state) under one key, and each order it
/// holds stock for or remembers under a key of the order's own, so a command writes what it
/// changed, not every reservation in flight.
const COUNTERS: &str = "counters";
const ORDER: &str = "order:";
/// The whole shard as one JSON value, as earlier releases stored it: moved to the keys above
/// when first read.
const LEGACY: &str = "shard";

#[durable_object]
pub struct InventoryObject {
    state: State,
    /// For a bucket: its siblings, to borrow from.
    pub(in crate::objects) env: Env,
    pub(in crate::objects) shard: RefCell<Option<Shard>>,
    /// The counters as stored (JSON), so a command that changes none writes none.
    counters: RefCell<String>,
    /// The expiry the alarm was last set for by this instance (`Some(None)`: deleted).
    alarm_at: Cell<Option<Option<i64>>>,
}

impl InventoryObject {
    /// Reads the shard from storage unless this instance has it.
    pub(in crate::objects) async fn load(&self) -> worker::Result<()> {
        if self.shard.borrow().is_some() {
            return Ok(());
        }
        let storage = self.state.storage();
        let shard = match stored::read::<Shard>(&storage, LEGACY).await? {
            // Moved, all at once, before anything changes it: a crash half-way leaves the old
            // key, and the next read moves it again.
            Some(legacy) => {
                // Every order once: held, or ended without a hold.
                let ended = legacy.outcomes.keys();
                let orders: Vec<String> = (legacy.holds.keys())
                    .chain(ended.filter(|id| !legacy.holds.contains_key(*id)))
                    .cloned()
                    .collect();
                let (mut puts, _) = order_writes(&legacy, &orders)?;
                puts.push((COUNTERS.to_owned(), stored::encode(&legacy.counters())?));
                stored::write_batch(&storage, &puts, &[LEGACY.to_owned()]).await?;
                legacy
            }
            None => {
                let mut shard: Shard = stored::read(&storage, COUNTERS).await?.unwrap_or_default();
                for (id, entry) in stored::list(&storage, ORDER).await? {
                    shard.restore(id, entry);
                }
                shard
            }
        };
        // Another command may have read it meanwhile (both awaited storage): keep the first.
        if self.shard.borrow().is_none() {
            *self.counters.borrow_mut() = stored::json(&shard.counters())?;
            *self.shard.borrow_mut() = Some(shard);
        }
        Ok(())
    }

    /// `f` of the shard as it is now.
    pub(in crate::objects) async fn read<T>(
        &self,
        f: impl FnOnce(&Shard) -> T,
    ) -> worker::Result<T> {
        self.load().await?;
        Ok(f(&*self.loaded()?))
    }

    /// The shard in memory (after [`InventoryObject::load`]).
    fn loaded(&self) -> worker::Result<std::cell::RefMut<'_, Shard>> {
        std::cell::RefMut::filter_map(self.shard.borrow_mut(), Option::as_mut)
            .map_err(|_| worker::Error::RustError("inventory shard not loaded".into()))
    }

    /// Applies `f` to the shard and makes what it changed durable: the counters if they
    /// changed, and each order whose hold or outcome did. The alarm follows the next expiry.
    /// If the write fails, the next command reads the shard from storage again.
    pub(in crate::objects) async fn apply<T>(
        &self,
        f: impl FnOnce(&mut Shard) -> T,
    ) -> worker::Result<T> {
        self.load().await?;
        let out = f(&mut *self.loaded()?);
        self.persist().await?;
        Ok(out)
    }

    /// Writes what changed in the shard since the last write, and moves the alarm.
    async fn persist(&self) -> worker::Result<()> {
        let (puts, deletes, next) = {
            let mut shard = self.loaded()?;
            let changed = shard.take_changed();
            let (mut puts, deletes) = order_writes(&shard, &changed)?;
            let counters = stored::json(&shard.counters())?;
            if *self.counters.borrow() != counters {
                puts.push((COUNTERS.to_owned(), JsValue::from_str(&counters)));
                *self.counters.borrow_mut() = counters;
            }
            let mut next = shard.next_expiry();
            // A bucket with transfers pending (a lost answer, a crash after the begin) asks
            // again soon by itself, not only at its next reservation.
            if !shard.pending_asks().is_empty() {
                let soon = platform::now() + RECOVER_SECONDS;
                next = Some(next.map_or(soon, |at| at.min(soon)));
            }
            (puts, deletes, next)
        };
        if puts.is_empty() && deletes.is_empty() {
            return Ok(());
        }
        let storage = self.state.storage();
        if let Err(e) = stored::write_batch(&storage, &puts, &deletes).await {
            *self.shard.borrow_mut() = None;
            return Err(e);
        }
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

/// Keys to write (with their values) and keys to delete.
type Writes = (Vec<(String, JsValue)>, Vec<String>);

/// The storage writes for `orders`: each order's entry under its key, or the key deleted when
/// the shard keeps nothing of it.
fn order_writes(shard: &Shard, orders: &[String]) -> worker::Result<Writes> {
    let (mut puts, mut deletes) = (Vec::new(), Vec::new());
    for id in orders {
        let key = format!("{ORDER}{id}");
        match shard.entry_of(id) {
            Some(entry) => puts.push((key, stored::encode(&entry)?)),
            None => deletes.push(key),
        }
    }
    Ok((puts, deletes))
}

impl worker::DurableObject for InventoryObject {
    fn new(state: State, env: Env) -> Self {
        InventoryObject {
            state,
            env,
            shard: RefCell::new(None),
            counters: RefCell::new(String::new()),
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
        let expired = self.apply(|shard| shard.expire(platform::now())).await?;
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
        self.load().await?;
        let shard = self.shard.borrow();
        let splits = match shard.as_ref() {
            Some(s) if !s.splits.is_empty() => &s.splits,
            _ => return Ok(None),
        };
        Ok(skus.find_map(|sku| splits.get(sku).map(|k| (sku.clone(), k))))
    }

    /// One command on this shard: its answer as JSON text.
    pub(in crate::objects) async fn serve(&self, request: ShardRequest) -> worker::Result<String> {
        if let ShardRequest::Stock(ReadStock { skus }) = request {
            let views = self
                .read(|shard| {
                    skus.into_iter()
                        .map(|(sku, initial)| {
                            let stock = shard.stock_of(&sku, initial);
                            let mut view = StockView::new(sku.clone(), stock);
                            view.split = shard.splits.get(&sku).unwrap_or(0);
                            view
                        })
                        .collect::<Vec<StockView>>()
                })
                .await?;
            return text::<ReadStock>(&views);
        }
        self.apply(|shard| match request {
            ShardRequest::Stock(_) => unreachable!("read above"),
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
        })
        .await?
    }
}
