//! The Markdown report (printed, and written to BENCHMARKS.md in full mode): the run, the
//! throughput tables and the product page against React. The other figures are in
//! [`crate::figures`], the targets in [`crate::targets`].

use std::fmt::Write;

use crate::load::Stats;
use crate::rounds::{spec, Key};
use crate::summary::{own_cpu_ratio, throughput_ratio, Summary};
use crate::{figures, sizes, targets, Mode, Results};

/// The free plan's CPU time per request, in ms.
pub const CPU_BUDGET_MS: f64 = 10.0;

pub fn opt(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "n/a".into(), |v| format!("{v:.digits$}"))
}

pub fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "n/a".into(), |v| format!("{:.1}%", v * 100.0))
}

pub fn times(v: Option<f64>) -> String {
    v.map_or_else(|| "n/a".into(), |v| format!("{v:.2}×"))
}

pub fn markdown(r: &Results) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = write_report(&mut out, r);
    out
}

fn write_report(o: &mut String, r: &Results) -> std::fmt::Result {
    header(o, r)?;
    throughput(o, r)?;
    react(o, r)?;
    figures::write(o, r)?;
    targets::write(o, r)?;
    if r.settings.mode == Mode::Full {
        writeln!(o)?;
        sizes::write(o, &crate::repo_root())?;
    }
    Ok(())
}

fn header(o: &mut String, r: &Results) -> std::fmt::Result {
    let (m, s) = (&r.machine, &r.settings);
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
        "- Versions: wrangler {} (workerd {}), Node {}, worker {}, leptos {}, wasm-bindgen {}, \
         react and react-dom {}, {}, {}.\n",
        m.wrangler, m.workerd, m.node, m.worker, m.leptos, m.wasm_bindgen, m.react, m.rustc, wrk
    )?;
    writeln!(o, "## How\n")?;
    writeln!(
        o,
        "Four contenders run side by side, each under its own `wrangler dev` (workerd, local KV and \
         Durable Objects), on loopback, every one behind the same static-asset router (`[assets]` \
         on the repository's `assets/`), so every request pays the same hop before its Worker:\n"
    )?;
    writeln!(
        o,
        "- **the shop**, started as the integration tests start it (the sandbox payment gateway on \
         loopback, a freshly seeded demo catalog), with the deployed cache settings;\n\
         - **the shop with its rendered-page cache off** (`--var PAGE_CACHE:off`), otherwise the same;\n\
         - **the ceiling** (`bench/ceiling/`): a trivial Worker answering a constant HTML page of the \
         product page's size ({} bytes; the shop's product page is {});\n\
         - **React** (`bench/react/`): the same product page rendered by React {} (production build) \
         from the same demo catalog in its own KV, read through the same kind of isolate cache \
         (a version pointer trusted for 30 s, versioned entries kept), once with `renderToString` \
         and once with `renderToReadableStream`. It shows the catalog's stock figures, where the \
         shop also reads its live stock counters (a Durable Object, cached 2 s per isolate).\n",
        r.sizes.ceiling, r.sizes.shop, m.react
    )?;
    writeln!(
        o,
        "Every route runs once per round ({} round{}), each run at {} connections for at most {} s \
         and {} requests, keep-alive, by {}; the order rotates from round to round. Each figure \
         below is the median over the rounds, and each ratio is taken within a round (against the \
         ceiling's run of that round) before its median. **workerd CPU** is the user + system CPU \
         time of the contender's own `workerd` processes (from `/proc`) during the run, per \
         request; **own CPU** is that less the ceiling's in the same round: what the route costs \
         beyond the least a Worker can do here (near zero or below it: no more than the ceiling, \
         within the noise). The load generator shares the machine's CPUs with \
         the runtimes.\n",
        s.rounds,
        if s.rounds == 1 { "" } else { "s" },
        s.limit.connections,
        s.limit.duration.as_secs(),
        s.limit.max_requests,
        s.generator.name()
    )
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

