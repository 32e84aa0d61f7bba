//! `storefront-bench`: how fast the shop is on the local Workers runtime, against the runtime's
//! own ceiling.
//!
//! ```text
//! storefront-bench full    # `make bench`: measured runs; prints the report, writes BENCHMARKS.md
//! storefront-bench smoke   # `make test`: a few requests per route, every status checked,
//!                          # the report printed only; no wrk, no timing assertions
//! ```
//!
//! One run starts the shop exactly as the integration tests do ([`integration_tests::Stack`]:
//! `wrangler dev` with a freshly seeded demo catalog and a sandbox gateway on loopback) and,
//! beside it in the same runtime, the ceiling: a trivial Worker (`bench/ceiling/index.js`)
//! answering a constant HTML page of the product page's size. Each route then runs at 16
//! connections, bounded in time and in count, and its throughput is divided by the ceiling's,
//! measured by the same load generator in the same run.
//!
//! Needs `make worker` (the Worker build), `cargo build -p sandbox-gateway` and, in full mode,
//! `wrk`; `make bench` does all three.
//!
//! # Layout
//! - `main.rs`: modes, the routes and their set-up (stock, carts), the order of the runs.
//! - [`load`]: the load generators (wrk with `bench/wrk.lua`, our own reqwest loop) and
//!   their [`load::Stats`].
//! - [`procs`]: the ceiling's `wrangler dev`, and `/proc` figures (CPU time, resident memory)
//!   of the runtime's `workerd` processes.
//! - [`measure`]: figures without load: bundle size, client payload, wasm compile/instantiate
//!   time in Node (`bench/wasm-compile.mjs`), machine and versions.
//! - [`report`]: the Markdown report.
//! - `bench/ceiling/`: the ceiling Worker (`index.js`, plain JavaScript) and its `wrangler.toml`.
//! - `bench/wrk.lua`: wrk's script (method, JSON body, cart cookies in turn, a summary line).
//! - `bench/wasm-compile.mjs`: one timed compile and instantiate of a wasm file, in Node.

mod load;
mod measure;
mod procs;
mod report;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use integration_tests::{Options, Stack, ADMIN_TOKEN};
use load::{Generator, Limit, Stats, WrkRun};
use serde_json::json;

/// Errors are reported as sentences; the bench stops at the first.
pub type Result<T> = std::result::Result<T, String>;

/// The SKU added to carts and checked out (its stock is raised first).
const SKU: &str = "RAIN-JACKET-M-OLIVE";
const PRODUCT_PAGE: &str = "/products/rain-jacket";
const CONNECTIONS: usize = 16;
/// Quantity 1–99 per cart line: a cart takes 98 adds after the one that created it.
const ADDS_PER_CART: u64 = 98;

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
    pub single: Limit,
    pub warmup_per_route: u64,
    pub cart_carts: usize,
    pub add_carts: usize,
    pub checkout_carts: usize,
    pub wasm_samples: usize,
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
                single: Limit {
                    connections: 1,
                    duration: Duration::from_secs(5),
                    max_requests: 20_000,
                },
                warmup_per_route: 64,
                cart_carts: 16,
                add_carts: 60,
                checkout_carts: 500,
                wasm_samples: 5,
            },
            Mode::Smoke => Settings {
                mode,
                generator: Generator::Rust,
                limit: Limit {
                    connections: CONNECTIONS,
                    duration: Duration::from_secs(5),
                    max_requests: 32,
                },
                single: Limit {
                    connections: 1,
                    duration: Duration::from_secs(5),
                    max_requests: 8,
                },
                warmup_per_route: 0,
                cart_carts: 2,
                add_carts: 1,
                checkout_carts: 16,
                wasm_samples: 1,
            },
        }
    }
}

/// What a route sends.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Get,
    /// GET with the cookie of a cart holding one line.
    GetCart,
    /// POST /api/cart/items of one unit to an existing cart.
    Add,
    /// POST /api/checkout of a cart with one line, each cart once.
    Checkout,
}

