//! What a cart costs delivered: where it ships (the shopper's choice, else the country the
//! request comes from, else the shop's default country), the rates the shopper can choose, and
//! the totals with shipping and tax (`crate::totals`).

use super::{Cart, PricedCart};
use crate::catalog::CatalogIndex;
use crate::settings::Country;
use crate::totals::{self, OrderLine, Totals};
use serde::Serialize;

/// One rate the shopper can choose, at what it costs for this cart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RateOption {
    pub id: String,
    pub name: String,
    /// Minor units for this cart (0 once the subtotal reaches the rate's `free_over`).
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
}

/// Quotes `cart` (priced as `priced`) under the shop's settings; `None` if the shop has none.
/// `visitor` is the country the request comes from, used when the shopper chose none. A chosen
/// country the shop no longer ships to, or a rate it no longer offers, falls back as if unset.
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
    let rate = chosen
        .and_then(|d| d.rate.as_deref())
        .and_then(|id| settings.rate(&country, id))
        .or_else(|| settings.cheapest_rate(&country, subtotal))?;
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
    let totals = totals::quote(settings, &country, &rate.id, &lines, 0).ok()?;
    let options = settings
        .rates_for(&country)
        .iter()
        .map(|r| RateOption {
            id: r.id.clone(),
            name: r.name.clone(),
            amount: r.amount_for(subtotal),
            delivery: r.delivery.clone(),
        })
        .collect();
    Some(CartQuote {
        country,
        rate: rate.id.clone(),
        options,
        totals,
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
}
