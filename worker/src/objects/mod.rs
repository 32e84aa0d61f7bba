//! The Durable Objects: command processors around the pure rules in `domain`.
//!
//! Each object keeps its state in memory, applies a command synchronously with the domain's
//! rules, and writes the result to its storage before answering (the runtime's output gate holds
//! the answer until the write is durable). Only storage is awaited inside a command, so the
//! runtime's input gate keeps commands of one object strictly one after the other.
//!
//! What the worker and the objects say to each other is [`protocol`]: one type per command,
//! each naming its reply.
//!
//! # Layout
//! - [`cart`]: `CartObject`, one per cart.
//! - [`catalog`]: `CatalogObject`, the catalog's source of truth, publishing to KV.
//! - [`discounts`]: `DiscountObject`, every discount code's ledger of uses, and its client.
//! - [`inventory`]: `InventoryObject`, one per shard of SKUs, and the client that reserves across shards.
//! - [`orders`]: `OrderObject`, one per order.
//! - [`order_index`]: `OrderIndexObject`, the merchant's list of orders.
//! - [`protocol`]: the commands and replies.
//! - [`stored`]: state in storage as JSON strings.

pub mod buckets;
pub mod cart;
pub mod catalog;
pub mod discounts;
pub mod inventory;
pub mod order_index;
pub mod orders;
pub mod protocol;

pub mod stored;
