//! Floor 3 of the worker: what handlers call. Services use the object clients and the gateway
//! (floor 2) and the platform helpers (floor 1), never a handler.
//!
//! - [`catalog`]: the catalog read path over Workers KV, with an in-isolate cache.
//! - [`page_cache`]: rendered catalog pages kept in the isolate, keyed by what they show.
//! - [`shopping`]: the cart commands and the `commerce` service over this worker's ports.
//! - [`merchant`]: catalog imports (JSON or CSV) and their limits.

pub mod catalog;
pub mod merchant;
pub mod page_cache;
pub mod shopping;
