use integration_tests::Client;

#[tokio::test]
async fn home_shows_featured_products_and_collections() {
    let r = Client::new().get("/").await;
    assert_eq!(r.status, 200);
    assert!(r
        .header("content-type")
        .is_some_and(|c| c.starts_with("text/html")));
    r.assert_contains("<!DOCTYPE html>");
    // Featured in the demo catalog, with prices formatted from minor units.
    r.assert_contains("Linen Shirt");
    r.assert_contains("Packable Rain Jacket");
    r.assert_contains("€179.00");
    // Not featured.
    r.assert_lacks("Wool Hiking Socks");
    for c in [
        "/collections/apparel",
        "/collections/home",
        "/collections/outdoor",
        "/collections/stationery",
    ] {
        r.assert_contains(&format!("href=\"{c}\""));
    }
}

#[tokio::test]
async fn collection_lists_its_products_sorted_and_paged() {
    let c = Client::new();
    let r = c.get("/collections/home?sort=price-asc").await;
    assert_eq!(r.status, 200);
    r.assert_contains("<h1>Home");
    // 11 products in "home", 12 per page: one page, cheapest first.
    let bowl = r.body.find("Speckled Stoneware Bowl").expect("bowl listed");
    let throw = r.body.find("Lambswool Throw").expect("throw listed");
    assert!(
        bowl < throw,
        "price-asc puts the €15 bowl before the €89 throw"
    );
    r.assert_lacks("Trail Backpack");

    let desc = c.get("/collections/home?sort=price-desc").await;
    let bowl = desc.body.find("Speckled Stoneware Bowl").expect("bowl");
    let throw = desc.body.find("Lambswool Throw").expect("throw");
    assert!(throw < bowl);

    let p1 = c.get("/collections/outdoor?sort=name&per_page=4").await;
    assert_eq!(p1.status, 200);
    p1.assert_contains("Page 1 of 3");
    p1.assert_contains("rel=\"next\"");
    let p3 = c
        .get("/collections/outdoor?sort=name&per_page=4&page=3")
        .await;
    p3.assert_contains("Page 3 of 3");
    p3.assert_lacks("rel=\"next\"");
    // Name order: the last outdoor product alphabetically is on the last page only.
    p3.assert_contains("Waterproof Picnic Blanket");
    p1.assert_lacks("Waterproof Picnic Blanket");
}

#[tokio::test]
async fn search_is_case_insensitive_and_has_empty_states() {
    let c = Client::new();
    let r = c.get("/search?q=LINEN").await;
    assert_eq!(r.status, 200);
    r.assert_contains("Linen Shirt");
    r.assert_contains("Linen Napkins");
    r.assert_lacks("Trail Backpack");

    let none = c.get("/search?q=zzzqqq").await;
    assert_eq!(none.status, 200);
    none.assert_contains("No products match “zzzqqq”");

    let empty = c.get("/search").await;
    assert_eq!(empty.status, 200);
    empty.assert_contains("Type what you are looking for");
}

#[tokio::test]
async fn product_page_shows_variants_prices_and_add_to_cart_form() {
    let c = Client::new();
    let r = c.get("/products/rain-jacket").await;
    assert_eq!(r.status, 200);
    r.assert_contains("<h1>Packable Rain Jacket</h1>");
    r.assert_contains("€179.00");
    r.assert_contains("/images/rain-jacket.svg");
    r.assert_contains("action=\"/cart/add\"");
    r.assert_contains("name=\"sku\" value=\"RAIN-JACKET-S-OLIVE\"");

    // Choosing a variant by SKU changes price and the SKU posted.
    let l = c
        .get("/products/rain-jacket?variant=RAIN-JACKET-L-NAVY")
        .await;
    assert_eq!(l.status, 200);
    l.assert_contains("€189.00");
    l.assert_contains("name=\"sku\" value=\"RAIN-JACKET-L-NAVY\"");

    // An unknown variant falls back to the default one rather than failing.
    let d = c.get("/products/rain-jacket?variant=NOPE").await;
    assert_eq!(d.status, 200);
    d.assert_contains("name=\"sku\" value=\"RAIN-JACKET-S-OLIVE\"");
}

#[tokio::test]
async fn sold_out_products_cannot_be_added() {
    let r = Client::new().get("/products/silk-scarf").await;
    assert_eq!(r.status, 200);
    r.assert_contains("Sold out");
    r.assert_lacks(">Add to cart<");
}

#[tokio::test]
async fn search_text_is_escaped() {
    // Merchant-typed text is escaped too: see `catalog_admin`, which adds a product named
    // `<script>…` on a stack of its own (the demo catalog carries no such product).
    let c = Client::new();
    let s = c.get("/search?q=%3Cscript%3E").await;
    assert_eq!(s.status, 200);
    s.assert_lacks("<script>alert");
    // The query echoed into the search box is escaped.
    s.assert_contains("value=\"&lt;script&gt;\"");
}

