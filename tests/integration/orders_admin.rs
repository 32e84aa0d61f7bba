use integration_tests::{eventually, pay, sandbox, server, Client, ADMIN_TOKEN};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;

async fn admin(
    c: &Client,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> integration_tests::Reply {
    let mut req = c.request(method, path).bearer_auth(ADMIN_TOKEN);
    if let Some(b) = body {
        req = req.json(&b);
    }
    c.send(req).await
}

/// A paid order of `qty` units of `sku`; its id.
async fn paid_order(sku: &str, qty: u32) -> String {
    let shopper = Client::shopper();
    shopper.add(sku, qty).await;
    let id = shopper.checkout().await.json()["order_id"]
        .as_str()
        .expect("id")
        .to_owned();
    pay(&server().gateway, &id).await;
    let c = Client::new();
    eventually("paid", Duration::from_secs(20), || async {
        (c.get(&format!("/api/orders/{id}")).await.json()["status"] == "paid").then_some(())
    })
    .await;
    id
}

#[tokio::test]
async fn merchants_list_fulfil_and_refund_orders() {
    const SKU: &str = "INSULATED-BOTTLE-500-ML-TEAL-SPORT";
    let c = Client::new();
    c.set_stock(SKU, 10).await;
    let id = paid_order(SKU, 2).await;
    let second = paid_order(SKU, 1).await;
    assert_eq!(c.stock(SKU).await["on_hand"], 7);

    let list = admin(
        &c,
        Method::GET,
        "/admin/api/orders?status=paid&limit=100",
        None,
    )
    .await;
    assert_eq!(list.status, 200, "{}", list.body);
    let ids: Vec<String> = list.json()["orders"]
        .as_array()
        .expect("orders")
        .iter()
        .map(|o| o["id"].as_str().unwrap_or("").to_owned())
        .collect();
    assert!(ids.contains(&id) && ids.contains(&second), "{ids:?}");
    // Pages: one at a time, following the cursor, never repeating an order.
    let first_page = admin(&c, Method::GET, "/admin/api/orders?limit=1", None)
        .await
        .json();
    let cursor = first_page["next_cursor"]
        .as_str()
        .expect("a next page")
        .to_owned();
    let next_page = admin(
        &c,
        Method::GET,
        &format!("/admin/api/orders?limit=1&cursor={cursor}"),
        None,
    )
    .await
    .json();
    assert_ne!(first_page["orders"][0]["id"], next_page["orders"][0]["id"]);
    for bad in ["status=shipped", "cursor=garbage", "limit=0", "limit=1000"] {
        let r = admin(&c, Method::GET, &format!("/admin/api/orders?{bad}"), None).await;
        assert_eq!(r.status, 400, "{bad}: {}", r.body);
    }

    let order = admin(&c, Method::GET, &format!("/admin/api/orders/{id}"), None)
        .await
        .json();
    assert_eq!(order["status"], "paid");
    assert!(
        order["payment_intent"]
            .as_str()
            .is_some_and(|p| p.starts_with("pi_")),
        "{order}"
    );

    for _ in 0..2 {
        let r = admin(
            &c,
            Method::POST,
            &format!("/admin/api/orders/{id}/fulfil"),
            None,
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.json()["status"], "fulfilled");
    }

    // Refund with restock, twice: one refund at the gateway, units back once.
    let r = admin(
        &c,
        Method::POST,
        &format!("/admin/api/orders/{id}/refund"),
        Some(json!({ "restock": true })),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let j = r.json();
    assert_eq!(j["order"]["status"], "refunded");
    assert_eq!(j["restocked"], true);
    let refund_id = j["order"]["refund_id"].clone();
    let again = admin(
        &c,
        Method::POST,
        &format!("/admin/api/orders/{id}/refund"),
        Some(json!({ "restock": true })),
    )
    .await
    .json();
    assert_eq!(again["order"]["refund_id"], refund_id);
    assert_eq!(again["restocked"], false);
    assert_eq!(c.stock(SKU).await["on_hand"], 9, "two units back, once");
    let refunds = sandbox(&server().gateway, Method::GET, "/_sandbox/refunds", None).await;
    let pi = order["payment_intent"].as_str().unwrap_or_default();
    let mine: Vec<&Value> = refunds
        .as_array()
        .expect("refunds")
        .iter()
        .filter(|r| r["payment_intent"] == pi)
        .collect();
    assert_eq!(mine.len(), 1, "{refunds}");
    // What was paid: the goods (2 × €28.00) and whatever shipping and tax the order carried.
    assert_eq!(mine[0]["amount"], order["total"]);
    assert!(order["total"].as_i64() >= Some(5600), "{order}");
    c.get(&format!("/orders/{id}"))
        .await
        .assert_contains("This order was refunded");

    // Refund without restock leaves the stock alone.
    let r = admin(
        &c,
        Method::POST,
        &format!("/admin/api/orders/{second}/refund"),
        None,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["restocked"], false);
    assert_eq!(c.stock(SKU).await["on_hand"], 9);

    // Bad requests change nothing.
    let r = admin(
        &c,
        Method::POST,
        &format!("/admin/api/orders/{second}/refund"),
        Some(json!({ "restock": "yes" })),
    )
    .await;
    assert_eq!(r.status, 400);
    let missing = format!("ord_{}", "f".repeat(32));
    let r = admin(
        &c,
        Method::POST,
        &format!("/admin/api/orders/{missing}/fulfil"),
        None,
    )
    .await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["error"], "unknown_order");
}

#[tokio::test]
async fn unpaid_orders_cannot_be_fulfilled_or_refunded() {
    let c = Client::new();
    c.set_stock("INSULATED-BOTTLE-500-ML-STEEL-SCREW", 5).await;
    let shopper = Client::shopper();
    shopper.add("INSULATED-BOTTLE-500-ML-STEEL-SCREW", 1).await;
    let id = shopper.checkout().await.json()["order_id"]
        .as_str()
        .expect("id")
        .to_owned();
    for action in ["fulfil", "refund"] {
        let r = admin(
            &c,
            Method::POST,
            &format!("/admin/api/orders/{id}/{action}"),
            None,
        )
        .await;
        assert_eq!(r.status, 409, "{action}: {}", r.body);
        assert_eq!(r.json()["error"], "not_paid");
    }
    assert_eq!(
        c.get(&format!("/api/orders/{id}")).await.json()["status"],
        "awaiting_payment"
    );
}

#[tokio::test]
async fn order_admin_needs_the_token() {
    let c = Client::new();
    let id = format!("ord_{}", "a".repeat(32));
    for (method, path) in [
        (Method::GET, "/admin/api/orders".to_owned()),
        (Method::GET, format!("/admin/api/orders/{id}")),
        (Method::POST, format!("/admin/api/orders/{id}/fulfil")),
        (Method::POST, format!("/admin/api/orders/{id}/refund")),
    ] {
        for auth in [None, Some("Bearer wrong")] {
            let mut req = c.request(method.clone(), &path);
            if let Some(a) = auth {
                req = req.header("authorization", a);
            }
            assert_eq!(c.send(req).await.status, 401, "{method} {path} {auth:?}");
        }
    }
}
