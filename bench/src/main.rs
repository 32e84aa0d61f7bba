//! `storefront-bench`: how fast the shop is on the local Workers runtime, against the runtime's
//! own ceiling and against the same product page rendered by React.
//!
//! ```text
//! storefront-bench full [--rounds N] [--soak SECONDS]
//!                          # `make bench` (`make bench SOAK=180`): measured rounds; prints the
//!                          # report, writes BENCHMARKS.md
//! storefront-bench smoke   # `make test`: a few requests per route, every status checked,
//!                          # the report printed only; no wrk, no timing assertions
//! ```
//!
//! One run starts four contenders, each under its own `wrangler dev` in the same runtime, every
//! one behind the same static-asset router (`[assets]`):
//! - the shop, exactly as the integration tests start it ([`integration_tests::Stack`]:
//!   a freshly seeded demo catalog and a sandbox gateway on loopback), with the deployed cache
//!   settings;
//! - the shop again with its rendered-page cache off (`PAGE_CACHE=off`);
//! - the ceiling: a trivial Worker (`bench/ceiling/`) answering a constant HTML page of the
//!   product page's size;
//! - React: the product page rendered by React 19 from the same catalog in its own KV
//!   (`bench/react/`), with `renderToString` and with `renderToReadableStream`.
//!
//! The routes then run in interleaved rounds (the order rotated every round), each at 16
//! connections, bounded in time and in count; every figure is set against the ceiling's in the
//! same round, and the report shows medians over the rounds.
//!
//! Needs `make worker` (the Worker build), `cargo build -p sandbox-gateway` and, in full mode,
//! `wrk`; `make bench` does all three.
//!
//! # Layout
//! - `main.rs`: modes and settings, the order of a run.
//! - [`contenders`]: the four runtimes, their start and their `workerd` processes.
//! - [`setup`]: requests made outside the measurements (stock, carts, seeding, checks) and the
//!   client payload.
//! - [`rounds`]: what each round measures, in which order; runs made again.
//! - [`runs`]: how one run is made and measured; checkout.
//! - [`summary`]: medians and same-round ratios over the rounds.
//! - [`soak`]: the memory soak (`--soak SECONDS`).
//! - [`load`]: the load generators (wrk with `bench/wrk.lua`, our own reqwest loop) and
//!   their [`load::Stats`].
//! - [`procs`]: `/proc` figures (CPU time, resident memory) of the runtime's processes.
//! - [`measure`]: figures without load: bundle size, client payload, wasm compile/instantiate
//!   time in Node (`bench/wasm-compile.mjs`), machine and versions.
//! - [`report`] (with [`targets`], [`figures`] and [`sizes`]): the Markdown report; [`sizes`]
//!   reads the builds' function names for the bytes by crate and includes `bench/size-before.md`
//!   and `bench/bounds.md`.
//! - `bench/ceiling/`, `bench/react/`: the two JavaScript Workers and their `wrangler.toml`.
//! - `bench/wrk.lua`: wrk's script (method, JSON body, cart cookies in turn, a summary line).
//! - `bench/wasm-compile.mjs`: one timed compile and instantiate of a wasm file, in Node.

mod contenders;
mod figures;
mod load;
mod measure;
mod procs;
mod report;
mod rounds;
mod runs;
mod setup;
mod sizes;
mod soak;
mod summary;
mod targets;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use contenders::{Contenders, Runtime};
use load::{Generator, Limit, Stats};

/// Errors are reported as sentences; the bench stops at the first.
pub type Result<T> = std::result::Result<T, String>;

/// The SKU added to carts and checked out (its stock is raised first).
pub const SKU: &str = "RAIN-JACKET-M-OLIVE";
pub const PRODUCT_HANDLE: &str = "rain-jacket";
pub const PRODUCT_PAGE: &str = "/products/rain-jacket";
const CONNECTIONS: usize = 16;
/// The React page's size may differ from the shop's by this share at most.
pub const SIZE_TOLERANCE: f64 = 0.15;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Smoke,
    Full,
}

/// How much each mode does.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    pub mode: Mode,
    pub generator: Generator,
    pub limit: Limit,
    pub rounds: usize,
    pub warmup_per_route: u64,
    pub cart_carts: usize,
    /// Carts for add to cart, per round.
    pub add_carts: usize,
    pub checkout_carts: usize,
    pub wasm_samples: usize,
    pub idle_seconds: u64,
    /// Seconds of memory soak after the rounds (0: none).
    pub soak_seconds: u64,
}

