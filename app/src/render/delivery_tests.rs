//! The cart's delivery choice and totals, the order page's breakdown and address, and the
//! admin's orders with their destination and a mismatched payment.

use super::*;
use crate::admin_pages::{AdminView, OrderRow};
use crate::checkout_pages::CartView;
use domain::cart::{price, Cart, CartCommand, Destination, SkuInfo};
use domain::order::{Address, Charges, Delivery, Order, OrderLine, OrderStatus};
use domain::{Catalog, CatalogIndex, Country, Currency, Sku};

pub(super) fn demo() -> CatalogIndex {
    Catalog::from_json(include_str!("../../../catalog/demo.json"))
        .expect("demo catalog")
        .index()
}

fn country(code: &str) -> Country {
    Country::parse(code).expect("country")
}

/// The cart page of `lines`, shipping to `to` (`None`: the shop's default) by `rate`.
fn cart_page(index: &CatalogIndex, lines: &[(&str, u32)], to: Option<(&str, &str)>) -> String {
    super::cart(index.collections.clone(), cart_view(index, lines, to, None))
}

/// What [`cart_page`] shows, with a discount code applied.
pub(super) fn cart_view(
    index: &CatalogIndex,
    lines: &[(&str, u32)],
    to: Option<(&str, &str)>,
    discount: Option<domain::discount::Discount>,
) -> CartView {
    let mut cart = Cart::default();
    for (sku, quantity) in lines {
        let add = CartCommand::Add {
            sku: Sku::parse(sku).expect("sku"),
            quantity: *quantity,
            available: None,
        };
        cart.apply(&add).expect("add");
    }
    if let Some((code, rate)) = to {
        let destination = Destination {
            country: country(code),
            rate: Some(rate.to_owned()),
        };
        cart.apply(&CartCommand::SetShipping { destination })
            .expect("ship");
    }
    if let Some(discount) = discount {
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
    let quote = domain::cart::quote(index, &cart, &priced, None);
    let countries = index
        .settings
        .as_ref()
        .map(|s| s.countries().copied().collect())
        .unwrap_or_default();
    CartView {
        cart: priced,
        error: None,
        notice: None,
        email: String::new(),
        images: Default::default(),
        quote,
        countries,
    }
}

/// The text of the element with `data-total="{name}"`, if the page has one (exactly one).
pub(super) fn shown(html: &str, name: &str) -> Option<String> {
    let key = format!("data-total=\"{name}\"");
    let mut found = html.match_indices(&key);
    let (at, _) = found.next()?;
    assert!(found.next().is_none(), "{name} shows twice");
    let rest = &html[at..];
    let text = &rest[rest.find('>')? + 1..];
    Some(
        text[..text.find("</")?]
            .replace("<!>", "")
            .trim()
            .to_owned(),
    )
}

/// Minor units of a shown amount: `€1,249.00`, `−€5.00`, `Free`.
fn cents(text: &str) -> i64 {
    if text == "Free" {
        return 0;
    }
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let n: i64 = digits.parse().unwrap_or_else(|_| panic!("amount {text:?}"));
    if text.starts_with('−') {
        -n
    } else {
        n
    }
}

pub(super) fn value(html: &str, name: &str) -> i64 {
    cents(&shown(html, name).unwrap_or_else(|| panic!("no {name} in {html}")))
}

/// The part of `html` from `from` to the next `to`.
pub(super) fn between<'a>(html: &'a str, from: &str, to: &str) -> &'a str {
    let start = html.find(from).unwrap_or_else(|| panic!("no {from}"));
    let len = html[start..].find(to).unwrap_or_else(|| panic!("no {to}"));
    &html[start..start + len]
}

#[test]
fn the_cart_offers_the_countries_and_rates_with_the_chosen_ones_selected() {
    let index = demo();
    let html = cart_page(
        &index,
        &[("LINEN-SHIRT-S-WHITE", 1)],
        Some(("FR", "express")),
    );
    assert!(
        html.contains("data-component=\"DeliveryChoice"),
        "an island"
    );
    let form = between(
        &html,
        "<form method=\"post\" action=\"/cart/shipping\">",
        "</form>",
    );
    let select = between(form, "<select", "</select>");
    assert!(select.contains("name=\"country\""), "{select}");
    assert!(form.contains("<label for=\"ship-country\">Ship to</label>"));
    assert!(
        select.contains("<option value=\"FR\" selected>France</option>"),
        "{select}"
    );
    assert_eq!(select.matches(" selected").count(), 1, "{select}");
    // Every country shipped to, named and sorted by name.
    let names = [
        "Austria",
        "Belgium",
        "France",
        "Germany",
        "Luxembourg",
        "Netherlands",
        "United Kingdom",
        "United States",
    ];
    let at: Vec<usize> = names
        .iter()
        .map(|n| {
            select
                .find(&format!(">{n}<"))
                .unwrap_or_else(|| panic!("{n}"))
        })
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "sorted: {at:?}");
    // France's rates, express checked, labelled with their prices and estimates.
    let radios: Vec<&str> = form.split("<input type=\"radio\"").skip(1).collect();
    assert_eq!(radios.len(), 2, "{form}");
    let express = radios
        .iter()
        .find(|r| r.contains("value=\"express\""))
        .expect("express");
    let standard = radios
        .iter()
        .find(|r| r.contains("value=\"standard\""))
        .expect("standard");
    assert!(express.contains(" checked") && !standard.contains(" checked"));
    assert!(radios.iter().all(|r| r.contains("name=\"rate\"")));
    assert!(form.contains("Express — €24.90"), "{form}");
    assert!(form.contains("Standard — €9.95") && form.contains("3–5 business days"));
    assert!(form.contains(">Update delivery</button>"));
    assert!(html.contains("role=\"alert\""), "a place for errors");
}

