//! The integration-test harness: runs the real Worker under wrangler's local runtime
//! (workerd, with real KV and Durable Objects) and gives tests an HTTP client for it.
//!
//! One runtime serves every test of a test binary. It is started on first use, on free
//! loopback ports, with its own persistence directory seeded with the demo catalog, and it is
//! stopped when the test binary exits, however it exits: the runtime runs under a small shell
//! watchdog that kills its whole process group as soon as our end of its stdin closes.
//!
//! `make test` builds the worker first; running `cargo test` alone needs a prior `make worker`.
//!
//! # Layout
//! - `supervise`: process supervision: [`root`], [`tool_path`], [`free_port`], the
//!   [`watchdog`] and children stopped with their whole process group.
//! - `stack`: [`Stack`], the worker and its own sandbox [`Gateway`]: start, seed, readiness,
//!   teardown. [`server`] is the stack shared by tests without special settings; tests that
//!   inject faults, shorten timeouts or restart the runtime start their own.
//! - `client`: [`Client`] and [`Reply`]: small HTTP helpers that never follow redirects.
//! - `sandbox`: the sandbox gateway's test endpoints ([`sandbox()`], [`session_of`], [`pay`]),
//!   signed webhooks ([`deliver_webhook`]) and [`eventually`] for effects that arrive later.
//!
//! Every HTTP request goes through reqwest: async for tests, blocking for starting a stack.

mod client;
mod sandbox;
mod stack;
mod supervise;

pub use client::{Client, Reply};
pub use sandbox::{deliver_webhook, eventually, pay, sandbox, session_of, unix_now};
pub use stack::{server, Gateway, Options, Stack, ADMIN_TOKEN, SECRET_KEY, WEBHOOK_SECRET};
pub use supervise::{free_port, root, tool_path, watchdog};
