//! Tests that need a stack of their own: they inject gateway faults, shorten the hold time,
//! or restart the runtime.

use integration_tests::{deliver_webhook, eventually, pay, sandbox, Client, Options, Stack};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

fn start(vars: &[(&str, &str)]) -> Stack {
    let options = Options {
        vars: vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        ..Options::default()
    };
    Stack::start(options).unwrap_or_else(|e| panic!("{e}"))
}

async fn status_of(c: &Client, id: &str) -> Value {
    c.get(&format!("/api/orders/{id}")).await.json()["status"].clone()
}

async fn signed(c: &Client, event: &Value) -> integration_tests::Reply {
    deliver_webhook(c, &serde_json::to_vec(event).expect("json")).await
}

fn event(kind: &str, order_id: &str) -> Value {
    json!({
        "id": format!("evt_{kind}_{order_id}"), "object": "event", "type": kind,
        "data": { "object": { "id": "cs_manual", "payment_status": if kind.ends_with("completed") { "paid" } else { "unpaid" },
                               "metadata": { "order_id": order_id }, "client_reference_id": order_id } }
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn gateway_down_slow_and_misbehaving() {
    let stack = tokio::task::spawn_blocking(|| start(&[("PAYMENT_TIMEOUT_MS", "1000")]))
        .await
        .expect("start");
    let gw = &stack.gateway;
    let c = stack.client();
    let shopper = Client::shopper_of(&stack.base);
    c.set_stock("HEADLAMP-BLACK", 5).await;
    shopper.add("HEADLAMP-BLACK", 2).await;
    let cart_before = shopper.get("/api/cart").await.json()["lines"].clone();

    // Down: every attempt answers 500.
    sandbox(
        gw,
        Method::POST,
        "/_sandbox/faults",
        Some(json!({ "fail_next_creates": 10 })),
    )
    .await;
    let r = shopper.checkout().await;
    assert_eq!(r.status, 502, "{}", r.body);
    assert_eq!(r.json()["error"], "payment_unavailable");
    assert_eq!(
        c.stock("HEADLAMP-BLACK").await["reserved"],
        0,
        "reservation released"
    );
    assert_eq!(
        shopper.get("/api/cart").await.json()["lines"],
        cart_before,
        "cart intact"
    );
    let stats = sandbox(gw, Method::GET, "/_sandbox/stats", None).await;
    assert_eq!(stats["sessions_created"], 0);
    assert_eq!(stats["create_requests"], 3, "three attempts: {stats}");

    // Slow: answers only after all three attempts (1 s each) gave up. A shorter delay is
    // absorbed: a later attempt with the same idempotency key gets the first answer.
    sandbox(gw, Method::POST, "/_sandbox/reset", None).await;
    sandbox(
        gw,
        Method::POST,
        "/_sandbox/faults",
        Some(json!({ "create_delay_ms": 6000 })),
    )
    .await;
    let r = shopper.checkout().await;
    assert_eq!(r.status, 504, "{}", r.body);
    assert_eq!(r.json()["error"], "payment_unavailable");
    assert_eq!(c.stock("HEADLAMP-BLACK").await["reserved"], 0);
    assert_eq!(shopper.get("/api/cart").await.json()["lines"], cart_before);

    // The HTML checkout shows the cart with the reason.
    let page = shopper
        .post_form("/checkout", &[("email", "shopper@example.com")])
        .await;
    assert_eq!(page.status, 504);
    page.assert_contains("did not answer in time");
    page.assert_contains("Headlamp");

    // Rate limited (Stripe's 429): one request, no retry storm; the shopper is told to try
    // again in a moment and keeps the cart, the stock goes back.
    sandbox(gw, Method::POST, "/_sandbox/reset", None).await;
    let before = sandbox(gw, Method::GET, "/_sandbox/stats", None).await["create_requests"]
        .as_u64()
        .expect("count");
    sandbox(
        gw,
        Method::POST,
        "/_sandbox/faults",
        Some(json!({ "rate_limit_next_creates": 1 })),
    )
    .await;
    let r = shopper.checkout().await;
    assert_eq!(r.status, 503, "{}", r.body);
    assert_eq!(r.json()["error"], "gateway_busy", "{}", r.body);
    assert_eq!(r.header("retry-after"), Some("2"));
    let stats = sandbox(gw, Method::GET, "/_sandbox/stats", None).await;
    assert_eq!(
        stats["create_requests"].as_u64(),
        Some(before + 1),
        "{stats}"
    );
    assert_eq!(c.stock("HEADLAMP-BLACK").await["reserved"], 0);
    assert_eq!(shopper.get("/api/cart").await.json()["lines"], cart_before);

    // Recovered: a new order goes through; webhooks arrive twice, the stock is taken once.
    sandbox(gw, Method::POST, "/_sandbox/reset", None).await;
    sandbox(
        gw,
        Method::POST,
        "/_sandbox/faults",
        Some(json!({ "duplicate_webhooks": true })),
    )
    .await;
    let r = shopper.checkout().await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["order_id"].as_str().expect("id").to_owned();
    pay(gw, &id).await;
    eventually("paid", WAIT, || async {
        (status_of(&c, &id).await == "paid").then_some(())
    })
    .await;
    eventually("both deliveries", WAIT, || async {
        let s = sandbox(gw, Method::GET, "/_sandbox/stats", None).await;
        (s["webhooks_sent"].as_u64() >= Some(2)).then_some(())
    })
    .await;
    let s = c.stock("HEADLAMP-BLACK").await;
    assert_eq!(
        (s["on_hand"].as_u64(), s["reserved"].as_u64()),
        (Some(3), Some(0)),
        "{s}"
    );

    // Out of order: an expiry after the payment changes nothing.
    assert_eq!(
        signed(&c, &event("checkout.session.expired", &id))
            .await
            .status,
        200
    );
    assert_eq!(status_of(&c, &id).await, "paid");
    assert_eq!(c.stock("HEADLAMP-BLACK").await["on_hand"], 3);

    // And an expiry that arrives before a (late) completion: paid in the end, committed once.
    shopper.add("HEADLAMP-BLACK", 1).await;
    let id2 = shopper.checkout().await.json()["order_id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(c.stock("HEADLAMP-BLACK").await["reserved"], 1);
    assert_eq!(
        signed(&c, &event("checkout.session.expired", &id2))
            .await
            .status,
        200
    );
    assert_eq!(status_of(&c, &id2).await, "expired");
    assert_eq!(
        c.stock("HEADLAMP-BLACK").await["reserved"],
        0,
        "expiry released the hold"
    );
    for _ in 0..2 {
        assert_eq!(
            signed(&c, &event("checkout.session.completed", &id2))
                .await
                .status,
            200
        );
    }
    assert_eq!(status_of(&c, &id2).await, "paid");
    let s = c.stock("HEADLAMP-BLACK").await;
    assert_eq!(
        (s["on_hand"].as_u64(), s["reserved"].as_u64()),
        (Some(2), Some(0)),
        "{s}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn unpaid_reservations_expire() {
    let stack = tokio::task::spawn_blocking(|| start(&[("RESERVATION_TTL_SECONDS", "2")]))
        .await
        .expect("start");
    let c = stack.client();
    let shopper = Client::shopper_of(&stack.base);
    c.set_stock("WAX-SEAL-KIT-A-GOLD-DELUXE", 1).await;
    shopper.add("WAX-SEAL-KIT-A-GOLD-DELUXE", 1).await;
    let r = shopper.checkout().await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["order_id"].as_str().expect("id").to_owned();
    assert_eq!(c.stock("WAX-SEAL-KIT-A-GOLD-DELUXE").await["available"], 0);

    // Nobody else can have it while it is held.
    let other = Client::shopper_of(&stack.base);
    let refused = other
        .post_json(
            "/api/cart/items",
            &json!({ "sku": "WAX-SEAL-KIT-A-GOLD-DELUXE", "quantity": 1 }),
        )
        .await;
    assert_eq!(refused.status, 409);

    let started = std::time::Instant::now();
    eventually("the hold to expire", WAIT, || async {
        let s = c.stock("WAX-SEAL-KIT-A-GOLD-DELUXE").await;
        (s["available"] == 1 && s["reserved"] == 0).then_some(())
    })
    .await;
    eprintln!("hold of 2 s released after {:.1?}", started.elapsed());
    eventually("the order to expire", WAIT, || async {
        (status_of(&c, &id).await == "expired").then_some(())
    })
    .await;
    other.add("WAX-SEAL-KIT-A-GOLD-DELUXE", 1).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn carts_stock_and_orders_survive_a_restart() {
    let first = tokio::task::spawn_blocking(|| start(&[]))
        .await
        .expect("start");
    let c = first.client();
    c.set_stock("STONEWARE-BOWL-LARGE-SPECKLED", 7).await;
    let r = c
        .post_json(
            "/api/cart/items",
            &json!({ "sku": "STONEWARE-BOWL-LARGE-SPECKLED", "quantity": 2 }),
        )
        .await;
    assert_eq!(r.status, 201);
    let cookie = r
        .header("set-cookie")
        .and_then(|s| s.split(';').next())
        .expect("cookie")
        .to_owned();
    let with_cookie = |c: &Client, method: Method, path: &str| {
        c.request(method, path).header("cookie", cookie.clone())
    };
    let r = c
        .send(
            with_cookie(&c, Method::POST, "/api/checkout")
                .json(&json!({ "email": "a@example.com" })),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["order_id"].as_str().expect("id").to_owned();

    // A hot SKU split over 3 buckets, one unit held by an order in its shopper's bucket.
    const HOT: &str = "CERAMIC-VASE-TALL-MATTE";
    let admin = |method: Method, body: Option<Value>| {
        let req = c
            .request(method, &format!("/admin/api/inventory/{HOT}"))
            .bearer_auth(integration_tests::ADMIN_TOKEN);
        match body {
            Some(b) => req.json(&b),
            None => req,
        }
    };
    let r = c
        .send(admin(
            Method::PUT,
            Some(json!({"on_hand": 3, "buckets": 3})),
        ))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let hot_shopper = Client::shopper_of(&first.base);
    hot_shopper.add(HOT, 1).await;
    let r = hot_shopper.checkout().await;
    assert_eq!(r.status, 201, "{}", r.body);
    let hot_order = r.json()["order_id"].as_str().expect("id").to_owned();
    let state = first.state_dir.clone();
    tokio::task::spawn_blocking(move || first.stop_worker())
        .await
        .expect("stop");

    let second = tokio::task::spawn_blocking(move || {
        Stack::start(Options {
            state_dir: Some(state),
            ..Options::default()
        })
        .unwrap_or_else(|e| panic!("{e}"))
    })
    .await
    .expect("restart");
    let c = second.client();
    let cart = c
        .send(with_cookie(&c, Method::GET, "/api/cart"))
        .await
        .json();
    assert_eq!(cart["lines"][0]["sku"], "STONEWARE-BOWL-LARGE-SPECKLED");
    assert_eq!(cart["lines"][0]["quantity"], 2);
    let s = c.stock("STONEWARE-BOWL-LARGE-SPECKLED").await;
    assert_eq!(
        (s["on_hand"].as_u64(), s["reserved"].as_u64()),
        (Some(7), Some(2)),
        "{s}"
    );
    assert_eq!(status_of(&c, &id).await, "awaiting_payment");

    // The split survives, and a runtime that has not learnt it yet (a fresh isolate) still
    // finds the hold: the order's expiry goes to the home shard, which sends it on to the
    // bucket, and the unit is free again.
    let hot = |c: &Client| {
        c.request(Method::GET, &format!("/admin/api/inventory/{HOT}"))
            .bearer_auth(integration_tests::ADMIN_TOKEN)
    };
    let v = c.send(hot(&c)).await.json();
    assert_eq!(v["buckets"].as_array().map(Vec::len), Some(3), "{v}");
    assert_eq!(
        (&v["reserved"], &v["available"]),
        (&json!(1), &json!(2)),
        "{v}"
    );
    let expired = event("checkout.session.expired", &hot_order);
    assert_eq!(signed(&c, &expired).await.status, 200);
    assert_eq!(status_of(&c, &hot_order).await, "expired");
    let v = c.send(hot(&c)).await.json();
    assert_eq!(
        (&v["reserved"], &v["available"]),
        (&json!(0), &json!(3)),
        "{v}"
    );
}

/// A cart is deleted once it has gone `CART_TTL_SECONDS` without a change, and not before: a
/// change after the alarm was set moves the deletion on (the alarm is set once, and looks at
/// the time of the last change when it fires).
#[tokio::test(flavor = "multi_thread")]
async fn abandoned_carts_are_deleted_after_their_ttl_without_a_change() {
    let stack = tokio::task::spawn_blocking(|| start(&[("CART_TTL_SECONDS", "3")]))
        .await
        .expect("start");
    let shopper = Client::shopper_of(&stack.base);
    shopper.add("CANVAS-TOTE-NATURAL", 1).await;
    tokio::time::sleep(Duration::from_millis(2_000)).await;
    // Taken before the change is sent: the cart records its change a little later, so the
    // deletion can come no sooner than 3 s after this.
    let changed = std::time::Instant::now();
    shopper.add("CANVAS-TOTE-NATURAL", 1).await;
    // Past the first alarm (3 s after the first add), but only 1.5 s after the last change.
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let cart = shopper.get("/api/cart").await.json();
    assert_eq!(cart["units"], 2, "deleted too early: {cart}");
    eventually("the abandoned cart to be deleted", WAIT, || async {
        let cart = shopper.get("/api/cart").await.json();
        (cart["units"] == 0).then_some(())
    })
    .await;
    assert!(
        changed.elapsed() >= Duration::from_secs(3),
        "deleted {:.1?} after the last change",
        changed.elapsed()
    );
}
