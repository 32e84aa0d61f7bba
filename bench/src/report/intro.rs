//! The report's opening: the title and what kind of run it is, the machine and the versions,
//! and how the contenders and the rounds are set up.

use std::fmt::Write;

use crate::{Mode, Results};

pub fn write(o: &mut String, r: &Results) -> std::fmt::Result {
    title(o, r)?;
    machine(o, r)?;
    how(o, r)
}

fn title(o: &mut String, r: &Results) -> std::fmt::Result {
    writeln!(o, "# Benchmarks\n")?;
    match r.settings.mode {
        Mode::Full => writeln!(
            o,
            "Measured by `make bench` (`cargo run --release -p storefront-bench -- full`) on {}. \
             Every figure comes from that run; rerun it to refresh this file rather than editing it.\n",
            r.machine.date
        ),
        Mode::Smoke => writeln!(
            o,
            "**Smoke run** (`storefront-bench smoke`, part of `make test`) on {}: a few requests per \
             route to show that every route answers and every figure can be taken. The figures are \
             not meaningful; `make bench` measures them.\n",
            r.machine.date
        ),
    }
}

/// The machine, how busy it was, and the versions of everything measured.
fn machine(o: &mut String, r: &Results) -> std::fmt::Result {
    let m = &r.machine;
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
    )
}

/// The "How" section: the contenders, then the rounds.
fn how(o: &mut String, r: &Results) -> std::fmt::Result {
    writeln!(o, "## How\n")?;
    contenders(o, r)?;
    rounds(o, r)
}

fn contenders(o: &mut String, r: &Results) -> std::fmt::Result {
    writeln!(
        o,
        "Four contenders run side by side, each under its own `wrangler dev` (workerd, local KV and \
         Durable Objects), on loopback, every one behind the same static-asset router (`[assets]` \
         on the repository's `assets/`), so every request pays the same hop before its Worker:\n"
    )?;
    writeln!(
        o,
        "- **the shop**, started as the integration tests start it (the sandbox payment gateway on \
         loopback, a freshly seeded demo catalog), with the deployed cache settings and payment \
         timeout;\n\
         - **the shop with its rendered-page cache off** (`--var PAGE_CACHE:off`), otherwise the same;\n\
         - **the ceiling** (`bench/ceiling/`): a trivial Worker answering a constant HTML page of the \
         product page's size ({} bytes; the shop's product page is {});\n\
         - **React** (`bench/react/`): the same product page rendered by React {} (production build) \
         from the same demo catalog in its own KV, read through the same kind of isolate cache \
         (a version pointer trusted for 30 s, versioned entries kept), once with `renderToString` \
         and once with `renderToReadableStream`. It shows the catalog's stock figures, where the \
         shop also reads its live stock counters (a Durable Object, cached 2 s per isolate).\n",
        r.sizes.ceiling, r.sizes.shop, r.machine.react
    )
}

fn rounds(o: &mut String, r: &Results) -> std::fmt::Result {
    let s = &r.settings;
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
