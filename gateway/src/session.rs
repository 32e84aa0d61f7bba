//! The Checkout Session object: what it is created with ([`NewSession`]), its state, its
//! transitions and its JSON in Stripe's shape.
//!
//! A session serialises (with serde) to exactly the object Stripe's API and webhooks show:
//! `id`, `object`, `livemode`, `mode`, `url`, `status`, `payment_status`, `payment_intent`,
//! `created`, then the creation parameters at the top level (`currency`, `line_items`,
//! `amount_subtotal`, `amount_total`, `success_url`, `cancel_url`, `client_reference_id`,
//! `customer_email`, `metadata`, `expires_at`). It deserialises from the same JSON, ignoring the
//! fields that are derived from the others.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize, Serializer};

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
    pub amount_total: u64,
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

    /// Marks an open session paid with the payment intent `pi`. Returns false (and changes
    /// nothing) unless the session is open.
    pub fn complete(&mut self, pi: String) -> bool {
        if self.status != Status::Open {
            return false;
        }
        self.status = Status::Complete;
        self.payment_intent = Some(pi);
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
            amount_subtotal: self.amount_total,
            amount_total: self.amount_total,
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
    #[serde(flatten)]
    new: &'a NewSession,
}

#[derive(Serialize)]
struct NewSessionOut<'a> {
    currency: &'a str,
    line_items: Vec<ItemOut<'a>>,
    amount_subtotal: u64,
    amount_total: u64,
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
                product_data: Product { name: &item.name },
            },
        }
    }
}

#[derive(Serialize)]
struct PriceOut<'a> {
    object: &'static str,
    currency: &'a str,
    unit_amount: u64,
    product_data: Product<&'a str>,
}

#[derive(Serialize, Deserialize)]
struct Product<N> {
    name: N,
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
    product_data: Product<String>,
}

impl From<ItemIn> for LineItem {
    fn from(item: ItemIn) -> LineItem {
        LineItem {
            name: item.price.product_data.name,
            quantity: item.quantity,
            unit_amount: item.price.unit_amount,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn item(name: &str, quantity: u64, unit_amount: u64) -> LineItem {
        LineItem {
            name: name.to_owned(),
            quantity,
            unit_amount,
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
            new: NewSession {
                currency: "eur".to_owned(),
                amount_total: amount_total(&line_items).unwrap(),
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
        assert!(s.complete("pi_test_1".to_owned()));
        assert!(!s.complete("pi_test_2".to_owned()));
        assert!(!s.expire());
        assert_eq!(s.payment_intent.as_deref(), Some("pi_test_1"));
        assert_eq!(s.payment_status(), "paid");

        let mut s = sample("cs_test_2");
        assert!(!s.is_due(s.new.expires_at - 1));
        assert!(s.is_due(s.new.expires_at));
        assert!(s.expire());
        assert!(!s.is_due(s.new.expires_at));
        assert!(!s.complete("pi_test_3".to_owned()));
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

    /// A session's JSON as the sandbox answered it before [`Session`] embedded [`NewSession`],
    /// byte for byte (keys sorted, as `serde_json::Value` keeps them): open, then paid.
    const OPEN_JSON: &str = r#"{"amount_subtotal":2999,"amount_total":2999,"cancel_url":"https://shop.test/cart","client_reference_id":"ord_1","created":1700000000,"currency":"eur","customer_email":null,"expires_at":1700001800,"id":"cs_test_abc","line_items":[{"amount_subtotal":2500,"amount_total":2500,"currency":"eur","description":"Mug","object":"item","price":{"currency":"eur","object":"price","product_data":{"name":"Mug"},"unit_amount":1250},"quantity":2},{"amount_subtotal":499,"amount_total":499,"currency":"eur","description":"Tea","object":"item","price":{"currency":"eur","object":"price","product_data":{"name":"Tea"},"unit_amount":499},"quantity":1}],"livemode":false,"metadata":{"order_id":"ord_1"},"mode":"payment","object":"checkout.session","payment_intent":null,"payment_status":"unpaid","status":"open","success_url":"https://shop.test/ok?session={CHECKOUT_SESSION_ID}","url":"http://127.0.0.1:1/pay/cs_test_abc"}"#;
    const PAID_JSON: &str = r#"{"amount_subtotal":2999,"amount_total":2999,"cancel_url":"https://shop.test/cart","client_reference_id":"ord_1","created":1700000000,"currency":"eur","customer_email":"a@b.test","expires_at":1700001800,"id":"cs_test_abc","line_items":[{"amount_subtotal":2500,"amount_total":2500,"currency":"eur","description":"Mug","object":"item","price":{"currency":"eur","object":"price","product_data":{"name":"Mug"},"unit_amount":1250},"quantity":2},{"amount_subtotal":499,"amount_total":499,"currency":"eur","description":"Tea","object":"item","price":{"currency":"eur","object":"price","product_data":{"name":"Tea"},"unit_amount":499},"quantity":1}],"livemode":false,"metadata":{"order_id":"ord_1"},"mode":"payment","object":"checkout.session","payment_intent":"pi_test_1","payment_status":"paid","status":"complete","success_url":"https://shop.test/ok?session={CHECKOUT_SESSION_ID}","url":"http://127.0.0.1:1/pay/cs_test_abc"}"#;

    #[test]
    fn json_keeps_stripes_shape_and_round_trips_through_serde() {
        let open = sample("cs_test_abc");
        let mut paid = open.clone();
        assert!(paid.complete("pi_test_1".to_owned()));
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
}
