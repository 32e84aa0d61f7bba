use super::discount::discount_html;
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

#[test]
fn the_islands_read_the_discount_of_a_cart_and_still_the_status_of_an_order() {
    let cart = r#"{"id":"c1","currency":"EUR","lines":[],"subtotal":4900,"units":1,
        "shipping":{"country":"FR","rate":"express","options":[]},
        "totals":{"subtotal":4900,"discount":0,"shipping":2490,"tax":1232,"total":7390,"tax_included":true},
        "discount":{"code":"WELCOME10","kind":"fixed","amount":0,"below_minimum":5000}}"#;
    let a: Answer = serde_json::from_str(cart).expect("cart");
    assert_eq!(
        a.discount,
        Some(CartDiscount {
            code: "WELCOME10".into(),
            kind: Some(domain::discount::Kind::Fixed),
            amount: 0,
            below_minimum: Some(5000),
        })
    );
    // An order's `discount` is another shape: the status must still come through.
    let order = r#"{"id":"ord_1","status":"paid","total":4410,
        "discount":{"code":"SHIPFREE","amount":995,"free_shipping":true}}"#;
    let a: Answer = serde_json::from_str(order).expect("order");
    assert_eq!(a.status.as_deref(), Some("paid"));
    let removed = r#"{"units":1,"totals":{"subtotal":4900,"total":4900}}"#;
    let a: Answer = serde_json::from_str(removed).expect("cart");
    assert_eq!(a.discount, None);
}

#[test]
fn the_panel_says_what_the_code_does_for_the_cart() {
    let sums = Sums {
        subtotal: 4900,
        shipping: 995,
        total: 5895,
        ..Sums::default()
    };
    let code = |kind, amount, below_minimum| CartDiscount {
        code: "WELCOME10".into(),
        kind: Some(kind),
        amount,
        below_minimum,
    };
    let html = |d: &CartDiscount, s: &Sums| discount_html(Some(d), s, domain::Currency::EUR);
    use domain::discount::Kind::{Fixed, FreeShipping, Percent};
    assert!(html(&code(Percent, 490, None), &sums).contains(">−€4.90</span>"));
    assert!(html(&code(FreeShipping, 995, None), &sums).contains(">Free shipping</span>"));
    let free = Sums {
        shipping: 0,
        ..sums
    };
    // Free already (over a rate's threshold): still true.
    assert!(html(&code(FreeShipping, 0, None), &free).contains(">Free shipping</span>"));
    // A code for other collections than the cart's.
    for (kind, s) in [(FreeShipping, &sums), (Fixed, &sums), (Percent, &free)] {
        let h = html(&code(kind, 0, None), s);
        assert!(h.contains(">Nothing in your cart qualifies</span>"), "{h}");
    }
    let h = html(&code(Fixed, 0, Some(5000)), &sums);
    assert!(
        h.contains(">Add €1.00 more to use <strong>WELCOME10</strong> (orders from €50.00).</p>"),
        "{h}"
    );
    assert!(h.contains("action=\"/cart/discount/remove\""));
    let apply = discount_html(None, &sums, domain::Currency::EUR);
    assert!(apply.contains("action=\"/cart/discount\"") && !apply.contains("remove"));
}