impl Settings {
    fn of(mode: Mode) -> Settings {
        match mode {
            Mode::Full => Settings {
                mode,
                generator: Generator::Wrk,
                limit: Limit {
                    connections: CONNECTIONS,
                    duration: Duration::from_secs(5),
                    max_requests: 50_000,
                },
                rounds: 3,
                warmup_per_route: 64,
                cart_carts: 16,
                add_carts: 60,
                checkout_carts: 500,
                wasm_samples: 5,
                idle_seconds: 3,
                soak_seconds: 0,
            },
            Mode::Smoke => Settings {
                mode,
                generator: Generator::Rust,
                limit: Limit {
                    connections: CONNECTIONS,
                    duration: Duration::from_secs(5),
                    max_requests: 32,
                },
                rounds: 1,
                warmup_per_route: 0,
                cart_carts: 2,
                add_carts: 1,
                checkout_carts: 16,
                wasm_samples: 1,
                idle_seconds: 1,
                soak_seconds: 0,
            },
        }
    }
}

/// Page sizes in bytes, as served.
#[derive(Clone, Copy, Debug, Default)]
pub struct Sizes {
    pub shop: usize,
    pub shop_no_cache: usize,
    pub react_string: usize,
    pub react_stream: usize,
    pub ceiling: usize,
}

impl Sizes {
    /// React's page over the shop's, for both routes.
    pub fn react_ratios(&self) -> [(&'static str, f64); 2] {
        let shop = self.shop.max(1) as f64;
        [
            ("renderToString", self.react_string as f64 / shop),
            ("renderToReadableStream", self.react_stream as f64 / shop),
        ]
    }
}

/// Resident memory (KiB) of one runtime's `workerd` processes after set-up and at the end.
pub struct Memory {
    pub runtime: Runtime,
    pub start: Vec<u64>,
    pub end: Vec<u64>,
}

/// Everything a report shows.
pub struct Results {
    pub settings: Settings,
    pub machine: measure::Machine,
    pub rounds: Vec<rounds::Round>,
    /// Checkout (our own loop, each cart once) and the ceiling by the same loop just before.
    pub checkout: Stats,
    pub checkout_ceiling: Stats,
    pub sizes: Sizes,
    pub memory: Vec<Memory>,
    /// CPU time the shop's `workerd` processes used per second at rest.
    pub idle_cpu_ms_per_s: f64,
    /// CPUs kept busy, on average, by processes outside the bench during the runs.
    pub others_busy_cpus: f64,
    pub bundle: measure::Bundle,
    pub payload: Vec<(String, measure::Sized)>,
    pub wasm_default: measure::WasmTiming,
    pub wasm_eager: measure::WasmTiming,
    pub soak: Option<soak::Soak>,
}

fn parse_args(args: &[String]) -> Option<Settings> {
    let mut settings = match args.first().map(String::as_str) {
        Some("full") => Settings::of(Mode::Full),
        Some("smoke") => Settings::of(Mode::Smoke),
        _ => return None,
    };
    let mut rest = args[1..].iter();
    while let Some(flag) = rest.next() {
        let value: u64 = rest.next()?.parse().ok()?;
        match flag.as_str() {
            "--rounds" if value > 0 => settings.rounds = value as usize,
            "--soak" => settings.soak_seconds = value,
            _ => return None,
        }
    }
    Some(settings)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(settings) = parse_args(&args) else {
        eprintln!("usage: storefront-bench full [--rounds N] [--soak SECONDS] | smoke");
        return ExitCode::from(2);
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("bench: tokio: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench: {e}");
            ExitCode::FAILURE
        }
    }
}

pub fn repo_root() -> PathBuf {
    let root = integration_tests::root();
    root.canonicalize().unwrap_or(root)
}

pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| format!("blocking task: {e}"))?
}

/// Fails when a React page is not within [`SIZE_TOLERANCE`] of the shop's.
fn check_sizes(sizes: &Sizes) -> Result<()> {
    for (name, ratio) in sizes.react_ratios() {
        if (ratio - 1.0).abs() > SIZE_TOLERANCE {
            return Err(format!(
                "React's product page ({name}) is {:.0}% of the shop's ({} bytes): outside ±{:.0}%, \
                 so the two no longer render the same page",
                ratio * 100.0,
                sizes.shop,
                SIZE_TOLERANCE * 100.0
            ));
        }
    }
    Ok(())
}

