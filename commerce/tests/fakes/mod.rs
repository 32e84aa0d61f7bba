//! In-memory ports for the service's native tests. Carts, orders and stock apply the same
//! domain rules the Durable Objects apply; the gateway behaves like Stripe's where the shop
//! relies on it (idempotency keys, expiring sessions, refunds) and can be scripted to fail;
//! the clock only moves when the test moves it.
#![allow(dead_code, clippy::expect_used, clippy::type_complexity)]

use commerce::ports::{
    CartStore, Clock, DiscountStore, Ids, OrderStore, Refusal, StockStore, StoreError,
};
use commerce::{Commerce, Ports};
use domain::cart::{Cart, CartCommand, CartError};
use domain::discount::{Code, Commit, Discount, Ledger, Refusal as CodeRefusal};
use domain::inventory::{HoldLine, InventoryCommand, InventoryReply, Shard};
use domain::order::{Order, OrderEvent, Transition};
use domain::{CartId, Catalog, CatalogIndex, Email, Sku};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

mod gateway;
pub use gateway::{charged, FakeGateway};

pub const TTL: i64 = 1800;

/// The cart id a test calls `name`: the same 32 hex digits for the same name.
pub fn cart(name: &str) -> CartId {
    let hex: String = name.bytes().map(|b| format!("{b:02x}")).collect();
    CartId::parse(&format!("{hex:0>32}")[..32]).expect("cart id")
}

pub fn email() -> Email {
    Email::parse("shopper@example.com").expect("email")
}
pub const ORIGIN: &str = "https://shop.example";
pub const SECRET: &str = "whsec_test";

/// The time every fake reads: Unix seconds, moved only by the test.
#[derive(Clone, Default)]
pub struct Time(Rc<Cell<i64>>);

impl Time {
    pub fn get(&self) -> i64 {
        self.0.get()
    }
    pub fn advance(&self, seconds: i64) {
        self.0.set(self.0.get() + seconds);
    }
}

pub struct FakeClock {
    pub time: Time,
    pub slept_ms: RefCell<Vec<u64>>,
}

impl Clock for FakeClock {
    fn now(&self) -> i64 {
        self.time.get()
    }
    async fn sleep_ms(&self, ms: u64) {
        self.slept_ms.borrow_mut().push(ms);
    }
}

#[derive(Default)]
pub struct FakeIds(Cell<u64>);

impl Ids for FakeIds {
    fn random_hex(&self, n: usize) -> Result<String, StoreError> {
        self.0.set(self.0.get() + 1);
        Ok(format!("{:0width$x}", self.0.get(), width = n * 2))
    }
}

#[derive(Default)]
pub struct FakeCarts(pub RefCell<HashMap<String, Cart>>);

impl FakeCarts {
    /// The cart a test calls `name`.
    pub fn get(&self, name: &str) -> Cart {
        let id = cart(name);
        self.0
            .borrow()
            .get(id.as_str())
            .cloned()
            .unwrap_or_default()
    }
}

impl CartStore for FakeCarts {
    async fn apply(
        &self,
        cart_id: &str,
        command: CartCommand,
    ) -> Result<Result<Cart, CartError>, StoreError> {
        let mut carts = self.0.borrow_mut();
        let cart = carts.entry(cart_id.to_owned()).or_default();
        Ok(cart.apply(&command).map(|()| cart.clone()))
    }
}

#[derive(Default)]
pub struct FakeOrders(pub RefCell<HashMap<String, Order>>);

impl FakeOrders {
    pub fn get(&self, id: &str) -> Order {
        self.0.borrow().get(id).cloned().expect("order")
    }
}

impl OrderStore for FakeOrders {
    async fn get(&self, order_id: &str) -> Result<Option<Order>, StoreError> {
        Ok(self.0.borrow().get(order_id).cloned())
    }
    async fn create(&self, order: Order) -> Result<Order, StoreError> {
        let mut orders = self.0.borrow_mut();
        Ok(orders.entry(order.id.clone()).or_insert(order).clone())
    }
    async fn apply(
        &self,
        order_id: &str,
        event: OrderEvent,
    ) -> Result<Option<(Order, Transition)>, StoreError> {
        let mut orders = self.0.borrow_mut();
        Ok(orders.get_mut(order_id).map(|o| {
            let t = o.apply(&event);
            (o.clone(), t)
        }))
    }
}

