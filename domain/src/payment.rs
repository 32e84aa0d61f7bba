//! What the shop sends a Stripe-compatible gateway to open a hosted checkout for an order.
//!
//! Parameters follow Stripe's Checkout Sessions API (form-encoded, bracketed keys). The
//! idempotency key is derived from the order id, so every retry of the same order, however it
//! comes about, finds the session of the first attempt instead of opening a second one.
//!
//! # Shipping and tax
//! An order with a [`crate::order::Delivery`] asks the payment page to collect an address in
//! that one country (`shipping_address_collection[allowed_countries][0]`), so the shipping and
//! tax the shopper saw stay exact, and offers the chosen rate as one fixed-amount
//! `shipping_options` entry. The shop computes tax from its own table (`crate::totals`), so it
//! uses Stripe's explicit shapes rather than Stripe Tax:
//! - prices **include** tax: every line and the shipping rate say `tax_behavior=inclusive`, and
//!   the amounts are the gross ones the shopper saw;
//! - prices **exclude** tax: lines and shipping say `tax_behavior=exclusive`, and the tax is one
//!   more line item, "Tax", marked `product_data[metadata][kind]=tax`.
//!
//! Either way the session's `amount_total` is the order's total, and `metadata[tax]` carries the
//! tax figure for the merchant's reports (Stripe reports `total_details.amount_tax` only for
//! taxes it computed itself).
//!
//! # Discounts
//! A discount code's share of each line ([`crate::order::OrderLine::discount`]) is taken off
//! that line's amount, so the session needs no coupon object: a line whose discounted amount
//! divides by its quantity keeps its quantity at the lower unit price; otherwise it is sent as
//! one unit of the discounted amount, named "Title × 3". `metadata[discount_code]` and
//! `metadata[discount]` carry the code and the total taken off.

use crate::order::Order;

/// The `Idempotency-Key` for creating `order_id`'s checkout session.
pub fn idempotency_key(order_id: &str) -> String {
    format!("checkout-session-{order_id}")
}

/// Form fields of `POST /v1/checkout/sessions` for `order`. `origin` is the shop's origin
/// (`https://shop.example`), used for the return addresses.
pub fn session_params(order: &Order, origin: &str, expires_at: i64) -> Vec<(String, String)> {
    let currency = order.currency.code().to_ascii_lowercase();
    let mut p = vec![
        ("mode".to_owned(), "payment".to_owned()),
        (
            "success_url".to_owned(),
            format!(
                "{origin}/orders/{}?session_id={{CHECKOUT_SESSION_ID}}",
                order.id
            ),
        ),
        (
            "cancel_url".to_owned(),
            format!("{origin}/cart?cancelled={}", order.id),
        ),
        ("client_reference_id".to_owned(), order.id.clone()),
        ("metadata[order_id]".to_owned(), order.id.clone()),
        (
            "payment_intent_data[metadata][order_id]".to_owned(),
            order.id.clone(),
        ),
        ("expires_at".to_owned(), expires_at.to_string()),
    ];
    if !order.email.is_empty() {
        p.push(("customer_email".to_owned(), order.email.clone()));
    }
    for (i, line) in order.lines.iter().enumerate() {
        let k = |rest: &str| format!("line_items[{i}]{rest}");
        let net = line.line_total - line.discount;
        let q = i64::from(line.quantity.max(1));
        let (quantity, unit, name) = if line.discount == 0 {
            (line.quantity, line.unit_price, line.title.clone())
        } else if net % q == 0 {
            (line.quantity, net / q, line.title.clone())
        } else {
            (1, net, format!("{} × {}", line.title, line.quantity))
        };
        p.push((k("[quantity]"), quantity.to_string()));
        p.push((k("[price_data][currency]"), currency.clone()));
        p.push((k("[price_data][unit_amount]"), unit.to_string()));
        p.push((k("[price_data][product_data][name]"), name));
        p.push((
            k("[price_data][product_data][metadata][sku]"),
            line.sku.to_string(),
        ));
        if line.discount > 0 {
            p.push((
                k("[price_data][product_data][metadata][discount]"),
                line.discount.to_string(),
            ));
        }
    }
    if let Some(d) = &order.discount {
        p.push(("metadata[discount_code]".to_owned(), d.code.clone()));
        p.push(("metadata[discount]".to_owned(), d.amount.to_string()));
    }
    if let (Some(delivery), Some(charges)) = (&order.delivery, &order.charges) {
        let behavior = if charges.tax_included {
            "inclusive"
        } else {
            "exclusive"
        };
        for i in 0..order.lines.len() {
            p.push((
                format!("line_items[{i}][price_data][tax_behavior]"),
                behavior.to_owned(),
            ));
        }
        if !charges.tax_included && charges.tax > 0 {
            let k = |rest: &str| format!("line_items[{}]{rest}", order.lines.len());
            p.push((k("[quantity]"), "1".to_owned()));
            p.push((k("[price_data][currency]"), currency.clone()));
            p.push((k("[price_data][unit_amount]"), charges.tax.to_string()));
            p.push((k("[price_data][product_data][name]"), "Tax".to_owned()));
            p.push((
                k("[price_data][product_data][metadata][kind]"),
                "tax".to_owned(),
            ));
        }
        p.push((
            "shipping_address_collection[allowed_countries][0]".to_owned(),
            delivery.country.code().to_owned(),
        ));
        let s = |rest: &str| format!("shipping_options[0][shipping_rate_data]{rest}");
        p.push((s("[type]"), "fixed_amount".to_owned()));
        p.push((s("[display_name]"), delivery.rate_name.clone()));
        p.push((s("[fixed_amount][amount]"), charges.shipping.to_string()));
        p.push((s("[fixed_amount][currency]"), currency.clone()));
        p.push((s("[tax_behavior]"), behavior.to_owned()));
        p.push((s("[metadata][rate]"), delivery.rate.clone()));
        p.push(("metadata[tax]".to_owned(), charges.tax.to_string()));
        p.push((
            "metadata[tax_included]".to_owned(),
            charges.tax_included.to_string(),
        ));
    }
    p
}

