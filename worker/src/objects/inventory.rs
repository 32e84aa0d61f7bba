//! Inventory counters, sharded over Durable Objects by SKU hash (`domain::inventory::shard_of`):
//! the worker's side. The object is in [`object`], the merchant's reads and writes in
//! [`merchant`].

mod merchant;
mod object;

pub use merchant::{BucketView, InventoryView, FREEZE_SECONDS};
pub use object::InventoryObject;

use crate::config::Config;
use crate::error::AppError;
use crate::objects::buckets::{bucket_name, known_buckets, learn_buckets};
use crate::objects::protocol::{
    Commit, ReadStock, Release, Reserve, Restock, ShardRequest, StockView,
};
use crate::platform::{self, call, call_moved, Command};
use commerce::ports::Refusal;
use domain::inventory::split::{bucket_of, Buckets};
use domain::inventory::{shard_of, HoldLine, Reservation};
use domain::CartId;
use domain::Sku;
use worker::Env;

/// The worker's side of inventory.
pub struct Inventory {
    ns: worker::ObjectNamespace,
    /// How long product pages may show a counter read by an earlier request (ms).
    shown_ttl_ms: u64,
}

/// Counters kept for product pages per isolate.
const MAX_SHOWN: usize = 5_000;

/// Counters as this isolate last read them: SKU → (view, when in ms).
type ShownMap = std::collections::HashMap<Sku, (StockView, u64)>;

thread_local! {
    static SHOWN: std::cell::RefCell<ShownMap> = Default::default();
}

/// How many times an order's lines are routed again when a SKU turns out split another way.
const ROUTE_ATTEMPTS: usize = 3;

/// Where some of an order's lines are held.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Target {
    Shard(u32),
    Bucket { sku: Sku, k: u32, index: u32 },
}

impl Target {
    /// `sku`'s place for the cart `cart_id`, as far as this isolate knows.
    fn of(sku: &Sku, cart_id: &str) -> Target {
        let k = known_buckets(sku);
        match (Buckets::new(k), CartId::parse(cart_id)) {
            (Ok(buckets), Ok(cart)) if k > 1 => Target::Bucket {
                sku: sku.clone(),
                k,
                index: bucket_of(&cart, buckets),
            },
            _ => Target::Shard(shard_of(sku)),
        }
    }
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

