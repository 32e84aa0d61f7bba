//! Shipping, in Stripe's shapes: the countries a session ships to
//! (`shipping_address_collection`), the fixed-amount rates it offers (`shipping_options`, the
//! first one selected), and the address a payment collects (`shipping_details`).
//!
//! Creation parameters:
//! - `shipping_address_collection[allowed_countries][i]`: ISO 3166-1 alpha-2 codes, in capitals;
//! - `shipping_options[i][shipping_rate_data]`: `type` (`fixed_amount` only),
//!   `display_name`, `fixed_amount[amount]` (minor units ≥ 0), `fixed_amount[currency]` (the line
//!   items' currency), `tax_behavior`, `metadata[…]`; at most [`MAX_SHIPPING_OPTIONS`].
//!
//! In a session's JSON, `shipping_options` and `shipping_cost` name the rates by id as Stripe
//! does; the sandbox adds `shipping_rates`, the rates themselves as Stripe's `shipping_rate`
//! objects (what Stripe would answer for `GET /v1/shipping_rates/{id}`).

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::ApiError;
use crate::form::Node;
use crate::ids::id;
use crate::params::{currency_code, integer, metadata, required, text, MAX_AMOUNT};
use crate::totals::{tax_behavior, TaxBehavior};

/// Stripe's limit on `shipping_options`.
pub const MAX_SHIPPING_OPTIONS: usize = 5;
const MAX_DISPLAY_NAME_CHARS: usize = 100;
/// Longest value accepted in an address field.
const MAX_ADDRESS_FIELD_CHARS: usize = 200;

/// `shipping_address_collection`: where the payment page may ship to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressCollection {
    pub allowed_countries: Vec<String>,
}

/// A fixed-amount shipping rate, made from `shipping_options[][shipping_rate_data]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "RateIn")]
pub struct ShippingRate {
    /// `shr_test_…`.
    pub id: String,
    pub display_name: String,
    /// Minor units.
    pub amount: u64,
    pub currency: String,
    pub tax_behavior: Option<TaxBehavior>,
    pub metadata: BTreeMap<String, String>,
}

/// Stripe's `shipping_details`: who and where a paid session ships to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippingDetails {
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    #[serde(default)]
    pub address: Address,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    #[serde(default, deserialize_with = "nullable")]
    pub line1: String,
    #[serde(default)]
    pub line2: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub city: String,
    #[serde(default, deserialize_with = "nullable")]
    pub postal_code: String,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub country: String,
}

/// Why an address cannot be shipped to: the field at fault (`name`, `line1`, `postal_code`,
/// `city`, `country`, as the payment page names its inputs) and what to tell the buyer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressError {
    pub field: &'static str,
    pub message: String,
}

impl AddressError {
    /// The field as a parameter of `{"shipping_details": …}`, e.g.
    /// `shipping_details[address][country]`.
    pub fn param(&self) -> String {
        match self.field {
            "name" => "shipping_details[name]".to_owned(),
            field => format!("shipping_details[address][{field}]"),
        }
    }

    pub fn to_api(&self) -> ApiError {
        ApiError::invalid(self.param(), self.message.clone())
    }
}

impl AddressCollection {
    pub fn allows(&self, country: &str) -> bool {
        self.allowed_countries.iter().any(|c| c == country)
    }

    /// A placeholder address in the first allowed country, for paying without a form.
    pub fn default_details(&self) -> ShippingDetails {
        ShippingDetails {
            name: "Sandbox Shopper".to_owned(),
            address: Address {
                line1: "1 Test Street".to_owned(),
                line2: None,
                city: "Testville".to_owned(),
                postal_code: "12345".to_owned(),
                state: None,
                country: self.allowed_countries.first().cloned().unwrap_or_default(),
            },
        }
    }
}