async fn run(settings: Settings) -> Result<()> {
    let root = repo_root();
    let machine = measure::machine(&root);
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| format!("http client: {e}"))?;
    eprintln!("bench ({:?}): starting the contenders", settings.mode);
    let (c, product_html) = Contenders::start(&root, &http).await?;
    let ticks = procs::ticks_per_second();

    let sizes = setup::page_sizes(&http, &root, &c, &product_html).await?;
    eprintln!(
        "product page: shop {} bytes (cache off {}), React {} (string) and {} (stream), ceiling {}",
        sizes.shop, sizes.shop_no_cache, sizes.react_string, sizes.react_stream, sizes.ceiling
    );
    check_sizes(&sizes)?;

    // Set-up: stock for every add and checkout, carts, one checked answer per route, warm-up.
    let carts = setup::Carts::make(&http, &c, &settings).await?;
    rounds::warm_up(&http, &c, &settings).await?;

    // At rest: what the shop's runtime spends with no requests (included in every CPU figure).
    let shop_pids = c.workerd(Runtime::Shop);
    let before = procs::cpu_ms(&shop_pids, ticks);
    tokio::time::sleep(Duration::from_secs(settings.idle_seconds)).await;
    let idle_cpu_ms_per_s =
        (procs::cpu_ms(&shop_pids, ticks) - before) / settings.idle_seconds as f64;
    let rss = |rt: Runtime| procs::rss_kib(&c.workerd(rt));
    let mut memory: Vec<Memory> = Runtime::ALL
        .iter()
        .map(|&runtime| Memory {
            runtime,
            start: rss(runtime),
            end: Vec::new(),
        })
        .collect();

    // How busy the rest of the machine keeps the CPUs during the runs: a noisy-machine flag.
    let me = std::process::id();
    let started = std::time::Instant::now();
    let others_before = procs::others_cpu_ms(me, ticks);
    let ctx = runs::Ctx {
        http: &http,
        root: &root,
        settings: &settings,
        contenders: &c,
        ticks,
    };
    let all_rounds = rounds::run_rounds(&ctx, &carts).await?;
    let (checkout_ceiling, checkout) = runs::checkout(&ctx, &carts).await?;
    let others_busy_cpus = (procs::others_cpu_ms(me, ticks) - others_before).max(0.0)
        / 1000.0
        / started.elapsed().as_secs_f64();
    for m in &mut memory {
        m.end = rss(m.runtime);
    }
    let soak = if settings.soak_seconds > 0 {
        Some(soak::run(&http, &c, settings.soak_seconds).await?)
    } else {
        None
    };
    // The page as it is now: a rebuild during the run renames the islands bundle.
    let product_now = setup::product_page(&http, &c.shop.url(PRODUCT_PAGE)).await?;
    let payload = setup::payload(&http, &c.shop.base, &product_now).await?;
    drop(c);

    eprintln!("bundle size and wasm compile time");
    let bundle = measure::bundle(&root)?;
    let (r, n) = (root.clone(), settings.wasm_samples);
    let wasm_default = blocking(move || measure::wasm_timing(&r, n, &[])).await?;
    let r = root.clone();
    let wasm_eager =
        blocking(move || measure::wasm_timing(&r, n, &["--no-wasm-lazy-compilation"])).await?;

    let results = Results {
        settings,
        machine,
        rounds: all_rounds,
        checkout,
        checkout_ceiling,
        sizes,
        memory,
        idle_cpu_ms_per_s,
        others_busy_cpus,
        bundle,
        payload,
        wasm_default,
        wasm_eager,
        soak,
    };
    let text = report::markdown(&results);
    println!("{text}");

    let failures = rounds::failures(&results);
    if !failures.is_empty() {
        return Err(format!(
            "unexpected answers (BENCHMARKS.md not written):\n{}",
            failures.join("\n")
        ));
    }
    if settings.mode == Mode::Full {
        let file = root.join("BENCHMARKS.md");
        std::fs::write(&file, &text).map_err(|e| format!("{}: {e}", file.display()))?;
        eprintln!("wrote {}", file.display());
    } else {
        eprintln!("smoke: every route answered as expected (BENCHMARKS.md left as it is)");
    }
    Ok(())
}
