//! The report's figures without load: the Worker bundle, the product page's client payload,
//! compiling the wasm, and memory (at the end of the run, and the soak's).

use std::fmt::Write;

use crate::measure::Sized;
use crate::soak::{self, Soak};
use crate::Results;

const MIB: f64 = 1024.0 * 1024.0;

pub fn kib(bytes: u64) -> String {
    format!("{:.1} KiB", bytes as f64 / 1024.0)
}

/// Raw and gzipped totals.
pub fn totals<'a>(files: impl IntoIterator<Item = &'a Sized>) -> (u64, u64) {
    files
        .into_iter()
        .fold((0, 0), |(raw, gz), f| (raw + f.raw, gz + f.gzip))
}

pub fn write(o: &mut String, r: &Results) -> std::fmt::Result {
    bundle(o, r)?;
    payload(o, r)?;
    cold_start(o, r)?;
    memory(o, r)?;
    match &r.soak {
        Some(s) => soak_section(o, s),
        None => writeln!(
            o,
            "No memory soak in this run (`make bench SOAK=180` adds one: the product page and add \
             to cart for that many seconds, resident memory sampled every 10 s).\n"
        ),
    }
}

fn bundle(o: &mut String, r: &Results) -> std::fmt::Result {
    let b = &r.bundle;
    writeln!(o, "## Worker bundle\n")?;
    writeln!(
        o,
        "What `wrangler deploy` uploads for the Worker: the modules of `wrangler deploy --dry-run` \
         (static assets aside), each gzipped, and all of them as one gzip stream, as `make \
         deploy-check` counts them.\n"
    )?;
    writeln!(o, "| Module | Raw | gzip -9 |")?;
    writeln!(o, "|---|--:|--:|")?;
    for f in &b.files {
        writeln!(o, "| `{}` | {} | {} |", f.name, kib(f.raw), kib(f.gzip))?;
    }
    writeln!(
        o,
        "| **total** (one stream) | **{}** | **{}** |\n",
        kib(b.total.raw),
        kib(b.total.gzip)
    )?;
    writeln!(
        o,
        "Workers limit the compressed size: {:.0}% of the free plan's 3 MiB, {:.0}% of the paid \
         plans' 10 MiB.\n",
        b.total.gzip as f64 / (3.0 * MIB) * 100.0,
        b.total.gzip as f64 / (10.0 * MIB) * 100.0
    )
}

fn payload(o: &mut String, r: &Results) -> std::fmt::Result {
    writeln!(o, "## Client payload of the product page\n")?;
    writeln!(o, "| Resource | Kind | Raw | gzip -9 |")?;
    writeln!(o, "|---|---|--:|--:|")?;
    for (kind, f) in &r.payload {
        writeln!(
            o,
            "| `{}` | {} | {} | {} |",
            f.name,
            kind,
            kib(f.raw),
            kib(f.gzip)
        )?;
    }
    let (raw, gz) = totals(r.payload.iter().map(|(_, f)| f));
    writeln!(o, "| **total** | | **{}** | **{}** |\n", kib(raw), kib(gz))?;
    let js = r.payload.iter().filter(|(k, _)| k == "js").count();
    let wasm = r.payload.iter().filter(|(k, _)| k == "wasm").count();
    writeln!(
        o,
        "What a browser loads for the page: the HTML, the stylesheets, icons, images and scripts it \
         references, `url()`s in the CSS, and the scripts and wasm modules those scripts load \
         (quoted same-origin paths). JavaScript files: {js}; wasm files: {wasm}{}. Inline \
         `<script>`s (JSON-LD) are counted in the HTML.\n",
        if js + wasm == 0 {
            " (no hydration bundle: every page works without JavaScript)"
        } else {
            ""
        }
    )
}

