use integration_tests::Client;

#[tokio::test]
async fn product_list_pages_filters_and_sorts() {
    let c = Client::new();
    let r = c
        .get("/api/products?collection=outdoor&sort=price-asc&per_page=4")
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let j = r.json();
    assert_eq!(j["total"], 10);
    assert_eq!(j["total_pages"], 3);
    assert_eq!(j["page"], 1);
    assert_eq!(j["currency"], "EUR");
    let items = j["items"].as_array().expect("items");
    assert_eq!(items.len(), 4);
    let prices: Vec<i64> = items
        .iter()
        .map(|i| i["min_price"].as_i64().expect("price"))
        .collect();
    assert!(prices.windows(2).all(|w| w[0] <= w[1]), "{prices:?}");
    assert_eq!(items[0]["handle"], "enamel-camp-mug");
    assert_eq!(items[0]["min_price"], 1200);
    assert_eq!(items[0]["url"], "/products/enamel-camp-mug");

    let last = c
        .get("/api/products?collection=outdoor&sort=price-asc&per_page=4&page=3")
        .await
        .json();
    assert_eq!(last["items"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn product_list_searches() {
    let j = Client::new().get("/api/products?q=notebook").await.json();
    assert_eq!(j["total"], 1);
    assert_eq!(j["items"][0]["handle"], "dot-grid-notebook");
}

#[tokio::test]
async fn product_has_variants_with_sku_options_price_and_currency() {
    let r = Client::new().get("/api/products/fountain-pen").await;
    assert_eq!(r.status, 200);
    let j = r.json();
    assert_eq!(j["handle"], "fountain-pen");
    assert_eq!(j["options"], serde_json::json!(["Nib", "Barrel", "Ink"]));
    let v = &j["variants"][0];
    assert_eq!(v["sku"], "FOUNTAIN-PEN-FINE-NAVY-BLUE");
    assert_eq!(v["options"], serde_json::json!(["Fine", "Navy", "Blue"]));
    assert_eq!(v["price"], 4800);
    assert_eq!(v["currency"], "EUR");
}

#[tokio::test]
async fn unknown_product_is_json_404() {
    let r = Client::new().get("/api/products/no-such-thing").await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["error"], "not_found");
    let r = Client::new().get("/api/nothing-here").await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["error"], "not_found");
}

#[tokio::test]
async fn bad_query_is_json_400_with_a_reason() {
    let c = Client::new();
    for q in ["page=0", "page=abc", "sort=cheapest", "per_page=1000"] {
        let r = c.get(&format!("/api/products?{q}")).await;
        assert_eq!(r.status, 400, "{q}: {}", r.body);
        let j = r.json();
        assert_eq!(j["error"], "bad_request", "{q}");
        assert!(
            j["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "{q}: {j}"
        );
    }
}
