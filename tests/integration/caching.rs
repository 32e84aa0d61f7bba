use integration_tests::{Client, Options, Stack};
use std::time::Duration;

#[tokio::test]
async fn catalog_pages_are_cacheable_with_etags() {
    let c = Client::new();
    for path in [
        "/",
        "/collections/apparel",
        "/products/linen-shirt",
        "/api/products",
        "/api/products/linen-shirt",
    ] {
        let r = c.get(path).await;
        assert_eq!(r.status, 200, "{path}");
        let cc = r.header("cache-control").unwrap_or_default();
        assert!(
            cc.contains("public") && cc.contains("s-maxage="),
            "{path}: {cc}"
        );
        let tag = r
            .header("etag")
            .unwrap_or_else(|| panic!("{path}: no etag"))
            .to_owned();
        assert!(tag.starts_with('"'), "{path}: {tag}");

        let again = c
            .send(
                c.request(reqwest::Method::GET, path)
                    .header("if-none-match", &tag),
            )
            .await;
        assert_eq!(again.status, 304, "{path}");
        assert!(again.body.is_empty());
        assert_eq!(again.header("etag"), Some(tag.as_str()));

        let other = c
            .send(
                c.request(reqwest::Method::GET, path)
                    .header("if-none-match", "\"stale\""),
            )
            .await;
        assert_eq!(other.status, 200, "{path}");
    }
}

#[tokio::test]
async fn different_pages_have_different_etags() {
    let c = Client::new();
    let a = c.get("/products/linen-shirt").await;
    let b = c
        .get("/products/linen-shirt?variant=LINEN-SHIRT-M-WHITE")
        .await;
    assert_ne!(a.header("etag"), b.header("etag"));
}

#[tokio::test]
async fn static_assets_are_served() {
    let c = Client::new();
    let css = c.get("/styles.css").await;
    assert_eq!(css.status, 200);
    assert!(css
        .header("content-type")
        .is_some_and(|t| t.starts_with("text/css")));
    css.assert_contains(".site-header");
    let img = c.get("/images/linen-shirt.svg").await;
    assert_eq!(img.status, 200);
    img.assert_contains("<svg");
}

#[tokio::test]
async fn pages_send_security_headers() {
    let r = Client::new().get("/").await;
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    assert!(r.header("referrer-policy").is_some());
}

#[tokio::test]
async fn the_islands_bundle_is_content_hashed_and_immutable() {
    let c = Client::new();
    let page = c.get("/products/linen-shirt").await;
    let start = page
        .body
        .find("src=\"/pkg/boot-")
        .expect("the page loads the islands bundle")
        + 5;
    let end = start + page.body[start..].find('"').expect("end of src");
    let boot = &page.body[start..end];
    let r = c.get(boot).await;
    assert_eq!(r.status, 200, "{boot}");
    assert_eq!(
        r.header("cache-control"),
        Some("public, max-age=31536000, immutable"),
        "{boot}"
    );
    // The loader names the hashed module and wasm, which are served the same way.
    let js = r
        .body
        .split('"')
        .find(|s| s.starts_with("/pkg/app-") && s.ends_with(".js"))
        .expect("module name");
    let wasm = r
        .body
        .split('"')
        .find(|s| s.starts_with("/pkg/app-") && s.ends_with(".wasm"))
        .expect("wasm name");
    for asset in [js, wasm] {
        let a = c.get(asset).await;
        assert_eq!(a.status, 200, "{asset}");
        assert_eq!(
            a.header("cache-control"),
            Some("public, max-age=31536000, immutable")
        );
    }
    // Personal pages are never cached.
    assert_eq!(
        c.get("/cart").await.header("cache-control"),
        Some("private, no-store")
    );
}

/// Catalog pages may be kept by shared caches and by the isolate's page cache, so they must be
/// the same for every shopper: a shopper with a cart gets the very bytes an anonymous visitor
/// gets (the header's cart count is filled in by the browser).
#[tokio::test]
async fn shared_pages_never_carry_a_shoppers_cart() {
    let shopper = Client::shopper();
    let cart = shopper.add("CANVAS-TOTE-NATURAL", 2).await;
    assert_eq!(cart["units"], 2, "{cart}");
    let anonymous = Client::new();
    for path in [
        "/",
        "/collections/apparel",
        "/search?q=tote",
        "/products/canvas-tote",
    ] {
        // Other tests change stock meanwhile: compare a few times before calling it different.
        let mut same = false;
        for _ in 0..3 {
            let mine = shopper.get(path).await;
            let theirs = anonymous.get(path).await;
            assert_eq!(mine.status, 200, "{path}");
            assert!(
                mine.header("cache-control")
                    .is_some_and(|c| c.contains("public")),
                "{path}"
            );
            if mine.body == theirs.body && mine.header("etag") == theirs.header("etag") {
                same = true;
                break;
            }
        }
        assert!(same, "{path} differs for a shopper with a cart");
    }
}

/// A product page rendered (and kept by the page cache) before a change of stock shows the
/// new stock once the counters it shows are older than `SHOWN_STOCK_TTL_MS`.
#[tokio::test(flavor = "multi_thread")]
async fn sold_out_shows_within_the_shown_stock_ttl() {
    const TTL_MS: u64 = 1_000;
    let stack = tokio::task::spawn_blocking(|| {
        Stack::start(Options {
            vars: vec![("SHOWN_STOCK_TTL_MS".into(), TTL_MS.to_string())],
            ..Options::default()
        })
        .unwrap_or_else(|e| panic!("{e}"))
    })
    .await
    .expect("start");
    let c = stack.client();
    c.set_stock("HEADLAMP-ORANGE", 4).await;
    tokio::time::sleep(Duration::from_millis(TTL_MS + 100)).await;
    let path = "/products/headlamp?variant=HEADLAMP-ORANGE";
    c.get(path).await.assert_contains("Only 4 left");
    c.get(path).await.assert_contains("Only 4 left");

    c.set_stock("HEADLAMP-ORANGE", 0).await;
    tokio::time::sleep(Duration::from_millis(TTL_MS + 100)).await;
    let page = c.get(path).await;
    page.assert_contains("Sold out");
    page.assert_lacks(">Add to cart<");
}

/// Requests for the same page at once each get the page whole. Nothing one request has in
/// flight (a stock read, a catalog read) may be handed to another: the waiting request would go
/// on in the first one's context, which Workers refuse ("Cannot perform I/O on behalf of a
/// different request"), and its answer fails.
#[tokio::test(flavor = "multi_thread")]
async fn many_requests_for_one_page_at_once_each_get_it_whole() {
    let c = Client::new();
    for wave in 0..4 {
        let mut requests = tokio::task::JoinSet::new();
        for _ in 0..24 {
            let c = c.clone();
            requests.spawn(async move { c.get("/products/rain-jacket").await });
        }
        while let Some(r) = requests.join_next().await {
            let r = r.expect("request task");
            assert_eq!(r.status, 200, "wave {wave}: {}", r.body);
            r.assert_contains("Packable Rain Jacket");
            r.assert_contains("</html>");
        }
    }
}
