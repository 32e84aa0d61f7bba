//! What the shop sends a Stripe-compatible gateway to open a hosted checkout for an order.
//!
//! Parameters follow Stripe's Checkout Sessions API (form-encoded, bracketed keys). The
//! idempotency key is derived from the order id, so every retry of the same order, however it
//! comes about, finds the session of the first attempt instead of opening a second one.

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
        p.push((k("[quantity]"), line.quantity.to_string()));
        p.push((k("[price_data][currency]"), currency.clone()));
        p.push((k("[price_data][unit_amount]"), line.unit_price.to_string()));
        p.push((k("[price_data][product_data][name]"), line.title.clone()));
        p.push((
            k("[price_data][product_data][metadata][sku]"),
            line.sku.to_string(),
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
            },
            OrderLine {
                sku: crate::Sku::parse("B").unwrap(),
                title: "Pen".into(),
                quantity: 1,
                unit_price: 4800,
                line_total: 4800,
                initial_stock: 0,
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
}
