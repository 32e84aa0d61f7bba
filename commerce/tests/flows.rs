//! Checkout, payment events, expiry and refunds, natively: in-memory ports, a scripted gateway
//! and a clock that moves only when the test moves it.

mod fakes;

use commerce::ports::PaymentError;
use commerce::{ShopError, WebhookOutcome};
use domain::order::OrderStatus;
use fakes::{charged, World, ORIGIN, SECRET, TTL};
use serde_json::json;

const TENT: &str = "CAMPING-TENT-2-PERSON-OLIVE";
const MUG: &str = "ENAMEL-CAMP-MUG-RED";

async fn checkout(w: &World, cart: &str) -> Result<commerce::Checkout, ShopError> {
    w.shop()
        .checkout(
            &w.index,
            ORIGIN,
            Some(&fakes::cart(cart)),
            &fakes::email(),
            None,
        )
        .await
}

async fn deliver(w: &World, kind: &str, order_id: &str) -> Result<WebhookOutcome, ShopError> {
    let order = w.orders.get(order_id);
    let (header, body) = w.event(kind, &order, json!({}));
    w.shop()
        .payment_event(Some(SECRET), Some(&header), &body)
        .await
}

#[tokio::test]
async fn a_gateway_500_is_retried_with_the_same_idempotency_key_and_opens_one_session() {
    let w = World::new();
    w.stock.set(TENT, 5);
    w.add("cart1", TENT, 2).await;
    w.gateway
        .fail_next
        .borrow_mut()
        .push_back(PaymentError::Unavailable("500".into()));
    let done = checkout(&w, "cart1").await.expect("checkout");
    assert!(done.created);
    assert_eq!(done.order.status, OrderStatus::AwaitingPayment);
    let requests = w.gateway.session_requests.borrow();
    assert_eq!(requests.len(), 2, "one failure, one retry");
    assert_eq!(requests[0], requests[1], "same key, same body");
    assert_eq!(requests[0].0, format!("checkout-session-{}", done.order.id));
    assert_eq!(w.gateway.sessions_opened(), 1);
    assert_eq!(
        *w.clock.slept_ms.borrow(),
        vec![200],
        "backed off before the retry"
    );
    assert_eq!(w.stock.available(TENT), 3, "two held");
}

#[tokio::test]
async fn a_gateway_that_times_out_releases_the_holds_and_leaves_the_cart_intact() {
    let w = World::new();
    w.stock.set(TENT, 5);
    w.add("cart1", TENT, 2).await;
    for _ in 0..commerce::SESSION_ATTEMPTS {
        w.gateway
            .fail_next
            .borrow_mut()
            .push_back(PaymentError::Timeout);
    }
    let err = checkout(&w, "cart1").await.expect_err("no session");
    assert_eq!(err, ShopError::Payment(PaymentError::Timeout));
    assert_eq!(w.stock.available(TENT), 5, "nothing stays held");
    let cart = w.carts.get("cart1");
    assert_eq!(cart.quantity_of(TENT), 2, "the cart keeps its items");
    let order = w.orders.0.borrow().values().next().cloned().expect("order");
    assert_eq!(order.status, OrderStatus::Failed);

    // The gateway is back: checking out again works, with a new order.
    let again = checkout(&w, "cart1").await.expect("checkout");
    assert!(again.created);
    assert_ne!(again.order.id, order.id);
    assert_eq!(w.stock.available(TENT), 3);
}

#[tokio::test]
async fn a_refused_session_is_not_retried() {
    let w = World::new();
    w.stock.set(TENT, 5);
    w.add("cart1", TENT, 1).await;
    w.gateway
        .fail_next
        .borrow_mut()
        .push_back(PaymentError::Refused("card_declined".into()));
    let err = checkout(&w, "cart1").await.expect_err("refused");
    assert!(matches!(err, ShopError::Payment(PaymentError::Refused(_))));
    assert_eq!(w.gateway.session_requests.borrow().len(), 1);
    assert_eq!(w.stock.available(TENT), 5);
}