struct Route {
    label: &'static str,
    method: &'static str,
    path: &'static str,
    kind: Kind,
    expect: &'static [u16],
}

const ROUTES: [Route; 7] = [
    Route {
        label: "home `/`",
        method: "GET",
        path: "/",
        kind: Kind::Get,
        expect: &[200],
    },
    Route {
        label: "collection `/collections/home`",
        method: "GET",
        path: "/collections/home",
        kind: Kind::Get,
        expect: &[200],
    },
    Route {
        label: "search `/search?q=linen`",
        method: "GET",
        path: "/search?q=linen",
        kind: Kind::Get,
        expect: &[200],
    },
    Route {
        label: "product page `/products/rain-jacket`",
        method: "GET",
        path: PRODUCT_PAGE,
        kind: Kind::Get,
        expect: &[200],
    },
    Route {
        label: "cart `GET /api/cart`",
        method: "GET",
        path: "/api/cart",
        kind: Kind::GetCart,
        expect: &[200],
    },
    Route {
        label: "add to cart `POST /api/cart/items`",
        method: "POST",
        path: "/api/cart/items",
        kind: Kind::Add,
        expect: &[200],
    },
    Route {
        label: "checkout `POST /api/checkout` (to the gateway redirect)",
        method: "POST",
        path: "/api/checkout",
        kind: Kind::Checkout,
        expect: &[201],
    },
];

/// One line of the results table.
pub struct Row {
    pub label: String,
    pub ceiling: bool,
    pub stats: Stats,
}

/// Everything a report shows.
pub struct Results {
    pub settings: Settings,
    pub machine: measure::Machine,
    pub rows: Vec<Row>,
    pub product_single: Stats,
    pub ceiling_single: Stats,
    pub product_bytes: usize,
    pub ceiling_bytes: usize,
    /// Resident memory (KiB) of each `workerd` process after set-up and at the end.
    pub stack_rss_start: Vec<u64>,
    pub stack_rss_end: Vec<u64>,
    pub ceiling_rss_start: Vec<u64>,
    pub ceiling_rss_end: Vec<u64>,
    /// CPU time the shop's `workerd` processes used per second at rest.
    pub idle_cpu_ms_per_s: f64,
    pub idle_seconds: u64,
    /// CPUs kept busy, on average, by processes outside the bench during the runs.
    pub others_busy_cpus: f64,
    pub bundle: Vec<measure::Sized>,
    pub payload: Vec<(String, measure::Sized)>,
    pub wasm_default: measure::WasmTiming,
    pub wasm_eager: measure::WasmTiming,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["full"] => Mode::Full,
        ["smoke"] => Mode::Smoke,
        _ => {
            eprintln!("usage: storefront-bench full|smoke");
            return ExitCode::from(2);
        }
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
    match runtime.block_on(run(Settings::of(mode))) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn repo_root() -> PathBuf {
    let root = integration_tests::root();
    root.canonicalize().unwrap_or(root)
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| format!("blocking task: {e}"))?
}

