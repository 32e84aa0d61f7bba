use super::*;

fn v(sku: &str, options: &[&str]) -> BuyVariant {
    BuyVariant {
        sku: sku.into(),
        options: options.iter().map(|s| (*s).to_owned()).collect(),
        price: String::new(),
        availability: String::new(),
        can_buy: true,
        max: 9,
        image_src: String::new(),
        image_alt: String::new(),
    }
}

#[test]
fn picking_a_value_selects_exactly_that_combination_or_nothing() {
    let vs = vec![
        v("S-W", &["S", "White"]),
        v("M-W", &["M", "White"]),
        v("M-B", &["M", "Blue"]),
    ];
    let pick =
        |from: usize, i, value| variant_with(&vs, &vs[from], i, value).map(|v| v.sku.as_str());
    assert_eq!(pick(1, 1, "Blue"), Some("M-B"));
    assert_eq!(pick(2, 0, "M"), Some("M-B"), "the current value");
    assert_eq!(pick(2, 1, "White"), Some("M-W"));
    // No S/Blue: never a jump to S/White, which would change the colour behind the shopper's back.
    assert_eq!(pick(2, 0, "S"), None);
    assert_eq!(pick(0, 1, "Blue"), None);
    assert_eq!(pick(0, 0, "XL"), None);
    assert_eq!(combination(&vs[2], 0, "S"), "S / Blue");
}

#[test]
fn the_islands_read_the_cart_and_order_answers_with_shipping() {
    let cart = r#"{"id":"c1","currency":"EUR","lines":[],"subtotal":4900,"units":1,
        "shipping":{"country":"FR","rate":"express","options":[
            {"id":"standard","name":"Standard","amount":995,"delivery":"3–5 business days"},
            {"id":"express","name":"Express","amount":2490}]},
        "totals":{"subtotal":4900,"discount":0,"shipping":2490,"tax":1232,"total":7390,"tax_included":true}}"#;
    let a: Answer = serde_json::from_str(cart).expect("cart");
    let s = a.shipping.expect("shipping");
    assert_eq!((s.country.as_str(), s.rate.as_str()), ("FR", "express"));
    assert_eq!(s.options[1].delivery, None);
    assert_eq!(s.options[0].amount, 995);
    let t = a.totals.expect("totals");
    assert_eq!((t.total, t.tax_included), (7390, true));
    // The order answer's `shipping` is another shape: the status must still come through, or
    // the payment watch would never see the order paid.
    let order = r#"{"id":"ord_1","status":"paid","total":7390,
        "shipping":{"country":"FR","rate":"express","name":"Express","address":{"name":"Ada"}},
        "totals":{"subtotal":4900,"discount":0,"shipping":2490,"tax":1232,"total":7390,"tax_included":true}}"#;
    let a: Answer = serde_json::from_str(order).expect("order");
    assert_eq!(a.status.as_deref(), Some("paid"));
    let error = r#"{"error":"unknown_rate","message":"France has no rate \"x\""}"#;
    let a: Answer = serde_json::from_str(error).expect("error");
    assert_eq!(
        a.detail.or(a.message).as_deref(),
        Some("France has no rate \"x\"")
    );
}
