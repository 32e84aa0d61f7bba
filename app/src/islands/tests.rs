use super::discount::discount_html;
use super::*;

/// `text` read as the islands read an answer.
fn answer(text: &str) -> Answer {
    wire::parse(text)
        .map(|j| Answer::read(&j))
        .unwrap_or_default()
}

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
    let a = answer(cart);
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
    let a = answer(order);
    assert_eq!(a.status.as_deref(), Some("paid"));
    let error = r#"{"error":"unknown_rate","message":"France has no rate \"x\""}"#;
    let a = answer(error);
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
    let a = answer(cart);
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
    let a = answer(order);
    assert_eq!(a.status.as_deref(), Some("paid"));
    let removed = r#"{"units":1,"totals":{"subtotal":4900,"total":4900}}"#;
    let a = answer(removed);
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

#[test]
fn answers_of_another_shape_or_no_json_read_as_nothing_rather_than_fail() {
    // A field of another type reads as its default, and the rest still reads.
    let a = answer(r#"{"units":"3","status":"paid","totals":{"total":1.5,"tax_included":1}}"#);
    assert_eq!(a.units, 0);
    assert_eq!(a.status.as_deref(), Some("paid"));
    assert_eq!(a.totals, Some(Sums::default()));
    // A variant missing what the server always sends still offers one unit, and no purchase.
    let bare = wire::parse(r#"{"sku":"RJ-M","max":0}"#).map(|j| BuyVariant::read(&j));
    let bare = bare.expect("an object");
    assert_eq!(
        (bare.sku.as_str(), bare.max, bare.can_buy),
        ("RJ-M", 1, false)
    );
    // A proxy's HTML error page, or nothing at all.
    for text in ["<html>Bad gateway</html>", "", "null", "[1,2]"] {
        let a = answer(text);
        assert_eq!((a.units, a.detail, a.shipping), (0, None, None), "{text}");
    }
}

#[test]
fn request_bodies_are_json_strings_whatever_the_shopper_typed() {
    for s in [
        "WELCOME10",
        "say \"hi\"",
        "back\\slash",
        "line\nbreak\ttab\r",
        "\u{1}\u{1f}\u{7f}",
        "é€😀",
        "",
    ] {
        let ours = wire::string(s);
        assert_eq!(ours, serde_json::to_string(s).unwrap(), "{s:?}");
        assert_eq!(serde_json::from_str::<String>(&ours).unwrap(), s);
    }
}

#[test]
fn packed_props_read_back_what_the_server_wrote() {
    // As Leptos hands an island's props over: one JSON object in the page, parsed whole.
    #[derive(serde::Serialize, serde::Deserialize)]
    struct Props {
        handle: String,
        variants: Packed<Vec<BuyVariant>>,
        options: Packed<Vec<BuyOption>>,
        countries: Packed<Vec<(String, String)>>,
        discount: Packed<Option<CartDiscount>>,
        none: Packed<Option<CartDiscount>>,
        sums: Packed<Sums>,
        ship: Packed<Vec<delivery::ShipOption>>,
        quantity: Packed<u32>,
    }
    let mut jacket = v("RJ-M-SAND", &["M", "Sand"]);
    jacket.price = "€129.00".into();
    jacket.availability = "Only 3 left".into();
    jacket.can_buy = false;
    jacket.image_src = "/images/rain-jacket.svg".into();
    jacket.image_alt = "Rain \"jacket\" <sand>".into();
    let props = Props {
        handle: "rain-jacket".into(),
        variants: Packed(vec![jacket, v("RJ-S", &[])]),
        options: Packed(vec![BuyOption {
            name: "Size".into(),
            values: vec!["S".into(), "M".into()],
        }]),
        countries: Packed(vec![
            ("FR".into(), "France".into()),
            ("DE".into(), "Germany".into()),
        ]),
        discount: Packed(Some(CartDiscount {
            code: "SHIPFREE".into(),
            kind: Some(domain::discount::Kind::FreeShipping),
            amount: 995,
            below_minimum: Some(5000),
        })),
        none: Packed(None),
        sums: Packed(Sums {
            subtotal: 4900,
            discount: 490,
            shipping: 995,
            tax: 1232,
            total: 6637,
            tax_included: true,
        }),
        ship: Packed(vec![delivery::ShipOption {
            id: "express".into(),
            name: "Express".into(),
            amount: 2490,
            delivery: Some("1–2 days".into()),
        }]),
        quantity: Packed(99),
    };
    let text = serde_json::to_string(&props).unwrap();
    let back: Props = serde_json::from_str(&text).unwrap();
    assert_eq!(back.handle, props.handle);
    assert_eq!(back.variants, props.variants);
    assert_eq!(back.options, props.options);
    assert_eq!(back.countries, props.countries);
    assert_eq!(back.discount, props.discount);
    assert_eq!(back.none, Packed(None));
    assert_eq!(back.sums, props.sums);
    assert_eq!(back.ship, props.ship);
    assert_eq!(back.quantity, Packed(99));
}

#[test]
fn a_refusal_names_the_line_as_the_shopper_knows_it() {
    let said = named(
        "only 3 of WOOL-THROW-SLATE left, the cart would have 4",
        "WOOL-THROW-SLATE",
        "Wool Throw (Slate)",
    );
    assert_eq!(
        said,
        "only 3 of Wool Throw (Slate) left, the cart would have 4"
    );
    // At either end, and only the first time.
    assert_eq!(named("A-1 and A-1", "A-1", "Mug"), "Mug and A-1");
    assert_eq!(named("sold out: A-1", "A-1", "Mug"), "sold out: Mug");
    // Nothing to name: as said, even around text that is not ASCII.
    assert_eq!(named("déjà vu", "A-1", "Mug"), "déjà vu");
    assert_eq!(named("déjà vu", "", "Mug"), "déjà vu");
    assert_eq!(named("é A-1 é", "A-1", "Crème"), "é Crème é");
}

#[test]
fn the_payment_watch_asks_often_for_a_minute_then_less_for_ten_then_stops() {
    let delays: Vec<u32> = (0..).map_while(payment_poll_delay).collect();
    assert_eq!(delays.len(), 90);
    assert!(delays[..30].iter().all(|&d| d == 2));
    assert!(delays[30..].iter().all(|&d| d == 10));
    assert_eq!(delays.iter().sum::<u32>(), 11 * 60, "eleven minutes in all");
    assert_eq!(payment_poll_delay(90), None);
    assert_eq!(payment_poll_delay(u32::MAX), None);
}

#[test]
fn an_error_reads_as_a_sentence() {
    assert_eq!(sentence("only 2 of MUG-1 left"), "Only 2 of MUG-1 left.");
    assert_eq!(
        sentence("There is no such discount code."),
        "There is no such discount code."
    );
    assert_eq!(
        sentence("checkout is busy; try again?"),
        "Checkout is busy; try again?"
    );
    assert_eq!(sentence("  é is kept as it is  "), "é is kept as it is.");
    assert_eq!(sentence(""), "");
    // Then named: the SKU is still there to be read as the line's title.
    assert_eq!(
        named(&sentence("only 2 of MUG-1 left"), "MUG-1", "Mug (Red)"),
        "Only 2 of Mug (Red) left."
    );
}
