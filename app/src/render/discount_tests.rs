//! The cart page's discount code: the form to apply one, the code applied with what it takes
//! off (or what the cart lacks for it) and the form to remove it, and the totals.

use super::delivery_tests::{between, cart_view, demo, shown, value};
use domain::discount::{Code, Discount, Kind};

fn welcome(kind: Kind, value: i64, min_subtotal: Option<i64>) -> Discount {
    Discount {
        code: Code::parse("WELCOME10").expect("code"),
        kind,
        value,
        min_subtotal,
        starts_at: None,
        ends_at: None,
        usage_limit: None,
        once_per_email: false,
        collections: vec![],
        disabled: false,
    }
}

/// The cart page of one linen shirt (€49.00) shipped to France by express (€24.90, VAT
/// included), with `code`.
fn page(code: Option<Discount>) -> String {
    let index = demo();
    let view = cart_view(
        &index,
        &[("LINEN-SHIRT-S-WHITE", 1)],
        Some(("FR", "express")),
        code,
    );
    super::cart(index.collections.clone(), view)
}

/// The discount panel.
fn panel(html: &str) -> &str {
    between(html, "class=\"discount panel\"", "</section>")
}

#[test]
fn without_a_code_the_cart_offers_a_form_to_apply_one() {
    let html = page(None);
    assert!(html.contains("data-component=\"DiscountCode"), "an island");
    let panel = panel(&html);
    assert!(panel.contains("<h2 id=\"discount-heading\">Discount code</h2>"));
    let form = between(panel, "<form", "</form>");
    assert!(
        form.contains("id=\"discount-apply\" method=\"post\" action=\"/cart/discount\""),
        "{form}"
    );
    assert!(form.contains("<label for=\"discount-code\">Code</label>"));
    let input = between(form, "<input", "/>");
    for attr in [
        "id=\"discount-code\"",
        "name=\"code\"",
        "autocomplete=\"off\"",
        "autocapitalize=\"characters\"",
        "maxlength=\"32\"",
    ] {
        assert!(input.contains(attr), "{attr}: {input}");
    }
    assert!(form.contains("<button type=\"submit\">Apply</button>"));
    assert!(!panel.contains("/cart/discount/remove"));
    assert!(panel.contains("<p id=\"discount-error\" class=\"alert\" role=\"alert\" hidden>"));
    // The panel sits with the totals, above them.
    let sums = between(&html, "<div class=\"cart-sums\">", "</dl>");
    assert!(sums.contains("class=\"discount panel\"") && sums.contains("class=\"totals\""));
}

#[test]
fn a_code_applied_shows_what_it_takes_off_and_a_form_to_remove_it() {
    let html = page(Some(welcome(Kind::Percent, 1000, None)));
    let panel = panel(&html);
    assert!(
        panel.contains("data-code=\"WELCOME10\"><span><strong>WELCOME10</strong> applied</span> <span class=\"discount-effect\">−€4.90</span>"),
        "{panel}"
    );
    assert!(
        panel.contains("<form id=\"discount-remove\" method=\"post\" action=\"/cart/discount/remove\"><button type=\"submit\" class=\"secondary\">Remove"),
        "{panel}"
    );
    assert!(!panel.contains("discount-apply"), "no second code");
    // The totals: a discount row with the code, and the total after it.
    assert_eq!(value(&html, "subtotal"), 4900);
    assert_eq!(value(&html, "discount"), -490);
    assert_eq!(value(&html, "shipping"), 2490);
    assert_eq!(value(&html, "total"), 4900 - 490 + 2490);
    let totals = between(&html, "class=\"totals\"", "</dl>");
    assert!(
        totals.contains("<div><dt>Discount<span data-discount-code=\"\"> (WELCOME10)</span></dt>"),
        "shown, with its code: {totals}"
    );
}

#[test]
fn a_code_below_its_minimum_says_what_the_cart_lacks_and_takes_nothing_off() {
    let html = page(Some(welcome(Kind::Fixed, 500, Some(5000))));
    let panel = panel(&html);
    assert!(
        panel.contains("Add €1.00 more to use <strong>WELCOME10</strong> (orders from €50.00)."),
        "{panel}"
    );
    assert!(!panel.contains(" applied"), "{panel}");
    assert!(
        panel.contains("action=\"/cart/discount/remove\""),
        "removable"
    );
    assert_eq!(shown(&html, "discount").as_deref(), Some(""));
    assert!(between(&html, "<div hidden", "</div>").contains("(WELCOME10)"));
    assert_eq!(value(&html, "total"), 4900 + 2490);
}

#[test]
fn free_shipping_reads_free_in_the_panel_the_totals_and_the_rates() {
    let html = page(Some(welcome(Kind::FreeShipping, 0, None)));
    let panel = panel(&html);
    assert!(
        panel.contains("<strong>WELCOME10</strong> applied</span> <span class=\"discount-effect\">Free shipping</span>"),
        "{panel}"
    );
    assert_eq!(shown(&html, "shipping").as_deref(), Some("Free"));
    assert_eq!(
        shown(&html, "discount").as_deref(),
        Some(""),
        "no goods discount"
    );
    assert_eq!(value(&html, "total"), 4900);
    assert!(html.contains("Express — Free"), "the rates say so too");
}

#[test]
fn a_refused_code_shows_its_reason_at_the_top() {
    let index = demo();
    let mut view = cart_view(&index, &[("LINEN-SHIRT-S-WHITE", 1)], None, None);
    view.error = Some("There is no such discount code.".into());
    let html = super::cart(index.collections.clone(), view);
    let top = between(&html, "<h1>Your cart</h1>", "<table");
    assert!(
        top.contains("<p role=\"alert\" class=\"alert\">There is no such discount code.</p>"),
        "{top}"
    );
}

#[test]
fn the_order_page_names_the_code_beside_its_discount() {
    let order: domain::order::Order = serde_json::from_str(
        r#"{"id":"ord_1","status":"paid","cart_id":"c","email":"a@example.com",
        "currency":"EUR","lines":[],"total":6900,"created_at":0,"updated_at":0,
        "charges":{"subtotal":4900,"discount":490,"shipping":2490,"tax":1150,"tax_included":true},
        "discount":{"code":"WELCOME10","amount":490}}"#,
    )
    .expect("order");
    let html = super::order(vec![], order, 0);
    assert_eq!(value(&html, "discount"), -490);
    assert!(html.contains("Discount<span data-discount-code=\"\"> (WELCOME10)</span>"));
}
