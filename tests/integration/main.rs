//! Integration tests: the real Worker under wrangler's local runtime, over HTTP.
//! The runtime is shared by all tests (see `integration_tests::server`).
//!
//! # Layout
//! - `pages`: the server-rendered shop pages.
//! - `api`: the read-only JSON catalog API.
//! - `caching`: cache headers, ETags, conditional requests, static assets.
//! - `errors`: 404s, bad query parameters, wrong methods.

mod api;
mod caching;
mod errors;
mod pages;
