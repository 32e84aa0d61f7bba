//! `storefront-bench`: how fast the shop is on the local Workers runtime, against the runtime's
//! own ceiling and against the same product page rendered by React.
//!
//! ```text
//! storefront-bench full [--rounds N] [--soak SECONDS]
//!                          # `make bench` (`make bench SOAK=180`): measured rounds; prints the
//!                          # report, writes BENCHMARKS.md
//! storefront-bench smoke   # `make test`: a few requests per route, every status checked,
//!                          # the report printed only; no wrk, no timing assertions
//! ```
//!
//! One run starts four contenders, each under its own `wrangler dev` in the same runtime, every
//! one behind the same static-asset router (`[assets]`):
//! - the shop, exactly as the integration tests start it ([`integration_tests::Stack`]:
//!   a freshly seeded demo catalog and a sandbox gateway on loopback), with the deployed cache
//!   settings;
//! - the shop again with its rendered-page cache off (`PAGE_CACHE=off`);
//! - the ceiling: a trivial Worker (`bench/ceiling/`) answering a constant HTML page of the
//!   product page's size;
//! - React: the product page rendered by React 19 from the same catalog in its own KV
//!   (`bench/react/`), with `renderToString` and with `renderToReadableStream`.
//!
//! The routes then run in interleaved rounds (the order rotated every round), each at 16
//! connections, bounded in time and in count; every figure is set against the ceiling's in the
//! same round, and the report shows medians over the rounds. Last, against the shop only, a
//! flash sale per K (one SKU, its stock split over K bucket objects; [`flash`]).
//!
//! Needs `make worker` (the Worker build), `cargo build -p sandbox-gateway` and, in full mode,
//! `wrk`; `make bench` does all three.
//!
//! # Layout
//! - `main.rs`: the process (arguments, the async runtime, the exit code) and what every module
//!   shares.
//! - [`cli`]: the command line; [`settings`]: the modes and how much each does.
//! - [`run`]: the order of a run, one function per phase; [`publish`]: the report printed, and
//!   written to BENCHMARKS.md.
//! - [`results`]: what a run measured (everything a report shows).
//! - [`contenders`]: the four runtimes, their start and their `workerd` processes.
//! - [`setup`]: requests made outside the measurements (stock, carts, seeding, checks) and the
//!   client payload.
//! - [`rounds`]: what each round measures, in which order; runs made again.
//! - [`runs`]: how one run is made and measured; checkout.
//! - [`summary`]: medians and same-round ratios over the rounds.
//! - [`soak`]: the memory soak (`--soak SECONDS`).
//! - [`flash`]: the flash sale (issue 13): one SKU, few units, many shoppers checking out at
//!   once, with its stock in 1 or K bucket objects; [`flash::check`] says whether it came out
//!   exact.
//! - [`load`]: the load generators (wrk with `bench/wrk.lua`, our own reqwest loop) and
//!   their [`load::Stats`].
//! - [`procs`]: `/proc` figures (CPU time, resident memory) of the runtime's processes.
//! - [`measure`]: figures without load: bundle size, client payload, wasm compile/instantiate
//!   time in Node (`bench/wasm-compile.mjs`), machine and versions.
//! - [`report`] (its sections in `report/`, with [`targets`], [`figures`] and [`sizes`]): the
//!   Markdown report; [`sizes`] reads the builds' function names for the bytes by crate and
//!   includes `bench/size-before.md` and `bench/bounds.md`.
//! - `bench/ceiling/`, `bench/react/`: the two JavaScript Workers and their `wrangler.toml`.
//! - `bench/wrk.lua`: wrk's script (method, JSON body, cart cookies in turn, a summary line).
//! - `bench/wasm-compile.mjs`: one timed compile and instantiate of a wasm file, in Node.

mod cli;
mod contenders;
mod figures;
mod flash;
mod load;
mod measure;
mod procs;
mod publish;
mod report;
mod results;
mod rounds;
mod run;
mod runs;
mod settings;
mod setup;
mod sizes;
mod soak;
mod summary;
mod targets;

use std::path::PathBuf;
use std::process::ExitCode;

pub use results::{Memory, Results, Sizes, SIZE_TOLERANCE};
pub use settings::{Mode, Settings};

/// Errors are reported as sentences; the bench stops at the first.
pub type Result<T> = std::result::Result<T, String>;

/// The SKU added to carts and checked out (its stock is raised first).
pub const SKU: &str = "RAIN-JACKET-M-OLIVE";
pub const PRODUCT_HANDLE: &str = "rain-jacket";
pub const PRODUCT_PAGE: &str = "/products/rain-jacket";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(settings) = cli::parse_args(&args) else {
        eprintln!("{}", cli::USAGE);
        return ExitCode::from(2);
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("bench: tokio: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run::run(settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench: {e}");
            ExitCode::FAILURE
        }
    }
}

pub fn repo_root() -> PathBuf {
    let root = integration_tests::root();
    root.canonicalize().unwrap_or(root)
}

pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| format!("blocking task: {e}"))?
}