/// One inventory shard holding every SKU, with the domain's rules.
pub struct FakeStock {
    pub shard: RefCell<Shard>,
    pub time: Time,
}

impl FakeStock {
    fn run(&self, command: InventoryCommand) -> InventoryReply {
        self.shard.borrow_mut().apply(&command)
    }
    pub fn set(&self, sku: &str, on_hand: u32) {
        self.run(InventoryCommand::SetOnHand {
            sku: Sku::parse(sku).expect("sku"),
            on_hand,
        });
    }
    /// The units of `sku` a shopper can buy now, as a product page would read them.
    pub fn available(&self, sku: &str) -> u32 {
        self.shard
            .borrow()
            .stock_of(&Sku::parse(sku).expect("sku"), 0)
            .available()
    }
    /// What the inventory object's alarm does when it fires.
    pub fn expire_holds(&self) -> Vec<String> {
        match self.run(InventoryCommand::Expire {
            now: self.time.get(),
        }) {
            InventoryReply::Expired { orders } => orders,
            other => panic!("unexpected {other:?}"),
        }
    }
}

impl StockStore for FakeStock {
    async fn reserve(
        &self,
        order_id: &str,
        _cart_id: &str,
        lines: &[HoldLine],
        ttl_seconds: i64,
    ) -> Result<Result<(), Refusal>, StoreError> {
        let reply = self.run(InventoryCommand::Reserve {
            order_id: order_id.to_owned(),
            lines: lines.to_vec(),
            now: self.time.get(),
            ttl_seconds,
        });
        Ok(match reply {
            InventoryReply::Reserved { .. } => Ok(()),
            InventoryReply::OutOfStock {
                sku,
                requested,
                available,
            } => Err(Refusal::OutOfStock {
                sku,
                requested,
                available,
            }),
            InventoryReply::Closed { .. } => Err(Refusal::Closed),
            InventoryReply::Busy { sku } => Err(Refusal::Busy { sku }),
            other => return Err(StoreError(format!("unexpected {other:?}"))),
        })
    }
    async fn release(
        &self,
        order_id: &str,
        _cart_id: &str,
        _lines: &[HoldLine],
    ) -> Result<(), StoreError> {
        self.run(InventoryCommand::Release {
            order_id: order_id.to_owned(),
            now: self.time.get(),
        });
        Ok(())
    }
    async fn commit(
        &self,
        order_id: &str,
        _cart_id: &str,
        lines: &[HoldLine],
    ) -> Result<Vec<(String, u32)>, StoreError> {
        match self.run(InventoryCommand::Commit {
            order_id: order_id.to_owned(),
            lines: lines.to_vec(),
            now: self.time.get(),
        }) {
            InventoryReply::Committed { shortfall, .. } => Ok(shortfall
                .into_iter()
                .map(|(s, n)| (s.as_str().to_owned(), n))
                .collect()),
            other => Err(StoreError(format!("unexpected {other:?}"))),
        }
    }
    async fn restock(
        &self,
        order_id: &str,
        _cart_id: &str,
        lines: &[HoldLine],
    ) -> Result<bool, StoreError> {
        Ok(matches!(
            self.run(InventoryCommand::Restock {
                order_id: order_id.to_owned(),
                lines: lines.to_vec(),
                now: self.time.get(),
            }),
            InventoryReply::Restocked { restocked: true }
        ))
    }
}

/// Discount codes as the discounts object keeps them: one ledger per code, the same rules.
pub struct FakeDiscounts {
    pub ledgers: RefCell<HashMap<String, Ledger>>,
    time: Time,
}

impl FakeDiscounts {
    /// Defines (or redefines, keeping its uses) a code.
    pub fn define(&self, discount: Discount) {
        let mut ledgers = self.ledgers.borrow_mut();
        let code = discount.code.to_string();
        match ledgers.get_mut(&code) {
            Some(l) => l.update(discount),
            None => {
                ledgers.insert(code, Ledger::new(discount));
            }
        }
    }

    /// `(redeemed, held)` uses of `code` now.
    pub fn uses(&self, code: &str) -> (u32, u32) {
        let ledgers = self.ledgers.borrow();
        let c = ledgers.get(code).expect("code").counts(self.time.get());
        (c.redeemed, c.held)
    }
}

