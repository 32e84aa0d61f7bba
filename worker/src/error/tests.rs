use super::*;
use domain::catalog::Problem;

fn sku(s: &str) -> Sku {
    Sku::parse(s).expect("sku")
}

fn wire(e: impl Into<AppError>) -> (u16, &'static str, Map<String, Value>) {
    let e = e.into();
    (e.status_code(), e.code(), e.body())
}

#[test]
fn each_cause_has_its_status_code_and_fields() {
    let (status, code, body) = wire(CartError::OutOfStock {
        sku: sku("MUG-1"),
        available: 2,
        would_have: 3,
    });
    assert_eq!((status, code), (409, "out_of_stock"));
    assert_eq!(body["sku"], "MUG-1");
    assert_eq!(body["available"], 2);
    assert_eq!(body["detail"], "only 2 of MUG-1 left");

    let (status, code, body) = wire(ChangeError::Invalid {
        problems: vec![Problem::new("products[0].title", "must not be empty")],
    });
    assert_eq!((status, code), (422, "invalid_catalog"));
    assert_eq!(body["problems"][0]["path"], "products[0].title");

    assert_eq!(wire(BadInput::TooLarge { max: 16 }).0, 413);
    assert_eq!(wire(BadInput::TooLarge { max: 16 }).2["max_bytes"], 16);
    assert_eq!(wire(ShopError::EmptyCart).1, "empty_cart");
    assert_eq!(wire(BadInput::BadEmail).1, "bad_email");
    assert_eq!(
        wire(ShopError::Cart(CartError::TooManyLines)).1,
        "too_many_lines",
        "the service's cart refusals keep the cart's codes"
    );
}

#[test]
fn a_failed_publish_and_a_down_gateway_are_5xx_with_their_own_codes() {
    let (status, code, _) = wire(AppError::CatalogNotPublished("KV is down".into()));
    assert_eq!((status, code), (503, "catalog_unavailable"));
    let (status, code, body) = wire(PaymentError::Timeout);
    assert_eq!((status, code), (504, "payment_unavailable"));
    assert_eq!(
        body["detail"],
        "The payment service did not answer in time."
    );
    assert!(AppError::from(PaymentError::Timeout).worth_showing());
}

#[test]
fn internal_failures_say_nothing_of_their_cause() {
    let e: AppError = StoreError("objects/orders: secret detail".into()).into();
    assert_eq!(e.status_code(), 500);
    assert_eq!(e.code(), "internal");
    assert!(!e.detail().contains("secret"), "{}", e.detail());
    assert!(!e.worth_showing());
}
