//! The Checkout Session object: what it is created with ([`NewSession`]), its state, its
//! transitions and its JSON in Stripe's shape.
//!
//! A session serialises (with serde) to exactly the object Stripe's API and webhooks show:
//! `id`, `object`, `livemode`, `mode`, `url`, `status`, `payment_status`, `payment_intent`,
//! `created`, `shipping_details`, then the creation parameters at the top level (`currency`,
//! `line_items`, `amount_subtotal`, `amount_total`, `total_details`,
//! `shipping_address_collection`, `shipping_options`, `shipping_cost`, `shipping_rates`,
//! `success_url`, `cancel_url`, `client_reference_id`, `customer_email`, `metadata`,
//! `expires_at`). It deserialises from the same JSON, ignoring the fields that are derived from
//! the others. See [`crate::totals`] for the amounts and [`crate::shipping`] for shipping.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize, Serializer};

use crate::shipping::{AddressCollection, CostOut, OptionOut, ShippingDetails, ShippingRate};
use crate::totals::{TaxBehavior, TotalDetails};

/// Placeholder Stripe replaces with the session id in `success_url`.
pub const SESSION_ID_PLACEHOLDER: &str = "{CHECKOUT_SESSION_ID}";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Open,
    Complete,
    Expired,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Complete => "complete",
            Status::Expired => "expired",
        }
    }
}

/// A line item. In JSON it is Stripe's `item` with its `price` (see [`NewSession`]'s
/// serialisation, which adds the session's currency to each).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "ItemIn")]
pub struct LineItem {
    pub name: String,
    pub quantity: u64,
    /// Minor units (cents) per unit.
    pub unit_amount: u64,
    pub tax_behavior: Option<TaxBehavior>,
    /// `product_data[metadata]`; `kind=tax` marks the tax line.
    pub metadata: BTreeMap<String, String>,
}

impl LineItem {
    /// `quantity * unit_amount`, `None` on overflow.
    pub fn amount_total(&self) -> Option<u64> {
        self.quantity.checked_mul(self.unit_amount)
    }
}

/// Sum of all line totals, `None` on overflow.
pub fn amount_total(items: &[LineItem]) -> Option<u64> {
    items
        .iter()
        .try_fold(0u64, |sum, item| sum.checked_add(item.amount_total()?))
}

/// Validated parameters of a session to create (`params::validate` makes them); a [`Session`]
/// carries them as they were.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct NewSession {
    pub currency: String,
    pub line_items: Vec<LineItem>,
    /// Sum of the line items.
    pub amount_subtotal: u64,
    /// What is charged: the subtotal plus the selected shipping rate.
    pub amount_total: u64,
    #[serde(default)]
    pub shipping_address_collection: Option<AddressCollection>,
    /// `shipping_options`, in order; the first is selected.
    #[serde(default)]
    pub shipping_rates: Vec<ShippingRate>,
    pub success_url: String,
    pub cancel_url: String,
    pub client_reference_id: Option<String>,
    pub customer_email: Option<String>,
    pub metadata: BTreeMap<String, String>,
    pub expires_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Session {
    pub id: String,
    /// The hosted payment page.
    pub url: String,
    pub created: i64,
    pub status: Status,
    pub payment_intent: Option<String>,
    /// The address collected when it was paid.
    #[serde(default)]
    pub shipping_details: Option<ShippingDetails>,
    /// What the session was created with; its fields are at the top level in JSON.
    #[serde(flatten)]
    pub new: NewSession,
}

impl Session {
    /// A new open session from validated parameters.
    pub fn open(new: NewSession, id: String, url: String, created: i64) -> Session {
        Session {
            id,
            url,
            created,
            status: Status::Open,
            payment_intent: None,
            shipping_details: None,
            new,
        }
    }

    pub fn payment_status(&self) -> &'static str {
        match self.status {
            Status::Complete => "paid",
            Status::Open | Status::Expired => "unpaid",
        }
    }

    /// Open and past its `expires_at` at `now`.
    pub fn is_due(&self, now: i64) -> bool {
        self.status == Status::Open && now >= self.new.expires_at
    }

    /// Where to send the buyer after paying: `success_url` with the id filled in.
    pub fn success_redirect(&self) -> String {
        self.new
            .success_url
            .replace(SESSION_ID_PLACEHOLDER, &self.id)
    }

    /// Marks an open session paid with the payment intent `pi`, shipping to `shipping`.
    /// Returns false (and changes nothing) unless the session is open.
    pub fn complete(&mut self, pi: String, shipping: Option<ShippingDetails>) -> bool {
        if self.status != Status::Open {
            return false;
        }
        self.status = Status::Complete;
        self.payment_intent = Some(pi);
        self.shipping_details = shipping;
        true
    }

    /// Expires an open session. Returns false (and changes nothing) unless it is open.
    pub fn expire(&mut self) -> bool {
        if self.status != Status::Open {
            return false;
        }
        self.status = Status::Expired;
        true
    }

    /// The session as Stripe shows it (its serde serialisation).
    pub fn to_json(&self) -> serde_json::Value {
        // Serialising to a `Value` fails only for maps with non-string keys; a session has none.
        serde_json::to_value(self).unwrap_or_default()
    }
}

