//! The JSON shapes of the read-only catalog API (`/api/products…`) and of the cart and order
//! answers, built from domain types.

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

    /// The cart JSON of one linen shirt (€49.00) shipped to Germany, with `code` applied.
    fn cart_json(code: Option<(domain::discount::Kind, i64, Option<i64>)>) -> serde_json::Value {
        use domain::cart::{price, Cart, CartCommand, SkuInfo};
        use domain::discount::{Code, Discount};
        let index = Catalog::from_json(include_str!("../../catalog/demo.json"))
            .expect("demo")
            .index();
        let mut cart = Cart::default();
        let sku = domain::Sku::parse("LINEN-SHIRT-S-WHITE").expect("sku");
        cart.apply(&CartCommand::Add {
            sku,
            quantity: 1,
            available: None,
        })
        .expect("add");
        if let Some((kind, value, min_subtotal)) = code {
            let discount = Discount {
                code: Code::parse("welcome10").expect("code"),
                kind,
                value,
                min_subtotal,
                starts_at: None,
                ends_at: None,
                usage_limit: None,
                once_per_email: false,
                collections: vec![],
                disabled: false,
            };
            cart.apply(&CartCommand::SetDiscount { discount })
                .expect("code");
        }
        let priced = price(&cart, index.currency, |sku| {
            index.skus.get(sku).map(|e| SkuInfo {
                title: e.title.clone(),
                product_handle: e.product.to_string(),
                unit_price: e.price,
            })
        })
        .expect("priced");
        let quote = domain::cart::quote(&index, &cart, &priced, None);
        serde_json::to_value(CartJson::new(Some("c1"), &priced).quoted(quote.as_ref()))
            .expect("json")
    }

    #[test]
    fn the_cart_json_has_its_discount_code_and_what_it_takes_off() {
        use domain::discount::Kind;
        let json = cart_json(Some((Kind::Percent, 1000, None)));
        assert_eq!(
            json["discount"],
            serde_json::json!({"code": "WELCOME10", "kind": "percent", "amount": 490}),
            "{json}"
        );
        assert_eq!(json["totals"]["discount"], 490);
        assert_eq!(json["totals"]["subtotal"], 4900);

        // Below the code's minimum: the minimum, and nothing off.
        let json = cart_json(Some((Kind::Fixed, 500, Some(5000))));
        assert_eq!(
            json["discount"],
            serde_json::json!({"code": "WELCOME10", "kind": "fixed", "amount": 0, "below_minimum": 5000}),
            "{json}"
        );
        assert_eq!(json["totals"]["discount"], 0);

        // Free shipping: the shipping it waives, and the shipping is 0.
        let json = cart_json(Some((Kind::FreeShipping, 0, None)));
        assert_eq!(json["discount"]["kind"], "free_shipping");
        assert!(json["discount"]["amount"].as_i64() > Some(0), "{json}");
        assert_eq!(json["totals"]["shipping"], 0);
        assert_eq!(json["totals"]["discount"], 0);

        let json = cart_json(None);
        assert!(json.get("discount").is_none(), "{json}");
        assert_eq!(json["totals"]["discount"], 0, "the totals always carry it");
    }

    #[test]
    fn the_order_json_has_the_code_it_was_placed_with() {
        let order = |discount: &str| -> domain::order::Order {
            serde_json::from_str(&format!(
                r#"{{"id":"ord_1","status":"paid","cart_id":"c","email":"a@example.com",
                "currency":"EUR","lines":[],"total":4410,"created_at":0,"updated_at":0,
                "charges":{{"subtotal":4900,"discount":490,"shipping":0,"tax":735,"tax_included":true}}
                {discount}}}"#
            ))
            .expect("order")
        };
        let o = order(r#","discount":{"code":"WELCOME10","amount":490}"#);
        let json = serde_json::to_value(OrderJson::new(&o)).expect("json");
        assert_eq!(
            json["discount"],
            serde_json::json!({"code": "WELCOME10", "amount": 490})
        );
        assert_eq!(json["totals"]["discount"], 490);
        let o = order(r#","discount":{"code":"SHIPFREE","amount":995,"free_shipping":true}"#);
        let json = serde_json::to_value(OrderJson::new(&o)).expect("json");
        assert_eq!(
            json["discount"],
            serde_json::json!({"code": "SHIPFREE", "amount": 995, "free_shipping": true})
        );
        let json = serde_json::to_value(OrderJson::new(&order(""))).expect("json");
        assert!(json.get("discount").is_none(), "{json}");
    }
}

