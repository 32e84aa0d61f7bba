use integration_tests::{Client, Options, Stack, ADMIN_TOKEN};
use reqwest::Method;

fn csrf_of(page: &str) -> String {
    let at =
        page.find("name=\"csrf\" value=\"").expect("a csrf field") + "name=\"csrf\" value=\"".len();
    page[at..].split('"').next().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn merchants_sign_in_and_forms_need_the_csrf_token() {
    const SKU: &str = "DESK-PLANNER-2027-ENGLISH";
    let c = Client::shopper();
    let r = c.get("/admin").await;
    assert_eq!(r.status, 200);
    r.assert_contains("action=\"/admin/login\"");
    r.assert_lacks("Stock");
    assert_eq!(r.header("cache-control"), Some("private, no-store"));

    let wrong = c.post_form("/admin/login", &[("token", "guess")]).await;
    assert_eq!(wrong.status, 401);
    wrong.assert_contains("That token is not right.");
    // Forms without a session are refused.
    let r = c
        .post_form("/admin/stock", &[("sku", SKU), ("on_hand", "1")])
        .await;
    assert_eq!(r.status, 401);

    let ok = c.post_form("/admin/login", &[("token", ADMIN_TOKEN)]).await;
    assert_eq!(ok.status, 303);
    let cookie = ok.header("set-cookie").unwrap_or_default().to_owned();
    for attr in [
        "admin_session=",
        "HttpOnly",
        "SameSite=Strict",
        "Path=/admin",
    ] {
        assert!(cookie.contains(attr), "{attr} in {cookie}");
    }

    let page = c.get("/admin").await;
    assert_eq!(page.status, 200);
    page.assert_contains(SKU);
    page.assert_contains("Undated Desk Planner (2027 / English)");
    let csrf = csrf_of(&page.body);
    assert_eq!(csrf.len(), 64);

    // Without (or with a wrong) CSRF token: 403 and nothing changes.
    for token in ["", "0000"] {
        let r = c
            .post_form(
                "/admin/stock",
                &[("csrf", token), ("sku", SKU), ("on_hand", "3")],
            )
            .await;
        assert_eq!(r.status, 403, "{token:?}: {}", r.body);
    }
    assert_eq!(c.stock(SKU).await["on_hand"], 25);

    let r = c
        .post_form(
            "/admin/stock",
            &[("csrf", &csrf), ("sku", SKU), ("on_hand", "3")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(c.stock(SKU).await["on_hand"], 3);
    let page = c.get(r.header("location").unwrap_or("/admin")).await;
    page.assert_contains("3 on hand");
    // The stock table shows each SKU's own counters in its own row (the shards answer in
    // their order, the table is in the catalog's).
    page.assert_contains(&format!(
        "id=\"stock-{SKU}\" type=\"number\" name=\"on_hand\" min=\"0\" value=\"3\""
    ));

    // A bad import shows every problem and changes nothing.
    let bad = r#"{"currency":"EUR","collections":[],"products":[{"handle":"x","title":"","created_at":"2025-13-01","options":[],"variants":[]}]}"#;
    let r = c
        .post_form(
            "/admin/import",
            &[("csrf", &csrf), ("format", "json"), ("catalog", bad)],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    r.assert_contains("products[0].title");
    r.assert_contains("products[0].created_at");
    assert_eq!(Client::new().get("/api/products").await.json()["total"], 30);

    // Another session's token does not work here.
    let other = Client::shopper();
    other
        .post_form("/admin/login", &[("token", ADMIN_TOKEN)])
        .await;
    let other_csrf = csrf_of(&other.get("/admin").await.body);
    let r = c
        .post_form(
            "/admin/stock",
            &[("csrf", &other_csrf), ("sku", SKU), ("on_hand", "9")],
        )
        .await;
    assert_eq!(r.status, 403);

    let out = c.post_form("/admin/logout", &[("csrf", &csrf)]).await;
    assert_eq!(out.status, 303);
    c.get("/admin")
        .await
        .assert_contains("action=\"/admin/login\"");
    let r = c.send(c.request(Method::GET, "/admin")).await;
    r.assert_lacks(SKU);
}

/// Issue #10, defect 3: the admin page imports a real catalog, uploaded as a file or pasted,
/// up to the API's 8 MiB, and shows a bad file's problems by row and column.
#[tokio::test(flavor = "multi_thread")]
async fn the_import_form_takes_a_real_catalog_uploaded_or_pasted() {
    // Its own stack: imports publish, and the shared stack's other tests write the catalog too.
    let stack = tokio::task::spawn_blocking(|| {
        Stack::start(Options::default()).unwrap_or_else(|e| panic!("{e}"))
    })
    .await
    .expect("start");
    let c = Client::shopper_of(&stack.base);
    assert_eq!(
        c.post_form("/admin/login", &[("token", ADMIN_TOKEN)])
            .await
            .status,
        303
    );
    let csrf = csrf_of(&c.get("/admin").await.body);
    let demo =
        std::fs::read_to_string(integration_tests::root().join("catalog/demo.json")).expect("demo");
    assert!(
        demo.len() > 16 * 1024,
        "the demo catalog is a real-sized file"
    );

    // Uploaded as a file (multipart/form-data), as the form sends it.
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .text("format", "json")
        .text("catalog", "")
        .part(
            "file",
            reqwest::multipart::Part::text(demo.clone())
                .file_name("demo.json")
                .mime_str("application/json")
                .expect("mime"),
        );
    let r = c
        .send(c.request(Method::POST, "/admin/import").multipart(form))
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let done = c.get(r.header("location").unwrap_or("/admin")).await;
    done.assert_contains("Catalog imported and published");

    // Pasted into the text box (a URL-encoded form of more than 16 KiB).
    let r = c
        .post_form(
            "/admin/import",
            &[("csrf", &csrf), ("format", "json"), ("catalog", &demo)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);

    // A bad CSV file: its problems by row and column, on the admin page.
    let header = "handle,title,description,tags,collections,featured,created_at,image_src,image_alt,options,sku,option_values,price,stock";
    let bad = format!("{header}\nmug,Mug,,,home,no,2025-01-02,,,Colour,MUG-RED,Red,12.50,1\n");
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .text("format", "csv")
        .part(
            "file",
            reqwest::multipart::Part::text(bad)
                .file_name("products.csv")
                .mime_str("text/csv")
                .expect("mime"),
        );
    let r = c
        .send(c.request(Method::POST, "/admin/import").multipart(form))
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    r.assert_contains("row 2, price");
    r.assert_contains("role=\"alert\"");

    // Neither a file nor a paste.
    let r = c
        .post_form(
            "/admin/import",
            &[("csrf", &csrf), ("format", "json"), ("catalog", " ")],
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    r.assert_contains("choose a catalog file, or paste its contents");

    // Shipping and taxes: the zones at a glance, the settings to edit, problems by path.
    let page = c.get("/admin").await;
    page.assert_contains("Shipping and taxes");
    page.assert_contains("Germany");
    let demo_json: serde_json::Value = serde_json::from_str(&demo).expect("json");
    let mut bad = demo_json["settings"].clone();
    bad["tax"]["default_country"] = serde_json::json!("JP");
    let r = c
        .post_form(
            "/admin/settings",
            &[("csrf", &csrf), ("settings", &bad.to_string())],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    r.assert_contains("settings.tax.default_country");
    let r = c
        .post_form("/admin/settings", &[("csrf", &csrf), ("settings", "{")])
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    let mut free = demo_json["settings"].clone();
    free["shipping"][0]["rates"][0]["amount"] = serde_json::json!(0);
    let r = c
        .post_form(
            "/admin/settings",
            &[("csrf", &csrf), ("settings", &free.to_string())],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let done = c.get(r.header("location").unwrap_or("/admin")).await;
    done.assert_contains("Shipping and tax settings saved and published");
    let r = c
        .post_form(
            "/admin/settings",
            &[("csrf", "forged"), ("settings", &free.to_string())],
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    let api = Client::for_base(&stack.base);
    let saved = api
        .send(
            api.request(Method::GET, "/admin/api/settings")
                .bearer_auth(integration_tests::ADMIN_TOKEN),
        )
        .await;
    assert_eq!(saved.json(), free);
    assert_eq!(
        Client::for_base(&stack.base)
            .get("/api/products")
            .await
            .json()["total"],
        30
    );
}