impl ShippingDetails {
    /// The details tidied (trimmed, empty optional parts dropped, country in capitals) if they
    /// can be shipped to under `collection`: name, line1, postal code, city and an allowed
    /// country are required.
    pub fn checked(self, collection: &AddressCollection) -> Result<ShippingDetails, AddressError> {
        let tidy = |s: String| s.trim().to_owned();
        let optional = |s: Option<String>| s.map(tidy).filter(|s| !s.is_empty());
        let a = self.address;
        let details = ShippingDetails {
            name: tidy(self.name),
            address: Address {
                line1: tidy(a.line1),
                line2: optional(a.line2),
                city: tidy(a.city),
                postal_code: tidy(a.postal_code),
                state: optional(a.state),
                country: tidy(a.country).to_ascii_uppercase(),
            },
        };
        let a = &details.address;
        let required = [
            ("name", &details.name, "Enter the full name to ship to."),
            ("line1", &a.line1, "Enter the street address."),
            ("postal_code", &a.postal_code, "Enter the postal code."),
            ("city", &a.city, "Enter the city."),
            ("country", &a.country, "Choose the country."),
        ];
        for (field, value, message) in required {
            if value.is_empty() {
                return Err(AddressError {
                    field,
                    message: message.to_owned(),
                });
            }
        }
        let lengths = [
            ("name", Some(&details.name)),
            ("line1", Some(&a.line1)),
            ("line2", a.line2.as_ref()),
            ("city", Some(&a.city)),
            ("postal_code", Some(&a.postal_code)),
            ("state", a.state.as_ref()),
        ];
        for (field, value) in lengths {
            if value.is_some_and(|v| v.chars().count() > MAX_ADDRESS_FIELD_CHARS) {
                return Err(AddressError {
                    field,
                    message: format!("Use at most {MAX_ADDRESS_FIELD_CHARS} characters."),
                });
            }
        }
        if !collection.allows(&a.country) {
            return Err(AddressError {
                field: "country",
                message: format!(
                    "This shop ships to {} only from this checkout.",
                    collection.allowed_countries.join(", ")
                ),
            });
        }
        Ok(details)
    }
}

impl ShippingRate {
    /// The rate as an entry of a session's `shipping_options`.
    pub(crate) fn option_json(&self) -> OptionOut<'_> {
        OptionOut {
            shipping_amount: self.amount,
            shipping_rate: &self.id,
        }
    }

    /// The rate as a session's `shipping_cost` (the selected one).
    pub(crate) fn cost_json(&self) -> CostOut<'_> {
        CostOut {
            amount_subtotal: self.amount,
            amount_total: self.amount,
            shipping_rate: &self.id,
        }
    }
}

/// Whether `code` has the shape of an ISO 3166-1 alpha-2 code: two ASCII capitals.
pub fn is_country_code(code: &str) -> bool {
    code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase())
}

/// The `shipping_address_collection` parameter, if given.
pub fn address_collection(node: Option<&Node>) -> Result<Option<AddressCollection>, ApiError> {
    const PARAM: &str = "shipping_address_collection[allowed_countries]";
    let Some(node) = node else {
        return Ok(None);
    };
    if node.as_map().is_none() {
        return Err(ApiError::invalid(
            "shipping_address_collection",
            "Invalid object: use shipping_address_collection[allowed_countries][0]=FR.",
        ));
    }
    let list = node
        .get("allowed_countries")
        .ok_or_else(|| ApiError::missing(PARAM))?
        .list()
        .ok_or_else(|| {
            ApiError::invalid(
                PARAM,
                format!("Invalid array: {PARAM} must be indexed 0, 1, 2, …"),
            )
        })?;
    let mut allowed_countries: Vec<String> = Vec::with_capacity(list.len());
    for (i, country) in list.into_iter().enumerate() {
        let param = format!("{PARAM}[{i}]");
        let code = text(Some(country), &param)?.unwrap_or_default();
        if !is_country_code(code) {
            return Err(ApiError::invalid(
                param,
                format!(
                    "Invalid country: {code:?}. Use an ISO 3166-1 alpha-2 code in capitals, \
                     such as FR."
                ),
            ));
        }
        if !allowed_countries.iter().any(|c| c == code) {
            allowed_countries.push(code.to_owned());
        }
    }
    Ok(Some(AddressCollection { allowed_countries }))
}

/// The `shipping_options` parameter: the rates, in order (none if absent).
pub fn rates(node: Option<&Node>, currency: &str) -> Result<Vec<ShippingRate>, ApiError> {
    let Some(node) = node else {
        return Ok(Vec::new());
    };
    let list = node.list().ok_or_else(|| {
        ApiError::invalid(
            "shipping_options",
            "Invalid array: shipping_options must be indexed 0, 1, 2, …",
        )
    })?;
    if list.len() > MAX_SHIPPING_OPTIONS {
        return Err(ApiError::invalid(
            "shipping_options",
            format!("You can pass at most {MAX_SHIPPING_OPTIONS} shipping options."),
        ));
    }
    list.into_iter()
        .enumerate()
        .map(|(i, option)| rate(option, i, currency))
        .collect()
}

