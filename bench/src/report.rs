//! The Markdown report (printed, and written to BENCHMARKS.md in full mode).

use std::fmt::Write;

use crate::load::{Generator, Stats};
use crate::{Mode, Results, Row};

/// The free plan's CPU time per request, in ms.
const CPU_BUDGET_MS: f64 = 10.0;
const MIB: f64 = 1024.0 * 1024.0;
/// Issue #6's targets.
const TARGET_RATIO: f64 = 0.5;
const TARGET_P99_MS: f64 = 25.0;
const TARGET_BUNDLE_GZIP: u64 = 1024 * 1024;
const TARGET_PAYLOAD_GZIP: u64 = 150_000;

fn kib(bytes: u64) -> String {
    format!("{:.1} KiB", bytes as f64 / 1024.0)
}

fn opt_ms(v: Option<f64>) -> String {
    v.map_or_else(|| "n/a".into(), |v| format!("{v:.2}"))
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "missed"
    }
}

/// Mean requests/s of the ceiling's runs by `generator` at `connections`.
fn ceiling_rps(rows: &[Row], generator: Generator, connections: usize) -> Option<f64> {
    let runs: Vec<f64> = rows
        .iter()
        .filter(|r| {
            r.ceiling && r.stats.generator == generator && r.stats.connections == connections
        })
        .map(|r| r.stats.rps())
        .collect();
    (!runs.is_empty()).then(|| runs.iter().sum::<f64>() / runs.len() as f64)
}

fn ratio(stats: &Stats, ceiling: Option<f64>) -> Option<f64> {
    ceiling.filter(|c| *c > 0.0).map(|c| stats.rps() / c)
}

pub fn markdown(r: &Results) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = write_report(&mut out, r);
    out
}

