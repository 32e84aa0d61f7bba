//! What each round measures: every route of every contender once per round, in an order
//! rotated from round to round, so that a machine getting busier or quieter spreads over all of
//! them; a run that cannot stand is made again. How one run is made is in [`crate::runs`].

use std::time::{Duration, Instant};

use crate::contenders::{Contenders, Runtime};
use crate::load::{self, Limit, Stats};
use crate::runs::{get_request, measured, run_spec, Ctx};
use crate::setup::Carts;
use crate::{procs, Mode, Result, Results, Settings};

/// Quantity 1–99 per cart line: a cart takes 98 adds after the one that created it.
pub const ADDS_PER_CART: u64 = 98;

/// What a route sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Get,
    /// GET with the cookie of a cart holding one line.
    GetCart,
    /// POST /api/cart/items of one unit to an existing cart.
    Add,
}

/// One measured route of one contender.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    Ceiling,
    Home,
    Collection,
    Search,
    Product,
    ProductNoCache,
    ReactString,
    ReactStream,
    Cart,
    Add,
}

pub struct Spec {
    pub key: Key,
    pub label: &'static str,
    pub runtime: Runtime,
    pub method: &'static str,
    pub path: &'static str,
    pub kind: Kind,
    pub expect: &'static [u16],
}

const fn get(key: Key, label: &'static str, runtime: Runtime, path: &'static str) -> Spec {
    Spec {
        key,
        label,
        runtime,
        method: "GET",
        path,
        kind: Kind::Get,
        expect: &[200],
    }
}

/// Every run of a round, in the first round's order.
pub const SPECS: [Spec; 10] = [
    get(
        Key::Ceiling,
        "**ceiling**: constant page",
        Runtime::Ceiling,
        "/",
    ),
    get(Key::Home, "home `/`", Runtime::Shop, "/"),
    get(
        Key::Collection,
        "collection `/collections/home`",
        Runtime::Shop,
        "/collections/home",
    ),
    get(
        Key::ReactString,
        "React `renderToString` `/products/rain-jacket`",
        Runtime::React,
        "/products/rain-jacket",
    ),
    get(
        Key::Search,
        "search `/search?q=linen`",
        Runtime::Shop,
        "/search?q=linen",
    ),
    get(
        Key::Product,
        "product page `/products/rain-jacket`",
        Runtime::Shop,
        "/products/rain-jacket",
    ),
    get(
        Key::ReactStream,
        "React `renderToReadableStream` `/stream/products/rain-jacket`",
        Runtime::React,
        "/stream/products/rain-jacket",
    ),
    Spec {
        key: Key::Cart,
        label: "cart `GET /api/cart`",
        runtime: Runtime::Shop,
        method: "GET",
        path: "/api/cart",
        kind: Kind::GetCart,
        expect: &[200],
    },
    get(
        Key::ProductNoCache,
        "product page, page cache off (`PAGE_CACHE=off`)",
        Runtime::ShopNoCache,
        "/products/rain-jacket",
    ),
    Spec {
        key: Key::Add,
        label: "add to cart `POST /api/cart/items`",
        runtime: Runtime::Shop,
        method: "POST",
        path: "/api/cart/items",
        kind: Kind::Add,
        expect: &[200],
    },
];

pub fn spec(key: Key) -> &'static Spec {
    SPECS.iter().find(|s| s.key == key).unwrap_or(&SPECS[0])
}

/// One round: each run's figures, in the order they ran, and the runs made again (why).
pub struct Round {
    pub runs: Vec<(Key, Stats)>,
    pub retried: Vec<(Key, String)>,
}

impl Round {
    pub fn get(&self, key: Key) -> Option<&Stats> {
        self.runs.iter().find(|(k, _)| *k == key).map(|(_, s)| s)
    }
}

/// A few requests to every GET route first (isolates started, caches filled).
pub async fn warm_up(http: &reqwest::Client, c: &Contenders, s: &Settings) -> Result<()> {
    if s.warmup_per_route == 0 {
        return Ok(());
    }
    eprintln!("warming up");
    let warm = Limit {
        max_requests: s.warmup_per_route,
        ..s.limit
    };
    for spec in SPECS.iter().filter(|r| matches!(r.kind, Kind::Get)) {
        let url = c.url(spec.runtime, spec.path);
        let st = load::rust_loop(http, warm, &[200], get_request(url)).await;
        if st.errors > 0 {
            return Err(format!("warm-up: {:?}", st.first_error));
        }
    }
    Ok(())
}

