//! The memory soak (`storefront-bench full --soak SECONDS`, `make bench SOAK=180`): for the
//! given time, the shop's product page and add to cart, and the ceiling, are driven at a few
//! connections each over loopback, and the resident memory of the shop's and the ceiling's
//! `workerd` processes is sampled every 10 s. What counts is the growth over the last two thirds
//! of the run, once start-up allocations have settled: a leak keeps growing, the ceiling shows
//! what the runtime itself does.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::contenders::{Contenders, Runtime};
use crate::load::{self, Limit, Stats};
use crate::rounds::ADDS_PER_CART;
use crate::runs::get_request;
use crate::{procs, setup, Result, PRODUCT_PAGE, SKU};

pub const SAMPLE_EVERY: Duration = Duration::from_secs(10);
/// The soak's bound, whatever is asked.
pub const MAX_SECONDS: u64 = 3600;
/// Carts add to cart takes in turn.
const CARTS: usize = 32;

/// Resident memory (KiB, all `workerd` processes of a runtime) at one moment, and whether
/// either runtime's processes are other than at the start (wrangler restarted them).
pub struct Sample {
    pub at_s: u64,
    pub shop_kib: u64,
    pub ceiling_kib: u64,
    pub restarted: bool,
}

pub struct Soak {
    pub seconds: u64,
    pub samples: Vec<Sample>,
    pub product: Stats,
    pub add: Stats,
    pub ceiling: Stats,
}

impl Soak {
    /// Growth (KiB) of the shop and of the ceiling from the first sample at a third of the run
    /// to the last; none when a request failed or a runtime was restarted meanwhile.
    pub fn growth(&self) -> Option<(i64, i64)> {
        let from = self
            .samples
            .iter()
            .position(|s| s.at_s * 3 >= self.seconds)?;
        let (from, to) = (&self.samples[from], self.samples.last()?);
        if self.errors() > 0 || from.restarted || to.restarted {
            return None;
        }
        let d = |a: u64, b: u64| b as i64 - a as i64;
        Some((
            d(from.shop_kib, to.shop_kib),
            d(from.ceiling_kib, to.ceiling_kib),
        ))
    }

    /// Failed requests and unexpected answers of the three loads.
    pub fn errors(&self) -> u64 {
        self.product.errors + self.add.errors + self.ceiling.errors
    }
}

/// Add to cart over a fixed set of carts: each cart takes [`ADDS_PER_CART`] adds, then its
/// line is set back to one unit (`PATCH`), so the carts never fill and their number stays fixed.
fn add_requests(base: &str, carts: Vec<String>) -> load::MakeRequest {
    let add = format!("{base}/api/cart/items");
    let reset = format!("{base}/api/cart/items/{SKU}");
    let add_body = json!({ "sku": SKU, "quantity": 1 }).to_string();
    let reset_body = json!({ "quantity": 1 }).to_string();
    Arc::new(move |http: &reqwest::Client, n| {
        let k = carts.len() as u64;
        let cart = &carts[(n % k) as usize];
        let (req, body) = if (n / k) % ADDS_PER_CART == ADDS_PER_CART - 1 {
            (http.patch(&reset), reset_body.clone())
        } else {
            (http.post(&add), add_body.clone())
        };
        Some(
            req.header("cookie", format!("cart={cart}"))
                .header("content-type", "application/json")
                .body(body),
        )
    })
}

pub async fn run(http: &reqwest::Client, c: &Contenders, seconds: u64) -> Result<Soak> {
    let seconds = seconds.min(MAX_SECONDS);
    eprintln!("memory soak: {seconds} s");
    let carts = setup::new_carts(http, &c.shop.base, CARTS).await?;
    let limit = |connections| Limit {
        connections,
        duration: Duration::from_secs(seconds),
        max_requests: u64::MAX,
    };
    let spawn = |connections, make| {
        let (http, limit) = (http.clone(), limit(connections));
        tokio::spawn(async move { load::rust_loop(&http, limit, &[200], make).await })
    };
    let total = |rt| procs::rss_kib(&c.workerd(rt)).iter().sum::<u64>();
    let pids = |rt| c.workerd(rt);
    let first = (pids(Runtime::Shop), pids(Runtime::Ceiling));
    let sample = |at_s| Sample {
        at_s,
        shop_kib: total(Runtime::Shop),
        ceiling_kib: total(Runtime::Ceiling),
        restarted: (pids(Runtime::Shop), pids(Runtime::Ceiling)) != first,
    };

    let started = Instant::now();
    let mut samples = vec![sample(0)];
    let product = spawn(4, get_request(c.url(Runtime::Shop, PRODUCT_PAGE)));
    let add = spawn(2, add_requests(&c.shop.base, carts));
    let ceiling = spawn(4, get_request(c.url(Runtime::Ceiling, "/")));
    let mut next = SAMPLE_EVERY;
    while next < Duration::from_secs(seconds) {
        tokio::time::sleep(next.saturating_sub(started.elapsed())).await;
        samples.push(sample(next.as_secs()));
        eprintln!(
            "  {:>4} s: shop {} KiB, ceiling {} KiB",
            next.as_secs(),
            samples.last().map_or(0, |s| s.shop_kib),
            samples.last().map_or(0, |s| s.ceiling_kib)
        );
        next += SAMPLE_EVERY;
    }
    let joined = |e: tokio::task::JoinError| format!("soak task: {e}");
    let product = product.await.map_err(joined)?;
    let add = add.await.map_err(joined)?;
    let ceiling = ceiling.await.map_err(joined)?;
    samples.push(sample(seconds));
    // Reported, not fatal: the soak is about memory, and its table shows what went wrong.
    for (name, s) in [
        ("product page", &product),
        ("add to cart", &add),
        ("ceiling", &ceiling),
    ] {
        if s.errors > 0 {
            eprintln!(
                "  soak, {name}: {} of {} requests failed: {}",
                s.errors,
                s.requests,
                s.first_error.as_deref().unwrap_or("?")
            );
        }
    }
    Ok(Soak {
        seconds,
        samples,
        product,
        add,
        ceiling,
    })
}
