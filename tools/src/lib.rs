//! Tools for merchants and developers: the `catalog` command (check a catalog file, turn it into
//! KV entries) and `wasm-size` (where a wasm file's bytes go, also used by `make bench`).
//!
//! # Layout
//! - [`wasm_size`]: sections and code by crate of a wasm module, from its `name` section.

pub mod wasm_size;
