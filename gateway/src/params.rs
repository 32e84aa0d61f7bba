//! Validation of `POST /v1/checkout/sessions` parameters into a [`NewSession`].
//!
//! Only `mode=payment` with inline `price_data` line items is supported. Parameters the sandbox
//! does not model (`locale`, `payment_method_types[]`, …) are accepted and ignored. Shipping
//! parameters are read by [`crate::shipping`], `tax_behavior` by [`crate::totals`].

use std::collections::BTreeMap;

use crate::error::ApiError;
use crate::form::Node;
use crate::session::{amount_total, LineItem, NewSession};
use crate::shipping;
use crate::totals::tax_behavior;

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
    let amount_subtotal = amount_total(&line_items)
        .filter(|total| *total <= MAX_AMOUNT)
        .ok_or_else(|| too_large("line_items"))?;
    let shipping_address_collection =
        shipping::address_collection(form.get("shipping_address_collection"))?;
    let shipping_rates = shipping::rates(form.get("shipping_options"), &currency)?;
    // Stripe charges the first (default) shipping option.
    let shipping = shipping_rates.first().map_or(0, |rate| rate.amount);
    let amount_total = amount_subtotal
        .checked_add(shipping)
        .filter(|total| *total <= MAX_AMOUNT)
        .ok_or_else(|| too_large("shipping_options"))?;
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
    let metadata = metadata(form.get("metadata"), "metadata")?;
    let expires_at = match text(form.get("expires_at"), "expires_at")? {
        None => now + MAX_LIFETIME_SECONDS,
        Some(raw) => expires_at(raw, now)?,
    };
    Ok(NewSession {
        currency,
        line_items,
        amount_subtotal,
        amount_total,
        shipping_address_collection,
        shipping_rates,
        success_url,
        cancel_url,
        client_reference_id,
        customer_email,
        metadata,
        expires_at,
    })
}

fn too_large(param: &str) -> ApiError {
    ApiError {
        code: Some("amount_too_large"),
        ..ApiError::invalid(param, "The total amount must be no more than 999,999.99.")
    }
}

/// The string at `node`, if any; an error if it is a nested map.
pub(crate) fn text<'a>(node: Option<&'a Node>, param: &str) -> Result<Option<&'a str>, ApiError> {
    match node {
        None => Ok(None),
        Some(Node::Leaf(s)) => Ok(Some(s)),
        Some(Node::Map(_)) => Err(ApiError::invalid(
            param,
            format!("Invalid string: {param} must be a plain value."),
        )),
    }
}

pub(crate) fn required<'a>(node: Option<&'a Node>, param: &str) -> Result<&'a str, ApiError> {
    text(node, param)?.ok_or_else(|| ApiError::missing(param))
}

pub(crate) fn integer(node: Option<&Node>, param: &str) -> Result<i64, ApiError> {
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
        let product = price.get("product_data");
        let name = required(product.and_then(|d| d.get("name")), &name_param)?;
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
            tax_behavior: tax_behavior(
                price.get("tax_behavior"),
                &p("[price_data][tax_behavior]"),
            )?,
            metadata: metadata(
                product.and_then(|d| d.get("metadata")),
                &p("[price_data][product_data][metadata]"),
            )?,
        });
    }
    match currency {
        Some(currency) => Ok((items, currency)),
        None => Err(ApiError::missing("line_items")),
    }
}

pub(crate) fn currency_code(node: Option<&Node>, param: &str) -> Result<String, ApiError> {
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

/// Metadata at `param` (`metadata`, `…[product_data][metadata]`): `param[key]=value` pairs.
pub(crate) fn metadata(
    node: Option<&Node>,
    param: &str,
) -> Result<BTreeMap<String, String>, ApiError> {
    let Some(node) = node else {
        return Ok(BTreeMap::new());
    };
    let map = node.as_map().ok_or_else(|| {
        ApiError::invalid(param, format!("Invalid object: use {param}[key]=value."))
    })?;
    let mut out = BTreeMap::new();
    for (key, value) in map {
        let param = format!("{param}[{key}]");
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
            param,
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
mod tests;
