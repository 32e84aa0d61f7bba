use super::*;
use domain::Catalog;

fn catalog() -> Catalog {
    Catalog::from_json(include_str!("../../../catalog/demo.json")).expect("demo catalog")
}

#[test]
fn home_lists_featured_products_and_collections() {
    let c = catalog();
    let html = home(&c.index());
    assert!(
        html.starts_with("<!DOCTYPE html><html lang=\"en\">"),
        "{}",
        &html[..80]
    );
    for p in c.products.iter().filter(|p| p.featured) {
        assert!(
            html.contains(&format!("/products/{}", p.handle)),
            "missing {}",
            p.handle
        );
    }
    for col in &c.collections {
        assert!(html.contains(&format!("/collections/{}", col.handle)));
    }
}

/// A product whose merchant-typed text tries to break out of the page: the shop's own fixture,
/// not part of the demo catalog.
pub(crate) fn awkward_product() -> domain::Product {
    let mut c = catalog();
    let mut p = c.products.remove(8);
    p.title = "<script>alert(\"x\")</script> Mug".into();
    p.description = "Contains <b>bold?</b> & \"quotes\".".into();
    p
}

fn product_page(p: domain::Product) -> String {
    let c = catalog();
    let selected = p.default_variant().expect("variant").clone();
    product(
        &c.index(),
        ProductView {
            currency: c.currency,
            available: selected.stock,
            stock: p.variants.iter().map(|v| (v.sku.to_string(), 3)).collect(),
            selected,
            collection: None,
            product: p,
        },
        "https://shop.example",
    )
}

#[test]
fn catalog_text_is_escaped() {
    let html = product_page(awkward_product());
    assert!(!html.contains("<script>alert"), "unescaped title");
    // The JSON-LD carries the title too, with `<` escaped for the script element.
    assert!(html.contains("application/ld+json"));
    assert!(
        html.contains("\\u003cscript\\u003ealert"),
        "JSON-LD escaped"
    );
    assert!(html.contains("property=\"og:type\" content=\"product\""));
    assert!(
        html.contains("property=\"og:image\" content=\"https://shop.example/images/"),
        "og:image is absolute"
    );
    assert!(
        html.contains("&lt;script&gt;alert"),
        "escaped title missing"
    );
    assert!(!html.contains("<b>bold?</b>"));
}

#[test]
fn the_picker_marks_missing_and_sold_out_combinations() {
    let c = catalog();
    let shirt = c.products[0].clone();
    assert_eq!(shirt.handle.as_str(), "linen-shirt");
    let selected = shirt
        .variant("LINEN-SHIRT-S-WHITE")
        .expect("S/White")
        .clone();
    let stock = shirt
        .variants
        .iter()
        .map(|v| (v.sku.to_string(), if v.options[0] == "L" { 0 } else { 5 }))
        .collect();
    let html = product(
        &c.index(),
        ProductView {
            currency: c.currency,
            available: 5,
            stock,
            selected,
            collection: None,
            product: shirt,
        },
        "https://shop.example",
    );
    // From S / White: M and L (White) exist; L is sold out; S / Sand does not exist.
    assert!(
        html.contains("?variant=LINEN-SHIRT-M-WHITE\""),
        "M is a link"
    );
    assert!(
        html.contains("?variant=LINEN-SHIRT-L-WHITE\" class=\"sold-out\""),
        "L is marked sold out: {html}"
    );
    assert!(html.contains("(sold out)"));
    assert!(
        html.contains("title=\"S / Sand is not available\""),
        "Sand is marked"
    );
    let start = html.find("<div class=\"options\">").expect("pickers");
    let pickers = &html[start..start + html[start..].find("</form>").expect("form")];
    assert!(
        !pickers.contains("LINEN-SHIRT-M-SAND") && !pickers.contains("LINEN-SHIRT-L-SAND"),
        "no link jumps to another size: {pickers}"
    );
}

#[test]
fn a_variant_with_its_own_picture_shows_it() {
    let c = catalog();
    let shirt = c.products[0].clone();
    let sand = shirt.variant("LINEN-SHIRT-M-SAND").expect("sand").clone();
    let own = sand
        .image
        .clone()
        .expect("the demo's sand shirt has its own picture");
    let html = product(
        &c.index(),
        ProductView {
            currency: c.currency,
            available: 3,
            stock: Default::default(),
            selected: sand,
            collection: None,
            product: shirt,
        },
        "https://shop.example",
    );
    let gallery = &html[html.find("class=\"gallery\"").expect("gallery")..];
    assert!(
        gallery.starts_with(&format!("class=\"gallery\"><img src=\"{}\"", own.src)),
        "{gallery:.200}"
    );
    // The island carries every variant's picture, to swap without a reload.
    assert!(html.contains("/images/linen-shirt.svg"));
}

#[test]
fn search_states() {
    let idx = catalog().index();
    let empty = search(&idx, &ListingQuery::default());
    assert!(empty.contains("Type what you are looking for"));
    let none = search(
        &idx,
        &ListingQuery {
            q: Some("zzqqxx".into()),
            ..Default::default()
        },
    );
    assert!(none.contains("No products match “zzqqxx”"));
}

#[test]
fn error_page_shows_status_and_message() {
    let html = error(vec![], 404, "Page not found", "No such <page>.");
    assert!(html.contains(">404<"));
    assert!(html.contains("No such &lt;page&gt;."));
}
