//! The JSON shapes of the read-only catalog API (`/api/products…`), built from domain types.

use domain::listing::Page;
use domain::{Availability, Currency, Image, Product, ProductSummary};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct ProductListJson<'a> {
    pub items: Vec<ProductItemJson<'a>>,
    pub page: u32,
    pub per_page: u32,
    pub total: u32,
    pub total_pages: u32,
    pub currency: Currency,
}

#[derive(Debug, Serialize)]
pub struct ProductItemJson<'a> {
    pub handle: &'a str,
    pub title: &'a str,
    pub url: String,
    pub min_price: i64,
    pub max_price: i64,
    pub currency: Currency,
    pub available: bool,
    pub image: Option<&'a Image>,
}

impl<'a> ProductListJson<'a> {
    pub fn new(page: &Page<&'a ProductSummary>, currency: Currency) -> Self {
        ProductListJson {
            items: page
                .items
                .iter()
                .map(|p| ProductItemJson {
                    handle: p.handle.as_str(),
                    title: &p.title,
                    url: format!("/products/{}", p.handle),
                    min_price: p.min_price,
                    max_price: p.max_price,
                    currency,
                    available: p.available,
                    image: p.image.as_ref(),
                })
                .collect(),
            page: page.page,
            per_page: page.per_page,
            total: page.total,
            total_pages: page.total_pages,
            currency,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ProductJson<'a> {
    pub handle: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub tags: &'a [String],
    pub collections: Vec<&'a str>,
    pub images: &'a [Image],
    /// Option names, e.g. `["Size", "Colour"]`.
    pub options: &'a [String],
    pub variants: Vec<VariantJson<'a>>,
    pub currency: Currency,
}

#[derive(Debug, Serialize)]
pub struct VariantJson<'a> {
    pub sku: &'a str,
    /// Values in the order of the product's `options`.
    pub options: &'a [String],
    pub title: String,
    /// Minor units of `currency`.
    pub price: i64,
    pub currency: Currency,
    pub available: u32,
    pub availability: Availability,
}

impl<'a> ProductJson<'a> {
    /// `available(sku)` gives the units a shopper can buy now.
    pub fn new(p: &'a Product, currency: Currency, available: impl Fn(&str) -> u32) -> Self {
        ProductJson {
            handle: p.handle.as_str(),
            title: &p.title,
            description: &p.description,
            tags: &p.tags,
            collections: p.collections.iter().map(|c| c.as_str()).collect(),
            images: &p.images,
            options: &p.options,
            variants: p
                .variants
                .iter()
                .map(|v| {
                    let n = available(v.sku.as_str());
                    VariantJson {
                        sku: v.sku.as_str(),
                        options: &v.options,
                        title: v.options.join(" / "),
                        price: v.price,
                        currency,
                        available: n,
                        availability: Availability::from_stock(n),
                    }
                })
                .collect(),
            currency,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::Catalog;

    #[test]
    fn product_json_has_variants_with_sku_price_and_currency() {
        let c = Catalog::from_json(include_str!("../../catalog/demo.json")).expect("demo");
        let p = &c.products[0];
        let json = serde_json::to_value(ProductJson::new(p, c.currency, |_| 3)).expect("json");
        let v = &json["variants"][0];
        assert_eq!(v["sku"], p.variants[0].sku.as_str());
        assert_eq!(v["price"], p.variants[0].price);
        assert_eq!(v["currency"], "EUR");
        assert_eq!(v["availability"]["status"], "low");
        assert_eq!(
            json["options"].as_array().map(Vec::len),
            Some(p.options.len())
        );
    }
}