async fn run(settings: Settings) -> Result<()> {
    let root = repo_root();
    let machine = measure::machine(&root);
    eprintln!(
        "bench ({:?}): starting the shop and the ceiling",
        settings.mode
    );
    // The deployed defaults (the harness turns these caches off for tests that change data
    // and look at once).
    let options = Options {
        vars: vec![
            ("CATALOG_POINTER_TTL".to_owned(), "30".to_owned()),
            ("SHOWN_STOCK_TTL_MS".to_owned(), "2000".to_owned()),
        ],
        state_dir: None,
    };
    let stack = blocking(move || Stack::start(options)).await?;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| format!("http client: {e}"))?;

    let product_html = get_ok(&http, &stack.url(PRODUCT_PAGE)).await?;
    let ceiling_root = root.clone();
    let size = product_html.len();
    let ceiling = blocking(move || procs::Ceiling::start(&ceiling_root, size)).await?;
    let ceiling_bytes = get_ok(&http, &ceiling.base).await?.len();

    let ticks = procs::ticks_per_second();
    let stack_pids = procs::workerd_under(std::process::id(), &[ceiling.pid]);
    let ceiling_pids = procs::workerd_under(ceiling.pid, &[]);
    if stack_pids.is_empty() || ceiling_pids.is_empty() {
        return Err(format!(
            "cannot find the runtime's workerd processes (shop {stack_pids:?}, ceiling {ceiling_pids:?})"
        ));
    }

    // Set-up: stock for every add and checkout, carts, and one checked answer per route.
    set_stock(&http, &stack.base, 1_000_000).await?;
    let cart_carts = new_carts(&http, &stack.base, settings.cart_carts).await?;
    let add_carts = new_carts(&http, &stack.base, settings.add_carts).await?;
    let checkout_carts = new_carts(&http, &stack.base, settings.checkout_carts + 1).await?;
    let (first_checkout, checkout_carts) =
        checkout_carts.split_first().ok_or("no cart to check out")?;
    check_checkout(&http, &stack, first_checkout).await?;
    for route in ROUTES.iter().filter(|r| matches!(r.kind, Kind::Get)) {
        get_ok(&http, &stack.url(route.path)).await?;
    }
    if settings.warmup_per_route > 0 {
        eprintln!("warming up");
        let warm = Limit {
            max_requests: settings.warmup_per_route,
            ..settings.limit
        };
        let mut urls = vec![format!("{}/", ceiling.base)];
        urls.extend(
            ROUTES
                .iter()
                .filter(|r| matches!(r.kind, Kind::Get))
                .map(|r| stack.url(r.path)),
        );
        for url in urls {
            let s = load::rust_loop(&http, warm, &[200], get(url)).await;
            if s.errors > 0 {
                return Err(format!("warm-up: {:?}", s.first_error));
            }
        }
    }

    // At rest: what the runtime spends with no requests (included in every CPU figure).
    let idle_seconds = match settings.mode {
        Mode::Full => 3,
        Mode::Smoke => 1,
    };
    let before = procs::cpu_ms(&stack_pids, ticks);
    tokio::time::sleep(Duration::from_secs(idle_seconds)).await;
    let idle_cpu_ms_per_s = (procs::cpu_ms(&stack_pids, ticks) - before) / idle_seconds as f64;
    let stack_rss_start = procs::rss_kib(&stack_pids);
    let ceiling_rss_start = procs::rss_kib(&ceiling_pids);

    // How busy the rest of the machine keeps the CPUs during the runs: a noisy-machine flag.
    let me = std::process::id();
    let started = std::time::Instant::now();
    let (busy_before, ours_before) = (procs::machine_busy_ms(ticks), procs::tree_cpu_ms(me, ticks));

    let ceiling_url = format!("{}/", ceiling.base);
    let gen = settings.generator;
    let mut rows = Vec::new();
    let ceiling_label = format!("**ceiling**: constant {ceiling_bytes}-byte HTML page");

    rows.push(Row {
        label: ceiling_label.clone(),
        ceiling: true,
        stats: measured(
            &ceiling_pids,
            ticks,
            get_run(&http, &root, gen, &ceiling_url, settings.limit),
        )
        .await?,
    });
    for route in &ROUTES {
        let url = stack.url(route.path);
        let stats = match route.kind {
            Kind::Get => {
                measured(
                    &stack_pids,
                    ticks,
                    get_run(&http, &root, gen, &url, settings.limit),
                )
                .await?
            }
            Kind::GetCart => {
                let run = cart_run(
                    &http,
                    &root,
                    gen,
                    route,
                    url,
                    &cart_carts,
                    settings.limit,
                    None,
                );
                measured(&stack_pids, ticks, run).await?
            }
            Kind::Add => {
                let limit = Limit {
                    max_requests: settings
                        .limit
                        .max_requests
                        .min(add_carts.len() as u64 * ADDS_PER_CART),
                    ..settings.limit
                };
                let body = json!({ "sku": SKU, "quantity": 1 }).to_string();
                let run = cart_run(&http, &root, gen, route, url, &add_carts, limit, Some(body));
                measured(&stack_pids, ticks, run).await?
            }
            Kind::Checkout => {
                // Each cart is checked out once: our own loop hands them out one by one, so
                // this route always uses it, and the ceiling is measured with it too.
                rows.push(Row {
                    label: ceiling_label.clone(),
                    ceiling: true,
                    stats: measured(
                        &ceiling_pids,
                        ticks,
                        get_run(&http, &root, Generator::Rust, &ceiling_url, settings.limit),
                    )
                    .await?,
                });
                let limit = Limit {
                    max_requests: checkout_carts.len() as u64,
                    ..settings.limit
                };
                let body = json!({ "email": "bench@example.com" }).to_string();
                let run = cart_run(
                    &http,
                    &root,
                    Generator::Rust,
                    route,
                    url,
                    checkout_carts,
                    limit,
                    Some(body),
                );
                measured(&stack_pids, ticks, run).await?
            }
        };
        rows.push(Row {
            label: route.label.to_owned(),
            ceiling: false,
            stats,
        });
    }
    // The ceiling again at the end, so that a machine getting busier shows in the spread.
    rows.push(Row {
        label: ceiling_label,
        ceiling: true,
        stats: measured(
            &ceiling_pids,
            ticks,
            get_run(&http, &root, gen, &ceiling_url, settings.limit),
        )
        .await?,
    });

    eprintln!("single connection: product page and ceiling");
    let product_url = stack.url(PRODUCT_PAGE);
    let product_single = measured(
        &stack_pids,
        ticks,
        get_run(&http, &root, gen, &product_url, settings.single),
    )
    .await?;
    let ceiling_single = measured(
        &ceiling_pids,
        ticks,
        get_run(&http, &root, gen, &ceiling_url, settings.single),
    )
    .await?;

    let others_busy_cpus = ((procs::machine_busy_ms(ticks) - busy_before)
        - (procs::tree_cpu_ms(me, ticks) - ours_before))
        .max(0.0)
        / 1000.0
        / started.elapsed().as_secs_f64();
    let stack_rss_end = procs::rss_kib(&stack_pids);
    let ceiling_rss_end = procs::rss_kib(&ceiling_pids);
    let payload = payload(&http, &stack.base, &product_html).await?;
    drop(ceiling);
    drop(stack);

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
        rows,
        product_single,
        ceiling_single,
        product_bytes: product_html.len(),
        ceiling_bytes,
        stack_rss_start,
        stack_rss_end,
        ceiling_rss_start,
        ceiling_rss_end,
        idle_cpu_ms_per_s,
        idle_seconds,
        others_busy_cpus,
        bundle,
        payload,
        wasm_default,
        wasm_eager,
    };
    let text = report::markdown(&results);
    println!("{text}");

    let failures: Vec<String> = results
        .rows
        .iter()
        .map(|r| (&r.label, &r.stats))
        .chain([
            (
                &"product page, 1 connection".to_owned(),
                &results.product_single,
            ),
            (&"ceiling, 1 connection".to_owned(), &results.ceiling_single),
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
        .collect();
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

/// Adds the runtime's CPU time per request (from `/proc`, over `pids`) to a run's figures.
async fn measured(
    pids: &[u32],
    ticks: f64,
    run: impl std::future::Future<Output = Result<Stats>>,
) -> Result<Stats> {
    let before = procs::cpu_ms(pids, ticks);
    let mut stats = run.await?;
    let after = procs::cpu_ms(pids, ticks);
    if stats.requests > 0 {
        stats.cpu_ms_per_request = Some((after - before) / stats.requests as f64);
    }
    eprintln!(
        "  {} x{}: {} requests, {:.0} req/s, p99 {:.1} ms, {} errors",
        stats.generator.name(),
        stats.connections,
        stats.requests,
        stats.rps(),
        stats.p99_ms,
        stats.errors
    );
    Ok(stats)
}

fn get(url: String) -> load::MakeRequest {
    Arc::new(move |http: &reqwest::Client, _| Some(http.get(&url)))
}

/// A GET run of `url` expecting 200.
async fn get_run(
    http: &reqwest::Client,
    root: &Path,
    generator: Generator,
    url: &str,
    limit: Limit,
) -> Result<Stats> {
    eprintln!("GET {url}");
    match generator {
        Generator::Rust => Ok(load::rust_loop(http, limit, &[200], get(url.to_owned())).await),
        Generator::Wrk => {
            let (root, url) = (root.to_owned(), url.to_owned());
            blocking(move || {
                WrkRun {
                    url,
                    method: "GET",
                    body: None,
                    carts: &[],
                    limit,
                }
                .run(&root)
            })
            .await
        }
    }
}

/// A run of a cart route: requests carry the carts' cookies in turn (our loop hands each cart
/// out once when `limit.max_requests` is the number of carts, as checkout needs).
#[allow(clippy::too_many_arguments)]
async fn cart_run(
    http: &reqwest::Client,
    root: &Path,
    generator: Generator,
    route: &Route,
    url: String,
    carts: &[String],
    limit: Limit,
    body: Option<String>,
) -> Result<Stats> {
    eprintln!("{} {url}", route.method);
    if carts.is_empty() {
        return Err(format!("no carts for {}", route.label));
    }
    match generator {
        Generator::Rust => {
            let carts = carts.to_vec();
            let method = reqwest::Method::from_bytes(route.method.as_bytes())
                .map_err(|e| format!("{}: {e}", route.method))?;
            let make: load::MakeRequest = Arc::new(move |http: &reqwest::Client, n| {
                let cart = &carts[(n % carts.len() as u64) as usize];
                let mut req = http
                    .request(method.clone(), &url)
                    .header("cookie", format!("cart={cart}"));
                if let Some(b) = &body {
                    req = req
                        .header("content-type", "application/json")
                        .body(b.clone());
                }
                Some(req)
            });
            Ok(load::rust_loop(http, limit, route.expect, make).await)
        }
        Generator::Wrk => {
            let (root, carts, method) = (root.to_owned(), carts.to_vec(), route.method);
            blocking(move || {
                WrkRun {
                    url,
                    method,
                    body,
                    carts: &carts,
                    limit,
                }
                .run(&root)
            })
            .await
        }
    }
}

/// GETs `url`, requiring 200, and returns the body.
async fn get_bytes(http: &reqwest::Client, url: &str) -> Result<Vec<u8>> {
    let resp = http
        .get(url)
        .send()
        .await
        .map_err(|e| format!("GET {url}: {}", load::chain(&e)))?;
    let status = resp.status().as_u16();
    let body = resp
        .bytes()
        .await
        .map_err(|e| format!("GET {url}: {}", load::chain(&e)))?;
    if status != 200 {
        let text = String::from_utf8_lossy(&body[..body.len().min(500)]).into_owned();
        return Err(format!("GET {url}: expected 200, got {status}: {text}"));
    }
    Ok(body.to_vec())
}

/// [`get_bytes`] as text.
async fn get_ok(http: &reqwest::Client, url: &str) -> Result<String> {
    let body = get_bytes(http, url).await?;
    String::from_utf8(body).map_err(|e| format!("GET {url}: not UTF-8: {e}"))
}

async fn set_stock(http: &reqwest::Client, base: &str, on_hand: u32) -> Result<()> {
    let url = format!("{base}/admin/api/inventory/{SKU}");
    let resp = http
        .put(&url)
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({ "on_hand": on_hand }))
        .send()
        .await
        .map_err(|e| format!("PUT {url}: {}", load::chain(&e)))?;
    let status = resp.status().as_u16();
    if status != 200 {
        let body = resp.text().await.unwrap_or_default();
        return Err(format!("PUT {url}: expected 200, got {status}: {body}"));
    }
    Ok(())
}

/// A new cart holding one unit of [`SKU`]; returns its id (the `cart` cookie).
async fn new_cart(http: &reqwest::Client, base: &str) -> Result<String> {
    let url = format!("{base}/api/cart/items");
    let resp = http
        .post(&url)
        .json(&json!({ "sku": SKU, "quantity": 1 }))
        .send()
        .await
        .map_err(|e| format!("POST {url}: {}", load::chain(&e)))?;
    let status = resp.status().as_u16();
    let cookie = resp
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|c| c.strip_prefix("cart="))
        .and_then(|c| c.split(';').next())
        .map(str::to_owned);
    let body = resp.text().await.unwrap_or_default();
    match (status, cookie) {
        (201, Some(id)) if !id.is_empty() => Ok(id),
        _ => Err(format!(
            "POST {url}: expected 201 with a cart cookie, got {status}: {body}"
        )),
    }
}

