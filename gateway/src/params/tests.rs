//! Tests of [`super::validate`].

use super::*;
use crate::form;
use crate::session::tests::item;
use crate::totals::TaxBehavior;

const NOW: i64 = 1_700_000_000;
const BASE: &str = "mode=payment\
    &line_items[0][quantity]=2\
    &line_items[0][price_data][currency]=EUR\
    &line_items[0][price_data][unit_amount]=1250\
    &line_items[0][price_data][product_data][name]=Mug\
    &line_items[1][quantity]=1\
    &line_items[1][price_data][currency]=eur\
    &line_items[1][price_data][unit_amount]=499\
    &line_items[1][price_data][product_data][name]=Tea\
    &success_url=https://shop.test/ok?s={CHECKOUT_SESSION_ID}\
    &cancel_url=https://shop.test/cart";

fn check(body: &str) -> Result<NewSession, ApiError> {
    validate(&form::parse(body.as_bytes()).unwrap(), NOW)
}

/// Pairs to set (`Some`) or remove (`None`).
type Changes<'a> = &'a [(&'a str, Option<&'a str>)];

/// `BASE` with `key=value` pairs replaced (value `None` removes the key).
fn with(changes: Changes) -> String {
    let mut pairs: Vec<(String, String)> = BASE
        .split('&')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    for (key, value) in changes {
        pairs.retain(|(k, _)| k != key);
        if let Some(v) = value {
            pairs.push(((*key).to_owned(), (*v).to_owned()));
        }
    }
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

fn param_of(body: &str) -> String {
    let err = check(body).unwrap_err();
    assert_eq!(err.status, axum::http::StatusCode::BAD_REQUEST, "{err:?}");
    err.param.unwrap_or_default()
}

#[test]
fn accepts_a_valid_session_and_totals_it() {
    let s = check(&with(&[
        ("client_reference_id", Some("ord_42")),
        ("customer_email", Some("ann@example.com")),
        ("metadata[order_id]", Some("ord_42")),
        ("metadata[cart]", Some("c_9")),
        ("expires_at", Some(&(NOW + 1800).to_string())),
    ]))
    .unwrap();
    assert_eq!(s.currency, "eur");
    assert_eq!(s.amount_total, 2 * 1250 + 499);
    assert_eq!(s.amount_subtotal, s.amount_total);
    assert_eq!(s.line_items[0], item("Mug", 2, 1250));
    assert_eq!(s.shipping_address_collection, None);
    assert!(s.shipping_rates.is_empty());
    assert_eq!(
        s.success_url,
        "https://shop.test/ok?s={CHECKOUT_SESSION_ID}"
    );
    assert_eq!(s.client_reference_id.as_deref(), Some("ord_42"));
    assert_eq!(s.customer_email.as_deref(), Some("ann@example.com"));
    assert_eq!(s.metadata.len(), 2);
    assert_eq!(s.expires_at, NOW + 1800);
}

#[test]
fn defaults_expiry_to_24_hours_and_allows_free_items() {
    let s = check(&with(&[(
        "line_items[1][price_data][unit_amount]",
        Some("0"),
    )]))
    .unwrap();
    assert_eq!(s.expires_at, NOW + MAX_LIFETIME_SECONDS);
    assert_eq!(s.amount_total, 2500);
}

#[test]
fn reports_the_offending_param() {
    let cases: &[(Changes, &str)] = &[
        (&[("mode", None)], "mode"),
        (&[("mode", Some("subscription"))], "mode"),
        (&[("success_url", None)], "success_url"),
        (&[("cancel_url", None)], "cancel_url"),
        (&[("cancel_url", Some("/cart"))], "cancel_url"),
        (
            &[("line_items[1][quantity]", Some("0"))],
            "line_items[1][quantity]",
        ),
        (
            &[("line_items[1][quantity]", Some("-3"))],
            "line_items[1][quantity]",
        ),
        (
            &[("line_items[0][quantity]", Some("1.5"))],
            "line_items[0][quantity]",
        ),
        (
            &[("line_items[0][quantity]", None)],
            "line_items[0][quantity]",
        ),
        (
            &[("line_items[0][price_data][unit_amount]", Some("-1"))],
            "line_items[0][price_data][unit_amount]",
        ),
        (
            &[("line_items[0][price_data][unit_amount]", Some("12.50"))],
            "line_items[0][price_data][unit_amount]",
        ),
        (
            &[("line_items[1][price_data][currency]", Some("usd"))],
            "line_items[1][price_data][currency]",
        ),
        (
            &[("line_items[1][price_data][currency]", Some("euro"))],
            "line_items[1][price_data][currency]",
        ),
        (
            &[("line_items[0][price_data][product_data][name]", None)],
            "line_items[0][price_data][product_data][name]",
        ),
        (
            &[("line_items[0][price_data][unit_amount]", Some("99999999"))],
            "line_items",
        ),
        (
            &[("line_items[0][price]", Some("price_123"))],
            "line_items[0][price]",
        ),
        (
            &[("customer_email", Some("not-an-email"))],
            "customer_email",
        ),
        (&[("expires_at", Some("soon"))], "expires_at"),
        (
            &[("expires_at", Some(&(NOW - 1).to_string()))],
            "expires_at",
        ),
        (
            &[(
                "expires_at",
                Some(&(NOW + MAX_LIFETIME_SECONDS + 1).to_string()),
            )],
            "expires_at",
        ),
        (
            &[("metadata[order_id][x]", Some("1"))],
            "metadata[order_id]",
        ),
    ];
    for (changes, param) in cases {
        assert_eq!(param_of(&with(changes)), *param, "{changes:?}");
    }
}

#[test]
fn requires_at_least_one_contiguous_line_item() {
    let none = "mode=payment&success_url=https://a.test/&cancel_url=https://a.test/";
    assert_eq!(param_of(none), "line_items");
    assert_eq!(check(none).unwrap_err().code, Some("parameter_missing"));
    let gap = with(&[
        ("line_items[1][quantity]", None),
        ("line_items[1][price_data][currency]", None),
        ("line_items[1][price_data][unit_amount]", None),
        ("line_items[1][price_data][product_data][name]", None),
        ("line_items[2][quantity]", Some("1")),
    ]);
    assert_eq!(param_of(&gap), "line_items");
}

#[test]
fn drops_empty_metadata_values_and_limits_keys() {
    let s = check(&with(&[
        ("metadata[gone]", Some("")),
        ("metadata[kept]", Some("1")),
    ]))
    .unwrap();
    assert_eq!(s.metadata.keys().collect::<Vec<_>>(), ["kept"]);
    let many: Vec<(String, Option<&str>)> = (0..51)
        .map(|i| (format!("metadata[k{i}]"), Some("v")))
        .collect();
    let many: Vec<(&str, Option<&str>)> = many.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(param_of(&with(&many)), "metadata");
}

/// `BASE` with an address collected in France and one shipping option at 4.90.
const SHIPPED: Changes = &[
    (
        "shipping_address_collection[allowed_countries][0]",
        Some("FR"),
    ),
    (
        "shipping_options[0][shipping_rate_data][type]",
        Some("fixed_amount"),
    ),
    (
        "shipping_options[0][shipping_rate_data][display_name]",
        Some("Express"),
    ),
    (
        "shipping_options[0][shipping_rate_data][fixed_amount][amount]",
        Some("490"),
    ),
    (
        "shipping_options[0][shipping_rate_data][fixed_amount][currency]",
        Some("eur"),
    ),
    (
        "shipping_options[0][shipping_rate_data][tax_behavior]",
        Some("exclusive"),
    ),
    (
        "shipping_options[0][shipping_rate_data][metadata][rate]",
        Some("express"),
    ),
    ("line_items[0][price_data][tax_behavior]", Some("exclusive")),
    (
        "line_items[0][price_data][product_data][metadata][kind]",
        Some("goods"),
    ),
    (
        "line_items[0][price_data][product_data][metadata][sku]",
        Some("MUG-1"),
    ),
    ("metadata[tax]", Some("120")),
    ("metadata[tax_included]", Some("false")),
];

fn shipped(changes: Changes) -> String {
    with(&[SHIPPED, changes].concat())
}

#[test]
fn accepts_shipping_options_address_collection_and_tax_shapes() {
    let s = check(&shipped(&[
        (
            "shipping_address_collection[allowed_countries][1]",
            Some("BE"),
        ),
        (
            "shipping_address_collection[allowed_countries][2]",
            Some("FR"),
        ),
        (
            "shipping_options[1][shipping_rate_data][display_name]",
            Some("Standard"),
        ),
        (
            "shipping_options[1][shipping_rate_data][fixed_amount][amount]",
            Some("0"),
        ),
        (
            "shipping_options[1][shipping_rate_data][fixed_amount][currency]",
            Some("EUR"),
        ),
        (
            "line_items[1][price_data][tax_behavior]",
            Some("unspecified"),
        ),
    ]))
    .unwrap();
    let allowed = &s
        .shipping_address_collection
        .as_ref()
        .unwrap()
        .allowed_countries;
    assert_eq!(allowed, &["FR", "BE"], "in order, without repeats");
    assert_eq!(s.shipping_rates.len(), 2);
    let express = &s.shipping_rates[0];
    assert!(express.id.starts_with("shr_test_"));
    assert_ne!(express.id, s.shipping_rates[1].id);
    assert_eq!(
        (express.display_name.as_str(), express.amount),
        ("Express", 490)
    );
    assert_eq!(express.tax_behavior, Some(TaxBehavior::Exclusive));
    assert_eq!(express.metadata["rate"], "express");
    assert_eq!(s.shipping_rates[1].tax_behavior, None);
    assert_eq!(s.line_items[0].tax_behavior, Some(TaxBehavior::Exclusive));
    assert_eq!(s.line_items[1].tax_behavior, Some(TaxBehavior::Unspecified));
    assert_eq!(s.line_items[0].metadata["sku"], "MUG-1");
    assert_eq!(s.amount_subtotal, 2999);
    assert_eq!(s.amount_total, 2999 + 490, "the first option is selected");
    assert_eq!(s.metadata["tax"], "120");
}

#[test]
fn reports_the_offending_shipping_or_tax_param() {
    let rate = |rest: &str| format!("shipping_options[0][shipping_rate_data]{rest}");
    let countries = "shipping_address_collection[allowed_countries]";
    let cases: &[(Changes, String)] = &[
        (
            &[(&format!("{countries}[0]"), Some("fr"))],
            format!("{countries}[0]"),
        ),
        (
            &[(&format!("{countries}[0]"), Some("FRA"))],
            format!("{countries}[0]"),
        ),
        (
            &[(&format!("{countries}[1]"), Some("F1"))],
            format!("{countries}[1]"),
        ),
        (
            &[(&format!("{countries}[2]"), Some("DE"))],
            countries.to_owned(),
        ),
        (
            &[
                (&format!("{countries}[0][x]"), Some("FR")),
                (&format!("{countries}[0]"), None),
            ],
            format!("{countries}[0]"),
        ),
        (
            &[
                (&format!("{countries}[0]"), None),
                ("shipping_address_collection[x]", Some("1")),
            ],
            countries.to_owned(),
        ),
        (
            &[
                (&format!("{countries}[0]"), None),
                ("shipping_address_collection", Some("FR")),
            ],
            "shipping_address_collection".to_owned(),
        ),
        (
            &[(&rate("[type]"), Some("delivery_estimate"))],
            rate("[type]"),
        ),
        (&[(&rate("[display_name]"), None)], rate("[display_name]")),
        (
            &[(&rate("[display_name]"), Some("+"))],
            rate("[display_name]"),
        ),
        (
            &[(&rate("[fixed_amount][amount]"), Some("-1"))],
            rate("[fixed_amount][amount]"),
        ),
        (
            &[(&rate("[fixed_amount][amount]"), Some("4.90"))],
            rate("[fixed_amount][amount]"),
        ),
        (
            &[(&rate("[fixed_amount][amount]"), None)],
            rate("[fixed_amount][amount]"),
        ),
        (
            &[(&rate("[fixed_amount][currency]"), Some("usd"))],
            rate("[fixed_amount][currency]"),
        ),
        (
            &[(&rate("[fixed_amount][currency]"), None)],
            rate("[fixed_amount][currency]"),
        ),
        (
            &[(&rate("[tax_behavior]"), Some("included"))],
            rate("[tax_behavior]"),
        ),
        (
            &[
                (&rate("[metadata]"), Some("x")),
                (&rate("[metadata][rate]"), None),
            ],
            rate("[metadata]"),
        ),
        (
            &[("shipping_options[0][shipping_rate]", Some("shr_1"))],
            "shipping_options[0][shipping_rate]".to_owned(),
        ),
        (
            &[(
                "shipping_options[2][shipping_rate_data][display_name]",
                Some("Gap"),
            )],
            "shipping_options".to_owned(),
        ),
        (
            &[(&rate("[fixed_amount][amount]"), Some("99999999"))],
            "shipping_options".to_owned(),
        ),
        (
            &[("line_items[1][price_data][tax_behavior]", Some("gross"))],
            "line_items[1][price_data][tax_behavior]".to_owned(),
        ),
        (
            &[
                (
                    "line_items[0][price_data][product_data][metadata]",
                    Some("tax"),
                ),
                (
                    "line_items[0][price_data][product_data][metadata][kind]",
                    None,
                ),
                (
                    "line_items[0][price_data][product_data][metadata][sku]",
                    None,
                ),
            ],
            "line_items[0][price_data][product_data][metadata]".to_owned(),
        ),
    ];
    for (changes, param) in cases {
        let body = shipped(changes);
        let err = check(&body).unwrap_err();
        assert_eq!(
            err.param.as_deref(),
            Some(param.as_str()),
            "{changes:?}: {err:?}"
        );
        assert_eq!(err.kind, "invalid_request_error");
    }
    // More than five options.
    let six: Vec<(String, Option<&str>)> = (0..6)
        .flat_map(|i| {
            let k = |rest: &str| format!("shipping_options[{i}][shipping_rate_data]{rest}");
            [
                (k("[display_name]"), Some("Rate")),
                (k("[fixed_amount][amount]"), Some("100")),
                (k("[fixed_amount][currency]"), Some("eur")),
            ]
        })
        .collect();
    let six: Vec<(&str, Option<&str>)> = six.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(param_of(&with(&six)), "shipping_options");
    assert_eq!(check(&with(&six[..15])).unwrap().shipping_rates.len(), 5);
}