fn rate(option: &Node, i: usize, currency: &str) -> Result<ShippingRate, ApiError> {
    let p = |rest: &str| format!("shipping_options[{i}]{rest}");
    if option.as_map().is_none() {
        return Err(ApiError::invalid(
            p(""),
            "Invalid object: each shipping option must have fields.",
        ));
    }
    if option.get("shipping_rate").is_some() {
        return Err(ApiError::invalid(
            p("[shipping_rate]"),
            "The sandbox has no stored shipping rates; use \
             shipping_options[][shipping_rate_data] instead.",
        ));
    }
    let data = option
        .get("shipping_rate_data")
        .ok_or_else(|| ApiError::missing(&p("[shipping_rate_data]")))?;
    let d = |rest: &str| p(&format!("[shipping_rate_data]{rest}"));
    match text(data.get("type"), &d("[type]"))? {
        None | Some("fixed_amount") => {}
        Some(other) => {
            return Err(ApiError::invalid(
                d("[type]"),
                format!("Invalid type: {other}. Only fixed_amount shipping rates are supported."),
            ))
        }
    }
    let name_param = d("[display_name]");
    let display_name = required(data.get("display_name"), &name_param)?.trim();
    if display_name.is_empty() || display_name.chars().count() > MAX_DISPLAY_NAME_CHARS {
        return Err(ApiError::invalid(
            name_param,
            format!("The display name must be 1 to {MAX_DISPLAY_NAME_CHARS} characters."),
        ));
    }
    let fixed = data
        .get("fixed_amount")
        .ok_or_else(|| ApiError::missing(&d("[fixed_amount]")))?;
    let amount_param = d("[fixed_amount][amount]");
    let amount = u64::try_from(integer(fixed.get("amount"), &amount_param)?)
        .ok()
        .filter(|amount| *amount <= MAX_AMOUNT)
        .ok_or_else(|| {
            ApiError::invalid(
                &amount_param,
                format!("The amount must be between 0 and {MAX_AMOUNT} (minor units)."),
            )
        })?;
    let currency_param = d("[fixed_amount][currency]");
    let rate_currency = currency_code(fixed.get("currency"), &currency_param)?;
    if rate_currency != currency {
        return Err(ApiError::invalid(
            currency_param,
            format!(
                "The shipping rate's currency must be the line items' currency; expected \
                 {currency}, got {rate_currency}."
            ),
        ));
    }
    Ok(ShippingRate {
        id: id("shr_test_"),
        display_name: display_name.to_owned(),
        amount,
        currency: rate_currency,
        tax_behavior: tax_behavior(data.get("tax_behavior"), &d("[tax_behavior]"))?,
        metadata: metadata(data.get("metadata"), &d("[metadata]"))?,
    })
}

/// A string that may be `null` (read as empty).
fn nullable<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(deserializer)?.unwrap_or_default())
}

/// An entry of a session's `shipping_options`.
#[derive(Serialize)]
pub(crate) struct OptionOut<'a> {
    shipping_amount: u64,
    shipping_rate: &'a str,
}

/// A session's `shipping_cost`.
#[derive(Serialize)]
pub(crate) struct CostOut<'a> {
    amount_subtotal: u64,
    amount_total: u64,
    shipping_rate: &'a str,
}

impl Serialize for ShippingRate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        RateOut {
            id: &self.id,
            object: "shipping_rate",
            kind: "fixed_amount",
            display_name: &self.display_name,
            fixed_amount: FixedAmount {
                amount: self.amount,
                currency: &self.currency,
            },
            tax_behavior: self.tax_behavior,
            metadata: &self.metadata,
        }
        .serialize(serializer)
    }
}

/// A rate as Stripe's `shipping_rate` object.
#[derive(Serialize)]
struct RateOut<'a> {
    id: &'a str,
    object: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    display_name: &'a str,
    fixed_amount: FixedAmount<&'a str>,
    tax_behavior: Option<TaxBehavior>,
    metadata: &'a BTreeMap<String, String>,
}

#[derive(Serialize, Deserialize)]
struct FixedAmount<C> {
    amount: u64,
    currency: C,
}

#[derive(Deserialize)]
struct RateIn {
    id: String,
    display_name: String,
    fixed_amount: FixedAmount<String>,
    #[serde(default)]
    tax_behavior: Option<TaxBehavior>,
    #[serde(default)]
    metadata: BTreeMap<String, String>,
}

impl From<RateIn> for ShippingRate {
    fn from(rate: RateIn) -> ShippingRate {
        ShippingRate {
            id: rate.id,
            display_name: rate.display_name,
            amount: rate.fixed_amount.amount,
            currency: rate.fixed_amount.currency,
            tax_behavior: rate.tax_behavior,
            metadata: rate.metadata,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests;
