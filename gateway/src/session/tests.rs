//! Tests of the session object and its JSON.

use serde_json::{json, Value};

use super::*;

pub fn item(name: &str, quantity: u64, unit_amount: u64) -> LineItem {
    LineItem {
        name: name.to_owned(),
        quantity,
        unit_amount,
        tax_behavior: None,
        metadata: BTreeMap::new(),
    }
}

pub fn sample(id: &str) -> Session {
    let line_items = vec![item("Mug", 2, 1250), item("Tea", 1, 499)];
    Session {
        id: id.to_owned(),
        url: format!("http://127.0.0.1:1/pay/{id}"),
        created: 1_700_000_000,
        status: Status::Open,
        payment_intent: None,
        shipping_details: None,
        new: NewSession {
            currency: "eur".to_owned(),
            amount_subtotal: 2999,
            amount_total: amount_total(&line_items).unwrap(),
            shipping_address_collection: None,
            shipping_rates: Vec::new(),
            line_items,
            success_url: "https://shop.test/ok?session={CHECKOUT_SESSION_ID}".to_owned(),
            cancel_url: "https://shop.test/cart".to_owned(),
            client_reference_id: Some("ord_1".to_owned()),
            customer_email: None,
            metadata: BTreeMap::from([("order_id".to_owned(), "ord_1".to_owned())]),
            expires_at: 1_700_001_800,
        },
    }
}

/// An open session in one of the shop's tax shapes (see [`crate::totals::tests::shape`]),
/// collecting an address in France, shipped by "Express".
pub fn shipped(id: &str, tax_included: bool) -> Session {
    let mut s = sample(id);
    s.new = crate::totals::tests::shape(tax_included);
    s.new.expires_at = crate::ids::unix_now() + 600;
    s
}

#[test]
fn shipped_sessions_show_stripes_shipping_fields_and_round_trip() {
    let mut s = shipped("cs_test_ship", false);
    let rate = s.new.shipping_rates[0].id.clone();
    let j = s.to_json();
    assert_eq!(j["amount_subtotal"], 2300);
    assert_eq!(j["amount_total"], 2800);
    assert_eq!(
        j["total_details"],
        json!({"amount_discount": 0, "amount_shipping": 500, "amount_tax": 300})
    );
    assert_eq!(
        j["shipping_address_collection"],
        json!({"allowed_countries": ["FR"]})
    );
    assert_eq!(
        j["shipping_options"],
        json!([{"shipping_amount": 500, "shipping_rate": rate}])
    );
    assert_eq!(
        j["shipping_cost"],
        json!({"amount_subtotal": 500, "amount_total": 500, "shipping_rate": rate})
    );
    assert_eq!(j["shipping_rates"][0]["display_name"], "Express");
    assert_eq!(j["shipping_details"], Value::Null);
    assert_eq!(j["line_items"][1]["price"]["tax_behavior"], "exclusive");
    assert_eq!(
        j["line_items"][1]["price"]["product_data"]["metadata"],
        json!({"kind": "tax"})
    );
    assert_eq!(serde_json::from_value::<Session>(j).unwrap(), s);

    let details = crate::shipping::tests::collection(&["FR"]).default_details();
    assert!(s.complete("pi_test_1".to_owned(), Some(details.clone())));
    assert!(!s.complete("pi_test_2".to_owned(), None), "paid once");
    assert_eq!(s.shipping_details.as_ref(), Some(&details));
    let j = s.to_json();
    assert_eq!(
        j["shipping_details"],
        json!({"name": "Sandbox Shopper", "address": {"line1": "1 Test Street", "line2": null,
               "city": "Testville", "postal_code": "12345", "state": null, "country": "FR"}})
    );
    assert_eq!(serde_json::from_value::<Session>(j).unwrap(), s);
}

#[test]
fn totals_multiply_and_sum_and_detect_overflow() {
    assert_eq!(
        amount_total(&[item("a", 2, 1250), item("b", 1, 499), item("c", 3, 0)]),
        Some(2999)
    );
    assert_eq!(amount_total(&[]), Some(0));
    assert_eq!(amount_total(&[item("a", u64::MAX, 2)]), None);
    assert_eq!(
        amount_total(&[item("a", 1, u64::MAX), item("b", 1, 1)]),
        None
    );
}

#[test]
fn completes_and_expires_only_when_open() {
    let mut s = sample("cs_test_1");
    assert!(s.complete("pi_test_1".to_owned(), None));
    assert!(!s.complete("pi_test_2".to_owned(), None));
    assert!(!s.expire());
    assert_eq!(s.payment_intent.as_deref(), Some("pi_test_1"));
    assert_eq!(s.payment_status(), "paid");

    let mut s = sample("cs_test_2");
    assert!(!s.is_due(s.new.expires_at - 1));
    assert!(s.is_due(s.new.expires_at));
    assert!(s.expire());
    assert!(!s.is_due(s.new.expires_at));
    assert!(!s.complete("pi_test_3".to_owned(), None));
    assert_eq!(s.payment_status(), "unpaid");
}

