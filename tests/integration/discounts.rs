//! Discount codes (issue 12) against the real runtime: the merchant API and its refusals, the
//! shopper's errors exactly as the issue names them, 30 shoppers racing for 3 uses, an expired
//! order giving its use back, and the session charging the discounted total.

use crate::checkout::wait_status;
use integration_tests::{pay, sandbox, server, Client, Reply, ADMIN_TOKEN, SECRET_KEY};
use reqwest::Method;
use serde_json::{json, Value};

const MUG: &str = "ENAMEL-CAMP-MUG-CREAM";

/// A code no other test uses: `prefix` and the time in hex (codes are shop-wide).
fn fresh(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{prefix}-{:X}", nanos % 0xFFFF_FFFF_FFFF)
}

async fn admin(c: &Client, method: Method, path: &str, body: Option<&Value>) -> Reply {
    let mut req = c.request(method, path).bearer_auth(ADMIN_TOKEN);
    if let Some(b) = body {
        req = req.json(b);
    }
    c.send(req).await
}

/// Creates `body` as a new code, asserting 201.
async fn create(body: Value) -> Value {
    let r = admin(
        &Client::new(),
        Method::POST,
        "/admin/api/discounts",
        Some(&body),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.json()
}

/// The code's row in the merchant's list.
async fn listed(code: &str) -> Value {
    let r = admin(&Client::new(), Method::GET, "/admin/api/discounts", None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["discounts"]
        .as_array()
        .and_then(|a| a.iter().find(|d| d["code"] == code).cloned())
        .unwrap_or_else(|| panic!("{code} is not listed: {}", r.body))
}

/// A shopper with `qty` mugs, shipping to Germany (free over €50).
async fn shopper(qty: u32) -> Client {
    let c = Client::shopper();
    c.add(MUG, qty).await;
    let r = c
        .post_json("/api/cart/shipping", &json!({"country": "DE"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    c
}

async fn apply(c: &Client, code: &str) -> Reply {
    c.post_json("/api/cart/discount", &json!({ "code": code }))
        .await
}

async fn checkout_as(c: &Client, email: &str) -> Reply {
    c.post_json("/api/checkout", &json!({ "email": email }))
        .await
}

fn assert_error(r: &Reply, status: u16, code: &str) {
    assert_eq!(r.status, status, "{}", r.body);
    assert_eq!(r.json()["error"], code, "{}", r.body);
}

#[tokio::test]
async fn the_merchant_api_creates_lists_changes_and_disables_codes_and_refuses_bad_ones() {
    let code = fresh("TEN");
    let c = Client::new();
    let made = create(
        json!({"code": code.to_lowercase(), "kind": "percent", "value": 1000,
        "usage_limit": 5, "starts_at": "2026-01-01", "collections": ["kitchen"]}),
    )
    .await;
    assert_eq!(made["code"], code.as_str(), "codes are upper case: {made}");
    assert_eq!((&made["redeemed"], &made["held"]), (&json!(0), &json!(0)));

    let again = admin(
        &c,
        Method::POST,
        "/admin/api/discounts",
        Some(&json!({"code": code, "kind": "fixed", "value": 500})),
    )
    .await;
    assert_error(&again, 409, "code_exists");
    for (body, field) in [
        (
            json!({"code": "x!", "kind": "percent", "value": 10}),
            "code",
        ),
        (
            json!({"code": fresh("BAD"), "kind": "percent", "value": 0}),
            "value",
        ),
        (
            json!({"code": fresh("BAD"), "kind": "percent", "value": 10001}),
            "value",
        ),
        (
            json!({"code": fresh("BAD"), "kind": "fixed", "value": 500,
            "starts_at": "2026-02-01", "ends_at": "2026-01-01"}),
            "ends_at",
        ),
    ] {
        let r = admin(&c, Method::POST, "/admin/api/discounts", Some(&body)).await;
        assert_error(&r, 400, "invalid_discount");
        assert_eq!(r.json()["field"], field, "{}", r.body);
    }
    let r = admin(
        &c,
        Method::POST,
        "/admin/api/discounts",
        Some(&json!({"code": fresh("BAD"), "kind": "bogus"})),
    )
    .await;
    assert_error(&r, 400, "malformed_json");
    let r = c
        .send(
            c.request(Method::POST, "/admin/api/discounts")
                .json(&json!({})),
        )
        .await;
    assert_eq!(r.status, 401, "no token, no codes");

    let path = format!("/admin/api/discounts/{code}");
    let r = admin(
        &c,
        Method::PUT,
        &path,
        Some(&json!({"kind": "fixed", "value": 700, "usage_limit": 5})),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        (&r.json()["kind"], &r.json()["value"]),
        (&json!("fixed"), &json!(700))
    );
    let r = admin(
        &c,
        Method::PUT,
        &format!("/admin/api/discounts/{}", fresh("NONE")),
        Some(&json!({"kind": "fixed", "value": 700})),
    )
    .await;
    assert_error(&r, 404, "unknown_code");

    let r = admin(&c, Method::DELETE, &path, None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(listed(&code).await["disabled"], true);
    let s = shopper(1).await;
    assert_error(&apply(&s, &code).await, 409, "code_not_active");
}

#[tokio::test]
async fn a_shopper_applies_a_code_and_gets_each_refusal_the_issue_names() {
    let ten = fresh("WELCOME");
    create(json!({"code": ten, "kind": "percent", "value": 1000})).await;
    let c = shopper(3).await;
    let before = c.get("/api/cart").await.json()["totals"]["total"].clone();

    // Lower case works; the cart answers with the code and the new totals.
    let r = apply(&c, &ten.to_lowercase()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let cart = r.json();
    assert_eq!(cart["discount"]["code"], ten.as_str(), "{cart}");
    let amount = cart["discount"]["amount"].as_i64().expect("amount");
    assert!(amount > 0, "{cart}");
    assert_eq!(cart["totals"]["discount"], amount);
    assert_eq!(
        cart["totals"]["total"].as_i64(),
        before.as_i64().map(|t| t - amount),
        "{cart}"
    );
    let r = c.delete("/api/cart/discount").await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.json()["discount"].is_null(), "{}", r.body);
    assert_eq!(r.json()["totals"]["total"], before);

    assert_error(&apply(&c, &fresh("NOPE")).await, 404, "unknown_code");
    assert_error(&apply(&c, "a").await, 404, "unknown_code");
    let later = fresh("LATER");
    create(json!({"code": later, "kind": "fixed", "value": 100, "starts_at": "2099-01-01"})).await;
    assert_error(&apply(&c, &later).await, 409, "code_not_active");
    let over = fresh("OVER");
    create(json!({"code": over, "kind": "fixed", "value": 100, "ends_at": 1_000_000_000})).await;
    assert_error(&apply(&c, &over).await, 409, "code_not_active");
    let big = fresh("BIG");
    create(json!({"code": big, "kind": "fixed", "value": 100, "min_subtotal": 1_000_000})).await;
    let r = apply(&c, &big).await;
    assert_error(&r, 409, "below_minimum");
    assert_eq!(r.json()["minimum"], 1_000_000);
    let once = fresh("ONCE");
    create(json!({"code": once, "kind": "fixed", "value": 100, "usage_limit": 1})).await;
    let first = shopper(1).await;
    assert_eq!(apply(&first, &once).await.status, 200);
    assert_eq!(checkout_as(&first, "first@example.com").await.status, 201);
    assert_error(&apply(&c, &once).await, 409, "code_exhausted");
    let mine = fresh("MINE");
    create(json!({"code": mine, "kind": "free_shipping", "once_per_email": true})).await;
    let a = shopper(1).await;
    assert_eq!(apply(&a, &mine).await.status, 200);
    assert_eq!(checkout_as(&a, "same@example.com").await.status, 201);
    let b = shopper(1).await;
    assert_eq!(apply(&b, &mine).await.status, 200);
    assert_error(
        &checkout_as(&b, "Same@Example.com").await,
        409,
        "code_already_used",
    );

    // Bad input: precise 400s, and the cart keeps what it had.
    let r = c.post_json("/api/cart/discount", &json!({"code": 5})).await;
    assert_error(&r, 400, "malformed_json");
    let r = c
        .send(
            c.request(Method::POST, "/api/cart/discount")
                .header("content-type", "application/json")
                .body("{not json"),
        )
        .await;
    assert_error(&r, 400, "malformed_json");
    assert_eq!(c.get("/api/cart").await.json()["totals"]["total"], before);
}

#[tokio::test]
async fn thirty_shoppers_race_for_three_uses_and_exactly_three_orders_carry_the_code() {
    let code = fresh("RACE");
    create(json!({"code": code, "kind": "fixed", "value": 300, "usage_limit": 3})).await;
    Client::new().set_stock(MUG, 500).await;
    let mut shoppers = Vec::new();
    for _ in 0..30 {
        let c = shopper(1).await;
        let r = apply(&c, &code).await;
        assert_eq!(r.status, 200, "nothing is held before checkout: {}", r.body);
        shoppers.push(c);
    }
    let tasks: Vec<_> = shoppers
        .iter()
        .cloned()
        .enumerate()
        .map(|(i, c)| {
            tokio::spawn(async move { checkout_as(&c, &format!("racer{i}@example.com")).await })
        })
        .collect();
    let mut replies = Vec::new();
    for t in tasks {
        replies.push(t.await.expect("task"));
    }
    let placed: Vec<&Reply> = replies.iter().filter(|r| r.status == 201).collect();
    assert_eq!(
        placed.len(),
        3,
        "{:?}",
        replies.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    for r in replies.iter().filter(|r| r.status != 201) {
        assert_error(r, 409, "code_exhausted");
    }
    let admin_client = Client::new();
    for r in placed {
        let id = r.json()["order_id"].as_str().expect("id").to_owned();
        let o = admin(
            &admin_client,
            Method::GET,
            &format!("/admin/api/orders/{id}"),
            None,
        )
        .await
        .json();
        assert_eq!(o["discount"]["code"], code.as_str(), "{o}");
        assert_eq!(o["charges"]["discount"], 300, "{o}");
    }
    let row = listed(&code).await;
    assert_eq!(
        (&row["redeemed"], &row["held"]),
        (&json!(0), &json!(3)),
        "{row}"
    );
}

#[tokio::test]
async fn an_expired_order_gives_its_use_back_and_a_paid_one_redeems_it_at_the_discounted_total() {
    let code = fresh("BACK");
    create(json!({"code": code, "kind": "percent", "value": 2000, "usage_limit": 1})).await;
    let a = shopper(2).await;
    assert_eq!(apply(&a, &code).await.status, 200);
    let r = checkout_as(&a, "a@example.com").await;
    assert_eq!(r.status, 201, "{}", r.body);
    let held = r.json()["order_id"].as_str().expect("id").to_owned();
    let b = shopper(2).await;
    assert_error(&apply(&b, &code).await, 409, "code_exhausted");

    // The payment page expires (Stripe sends checkout.session.expired): the use comes back.
    let gateway = &server().gateway;
    let sessions = sandbox(gateway, Method::GET, "/_sandbox/sessions", None).await;
    let sid = sessions
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|s| s["metadata"]["order_id"] == held.as_str())
        })
        .and_then(|s| s["id"].as_str())
        .expect("session")
        .to_owned();
    let expired = reqwest::Client::new()
        .post(gateway.url(&format!("/v1/checkout/sessions/{sid}/expire")))
        .bearer_auth(SECRET_KEY)
        .send()
        .await
        .expect("expire");
    assert!(expired.status().is_success());
    wait_status(&a, &held, "expired").await;
    assert_eq!(listed(&code).await["held"], 0);

    let r = apply(&b, &code).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let quoted = r.json()["totals"]["total"].clone();
    let r = checkout_as(&b, "b@example.com").await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["order_id"].as_str().expect("id").to_owned();
    let session = sandbox(gateway, Method::GET, "/_sandbox/sessions", None).await;
    let session = session
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|s| s["metadata"]["order_id"] == id.as_str())
                .cloned()
        })
        .expect("session");
    assert_eq!(
        session["amount_total"], quoted,
        "the session charges the discounted total"
    );
    pay(gateway, &id).await;
    let o = wait_status(&b, &id, "paid").await;
    assert_eq!(o["total"], quoted);
    assert_eq!(o["discount"]["code"], code.as_str(), "{o}");
    let row = listed(&code).await;
    assert_eq!(
        (&row["redeemed"], &row["held"]),
        (&json!(1), &json!(0)),
        "{row}"
    );
}
