//! Checkout with shipping and tax (issue 11): the session charges what the cart quoted, the
//! payment page collects the address, the order keeps it with its breakdown, a payment of
//! another amount is flagged, and a refund gives back what was paid.

use crate::checkout::{order, wait_status};
use integration_tests::{
    deliver_webhook, pay, sandbox, server, Client, Gateway, Options, Stack, ADMIN_TOKEN,
};
use reqwest::Method;
use serde_json::{json, Value};

const MUG: &str = "ENAMEL-CAMP-MUG-CREAM";

async fn admin(c: &Client, method: Method, path: &str, body: Option<&Value>) -> Value {
    let mut req = c.request(method, path).bearer_auth(ADMIN_TOKEN);
    if let Some(b) = body {
        req = req.json(b);
    }
    let r = c.send(req).await;
    assert!(r.status < 300, "{path}: {} {}", r.status, r.body);
    r.json()
}

/// The order's row in the merchant's order list.
async fn listed(merchant: &Client, id: &str) -> Value {
    let list = admin(merchant, Method::GET, "/admin/api/orders?limit=100", None).await;
    list["orders"]
        .as_array()
        .and_then(|a| a.iter().find(|r| r["id"] == id))
        .cloned()
        .unwrap_or_else(|| panic!("{id} is not listed: {list}"))
}

async fn session_of(gateway: &Gateway, order_id: &str) -> Value {
    let all = sandbox(gateway, Method::GET, "/_sandbox/sessions", None).await;
    all.as_array()
        .and_then(|a| a.iter().find(|s| s["metadata"]["order_id"] == order_id))
        .cloned()
        .unwrap_or_else(|| panic!("no session for {order_id}: {all}"))
}