#[tokio::test]
async fn variants_show_their_own_picture_and_the_picker_marks_what_is_missing() {
    let c = Client::new();
    let sand = c
        .get("/products/linen-shirt?variant=LINEN-SHIRT-M-SAND")
        .await;
    assert_eq!(sand.status, 200);
    sand.assert_contains("<div class=\"gallery\"><img src=\"/images/linen-shirt-sand.svg\"");
    let white = c
        .get("/products/linen-shirt?variant=LINEN-SHIRT-S-WHITE")
        .await;
    white.assert_contains("<div class=\"gallery\"><img src=\"/images/linen-shirt.svg\"");
    // S / Sand is not made: marked, and no link from S / White jumps to M / Sand.
    white.assert_contains("title=\"S / Sand is not available\"");
    let start = white.body.find("<div class=\"options\">").expect("pickers");
    let pickers = &white.body[start..];
    let pickers = &pickers[..pickers.find("</form>").expect("form")];
    assert!(!pickers.contains("LINEN-SHIRT-M-SAND"), "{pickers}");
    let asset = c.get("/images/linen-shirt-sand.svg").await;
    assert_eq!(asset.status, 200);
}

#[tokio::test]
async fn non_ascii_text_survives() {
    let r = Client::new().get("/products/creme-brulee-candle").await;
    assert_eq!(r.status, 200);
    r.assert_contains("Crème Brûlée Candle");
}

#[tokio::test]
async fn search_engines_get_structured_data_a_sitemap_and_robots() {
    let c = Client::new();
    let p = c.get("/products/rain-jacket").await;
    p.assert_contains("<script type=\"application/ld+json\">");
    p.assert_contains("\"@type\":\"Product\"");
    p.assert_contains("\"price\":\"179.00\"");
    p.assert_contains("\"priceCurrency\":\"EUR\"");
    p.assert_contains("\"@type\":\"BreadcrumbList\"");
    p.assert_contains("property=\"og:title\" content=\"Packable Rain Jacket\"");
    // Link previews need an absolute address for the image.
    p.assert_contains(&format!(
        "property=\"og:image\" content=\"{}/images/rain-jacket.svg\"",
        c.base
    ));

    let col = c.get("/collections/outdoor").await;
    col.assert_contains("\"@type\":\"BreadcrumbList\"");
    col.assert_contains("\"item\":\"/collections/outdoor\"");

    let map = c.get("/sitemap.xml").await;
    assert_eq!(map.status, 200);
    assert!(map
        .header("content-type")
        .is_some_and(|t| t.starts_with("application/xml")));
    assert_eq!(map.body.matches("<loc>").count(), 1 + 4 + 30);
    map.assert_contains(&format!("<loc>{}/products/linen-shirt</loc>", c.base));

    let robots = c.get("/robots.txt").await;
    assert_eq!(robots.status, 200);
    robots.assert_contains("Disallow: /cart");
    robots.assert_contains(&format!("Sitemap: {}/sitemap.xml", c.base));
}

#[tokio::test]
async fn html_pages_carry_a_content_security_policy() {
    let c = Client::new();
    for path in ["/", "/products/linen-shirt", "/cart", "/nope"] {
        let r = c.get(path).await;
        let csp = r.header("content-security-policy").unwrap_or_default();
        assert!(
            csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"),
            "{path}: {csp}"
        );
        assert!(
            r.header("strict-transport-security").is_none(),
            "no HSTS over plain http"
        );
        let form_action = format!(
            "form-action 'self' {};",
            integration_tests::server().gateway.base
        );
        assert!(
            csp.contains(&form_action),
            "checkout may redirect to the payment page: {csp}"
        );
    }
}

/// Issue #10: search ignores case and accents, counts in words, and a page past the last one
/// is the shop's 404 page.
#[tokio::test]
async fn search_folds_accents_counts_and_ends_at_the_last_page() {
    let c = Client::new();
    let r = c.get("/search?q=CREME+brulee").await;
    assert_eq!(r.status, 200);
    r.assert_contains("Crème Brûlée Candle");
    r.assert_contains("1 result for");
    r.assert_lacks("1 results");
    let r = c.get("/search?q=cr%C3%A8me").await;
    r.assert_contains("Crème Brûlée Candle");

    let last = c.get("/collections/home?page=1").await;
    assert_eq!(last.status, 200);
    last.assert_contains(" products</p>");
    let past = c.get("/collections/home?page=99").await;
    assert_eq!(past.status, 404);
    past.assert_contains("Page not found");
    past.assert_lacks("Page 99 of");
    assert_eq!(c.get("/search?q=linen&page=99").await.status, 404);
    // The API keeps answering an empty page there.
    let api = c.get("/api/products?collection=home&page=99").await;
    assert_eq!(api.status, 200);
}
