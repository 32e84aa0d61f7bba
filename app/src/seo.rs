//! What search engines and link previews read: JSON-LD structured data and the sitemap.
//!
//! JSON-LD goes inside `<script type="application/ld+json">`, so every `<` is written as
//! `\u003c`: catalog text can never close the script element.

use domain::{Availability, CatalogIndex, Collection, Currency, Money, Product};
use serde_json::{json, Value};

/// Serialises JSON for an inline script element.
pub fn script_json(value: &Value) -> String {
    value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

fn schema_availability(available: u32) -> &'static str {
    match Availability::from_stock(available) {
        Availability::SoldOut => "https://schema.org/OutOfStock",
        Availability::Low(_) => "https://schema.org/LimitedAvailability",
        Availability::InStock => "https://schema.org/InStock",
    }
}

/// `Product` with one `Offer` per variant. `available(sku)` gives live units.
pub fn product_ld(product: &Product, currency: Currency, available: impl Fn(&str) -> u32) -> Value {
    let offers: Vec<Value> = product
        .variants
        .iter()
        .map(|v| {
            json!({
                "@type": "Offer",
                "sku": v.sku.as_str(),
                "name": v.options.join(" / "),
                "price": Money::new(v.price, currency).decimal(),
                "priceCurrency": currency.code(),
                "availability": schema_availability(available(v.sku.as_str())),
                "url": format!("/products/{}?variant={}", product.handle, v.sku),
            })
        })
        .collect();
    json!({
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.title,
        "description": product.description,
        "sku": product.variants.first().map(|v| v.sku.as_str()),
        "image": product.images.iter().map(|i| i.src.as_str()).collect::<Vec<_>>(),
        "offers": offers,
    })
}

/// `BreadcrumbList`: Home, the collection if any, then the page itself.
pub fn breadcrumbs_ld(collection: Option<&Collection>, last: Option<(&str, &str)>) -> Value {
    let mut items = vec![("Home".to_owned(), "/".to_owned())];
    if let Some(c) = collection {
        items.push((c.title.clone(), format!("/collections/{}", c.handle)));
    }
    if let Some((name, url)) = last {
        items.push((name.to_owned(), url.to_owned()));
    }
    let list: Vec<Value> = items
        .into_iter()
        .enumerate()
        .map(|(i, (name, url))| json!({ "@type": "ListItem", "position": i + 1, "name": name, "item": url }))
        .collect();
    json!({ "@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": list })
}

/// `&`, `<`, `>` and both quotes escaped: for XML, and HTML text and attribute values.
pub(crate) fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// `/sitemap.xml`: home, every collection and every product, with absolute URLs under `origin`.
pub fn sitemap(index: &CatalogIndex, origin: &str) -> String {
    let mut urls = vec![format!("{origin}/")];
    urls.extend(
        index
            .collections
            .iter()
            .map(|c| format!("{origin}/collections/{}", c.handle)),
    );
    urls.extend(
        index
            .products
            .iter()
            .map(|p| format!("{origin}/products/{}", p.handle)),
    );
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for u in urls {
        out.push_str(&format!("  <url><loc>{}</loc></url>\n", xml_escape(&u)));
    }
    out.push_str("</urlset>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::Catalog;

    fn demo() -> Catalog {
        Catalog::from_json(include_str!("../../catalog/demo.json")).expect("demo")
    }

    #[test]
    fn product_ld_has_offers_with_decimal_prices_and_live_availability() {
        let c = demo();
        let p = c
            .products
            .iter()
            .find(|p| p.handle.as_str() == "rain-jacket")
            .expect("jacket");
        let ld = product_ld(p, c.currency, |sku| {
            if sku == "RAIN-JACKET-L-NAVY" {
                0
            } else {
                9
            }
        });
        assert_eq!(ld["@type"], "Product");
        let offers = ld["offers"].as_array().expect("offers");
        assert_eq!(offers.len(), p.variants.len());
        assert_eq!(offers[0]["price"], "179.00");
        assert_eq!(offers[0]["priceCurrency"], "EUR");
        assert_eq!(offers[0]["availability"], "https://schema.org/InStock");
        let navy = offers
            .iter()
            .find(|o| o["sku"] == "RAIN-JACKET-L-NAVY")
            .expect("navy");
        assert_eq!(navy["availability"], "https://schema.org/OutOfStock");
    }

    #[test]
    fn script_json_cannot_close_the_script() {
        let c = demo();
        // Not in the demo catalog: a title a merchant could type, on a copy of a product.
        let mut p = c.products[8].clone();
        p.title = "<script>alert(\"x\")</script></script><!--".into();
        let text = script_json(&product_ld(&p, c.currency, |_| 1));
        assert!(!text.contains("</script"), "{text}");
        assert!(!text.contains('<'));
        let back: Value = serde_json::from_str(&text).expect("still JSON");
        assert!(back["name"]
            .as_str()
            .is_some_and(|n| n.starts_with("<script>")));
    }

    #[test]
    fn sitemap_lists_every_page_once() {
        let c = demo();
        let xml = sitemap(&c.index(), "https://shop.example");
        assert_eq!(xml.matches("<loc>").count(), 1 + 4 + 30);
        assert!(xml.contains("<loc>https://shop.example/products/linen-shirt</loc>"));
    }
}