#[tokio::test]
async fn a_rate_limited_gateway_is_not_hammered_and_the_stock_goes_back() {
    let w = World::new();
    w.stock.set(TENT, 5);
    w.add("cart1", TENT, 2).await;
    w.gateway
        .fail_next
        .borrow_mut()
        .push_back(PaymentError::RateLimited);
    let err = checkout(&w, "cart1").await.expect_err("busy");
    assert_eq!(err, ShopError::Payment(PaymentError::RateLimited));
    assert_eq!(
        w.gateway.session_requests.borrow().len(),
        1,
        "no retry storm"
    );
    assert!(w.clock.slept_ms.borrow().is_empty());
    assert_eq!(w.stock.available(TENT), 5, "nothing stays held");
    assert_eq!(
        w.carts.get("cart1").quantity_of(TENT),
        2,
        "the cart is intact"
    );
    let again = checkout(&w, "cart1").await.expect("a moment later");
    assert!(again.created);
    assert_eq!(w.stock.available(TENT), 3);
}

#[tokio::test]
async fn checking_out_twice_joins_the_same_order_and_a_changed_cart_supersedes_it() {
    let w = World::new();
    w.stock.set(TENT, 1);
    w.stock.set(MUG, 10);
    w.add("cart1", TENT, 1).await;
    let first = checkout(&w, "cart1").await.expect("checkout");
    let again = checkout(&w, "cart1").await.expect("checkout");
    assert_eq!(again.order.id, first.order.id);
    assert!(!again.created);
    assert_eq!(w.gateway.sessions_opened(), 1);

    // The shopper adds a mug and checks out again: the first order ends (its session expired,
    // its hold released) before the new one reserves, so the last tent is not blocked.
    w.add("cart1", MUG, 1).await;
    let second = checkout(&w, "cart1").await.expect("checkout");
    assert_ne!(second.order.id, first.order.id);
    assert_eq!(w.orders.get(&first.order.id).status, OrderStatus::Expired);
    let first_session = first.order.session_id.clone().expect("session");
    assert!(
        !w.gateway.open.borrow()[&first_session],
        "its payment page closed"
    );
    assert_eq!(w.stock.available(TENT), 0, "held by the second order only");

    // The superseded session was paid anyway (a race with its expiry): honoured, never lost.
    deliver(&w, "checkout.session.completed", &first.order.id)
        .await
        .expect("event");
    let paid = w.orders.get(&first.order.id);
    assert_eq!(paid.status, OrderStatus::Paid);
    assert_eq!(
        paid.shortfall,
        vec![(TENT.to_owned(), 1)],
        "the merchant sees the tent is short"
    );
}

#[tokio::test]
async fn duplicate_and_out_of_order_events_pay_once_and_never_undo_a_payment() {
    let w = World::new();
    w.stock.set(TENT, 5);
    w.stock.set(MUG, 5);
    w.add("cart1", TENT, 2).await;
    let order = checkout(&w, "cart1").await.expect("checkout").order;
    // Added after the checkout began: stays in the cart when the checkout is paid.
    w.add("cart1", MUG, 1).await;

    for _ in 0..2 {
        let outcome = deliver(&w, "checkout.session.completed", &order.id)
            .await
            .expect("event");
        assert_eq!(
            outcome,
            WebhookOutcome::Applied {
                order_id: order.id.clone(),
                status: OrderStatus::Paid
            }
        );
    }
    let shard = w.stock.shard.borrow().clone();
    let tent = shard.stock_of(&domain::Sku::parse(TENT).expect("sku"), 0);
    assert_eq!((tent.on_hand, tent.reserved), (3, 0), "committed once");
    let cart = w.carts.get("cart1");
    assert_eq!(cart.quantity_of(TENT), 0);
    assert_eq!(cart.quantity_of(MUG), 1, "the later line stays");

    // An expiry arriving after the payment changes nothing.
    deliver(&w, "checkout.session.expired", &order.id)
        .await
        .expect("event");
    assert_eq!(w.orders.get(&order.id).status, OrderStatus::Paid);
    assert_eq!(w.stock.available(TENT), 3, "nothing returned to the shelf");
}

