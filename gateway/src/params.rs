//! Validation of `POST /v1/checkout/sessions` parameters into a [`NewSession`].
//!
//! Only `mode=payment` with inline `price_data` line items is supported. Parameters the sandbox
//! does not model (`locale`, `payment_method_types[]`, …) are accepted and ignored.

use std::collections::BTreeMap;

use crate::error::ApiError;
use crate::form::Node;
use crate::session::{amount_total, LineItem, NewSession};

/// Stripe's ceiling for a Checkout amount in two-decimal currencies (999,999.99).
pub const MAX_AMOUNT: u64 = 99_999_999;
/// A session may be kept open for at most this long (Stripe's limit).
pub const MAX_LIFETIME_SECONDS: i64 = 24 * 60 * 60;
const MAX_METADATA_KEYS: usize = 50;
const MAX_METADATA_KEY_CHARS: usize = 40;
const MAX_METADATA_VALUE_CHARS: usize = 500;
const MAX_REFERENCE_CHARS: usize = 200;
/// How far in the past `expires_at` may be (clock skew between shop and sandbox); such a session
/// is due at once and expires on the next tick.
pub const PAST_EXPIRY_GRACE_SECONDS: i64 = 60;

type Form = BTreeMap<String, Node>;

/// Validates a parsed form at `now` (unix seconds).
pub fn validate(form: &Form, now: i64) -> Result<NewSession, ApiError> {
    match text(form.get("mode"), "mode")? {
        None => return Err(ApiError::missing("mode")),
        Some("payment") => {}
        Some(other) => {
            return Err(ApiError::invalid(
                "mode",
                format!("Invalid mode: {other}. The sandbox supports only `payment`."),
            ))
        }
    }
    let (line_items, currency) = line_items(form.get("line_items"))?;
    let amount_total = amount_total(&line_items)
        .filter(|total| *total <= MAX_AMOUNT)
        .ok_or_else(|| ApiError {
            code: Some("amount_too_large"),
            ..ApiError::invalid(
                "line_items",
                "The total amount must be no more than 999,999.99.",
            )
        })?;
    let success_url = url(form, "success_url")?;
    let cancel_url = url(form, "cancel_url")?;
    let client_reference_id = text(form.get("client_reference_id"), "client_reference_id")?
        .filter(|s| !s.is_empty())
        .map(|s| check_length(s, "client_reference_id", MAX_REFERENCE_CHARS))
        .transpose()?;
    let customer_email = text(form.get("customer_email"), "customer_email")?
        .filter(|s| !s.is_empty())
        .map(email)
        .transpose()?;
    let metadata = metadata(form.get("metadata"))?;
    let expires_at = match text(form.get("expires_at"), "expires_at")? {
        None => now + MAX_LIFETIME_SECONDS,
        Some(raw) => expires_at(raw, now)?,
    };
    Ok(NewSession {
        currency,
        line_items,
        amount_total,
        success_url,
        cancel_url,
        client_reference_id,
        customer_email,
        metadata,
        expires_at,
    })
}

/// The string at `node`, if any; an error if it is a nested map.
fn text<'a>(node: Option<&'a Node>, param: &str) -> Result<Option<&'a str>, ApiError> {
    match node {
        None => Ok(None),
        Some(Node::Leaf(s)) => Ok(Some(s)),
        Some(Node::Map(_)) => Err(ApiError::invalid(
            param,
            format!("Invalid string: {param} must be a plain value."),
        )),
    }
}

fn required<'a>(node: Option<&'a Node>, param: &str) -> Result<&'a str, ApiError> {
    text(node, param)?.ok_or_else(|| ApiError::missing(param))
}

fn integer(node: Option<&Node>, param: &str) -> Result<i64, ApiError> {
    let raw = required(node, param)?;
    raw.parse::<i64>()
        .map_err(|_| ApiError::not_an_integer(param, raw))
}