/// Checks an e-mail address enough to catch typos a shopper would want to hear about.
pub fn valid_email(s: &str) -> bool {
    let s = s.trim();
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    s.len() <= 254
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
        && !domain.contains('@')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order::tests::order;
    use crate::order::OrderLine;

    #[test]
    fn params_carry_lines_in_minor_units_and_the_order_id() {
        let mut o = order();
        o.lines = vec![
            OrderLine {
                sku: crate::Sku::parse("A").unwrap(),
                title: "Mug (Blue)".into(),
                quantity: 2,
                unit_price: 1600,
                line_total: 3200,
                initial_stock: 0,
                discount: 0,
            },
            OrderLine {
                sku: crate::Sku::parse("B").unwrap(),
                title: "Pen".into(),
                quantity: 1,
                unit_price: 4800,
                line_total: 4800,
                initial_stock: 0,
                discount: 0,
            },
        ];
        let p = session_params(&o, "https://shop.example", 1_700_001_800);
        let get = |k: &str| p.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
        assert_eq!(get("line_items[0][quantity]"), Some("2"));
        assert_eq!(get("line_items[0][price_data][unit_amount]"), Some("1600"));
        assert_eq!(get("line_items[1][price_data][currency]"), Some("eur"));
        assert_eq!(
            get("line_items[1][price_data][product_data][name]"),
            Some("Pen")
        );
        assert_eq!(get("metadata[order_id]"), Some("ord_1"));
        assert_eq!(get("client_reference_id"), Some("ord_1"));
        assert_eq!(get("expires_at"), Some("1700001800"));
        assert_eq!(
            get("success_url"),
            Some("https://shop.example/orders/ord_1?session_id={CHECKOUT_SESSION_ID}")
        );
        assert_eq!(get("customer_email"), Some("a@example.com"));
        assert_eq!(idempotency_key("ord_1"), idempotency_key("ord_1"));
        assert_ne!(idempotency_key("ord_1"), idempotency_key("ord_2"));
    }

    #[test]
    fn shipping_and_tax_use_stripes_shapes_in_both_modes() {
        use crate::order::{Charges, Delivery};
        let mut o = order();
        o.lines = vec![OrderLine {
            sku: crate::Sku::parse("A").unwrap(),
            title: "Mug".into(),
            quantity: 2,
            unit_price: 1000,
            line_total: 2000,
            initial_stock: 0,
            discount: 0,
        }];
        o.delivery = Some(Delivery {
            country: crate::settings::Country::parse("US").unwrap(),
            rate: "express".into(),
            rate_name: "Express".into(),
            address: None,
        });
        let mut charges = Charges {
            subtotal: 2000,
            discount: 0,
            shipping: 500,
            tax: 225,
            tax_included: false,
        };
        o.charges = Some(charges);
        let p = session_params(&o, "https://shop.example", 1);
        let get = |p: &[(String, String)], k: &str| {
            p.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone())
        };
        let amount = |p: &[(String, String)]| -> i64 {
            (0..)
                .map_while(|i| {
                    let n = get(p, &format!("line_items[{i}][quantity]"))?;
                    let u = get(p, &format!("line_items[{i}][price_data][unit_amount]"))?;
                    Some(n.parse::<i64>().unwrap() * u.parse::<i64>().unwrap())
                })
                .sum::<i64>()
                + get(
                    p,
                    "shipping_options[0][shipping_rate_data][fixed_amount][amount]",
                )
                .map_or(0, |a| a.parse::<i64>().unwrap())
        };
        assert_eq!(
            get(&p, "shipping_address_collection[allowed_countries][0]").as_deref(),
            Some("US")
        );
        assert_eq!(
            get(
                &p,
                "line_items[1][price_data][product_data][metadata][kind]"
            )
            .as_deref(),
            Some("tax")
        );
        assert_eq!(
            get(&p, "shipping_options[0][shipping_rate_data][tax_behavior]").as_deref(),
            Some("exclusive")
        );
        assert_eq!(
            amount(&p),
            charges.total(),
            "exclusive: goods, shipping and tax"
        );

        charges.tax_included = true;
        charges.tax = 399;
        o.charges = Some(charges);
        let p = session_params(&o, "https://shop.example", 1);
        assert_eq!(get(&p, "line_items[1][quantity]"), None, "no tax line");
        assert_eq!(
            get(&p, "line_items[0][price_data][tax_behavior]").as_deref(),
            Some("inclusive")
        );
        assert_eq!(get(&p, "metadata[tax]").as_deref(), Some("399"));
        assert_eq!(amount(&p), charges.total(), "inclusive: the gross amounts");
    }

    #[test]
    fn emails() {
        for ok in ["a@example.com", "first.last+tag@sub.example.org"] {
            assert!(valid_email(ok), "{ok}");
        }
        for bad in [
            "",
            "a",
            "a@b",
            "@example.com",
            "a@.com",
            "a b@example.com",
            "a@example.com.",
            "a@b@c.com",
        ] {
            assert!(!valid_email(bad), "{bad}");
        }
    }

    #[test]
    fn discounted_lines_charge_their_share_less_and_the_session_adds_up() {
        use crate::order::OrderDiscount;
        let line = |sku: &str, quantity: u32, unit: i64, discount: i64| OrderLine {
            sku: crate::Sku::parse(sku).unwrap(),
            title: sku.to_owned(),
            quantity,
            unit_price: unit,
            line_total: unit * i64::from(quantity),
            initial_stock: 0,
            discount,
        };
        let mut o = order();
        // 3 × 999 = 2997 less 299 = 2698, which does not divide by 3; 2 × 1000 less 200 does.
        o.lines = vec![line("A", 3, 999, 299), line("B", 2, 1000, 200)];
        o.discount = Some(OrderDiscount {
            code: "WELCOME10".into(),
            amount: 499,
            free_shipping: false,
        });
        let p = session_params(&o, "https://shop.example", 1);
        let get = |k: &str| p.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
        assert_eq!(get("line_items[0][quantity]"), Some("1"));
        assert_eq!(get("line_items[0][price_data][unit_amount]"), Some("2698"));
        assert_eq!(
            get("line_items[0][price_data][product_data][name]"),
            Some("A × 3")
        );
        assert_eq!(get("line_items[1][quantity]"), Some("2"));
        assert_eq!(get("line_items[1][price_data][unit_amount]"), Some("900"));
        assert_eq!(get("metadata[discount_code]"), Some("WELCOME10"));
        assert_eq!(get("metadata[discount]"), Some("499"));
        let charged: i64 = (0..2)
            .map(|i| {
                let n = |k: &str| {
                    get(&format!("line_items[{i}]{k}"))
                        .and_then(|v| v.parse::<i64>().ok())
                        .unwrap_or(0)
                };
                n("[quantity]") * n("[price_data][unit_amount]")
            })
            .sum();
        assert_eq!(charged, 2997 + 2000 - 499);
    }
}
