//! Integration tests: the real Worker under wrangler's local runtime, over HTTP.
//! The runtime is shared by all tests (see `integration_tests::server`).
//!
//! # Layout
//! - `pages`: the server-rendered shop pages.
//! - `api`: the read-only JSON catalog API.
//! - `caching`: cache headers, ETags, conditional requests, static assets.
//! - `errors`: 404s, bad query parameters, wrong methods.
//! - `cart`: the cart API and forms, bounds, bad input, live stock.
//! - `catalog_admin`: catalog import, export, product writes, 1,000 products (own stack).
//! - `checkout`: checkout, payment, webhooks, double charges, the oversell race.
//! - `discounts`: discount codes: the merchant API, every shopper refusal, 30 shoppers racing for
//!   3 uses, an expired order giving its use back.
//! - `emails`: receipts and "on its way" e-mails through the sandbox outbox, once each; retries.
//! - `payment_return`: back from the payment page: the order page waiting, a cancelled checkout.
//! - `admin`: the merchant inventory API and its authorisation.
//! - `buckets`: a hot SKU split over bucket objects: 200 concurrent checkouts of 50 units over 4
//!   buckets, borrowing the last units, changing and merging the split, refusals.
//! - `admin_pages`: the /admin pages: sign-in, session cookie, CSRF-protected forms.
//! - `orders_admin`: the merchant's order list, fulfilment and refunds.
//! - `shipping`: the cart's destination, rates and totals (shipping and taxes).
//! - `shipping_checkout`: checkout charging shipping and tax, the address, amount mismatches.
//! - `browser`: journeys in headless Chromium (`e2e/`), accessibility audit, small screens.
//! - `resilience`: own stacks: gateway down and slow, duplicate and reordered webhooks,
//!   reservation expiry, persistence across a restart of the runtime.

// Test helpers panic on purpose: a failed expectation is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod admin;
mod admin_pages;
mod api;
mod browser;
mod buckets;
mod caching;
mod cart;
mod catalog_admin;
mod checkout;
mod discounts;
mod emails;
mod errors;
mod orders_admin;
mod pages;
mod payment_return;
mod resilience;
mod shipping;
mod shipping_checkout;
