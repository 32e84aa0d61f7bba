//! What a cart costs delivered: where it ships (the shopper's choice, else the country the
//! request comes from, else the shop's default country), the rates the shopper can choose, and
//! the totals with its discount code, shipping and tax (`crate::totals`).

use super::{Cart, PricedCart};
use crate::catalog::CatalogIndex;
use crate::discount::{self, Code, DiscountLine, Kind};
use crate::settings::Country;
use crate::totals::{self, OrderLine, Totals};
use serde::Serialize;

/// One rate the shopper can choose, at what it costs for this cart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RateOption {
    pub id: String,
    pub name: String,
    /// Minor units for this cart (0 once the subtotal after the goods discount reaches the rate's
    /// `free_over`, or with a free-shipping code).
    pub amount: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery: Option<String>,
}

/// The cart's destination, rate and totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartQuote {
    pub country: Country,
    pub rate: String,
    pub options: Vec<RateOption>,
    pub totals: Totals,
    /// The cart's discount code and what it takes off, if it has one.
    pub discount: Option<QuoteDiscount>,
}

/// The cart's discount code as quoted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuoteDiscount {
    pub code: Code,
    pub kind: Kind,
    /// Off the goods ([`Totals::discount`]), or the shipping waived for a free-shipping code.
    pub amount: i64,
    /// `Some(minimum)` when the goods are below the code's minimum: then it takes nothing off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub below_minimum: Option<i64>,
}

