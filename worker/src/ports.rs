//! The `commerce` service's ports, implemented over the platform: carts, orders and stock by
//! their Durable Object clients, the clock by `Date.now` and timers, ids by `crypto`. (The
//! payment gateway's port is `payments::Gateway`.) Each only translates: the rules are in
//! `commerce` and `domain`.

use crate::error::AppError;
use crate::objects::cart::Carts;
use crate::objects::discounts::Discounts;
use crate::objects::inventory::Inventory;
use crate::objects::orders::Orders;
use crate::platform;
use commerce::ports::{
    CartStore, Clock, DiscountStore, Ids, OrderStore, Refusal, StockStore, StoreError,
};
use domain::cart::{Cart, CartCommand, CartError};
use domain::discount::{Code, Commit, Discount, Refusal as CodeRefusal};
use domain::inventory::HoldLine;
use domain::order::{Order, OrderEvent, Transition};

fn store(e: AppError) -> StoreError {
    StoreError(e.to_string())
}

impl CartStore for Carts {
    async fn apply(
        &self,
        cart_id: &str,
        command: CartCommand,
    ) -> Result<Result<Cart, CartError>, StoreError> {
        Carts::apply(self, cart_id, command).await.map_err(store)
    }
}

impl OrderStore for Orders {
    async fn get(&self, order_id: &str) -> Result<Option<Order>, StoreError> {
        Orders::get(self, order_id).await.map_err(store)
    }
    async fn create(&self, order: Order) -> Result<Order, StoreError> {
        Orders::create(self, order).await.map_err(store)
    }
    async fn apply(
        &self,
        order_id: &str,
        event: OrderEvent,
    ) -> Result<Option<(Order, Transition)>, StoreError> {
        Orders::apply(self, order_id, event).await.map_err(store)
    }
}

impl StockStore for Inventory {
    async fn reserve(
        &self,
        order_id: &str,
        cart_id: &str,
        lines: &[HoldLine],
        ttl_seconds: i64,
    ) -> Result<Result<(), Refusal>, StoreError> {
        Inventory::reserve(self, order_id, cart_id, lines, ttl_seconds)
            .await
            .map_err(store)
    }
    async fn release(
        &self,
        order_id: &str,
        cart_id: &str,
        lines: &[HoldLine],
    ) -> Result<(), StoreError> {
        Inventory::release(self, order_id, cart_id, lines)
            .await
            .map_err(store)
    }
    async fn commit(
        &self,
        order_id: &str,
        cart_id: &str,
        lines: &[HoldLine],
    ) -> Result<Vec<(String, u32)>, StoreError> {
        Inventory::commit(self, order_id, cart_id, lines)
            .await
            .map_err(store)
    }
    async fn restock(
        &self,
        order_id: &str,
        cart_id: &str,
        lines: &[HoldLine],
    ) -> Result<bool, StoreError> {
        Inventory::restock(self, order_id, cart_id, lines)
            .await
            .map_err(store)
    }
}

impl DiscountStore for Discounts {
    async fn hold(
        &self,
        code: &Code,
        order_id: &str,
        email: &str,
        subtotal: i64,
        until: i64,
    ) -> Result<Result<Discount, CodeRefusal>, StoreError> {
        Discounts::hold(self, code, order_id, email, subtotal, until)
            .await
            .map_err(store)
    }
    async fn release(&self, code: &Code, order_id: &str) -> Result<(), StoreError> {
        Discounts::release(self, code, order_id)
            .await
            .map(|_| ())
            .map_err(store)
    }
    async fn commit(&self, code: &Code, order_id: &str, email: &str) -> Result<Commit, StoreError> {
        let outcome = Discounts::redeem(self, code, order_id, email)
            .await
            .map_err(store)?;
        if outcome == Commit::Late {
            worker::console_warn!("discount {code} redeemed by {order_id} without a live hold");
        }
        Ok(outcome)
    }
}

/// The runtime's clock and randomness.
pub struct Runtime;

impl Clock for Runtime {
    fn now(&self) -> i64 {
        platform::now()
    }
    async fn sleep_ms(&self, ms: u64) {
        worker::Delay::from(std::time::Duration::from_millis(ms)).await;
    }
}

impl Ids for Runtime {
    fn random_hex(&self, n: usize) -> Result<String, StoreError> {
        platform::random_hex(n).map_err(store)
    }
}