/// `GET /api/cart` and the answers of the cart item endpoints.
#[derive(Debug, Serialize)]
pub struct CartJson<'a> {
    pub id: Option<&'a str>,
    pub currency: Currency,
    pub lines: Vec<CartLineJson<'a>>,
    pub subtotal: i64,
    pub units: u32,
    /// Where the cart ships and the rates on offer (absent in a shop without settings).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping: Option<ShippingJson<'a>>,
    /// All in minor units: `total = subtotal − discount + shipping + (tax unless tax_included)`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub totals: Option<crate::islands::Sums>,
    /// The cart's discount code: `{"code", "kind", "amount", "below_minimum"?}`, `amount` off the
    /// goods (or the shipping waived by a free-shipping code), `below_minimum` the code's minimum
    /// while the goods are below it (then it takes nothing off). Absent without a code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discount: Option<&'a domain::cart::QuoteDiscount>,
}

#[derive(Debug, Serialize)]
pub struct ShippingJson<'a> {
    pub country: &'a str,
    pub rate: &'a str,
    pub options: &'a [domain::cart::RateOption],
}

#[derive(Debug, Serialize)]
pub struct CartLineJson<'a> {
    pub sku: &'a str,
    pub title: &'a str,
    pub quantity: u32,
    pub unit_price: i64,
    pub line_total: i64,
    /// False when the SKU left the catalog: it cannot be checked out.
    pub purchasable: bool,
}

impl<'a> CartJson<'a> {
    pub fn new(id: Option<&'a str>, cart: &'a domain::cart::PricedCart) -> Self {
        CartJson {
            id,
            currency: cart.currency,
            lines: cart
                .lines
                .iter()
                .map(|l| CartLineJson {
                    sku: l.sku.as_str(),
                    title: &l.title,
                    quantity: l.quantity,
                    unit_price: l.unit_price,
                    line_total: l.line_total,
                    purchasable: l.purchasable,
                })
                .collect(),
            subtotal: cart.subtotal,
            units: cart.units,
            shipping: None,
            totals: None,
            discount: None,
        }
    }

    /// With the cart's destination, rates, totals and discount code.
    pub fn quoted(mut self, quote: Option<&'a domain::cart::CartQuote>) -> Self {
        if let Some(q) = quote {
            self.shipping = Some(ShippingJson {
                country: q.country.code(),
                rate: &q.rate,
                options: &q.options,
            });
            self.totals = Some(crate::islands::Sums::of_totals(&q.totals));
            self.discount = q.discount.as_ref();
        }
        self
    }
}

/// `GET /api/orders/{id}`.
#[derive(Debug, Serialize)]
pub struct OrderJson<'a> {
    pub id: &'a str,
    pub status: domain::order::OrderStatus,
    pub lines: Vec<OrderLineJson<'a>>,
    pub total: i64,
    pub currency: Currency,
    pub created_at: i64,
    pub payment_url: Option<&'a str>,
    /// The parts of `total`, as the cart quoted them (absent in a shop without settings).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub totals: Option<crate::islands::Sums>,
    /// Where the order ships: country, rate, and the address once paid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping: Option<OrderShippingJson<'a>>,
    /// The code it was placed with: `{"code", "amount", "free_shipping"?}`, `amount` off the
    /// goods, or the shipping waived when `free_shipping`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discount: Option<&'a domain::order::OrderDiscount>,
}

#[derive(Debug, Serialize)]
pub struct OrderShippingJson<'a> {
    pub country: &'a str,
    pub rate: &'a str,
    pub name: &'a str,
    pub address: Option<&'a domain::order::Address>,
}

#[derive(Debug, Serialize)]
pub struct OrderLineJson<'a> {
    pub sku: &'a str,
    pub title: &'a str,
    pub quantity: u32,
    pub unit_price: i64,
    pub line_total: i64,
}

impl<'a> OrderJson<'a> {
    pub fn new(o: &'a domain::order::Order) -> Self {
        OrderJson {
            id: &o.id,
            status: o.status,
            lines: o
                .lines
                .iter()
                .map(|l| OrderLineJson {
                    sku: l.sku.as_str(),
                    title: &l.title,
                    quantity: l.quantity,
                    unit_price: l.unit_price,
                    line_total: l.line_total,
                })
                .collect(),
            total: o.total,
            currency: o.currency,
            created_at: o.created_at,
            payment_url: (o.status == domain::order::OrderStatus::AwaitingPayment)
                .then_some(o.payment_url.as_deref())
                .flatten(),
            totals: o
                .charges
                .map(|c| crate::islands::Sums::of_charges(&c, o.total)),
            shipping: o.delivery.as_ref().map(|d| OrderShippingJson {
                country: d.country.code(),
                rate: &d.rate,
                name: &d.rate_name,
                address: d.address.as_ref(),
            }),
            discount: o.discount.as_ref(),
        }
    }
}