/// Quotes `cart` (priced as `priced`) under the shop's settings; `None` if the shop has none.
/// `visitor` is the country the request comes from, used when the shopper chose none. A chosen
/// country the shop no longer ships to, or a rate it no longer offers, falls back as if unset.
/// The cart's discount code applies unless the goods are below its minimum (whether it is
/// active and has uses left is the checkout's to check); rates are priced, and the cheapest
/// chosen, on the subtotal after it.
pub fn quote(
    index: &CatalogIndex,
    cart: &Cart,
    priced: &PricedCart,
    visitor: Option<Country>,
) -> Option<CartQuote> {
    let settings = index.settings.as_ref()?;
    let chosen = cart
        .shipping
        .as_ref()
        .filter(|d| settings.ships_to(&d.country));
    let country = chosen
        .map(|d| d.country)
        .or(visitor.filter(|c| settings.ships_to(c)))
        .unwrap_or(settings.tax.default_country);
    let subtotal = priced.subtotal;
    let collections = |handle: &str| {
        index
            .products
            .iter()
            .find(|p| p.handle.as_str() == handle)
            .map_or(&[][..], |p| p.collections.as_slice())
    };
    let lines: Vec<OrderLine<'_>> = priced
        .lines
        .iter()
        .filter(|l| l.purchasable)
        .map(|l| OrderLine {
            amount: l.line_total,
            collections: collections(l.product_handle.as_deref().unwrap_or("")),
        })
        .collect();
    let applied = cart
        .discount
        .as_ref()
        .filter(|d| d.below_minimum(subtotal).is_none());
    let discount_lines: Vec<DiscountLine<'_>> = lines
        .iter()
        .map(|l| DiscountLine {
            amount: l.amount,
            collections: l.collections,
        })
        .collect();
    let goods_discount: i64 =
        applied.map_or(0, |d| discount::shares(d, &discount_lines).iter().sum());
    let after = subtotal - goods_discount;
    let waived = applied.is_some_and(|d| d.waives_shipping(&discount_lines));
    let rate = chosen
        .and_then(|d| d.rate.as_deref())
        .and_then(|id| settings.rate(&country, id))
        .or_else(|| settings.cheapest_rate(&country, after))?;
    let totals = totals::quote(settings, &country, &rate.id, &lines, applied).ok()?;
    let options = settings
        .rates_for(&country)
        .iter()
        .map(|r| RateOption {
            id: r.id.clone(),
            name: r.name.clone(),
            amount: if waived { 0 } else { r.amount_for(after) },
            delivery: r.delivery.clone(),
        })
        .collect();
    let discount = cart.discount.as_ref().map(|d| QuoteDiscount {
        code: d.code.clone(),
        kind: d.kind,
        amount: match d.kind {
            Kind::FreeShipping if waived => rate.amount_for(after),
            Kind::FreeShipping => 0,
            Kind::Percent | Kind::Fixed => totals.discount,
        },
        below_minimum: d.below_minimum(subtotal),
    });
    Some(CartQuote {
        country,
        rate: rate.id.clone(),
        options,
        totals,
        discount,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cart::{price, CartCommand, Destination, SkuInfo};
    use crate::{Catalog, Sku};

    fn demo() -> CatalogIndex {
        Catalog::from_json(include_str!("../../../catalog/demo.json"))
            .expect("demo")
            .index()
    }

    fn cart_of(lines: &[(&str, u32)]) -> Cart {
        let mut cart = Cart::default();
        for (sku, quantity) in lines {
            let add = CartCommand::Add {
                sku: Sku::parse(sku).expect("sku"),
                quantity: *quantity,
                available: None,
            };
            cart.apply(&add).expect("add");
        }
        cart
    }

    fn priced(index: &CatalogIndex, cart: &Cart) -> PricedCart {
        price(cart, index.currency, |sku| {
            index.skus.get(sku).map(|e| SkuInfo {
                title: e.title.clone(),
                product_handle: e.product.to_string(),
                unit_price: e.price,
            })
        })
        .expect("priced")
    }

    fn country(code: &str) -> Country {
        Country::parse(code).expect("country")
    }

    #[test]
    fn the_default_is_the_visitors_country_when_shipped_to_else_the_shops() {
        let index = demo();
        let cart = cart_of(&[("LINEN-SHIRT-S-WHITE", 1)]);
        let p = priced(&index, &cart);
        let q = quote(&index, &cart, &p, None).expect("quote");
        assert_eq!(q.country, country("DE"));
        assert_eq!(q.totals.subtotal, 4900);
        assert!(q.totals.tax_included);
        let fr = quote(&index, &cart, &p, Some(country("FR"))).expect("quote");
        assert_eq!(fr.country, country("FR"));
        let jp = quote(&index, &cart, &p, Some(country("JP"))).expect("quote");
        assert_eq!(
            jp.country,
            country("DE"),
            "not shipped to: the shop's default"
        );
        // The cheapest rate unless one was chosen; every rate of the zone offered.
        let cheapest = q.options.iter().map(|o| o.amount).min();
        assert_eq!(
            q.options.iter().find(|o| o.id == q.rate).map(|o| o.amount),
            cheapest
        );
        assert!(q.options.len() >= 2);
        let t = &q.totals;
        assert_eq!(t.total, t.subtotal - t.discount + t.shipping);
    }

    #[test]
    fn a_chosen_destination_and_rate_are_quoted_and_a_stale_one_falls_back() {
        let index = demo();
        let mut cart = cart_of(&[("LINEN-SHIRT-S-WHITE", 2)]);
        let settings = index.settings.as_ref().expect("settings");
        let express = settings
            .rates_for(&country("FR"))
            .iter()
            .max_by_key(|r| r.amount)
            .expect("rates")
            .id
            .clone();
        let to = |code: &str, rate: Option<&str>| CartCommand::SetShipping {
            destination: Destination {
                country: country(code),
                rate: rate.map(str::to_owned),
            },
        };
        cart.apply(&to("FR", Some(&express))).expect("set");
        let p = priced(&index, &cart);
        let q = quote(&index, &cart, &p, Some(country("DE"))).expect("quote");
        assert_eq!(
            (q.country, q.rate.as_str()),
            (country("FR"), express.as_str())
        );
        cart.apply(&to("FR", Some("no-such-rate"))).expect("set");
        let q = quote(&index, &cart, &p, None).expect("quote");
        assert_ne!(q.rate, "no-such-rate", "falls back to the cheapest");
        cart.apply(&to("JP", None)).expect("set");
        let q = quote(&index, &cart, &p, None).expect("quote");
        assert_eq!(q.country, country("DE"));
    }

    #[test]
    fn a_new_destination_is_a_new_checkout() {
        let mut cart = cart_of(&[("LINEN-SHIRT-S-WHITE", 1)]);
        let before = cart.fingerprint();
        cart.apply(&CartCommand::SetShipping {
            destination: Destination {
                country: country("FR"),
                rate: None,
            },
        })
        .expect("set");
        assert_ne!(cart.fingerprint(), before);
    }

    #[test]
    fn a_shop_without_settings_quotes_nothing() {
        let mut index = demo();
        index.settings = None;
        let cart = cart_of(&[("LINEN-SHIRT-S-WHITE", 1)]);
        let p = priced(&index, &cart);
        assert_eq!(quote(&index, &cart, &p, None), None);
    }

    /// `cart` with the code defined by `json` applied, quoted to Germany (19 %, standard shipping
    /// €4.95, free from €50; express €12.90).
    fn quote_with(lines: &[(&str, u32)], json: &str) -> CartQuote {
        let index = demo();
        let mut cart = cart_of(lines);
        let discount = serde_json::from_str(json).expect("code");
        cart.apply(&CartCommand::SetDiscount { discount })
            .expect("set");
        let p = priced(&index, &cart);
        quote(&index, &cart, &p, None).expect("quote")
    }

    fn quoted(code: &str, kind: Kind, amount: i64, below_minimum: Option<i64>) -> QuoteDiscount {
        QuoteDiscount {
            code: Code::parse(code).expect("code"),
            kind,
            amount,
            below_minimum,
        }
    }

    #[test]
    fn a_percentage_rounds_per_line() {
        // 12.5 % of €49.00 = €6.125 → €6.13, of €29.00 = €3.625 → €3.63: €9.76, where 12.5 % of
        // the €78.00 together would be €9.75.
        let shirt_and_tee = [
            ("LINEN-SHIRT-S-WHITE", 1),
            ("ORGANIC-TEE-S-BLACK-REGULAR", 1),
        ];
        let q = quote_with(
            &shirt_and_tee,
            r#"{"code":"EIGHTH","kind":"percent","value":1250}"#,
        );
        let t = &q.totals;
        assert_eq!((t.lines[0].discount, t.lines[1].discount), (613, 363));
        assert_eq!(
            (t.subtotal, t.discount, t.shipping, t.total),
            (7800, 976, 0, 6824)
        );
        // 42.87 / 1.19 = 36.025… → 36.03 + 6.84.
        assert_eq!((t.lines[0].net, t.lines[0].tax), (3603, 684));
        assert_eq!(q.discount, Some(quoted("EIGHTH", Kind::Percent, 976, None)));
    }

    #[test]
    fn a_fixed_amount_takes_at_most_the_goods() {
        let q = quote_with(
            &[("LINEN-SHIRT-S-WHITE", 1)],
            r#"{"code":"HUNDRED","kind":"fixed","value":10000}"#,
        );
        let t = &q.totals;
        // The goods are free; shipping is not (the subtotal after the discount is €0).
        assert_eq!((t.discount, t.shipping, t.total), (4900, 495, 495));
        assert_eq!(t.lines[0].tax, 0);
        assert_eq!(q.discount.map(|d| d.amount), Some(4900));
    }

    #[test]
    fn a_code_for_some_collections_leaves_other_lines_alone() {
        let shirt_and_mug = [("LINEN-SHIRT-S-WHITE", 1), ("STONEWARE-MUG-WHITE", 1)];
        let q = quote_with(
            &shirt_and_mug,
            r#"{"code":"HOME10","kind":"percent","value":1000,"collections":["home"]}"#,
        );
        let t = &q.totals;
        assert_eq!((t.lines[0].discount, t.lines[1].discount), (0, 160));
        assert_eq!(
            (t.lines[0].net, t.lines[0].tax),
            (4118, 782),
            "as without the code"
        );
        assert_eq!(t.total, 6500 - 160);
        // €20 off takes the €65 under the €50 of free standard shipping: it costs again, and
        // the rates on offer say so.
        let q = quote_with(
            &shirt_and_mug,
            r#"{"code":"TWENTY","kind":"fixed","value":2000}"#,
        );
        assert_eq!((q.totals.discount, q.totals.shipping), (2000, 495));
        assert_eq!(
            q.options.iter().find(|o| o.id == q.rate).map(|o| o.amount),
            Some(495)
        );
    }

    #[test]
    fn free_shipping_waives_the_shipping_and_says_how_much() {
        let free = r#"{"code":"SHIPFREE","kind":"free_shipping"}"#;
        let q = quote_with(&[("LINEN-SHIRT-S-WHITE", 1)], free);
        let t = &q.totals;
        assert_eq!(
            (t.discount, t.shipping, t.shipping_tax, t.total),
            (0, 0, 0, 4900)
        );
        assert_eq!(
            q.discount,
            Some(quoted("SHIPFREE", Kind::FreeShipping, 495, None))
        );
        assert!(q.options.iter().all(|o| o.amount == 0));
        // Over €50 standard shipping is free anyway: nothing waived.
        let q = quote_with(&[("LINEN-SHIRT-L-WHITE", 1)], free);
        assert_eq!(q.discount.map(|d| d.amount), Some(0));
        // Express, chosen, is waived too.
        let index = demo();
        let mut cart = cart_of(&[("LINEN-SHIRT-S-WHITE", 1)]);
        for command in [
            CartCommand::SetDiscount {
                discount: serde_json::from_str(free).expect("code"),
            },
            CartCommand::SetShipping {
                destination: Destination {
                    country: country("DE"),
                    rate: Some("express".into()),
                },
            },
        ] {
            cart.apply(&command).expect("apply");
        }
        let q = quote(&index, &cart, &priced(&index, &cart), None).expect("quote");
        assert_eq!((q.totals.shipping, q.totals.total), (0, 4900));
        assert_eq!(q.discount.map(|d| d.amount), Some(1290));
    }

    #[test]
    fn below_its_minimum_a_code_takes_nothing_off_and_says_so() {
        let code = r#"{"code":"BIG","kind":"percent","value":1000,"min_subtotal":10000}"#;
        let q = quote_with(&[("LINEN-SHIRT-S-WHITE", 1)], code);
        let t = &q.totals;
        assert_eq!((t.discount, t.shipping, t.total), (0, 495, 4900 + 495));
        assert_eq!(
            q.discount,
            Some(quoted("BIG", Kind::Percent, 0, Some(10_000)))
        );
        let q = quote_with(&[("LINEN-SHIRT-S-WHITE", 3)], code);
        assert_eq!(q.discount, Some(quoted("BIG", Kind::Percent, 1470, None)));
        let q = quote_with(
            &[("LINEN-SHIRT-S-WHITE", 1)],
            r#"{"code":"SHIPBIG","kind":"free_shipping","min_subtotal":10000}"#,
        );
        assert_eq!(q.totals.shipping, 495);
        assert_eq!(
            q.discount.map(|d| (d.amount, d.below_minimum)),
            Some((0, Some(10_000)))
        );
        // Without a code, no discount is quoted.
        let index = demo();
        let cart = cart_of(&[("LINEN-SHIRT-S-WHITE", 1)]);
        let q = quote(&index, &cart, &priced(&index, &cart), None).expect("quote");
        assert_eq!(q.discount, None);
    }
}