#[test]
fn the_cart_totals_add_up_with_tax_included() {
    let index = demo();
    let html = cart_page(
        &index,
        &[("LINEN-SHIRT-S-WHITE", 1)],
        Some(("FR", "express")),
    );
    assert_eq!(value(&html, "subtotal"), 4900);
    assert_eq!(value(&html, "shipping"), 2490);
    assert_eq!(value(&html, "total"), 4900 + 2490);
    assert_eq!(
        shown(&html, "discount").as_deref(),
        Some(""),
        "no discount: its row is empty"
    );
    let row = between(&html, "<div hidden", "</div>");
    assert!(row.contains("data-total=\"discount\""), "and hidden: {row}");
    // France, 20 %: the tax in the goods and in the shipping, each rounded half up.
    let tax = value(&html, "tax");
    assert_eq!(tax, (4900 - 4083) + (2490 - 2075));
    assert!(html.contains("data-tax-included=\"true\""));
    let totals = between(&html, "class=\"totals\"", "</dl>");
    assert!(totals.contains("Including VAT") && !totals.contains(">Tax<"));
    assert!(
        totals.find("data-total=\"total\"") < totals.find("data-total=\"tax\""),
        "included tax shows under the total: {totals}"
    );
    // The subtotal's old place is gone: one subtotal on the page.
    assert_eq!(html.matches("class=\"num subtotal\"").count(), 1);
    assert!(!html.contains("<tfoot>"));
}

#[test]
fn the_cart_totals_add_up_with_tax_on_top_and_free_shipping_reads_free() {
    let mut index = demo();
    let settings = index.settings.as_mut().expect("settings");
    settings.tax.prices_include_tax = false;
    // Two shirts to Germany: over the free-shipping threshold of the cheapest rate.
    let html = cart_page(&index, &[("LINEN-SHIRT-S-WHITE", 2)], None);
    assert!(html.contains("<option value=\"DE\" selected>Germany</option>"));
    assert_eq!(shown(&html, "shipping").as_deref(), Some("Free"));
    assert!(
        html.contains("Standard (DHL) — Free"),
        "the rate says so too"
    );
    let (subtotal, tax, total) = (
        value(&html, "subtotal"),
        value(&html, "tax"),
        value(&html, "total"),
    );
    assert_eq!(subtotal, 9800);
    assert_eq!(tax, 1862, "19 % on top");
    assert_eq!(total, subtotal + tax);
    assert!(html.contains("data-tax-included=\"false\""));
    let totals = between(&html, "class=\"totals\"", "</dl>");
    assert!(totals.contains(">Tax<") && !totals.contains("Including VAT"));
    assert!(totals.find("data-total=\"tax\"") < totals.find("data-total=\"total\""));
}

#[test]
fn a_cart_in_a_shop_without_settings_shows_the_subtotal_only() {
    let mut index = demo();
    index.settings = None;
    let html = cart_page(&index, &[("LINEN-SHIRT-S-WHITE", 1)], None);
    assert!(!html.contains("DeliveryChoice") && !html.contains("/cart/shipping"));
    assert!(
        html.contains("<td class=\"num subtotal\">€49.00</td>"),
        "{html}"
    );
    assert_eq!(shown(&html, "total"), None);
}

fn paid_order(address: Option<Address>) -> Order {
    Order {
        id: "ord_1".into(),
        status: OrderStatus::Paid,
        cart_id: "c".into(),
        email: "a@example.com".into(),
        currency: Currency::EUR,
        lines: vec![OrderLine {
            sku: Sku::parse("LINEN-SHIRT-S-WHITE").expect("sku"),
            title: "Linen Shirt (S / White)".into(),
            quantity: 2,
            unit_price: 4900,
            line_total: 9800,
            initial_stock: 0,
            discount: 0,
        }],
        total: 9800 + 2490,
        created_at: 0,
        updated_at: 0,
        session_id: None,
        payment_url: None,
        failure: None,
        shortfall: vec![],
        payment_intent: None,
        refund_id: None,
        delivery: Some(Delivery {
            country: country("FR"),
            rate: "express".into(),
            rate_name: "Express".into(),
            address,
        }),
        charges: Some(Charges {
            subtotal: 9800,
            discount: 500,
            shipping: 2490,
            tax: 1_966,
            tax_included: true,
        }),
        amount_paid: Some(9800 + 2490),
        discount: None,
        origin: String::new(),
        notices: Vec::new(),
    }
}

