//! Catalog writes through the admin API, on a stack of their own (they change prices and
//! products that other tests read).

use integration_tests::{Client, Options, Stack, ADMIN_TOKEN};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Instant;

fn demo() -> Value {
    let text =
        std::fs::read_to_string(integration_tests::root().join("catalog/demo.json")).expect("demo");
    serde_json::from_str(&text).expect("json")
}

/// The `path` of every problem in a refusal's body.
fn problem_paths(body: &Value) -> Vec<String> {
    body["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| p["path"].as_str().unwrap_or("").to_owned())
        .collect()
}

async fn admin(
    c: &Client,
    method: Method,
    path: &str,
    body: Option<&Value>,
) -> integration_tests::Reply {
    let mut req = c.request(method, path).bearer_auth(ADMIN_TOKEN);
    if let Some(b) = body {
        req = req.json(b);
    }
    c.send(req).await
}

#[tokio::test]
async fn admin_catalog_routes_need_the_token() {
    let c = Client::new();
    let routes = [
        (Method::POST, "/admin/api/catalog/import"),
        (Method::GET, "/admin/api/catalog/export"),
        (Method::PUT, "/admin/api/products/linen-shirt"),
        (Method::DELETE, "/admin/api/products/linen-shirt"),
        (Method::GET, "/admin/api/inventory/LINEN-SHIRT-S-WHITE"),
        (Method::GET, "/admin/api/settings"),
        (Method::PUT, "/admin/api/settings"),
    ];
    for (method, path) in routes {
        for auth in [
            None,
            Some("Bearer nope"),
            Some(&*format!("Token {ADMIN_TOKEN}")),
            Some(ADMIN_TOKEN),
        ] {
            let mut req = c.request(method.clone(), path).json(&json!({}));
            if let Some(a) = auth {
                req = req.header("authorization", a);
            }
            let r = c.send(req).await;
            assert_eq!(r.status, 401, "{method} {path} with {auth:?}: {}", r.body);
        }
    }
    // Nothing changed.
    assert_eq!(c.get("/api/products/linen-shirt").await.status, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn merchants_change_the_catalog_and_shoppers_see_it() {
    let stack = tokio::task::spawn_blocking(|| {
        Stack::start(Options::default()).unwrap_or_else(|e| panic!("{e}"))
    })
    .await
    .expect("start");
    let c = stack.client();

    // Export is what was imported (import ∘ export is the identity).
    let exported = admin(&c, Method::GET, "/admin/api/catalog/export", None).await;
    assert_eq!(exported.status, 200);
    assert_eq!(exported.json(), demo());
    let again = admin(
        &c,
        Method::POST,
        "/admin/api/catalog/import",
        Some(&exported.json()),
    )
    .await;
    assert_eq!(again.status, 200, "{}", again.body);

    // A bad file changes nothing and lists every problem.
    let mut bad = demo();
    bad["products"][0]["variants"][0]["price"] = json!(-1);
    bad["products"][1]["handle"] = bad["products"][2]["handle"].clone();
    let r = admin(&c, Method::POST, "/admin/api/catalog/import", Some(&bad)).await;
    assert_eq!(r.status, 422, "{}", r.body);
    let j = r.json();
    assert_eq!(j["error"], "invalid_catalog");
    let paths = problem_paths(&j);
    assert!(
        paths.iter().any(|p| p == "products[0].variants[0].price"),
        "{paths:?}"
    );
    assert!(
        paths
            .iter()
            .any(|p| p.starts_with("products[2]") || p.starts_with("products[1]")),
        "{paths:?}"
    );
    let r = c
        .send(
            c.request(Method::POST, "/admin/api/catalog/import")
                .bearer_auth(ADMIN_TOKEN)
                .body("{\"currency\": "),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"], "malformed_json");
    let r = c
        .send(
            c.request(Method::POST, "/admin/api/catalog/import")
                .bearer_auth(ADMIN_TOKEN)
                .json(&json!({ "currency": "EUR", "collections": [], "products": [], "extra": 1 })),
        )
        .await;
    assert_eq!(r.status, 400, "unknown fields are refused: {}", r.body);
    assert!(r.json()["detail"]
        .as_str()
        .is_some_and(|d| d.contains("extra")));
    assert_eq!(
        admin(&c, Method::GET, "/admin/api/catalog/export", None)
            .await
            .json(),
        demo()
    );

    // Shipping and tax settings: part of the catalog, validated with its rules, all or nothing.
    let settings = admin(&c, Method::GET, "/admin/api/settings", None).await;
    assert_eq!(settings.status, 200, "{}", settings.body);
    assert_eq!(settings.json(), demo()["settings"]);
    let mut bad = demo()["settings"].clone();
    bad["tax"]["default_country"] = json!("JP");
    bad["shipping"][0]["rates"][0]["amount"] = json!(-5);
    let r = admin(&c, Method::PUT, "/admin/api/settings", Some(&bad)).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(r.json()["error"], "invalid_catalog");
    let paths = problem_paths(&r.json());
    assert!(
        paths.iter().any(|p| p == "settings.tax.default_country"),
        "{paths:?}"
    );
    assert!(
        paths
            .iter()
            .any(|p| p.starts_with("settings.shipping[0].rates[0]")),
        "{paths:?}"
    );
    let r = c
        .send(
            c.request(Method::PUT, "/admin/api/settings")
                .bearer_auth(ADMIN_TOKEN)
                .body("{\"shipping\": ["),
        )
        .await;
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (400, json!("malformed_json"))
    );
    let r = c
        .send(
            c.request(Method::POST, "/admin/api/settings")
                .bearer_auth(ADMIN_TOKEN),
        )
        .await;
    assert_eq!(r.status, 405);
    assert_eq!(
        admin(&c, Method::GET, "/admin/api/settings", None)
            .await
            .json(),
        demo()["settings"],
        "a refused change leaves the settings as they were"
    );
    let mut cheaper = demo()["settings"].clone();
    cheaper["shipping"][0]["rates"][0]["amount"] = json!(250);
    let r = admin(&c, Method::PUT, "/admin/api/settings", Some(&cheaper)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        admin(&c, Method::GET, "/admin/api/settings", None)
            .await
            .json(),
        cheaper
    );
    let exported = admin(&c, Method::GET, "/admin/api/catalog/export", None)
        .await
        .json();
    assert_eq!(
        exported["settings"], cheaper,
        "settings are part of the export"
    );
    let r = admin(
        &c,
        Method::PUT,
        "/admin/api/settings",
        Some(&demo()["settings"]),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);

    // Change a price: the product page shows it on the next request, although it was rendered
    // (and kept by the isolate's page cache) just before.
    let before = c.get("/products/linen-shirt").await;
    before.assert_lacks("€45.00");
    let same = c.get("/products/linen-shirt").await;
    assert_eq!(before.header("etag"), same.header("etag"));
    let mut shirt = demo()["products"][0].clone();
    assert_eq!(shirt["handle"], "linen-shirt");
    shirt["variants"][0]["price"] = json!(4500);
    let r = admin(
        &c,
        Method::PUT,
        "/admin/api/products/linen-shirt",
        Some(&shirt),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let page = c.get("/products/linen-shirt").await;
    page.assert_contains("€45.00");
    assert_ne!(page.header("etag"), before.header("etag"));
    assert_eq!(
        c.get("/api/products/linen-shirt").await.json()["variants"][0]["price"],
        4500
    );
    let r = admin(
        &c,
        Method::PUT,
        "/admin/api/products/other-handle",
        Some(&shirt),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"], "handle_mismatch");

    // A new product, then deleting it: carts holding it show the line as unavailable.
    let mut mug = demo()["products"][8].clone();
    mug["handle"] = json!("plain-mug");
    mug["title"] = json!("Plain Mug");
    for (i, v) in mug["variants"]
        .as_array_mut()
        .expect("variants")
        .iter_mut()
        .enumerate()
    {
        v["sku"] = json!(format!("PLAIN-MUG-{i}"));
    }
    assert_eq!(
        admin(&c, Method::PUT, "/admin/api/products/plain-mug", Some(&mug))
            .await
            .status,
        200
    );
    c.get("/search?q=plain+mug")
        .await
        .assert_contains("Plain Mug");

    // Whatever a merchant types is text on every page, never markup.
    let mut awkward = mug.clone();
    awkward["handle"] = json!("awkward-mug");
    awkward["title"] = json!("<script>alert(\"x\")</script> Mug");
    awkward["description"] = json!("Has <b>bold?</b> & \"quotes\".");
    for (i, v) in awkward["variants"]
        .as_array_mut()
        .expect("variants")
        .iter_mut()
        .enumerate()
    {
        v["sku"] = json!(format!("AWKWARD-MUG-{i}"));
    }
    let r = admin(
        &c,
        Method::PUT,
        "/admin/api/products/awkward-mug",
        Some(&awkward),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    for path in ["/products/awkward-mug", "/search?q=mug"] {
        let page = c.get(path).await;
        assert_eq!(page.status, 200, "{path}");
        page.assert_lacks("<script>alert");
        page.assert_contains("&lt;script&gt;alert");
    }
    let page = c.get("/products/awkward-mug").await;
    page.assert_lacks("<b>bold?</b>");
    // The JSON-LD carries the title with `<` escaped, so it cannot close its script element.
    page.assert_contains("\\u003cscript\\u003ealert");
    let shopper = Client::shopper_of(&stack.base);
    shopper.add("PLAIN-MUG-0", 1).await;
    assert_eq!(
        admin(&c, Method::DELETE, "/admin/api/products/plain-mug", None)
            .await
            .status,
        200
    );
    assert_eq!(c.get("/products/plain-mug").await.status, 404);
    let cart = shopper.get("/api/cart").await.json();
    assert_eq!(cart["lines"][0]["purchasable"], false, "{cart}");
    let r = shopper.checkout().await;
    assert_eq!(r.status, 409);
    assert_eq!(r.json()["error"], "unavailable");
    let r = admin(&c, Method::DELETE, "/admin/api/products/plain-mug", None).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["error"], "unknown_product");

    // CSV: one row per variant; problems by row and column; a good file replaces the products.
    let header = "handle,title,description,tags,collections,featured,created_at,image_src,image_alt,options,sku,option_values,price,stock";
    let bad = format!("{header}\nmug,Mug,,,home,no,2025-01-02,,,Colour,MUG-RED,Red,12.50,1\nmug,,,,,,,,,,MUG-BLUE,Blue,900,many\n");
    let csv = |body: String| {
        // The good file replaces every product: confirmed (see the test below).
        c.request(Method::POST, "/admin/api/catalog/import?confirm=replace")
            .bearer_auth(ADMIN_TOKEN)
            .header("content-type", "text/csv")
            .body(body)
    };
    let r = c.send(csv(bad)).await;
    assert_eq!(r.status, 422, "{}", r.body);
    let paths = problem_paths(&r.json());
    assert_eq!(
        paths,
        vec!["row 2, price".to_owned(), "row 3, stock".to_owned()]
    );
    c.get("/products/linen-shirt")
        .await
        .assert_contains("€45.00");
    let good = format!(
        "{header}\nspeckled-mug,Speckled Mug,A mug.,kitchen,home,yes,2025-01-02,/images/stoneware-mug.svg,A mug,Colour,SPECKLED-MUG-RED,Red,1500,4\nspeckled-mug,,,,,,,,,,SPECKLED-MUG-BLUE,Blue,1600,2\n"
    );
    let r = c.send(csv(good)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["products"], 1);
    c.get("/products/speckled-mug?variant=SPECKLED-MUG-BLUE")
        .await
        .assert_contains("€16.00");
    assert_eq!(c.get("/products/linen-shirt").await.status, 404);
    assert_eq!(c.get("/api/products").await.json()["total"], 1);
    assert_eq!(
        admin(&c, Method::GET, "/admin/api/settings", None)
            .await
            .json(),
        demo()["settings"],
        "a CSV import (products only) keeps the settings"
    );

    // A thousand products.
    let mut big = demo();
    let template = big["products"][0].clone();
    let products = big["products"].as_array_mut().expect("products");
    while products.len() < 1000 {
        let n = products.len();
        let mut p = template.clone();
        p["handle"] = json!(format!("bulk-{n}"));
        p["title"] = json!(format!("Bulk Product {n}"));
        p["featured"] = json!(false);
        for (i, v) in p["variants"]
            .as_array_mut()
            .expect("variants")
            .iter_mut()
            .enumerate()
        {
            v["sku"] = json!(format!("BULK-{n}-{i}"));
        }
        products.push(p);
    }
    let started = Instant::now();
    let r = admin(
        &c,
        Method::POST,
        "/admin/api/catalog/import?confirm=replace",
        Some(&big),
    )
    .await;
    let took = started.elapsed();
    assert_eq!(r.status, 200, "{}", r.body);
    eprintln!("import of 1,000 products: {took:.2?}, {}", r.body);
    assert_eq!(r.json()["products"], 1000);
    c.get("/products/bulk-999")
        .await
        .assert_contains("Bulk Product 999");
    assert_eq!(
        c.get("/api/products?per_page=48&page=21").await.json()["total"],
        1000
    );
}

/// Issue #10, defect 4: a blank or truncated import, or deleting the last product, would empty
/// the shop: it is refused with 409 `confirm_required` and changes nothing, unless confirmed.
#[tokio::test(flavor = "multi_thread")]
async fn imports_that_would_empty_the_shop_need_confirmation() {
    let stack = tokio::task::spawn_blocking(|| {
        Stack::start(Options::default()).unwrap_or_else(|e| panic!("{e}"))
    })
    .await
    .expect("start");
    let c = stack.client();
    let products = demo()["products"].as_array().map(Vec::len).expect("demo");

    // A CSV with only its header.
    let header = "handle,title,description,tags,collections,featured,created_at,image_src,image_alt,options,sku,option_values,price,stock\n";
    let r = c
        .send(
            c.request(Method::POST, "/admin/api/catalog/import")
                .bearer_auth(ADMIN_TOKEN)
                .header("content-type", "text/csv")
                .body(header),
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    let j = r.json();
    assert_eq!(j["error"], "confirm_required", "{j}");
    assert_eq!(j["removed"], products, "{j}");
    assert_eq!(j["remaining"], 0, "{j}");
    assert!(j["detail"]
        .as_str()
        .is_some_and(|d| d.contains("?confirm=replace")));
    c.get("/products/linen-shirt")
        .await
        .assert_contains("Linen");

    // A JSON file keeping a third of the products.
    let mut third = demo();
    third["products"]
        .as_array_mut()
        .expect("products")
        .truncate(products / 3);
    let r = admin(&c, Method::POST, "/admin/api/catalog/import", Some(&third)).await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(r.json()["error"], "confirm_required");
    assert_eq!(
        admin(&c, Method::GET, "/admin/api/catalog/export", None)
            .await
            .json(),
        demo(),
        "nothing changed"
    );
    // Confirmed, it applies.
    let r = admin(
        &c,
        Method::POST,
        "/admin/api/catalog/import?confirm=replace",
        Some(&third),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["products"], products / 3);

    // Deleting down to the last product: the last one needs confirming.
    let handles: Vec<String> = third["products"]
        .as_array()
        .expect("products")
        .iter()
        .map(|p| p["handle"].as_str().unwrap_or_default().to_owned())
        .collect();
    for h in &handles[1..] {
        let r = admin(
            &c,
            Method::DELETE,
            &format!("/admin/api/products/{h}"),
            None,
        )
        .await;
        assert_eq!(r.status, 200, "{h}: {}", r.body);
    }
    let last = format!("/admin/api/products/{}", handles[0]);
    let r = admin(&c, Method::DELETE, &last, None).await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(r.json()["error"], "confirm_required");
    let r = admin(&c, Method::DELETE, &format!("{last}?confirm=replace"), None).await;
    assert_eq!(r.status, 200, "{}", r.body);
}
