//! Inventory counters, sharded over Durable Objects by SKU hash (`domain::inventory::shard_of`).

use crate::config::Config;
use crate::error::AppError;
use crate::objects::buckets::{bucket_name, known_buckets, learn_buckets};
use crate::objects::protocol::{
    Commit, Freeze, Lend, ReadStock, Release, Reserve, Restock, SetBucket, SetHome, SetOnHand,
    ShardRequest, StockView,
};
use crate::objects::stored;
use crate::platform::{self, call, call_moved, call_routed, Command};
use commerce::ports::Refusal;
use domain::inventory::split::{bucket_of, resplit, split, Buckets};
use domain::inventory::{shard_of, HoldLine, Reservation, Shard};
use domain::CartId;
use domain::Sku;
use serde::Serialize;
use std::cell::{Cell, RefCell};
use worker::{durable_object, Env, Request, Response, State};

const KEY: &str = "shard";

#[durable_object]
pub struct InventoryObject {
    state: State,
    /// For a bucket: its siblings, to borrow from.
    pub(super) env: Env,
    shard: RefCell<Option<Shard>>,
    /// The expiry the alarm was last set for by this instance (`Some(None)`: deleted).
    alarm_at: Cell<Option<Option<i64>>>,
}

impl InventoryObject {
    pub(super) async fn load(&self) -> worker::Result<Shard> {
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
    pub(super) async fn save(&self, shard: Shard) -> worker::Result<()> {
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
        let shard = self.load().await?;
        if shard.splits.is_empty() {
            return Ok(None);
        }
        let mut skus: Box<dyn Iterator<Item = &Sku>> = match request {
            ShardRequest::Release(r) => Box::new(r.skus.iter()),
            ShardRequest::Restock(r) => Box::new(r.lines.iter().map(|l| &l.sku)),
            _ => return Ok(None),
        };
        Ok(skus.find_map(|sku| shard.splits.get(sku).map(|k| (sku.clone(), k))))
    }

    /// One command on this shard: its answer as JSON text.
    pub(super) async fn serve(&self, request: ShardRequest) -> worker::Result<String> {
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

/// A reply as the JSON text an object answers.
fn text<C: Command>(value: &C::Reply) -> worker::Result<String> {
    serde_json::to_string(value).map_err(|e| worker::Error::RustError(e.to_string()))
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

/// How long a merchant's stock change may keep a SKU frozen (seconds).
pub const FREEZE_SECONDS: i64 = 10;

/// How soon a bucket asks again for transfers left pending (seconds).
const RECOVER_SECONDS: i64 = 2;

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
        Ok(ordered)
    }

    /// Each bucket's counters of a SKU split over `k`.
    async fn bucket_views(&self, sku: &Sku, k: u32) -> Result<Vec<StockView>, AppError> {
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
