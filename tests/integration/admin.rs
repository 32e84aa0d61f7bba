use integration_tests::{Client, ADMIN_TOKEN};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn inventory_needs_the_admin_token() {
    let c = Client::new();
    let path = "/admin/api/inventory/FOUNTAIN-PEN-FINE-NAVY-BLUE";
    for auth in [
        None,
        Some("Bearer wrong-token"),
        Some("Basic dGVzdDp0ZXN0"),
        Some(ADMIN_TOKEN),
    ] {
        let mut req = c.request(Method::PUT, path).json(&json!({ "on_hand": 1 }));
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        let r = c.send(req).await;
        assert_eq!(r.status, 401, "{auth:?}: {}", r.body);
        assert_eq!(r.json()["error"], "unauthorized");
        assert_eq!(r.header("www-authenticate"), Some("Bearer"));
    }
    let r = c.get(path).await;
    assert_eq!(r.status, 401);
    // Nothing changed: the catalog's initial stock is still there.
    assert_eq!(c.stock("FOUNTAIN-PEN-FINE-NAVY-BLUE").await["on_hand"], 9);
}

#[tokio::test]
async fn inventory_reads_and_writes_with_validation() {
    let c = Client::new();
    let sku = "FOUNTAIN-PEN-MEDIUM-NAVY-BLACK";
    let s = c.stock(sku).await;
    assert_eq!(
        s,
        json!({ "sku": sku, "on_hand": 11, "reserved": 0, "available": 11 })
    );
    let r = c.set_stock(sku, 42).await;
    assert_eq!(r.json()["on_hand"], 42);
    assert_eq!(c.stock(sku).await["available"], 42);

    let path = format!("/admin/api/inventory/{sku}");
    for (body, code) in [
        (json!({ "on_hand": -1 }), "bad_on_hand"),
        (json!({ "on_hand": "5" }), "bad_on_hand"),
        (json!({ "on_hand": 2.5 }), "bad_on_hand"),
        (json!({ "on_hand": 20_000_000 }), "bad_on_hand"),
        (json!({}), "bad_on_hand"),
        (json!({ "on_hand": 5, "reserved": 0 }), "unknown_field"),
    ] {
        let r = c
            .send(
                c.request(Method::PUT, &path)
                    .bearer_auth(ADMIN_TOKEN)
                    .json(&body),
            )
            .await;
        assert_eq!(r.status, 400, "{body}: {}", r.body);
        assert_eq!(r.json()["error"], code);
    }
    let r = c
        .send(
            c.request(Method::PUT, &path)
                .bearer_auth(ADMIN_TOKEN)
                .body("{oops"),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"], "malformed_json");
    assert_eq!(
        c.stock(sku).await["on_hand"],
        42,
        "unchanged by bad requests"
    );

    let r = c
        .send(
            c.request(Method::GET, "/admin/api/inventory/NO-SUCH-SKU")
                .bearer_auth(ADMIN_TOKEN),
        )
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["error"], "unknown_sku");
    let r = c
        .send(c.request(Method::DELETE, &path).bearer_auth(ADMIN_TOKEN))
        .await;
    assert_eq!(r.status, 405);
}
