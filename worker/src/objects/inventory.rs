//! Inventory counters, sharded over Durable Objects by SKU hash (`domain::inventory::shard_of`).

use crate::config::Config;
use crate::error::AppError;
use crate::objects::protocol::{
    Commit, ReadStock, Release, Reserve, Restock, SetOnHand, ShardRequest, StockView,
};
use crate::objects::stored;
use crate::platform::{self, answer, call, Command};
use commerce::ports::Refusal;
use domain::inventory::{by_shard, shard_of, HoldLine, Reservation, Shard};
use domain::Sku;
use std::cell::{Cell, RefCell};
use worker::{durable_object, Env, Request, Response, State};

const KEY: &str = "shard";

#[durable_object]
pub struct InventoryObject {
    state: State,
    shard: RefCell<Option<Shard>>,
    /// The expiry the alarm was last set for by this instance (`Some(None)`: deleted).
    alarm_at: Cell<Option<Option<i64>>>,
}

impl InventoryObject {
    async fn load(&self) -> worker::Result<Shard> {
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
    async fn save(&self, shard: Shard) -> worker::Result<()> {
        let next = shard.next_expiry();
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
    fn new(state: State, _env: Env) -> Self {
        InventoryObject {
            state,
            shard: RefCell::new(None),
            alarm_at: Cell::new(None),
        }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        let request: ShardRequest = crate::platform::command(&mut req).await?;
        let mut shard = self.load().await?;
        let before = shard.clone();
        let answer = match request {
            ShardRequest::Stock(ReadStock { skus }) => {
                let views: Vec<StockView> = skus
                    .into_iter()
                    .map(|(sku, initial)| {
                        StockView::new(sku.clone(), shard.stock_of(&sku, initial))
                    })
                    .collect();
                return answer::<ReadStock>(&views);
            }
            ShardRequest::SetOnHand(SetOnHand { sku, on_hand }) => {
                let stock = shard.set_on_hand(&sku, on_hand);
                answer::<SetOnHand>(&StockView::new(sku, stock))
            }
            ShardRequest::Reserve(Reserve {
                order_id,
                lines,
                now,
                ttl_seconds,
            }) => answer::<Reserve>(&shard.reserve(&order_id, &lines, now, ttl_seconds)),
            ShardRequest::Commit(Commit {
                order_id,
                lines,
                now,
            }) => answer::<Commit>(&shard.commit(&order_id, &lines, now)),
            ShardRequest::Release(Release { order_id, now }) => {
                answer::<Release>(&shard.release(&order_id, now))
            }
            ShardRequest::Restock(Restock {
                order_id,
                lines,
                now,
            }) => answer::<Restock>(&shard.restock(&order_id, &lines, now)),
        };
        if shard != before {
            self.save(shard).await?;
        }
        answer
    }

    async fn alarm(&self) -> worker::Result<Response> {
        // This alarm has fired: whatever comes next must be scheduled again.
        self.alarm_at.set(None);
        let mut shard = self.load().await?;
        let expired = shard.expire(platform::now());
        self.save(shard).await?;
        Response::from_json(&expired)
    }
}

/// The worker's side of inventory.
pub struct Inventory {
    ns: worker::ObjectNamespace,
    /// How long product pages may show a counter read by an earlier request (ms).
    shown_ttl_ms: u64,
}

/// Counters kept for product pages per isolate.
const MAX_SHOWN: usize = 5_000;

thread_local! {
    /// Counters as product pages last read them: SKU → (view, when in ms).
    static SHOWN: std::cell::RefCell<std::collections::HashMap<Sku, (StockView, u64)>> = Default::default();
}

fn shard_name(shard: u32) -> String {
    format!("inventory-{shard}")
}

impl Inventory {
    pub const BINDING: &'static str = "INVENTORY";

    pub fn from_env(env: &Env, config: &Config) -> worker::Result<Self> {
        Ok(Inventory {
            ns: env.durable_object(Self::BINDING)?,
            shown_ttl_ms: config.shown_stock_ttl_ms,
        })
    }

    async fn send<C: Command<Request = ShardRequest>>(
        &self,
        shard: u32,
        command: C,
    ) -> Result<C::Reply, AppError> {
        call(&self.ns, &shard_name(shard), command).await
    }

    /// Counters of `skus` (with their catalog initial stock), from every shard involved at once.
    pub async fn stock(&self, skus: &[(Sku, u32)]) -> Result<Vec<StockView>, AppError> {
        let mut groups: std::collections::BTreeMap<u32, Vec<(Sku, u32)>> = Default::default();
        for (sku, initial) in skus {
            groups
                .entry(shard_of(sku))
                .or_default()
                .push((sku.clone(), *initial));
        }
        let calls = groups
            .into_iter()
            .map(|(shard, skus)| async move { self.send(shard, ReadStock { skus }).await });
        let mut out = Vec::with_capacity(skus.len());
        for r in futures_util::future::join_all(calls).await {
            out.extend(r?);
        }
        Ok(out)
    }

    pub async fn set_on_hand(&self, sku: &Sku, on_hand: u32) -> Result<StockView, AppError> {
        let sku = sku.clone();
        self.send(shard_of(&sku), SetOnHand { sku, on_hand }).await
    }

    /// Reserves every line for `order_id`, shard by shard; if a shard refuses, releases what the
    /// earlier shards took. A crash in between leaves holds that expire on their own.
    pub async fn reserve(
        &self,
        order_id: &str,
        lines: &[HoldLine],
        ttl_seconds: i64,
    ) -> Result<Result<(), Refusal>, AppError> {
        let mut taken = Vec::new();
        for (shard, lines) in by_shard(lines) {
            let reserve = Reserve {
                order_id: order_id.to_owned(),
                lines,
                now: platform::now(),
                ttl_seconds,
            };
            let refusal = match self.send(shard, reserve).await {
                Ok(Reservation::Reserved { .. }) => {
                    taken.push(shard);
                    continue;
                }
                Ok(Reservation::OutOfStock {
                    sku,
                    requested,
                    available,
                }) => Refusal::OutOfStock {
                    sku,
                    requested,
                    available,
                },
                Ok(Reservation::Closed { .. }) => Refusal::Closed,
                Err(e) => {
                    self.release_shards(order_id, &taken).await;
                    return Err(e);
                }
            };
            self.release_shards(order_id, &taken).await;
            return Ok(Err(refusal));
        }
        Ok(Ok(()))
    }

    async fn release_shards(&self, order_id: &str, shards: &[u32]) {
        for shard in shards {
            let release = Release {
                order_id: order_id.to_owned(),
                now: platform::now(),
            };
            // Best effort: a hold that cannot be released now expires on its own.
            if let Err(e) = self.send(*shard, release).await {
                worker::console_error!("releasing {order_id} on shard {shard}: {e}");
            }
        }
    }

    /// Releases the order's holds in every shard its lines live in. Idempotent.
    pub async fn release(&self, order_id: &str, lines: &[HoldLine]) -> Result<(), AppError> {
        for shard in by_shard(lines).into_keys() {
            let release = Release {
                order_id: order_id.to_owned(),
                now: platform::now(),
            };
            self.send(shard, release).await?;
        }
        Ok(())
    }

    /// Commits the order's units in every shard. Idempotent; returns units it could not cover.
    pub async fn commit(
        &self,
        order_id: &str,
        lines: &[HoldLine],
    ) -> Result<Vec<(String, u32)>, AppError> {
        let mut shortfall = Vec::new();
        for (shard, lines) in by_shard(lines) {
            let commit = Commit {
                order_id: order_id.to_owned(),
                lines,
                now: platform::now(),
            };
            let done = self.send(shard, commit).await?;
            shortfall.extend(
                done.shortfall
                    .into_iter()
                    .map(|(sku, n)| (sku.as_str().to_owned(), n)),
            );
        }
        Ok(shortfall)
    }

    /// Puts a refunded order's units back on the shelf, once per shard. Answers whether any
    /// shard restocked (false if the order was never committed or already restocked).
    pub async fn restock(&self, order_id: &str, lines: &[HoldLine]) -> Result<bool, AppError> {
        let mut any = false;
        for (shard, lines) in by_shard(lines) {
            let restock = Restock {
                order_id: order_id.to_owned(),
                lines,
                now: platform::now(),
            };
            any |= self.send(shard, restock).await?;
        }
        Ok(any)
    }

    /// Counters for display on product pages: like [`Inventory::stock`], but a counter read in
    /// the last `SHOWN_STOCK_TTL_MS` by this isolate is reused, so a hot product page does not
    /// call its shards on every view. Adding to a cart and checking out always read the
    /// counters themselves.
    pub async fn shown_stock(&self, skus: &[(Sku, u32)]) -> Result<Vec<StockView>, AppError> {
        let now = worker::Date::now().as_millis();
        let cached: Option<Vec<StockView>> = SHOWN.with_borrow(|m| {
            skus.iter()
                .map(|(sku, _)| {
                    m.get(sku)
                        .filter(|(_, at)| now.saturating_sub(*at) < self.shown_ttl_ms)
                        .map(|(v, _)| v.clone())
                })
                .collect()
        });
        if let Some(views) = cached {
            return Ok(views);
        }
        let views = self.stock(skus).await?;
        if self.shown_ttl_ms > 0 {
            SHOWN.with_borrow_mut(|m| {
                if m.len() + views.len() > MAX_SHOWN {
                    m.clear();
                }
                for v in &views {
                    m.insert(v.sku.clone(), (v.clone(), now));
                }
            });
        }
        Ok(views)
    }
}
