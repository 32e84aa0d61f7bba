//! How one run is made: the load (wrk or our own loop, cart cookies, bodies) and the CPU time
//! of the contender's runtime and of everything else on the machine meanwhile; and checkout,
//! once, after the rounds.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use serde_json::json;

use crate::contenders::{Contenders, Runtime};
use crate::load::{self, Generator, Limit, Stats, WrkRun};
use crate::rounds::{Key, Kind, Spec, ADDS_PER_CART};
use crate::setup::Carts;
use crate::{blocking, procs, Result, Settings, SKU};

/// What every run needs.
pub struct Ctx<'a> {
    pub http: &'a reqwest::Client,
    pub root: &'a Path,
    pub settings: &'a Settings,
    pub contenders: &'a Contenders,
    pub ticks: f64,
}

pub async fn run_spec(ctx: &Ctx<'_>, spec: &Spec, carts: &Carts, round: usize) -> Result<Stats> {
    let url = ctx.contenders.url(spec.runtime, spec.path);
    let (generator, limit) = (ctx.settings.generator, ctx.settings.limit);
    match spec.kind {
        Kind::Get => get_run(ctx, generator, &url, limit).await,
        Kind::GetCart => cart_run(ctx, generator, spec, url, &carts.read, limit, None).await,
        Kind::Add => {
            let per_round = ctx.settings.add_carts;
            let mine = carts
                .add
                .get(round * per_round..(round + 1) * per_round)
                .ok_or("too few carts for add to cart")?;
            let limit = Limit {
                max_requests: limit.max_requests.min(mine.len() as u64 * ADDS_PER_CART),
                ..limit
            };
            let body = json!({ "sku": SKU, "quantity": 1 }).to_string();
            cart_run(ctx, generator, spec, url, mine, limit, Some(body)).await
        }
    }
}

/// Checkout, after the rounds: each cart is checked out once, which only our own loop can do
/// (it hands them out one by one), so the ceiling is measured by the same loop just before.
pub async fn checkout(ctx: &Ctx<'_>, carts: &Carts) -> Result<(Stats, Stats)> {
    let limit = ctx.settings.limit;
    let url = ctx.contenders.url(Runtime::Ceiling, "/");
    let ceiling = measured(
        ctx,
        Runtime::Ceiling,
        get_run(ctx, Generator::Rust, &url, limit),
    )
    .await?;
    let spec = Spec {
        key: Key::Add,
        label: "checkout",
        runtime: Runtime::Shop,
        method: "POST",
        path: "/api/checkout",
        kind: Kind::Add,
        expect: &[201],
    };
    let limit = Limit {
        max_requests: carts.checkout.len() as u64,
        ..limit
    };
    let body = json!({ "email": "bench@example.com" }).to_string();
    let url = ctx.contenders.url(Runtime::Shop, spec.path);
    let run = cart_run(
        ctx,
        Generator::Rust,
        &spec,
        url,
        &carts.checkout,
        limit,
        Some(body),
    );
    let checkout = measured(ctx, Runtime::Shop, run).await?;
    Ok((ceiling, checkout))
}

/// Adds the CPU time per request of `rt`'s `workerd` processes (from `/proc`) to a run's
/// figures; none when wrangler restarted them during the run.
pub async fn measured(
    ctx: &Ctx<'_>,
    rt: Runtime,
    run: impl std::future::Future<Output = Result<Stats>>,
) -> Result<Stats> {
    let me = std::process::id();
    let pids = ctx.contenders.workerd(rt);
    let (started, others) = (Instant::now(), procs::others_cpu_ms(me, ctx.ticks));
    let before = procs::cpu_ms(&pids, ctx.ticks);
    let mut stats = run.await?;
    let after = procs::cpu_ms(&pids, ctx.ticks);
    let others = (procs::others_cpu_ms(me, ctx.ticks) - others).max(0.0);
    stats.others_cpus = Some(others / 1000.0 / started.elapsed().as_secs_f64());
    let same = !pids.is_empty() && ctx.contenders.workerd(rt) == pids;
    if !same {
        eprintln!(
            "  {}: its workerd processes changed during the run",
            rt.name()
        );
    }
    if stats.requests > 0 && same {
        stats.cpu_ms_per_request = Some((after - before) / stats.requests as f64);
    }
    eprintln!(
        "  {} x{}: {} requests, {:.0} req/s, p99 {:.1} ms, {:.2} ms CPU/request, {} errors, \
         {:.2} CPUs busy elsewhere",
        stats.generator.name(),
        stats.connections,
        stats.requests,
        stats.rps(),
        stats.p99_ms,
        stats.cpu_ms_per_request.unwrap_or(f64::NAN),
        stats.errors,
        stats.others_cpus.unwrap_or(f64::NAN)
    );
    Ok(stats)
}

pub fn get_request(url: String) -> load::MakeRequest {
    Arc::new(move |http: &reqwest::Client, _| Some(http.get(&url)))
}

/// A GET run of `url` expecting 200.
async fn get_run(ctx: &Ctx<'_>, generator: Generator, url: &str, limit: Limit) -> Result<Stats> {
    eprintln!("GET {url}");
    match generator {
        Generator::Rust => {
            Ok(load::rust_loop(ctx.http, limit, &[200], get_request(url.to_owned())).await)
        }
        Generator::Wrk => {
            let (root, url) = (ctx.root.to_owned(), url.to_owned());
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
async fn cart_run(
    ctx: &Ctx<'_>,
    generator: Generator,
    spec: &Spec,
    url: String,
    carts: &[String],
    limit: Limit,
    body: Option<String>,
) -> Result<Stats> {
    eprintln!("{} {url}", spec.method);
    if carts.is_empty() {
        return Err(format!("no carts for {}", spec.label));
    }
    match generator {
        Generator::Rust => {
            let carts = carts.to_vec();
            let method = reqwest::Method::from_bytes(spec.method.as_bytes())
                .map_err(|e| format!("{}: {e}", spec.method))?;
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
            Ok(load::rust_loop(ctx.http, limit, spec.expect, make).await)
        }
        Generator::Wrk => {
            let (root, carts, method) = (ctx.root.to_owned(), carts.to_vec(), spec.method);
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
