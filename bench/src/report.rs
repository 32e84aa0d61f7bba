//! The Markdown report (printed, and written to BENCHMARKS.md in full mode), section by section:
//! the run ([`intro`]), the throughput tables ([`throughput`]), the flash sales ([`flash`]) and
//! the product page against React ([`react`]). The other figures are in [`crate::figures`], the targets in
//! [`crate::targets`], the bytes by crate in [`crate::sizes`].

mod flash;
mod intro;
mod react;
mod throughput;

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

/// The sections, in order.
fn write_report(o: &mut String, r: &Results) -> std::fmt::Result {
    intro::write(o, r)?;
    throughput::write(o, r)?;
    flash::write(o, r)?;
    react::write(o, r)?;
    figures::write(o, r)?;
    targets::write(o, r)?;
    if r.settings.mode == Mode::Full {
        use std::fmt::Write as _;
        writeln!(o)?;
        sizes::write(o, &crate::repo_root())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contenders::Runtime;
    use crate::load::{Generator, Stats};
    use crate::rounds::{Key, Round, SPECS};
    use crate::{measure, Memory, Settings, Sizes};

    fn stats(rps: f64, cpu: f64) -> Stats {
        crate::load::stats_fixture(Generator::Rust, rps, cpu)
    }

    fn smoke_results() -> Results {
        let sized = |name: &str, raw: u64| measure::Sized {
            name: name.into(),
            raw,
            gzip: raw / 3,
        };
        let timing = measure::WasmTiming {
            samples: 1,
            compile_ms: 10.0,
            instantiate_ms: Some(2.0),
        };
        Results {
            settings: Settings::of(Mode::Smoke),
            machine: measure::Machine::default(),
            rounds: vec![Round {
                runs: SPECS.iter().map(|s| (s.key, stats(100.0, 1.0))).collect(),
                retried: vec![(Key::Search, "no answer".into())],
            }],
            checkout: stats(10.0, 3.0),
            checkout_ceiling: stats(200.0, 0.5),
            sizes: Sizes {
                shop: 1000,
                shop_no_cache: 1000,
                react_string: 1100,
                react_stream: 900,
                ceiling: 1000,
            },
            memory: vec![Memory {
                runtime: Runtime::Shop,
                start: vec![1024],
                end: vec![2048],
            }],
            idle_cpu_ms_per_s: 0.5,
            others_busy_cpus: 0.1,
            bundle: measure::Bundle {
                files: vec![sized("index.wasm", 100_000)],
                total: sized("total", 100_000),
            },
            payload: vec![("html".into(), sized("/products/rain-jacket", 1000))],
            wasm_default: timing.clone(),
            wasm_eager: timing,
            soak: None,
            flash: vec![
                crate::flash::result_fixture(1),
                crate::flash::result_fixture(4),
            ],
        }
    }

    #[test]
    fn sections_come_in_order() {
        let text = markdown(&smoke_results());
        let headings: Vec<&str> = text.lines().filter(|l| l.starts_with('#')).collect();
        assert_eq!(
            headings,
            [
                "# Benchmarks",
                "## How",
                "## Throughput, latency and CPU at 16 connections",
                "## Flash sale (one SKU, issue 13)",
                "## The product page against React",
                "## Worker bundle",
                "## Client payload of the product page",
                "## Cold start: compiling the Worker's wasm",
                "## Memory",
                "## Targets (issue 15)",
            ]
        );
        assert!(text.starts_with("# Benchmarks\n\n**Smoke run**"), "{text}");
        assert!(text.contains("| **ceiling**, by our own loop (before checkout) |"));
        assert!(text.contains("- Order of the runs: round 1: Ceiling, Home,"));
        assert!(text.contains("again (after a run without answers"));
        assert!(text.contains("round 1, Search (no answer)."));
        assert!(text.contains("React's page is 110% with `renderToString` and 90% with"));
        assert!(text.contains("| 4 | 300 | 700 | none | 0 | 180.0 | 950.0 | **120** |"));
        assert!(text.contains("on this 0-core machine, which also runs the load generator"));
    }
}