#[test]
fn json_has_stripes_fields_and_redirect_fills_the_placeholder() {
    let s = sample("cs_test_abc");
    let j = s.to_json();
    assert_eq!(j["object"], "checkout.session");
    assert_eq!(j["status"], "open");
    assert_eq!(j["payment_status"], "unpaid");
    assert_eq!(j["amount_total"], 2999);
    assert_eq!(j["metadata"]["order_id"], "ord_1");
    assert_eq!(j["customer_email"], serde_json::Value::Null);
    assert_eq!(j["line_items"][0]["amount_total"], 2500);
    assert_eq!(j["line_items"][1]["price"]["unit_amount"], 499);
    assert_eq!(
        s.success_redirect(),
        "https://shop.test/ok?session=cs_test_abc"
    );
}

/// A session's JSON without shipping, byte for byte (keys sorted, as `serde_json::Value`
/// keeps them): open, then paid. The line items are as the sandbox always showed them.
const OPEN_JSON: &str = r#"{"amount_subtotal":2999,"amount_total":2999,"cancel_url":"https://shop.test/cart","client_reference_id":"ord_1","created":1700000000,"currency":"eur","customer_email":null,"expires_at":1700001800,"id":"cs_test_abc","line_items":[{"amount_subtotal":2500,"amount_total":2500,"currency":"eur","description":"Mug","object":"item","price":{"currency":"eur","object":"price","product_data":{"name":"Mug"},"unit_amount":1250},"quantity":2},{"amount_subtotal":499,"amount_total":499,"currency":"eur","description":"Tea","object":"item","price":{"currency":"eur","object":"price","product_data":{"name":"Tea"},"unit_amount":499},"quantity":1}],"livemode":false,"metadata":{"order_id":"ord_1"},"mode":"payment","object":"checkout.session","payment_intent":null,"payment_status":"unpaid","shipping_address_collection":null,"shipping_cost":null,"shipping_details":null,"shipping_options":[],"shipping_rates":[],"status":"open","success_url":"https://shop.test/ok?session={CHECKOUT_SESSION_ID}","total_details":{"amount_discount":0,"amount_shipping":0,"amount_tax":0},"url":"http://127.0.0.1:1/pay/cs_test_abc"}"#;
const PAID_JSON: &str = r#"{"amount_subtotal":2999,"amount_total":2999,"cancel_url":"https://shop.test/cart","client_reference_id":"ord_1","created":1700000000,"currency":"eur","customer_email":"a@b.test","expires_at":1700001800,"id":"cs_test_abc","line_items":[{"amount_subtotal":2500,"amount_total":2500,"currency":"eur","description":"Mug","object":"item","price":{"currency":"eur","object":"price","product_data":{"name":"Mug"},"unit_amount":1250},"quantity":2},{"amount_subtotal":499,"amount_total":499,"currency":"eur","description":"Tea","object":"item","price":{"currency":"eur","object":"price","product_data":{"name":"Tea"},"unit_amount":499},"quantity":1}],"livemode":false,"metadata":{"order_id":"ord_1"},"mode":"payment","object":"checkout.session","payment_intent":"pi_test_1","payment_status":"paid","shipping_address_collection":null,"shipping_cost":null,"shipping_details":null,"shipping_options":[],"shipping_rates":[],"status":"complete","success_url":"https://shop.test/ok?session={CHECKOUT_SESSION_ID}","total_details":{"amount_discount":0,"amount_shipping":0,"amount_tax":0},"url":"http://127.0.0.1:1/pay/cs_test_abc"}"#;

#[test]
fn json_keeps_stripes_shape_and_round_trips_through_serde() {
    let open = sample("cs_test_abc");
    let mut paid = open.clone();
    assert!(paid.complete("pi_test_1".to_owned(), None));
    paid.new.customer_email = Some("a@b.test".to_owned());
    for (session, expected) in [(open, OPEN_JSON), (paid, PAID_JSON)] {
        let json = session.to_json();
        assert_eq!(json.to_string(), expected);
        // Serialising straight to text gives the same object (in field order).
        let text = serde_json::to_string(&session).unwrap();
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&text).unwrap(),
            json
        );
        // And both read back into the same session.
        assert_eq!(serde_json::from_str::<Session>(&text).unwrap(), session);
        assert_eq!(serde_json::from_str::<Session>(expected).unwrap(), session);
        assert_eq!(serde_json::from_value::<Session>(json).unwrap(), session);
    }
}

#[test]
fn new_session_round_trips_on_its_own() {
    let new = sample("cs_test_abc").new;
    let json = serde_json::to_value(&new).unwrap();
    assert_eq!(json["amount_subtotal"], 2999);
    assert_eq!(
        json["line_items"][0]["price"]["product_data"]["name"],
        "Mug"
    );
    assert_eq!(serde_json::from_value::<NewSession>(json).unwrap(), new);
}
