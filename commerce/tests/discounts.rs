//! Discount codes through checkout, natively: the code's use is held with the order, all or
//! nothing with the stock; released when the order ends unpaid, redeemed on payment; and the
//! session charges the discounted total.

#![allow(clippy::expect_used)]

mod fakes;

use commerce::ShopError;
use domain::cart::CartCommand;
use domain::discount::{Code, Discount, Kind, Refusal};
use domain::order::OrderStatus;
use fakes::{World, ORIGIN, SECRET};
use serde_json::json;

const MUG: &str = "ENAMEL-CAMP-MUG-RED";

fn code(kind: Kind, value: i64, limit: Option<u32>) -> Discount {
    Discount {
        code: Code::parse("WELCOME10").expect("code"),
        kind,
        value,
        min_subtotal: None,
        starts_at: None,
        ends_at: None,
        usage_limit: limit,
        once_per_email: false,
        collections: Vec::new(),
        disabled: false,
    }
}

/// A cart `name` with `qty` mugs and the code applied.
async fn cart_with_code(w: &World, name: &str, qty: u32, discount: &Discount) {
    w.add(name, MUG, qty).await;
    let set = CartCommand::SetDiscount {
        discount: discount.clone(),
    };
    use commerce::ports::CartStore;
    w.carts
        .apply(fakes::cart(name).as_str(), set)
        .await
        .expect("store")
        .expect("set");
}

async fn checkout_as(w: &World, cart: &str, email: &str) -> Result<commerce::Checkout, ShopError> {
    let email = domain::Email::parse(email).expect("email");
    w.shop()
        .checkout(&w.index, ORIGIN, Some(&fakes::cart(cart)), &email, None)
        .await
}

async fn deliver(w: &World, kind: &str, order_id: &str) {
    let order = w.orders.get(order_id);
    let (header, body) = w.event(kind, &order, json!({"amount_total": order.total}));
    w.shop()
        .payment_event(Some(SECRET), Some(&header), &body)
        .await
        .expect("applied");
}

/// What the gateway was asked to charge for the last session.
fn charged(w: &World) -> i64 {
    let requests = w.gateway.session_requests.borrow();
    fakes::charged(&requests.last().expect("a session").1)
}

#[tokio::test]
async fn a_code_is_charged_held_with_the_order_and_redeemed_on_payment() {
    let w = World::new();
    w.stock.set(MUG, 10);
    let ten = code(Kind::Percent, 1000, Some(5));
    w.discounts.define(ten.clone());
    cart_with_code(&w, "cart1", 3, &ten).await;

    let order = checkout_as(&w, "cart1", "a@example.com")
        .await
        .expect("checkout")
        .order;
    let charges = order.charges.expect("charges");
    let d = order.discount.as_ref().expect("the order keeps its code");
    assert_eq!(d.code, "WELCOME10");
    assert_eq!(charges.discount, d.amount);
    assert!(d.amount > 0);
    // 10 % per line, half up: one line of three mugs.
    let line = &order.lines[0];
    assert_eq!(line.discount, (line.line_total + 5) / 10);
    assert_eq!(
        order.total,
        charges.subtotal - charges.discount + charges.shipping
    );
    assert_eq!(charged(&w), order.total, "the session charges the total");
    assert_eq!(w.discounts.uses("WELCOME10"), (0, 1), "held");

    deliver(&w, "checkout.session.completed", &order.id).await;
    assert_eq!(w.orders.get(&order.id).status, OrderStatus::Paid);
    assert_eq!(w.discounts.uses("WELCOME10"), (1, 0), "redeemed");
    // Delivered again: still one use.
    deliver(&w, "checkout.session.completed", &order.id).await;
    assert_eq!(w.discounts.uses("WELCOME10"), (1, 0));
}

#[tokio::test]
async fn a_used_up_code_refuses_checkout_before_anything_is_held() {
    let w = World::new();
    w.stock.set(MUG, 10);
    let once = code(Kind::Fixed, 500, Some(1));
    w.discounts.define(once.clone());
    cart_with_code(&w, "cart1", 1, &once).await;
    cart_with_code(&w, "cart2", 1, &once).await;

    checkout_as(&w, "cart1", "a@example.com")
        .await
        .expect("the first");
    let sessions = w.gateway.session_requests.borrow().len();
    assert_eq!(
        checkout_as(&w, "cart2", "b@example.com").await,
        Err(ShopError::Discount(Refusal::Exhausted))
    );
    assert_eq!(
        w.stock.available(MUG),
        9,
        "no stock held for the refused one"
    );
    assert_eq!(w.gateway.session_requests.borrow().len(), sessions);
}

#[tokio::test]
async fn out_of_stock_gives_the_code_back_and_an_expired_order_too() {
    let w = World::new();
    w.stock.set(MUG, 2);
    let once = code(Kind::Fixed, 500, Some(1));
    w.discounts.define(once.clone());
    cart_with_code(&w, "big", 3, &once).await;
    let err = checkout_as(&w, "big", "a@example.com")
        .await
        .expect_err("only 2 mugs");
    assert!(matches!(err, ShopError::OutOfStock { .. }), "{err:?}");
    assert_eq!(
        w.discounts.uses("WELCOME10"),
        (0, 0),
        "all or nothing: no use held"
    );

    cart_with_code(&w, "small", 1, &once).await;
    let order = checkout_as(&w, "small", "b@example.com")
        .await
        .expect("checkout")
        .order;
    assert_eq!(w.discounts.uses("WELCOME10"), (0, 1));
    deliver(&w, "checkout.session.expired", &order.id).await;
    assert_eq!(w.orders.get(&order.id).status, OrderStatus::Expired);
    assert_eq!(w.discounts.uses("WELCOME10"), (0, 0), "given back");

    cart_with_code(&w, "again", 1, &once).await;
    checkout_as(&w, "again", "c@example.com")
        .await
        .expect("the use is free again");
}

#[tokio::test]
async fn once_per_email_refuses_a_second_order_by_the_same_shopper() {
    let w = World::new();
    w.stock.set(MUG, 10);
    let mut per_person = code(Kind::FreeShipping, 0, None);
    per_person.once_per_email = true;
    w.discounts.define(per_person.clone());
    cart_with_code(&w, "first", 1, &per_person).await;
    cart_with_code(&w, "second", 1, &per_person).await;
    let order = checkout_as(&w, "first", "Ada@Example.com")
        .await
        .expect("checkout")
        .order;
    let charges = order.charges.expect("charges");
    assert_eq!(charges.shipping, 0, "free shipping");
    assert!(order.discount.as_ref().is_some_and(|d| d.free_shipping));
    assert_eq!(
        checkout_as(&w, "second", " ada@example.com").await,
        Err(ShopError::Discount(Refusal::AlreadyUsed))
    );
}

#[tokio::test]
async fn a_code_the_merchant_disabled_after_it_was_applied_is_refused_at_checkout() {
    let w = World::new();
    w.stock.set(MUG, 10);
    let ten = code(Kind::Percent, 1000, None);
    w.discounts.define(ten.clone());
    cart_with_code(&w, "cart1", 1, &ten).await;
    let mut off = ten.clone();
    off.disabled = true;
    w.discounts.define(off);
    assert_eq!(
        checkout_as(&w, "cart1", "a@example.com").await,
        Err(ShopError::Discount(Refusal::NotActive))
    );
    assert_eq!(w.stock.available(MUG), 10);
}