fn line_items(node: Option<&Node>) -> Result<(Vec<LineItem>, String), ApiError> {
    let node = node.ok_or_else(|| ApiError::missing("line_items"))?;
    let list = node.list().ok_or_else(|| {
        ApiError::invalid(
            "line_items",
            "Invalid array: line_items must be indexed 0, 1, 2, …",
        )
    })?;
    let mut currency: Option<String> = None;
    let mut items = Vec::with_capacity(list.len());
    for (i, item) in list.into_iter().enumerate() {
        let p = |name: &str| format!("line_items[{i}]{name}");
        if item.as_map().is_none() {
            return Err(ApiError::invalid(
                p(""),
                "Invalid object: each line item must have fields.",
            ));
        }
        if item.get("price").is_some() {
            return Err(ApiError::invalid(
                p("[price]"),
                "The sandbox has no stored prices; use line_items[][price_data] instead.",
            ));
        }
        let quantity = integer(item.get("quantity"), &p("[quantity]"))?;
        let quantity = u64::try_from(quantity)
            .ok()
            .filter(|q| *q >= 1)
            .ok_or_else(|| {
                ApiError::invalid(
                    p("[quantity]"),
                    "This value must be greater than or equal to 1.",
                )
            })?;
        let price = item
            .get("price_data")
            .ok_or_else(|| ApiError::missing(&p("[price_data]")))?;
        let line_currency = currency_code(price.get("currency"), &p("[price_data][currency]"))?;
        match &currency {
            None => currency = Some(line_currency),
            Some(first) if *first == line_currency => {}
            Some(first) => {
                return Err(ApiError::invalid(
                    p("[price_data][currency]"),
                    format!("All line items must use the same currency; expected {first}, got {line_currency}."),
                ))
            }
        }
        let unit_param = p("[price_data][unit_amount]");
        let unit_amount = integer(price.get("unit_amount"), &unit_param)?;
        let unit_amount = u64::try_from(unit_amount).map_err(|_| {
            ApiError::invalid(
                &unit_param,
                "This value must be greater than or equal to 0.",
            )
        })?;
        let name_param = p("[price_data][product_data][name]");
        let name = required(
            price.get("product_data").and_then(|d| d.get("name")),
            &name_param,
        )?;
        if name.trim().is_empty() {
            return Err(ApiError::invalid(
                name_param,
                "The product name must not be empty.",
            ));
        }
        items.push(LineItem {
            name: name.to_owned(),
            quantity,
            unit_amount,
        });
    }
    match currency {
        Some(currency) => Ok((items, currency)),
        None => Err(ApiError::missing("line_items")),
    }
}

fn currency_code(node: Option<&Node>, param: &str) -> Result<String, ApiError> {
    let raw = required(node, param)?;
    if raw.len() == 3 && raw.bytes().all(|b| b.is_ascii_alphabetic()) {
        Ok(raw.to_ascii_lowercase())
    } else {
        Err(ApiError::invalid(param, format!("Invalid currency: {raw}")))
    }
}

fn url(form: &Form, param: &str) -> Result<String, ApiError> {
    let raw = required(form.get(param), param)?;
    let has_scheme = raw.starts_with("http://") || raw.starts_with("https://");
    let sendable = raw.bytes().all(|b| b.is_ascii_graphic());
    if has_scheme && sendable && raw.len() <= 5000 {
        Ok(raw.to_owned())
    } else {
        Err(ApiError::invalid(
            param,
            format!("Not a valid URL: {param} must be an absolute http(s) URL."),
        ))
    }
}

fn check_length(value: &str, param: &str, max: usize) -> Result<String, ApiError> {
    if value.chars().count() <= max {
        Ok(value.to_owned())
    } else {
        Err(ApiError::invalid(
            param,
            format!("{param} must be at most {max} characters."),
        ))
    }
}

fn email(value: &str) -> Result<String, ApiError> {
    let plausible = match value.split_once('@') {
        Some((local, domain)) => !local.is_empty() && domain.contains('.') && !domain.contains('@'),
        None => false,
    };
    if plausible && !value.chars().any(char::is_whitespace) {
        Ok(value.to_owned())
    } else {
        Err(ApiError::invalid(
            "customer_email",
            format!("Invalid email address: {value}"),
        ))
    }
}

fn metadata(node: Option<&Node>) -> Result<BTreeMap<String, String>, ApiError> {
    let Some(node) = node else {
        return Ok(BTreeMap::new());
    };
    let map = node
        .as_map()
        .ok_or_else(|| ApiError::invalid("metadata", "Invalid object: use metadata[key]=value."))?;
    let mut out = BTreeMap::new();
    for (key, value) in map {
        let param = format!("metadata[{key}]");
        let value = text(Some(value), &param)?.unwrap_or_default();
        if key.chars().count() > MAX_METADATA_KEY_CHARS {
            return Err(ApiError::invalid(
                param,
                format!("Metadata keys must be at most {MAX_METADATA_KEY_CHARS} characters."),
            ));
        }
        if value.chars().count() > MAX_METADATA_VALUE_CHARS {
            return Err(ApiError::invalid(
                param,
                format!("Metadata values must be at most {MAX_METADATA_VALUE_CHARS} characters."),
            ));
        }
        // As in Stripe, an empty value means "no such key".
        if !value.is_empty() {
            out.insert(key.clone(), value.to_owned());
        }
    }
    if out.len() > MAX_METADATA_KEYS {
        return Err(ApiError::invalid(
            "metadata",
            format!("Metadata can have at most {MAX_METADATA_KEYS} keys."),
        ));
    }
    Ok(out)
}

fn expires_at(raw: &str, now: i64) -> Result<i64, ApiError> {
    let at = raw
        .parse::<i64>()
        .map_err(|_| ApiError::not_an_integer("expires_at", raw))?;
    if at < now {
        return Err(ApiError::invalid(
            "expires_at",
            "The expires_at timestamp must not be in the past.",
        ));
    }
    if at > now + MAX_LIFETIME_SECONDS {
        return Err(ApiError::invalid(
            "expires_at",
            "The expires_at timestamp must be less than 24 hours from Checkout Session creation.",
        ));
    }
    Ok(at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form;

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
        assert_eq!(
            s.line_items[0],
            LineItem {
                name: "Mug".into(),
                quantity: 2,
                unit_amount: 1250
            }
        );
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
}