#[test]
fn the_order_page_shows_the_breakdown_and_where_it_ships() {
    let mut o = paid_order(Some(Address {
        name: "Ada Lovelace".into(),
        line1: "12 Rue de Rivoli".into(),
        postal_code: "75001".into(),
        city: "Paris".into(),
        country: "FR".into(),
        ..Address::default()
    }));
    o.total -= 500;
    let html = order(vec![], o.clone(), 0);
    assert_eq!(value(&html, "subtotal"), 9800);
    assert_eq!(value(&html, "discount"), -500);
    assert_eq!(value(&html, "shipping"), 2490);
    assert_eq!(value(&html, "tax"), 1966);
    assert_eq!(value(&html, "total"), 9800 - 500 + 2490);
    assert!(html.contains("Including VAT"));
    let delivery = between(&html, "class=\"delivery panel\"", "</section>");
    assert!(
        delivery.contains("<p data-rate=\"express\">Express</p>"),
        "{delivery}"
    );
    for line in ["Ada Lovelace", "12 Rue de Rivoli", "75001 Paris", "France"] {
        assert!(
            delivery.contains(&format!("<span>{line}</span>")),
            "{line}: {delivery}"
        );
    }
    assert!(html.contains("Shipping<small> · Express</small>"), "{html}");

    // Before the payment: the country; a shop without settings: the total alone.
    let waiting = order(vec![], paid_order(None), 0);
    assert!(waiting.contains("<p data-country=\"FR\">To France</p>"));
    assert!(!waiting.contains("<address"));
    let mut plain = paid_order(None);
    (plain.delivery, plain.charges) = (None, None);
    let html = order(vec![], plain, 0);
    assert_eq!(value(&html, "total"), 9800 + 2490);
    assert_eq!(shown(&html, "shipping"), None);
    assert!(!html.contains("Delivery</h2>"));
}

fn row(id: &str, total: i64, amount_paid: Option<i64>) -> OrderRow {
    OrderRow {
        id: id.into(),
        status: "paid".into(),
        created_at: 0,
        total,
        email: "a@example.com".into(),
        country: Some("NL".into()),
        shipping: Some(995),
        tax: Some(1_124),
        amount_paid,
        address: None,
        discount: None,
        mail: None,
    }
}

#[test]
fn the_admin_flags_a_payment_of_another_amount_and_shows_where_orders_ship() {
    let mut shipped = row("ord_ok", 6_350, Some(6_350));
    shipped.address = Some("Ada\nDamrak 1\n1012 LG Amsterdam\nNL".into());
    let mut plain = row("ord_plain", 4_900, None);
    (plain.country, plain.shipping, plain.tax) = (None, None, None);
    let view = AdminView {
        csrf: "t".into(),
        currency: Currency::EUR,
        stock: vec![],
        orders: vec![row("ord_off", 6_350, Some(5_850)), shipped, plain],
        message: None,
        problems: vec![],
        settings: None,
        discounts: vec![],
        now: 0,
    };
    let html = admin(view);
    let rows: Vec<&str> = html.split("<tr").filter(|r| r.contains("ord_")).collect();
    assert_eq!(rows.len(), 3);
    assert!(rows[0].contains("Paid €58.50 ≠ total"), "{}", rows[0]);
    assert!(rows[0].starts_with(" class=\"mismatch\""), "{}", rows[0]);
    assert!(!rows[1].contains("≠") && !rows[2].contains("≠"));
    assert!(html.contains("<dt>Paid ≠ total</dt><dd>1</dd>"), "counted");
    let total = "<span data-total=\"total\">€63.50</span>";
    let parts = "<small class=\"parts\">shipping\u{a0}€9.95 · tax\u{a0}€11.24</small>";
    assert!(rows[0].contains(&format!("{total}{parts}")), "{}", rows[0]);
    // No address yet: the country; with one: its lines, the country named once.
    assert!(rows[0].contains(">Netherlands<"));
    for line in ["Ada", "Damrak 1", "1012 LG Amsterdam", "Netherlands"] {
        assert!(rows[1].contains(&format!("<span>{line}</span>")), "{line}");
    }
    assert_eq!(rows[1].matches("Netherlands").count(), 1);
    assert!(!rows[2].contains("class=\"parts\"") && !rows[2].contains("<address"));
}
