//! The targets of issue 15 ("Cheaper than React at the edge"), each with its measured value.

use std::fmt::Write;

use crate::figures::totals;
use crate::report::{opt, pct, times};
use crate::rounds::Key;
use crate::summary::{own_cpu_ratio, throughput_ratio, Summary};
use crate::Results;

const PRODUCT_VS_CEILING: f64 = 0.9;
const PRODUCT_OWN_CPU_VS_REACT: f64 = 0.5;
const PAGES_VS_CEILING: f64 = 0.85;
const PRODUCT_P99_VS_CEILING: f64 = 1.3;
const CART_VS_CEILING: f64 = 0.6;
const ADD_VS_CEILING: f64 = 0.4;
const CHECKOUT_CPU_MS: f64 = 6.0;
const BUNDLE_GZIP: u64 = 450_000;
const BUNDLE_RAW: u64 = 1_500_000;
const PAYLOAD_GZIP: u64 = 100_000;

struct Target {
    what: String,
    measured: String,
    met: Option<bool>,
}

fn target(what: impl Into<String>, measured: String, met: Option<bool>) -> Target {
    Target {
        what: what.into(),
        measured,
        met,
    }
}

/// Throughput of `key` at least `share` of the ceiling's.
fn vs_ceiling(r: &Results, key: Key, name: &str, share: f64) -> Target {
    let x = Summary::of(&r.rounds, key).and_then(|s| s.vs_ceiling);
    target(
        format!("{name} ≥ {:.0}% of the ceiling's throughput", share * 100.0),
        pct(x),
        x.map(|x| x >= share),
    )
}

fn own(r: &Results, key: Key) -> Option<f64> {
    Summary::of(&r.rounds, key).and_then(|s| s.own_cpu_ms)
}

/// Own CPU of `key` at most `share` of React `renderToString`'s.
fn own_vs_react(r: &Results, key: Key, name: &str, share: f64) -> Target {
    let x = own_cpu_ratio(&r.rounds, key, Key::ReactString);
    let limit = if share == 1.0 {
        "React `renderToString`'s".to_owned()
    } else {
        format!("{share}× React `renderToString`'s")
    };
    target(
        format!("{name}: own CPU ≤ {limit}"),
        format!(
            "{} ms vs {} ms ({})",
            opt(own(r, key), 2),
            opt(own(r, Key::ReactString), 2),
            times(x)
        ),
        x.map(|x| x <= share),
    )
}

fn all(r: &Results) -> Vec<Target> {
    let product = Summary::of(&r.rounds, Key::Product);
    let vs_react = throughput_ratio(&r.rounds, Key::Product, Key::ReactString);
    let p99 = product.as_ref().and_then(|s| s.p99_vs_ceiling);
    let checkout = r.checkout.cpu_ms_per_request;
    let (raw, gz) = (r.bundle.total.raw, r.bundle.total.gzip);
    let (_, payload) = totals(r.payload.iter().map(|(_, f)| f));
    let mut list = vec![
        target(
            "product page throughput ≥ React `renderToString`'s (same round)",
            format!("{} (shop ÷ React)", times(vs_react)),
            vs_react.map(|x| x >= 1.0),
        ),
        vs_ceiling(r, Key::Product, "product page", PRODUCT_VS_CEILING),
        own_vs_react(r, Key::Product, "product page", PRODUCT_OWN_CPU_VS_REACT),
        own_vs_react(r, Key::ProductNoCache, "product page, cache off", 1.0),
        vs_ceiling(r, Key::Home, "home", PAGES_VS_CEILING),
        vs_ceiling(r, Key::Collection, "collection", PAGES_VS_CEILING),
        vs_ceiling(r, Key::Search, "search", PAGES_VS_CEILING),
        target(
            format!("product page p99 ≤ {PRODUCT_P99_VS_CEILING}× the ceiling's p99 (same round)"),
            format!(
                "{} ({} ms)",
                times(p99),
                opt(product.as_ref().map(|s| s.p99_ms), 1)
            ),
            p99.map(|x| x <= PRODUCT_P99_VS_CEILING),
        ),
        vs_ceiling(r, Key::Cart, "`GET /api/cart`", CART_VS_CEILING),
        vs_ceiling(r, Key::Add, "add to cart", ADD_VS_CEILING),
        target(
            format!("checkout ≤ {CHECKOUT_CPU_MS:.0} ms workerd CPU per request"),
            format!("{} ms", opt(checkout, 2)),
            checkout.map(|x| x <= CHECKOUT_CPU_MS),
        ),
        target(
            format!("Worker bundle ≤ {} KB gzipped", BUNDLE_GZIP / 1000),
            format!(
                "{:.1} KB, wasm and JavaScript in one stream (the wasm alone: {:.1} KB)",
                gz as f64 / 1000.0,
                r.bundle
                    .files
                    .iter()
                    .find(|f| f.name.ends_with(".wasm"))
                    .map_or(0.0, |f| f.gzip as f64 / 1000.0)
            ),
            Some(gz <= BUNDLE_GZIP),
        ),
        target(
            format!("Worker bundle ≤ {} MB raw", BUNDLE_RAW as f64 / 1e6),
            format!("{:.2} MB", raw as f64 / 1e6),
            Some(raw <= BUNDLE_RAW),
        ),
        target(
            format!(
                "product page client payload ≤ {} KB gzipped",
                PAYLOAD_GZIP / 1000
            ),
            format!("{:.1} KB", payload as f64 / 1000.0),
            Some(payload <= PAYLOAD_GZIP),
        ),
    ];
    if let Some(soak) = &r.soak {
        let growth = soak.growth();
        list.push(target(
            "memory soak: the shop's growth ≤ the ceiling's (last two thirds)",
            growth.map_or_else(
                || "n/a (failed requests or a restart)".to_owned(),
                |(shop, ceiling)| {
                    format!(
                        "{:+.1} MiB vs {:+.1} MiB",
                        shop as f64 / 1024.0,
                        ceiling as f64 / 1024.0
                    )
                },
            ),
            growth.map(|(shop, ceiling)| shop <= ceiling),
        ));
    }
    list
}

pub fn write(o: &mut String, r: &Results) -> std::fmt::Result {
    writeln!(o, "## Targets (issue 15)\n")?;
    writeln!(
        o,
        "Throughput and CPU targets use the medians and same-round ratios of the tables above; KB \
         and MB are 1,000 and 1,000,000 bytes.\n"
    )?;
    writeln!(o, "| Target | Measured | |")?;
    writeln!(o, "|---|--:|---|")?;
    let list = all(r);
    for t in &list {
        let verdict = match t.met {
            Some(true) => "met",
            Some(false) => "**missed**",
            None => "n/a",
        };
        writeln!(o, "| {} | {} | {verdict} |", t.what, t.measured)?;
    }
    let missed = list.iter().filter(|t| t.met == Some(false)).count();
    writeln!(
        o,
        "\n{} of {} targets met{}.",
        list.iter().filter(|t| t.met == Some(true)).count(),
        list.len(),
        if missed > 0 {
            format!(", {missed} missed")
        } else {
            String::new()
        }
    )
}
