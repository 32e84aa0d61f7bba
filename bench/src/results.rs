//! What a run measured: everything a report shows.

use crate::contenders::Runtime;
use crate::load::Stats;
use crate::settings::Settings;
use crate::{flash, measure, rounds, soak, Result};

/// The React page's size may differ from the shop's by this share at most.
pub const SIZE_TOLERANCE: f64 = 0.15;

/// Page sizes in bytes, as served.
#[derive(Clone, Copy, Debug, Default)]
pub struct Sizes {
    pub shop: usize,
    pub shop_no_cache: usize,
    pub react_string: usize,
    pub react_stream: usize,
    pub ceiling: usize,
}

impl Sizes {
    /// React's page over the shop's, for both routes.
    pub fn react_ratios(&self) -> [(&'static str, f64); 2] {
        let shop = self.shop.max(1) as f64;
        [
            ("renderToString", self.react_string as f64 / shop),
            ("renderToReadableStream", self.react_stream as f64 / shop),
        ]
    }

    /// Fails when a React page is not within [`SIZE_TOLERANCE`] of the shop's.
    pub fn check(&self) -> Result<()> {
        for (name, ratio) in self.react_ratios() {
            if (ratio - 1.0).abs() > SIZE_TOLERANCE {
                return Err(format!(
                    "React's product page ({name}) is {:.0}% of the shop's ({} bytes): outside \
                     ±{:.0}%, so the two no longer render the same page",
                    ratio * 100.0,
                    self.shop,
                    SIZE_TOLERANCE * 100.0
                ));
            }
        }
        Ok(())
    }
}

/// Resident memory (KiB) of one runtime's `workerd` processes after set-up and at the end.
pub struct Memory {
    pub runtime: Runtime,
    pub start: Vec<u64>,
    pub end: Vec<u64>,
}

/// Everything a report shows.
pub struct Results {
    pub settings: Settings,
    pub machine: measure::Machine,
    pub rounds: Vec<rounds::Round>,
    /// Checkout (our own loop, each cart once) and the ceiling by the same loop just before.
    pub checkout: Stats,
    pub checkout_ceiling: Stats,
    pub sizes: Sizes,
    pub memory: Vec<Memory>,
    /// CPU time the shop's `workerd` processes used per second at rest.
    pub idle_cpu_ms_per_s: f64,
    /// CPUs kept busy, on average, by processes outside the bench during the runs.
    pub others_busy_cpus: f64,
    pub bundle: measure::Bundle,
    pub payload: Vec<(String, measure::Sized)>,
    pub wasm_default: measure::WasmTiming,
    pub wasm_eager: measure::WasmTiming,
    pub soak: Option<soak::Soak>,
    /// The flash sales, one per K, in the order of `settings.flash.buckets`.
    pub flash: Vec<flash::FlashResult>,
}
