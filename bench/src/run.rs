//! The order of a run: the contenders started and checked, the set-up, the runtimes at rest,
//! the rounds and checkout under load, the soak, the client payload, the flash sales; then,
//! with the contenders stopped, the figures taken without load. Each phase is one function
//! below.

use std::path::Path;
use std::time::{Duration, Instant};

use integration_tests::ADMIN_TOKEN;

use crate::contenders::{Contenders, Runtime};
use crate::flash::{self, FlashResult, Sale};
use crate::load::Stats;
use crate::rounds::Round;
use crate::runs::Ctx;
use crate::setup::Carts;
use crate::soak::Soak;
use crate::{blocking, measure, procs, publish, repo_root, rounds, runs, setup, soak};
use crate::{Memory, Mode, Result, Results, Settings, Sizes, PRODUCT_PAGE};

pub async fn run(settings: Settings) -> Result<()> {
    let root = repo_root();
    let machine = measure::machine(&root);
    let http = http_client()?;
    eprintln!("bench ({:?}): starting the contenders", settings.mode);
    let (c, product_html) = Contenders::start(&root, &http, settings.mode == Mode::Full).await?;
    let ticks = procs::ticks_per_second();
    let sizes = page_sizes(&http, &root, &c, &product_html).await?;
    let carts = set_up(&http, &c, &settings).await?;
    let rest = at_rest(&c, ticks, settings.idle_seconds).await;
    let ctx = Ctx {
        http: &http,
        root: &root,
        settings: &settings,
        contenders: &c,
        ticks,
    };
    let load = under_load(&ctx, &carts).await?;
    let memory = memory_at_end(rest.memory, &c);
    let soak = soak(&http, &c, settings.soak_seconds).await?;
    let payload = client_payload(&http, &c).await?;
    let flash = flash_sales(&http, &c, &settings).await?;
    drop(c);
    let fixed = without_load(&root, settings.wasm_samples).await?;

    let results = Results {
        settings,
        machine,
        rounds: load.rounds,
        checkout: load.checkout,
        checkout_ceiling: load.checkout_ceiling,
        sizes,
        memory,
        idle_cpu_ms_per_s: rest.idle_cpu_ms_per_s,
        others_busy_cpus: load.others_busy_cpus,
        bundle: fixed.bundle,
        payload,
        wasm_default: fixed.wasm_default,
        wasm_eager: fixed.wasm_eager,
        soak,
        flash,
    };
    publish::report(&results, &root)
}

fn http_client() -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| format!("http client: {e}"))
}

/// The product page's size at every contender, which must match closely enough.
async fn page_sizes(
    http: &reqwest::Client,
    root: &Path,
    c: &Contenders,
    product_html: &str,
) -> Result<Sizes> {
    let sizes = setup::page_sizes(http, root, c, product_html).await?;
    eprintln!(
        "product page: shop {} bytes (cache off {}), React {} (string) and {} (stream), ceiling {}",
        sizes.shop, sizes.shop_no_cache, sizes.react_string, sizes.react_stream, sizes.ceiling
    );
    sizes.check()?;
    Ok(sizes)
}

/// Stock for every add and checkout, carts, one checked answer per route, warm-up.
async fn set_up(http: &reqwest::Client, c: &Contenders, settings: &Settings) -> Result<Carts> {
    let carts = Carts::make(http, c, settings).await?;
    rounds::warm_up(http, c, settings).await?;
    Ok(carts)
}

/// The runtimes before any measured request.
struct AtRest {
    /// What the shop's runtime spends with no requests (included in every CPU figure).
    idle_cpu_ms_per_s: f64,
    /// Every runtime's resident memory after set-up (`end` still empty).
    memory: Vec<Memory>,
}

async fn at_rest(c: &Contenders, ticks: f64, idle_seconds: u64) -> AtRest {
    let shop_pids = c.workerd(Runtime::Shop);
    let before = procs::cpu_ms(&shop_pids, ticks);
    tokio::time::sleep(Duration::from_secs(idle_seconds)).await;
    let idle_cpu_ms_per_s = (procs::cpu_ms(&shop_pids, ticks) - before) / idle_seconds as f64;
    let memory = Runtime::ALL
        .iter()
        .map(|&runtime| Memory {
            runtime,
            start: procs::rss_kib(&c.workerd(runtime)),
            end: Vec::new(),
        })
        .collect();
    AtRest {
        idle_cpu_ms_per_s,
        memory,
    }
}