fn cold_start(o: &mut String, r: &Results) -> std::fmt::Result {
    writeln!(o, "## Cold start: compiling the Worker's wasm\n")?;
    writeln!(
        o,
        "`bench/wasm-compile.mjs` times `WebAssembly.compile` of `worker/build/index_bg.wasm` ({}), \
         then `WebAssembly.instantiate` with a no-op stub for every imported function, in Node {} \
         (V8, as workerd). Each sample is a fresh Node process, since V8 reuses compiled modules \
         within one; the median of {} is shown. Instantiation this way covers the engine's work \
         (memory, tables, data segments), not the wasm-bindgen glue's start-up, which runs on the \
         first request.\n",
        r.bundle
            .files
            .iter()
            .find(|f| f.name.ends_with(".wasm"))
            .map_or_else(|| "?".into(), |f| kib(f.raw)),
        r.machine.node,
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
    writeln!(o)
}

fn mib_list(kib: &[u64]) -> String {
    let each: Vec<String> = kib
        .iter()
        .map(|k| format!("{:.0}", *k as f64 / 1024.0))
        .collect();
    format!(
        "{:.0} MiB ({} MiB)",
        kib.iter().sum::<u64>() as f64 / 1024.0,
        each.join(" + ")
    )
}

fn memory(o: &mut String, r: &Results) -> std::fmt::Result {
    writeln!(o, "## Memory\n")?;
    writeln!(
        o,
        "Resident memory (`VmRSS`) of each contender's `workerd` processes (wrangler's local proxy \
         and the runtime; wrangler's own Node processes are not counted), after set-up and at the \
         end of the rounds:\n"
    )?;
    writeln!(o, "| Runtime | After set-up | At the end |")?;
    writeln!(o, "|---|--:|--:|")?;
    for m in &r.memory {
        writeln!(
            o,
            "| {} | {} | {} |",
            m.runtime.name(),
            mib_list(&m.start),
            mib_list(&m.end)
        )?;
    }
    writeln!(o)
}

fn soak_section(o: &mut String, s: &Soak) -> std::fmt::Result {
    writeln!(o, "## Memory soak\n")?;
    writeln!(
        o,
        "For {} s, by our own loop, at once: the shop's product page (4 connections, {} requests, \
         {:.0} req/s), add to cart (2 connections, {} requests, {:.0} req/s, over a fixed set of \
         carts whose line is set back to one unit every 98 adds) and the ceiling (4 connections, \
         {} requests, {:.0} req/s). Resident memory of all `workerd` processes of each, every {} s:\n",
        s.seconds,
        s.product.requests,
        s.product.rps(),
        s.add.requests,
        s.add.rps(),
        s.ceiling.requests,
        s.ceiling.rps(),
        soak::SAMPLE_EVERY.as_secs()
    )?;
    writeln!(o, "| Second | The shop | The ceiling |")?;
    writeln!(o, "|--:|--:|--:|")?;
    for x in &s.samples {
        writeln!(
            o,
            "| {}{} | {:.1} MiB | {:.1} MiB |",
            x.at_s,
            if x.restarted { " (restarted)" } else { "" },
            x.shop_kib as f64 / 1024.0,
            x.ceiling_kib as f64 / 1024.0
        )?;
    }
    writeln!(o)?;
    if s.errors() > 0 {
        writeln!(
            o,
            "{} requests failed during the soak (first: {}), so its growth is not compared.\n",
            s.errors(),
            [&s.product, &s.add, &s.ceiling]
                .iter()
                .find_map(|x| x.first_error.as_deref())
                .unwrap_or("?")
        )?;
    }
    if let Some((shop, ceiling)) = s.growth() {
        writeln!(
            o,
            "Growth over the last two thirds of the run: the shop {:+.1} MiB, the ceiling {:+.1} \
             MiB: the shop's growth is {} the ceiling's.\n",
            shop as f64 / 1024.0,
            ceiling as f64 / 1024.0,
            if shop <= ceiling { "at most" } else { "above" }
        )?;
    }
    Ok(())
}
