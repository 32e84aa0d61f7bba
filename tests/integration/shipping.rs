//! Shipping and taxes on the cart (issue 11): the destination, the rates on offer and the
//! totals in `GET /api/cart`, and `POST /api/cart/shipping` with its refusals.

use integration_tests::Client;
use reqwest::Method;
use serde_json::{json, Value};

async fn ship(c: &Client, body: Value) -> integration_tests::Reply {
    c.send(c.request(Method::POST, "/api/cart/shipping").json(&body))
        .await
}

/// The totals add up as documented, in minor units.
fn assert_adds_up(cart: &Value) {
    let t = &cart["totals"];
    let n = |k: &str| t[k].as_i64().unwrap_or_else(|| panic!("{k} in {t}"));
    let tax_on_top = if t["tax_included"] == json!(true) {
        0
    } else {
        n("tax")
    };
    assert_eq!(
        n("total"),
        n("subtotal") - n("discount") + n("shipping") + tax_on_top,
        "{t}"
    );
    assert_eq!(n("subtotal"), cart["subtotal"].as_i64().expect("subtotal"));
    assert!(["subtotal", "discount", "shipping", "tax", "total"]
        .iter()
        .all(|k| n(k) >= 0));
}

#[tokio::test]
async fn the_cart_is_quoted_for_a_country_and_a_rate_the_shopper_chooses() {
    let c = Client::shopper();
    c.add("ENAMEL-CAMP-MUG-CREAM", 1).await;
    let cart = c.get("/api/cart").await.json();
    // Without a choice: the request's country if the shop ships there, else Germany (the
    // demo shop's default); the cheapest rate.
    let country = cart["shipping"]["country"]
        .as_str()
        .expect("country")
        .to_owned();
    assert!(
        ["DE", "AT", "BE", "FR", "LU", "NL", "GB", "US"].contains(&country.as_str()),
        "{cart}"
    );
    let options = cart["shipping"]["options"]
        .as_array()
        .expect("options")
        .clone();
    assert!(options.len() >= 2, "{cart}");
    let cheapest = options.iter().filter_map(|o| o["amount"].as_i64()).min();
    assert_eq!(
        options
            .iter()
            .find(|o| o["id"] == cart["shipping"]["rate"])
            .and_then(|o| o["amount"].as_i64()),
        cheapest
    );
    assert_eq!(cart["totals"]["shipping"].as_i64(), cheapest);
    assert_adds_up(&cart);

    let r = ship(&c, json!({ "country": "FR", "rate": "express" })).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let fr = r.json();
    assert_eq!(fr["shipping"]["country"], "FR");
    assert_eq!(fr["shipping"]["rate"], "express");
    assert_eq!(fr["totals"]["shipping"], 2490);
    assert_eq!(
        fr["totals"]["tax_included"], true,
        "the demo's prices include VAT"
    );
    assert!(
        fr["totals"]["tax"].as_i64().expect("tax") > 0,
        "French VAT: {fr}"
    );
    assert_adds_up(&fr);
    assert_eq!(
        c.get("/api/cart").await.json()["shipping"],
        fr["shipping"],
        "kept"
    );

    // No rate: the cheapest for the new country.
    let r = ship(&c, json!({ "country": "GB" })).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["shipping"]["rate"], "standard");
    assert_eq!(r.json()["totals"]["shipping"], 1495);
}

#[tokio::test]
async fn bad_destinations_are_refused_and_change_nothing() {
    let c = Client::shopper();
    c.add("ENAMEL-CAMP-MUG-CREAM", 1).await;
    assert_eq!(ship(&c, json!({ "country": "NL" })).await.status, 200);
    let before = c.get("/api/cart").await.body;
    let cases = [
        (json!({ "country": "JP" }), 422, "unshippable_country"),
        (
            json!({ "country": "Netherlands" }),
            422,
            "unshippable_country",
        ),
        (
            json!({ "country": "NL", "rate": "overnight" }),
            422,
            "unknown_rate",
        ),
        (json!({ "country": 31 }), 400, "malformed_json"),
        (json!({ "rate": "standard" }), 400, "malformed_json"),
        (json!({ "country": "NL", "rate": 2 }), 400, "malformed_json"),
        (json!(["NL"]), 400, "malformed_json"),
    ];
    for (body, status, code) in cases {
        let r = ship(&c, body.clone()).await;
        assert_eq!(
            (r.status, r.json()["error"].clone()),
            (status, json!(code)),
            "{body}: {}",
            r.body
        );
    }
    let r = c
        .send(
            c.request(Method::POST, "/api/cart/shipping")
                .body("{\"country\": "),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        c.get("/api/cart").await.body,
        before,
        "the cart is as it was"
    );
}

#[tokio::test]
async fn a_new_shopper_can_choose_a_destination_first() {
    let c = Client::shopper();
    let r = ship(&c, json!({ "country": "US", "rate": "express" })).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.header("set-cookie").is_some(), "a cart is made for them");
    c.add("ENAMEL-CAMP-MUG-CREAM", 1).await;
    let cart = c.get("/api/cart").await.json();
    assert_eq!(cart["shipping"]["country"], "US");
    assert_eq!(cart["totals"]["shipping"], 4495);
    assert_adds_up(&cart);
}

#[tokio::test]
async fn the_cart_page_form_sets_the_destination_and_refuses_what_the_api_refuses() {
    let c = Client::shopper();
    c.add("ENAMEL-CAMP-MUG-CREAM", 1).await;
    let r = c
        .post_form("/cart/shipping", &[("country", "GB"), ("rate", "express")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.header("location"), Some("/cart"));
    let cart = c.get("/api/cart").await.json();
    assert_eq!(
        (&cart["shipping"]["country"], &cart["shipping"]["rate"]),
        (&json!("GB"), &json!("express"))
    );
    let page = c.get("/cart").await;
    page.assert_contains("<option value=\"GB\" selected");
    page.assert_contains("value=\"express\" checked");

    let before = c.get("/api/cart").await.body;
    for (fields, status, says) in [
        (vec![("country", "JP")], 422, "JP"),
        (
            vec![("country", "GB"), ("rate", "overnight")],
            422,
            "overnight",
        ),
        (vec![], 422, "ship"),
    ] {
        let r = c.post_form("/cart/shipping", &fields).await;
        assert_eq!(r.status, status, "{fields:?}: {}", r.body);
        // The cart page again, with the problem in words.
        r.assert_contains("role=\"alert\"");
        r.assert_contains(says);
    }
    assert_eq!(c.get("/api/cart").await.body, before, "nothing changed");
}