fn throughput(o: &mut String, r: &Results) -> std::fmt::Result {
    let s = &r.settings;
    writeln!(
        o,
        "## Throughput, latency and CPU at {} connections\n",
        s.limit.connections
    )?;
    writeln!(
        o,
        "| Route | Requests | Req/s (by round) | p50 ms | p99 ms | vs ceiling | p99 vs ceiling | \
         workerd CPU ms/req | own CPU ms/req |"
    )?;
    writeln!(o, "|---|--:|--:|--:|--:|--:|--:|--:|--:|")?;
    let order = [
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
    for key in order {
        if let Some(sum) = Summary::of(&r.rounds, key) {
            row(o, spec(key).label, &sum, key == Key::Ceiling)?;
        }
    }
    let (c, k) = (&r.checkout_ceiling, &r.checkout);
    let ratio = |a: f64, b: f64| (b > 0.0).then_some(a / b);
    let own = match (k.cpu_ms_per_request, c.cpu_ms_per_request) {
        (Some(a), Some(b)) => Some(a - b),
        _ => None,
    };
    let single = |s: &Stats| Summary {
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
    )?;
    let run_order: Vec<String> = r
        .rounds
        .iter()
        .map(|round| {
            let names: Vec<String> = round.runs.iter().map(|(k, _)| format!("{k:?}")).collect();
            names.join(", ")
        })
        .collect();
    writeln!(o)?;
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
    )?;
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
         (a debug build on loopback). wrk cannot hand each cart out once, so checkout and the \
         ceiling run just before it are measured with our own loop (reqwest, same connections).",
        s.checkout_carts
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

fn react(o: &mut String, r: &Results) -> std::fmt::Result {
    writeln!(o, "## The product page against React\n")?;
    writeln!(
        o,
        "The same page (header with navigation and cart link, breadcrumb, title, image, price from \
         minor units, the variant picker, availability, the add-to-cart form, JSON-LD and Open \
         Graph tags) from the same catalog. **shop ÷ it** divides the shop's product page by the \
         contender in the row: above 1 the shop serves more requests per second (same round), \
         below 1 it spends less own CPU per request.\n"
    )?;
    writeln!(
        o,
        "| Contender | Page bytes | Req/s | vs ceiling | workerd CPU ms/req | own CPU ms/req | \
         shop ÷ it, req/s | shop ÷ it, own CPU |"
    )?;
    writeln!(o, "|---|--:|--:|--:|--:|--:|--:|--:|")?;
    let rows = [
        (Key::Product, r.sizes.shop),
        (Key::ProductNoCache, r.sizes.shop_no_cache),
        (Key::ReactString, r.sizes.react_string),
        (Key::ReactStream, r.sizes.react_stream),
    ];
    for (key, bytes) in rows {
        let Some(s) = Summary::of(&r.rounds, key) else {
            continue;
        };
        let (tp, cpu) = if key == Key::Product {
            ("".to_owned(), "".to_owned())
        } else {
            (
                times(throughput_ratio(&r.rounds, Key::Product, key)),
                times(own_cpu_ratio(&r.rounds, Key::Product, key)),
            )
        };
        writeln!(
            o,
            "| {} | {bytes} | {:.0} | {} | {} | {} | {tp} | {cpu} |",
            spec(key).label,
            s.rps,
            pct(s.vs_ceiling),
            opt(s.cpu_ms, 2),
            opt(s.own_cpu_ms, 2),
        )?;
    }
    writeln!(o)?;
    let ratios: Vec<String> = r
        .sizes
        .react_ratios()
        .iter()
        .map(|(name, x)| format!("{:.0}% with `{name}`", x * 100.0))
        .collect();
    write!(
        o,
        "React's page is {} of the shop's bytes (the bench fails outside ±{:.0}%).",
        ratios.join(" and "),
        crate::SIZE_TOLERANCE * 100.0
    )?;
    if let Some(own) = Summary::of(&r.rounds, Key::Product).and_then(|s| s.own_cpu_ms) {
        write!(
            o,
            " Against the free plan's {CPU_BUDGET_MS:.0} ms of CPU per request, the product page's \
             own CPU time is {:.0}% of it (on Cloudflare only the Worker's isolate is billed, not a \
             local proxy or router, so the own time is the closer estimate).",
            own / CPU_BUDGET_MS * 100.0
        )?;
    }
    writeln!(o, "\n")
}