/// A shopper with `qty` mugs in the cart, shipping to `country` by `rate`; the quoted cart.
async fn quoted(c: &Client, qty: u32, country: &str, rate: &str) -> Value {
    c.add(MUG, qty).await;
    let r = c
        .post_json(
            "/api/cart/shipping",
            &json!({"country": country, "rate": rate}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
}

fn placed(r: &integration_tests::Reply) -> String {
    assert_eq!(r.status, 201, "{}", r.body);
    r.json()["order_id"].as_str().expect("order id").to_owned()
}

#[tokio::test]
async fn the_order_is_charged_what_the_cart_quoted_and_keeps_the_address() {
    let merchant = Client::new();
    merchant.set_stock(MUG, 50).await;
    let c = Client::shopper();
    let cart = quoted(&c, 2, "FR", "express").await;
    let totals = cart["totals"].clone();
    assert_eq!(totals["shipping"], 2490, "{cart}");
    assert_eq!(
        totals["total"],
        2 * 1200 + 2490,
        "prices include VAT: {totals}"
    );

    let id = placed(&c.checkout().await);
    let o = order(&c, &id).await;
    assert_eq!(o["total"], totals["total"]);
    assert_eq!(o["totals"], totals, "the order keeps the breakdown");
    assert_eq!(
        (&o["shipping"]["country"], &o["shipping"]["rate"]),
        (&json!("FR"), &json!("express"))
    );

    // The session charges the same, and asks for an address in France only.
    let gateway = &server().gateway;
    let s = session_of(gateway, &id).await;
    assert_eq!(s["amount_total"], totals["total"], "{s}");
    assert_eq!(
        s["shipping_address_collection"]["allowed_countries"],
        json!(["FR"])
    );
    assert_eq!(s["total_details"]["amount_shipping"], 2490);
    assert_eq!(s["total_details"]["amount_tax"], totals["tax"]);

    pay(gateway, &id).await;
    let o = wait_status(&c, &id, "paid").await;
    let address = &o["shipping"]["address"];
    assert_eq!(address["country"], "FR", "{o}");
    let line1 = address["line1"].as_str().expect("line1").to_owned();
    let page = c.get(&format!("/orders/{id}")).await;
    page.assert_contains(&line1);
    page.assert_contains("Express");

    let full = admin(
        &merchant,
        Method::GET,
        &format!("/admin/api/orders/{id}"),
        None,
    )
    .await;
    assert_eq!(full["amount_paid"], totals["total"]);
    let row = listed(&merchant, &id).await;
    assert_eq!(
        (&row["country"], &row["shipping"]),
        (&json!("FR"), &json!(2490))
    );

    // A refund gives back what was paid: the goods and the shipping.
    let path = format!("/admin/api/orders/{id}/refund");
    admin(
        &merchant,
        Method::POST,
        &path,
        Some(&json!({"restock": true})),
    )
    .await;
    let refunds = sandbox(gateway, Method::GET, "/_sandbox/refunds", None).await;
    let mine: Vec<&Value> = refunds
        .as_array()
        .expect("refunds")
        .iter()
        .filter(|r| r["payment_intent"] == full["payment_intent"])
        .collect();
    assert_eq!(mine.len(), 1, "{refunds}");
    assert_eq!(mine[0]["amount"], totals["total"]);
}

#[tokio::test]
async fn a_payment_of_another_amount_is_flagged_for_the_merchant() {
    let merchant = Client::new();
    merchant.set_stock(MUG, 50).await;
    let c = Client::shopper();
    quoted(&c, 1, "NL", "standard").await;
    let id = placed(&c.checkout().await);
    let total = order(&c, &id).await["total"].as_i64().expect("total");
    let session = session_of(&server().gateway, &id).await;
    let event = json!({
        "id": "evt_mismatch",
        "type": "checkout.session.completed",
        "data": {"object": {
            "id": session["id"],
            "client_reference_id": id,
            "metadata": {"order_id": id},
            "payment_status": "paid",
            "payment_intent": "pi_mismatch",
            "amount_total": total - 500,
            "shipping_details": {"name": "Ada", "address": {
                "line1": "Damrak 1", "city": "Amsterdam", "postal_code": "1012 LG",
                "country": "NL"}}
        }}
    });
    let r = deliver_webhook(&c, &serde_json::to_vec(&event).expect("json")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let o = wait_status(&c, &id, "paid").await;
    assert_eq!(o["total"], total, "the order's total is not rewritten");
    let full = admin(
        &merchant,
        Method::GET,
        &format!("/admin/api/orders/{id}"),
        None,
    )
    .await;
    assert_eq!(
        full["amount_paid"],
        total - 500,
        "recorded, not silently accepted"
    );
    let row = listed(&merchant, &id).await;
    assert_eq!(row["amount_paid"], total - 500);
    assert_ne!(row["amount_paid"], row["total"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn prices_without_tax_are_charged_with_a_tax_line() {
    // Its own stack: the settings change for every shopper.
    let stack = tokio::task::spawn_blocking(|| {
        Stack::start(Options::default()).unwrap_or_else(|e| panic!("{e}"))
    })
    .await
    .expect("start");
    let merchant = stack.client();
    let mut settings = admin(&merchant, Method::GET, "/admin/api/settings", None).await;
    settings["tax"]["prices_include_tax"] = json!(false);
    for rate in settings["tax"]["rates"].as_array_mut().expect("rates") {
        if rate["country"] == "US" {
            rate["basis_points"] = json!(725);
            rate["shipping_taxed"] = json!(true);
        }
    }
    admin(
        &merchant,
        Method::PUT,
        "/admin/api/settings",
        Some(&settings),
    )
    .await;
    merchant.set_stock(MUG, 50).await;

    let c = Client::shopper_of(&stack.base);
    let cart = quoted(&c, 3, "US", "standard").await;
    let t = &cart["totals"];
    assert_eq!(t["tax_included"], false, "{cart}");
    // 7.25 % of the goods (3 600) and of shipping (1 995), each rounded half up.
    assert_eq!(t["tax"], 261 + 145, "{t}");
    assert_eq!(t["total"], 3600 + 1995 + 261 + 145);

    let id = placed(&c.checkout().await);
    let o = order(&c, &id).await;
    assert_eq!(o["total"], t["total"]);
    let s = session_of(&stack.gateway, &id).await;
    assert_eq!(
        s["amount_total"], t["total"],
        "the tax is a line of its own: {s}"
    );
    assert_eq!(s["total_details"]["amount_tax"], t["tax"]);
    assert_eq!(
        s["shipping_address_collection"]["allowed_countries"],
        json!(["US"])
    );
}