fn write_report(o: &mut String, r: &Results) -> std::fmt::Result {
    let m = &r.machine;
    let s = &r.settings;
    writeln!(o, "# Benchmarks\n")?;
    match s.mode {
        Mode::Full => writeln!(
            o,
            "Measured by `make bench` (`cargo run --release -p storefront-bench -- full`) on {}. \
             Every figure comes from that run; rerun it to refresh this file rather than editing it.\n",
            m.date
        )?,
        Mode::Smoke => writeln!(
            o,
            "**Smoke run** (`storefront-bench smoke`, part of `make test`) on {}: a few requests per \
             route to show that every route answers and every figure can be taken. The figures are \
             not meaningful; `make bench` measures them.\n",
            m.date
        )?,
    }
    writeln!(
        o,
        "- Machine: {} CPUs ({}), {} RAM, Linux {}; load average before the run {}. During the \
         runs, processes outside the bench kept {:.2} CPUs busy on average (from `/proc/stat`, \
         less the CPU time of the bench and everything it started): the higher, the noisier.",
        m.cpus, m.cpu_model, m.memory, m.kernel, m.load_before, r.others_busy_cpus
    )?;
    let wrk = m.wrk.split(" Copyright").next().unwrap_or(&m.wrk);
    writeln!(
        o,
        "- Versions: wrangler {} (workerd {}), Node {}, worker {}, leptos {}, wasm-bindgen {}, {}, {}.\n",
        m.wrangler, m.workerd, m.node, m.worker, m.leptos, m.wasm_bindgen, m.rustc, wrk
    )?;

    writeln!(
        o,
        "## Throughput and latency at {} connections\n",
        s.limit.connections
    )?;
    writeln!(
        o,
        "The shop runs under `wrangler dev` (workerd with local KV and Durable Objects, the sandbox \
         payment gateway on loopback), started exactly as the integration tests start it, on a \
         freshly seeded demo catalog. The **ceiling** is a trivial Worker (`bench/ceiling/index.js`) \
         that returns a constant HTML page of the product page's size ({} bytes; the product page \
         is {} bytes), under its own `wrangler dev` in the same runtime during the same run. Each run \
         lasts at most {} s and {} requests, keep-alive, over loopback. **vs ceiling** is the route's \
         requests/s over the mean of the ceiling's runs by the same load generator. **workerd CPU** \
         is the user + system CPU time of the runtime's `workerd` processes (from `/proc`) during the \
         run, per request.\n",
        r.ceiling_bytes,
        r.product_bytes,
        s.limit.duration.as_secs(),
        s.limit.max_requests
    )?;
    writeln!(
        o,
        "| Route | Load | Requests | Req/s | p50 ms | p90 ms | p99 ms | vs ceiling | workerd CPU ms/req |"
    )?;
    writeln!(o, "|---|---|--:|--:|--:|--:|--:|--:|--:|")?;
    for row in &r.rows {
        let st = &row.stats;
        let c = ceiling_rps(&r.rows, st.generator, st.connections);
        let vs = if row.ceiling {
            "(ceiling)".to_owned()
        } else {
            ratio(st, c).map_or_else(|| "n/a".into(), |x| format!("{:.0}%", x * 100.0))
        };
        let errors = if st.errors > 0 {
            format!(" ({} errors)", st.errors)
        } else {
            String::new()
        };
        writeln!(
            o,
            "| {} | {} | {}{} | {:.0} | {:.1} | {:.1} | {:.1} | {} | {} |",
            row.label,
            st.generator.name(),
            st.requests,
            errors,
            st.rps(),
            st.p50_ms,
            st.p90_ms,
            st.p99_ms,
            vs,
            opt_ms(st.cpu_ms_per_request)
        )?;
    }
    let spread: Vec<String> = r
        .rows
        .iter()
        .filter(|x| x.ceiling && x.stats.generator == s.generator)
        .map(|x| format!("{:.0}", x.stats.rps()))
        .collect();
    writeln!(o)?;
    writeln!(
        o,
        "- The ceiling ran at the start and at the end ({} req/s by {}), and once more with our own \
         loop just before checkout.",
        spread.join(" and "),
        s.generator.name()
    )?;
    writeln!(
        o,
        "- `GET /api/cart` takes {} carts of one line in turn. Add to cart posts one unit of the same \
         SKU (stock raised through the admin API first) to {} carts in turn, each made by one add \
         beforehand, so no line passes its cap of 99.",
        s.cart_carts, s.add_carts
    )?;
    writeln!(
        o,
        "- Checkout: each request checks out its own cart of one line (made beforehand, at most {}), \
         answered `201` with the gateway's payment page (the form post answers `303` to it): an \
         order object, a reservation in an inventory shard, and a Checkout Session at the sandbox \
         gateway (a debug build on loopback). wrk cannot hand each cart out once, so checkout and its \
         ceiling run are measured with our own loop (reqwest, same connections).",
        s.checkout_carts
    )?;
    writeln!(
        o,
        "- The shop's Worker serves static assets too (`[assets]`), so its requests pass wrangler's \
         asset router first; the ceiling has no assets. Latency is from sending a request to reading \
         its whole answer, without coordinated-omission correction. The load generator shares the \
         machine's CPUs with the runtime.\n"
    )?;

    writeln!(o, "## CPU time per request: the product page\n")?;
    let (p, c) = (&r.product_single, &r.ceiling_single);
    writeln!(
        o,
        "The local runtime does not report CPU time per request, so it is taken two ways, at one \
         connection, at most {} s and {} requests each, by {}: (1) the **wall time per request** \
         (1000 / requests/s): everything on the request's path, loopback and wrangler's local proxy \
         included, one request at a time, so the CPU time cannot exceed it but for work on other \
         threads (V8's background compilation and garbage collection); (2) the **workerd CPU time** \
         per request from `/proc`, as in the table above (there at 16 connections). The product \
         page's own work is roughly its difference from the ceiling's (which still includes the \
         static-asset router, which the ceiling lacks).\n",
        s.single.duration.as_secs(),
        s.single.max_requests,
        s.generator.name()
    )?;
    writeln!(
        o,
        "| 1 connection | Requests | Req/s | Wall ms/request | workerd CPU ms/request |"
    )?;
    writeln!(o, "|---|--:|--:|--:|--:|")?;
    for (label, st) in [("product page", p), ("ceiling", c)] {
        let wall = if st.rps() > 0.0 {
            1000.0 / st.rps()
        } else {
            0.0
        };
        writeln!(
            o,
            "| {label} | {} | {:.0} | {:.2} | {} |",
            st.requests,
            st.rps(),
            wall,
            opt_ms(st.cpu_ms_per_request)
        )?;
    }
    let wall = |st: &Stats| {
        if st.rps() > 0.0 {
            1000.0 / st.rps()
        } else {
            0.0
        }
    };
    let own_cpu = match (p.cpu_ms_per_request, c.cpu_ms_per_request) {
        (Some(a), Some(b)) => Some(a - b),
        _ => None,
    };
    writeln!(
        o,
        "| difference (the page's own work) | | | {:.2} | {} |\n",
        wall(p) - wall(c),
        opt_ms(own_cpu)
    )?;
    writeln!(
        o,
        "At rest (no requests, {} s after set-up) the shop's `workerd` processes used {:.1} ms of \
         CPU per second; every CPU figure above includes that share of its run.\n",
        r.idle_seconds, r.idle_cpu_ms_per_s
    )?;
    if let Some(cpu) = p.cpu_ms_per_request {
        writeln!(
            o,
            "Against the free plan's {CPU_BUDGET_MS:.0} ms of CPU per request: the runtime's whole CPU \
             time per product page is {:.0}% of it, the wall time {:.0}%, and the page's own work \
             (the difference) {}. On Cloudflare only the Worker's own isolate is billed, not a \
             local proxy, so the difference is the closer estimate.\n",
            cpu / CPU_BUDGET_MS * 100.0,
            wall(p) / CPU_BUDGET_MS * 100.0,
            own_cpu.map_or_else(
                || "n/a".into(),
                |d| format!("{:.0}%", d / CPU_BUDGET_MS * 100.0)
            )
        )?;
    }

    writeln!(o, "## Worker bundle\n")?;
    writeln!(o, "| File | Raw | gzip -9 |")?;
    writeln!(o, "|---|--:|--:|")?;
    let (mut raw, mut gz) = (0, 0);
    for f in &r.bundle {
        raw += f.raw;
        gz += f.gzip;
        writeln!(o, "| `{}` | {} | {} |", f.name, kib(f.raw), kib(f.gzip))?;
    }
    writeln!(o, "| **total** | **{}** | **{}** |\n", kib(raw), kib(gz))?;
    writeln!(
        o,
        "Workers limit the compressed size: {:.0}% of the free plan's 3 MiB, {:.0}% of the paid \
         plans' 10 MiB.\n",
        gz as f64 / (3.0 * MIB) * 100.0,
        gz as f64 / (10.0 * MIB) * 100.0
    )?;

    writeln!(o, "## Client payload of the product page\n")?;
    writeln!(o, "| Resource | Kind | Raw | gzip -9 |")?;
    writeln!(o, "|---|---|--:|--:|")?;
    let (mut raw, mut payload_gz) = (0, 0);
    for (kind, f) in &r.payload {
        raw += f.raw;
        payload_gz += f.gzip;
        writeln!(
            o,
            "| `{}` | {} | {} | {} |",
            f.name,
            kind,
            kib(f.raw),
            kib(f.gzip)
        )?;
    }
    writeln!(
        o,
        "| **total** | | **{}** | **{}** |\n",
        kib(raw),
        kib(payload_gz)
    )?;
    let js = r.payload.iter().filter(|(k, _)| k == "js").count();
    let wasm = r.payload.iter().filter(|(k, _)| k == "wasm").count();
    writeln!(
        o,
        "What a browser loads for the page: the HTML, the stylesheets, icons, images and scripts it \
         references, `url()`s in the CSS, and the scripts and wasm modules those scripts load \
         (quoted same-origin paths). JavaScript files: {js}; wasm files: {wasm}{}. Inline \
         `<script>`s (JSON-LD) are counted in the HTML.\n",
        if js + wasm == 0 {
            " (no hydration bundle yet: every page works without JavaScript)"
        } else {
            ""
        }
    )?;

    writeln!(o, "## Cold start: compiling the Worker's wasm\n")?;
    writeln!(
        o,
        "`bench/wasm-compile.mjs` times `WebAssembly.compile` of `worker/build/index_bg.wasm` ({}), \
         then `WebAssembly.instantiate` with a no-op stub for every imported function, in Node {} \
         (V8, as workerd). Each sample is a fresh Node process, since V8 reuses compiled modules \
         within one; the median of {} is shown. Instantiation this way covers the engine's work \
         (memory, tables, data segments), not the wasm-bindgen glue's start-up, which runs on the \
         first request.\n",
        r.bundle.first().map_or_else(|| "?".into(), |f| kib(f.raw)),
        m.node,
        r.wasm_default.samples
    )?;
    writeln!(o, "| Node flags | Compile ms | Instantiate ms |")?;
    writeln!(o, "|---|--:|--:|")?;
    for (label, t) in [
        (
            "defaults (lazy: functions compile on first call)",
            &r.wasm_default,
        ),
        (
            "`--no-wasm-lazy-compilation` (all functions up front)",
            &r.wasm_eager,
        ),
    ] {
        writeln!(
            o,
            "| {label} | {:.1} | {} |",
            t.compile_ms,
            t.instantiate_ms
                .map_or_else(|| "n/a".into(), |v| format!("{v:.2}"))
        )?;
    }
    writeln!(o)?;

    writeln!(o, "## Memory\n")?;
    let mib = |kib: &[u64]| {
        let each: Vec<String> = kib
            .iter()
            .map(|k| format!("{:.0}", *k as f64 / 1024.0))
            .collect();
        format!(
            "{:.0} MiB ({} MiB)",
            kib.iter().sum::<u64>() as f64 / 1024.0,
            each.join(" + ")
        )
    };
    writeln!(
        o,
        "Resident memory (`VmRSS`) of the runtime's `workerd` processes (wrangler's local proxy and \
         the runtime; wrangler's own Node processes are not counted), after set-up and at the end \
         of the run:\n"
    )?;
    writeln!(o, "| Runtime | After set-up | At the end |")?;
    writeln!(o, "|---|--:|--:|")?;
    writeln!(
        o,
        "| the shop | {} | {} |",
        mib(&r.stack_rss_start),
        mib(&r.stack_rss_end)
    )?;
    writeln!(
        o,
        "| the ceiling | {} | {} |\n",
        mib(&r.ceiling_rss_start),
        mib(&r.ceiling_rss_end)
    )?;

    writeln!(o, "## Issue #6 targets\n")?;
    writeln!(o, "| Target | Measured | |")?;
    writeln!(o, "|---|--:|---|")?;
    if let Some(row) = r
        .rows
        .iter()
        .find(|x| x.label.contains(crate::PRODUCT_PAGE))
    {
        let st = &row.stats;
        if let Some(x) = ratio(st, ceiling_rps(&r.rows, st.generator, st.connections)) {
            writeln!(
                o,
                "| product page at ≥ {:.0}% of the ceiling's throughput | {:.0}% | {} |",
                TARGET_RATIO * 100.0,
                x * 100.0,
                verdict(x >= TARGET_RATIO)
            )?;
        }
        writeln!(
            o,
            "| product page p99 < {TARGET_P99_MS:.0} ms at {} connections | {:.1} ms | {} |",
            st.connections,
            st.p99_ms,
            verdict(st.p99_ms < TARGET_P99_MS)
        )?;
    }
    writeln!(
        o,
        "| Worker bundle < 1 MiB gzipped | {} | {} |",
        kib(gz),
        verdict(gz < TARGET_BUNDLE_GZIP)
    )?;
    writeln!(
        o,
        "| product page client payload < 150 KB gzipped | {:.1} KB | {} |",
        payload_gz as f64 / 1000.0,
        verdict(payload_gz < TARGET_PAYLOAD_GZIP)
    )?;
    Ok(())
}
