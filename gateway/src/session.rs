//! The Checkout Session object: its state, its transitions and its JSON in Stripe's shape.

use std::collections::BTreeMap;

use serde_json::json;

use crate::params::NewSession;

/// Placeholder Stripe replaces with the session id in `success_url`.
pub const SESSION_ID_PLACEHOLDER: &str = "{CHECKOUT_SESSION_ID}";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

#[derive(Debug, Clone, PartialEq, Eq)]
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: String,
    /// The hosted payment page.
    pub url: String,
    pub created: i64,
    pub status: Status,
    pub payment_intent: Option<String>,
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

impl Session {
    /// A new open session from validated parameters.
    pub fn open(new: NewSession, id: String, url: String, created: i64) -> Session {
        Session {
            id,
            url,
            created,
            status: Status::Open,
            payment_intent: None,
            currency: new.currency,
            line_items: new.line_items,
            amount_total: new.amount_total,
            success_url: new.success_url,
            cancel_url: new.cancel_url,
            client_reference_id: new.client_reference_id,
            customer_email: new.customer_email,
            metadata: new.metadata,
            expires_at: new.expires_at,
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
        self.status == Status::Open && now >= self.expires_at
    }

    /// Where to send the buyer after paying: `success_url` with the id filled in.
    pub fn success_redirect(&self) -> String {
        self.success_url.replace(SESSION_ID_PLACEHOLDER, &self.id)
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

    pub fn to_json(&self) -> serde_json::Value {
        let line_items: Vec<_> = self
            .line_items
            .iter()
            .map(|item| {
                let total = item.amount_total().unwrap_or(u64::MAX);
                json!({
                    "object": "item",
                    "description": item.name,
                    "quantity": item.quantity,
                    "currency": self.currency,
                    "amount_subtotal": total,
                    "amount_total": total,
                    "price": {
                        "object": "price",
                        "currency": self.currency,
                        "unit_amount": item.unit_amount,
                        "product_data": { "name": item.name },
                    },
                })
            })
            .collect();
        json!({
            "id": self.id,
            "object": "checkout.session",
            "livemode": false,
            "mode": "payment",
            "url": self.url,
            "status": self.status.as_str(),
            "payment_status": self.payment_status(),
            "payment_intent": self.payment_intent,
            "amount_subtotal": self.amount_total,
            "amount_total": self.amount_total,
            "currency": self.currency,
            "client_reference_id": self.client_reference_id,
            "customer_email": self.customer_email,
            "metadata": self.metadata,
            "created": self.created,
            "expires_at": self.expires_at,
            "success_url": self.success_url,
            "cancel_url": self.cancel_url,
            "line_items": line_items,
        })
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
            currency: "eur".to_owned(),
            amount_total: amount_total(&line_items).unwrap(),
            line_items,
            success_url: "https://shop.test/ok?session={CHECKOUT_SESSION_ID}".to_owned(),
            cancel_url: "https://shop.test/cart".to_owned(),
            client_reference_id: Some("ord_1".to_owned()),
            customer_email: None,
            metadata: BTreeMap::from([("order_id".to_owned(), "ord_1".to_owned())]),
            expires_at: 1_700_001_800,
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
        assert!(!s.is_due(s.expires_at - 1));
        assert!(s.is_due(s.expires_at));
        assert!(s.expire());
        assert!(!s.is_due(s.expires_at));
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
}
