//! What search engines and link previews read: JSON-LD structured data and the sitemap.
//!
//! JSON-LD goes inside `<script type="application/ld+json">`, so every `<` is written as
//! `\u003c`: catalog text can never close the script element.

use domain::{Availability, CatalogIndex, Collection, Currency, Money, Product};
use serde::Serialize;

/// Serialises JSON for an inline script element: the text as `serde_json` writes it, then
/// `<`, `>` and `&` as `\u` escapes, in one pass when there are any.
pub fn script_json(value: &impl Serialize) -> String {
    let json = serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned());
    if !json.contains(['<', '>', '&']) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 32);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            c => out.push(c),
        }
    }
    out
}

fn schema_availability(available: u32) -> &'static str {
    match Availability::from_stock(available) {
        Availability::SoldOut => "https://schema.org/OutOfStock",
        Availability::Low(_) => "https://schema.org/LimitedAvailability",
        Availability::InStock => "https://schema.org/InStock",
    }
}

/// A schema.org `Product` with one `Offer` per variant, serialised straight from the catalog's
/// own strings (no intermediate JSON tree per page).
#[derive(Serialize)]
pub struct ProductLd<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
    description: &'a str,
    sku: Option<&'a str>,
    image: Vec<&'a str>,
    offers: Vec<OfferLd<'a>>,
}

#[derive(Serialize)]
struct OfferLd<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    sku: &'a str,
    name: String,
    price: String,
    #[serde(rename = "priceCurrency")]
    price_currency: Currency,
    availability: &'static str,
    url: String,
}

/// `Product` with one `Offer` per variant. `available(sku)` gives live units.
pub fn product_ld<'a>(
    product: &'a Product,
    currency: Currency,
    available: impl Fn(&str) -> u32,
) -> ProductLd<'a> {
    let offers = product
        .variants
        .iter()
        .map(|v| OfferLd {
            kind: "Offer",
            sku: v.sku.as_str(),
            name: v.options.join(" / "),
            price: Money::new(v.price, currency).decimal(),
            price_currency: currency,
            availability: schema_availability(available(v.sku.as_str())),
            url: format!("/products/{}?variant={}", product.handle, v.sku),
        })
        .collect();
    ProductLd {
        context: "https://schema.org",
        kind: "Product",
        name: &product.title,
        description: &product.description,
        sku: product.variants.first().map(|v| v.sku.as_str()),
        image: product.images.iter().map(|i| i.src.as_str()).collect(),
        offers,
    }
}

/// A schema.org `BreadcrumbList`.
#[derive(Serialize)]
pub struct BreadcrumbsLd {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(rename = "itemListElement")]
    items: Vec<ListItemLd>,
}

#[derive(Serialize)]
struct ListItemLd {
    #[serde(rename = "@type")]
    kind: &'static str,
    position: usize,
    name: String,
    item: String,
}

/// `BreadcrumbList`: Home, the collection if any, then the page itself.
pub fn breadcrumbs_ld(
    collection: Option<&Collection>,
    last: Option<(&str, &str)>,
) -> BreadcrumbsLd {
    let mut items = vec![("Home".to_owned(), "/".to_owned())];
    if let Some(c) = collection {
        items.push((c.title.clone(), format!("/collections/{}", c.handle)));
    }
    if let Some((name, url)) = last {
        items.push((name.to_owned(), url.to_owned()));
    }
    BreadcrumbsLd {
        context: "https://schema.org",
        kind: "BreadcrumbList",
        items: items
            .into_iter()
            .enumerate()
            .map(|(i, (name, item))| ListItemLd {
                kind: "ListItem",
                position: i + 1,
                name,
                item,
            })
            .collect(),
    }
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
        let ld = serde_json::to_value(product_ld(p, c.currency, |sku| {
            if sku == "RAIN-JACKET-L-NAVY" {
                0
            } else {
                9
            }
        }))
        .expect("json");
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
        let back: serde_json::Value = serde_json::from_str(&text).expect("still JSON");
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