#[tokio::test]
async fn holds_expire_on_the_clock_and_a_payment_after_expiry_is_recorded_with_its_shortfall() {
    let w = World::new();
    w.stock.set(TENT, 2);
    w.add("slow", TENT, 2).await;
    let slow = checkout(&w, "slow").await.expect("checkout").order;
    assert_eq!(w.stock.available(TENT), 0);

    w.time.advance(TTL - 1);
    assert!(w.stock.expire_holds().is_empty(), "not yet");
    w.time.advance(2);
    assert_eq!(w.stock.expire_holds(), vec![slow.id.clone()]);
    assert_eq!(w.stock.available(TENT), 2, "back on the shelf");

    // Someone else buys both meanwhile.
    w.add("quick", TENT, 2).await;
    let quick = checkout(&w, "quick").await.expect("checkout").order;
    deliver(&w, "checkout.session.completed", &quick.id)
        .await
        .expect("event");

    // Then the slow shopper's payment lands: the sale is recorded, the shortfall noted.
    deliver(&w, "checkout.session.completed", &slow.id)
        .await
        .expect("event");
    let late = w.orders.get(&slow.id);
    assert_eq!(late.status, OrderStatus::Paid);
    assert_eq!(late.shortfall, vec![(TENT.to_owned(), 2)]);
    assert_eq!(w.stock.available(TENT), 0);
}

#[tokio::test]
async fn cancelling_releases_the_hold_at_once_and_expires_the_session() {
    let w = World::new();
    w.stock.set(TENT, 1);
    w.add("cart1", TENT, 1).await;
    let order = checkout(&w, "cart1").await.expect("checkout").order;
    let someone_else = fakes::cart("someone-else");
    assert_eq!(w.shop().abandon(&order.id, &someone_else).await, Ok(None));
    assert_eq!(w.stock.available(TENT), 0, "not theirs to cancel");
    let ended = w
        .shop()
        .abandon(&order.id, &fakes::cart("cart1"))
        .await
        .expect("abandon");
    assert_eq!(ended.map(|o| o.status), Some(OrderStatus::Expired));
    assert_eq!(w.stock.available(TENT), 1);
    assert_eq!(
        w.carts.get("cart1").quantity_of(TENT),
        1,
        "the cart keeps its items"
    );
}

#[tokio::test]
async fn a_refund_issued_twice_refunds_once_and_restocks_once() {
    let w = World::new();
    w.stock.set(TENT, 5);
    w.add("cart1", TENT, 2).await;
    let order = checkout(&w, "cart1").await.expect("checkout").order;
    let err = w
        .shop()
        .refund(&order.id, true)
        .await
        .expect_err("not paid yet");
    assert!(matches!(err, ShopError::NotPaid { .. }));
    deliver(&w, "checkout.session.completed", &order.id)
        .await
        .expect("event");
    assert_eq!(w.stock.available(TENT), 3);

    let first = w.shop().refund(&order.id, true).await.expect("refund");
    let second = w.shop().refund(&order.id, true).await.expect("refund");
    assert_eq!(first.order.status, OrderStatus::Refunded);
    assert!(first.restocked);
    assert!(!second.restocked, "restocked once");
    assert_eq!(first.order.refund_id, second.order.refund_id);
    assert_eq!(w.gateway.refunds_made(), 1);
    assert_eq!(
        w.gateway.refund_requests.borrow().len(),
        1,
        "not even asked twice"
    );
    assert_eq!(w.stock.available(TENT), 5);
}

#[tokio::test]
async fn forged_or_unconfigured_webhooks_change_nothing() {
    let w = World::new();
    w.stock.set(TENT, 5);
    w.add("cart1", TENT, 1).await;
    let order = checkout(&w, "cart1").await.expect("checkout").order;
    let (header, body) = w.event("checkout.session.completed", &order, json!({}));
    let forged = w
        .shop()
        .payment_event(Some("whsec_other"), Some(&header), &body)
        .await;
    assert!(matches!(forged, Err(ShopError::BadSignature(_))));
    let unconfigured = w.shop().payment_event(None, Some(&header), &body).await;
    assert_eq!(unconfigured, Err(ShopError::WebhooksNotConfigured));
    let (header, unpaid) = w.event(
        "checkout.session.completed",
        &order,
        json!({ "payment_status": "unpaid" }),
    );
    assert_eq!(
        w.shop()
            .payment_event(Some(SECRET), Some(&header), &unpaid)
            .await,
        Ok(WebhookOutcome::Ignored("payment not yet settled"))
    );
    assert_eq!(w.orders.get(&order.id).status, OrderStatus::AwaitingPayment);
}

