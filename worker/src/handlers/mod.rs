//! Floor 4 of the worker: HTTP in, HTTP out. Each handler reads its request, calls services,
//! and answers; no handler imports another.
//!
//! - [`storefront`]: the catalog pages and the read-only catalog API.
//! - [`cart`]: the cart API and page, its discount code, checkout.
//! - [`orders`]: the order page and JSON, the payment webhook.
//! - [`admin_api`]: the merchant's JSON API (inventory, catalog, orders, discount codes), behind a
//!   bearer token.
//! - [`admin_pages`]: the merchant's pages under `/admin` (session cookie, CSRF tokens).

pub mod admin_api;
pub mod admin_pages;
pub mod cart;
pub mod orders;
pub mod storefront;