    /// Counters of `skus` (with their catalog initial stock), from every shard involved at once,
    /// in the order asked; a split SKU's are its buckets' added up.
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
        for view in &mut out {
            if view.split > 1 {
                learn_buckets(&view.sku, view.split);
                let parts = self.bucket_views(&view.sku, view.split).await?;
                *view = StockView::sum(view.sku.clone(), &parts);
                view.split = parts.len() as u32;
            }
        }
        // The shards answer in shard order; callers get the order they asked in.
        let mut ordered = Vec::with_capacity(out.len());
        for (sku, _) in skus {
            if let Some(at) = out.iter().position(|v| v.sku == *sku) {
                ordered.push(out.swap_remove(at));
            }
        }
        self.remember_shown(&ordered);
        Ok(ordered)
    }

    /// Where each line of an order of `cart_id` is held: its home shard, or its bucket when this
    /// isolate knows the SKU is split. In a fixed order: shards, then buckets.
    fn targets(cart_id: &str, lines: &[HoldLine]) -> Vec<(Target, Vec<HoldLine>)> {
        let mut out: Vec<(Target, Vec<HoldLine>)> = Vec::new();
        for l in lines {
            let target = Target::of(&l.sku, cart_id);
            match out.iter_mut().find(|(t, _)| *t == target) {
                Some((_, group)) => group.push(l.clone()),
                None => out.push((target, vec![l.clone()])),
            }
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    /// Sends `command` to `target` (a bucket with the count this isolate knows); `None` when
    /// the bucket answers that the SKU is split another way now (learnt for the next try).
    async fn send_to<C: Command<Request = ShardRequest>>(
        &self,
        target: &Target,
        command: C,
    ) -> Result<Option<C::Reply>, AppError>
    where
        ShardRequest: From<C>,
    {
        match target {
            Target::Shard(shard) => {
                let name = shard_name(*shard);
                match call_moved(&self.ns, &name, None, command).await? {
                    Ok(reply) => Ok(Some(reply)),
                    Err((k, sku)) => {
                        if let Some(sku) = sku {
                            learn_buckets(&sku, k);
                        }
                        Ok(None)
                    }
                }
            }
            Target::Bucket { sku, k, index } => {
                let name = bucket_name(sku, *index);
                match call_moved(&self.ns, &name, Some(*k), command).await? {
                    Ok(reply) => Ok(Some(reply)),
                    Err((buckets, _)) => {
                        learn_buckets(sku, buckets);
                        Ok(None)
                    }
                }
            }
        }
    }

    /// Reserves every line for `order_id`, shard by shard (a split SKU in the cart's bucket);
    /// if one refuses, releases what the others took. A crash in between leaves holds that
    /// expire on their own. A SKU found split another way is routed again (what was already
    /// held answers as held: reserving is idempotent).
    pub async fn reserve(
        &self,
        order_id: &str,
        cart_id: &str,
        lines: &[HoldLine],
        ttl_seconds: i64,
    ) -> Result<Result<(), Refusal>, AppError> {
        forget_shown(lines.iter().map(|l| &l.sku));
        let mut taken = Vec::new();
        'route: for _ in 0..ROUTE_ATTEMPTS {
            for (target, lines) in Self::targets(cart_id, lines) {
                let reserve = Reserve {
                    order_id: order_id.to_owned(),
                    lines,
                    now: platform::now(),
                    ttl_seconds,
                };
                let refusal = match self.send_to(&target, reserve).await {
                    Ok(Some(Reservation::Reserved { .. })) => {
                        if !taken.contains(&target) {
                            taken.push(target);
                        }
                        continue;
                    }
                    Ok(Some(Reservation::Moved { sku, buckets })) => {
                        learn_buckets(&sku, buckets);
                        continue 'route;
                    }
                    Ok(None) => continue 'route,
                    Ok(Some(Reservation::OutOfStock {
                        sku,
                        requested,
                        available,
                    })) => Refusal::OutOfStock {
                        sku,
                        requested,
                        available,
                    },
                    Ok(Some(Reservation::Closed { .. })) => Refusal::Closed,
                    Ok(Some(Reservation::Busy { sku })) => Refusal::Busy { sku },
                    Err(e) => {
                        self.release_targets(order_id, &taken).await;
                        return Err(e);
                    }
                };
                self.release_targets(order_id, &taken).await;
                return Ok(Err(refusal));
            }
            return Ok(Ok(()));
        }
        self.release_targets(order_id, &taken).await;
        Err(AppError::internal(
            "the stock kept moving between buckets; try again",
        ))
    }

    async fn release_targets(&self, order_id: &str, targets: &[Target]) {
        for target in targets {
            let release = Release {
                order_id: order_id.to_owned(),
                now: platform::now(),
                skus: Vec::new(),
            };
            // Best effort: a hold that cannot be released now expires on its own.
            if let Err(e) = self.send_to(target, release).await {
                worker::console_error!("releasing {order_id} at {target:?}: {e}");
            }
        }
    }

    /// Releases the order's holds wherever its lines are held. Idempotent.
    pub async fn release(
        &self,
        order_id: &str,
        cart_id: &str,
        lines: &[HoldLine],
    ) -> Result<(), AppError> {
        forget_shown(lines.iter().map(|l| &l.sku));
        for _ in 0..ROUTE_ATTEMPTS {
            let mut moved = false;
            for (target, lines) in Self::targets(cart_id, lines) {
                let release = Release {
                    order_id: order_id.to_owned(),
                    now: platform::now(),
                    skus: lines.into_iter().map(|l| l.sku).collect(),
                };
                moved |= self.send_to(&target, release).await?.is_none();
            }
            if !moved {
                break;
            }
        }
        Ok(())
    }

    /// Commits the order's units wherever they are held. Idempotent; returns units it could
    /// not cover.
    pub async fn commit(
        &self,
        order_id: &str,
        cart_id: &str,
        lines: &[HoldLine],
    ) -> Result<Vec<(String, u32)>, AppError> {
        forget_shown(lines.iter().map(|l| &l.sku));
        let mut shortfall = Vec::new();
        let mut todo = lines.to_vec();
        for _ in 0..ROUTE_ATTEMPTS {
            let mut again = Vec::new();
            for (target, lines) in Self::targets(cart_id, &todo) {
                let commit = Commit {
                    order_id: order_id.to_owned(),
                    lines: lines.clone(),
                    now: platform::now(),
                };
                let Some(done) = self.send_to(&target, commit).await? else {
                    again.extend(lines);
                    continue;
                };
                shortfall.extend(
                    done.shortfall
                        .into_iter()
                        .map(|(sku, n)| (sku.as_str().to_owned(), n)),
                );
                for (sku, k) in &done.moved {
                    learn_buckets(sku, *k);
                }
                again.extend(
                    lines
                        .into_iter()
                        .filter(|l| done.moved.iter().any(|(s, _)| *s == l.sku)),
                );
            }
            if again.is_empty() {
                return Ok(shortfall);
            }
            todo = again;
        }
        Err(AppError::internal(
            "the stock kept moving between buckets; try again",
        ))
    }

    /// Puts a refunded order's units back on the shelf, once per place. Answers whether any
    /// place restocked (false if the order was never committed or already restocked).
    pub async fn restock(
        &self,
        order_id: &str,
        cart_id: &str,
        lines: &[HoldLine],
    ) -> Result<bool, AppError> {
        forget_shown(lines.iter().map(|l| &l.sku));
        let mut any = false;
        let mut todo = lines.to_vec();
        for _ in 0..ROUTE_ATTEMPTS {
            let mut again = Vec::new();
            for (target, lines) in Self::targets(cart_id, &todo) {
                let restock = Restock {
                    order_id: order_id.to_owned(),
                    lines: lines.clone(),
                    now: platform::now(),
                };
                match self.send_to(&target, restock).await? {
                    Some(done) => any |= done,
                    None => again.extend(lines),
                }
            }
            if again.is_empty() {
                break;
            }
            todo = again;
        }
        Ok(any)
    }

    /// Counters for display on product pages: like [`Inventory::stock`], but a counter read in
    /// the last `SHOWN_STOCK_TTL_MS` by this isolate is reused, so a hot product page does not
    /// call its shards on every view. Checking out always reserves against the counters
    /// themselves.
    pub async fn shown_stock(&self, skus: &[(Sku, u32)]) -> Result<Vec<StockView>, AppError> {
        let now = worker::Date::now().as_millis();
        let cached: Option<Vec<StockView>> = SHOWN.with_borrow(|m| {
            skus.iter()
                .map(|(sku, _)| self.recent(m, sku, now).cloned())
                .collect()
        });
        match cached {
            Some(views) => Ok(views),
            None => self.stock(skus).await,
        }
    }

    /// The units of `sku` available by a counter this isolate read in the last
    /// `SHOWN_STOCK_TTL_MS` and has not changed since, if any.
    pub fn recent_available(&self, sku: &Sku) -> Option<u32> {
        let now = worker::Date::now().as_millis();
        SHOWN.with_borrow(|m| self.recent(m, sku, now).map(|v| v.available))
    }

    /// The counter of `sku` kept at most `SHOWN_STOCK_TTL_MS` before `now` (ms).
    fn recent<'m>(&self, shown: &'m ShownMap, sku: &Sku, now: u64) -> Option<&'m StockView> {
        shown
            .get(sku)
            .filter(|(_, at)| now.saturating_sub(*at) < self.shown_ttl_ms)
            .map(|(v, _)| v)
    }

    /// Every counter read is kept for [`Inventory::shown_stock`] and
    /// [`Inventory::recent_available`].
    fn remember_shown(&self, views: &[StockView]) {
        if self.shown_ttl_ms == 0 {
            return;
        }
        let now = worker::Date::now().as_millis();
        SHOWN.with_borrow_mut(|m| {
            if m.len() + views.len() > MAX_SHOWN {
                m.clear();
            }
            for v in views {
                m.insert(v.sku.clone(), (v.clone(), now));
            }
        });
    }
}

/// Counters this isolate changes (a reservation, its release, a sale, a restock, the merchant's
/// count) are read again next time, not taken from what it kept.
pub(crate) fn forget_shown<'a>(skus: impl IntoIterator<Item = &'a Sku>) {
    SHOWN.with_borrow_mut(|m| {
        for sku in skus {
            m.remove(sku);
        }
    });
}

/// A reply as the JSON text an object answers.
fn text<C: Command>(value: &C::Reply) -> worker::Result<String> {
    crate::objects::stored::json(value)
}
