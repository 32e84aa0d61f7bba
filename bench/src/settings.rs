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
            },
        }
    }
}