/// The measured runs.
struct UnderLoad {
    rounds: Vec<Round>,
    checkout: Stats,
    checkout_ceiling: Stats,
    /// How busy the rest of the machine kept the CPUs meanwhile: a noisy-machine flag.
    others_busy_cpus: f64,
}

async fn under_load(ctx: &Ctx<'_>, carts: &Carts) -> Result<UnderLoad> {
    let me = std::process::id();
    let started = Instant::now();
    let others_before = procs::others_cpu_ms(me, ctx.ticks);
    let rounds = rounds::run_rounds(ctx, carts).await?;
    let (checkout_ceiling, checkout) = runs::checkout(ctx, carts).await?;
    let others_busy_cpus = (procs::others_cpu_ms(me, ctx.ticks) - others_before).max(0.0)
        / 1000.0
        / started.elapsed().as_secs_f64();
    Ok(UnderLoad {
        rounds,
        checkout,
        checkout_ceiling,
        others_busy_cpus,
    })
}

/// Fills in every runtime's resident memory now, after the measured runs.
fn memory_at_end(mut memory: Vec<Memory>, c: &Contenders) -> Vec<Memory> {
    for m in &mut memory {
        m.end = procs::rss_kib(&c.workerd(m.runtime));
    }
    memory
}

/// The memory soak, when `--soak` asked for one.
async fn soak(http: &reqwest::Client, c: &Contenders, seconds: u64) -> Result<Option<Soak>> {
    if seconds > 0 {
        Ok(Some(soak::run(http, c, seconds).await?))
    } else {
        Ok(None)
    }
}

/// The product page's client payload, from the page as it is now: a rebuild during the run
/// renames the islands bundle.
async fn client_payload(
    http: &reqwest::Client,
    c: &Contenders,
) -> Result<Vec<(String, measure::Sized)>> {
    let product_now = setup::product_page(http, &c.shop.url(PRODUCT_PAGE)).await?;
    setup::payload(http, &c.shop.base, &product_now).await
}

/// The flash sales against the shop, one per K, each on a SKU of its own. A sale that is not
/// exact is said so here; the smoke run fails on it once the report is printed
/// ([`publish::report`]), the full run keeps its figures, marked in the report.
async fn flash_sales(
    http: &reqwest::Client,
    c: &Contenders,
    settings: &Settings,
) -> Result<Vec<FlashResult>> {
    let f = settings.flash;
    if f.buckets.len() > flash::SALE_SKUS.len() {
        return Err(format!(
            "{} flash sales asked for, but only {} SKUs are set aside for them",
            f.buckets.len(),
            flash::SALE_SKUS.len()
        ));
    }
    let mut results = Vec::new();
    for (&buckets, sku) in f.buckets.iter().zip(flash::SALE_SKUS) {
        let sale = Sale {
            base: &c.shop.base,
            token: ADMIN_TOKEN,
            sku,
            units: f.units,
            shoppers: f.shoppers,
            concurrency: f.concurrency,
            buckets,
        };
        let r = flash::flash_sale(http, &sale).await?;
        eprintln!(
            "  K = {buckets}: {} created, {} out of stock, other {}, {} available after; p50 \
             {:.1} ms, p99 {:.1} ms, {:.0} reservations/s, {:.0} checkouts/s",
            r.created,
            r.out_of_stock,
            flash::others_text(&r.other),
            r.available_after,
            r.p50_ms,
            r.p99_ms,
            r.reservations_per_s,
            r.checkouts_per_s
        );
        if let Err(e) = flash::check(&r) {
            eprintln!("WARNING: {e}");
        }
        results.push(r);
    }
    Ok(results)
}

/// Figures taken with the contenders stopped.
struct WithoutLoad {
    bundle: measure::Bundle,
    wasm_default: measure::WasmTiming,
    wasm_eager: measure::WasmTiming,
}

async fn without_load(root: &Path, wasm_samples: usize) -> Result<WithoutLoad> {
    eprintln!("bundle size and wasm compile time");
    let bundle = measure::bundle(root)?;
    let (r, n) = (root.to_path_buf(), wasm_samples);
    let wasm_default = blocking(move || measure::wasm_timing(&r, n, &[])).await?;
    let r = root.to_path_buf();
    let wasm_eager =
        blocking(move || measure::wasm_timing(&r, n, &["--no-wasm-lazy-compilation"])).await?;
    Ok(WithoutLoad {
        bundle,
        wasm_default,
        wasm_eager,
    })
}