/// `settings.rounds` rounds; round `r` starts `r / rounds` of the way down the list.
pub async fn run_rounds(ctx: &Ctx<'_>, carts: &Carts) -> Result<Vec<Round>> {
    let n = ctx.settings.rounds;
    let mut rounds = Vec::with_capacity(n);
    for r in 0..n {
        eprintln!("round {} of {n}", r + 1);
        let offset = r * SPECS.len() / n;
        let mut round = Round {
            runs: Vec::with_capacity(SPECS.len()),
            retried: Vec::new(),
        };
        for spec in SPECS[offset..].iter().chain(&SPECS[..offset]) {
            let stats = run_retried(ctx, spec, carts, r, &mut round.retried).await?;
            round.runs.push((spec.key, stats));
        }
        rounds.push(round);
    }
    Ok(rounds)
}

/// Other processes may keep this many CPUs busy during a full run before it is made again.
const NOISY_CPUS: f64 = 0.5;

/// Why a run cannot stand, if it cannot.
fn trouble(stats: &Stats, mode: Mode) -> Option<String> {
    let others = stats.others_cpus.unwrap_or(0.0);
    if stats.requests == 0 {
        Some("no answer".into())
    } else if stats.errors > 0 {
        Some(format!("{} unexpected answers", stats.errors))
    } else if stats.cpu_ms_per_request.is_none() {
        Some("its runtime was restarted".into())
    } else if mode == Mode::Full && others > NOISY_CPUS {
        Some(format!("other processes kept {others:.1} CPUs busy"))
    } else {
        None
    }
}

/// A run, made again (up to twice, once the machine is quiet and the contender answers) when it
/// got no answer or an unexpected one, when wrangler restarted the contender's runtime during it
/// (a rebuild of the Worker or a change under `assets/` reloads it), or, in full mode, when
/// other processes kept more than [`NOISY_CPUS`] busy meanwhile.
async fn run_retried(
    ctx: &Ctx<'_>,
    spec: &Spec,
    carts: &Carts,
    round: usize,
    retried: &mut Vec<(Key, String)>,
) -> Result<Stats> {
    let mut attempt = 1;
    loop {
        let stats = measured(ctx, spec.runtime, run_spec(ctx, spec, carts, round)).await?;
        let Some(why) = trouble(&stats, ctx.settings.mode) else {
            return Ok(stats);
        };
        if attempt == 3 {
            return Ok(stats);
        }
        eprintln!("  {}: {why}; measuring again", spec.label);
        retried.push((spec.key, why));
        wait_quiet(ctx).await;
        wait_answering(ctx, spec.runtime).await?;
        attempt += 1;
    }
}

/// Until other processes keep at most [`NOISY_CPUS`] busy over 2 s (10 minutes at most).
async fn wait_quiet(ctx: &Ctx<'_>) {
    let me = std::process::id();
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(600) {
        let before = procs::others_cpu_ms(me, ctx.ticks);
        tokio::time::sleep(Duration::from_secs(2)).await;
        let busy = (procs::others_cpu_ms(me, ctx.ticks) - before) / 2000.0;
        if busy <= NOISY_CPUS {
            return;
        }
        eprintln!("  waiting: other processes keep {busy:.1} CPUs busy");
    }
}

/// Until `rt` answers a GET with 200 again (10 minutes at most: wrangler rebuilds the shop
/// when its sources change).
async fn wait_answering(ctx: &Ctx<'_>, rt: Runtime) -> Result<()> {
    let path = match rt {
        Runtime::Ceiling => "/",
        Runtime::React => "/products/rain-jacket",
        Runtime::Shop | Runtime::ShopNoCache => "/robots.txt",
    };
    let url = ctx.contenders.url(rt, path);
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(600) {
        if crate::setup::get_ok(ctx.http, &url).await.is_ok() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    Err(format!(
        "{} did not answer again within 10 minutes",
        rt.name()
    ))
}

/// Runs with unexpected answers, or none.
pub fn failures(r: &Results) -> Vec<String> {
    let rounds = r.rounds.iter().enumerate().flat_map(|(i, round)| {
        round
            .runs
            .iter()
            .map(move |(k, s)| (format!("round {}: {}", i + 1, spec(*k).label), s))
    });
    rounds
        .chain([
            ("checkout".to_owned(), &r.checkout),
            ("ceiling before checkout".to_owned(), &r.checkout_ceiling),
        ])
        .filter(|(_, s)| s.errors > 0 || s.requests == 0)
        .map(|(label, s)| {
            format!(
                "{label}: {} of {} requests failed: {}",
                s.errors,
                s.requests,
                s.first_error.as_deref().unwrap_or("no answer")
            )
        })
        .collect()
}