#[tokio::test]
async fn bad_checkouts_are_refused_before_anything_changes() {
    let w = World::new();
    w.stock.set(TENT, 1);
    let shop = w.shop();
    assert_eq!(
        shop.checkout(&w.index, ORIGIN, None, &fakes::email(), None)
            .await,
        Err(ShopError::EmptyCart)
    );
    assert_eq!(checkout(&w, "cart1").await, Err(ShopError::EmptyCart));
    w.add("cart1", TENT, 2).await;
    let err = checkout(&w, "cart1").await.expect_err("only one");
    assert!(matches!(
        err,
        ShopError::OutOfStock {
            available: 1,
            requested: 2,
            ..
        }
    ));
    assert_eq!(w.stock.available(TENT), 1);
    assert_eq!(w.gateway.session_requests.borrow().len(), 0);
}

#[tokio::test]
async fn checkout_charges_the_quoted_shipping_and_tax_to_the_shoppers_country() {
    let w = World::new();
    w.stock.set(MUG, 5);
    w.add("cart1", MUG, 1).await;
    let fr = domain::Country::parse("FR").expect("FR");
    let cart = w.carts.get("cart1");
    let priced = commerce::price(&w.index, &cart).expect("priced");
    let quote = domain::cart::quote(&w.index, &cart, &priced, Some(fr)).expect("quote");
    assert!(quote.totals.shipping > 0, "a mug alone pays shipping");

    let done = w
        .shop()
        .checkout(
            &w.index,
            ORIGIN,
            Some(&fakes::cart("cart1")),
            &fakes::email(),
            Some(fr),
        )
        .await
        .expect("checkout");
    let order = done.order;
    assert_eq!(order.total, quote.totals.total);
    assert_eq!(order.total, priced.subtotal + quote.totals.shipping);
    let delivery = order.delivery.as_ref().expect("delivery");
    assert_eq!(
        (delivery.country, delivery.rate.as_str()),
        (fr, quote.rate.as_str())
    );
    let charges = order.charges.expect("charges");
    assert_eq!(charges.total(), order.total);
    assert_eq!(charges.tax, quote.totals.tax);

    let requests = w.gateway.session_requests.borrow();
    let params = &requests[0].1;
    assert!(params
        .iter()
        .any(|(k, v)| k == "shipping_address_collection[allowed_countries][0]" && v == "FR"));
    assert_eq!(
        charged(params),
        order.total,
        "the session charges the order's total"
    );
}

#[tokio::test]
async fn a_payment_records_the_address_and_a_different_amount_is_flagged() {
    let w = World::new();
    w.stock.set(MUG, 5);
    w.add("cart1", MUG, 1).await;
    w.add("cart2", MUG, 1).await;
    let address = json!({
        "name": "Ada Lovelace",
        "address": {"line1": "12 Rue de Rivoli", "line2": null, "city": "Paris",
                    "postal_code": "75001", "state": null, "country": "FR"}
    });
    let exact = checkout(&w, "cart1").await.expect("checkout").order;
    let short = checkout(&w, "cart2").await.expect("checkout").order;
    for (order, paid) in [(&exact, exact.total), (&short, short.total - 100)] {
        let extra = json!({"amount_total": paid, "shipping_details": address});
        let (header, body) = w.event("checkout.session.completed", order, extra);
        w.shop()
            .payment_event(Some(SECRET), Some(&header), &body)
            .await
            .expect("applied");
    }
    let exact = w.orders.get(&exact.id);
    assert_eq!(exact.status, OrderStatus::Paid);
    assert_eq!(exact.amount_mismatch(), None);
    let to = exact.delivery.and_then(|d| d.address).expect("address");
    assert_eq!(
        (to.name.as_str(), to.city.as_str()),
        ("Ada Lovelace", "Paris")
    );
    let short = w.orders.get(&short.id);
    assert_eq!(
        short.status,
        OrderStatus::Paid,
        "the shopper was charged: never lost"
    );
    assert_eq!(short.amount_mismatch(), Some(short.total - 100));
}
