//! The flash sale (issue 13): one SKU with few units, many shoppers with a one-line cart each,
//! at most so many checking out at once. Exactly `units` checkouts must reserve (`201`), every
//! other one be refused `409 out_of_stock`, and none be left available. The admin API spreads
//! the SKU's stock over K bucket objects (`buckets`; 1: not split).
//!
//! The carts are made before the clock starts; only the checkouts are timed, each from sending
//! it to reading its whole answer. Each sale takes a SKU of its own ([`SALE_SKUS`]): setting
//! `on_hand` keeps the reservations an earlier sale left, so a SKU sold out once stays sold out
//! for the rest of the run.
//!
//! On the local runtime every object runs in one `workerd` process on the bench's own machine,
//! so these figures are bounded by that machine, not by Cloudflare's per-object limit (the
//! report's section says how).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::{load, setup, Result};

/// SKUs of the demo catalog that nothing else in the bench touches, one per sale, in order.
pub const SALE_SKUS: [&str; 4] = [
    "CREME-BRULEE-CANDLE-LARGE",
    "CREME-BRULEE-CANDLE-SMALL",
    "OAK-CUTTING-BOARD-LARGE",
    "OAK-CUTTING-BOARD-MEDIUM",
];

/// One sale: where, what, how much.
#[derive(Clone, Copy, Debug)]
pub struct Sale<'a> {
    pub base: &'a str,
    /// The admin API's bearer token.
    pub token: &'a str,
    pub sku: &'a str,
    pub units: u32,
    pub shoppers: u32,
    pub concurrency: u32,
    /// K: the bucket objects the stock is spread over.
    pub buckets: u32,
}

/// A SKU's counters as the admin API shows them: the whole, or one bucket.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    pub on_hand: u32,
    pub reserved: u32,
    pub available: u32,
}

/// What one sale measured.
#[derive(Clone, Debug, Default)]
pub struct FlashResult {
    pub sku: String,
    pub buckets: u32,
    pub units: u32,
    pub shoppers: u32,
    pub concurrency: u32,
    /// `201`: stock reserved, an order made.
    pub created: u32,
    /// `409` with `"error": "out_of_stock"`.
    pub out_of_stock: u32,
    /// Every other answer, by status (another `409` counts under 409; 0: no answer at all).
    pub other: BTreeMap<u16, u32>,
    pub first_other: Option<String>,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// From sending the first checkout to the last answer.
    pub wall_ms: f64,
    pub reservations_per_s: f64,
    /// Answers of any kind per second.
    pub checkouts_per_s: f64,
    /// The SKU's `available` after the sale (the answer's top-level figure).
    pub available_after: u32,
    /// Each bucket's counters after the sale, when the answer lists them (else empty).
    pub buckets_after: Vec<Counters>,
}

/// How one checkout was answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    Created,
    OutOfStock,
    /// Anything else: the status (0: no answer) and what came with it.
    Other(u16, String),
}

/// Sets the stock, makes one cart per shopper, then times their checkouts and reads the stock
/// left.
pub async fn flash_sale(http: &reqwest::Client, sale: &Sale<'_>) -> Result<FlashResult> {
    let (set, _) = stock_request(http, sale, true).await?;
    if set.available != sale.units {
        return Err(format!(
            "{} shows {} available after its stock was set to {} (reserved {}): a sale left on \
             it earlier in the run?",
            sale.sku, set.available, sale.units, set.reserved
        ));
    }
    let carts = setup::new_carts_of(http, sale.base, sale.sku, sale.shoppers as usize).await?;
    eprintln!(
        "flash sale: {} shoppers, {} units of {} in {} bucket(s), {} at once",
        sale.shoppers, sale.units, sale.sku, sale.buckets, sale.concurrency
    );
    let (answers, wall) = checkouts(http, sale, carts).await;
    let (after, buckets_after) = stock_request(http, sale, false).await?;
    Ok(tally(sale, answers, wall, after.available, buckets_after))
}

