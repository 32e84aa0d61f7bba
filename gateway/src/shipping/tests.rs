//! Tests of shipping addresses and rates and their JSON.

use serde_json::json;

use super::*;

pub fn collection(countries: &[&str]) -> AddressCollection {
    AddressCollection {
        allowed_countries: countries.iter().map(|c| (*c).to_owned()).collect(),
    }
}

pub fn express(amount: u64) -> ShippingRate {
    ShippingRate {
        id: "shr_test_1".to_owned(),
        display_name: "Express".to_owned(),
        amount,
        currency: "eur".to_owned(),
        tax_behavior: Some(TaxBehavior::Inclusive),
        metadata: BTreeMap::from([("rate".to_owned(), "express".to_owned())]),
    }
}

fn details(
    name: &str,
    line1: &str,
    postal_code: &str,
    city: &str,
    country: &str,
) -> ShippingDetails {
    ShippingDetails {
        name: name.to_owned(),
        address: Address {
            line1: line1.to_owned(),
            line2: Some("  ".to_owned()),
            city: city.to_owned(),
            postal_code: postal_code.to_owned(),
            state: None,
            country: country.to_owned(),
        },
    }
}

#[test]
fn checked_details_are_tidied_and_need_every_required_field() {
    let fr = collection(&["FR", "BE"]);
    let ok = details(" Ada ", "1 Rue X", "75001", "Paris", "fr")
        .checked(&fr)
        .unwrap();
    assert_eq!(ok.name, "Ada");
    assert_eq!(ok.address.country, "FR");
    assert_eq!(ok.address.line2, None);
    for (d, field) in [
        (details("", "1 Rue X", "75001", "Paris", "FR"), "name"),
        (details("Ada", " ", "75001", "Paris", "FR"), "line1"),
        (details("Ada", "1 Rue X", "", "Paris", "FR"), "postal_code"),
        (details("Ada", "1 Rue X", "75001", "", "FR"), "city"),
        (details("Ada", "1 Rue X", "75001", "Paris", ""), "country"),
    ] {
        assert_eq!(d.checked(&fr).unwrap_err().field, field);
    }
    let far = details("Ada", "1 Main St", "10001", "New York", "US")
        .checked(&fr)
        .unwrap_err();
    assert_eq!(far.field, "country");
    assert_eq!(
        far.message,
        "This shop ships to FR, BE only from this checkout."
    );
    assert_eq!(far.param(), "shipping_details[address][country]");
    assert_eq!(far.to_api().status, axum::http::StatusCode::BAD_REQUEST);
    let long = details(&"x".repeat(201), "1", "2", "3", "FR").checked(&fr);
    assert_eq!(long.unwrap_err().param(), "shipping_details[name]");
}

#[test]
fn the_default_address_is_in_the_first_allowed_country() {
    let d = collection(&["BE", "FR"]).default_details();
    assert_eq!(d.name, "Sandbox Shopper");
    assert_eq!(d.address.country, "BE");
    assert_eq!(d.clone().checked(&collection(&["BE"])), Ok(d));
}

#[test]
fn json_shapes_follow_stripe() {
    let rate = express(2490);
    assert_eq!(
        serde_json::to_value(rate.option_json()).unwrap(),
        json!({"shipping_amount": 2490, "shipping_rate": "shr_test_1"})
    );
    assert_eq!(
        serde_json::to_value(rate.cost_json()).unwrap(),
        json!({"amount_subtotal": 2490, "amount_total": 2490, "shipping_rate": "shr_test_1"})
    );
    let object = serde_json::to_value(&rate).unwrap();
    assert_eq!(
        object,
        json!({"id": "shr_test_1", "object": "shipping_rate", "type": "fixed_amount",
               "display_name": "Express",
               "fixed_amount": {"amount": 2490, "currency": "eur"},
               "tax_behavior": "inclusive", "metadata": {"rate": "express"}})
    );
    assert_eq!(
        serde_json::from_value::<ShippingRate>(object).unwrap(),
        rate
    );
    let read: ShippingDetails = serde_json::from_value(json!({
        "name": "Ada", "address": {"line1": "1 Rue X", "line2": null, "city": null,
                                   "postal_code": "75001", "country": "FR"}
    }))
    .unwrap();
    assert_eq!(read.address.city, "");
    assert_eq!(read.address.line2, None);
    assert_eq!(
        serde_json::to_value(&read).unwrap()["address"],
        json!({"line1": "1 Rue X", "line2": null, "city": "", "postal_code": "75001",
               "state": null, "country": "FR"})
    );
}
