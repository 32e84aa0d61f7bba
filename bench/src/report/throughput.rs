//! The throughput section: one table row per route (medians over the rounds), the checkout rows,
//! then notes on the runs (their order, those made again) and on the method.

use std::fmt::Write;

use super::{opt, pct, times};
use crate::load::Stats;
use crate::rounds::{spec, Key};
use crate::summary::Summary;
use crate::Results;

/// The routes' rows, in the table's order.
const ORDER: [Key; 10] = [
    Key::Ceiling,
    Key::Home,
    Key::Collection,
    Key::Search,
    Key::Product,
    Key::ProductNoCache,
    Key::ReactString,
    Key::ReactStream,
    Key::Cart,
    Key::Add,
];

pub fn write(o: &mut String, r: &Results) -> std::fmt::Result {
    table_head(o, r)?;
    for key in ORDER {
        if let Some(sum) = Summary::of(&r.rounds, key) {
            row(o, spec(key).label, &sum, key == Key::Ceiling)?;
        }
    }
    checkout_rows(o, r)?;
    writeln!(o)?;
    runs(o, r)?;
    method(o, r)
}

fn table_head(o: &mut String, r: &Results) -> std::fmt::Result {
    writeln!(
        o,
        "## Throughput, latency and CPU at {} connections\n",
        r.settings.limit.connections
    )?;
    writeln!(
        o,
        "| Route | Requests | Req/s (by round) | p50 ms | p99 ms | vs ceiling | p99 vs ceiling | \
         workerd CPU ms/req | own CPU ms/req |"
    )?;
    writeln!(o, "|---|--:|--:|--:|--:|--:|--:|--:|--:|")
}

fn row(o: &mut String, label: &str, s: &Summary, ceiling: bool) -> std::fmt::Result {
    let by_round: Vec<String> = s.rps_by_round.iter().map(|v| format!("{v:.0}")).collect();
    let errors = if s.errors > 0 {
        format!(" ({} errors)", s.errors)
    } else {
        String::new()
    };
    writeln!(
        o,
        "| {label} | {}{errors} | **{:.0}** ({}) | {:.1} | {:.1} | {} | {} | {} | {} |",
        s.requests,
        s.rps,
        by_round.join(" / "),
        s.p50_ms,
        s.p99_ms,
        if ceiling {
            "(ceiling)".to_owned()
        } else {
            pct(s.vs_ceiling)
        },
        if ceiling {
            String::new()
        } else {
            times(s.p99_vs_ceiling)
        },
        opt(s.cpu_ms, 2),
        if ceiling {
            String::new()
        } else {
            opt(s.own_cpu_ms, 2)
        },
    )
}

/// One run as a table row of its own (no rounds, no ceiling to compare with).
fn single(s: &Stats) -> Summary {
    Summary {
        rps: s.rps(),
        rps_by_round: vec![s.rps()],
        p50_ms: s.p50_ms,
        p99_ms: s.p99_ms,
        vs_ceiling: None,
        p99_vs_ceiling: None,
        cpu_ms: s.cpu_ms_per_request,
        own_cpu_ms: None,
        requests: s.requests,
        errors: s.errors,
    }
}

/// Checkout and the ceiling measured by the same loop just before it.
fn checkout_rows(o: &mut String, r: &Results) -> std::fmt::Result {
    let (c, k) = (&r.checkout_ceiling, &r.checkout);
    let ratio = |a: f64, b: f64| (b > 0.0).then_some(a / b);
    let own = match (k.cpu_ms_per_request, c.cpu_ms_per_request) {
        (Some(a), Some(b)) => Some(a - b),
        _ => None,
    };
    row(
        o,
        "**ceiling**, by our own loop (before checkout)",
        &single(c),
        true,
    )?;
    let checkout = Summary {
        vs_ceiling: ratio(k.rps(), c.rps()),
        p99_vs_ceiling: ratio(k.p99_ms, c.p99_ms),
        own_cpu_ms: own,
        ..single(k)
    };
    row(
        o,
        "checkout `POST /api/checkout` (to the gateway redirect), by our own loop",
        &checkout,
        false,
    )
}

/// The order of the runs in each round, and the runs made again.
fn runs(o: &mut String, r: &Results) -> std::fmt::Result {
    let run_order: Vec<String> = r
        .rounds
        .iter()
        .map(|round| {
            let names: Vec<String> = round.runs.iter().map(|(k, _)| format!("{k:?}")).collect();
            names.join(", ")
        })
        .collect();
    writeln!(
        o,
        "- Order of the runs: {}.",
        run_order
            .iter()
            .enumerate()
            .map(|(i, x)| format!("round {}: {x}", i + 1))
            .collect::<Vec<_>>()
            .join("; ")
    )?;
    let retried: Vec<String> = r
        .rounds
        .iter()
        .enumerate()
        .flat_map(|(i, round)| {
            round
                .retried
                .iter()
                .map(move |(k, why)| format!("round {}, {k:?} ({why})", i + 1))
        })
        .collect();
    writeln!(
        o,
        "- Runs made again (after a run without answers, with unexpected ones, across a restart of \
         its runtime, or while other processes kept more than half a CPU busy; at most twice): {}.",
        if retried.is_empty() {
            "none".to_owned()
        } else {
            retried.join("; ")
        }
    )
}

/// The carts, checkout and latency, as measured.
fn method(o: &mut String, r: &Results) -> std::fmt::Result {
    let s = &r.settings;
    writeln!(
        o,
        "- `GET /api/cart` takes {} carts of one line in turn. Add to cart posts one unit of the same \
         SKU (stock raised through the admin API first) to {} carts in turn, fresh ones each round, \
         each made by one add beforehand, so no line passes its cap of 99.",
        s.cart_carts, s.add_carts
    )?;
    writeln!(
        o,
        "- Checkout runs once, after the rounds: each request checks out its own cart of one line \
         (made beforehand, at most {}), answered `201` with the gateway's payment page: an order \
         object, a reservation in an inventory shard, and a Checkout Session at the sandbox gateway \
         ({} build, on loopback). wrk cannot hand each cart out once, so checkout and the \
         ceiling run just before it are measured with our own loop (reqwest, same connections).",
        s.checkout_carts,
        if s.mode == crate::Mode::Full {
            "its release"
        } else {
            "a debug"
        }
    )?;
    writeln!(
        o,
        "- Latency is from sending a request to reading its whole answer, without \
         coordinated-omission correction. At rest (no requests, {} s after set-up) the shop's \
         `workerd` processes used {:.1} ms of CPU per second; every CPU figure includes that share \
         of its run.\n",
        s.idle_seconds, r.idle_cpu_ms_per_s
    )
}
