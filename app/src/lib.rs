//! The storefront's pages, as Leptos components rendered to HTML on the server.
//!
//! Components take plain data (from the `domain` crate); fetching it is the Worker's job,
//! so every page renders the same natively (in tests) and inside the Worker.
//!
//! # Layout
//! - [`admin_pages`]: the merchant's sign-in and admin page (plain forms with CSRF tokens).
//! - [`api`]: the JSON shapes of the catalog, cart and order APIs.
//! - [`shell`]: the document around every page: head, header with navigation and search, footer.
//! - [`components`]: product cards, prices, the pager, the sort menu.
//! - [`checkout_pages`]: the cart page (forms that work without JavaScript) and the order page.
//! - [`countries`]: country names for the destination select, order page and admin.
//! - [`islands`]: the only parts that hydrate in the browser: buy box, cart link, quantity
//!   steppers, the cart's delivery choice and totals.
//! - [`pages`]: one component per page: home, collection, search, product, errors.
//! - [`render`]: entry points that render a page to a complete HTML document.
//! - [`seo`]: JSON-LD structured data and the sitemap.
//! - [`routes`]: routing as a pure function from method and path to a [`routes::Route`].

pub mod admin_pages;
pub mod api;
pub mod checkout_pages;
pub mod components;
pub mod countries;
pub mod islands;
pub mod pages;
pub mod render;
pub mod routes;
pub mod seo;
pub mod shell;

pub use domain;

/// The browser bundle's entry point: hydrates the islands (and nothing else) on the page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    leptos::mount::hydrate_islands();
}