impl Serialize for Session {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        SessionOut {
            id: &self.id,
            object: "checkout.session",
            livemode: false,
            mode: "payment",
            url: &self.url,
            status: self.status,
            payment_status: self.payment_status(),
            payment_intent: self.payment_intent.as_deref(),
            created: self.created,
            shipping_details: self.shipping_details.as_ref(),
            new: &self.new,
        }
        .serialize(serializer)
    }
}

impl Serialize for NewSession {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let currency = self.currency.as_str();
        NewSessionOut {
            currency,
            line_items: self
                .line_items
                .iter()
                .map(|item| ItemOut::new(item, currency))
                .collect(),
            amount_subtotal: self.amount_subtotal,
            amount_total: self.amount_total,
            total_details: self.total_details(),
            shipping_address_collection: self.shipping_address_collection.as_ref(),
            shipping_options: self
                .shipping_rates
                .iter()
                .map(ShippingRate::option_json)
                .collect(),
            shipping_cost: self.shipping_rate().map(ShippingRate::cost_json),
            shipping_rates: &self.shipping_rates,
            success_url: &self.success_url,
            cancel_url: &self.cancel_url,
            client_reference_id: self.client_reference_id.as_deref(),
            customer_email: self.customer_email.as_deref(),
            metadata: &self.metadata,
            expires_at: self.expires_at,
        }
        .serialize(serializer)
    }
}

/// A session's JSON: its own fields, the ones derived from them, and the creation parameters.
#[derive(Serialize)]
struct SessionOut<'a> {
    id: &'a str,
    object: &'static str,
    livemode: bool,
    mode: &'static str,
    url: &'a str,
    status: Status,
    payment_status: &'static str,
    payment_intent: Option<&'a str>,
    created: i64,
    shipping_details: Option<&'a ShippingDetails>,
    #[serde(flatten)]
    new: &'a NewSession,
}

#[derive(Serialize)]
struct NewSessionOut<'a> {
    currency: &'a str,
    line_items: Vec<ItemOut<'a>>,
    amount_subtotal: u64,
    amount_total: u64,
    total_details: TotalDetails,
    shipping_address_collection: Option<&'a AddressCollection>,
    shipping_options: Vec<OptionOut<'a>>,
    shipping_cost: Option<CostOut<'a>>,
    shipping_rates: &'a [ShippingRate],
    success_url: &'a str,
    cancel_url: &'a str,
    client_reference_id: Option<&'a str>,
    customer_email: Option<&'a str>,
    metadata: &'a BTreeMap<String, String>,
    expires_at: i64,
}

/// A line item as Stripe shows it in a session.
#[derive(Serialize)]
struct ItemOut<'a> {
    object: &'static str,
    description: &'a str,
    quantity: u64,
    currency: &'a str,
    amount_subtotal: u64,
    amount_total: u64,
    price: PriceOut<'a>,
}

impl<'a> ItemOut<'a> {
    fn new(item: &'a LineItem, currency: &'a str) -> ItemOut<'a> {
        let total = item.amount_total().unwrap_or(u64::MAX);
        ItemOut {
            object: "item",
            description: &item.name,
            quantity: item.quantity,
            currency,
            amount_subtotal: total,
            amount_total: total,
            price: PriceOut {
                object: "price",
                currency,
                unit_amount: item.unit_amount,
                tax_behavior: item.tax_behavior,
                product_data: ProductOut {
                    name: &item.name,
                    metadata: &item.metadata,
                },
            },
        }
    }
}

#[derive(Serialize)]
struct PriceOut<'a> {
    object: &'static str,
    currency: &'a str,
    unit_amount: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    tax_behavior: Option<TaxBehavior>,
    product_data: ProductOut<'a>,
}

#[derive(Serialize)]
struct ProductOut<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "is_empty")]
    metadata: &'a BTreeMap<String, String>,
}

fn is_empty(map: &&BTreeMap<String, String>) -> bool {
    map.is_empty()
}

/// What a line item is read back from: the quantity and the price.
#[derive(Deserialize)]
struct ItemIn {
    quantity: u64,
    price: PriceIn,
}

#[derive(Deserialize)]
struct PriceIn {
    unit_amount: u64,
    #[serde(default)]
    tax_behavior: Option<TaxBehavior>,
    product_data: ProductIn,
}

#[derive(Deserialize)]
struct ProductIn {
    name: String,
    #[serde(default)]
    metadata: BTreeMap<String, String>,
}

impl From<ItemIn> for LineItem {
    fn from(item: ItemIn) -> LineItem {
        LineItem {
            name: item.price.product_data.name,
            quantity: item.quantity,
            unit_amount: item.price.unit_amount,
            tax_behavior: item.price.tax_behavior,
            metadata: item.price.product_data.metadata,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests;
