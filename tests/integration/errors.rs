use integration_tests::Client;

#[tokio::test]
async fn unknown_routes_get_a_real_404_page() {
    let c = Client::new();
    for path in [
        "/nope",
        "/products/no-such-product",
        "/collections/no-such-collection",
        "/products/",
    ] {
        let r = c.get(path).await;
        assert_eq!(r.status, 404, "{path}");
        assert!(
            r.header("content-type")
                .is_some_and(|t| t.starts_with("text/html")),
            "{path}"
        );
        r.assert_contains("Back to the shop");
        // Not cacheable for long: the product may be published soon.
        assert!(
            !r.header("cache-control")
                .unwrap_or_default()
                .contains("s-maxage=300"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn bad_query_parameters_are_400_not_500() {
    let c = Client::new();
    for path in [
        "/collections/home?page=-1",
        "/collections/home?sort=%00",
        "/search?q=a&page=99999999999",
    ] {
        let r = c.get(path).await;
        assert_eq!(r.status, 400, "{path}: {}", r.body);
        r.assert_contains("<!DOCTYPE html>");
    }
    // A page past the end is the shop's 404 page (issue #10), not "Page 50 of 2".
    let r = c.get("/collections/home?page=50").await;
    assert_eq!(r.status, 404);
    r.assert_contains("Page not found");
}

#[tokio::test]
async fn wrong_method_is_405_with_allow() {
    let c = Client::new();
    let r = c
        .send(c.request(reqwest::Method::DELETE, "/api/products"))
        .await;
    assert_eq!(r.status, 405, "{}", r.body);
    assert_eq!(r.header("allow"), Some("GET, HEAD"));
    assert_eq!(r.json()["error"], "method_not_allowed");
}