/// [`new_cart`], tried again after a failed connection (set-up is not measured; a keep-alive
/// connection the runtime has just closed can fail a request).
async fn new_cart_retried(http: &reqwest::Client, base: &str) -> Result<String> {
    let mut attempt = 1;
    loop {
        match new_cart(http, base).await {
            Err(e) if attempt < 3 && e.contains("error sending request") => {
                eprintln!("  retrying a cart ({e})");
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// `n` new carts, made [`CONNECTIONS`] at a time.
async fn new_carts(http: &reqwest::Client, base: &str, n: usize) -> Result<Vec<String>> {
    eprintln!("creating {n} carts");
    let mut tasks = Vec::new();
    for worker in 0..CONNECTIONS.min(n) {
        let (http, base) = (http.clone(), base.to_owned());
        let share = (worker..n).step_by(CONNECTIONS).count();
        tasks.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            for _ in 0..share {
                ids.push(new_cart_retried(&http, &base).await?);
            }
            Ok::<_, String>(ids)
        }));
    }
    let mut carts = Vec::new();
    for task in tasks {
        carts.extend(task.await.map_err(|e| format!("cart task: {e}"))??);
    }
    Ok(carts)
}

/// One checkout, checked in full: 201 with an order id and a payment page at the sandbox gateway.
async fn check_checkout(http: &reqwest::Client, stack: &Stack, cart: &str) -> Result<()> {
    let url = stack.url("/api/checkout");
    let resp = http
        .post(&url)
        .header("cookie", format!("cart={cart}"))
        .json(&json!({ "email": "bench@example.com" }))
        .send()
        .await
        .map_err(|e| format!("POST {url}: {}", load::chain(&e)))?;
    let status = resp.status().as_u16();
    let body = resp.text().await.unwrap_or_default();
    let j: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    let to_gateway = j["payment_url"]
        .as_str()
        .is_some_and(|u| u.starts_with(&stack.gateway.base));
    if status != 201 || !to_gateway || !j["order_id"].is_string() {
        return Err(format!(
            "POST {url}: expected 201 with an order and a payment page at {}, got {status}: {body}",
            stack.gateway.base
        ));
    }
    Ok(())
}

/// The product page's client payload: the HTML and what it makes a browser load.
async fn payload(
    http: &reqwest::Client,
    base: &str,
    html: &str,
) -> Result<Vec<(String, measure::Sized)>> {
    let mut items = vec![(
        "html".to_owned(),
        measure::Sized::of(PRODUCT_PAGE, html.as_bytes())?,
    )];
    let mut todo = measure::page_resources(html);
    let mut next = 0;
    while let Some((kind, path)) = todo.get(next).cloned() {
        next += 1;
        // Same-origin paths only (the shop references nothing else), each once.
        if !path.starts_with('/')
            || path.starts_with("//")
            || todo[..next - 1].iter().any(|(_, p)| *p == path)
        {
            continue;
        }
        let body = get_bytes(http, &format!("{base}{path}")).await?;
        match kind.as_str() {
            "css" => todo.extend(
                measure::css_urls(&String::from_utf8_lossy(&body))
                    .into_iter()
                    .map(|u| ("css url()".to_owned(), u)),
            ),
            "js" => todo.extend(measure::script_urls(&String::from_utf8_lossy(&body))),
            _ => {}
        }
        items.push((kind, measure::Sized::of(&path, &body)?));
    }
    Ok(items)
}
