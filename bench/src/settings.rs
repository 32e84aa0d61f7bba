//! The two modes and how much each does.

use std::time::Duration;

use crate::load::{Generator, Limit};

const CONNECTIONS: usize = 16;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Smoke,
    Full,
}

/// How much each mode does.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    pub mode: Mode,
    pub generator: Generator,
    pub limit: Limit,
    pub rounds: usize,
    pub warmup_per_route: u64,
    pub cart_carts: usize,
    /// Carts for add to cart, per round.
    pub add_carts: usize,
    pub checkout_carts: usize,
    pub wasm_samples: usize,
    pub idle_seconds: u64,
    /// Seconds of memory soak after the rounds (0: none).
    pub soak_seconds: u64,
    pub flash: FlashSale,
}

/// The flash sale (issue 13): one SKU, few units, many shoppers at once; one sale per K.
#[derive(Clone, Copy, Debug)]
pub struct FlashSale {
    pub units: u32,
    /// Shoppers, each with a cart of one line (one unit) made beforehand.
    pub shoppers: u32,
    /// Checkouts in flight at most.
    pub concurrency: u32,
    /// K: the bucket objects the SKU's stock is spread over, one sale each (1: not split).
    pub buckets: &'static [u32],
}

impl Settings {
    pub fn of(mode: Mode) -> Settings {
        match mode {
            Mode::Full => Settings {
                mode,
                generator: Generator::Wrk,
                limit: Limit {
                    connections: CONNECTIONS,
                    duration: Duration::from_secs(5),
                    max_requests: 50_000,
                },
                rounds: 3,
                warmup_per_route: 64,
                cart_carts: 16,
                add_carts: 60,
                checkout_carts: 500,
                wasm_samples: 5,
                idle_seconds: 3,
                soak_seconds: 0,
                flash: FlashSale {
                    units: 300,
                    shoppers: 1_000,
                    concurrency: 200,
                    buckets: &[1, 8],
                },
            },
            Mode::Smoke => Settings {
                mode,
                generator: Generator::Rust,
                limit: Limit {
                    connections: CONNECTIONS,
                    duration: Duration::from_secs(5),
                    max_requests: 32,
                },
                rounds: 1,
                warmup_per_route: 0,
                cart_carts: 2,
                add_carts: 1,
                checkout_carts: 16,
                wasm_samples: 1,
                idle_seconds: 1,
                soak_seconds: 0,
                flash: FlashSale {
                    units: 12,
                    shoppers: 40,
                    concurrency: 20,
                    buckets: &[1, 4],
                },
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flash_sale_is_the_issues_in_full_and_tiny_in_smoke() {
        let full = Settings::of(Mode::Full).flash;
        assert_eq!(
            (full.units, full.shoppers, full.concurrency, full.buckets),
            (300, 1_000, 200, &[1, 8][..])
        );
        for mode in [Mode::Full, Mode::Smoke] {
            let f = Settings::of(mode).flash;
            assert!(
                f.buckets.len() <= crate::flash::SALE_SKUS.len(),
                "a SKU per sale"
            );
            assert!(f.units < f.shoppers && f.concurrency <= f.shoppers);
            assert!(f.buckets.iter().all(|k| (1..=64).contains(k)));
        }
    }
}
