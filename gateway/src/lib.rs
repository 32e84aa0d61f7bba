//! A sandbox imitation of the parts of Stripe's API the shop uses, for local runs and tests
//! without a Stripe account.
//!
//! It serves, on loopback by default:
//! - `POST /v1/checkout/sessions`, `GET /v1/checkout/sessions/{id}` and
//!   `POST /v1/checkout/sessions/{id}/expire`, in Stripe's form encoding and JSON shapes, with
//!   bearer authentication and `Idempotency-Key` handling;
//! - a hosted payment page at `/pay/{id}` that accepts Stripe's test cards (`4242…` pays,
//!   `4000 0000 0000 0002` is declined);
//! - `checkout.session.completed` / `checkout.session.expired` webhooks, signed as Stripe signs
//!   them (see [`domain::webhook`]) and retried with backoff;
//! - test controls under `/_sandbox/` (faults, held webhooks, counters) and `GET /health`;
//! - beside it, a sandbox of Postmark's e-mail API for the shop's receipts: `POST /email` (token
//!   in `X-Postmark-Server-Token`), which delivers nothing but keeps every message in an outbox
//!   under `/_sandbox/emails` (JSON) and `/_sandbox/outbox` (pages).
//!
//! Sessions, events, idempotency keys and e-mails live in memory and last as long as the
//! process.
//!
//! # Layout
//! - [`config`]: command-line flags and their environment fallbacks.
//! - [`server`]: binding, the accept loop (hyper, HTTP/1.1), the expiry ticker, graceful stop.
//! - [`router`]: the axum routes, from path and method to handler.
//! - [`request`]: what handlers extract from a request: [`request::Request`] (body read,
//!   size-limited), [`request::Local`] (loopback clients only), [`request::Id`].
//! - [`api`]: the `/v1` endpoints and bearer authentication.
//! - [`pay`]: the hosted payment page's handlers; [`page`] renders its HTML, with the shipping
//!   address part in [`address_form`].
//! - [`sandbox`]: the `/_sandbox/` controls.
//! - [`postmark`]: `POST /email` and Postmark-shaped errors; [`email`] checks a message in
//!   Postmark's JSON (addresses with [`mailbox`]); [`outbox`] keeps the messages sent and
//!   [`outbox_page`] shows them.
//! - [`state`]: [`state::App`], the shared state and the session transitions.
//! - [`session`]: the Checkout Session object, the [`session::NewSession`] it is made from, and
//!   their JSON.
//! - [`params`]: validation of creation parameters; [`form`] parses Stripe's bracketed keys.
//! - [`shipping`]: address collection, shipping rates and shipping details, in Stripe's shapes.
//! - [`totals`]: tax shapes, `total_details` and the payment page's breakdown.
//! - [`idempotency`]: `Idempotency-Key` replay and conflict detection.
//! - [`webhooks`]: events, signing, delivery with retries, holding and flushing.
//! - [`card`]: test card numbers and their outcomes.
//! - [`faults`], [`stats`]: injected faults and counters.
//! - [`error`], [`reply`]: Stripe-style errors and plain-data HTTP answers.
//! - [`ids`]: random object ids and UUIDs, the unix clock and RFC 3339 timestamps.

pub mod address_form;
pub mod api;
pub mod card;
pub mod config;
pub mod email;
pub mod error;
pub mod faults;
pub mod form;
pub mod idempotency;
pub mod ids;
pub mod mailbox;
pub mod outbox;
pub mod outbox_page;
pub mod page;
pub mod params;
pub mod pay;
pub mod postmark;
pub mod reply;
pub mod request;
pub mod router;
pub mod sandbox;
pub mod server;
pub mod session;
pub mod shipping;
pub mod state;
pub mod stats;
pub mod totals;
pub mod webhooks;

use std::sync::{Mutex, MutexGuard, PoisonError};

pub use config::Config;
pub use server::{start, Running};

/// Locks `mutex`, carrying on if a panicking thread poisoned it: every critical section here
/// leaves the data consistent, so the data is still good.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