impl DiscountStore for FakeDiscounts {
    async fn hold(
        &self,
        code: &Code,
        order_id: &str,
        email: &str,
        subtotal: i64,
        until: i64,
    ) -> Result<Result<Discount, CodeRefusal>, StoreError> {
        let mut ledgers = self.ledgers.borrow_mut();
        let Some(ledger) = ledgers.get_mut(code.as_str()) else {
            return Ok(Err(CodeRefusal::Unknown));
        };
        Ok(ledger
            .hold(order_id, email, subtotal, self.time.get(), until)
            .map(|()| ledger.discount.clone()))
    }

    async fn release(&self, code: &Code, order_id: &str) -> Result<(), StoreError> {
        if let Some(l) = self.ledgers.borrow_mut().get_mut(code.as_str()) {
            l.release(order_id);
        }
        Ok(())
    }

    async fn commit(&self, code: &Code, order_id: &str, email: &str) -> Result<Commit, StoreError> {
        let mut ledgers = self.ledgers.borrow_mut();
        let ledger = ledgers
            .get_mut(code.as_str())
            .ok_or_else(|| StoreError("no such code".into()))?;
        Ok(ledger.commit(order_id, email, self.time.get()))
    }
}

/// Everything a test needs: the ports, the catalog, and the service over them.
pub struct World {
    pub time: Time,
    pub clock: FakeClock,
    pub ids: FakeIds,
    pub carts: FakeCarts,
    pub orders: FakeOrders,
    pub stock: FakeStock,
    pub discounts: FakeDiscounts,
    pub gateway: FakeGateway,
    pub index: CatalogIndex,
}

/// The service over a [`World`]'s fakes.
pub struct Fakes<'a>(std::marker::PhantomData<&'a ()>);

impl<'a> Ports for Fakes<'a> {
    type Carts = &'a FakeCarts;
    type Orders = &'a FakeOrders;
    type Stock = &'a FakeStock;
    type Discounts = &'a FakeDiscounts;
    type Gateway = &'a FakeGateway;
    type Clock = &'a FakeClock;
    type Ids = &'a FakeIds;
}

pub type Shop<'a> = Commerce<Fakes<'a>>;

impl World {
    pub fn new() -> World {
        let time = Time::default();
        time.advance(1_790_000_000);
        let catalog = Catalog::from_json(include_str!("../../../catalog/demo.json")).expect("demo");
        World {
            clock: FakeClock {
                time: time.clone(),
                slept_ms: RefCell::default(),
            },
            stock: FakeStock {
                shard: RefCell::default(),
                time: time.clone(),
            },
            discounts: FakeDiscounts {
                ledgers: RefCell::default(),
                time: time.clone(),
            },
            time,
            ids: FakeIds::default(),
            carts: FakeCarts::default(),
            orders: FakeOrders::default(),
            gateway: FakeGateway::default(),
            index: catalog.index(),
        }
    }

    pub fn shop(&self) -> Shop<'_> {
        Commerce {
            carts: &self.carts,
            orders: &self.orders,
            stock: &self.stock,
            discounts: &self.discounts,
            gateway: &self.gateway,
            clock: &self.clock,
            ids: &self.ids,
            reservation_ttl: TTL,
        }
    }

    /// Puts `quantity` of `sku` in cart `cart`.
    pub async fn add(&self, name: &str, sku: &str, quantity: u32) {
        let add = CartCommand::Add {
            sku: Sku::parse(sku).expect("sku"),
            quantity,
            available: None,
        };
        self.carts
            .apply(cart(name).as_str(), add)
            .await
            .expect("store")
            .expect("added");
    }

    /// A signed event as the gateway posts it to `/webhooks/payment`.
    pub fn event(&self, kind: &str, order: &Order, extra: serde_json::Value) -> (String, Vec<u8>) {
        let mut object = serde_json::json!({
            "id": order.session_id,
            "client_reference_id": order.id,
            "metadata": { "order_id": order.id },
            "payment_status": "paid",
            "payment_intent": format!("pi_{}", &order.id[4..12]),
        });
        if let (Some(o), Some(e)) = (object.as_object_mut(), extra.as_object()) {
            o.extend(e.clone());
        }
        let body = serde_json::to_vec(&serde_json::json!({
            "id": format!("evt_{}", self.ids.random_hex(8).expect("id")),
            "type": kind,
            "data": { "object": object },
        }))
        .expect("json");
        let header = domain::webhook::header(SECRET.as_bytes(), self.time.get(), &body);
        (header, body)
    }
}
