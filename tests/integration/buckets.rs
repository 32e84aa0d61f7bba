//! A hot SKU's stock split over bucket objects (issue 13) against the real runtime: 200
//! concurrent checkouts of 50 units over 4 buckets make exactly 50 orders (the last units
//! borrowed between buckets), the merchant's view of the buckets, changing and merging the
//! split, and the refusals.

use integration_tests::{Client, Reply, ADMIN_TOKEN};
use reqwest::Method;
use serde_json::{json, Value};

async fn admin(method: Method, path: &str, body: Option<&Value>) -> Reply {
    let c = Client::new();
    let mut req = c.request(method, path).bearer_auth(ADMIN_TOKEN);
    if let Some(b) = body {
        req = req.json(b);
    }
    c.send(req).await
}

async fn set(sku: &str, body: Value) -> Reply {
    admin(
        Method::PUT,
        &format!("/admin/api/inventory/{sku}"),
        Some(&body),
    )
    .await
}

async fn view(sku: &str) -> Value {
    let r = admin(Method::GET, &format!("/admin/api/inventory/{sku}"), None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
}

/// The buckets' figures, and that they add up to the totals.
fn buckets_of(v: &Value) -> Vec<(u64, u64, u64)> {
    let none = Vec::new();
    let buckets: Vec<(u64, u64, u64)> = v["buckets"]
        .as_array()
        .unwrap_or(&none)
        .iter()
        .map(|b| {
            let n = |k: &str| b[k].as_u64().expect("a count");
            (n("on_hand"), n("reserved"), n("available"))
        })
        .collect();
    if !buckets.is_empty() {
        let sum = |f: fn(&(u64, u64, u64)) -> u64| buckets.iter().map(f).sum::<u64>();
        assert_eq!(sum(|b| b.0), v["on_hand"].as_u64().expect("on_hand"), "{v}");
        assert_eq!(
            sum(|b| b.1),
            v["reserved"].as_u64().expect("reserved"),
            "{v}"
        );
        assert_eq!(
            sum(|b| b.2),
            v["available"].as_u64().expect("available"),
            "{v}"
        );
    }
    buckets
}

#[tokio::test]
async fn two_hundred_concurrent_checkouts_of_fifty_units_over_four_buckets_make_fifty_orders() {
    const SKU: &str = "CERAMIC-VASE-TALL-GLOSS";
    let r = set(SKU, json!({"on_hand": 50, "buckets": 4})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert_eq!(
        buckets_of(&v),
        vec![(13, 0, 13), (13, 0, 13), (12, 0, 12), (12, 0, 12)],
        "{v}"
    );

    let mut shoppers = Vec::new();
    for _ in 0..200 {
        let c = Client::shopper();
        c.add(SKU, 1).await;
        shoppers.push(c);
    }
    let tasks: Vec<_> = shoppers
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            tokio::spawn(async move {
                c.post_json(
                    "/api/checkout",
                    &json!({"email": format!("vase{i}@example.com")}),
                )
                .await
            })
        })
        .collect();
    let mut statuses = std::collections::BTreeMap::<u16, u32>::new();
    for t in tasks {
        let r = t.await.expect("task");
        if r.status == 409 {
            assert_eq!(r.json()["error"], "out_of_stock", "{}", r.body);
        }
        *statuses.entry(r.status).or_default() += 1;
    }
    assert_eq!(statuses.get(&201), Some(&50), "{statuses:?}");
    assert_eq!(statuses.get(&409), Some(&150), "{statuses:?}");

    // Every unit is held by an order, spread over the buckets that sold them; none is left.
    let v = view(SKU).await;
    assert_eq!(
        (&v["on_hand"], &v["reserved"], &v["available"]),
        (&json!(50), &json!(50), &json!(0)),
        "{v}"
    );
    assert_eq!(buckets_of(&v).len(), 4);

    // While units are held, the number of buckets stays; the stock itself can still change.
    let r = set(SKU, json!({"on_hand": 60, "buckets": 2})).await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(r.json()["error"], "stock_in_use", "{}", r.body);
    assert_eq!(r.json()["held"], 50, "{}", r.body);
    let r = set(SKU, json!({"on_hand": 60})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert_eq!(
        (&v["on_hand"], &v["available"]),
        (&json!(60), &json!(10)),
        "{v}"
    );
    for (on_hand, reserved, _) in buckets_of(&v) {
        assert!(
            on_hand >= reserved,
            "every bucket still covers its holds: {v}"
        );
    }
}

#[tokio::test]
async fn a_split_sku_sells_its_last_units_from_any_bucket_and_merges_back() {
    const SKU: &str = "CANVAS-TOTE-BLACK";
    let r = set(SKU, json!({"on_hand": 3, "buckets": 3})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(buckets_of(&r.json()), vec![(1, 0, 1); 3]);

    // One shopper buys all three: its bucket has one and borrows the other two.
    let c = Client::shopper();
    c.add(SKU, 3).await;
    let r = c
        .post_json("/api/checkout", &json!({"email": "tote@example.com"}))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let v = view(SKU).await;
    assert_eq!(
        (&v["reserved"], &v["available"]),
        (&json!(3), &json!(0)),
        "{v}"
    );
    let held: Vec<u64> = buckets_of(&v).iter().map(|b| b.1).collect();
    assert_eq!(
        held.iter().filter(|n| **n == 3).count(),
        1,
        "one bucket holds the order: {v}"
    );

    // Sold out everywhere: the next shopper is refused.
    let late = Client::shopper();
    let add = late
        .post_json("/api/cart/items", &json!({"sku": SKU, "quantity": 1}))
        .await;
    assert_eq!(add.status, 409, "{}", add.body);
    assert_eq!(add.json()["error"], "out_of_stock", "{}", add.body);
    let page = Client::new()
        .get("/products/canvas-tote?variant=CANVAS-TOTE-BLACK")
        .await;
    page.assert_contains("Sold out");

    // The merchant cannot merge while units are held; a new SKU merges freely.
    let r = set(SKU, json!({"on_hand": 5, "buckets": 1})).await;
    assert_eq!(r.status, 409, "{}", r.body);
    const OTHER: &str = "CERAMIC-VASE-SHORT-MATTE";
    assert_eq!(
        set(OTHER, json!({"on_hand": 9, "buckets": 4})).await.status,
        200
    );
    let r = set(OTHER, json!({"on_hand": 7, "buckets": 1})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert_eq!(
        (&v["on_hand"], &v["available"]),
        (&json!(7), &json!(7)),
        "{v}"
    );
    assert_eq!(buckets_of(&v), vec![]);
    // And sells from its home shard again.
    let c = Client::shopper();
    c.add(OTHER, 7).await;
    let r = c
        .post_json("/api/checkout", &json!({"email": "vase@example.com"}))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(view(OTHER).await["available"], 0);
}

#[tokio::test]
async fn bad_bucket_counts_are_refused_and_change_nothing() {
    const SKU: &str = "BRASS-PENCIL-POLISHED";
    assert_eq!(set(SKU, json!({"on_hand": 8})).await.status, 200);
    for bad in [json!(0), json!(65), json!("four"), json!(-1), json!(2.5)] {
        let r = set(SKU, json!({"on_hand": 20, "buckets": bad})).await;
        assert_eq!(r.status, 400, "{bad}: {}", r.body);
        assert_eq!(r.json()["error"], "bad_buckets", "{}", r.body);
    }
    let v = view(SKU).await;
    assert_eq!(v["on_hand"], 8, "{v}");
    assert!(v.get("buckets").is_none(), "not split: {v}");
    let r = Client::new()
        .send(
            Client::new()
                .request(Method::PUT, &format!("/admin/api/inventory/{SKU}"))
                .json(&json!({"on_hand": 1, "buckets": 2})),
        )
        .await;
    assert_eq!(r.status, 401, "{}", r.body);
    assert_eq!(view(SKU).await["on_hand"], 8);
}