/// `PUT` (`set`) or `GET` of the sale's SKU at the admin API: its counters and its buckets'.
async fn stock_request(
    http: &reqwest::Client,
    sale: &Sale<'_>,
    set: bool,
) -> Result<(Counters, Vec<Counters>)> {
    let url = format!("{}/admin/api/inventory/{}", sale.base, sale.sku);
    let request = if set {
        let body = json!({ "on_hand": sale.units, "buckets": sale.buckets });
        http.put(&url).json(&body)
    } else {
        http.get(&url)
    };
    let method = if set { "PUT" } else { "GET" };
    let resp = request
        .bearer_auth(sale.token)
        .send()
        .await
        .map_err(|e| format!("{method} {url}: {}", load::chain(&e)))?;
    let status = resp.status().as_u16();
    let body = resp.text().await.unwrap_or_default();
    let parsed = serde_json::from_str(&body)
        .ok()
        .and_then(|j| parse_stock(&j));
    match (status, parsed) {
        (200, Some(stock)) => Ok(stock),
        (400, _) if set && body.contains("unknown_field") => Err(format!(
            "{method} {url}: the shop refused `buckets` (is the bucket split in the worker \
             yet?): {body}"
        )),
        _ => Err(format!(
            "{method} {url}: expected 200 with the SKU's stock, got {status}: {body}"
        )),
    }
}

/// The counters of an inventory answer, and its buckets' when it lists them.
pub fn parse_stock(j: &Value) -> Option<(Counters, Vec<Counters>)> {
    let counters = |v: &Value| {
        let n = |k: &str| v[k].as_u64().and_then(|n| u32::try_from(n).ok());
        Some(Counters {
            on_hand: n("on_hand")?,
            reserved: n("reserved")?,
            available: n("available")?,
        })
    };
    let buckets = match j["buckets"].as_array() {
        Some(list) => list.iter().map(counters).collect::<Option<Vec<_>>>()?,
        None => Vec::new(),
    };
    Some((counters(j)?, buckets))
}

/// Every shopper's checkout, `sale.concurrency` in flight at most; each answer with its
/// latency, and the time from the first sent to the last answered.
async fn checkouts(
    http: &reqwest::Client,
    sale: &Sale<'_>,
    carts: Vec<String>,
) -> (Vec<(Answer, Duration)>, Duration) {
    let url = Arc::new(format!("{}/api/checkout", sale.base));
    let carts = Arc::new(carts);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..(sale.concurrency as usize).min(carts.len()) {
        let (http, url, carts, next) = (http.clone(), url.clone(), carts.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut answers = Vec::new();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let Some(cart) = carts.get(n) else { break };
                let sent = Instant::now();
                let answer = checkout(&http, &url, cart, n).await;
                answers.push((answer, sent.elapsed()));
            }
            answers
        }));
    }
    let mut answers = Vec::new();
    for task in tasks {
        match task.await {
            Ok(mine) => answers.extend(mine),
            Err(e) => answers.push((Answer::Other(0, format!("task: {e}")), Duration::ZERO)),
        }
    }
    (answers, started.elapsed())
}

/// Shopper `n`'s checkout of its cart.
async fn checkout(http: &reqwest::Client, url: &str, cart: &str, n: usize) -> Answer {
    let sent = http
        .post(url)
        .header("cookie", format!("cart={cart}"))
        .json(&json!({ "email": format!("shopper-{n}@example.com") }))
        .send()
        .await;
    let resp = match sent {
        Ok(resp) => resp,
        Err(e) => return Answer::Other(0, format!("request failed: {}", load::chain(&e))),
    };
    let status = resp.status().as_u16();
    match resp.text().await {
        Ok(body) => classify(status, &body),
        Err(e) => Answer::Other(0, format!("reading the body: {}", load::chain(&e))),
    }
}

/// A checkout's answer by its status and, for a 409, its `error` code.
pub fn classify(status: u16, body: &str) -> Answer {
    let code = || {
        serde_json::from_str::<Value>(body)
            .ok()
            .and_then(|j| j["error"].as_str().map(str::to_owned))
    };
    match status {
        201 => Answer::Created,
        409 if code().as_deref() == Some("out_of_stock") => Answer::OutOfStock,
        _ => Answer::Other(status, body.chars().take(300).collect()),
    }
}

/// A sale's figures from its answers.
pub fn tally(
    sale: &Sale<'_>,
    answers: Vec<(Answer, Duration)>,
    wall: Duration,
    available_after: u32,
    buckets_after: Vec<Counters>,
) -> FlashResult {
    let mut r = FlashResult {
        sku: sale.sku.to_owned(),
        buckets: sale.buckets,
        units: sale.units,
        shoppers: sale.shoppers,
        concurrency: sale.concurrency,
        wall_ms: wall.as_secs_f64() * 1000.0,
        available_after,
        buckets_after,
        ..FlashResult::default()
    };
    let mut latencies = Vec::with_capacity(answers.len());
    for (answer, latency) in answers {
        latencies.push(latency);
        match answer {
            Answer::Created => r.created += 1,
            Answer::OutOfStock => r.out_of_stock += 1,
            Answer::Other(status, text) => {
                *r.other.entry(status).or_default() += 1;
                r.first_other
                    .get_or_insert_with(|| format!("status {status}: {text}"));
            }
        }
    }
    latencies.sort();
    let ms = |p: f64| load::percentile(&latencies, p).as_secs_f64() * 1000.0;
    (r.p50_ms, r.p99_ms) = (ms(50.0), ms(99.0));
    let seconds = wall.as_secs_f64();
    if seconds > 0.0 {
        r.reservations_per_s = f64::from(r.created) / seconds;
        r.checkouts_per_s = latencies.len() as f64 / seconds;
    }
    r
}

/// The other answers as text: `502 ×3, no answer ×1`, or `none`.
pub fn others_text(other: &BTreeMap<u16, u32>) -> String {
    if other.is_empty() {
        return "none".into();
    }
    let parts: Vec<String> = other
        .iter()
        .map(|(&status, n)| match status {
            0 => format!("no answer ×{n}"),
            s => format!("{s} ×{n}"),
        })
        .collect();
    parts.join(", ")
}

/// Fails unless the sale came out exact: `units` reserved, every other shopper refused
/// `out_of_stock`, no other answer, nothing left available.
pub fn check(r: &FlashResult) -> Result<()> {
    let refused = r.shoppers.saturating_sub(r.units);
    let mut off = Vec::new();
    if r.created != r.units {
        off.push(format!(
            "{} checkouts reserved stock, not {}",
            r.created, r.units
        ));
    }
    if r.out_of_stock != refused {
        off.push(format!(
            "{} were refused out_of_stock, not {refused}",
            r.out_of_stock
        ));
    }
    if !r.other.is_empty() {
        off.push(format!(
            "other answers: {} (first: {})",
            others_text(&r.other),
            r.first_other.as_deref().unwrap_or("?")
        ));
    }
    if r.available_after != 0 {
        off.push(format!(
            "{} still available after, not 0",
            r.available_after
        ));
    }
    if off.is_empty() {
        return Ok(());
    }
    Err(format!(
        "flash sale of {} units to {} shoppers with K = {} was not exact: {}",
        r.units,
        r.shoppers,
        r.buckets,
        off.join("; ")
    ))
}

#[cfg(test)]
mod tests;

/// An exact sale of 300 units to 1,000 shoppers, for the report's tests.
#[cfg(test)]
pub fn result_fixture(buckets: u32) -> FlashResult {
    FlashResult {
        sku: SALE_SKUS[0].into(),
        buckets,
        units: 300,
        shoppers: 1_000,
        concurrency: 200,
        created: 300,
        out_of_stock: 700,
        p50_ms: 180.0,
        p99_ms: 950.0,
        wall_ms: 2_500.0,
        reservations_per_s: 120.0,
        checkouts_per_s: 400.0,
        ..FlashResult::default()
    }
}
