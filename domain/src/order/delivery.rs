//! What an order ships to and what it costs, fixed at checkout: the destination and rate the
//! shopper saw, the breakdown of the total, and, once paid, the address the payment page
//! collected and the amount the gateway charged.

use crate::settings::Country;
use crate::totals::Totals;
use serde::{Deserialize, Serialize};

/// A postal address as a Stripe Checkout Session's `shipping_details` carries it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub name: String,
    pub line1: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    pub postal_code: String,
    pub city: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: String,
}

impl Address {
    /// The address as printed on a parcel, one line each (empty parts left out).
    pub fn lines(&self) -> Vec<String> {
        let mut city = self.postal_code.clone();
        if !self.city.is_empty() {
            if !city.is_empty() {
                city.push(' ');
            }
            city.push_str(&self.city);
        }
        if let Some(state) = self.state.as_deref().filter(|s| !s.is_empty()) {
            city.push_str(", ");
            city.push_str(state);
        }
        [
            Some(self.name.clone()),
            Some(self.line1.clone()),
            self.line2.clone(),
            Some(city),
            Some(self.country.clone()),
        ]
        .into_iter()
        .flatten()
        .filter(|l| !l.trim().is_empty())
        .collect()
    }
}

/// Where an order ships and by which rate, as quoted at checkout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    /// The destination country the shopper chose (the payment page allows only this one).
    pub country: Country,
    /// The rate's id and name.
    pub rate: String,
    pub rate_name: String,
    /// Collected by the payment page; absent until the order is paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
}

/// The parts of an order's total, as quoted at checkout:
/// `total = subtotal − discount + shipping + (tax unless tax_included)`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Charges {
    pub subtotal: i64,
    pub discount: i64,
    pub shipping: i64,
    pub tax: i64,
    /// True when `tax` is already part of `subtotal` and `shipping` ("incl. VAT").
    pub tax_included: bool,
}

impl Charges {
    pub fn of(totals: &Totals) -> Charges {
        Charges {
            subtotal: totals.subtotal,
            discount: totals.discount,
            shipping: totals.shipping,
            tax: totals.tax,
            tax_included: totals.tax_included,
        }
    }

    /// What the parts add up to.
    pub fn total(&self) -> i64 {
        let tax = if self.tax_included { 0 } else { self.tax };
        self.subtotal - self.discount + self.shipping + tax
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_prints_its_non_empty_lines() {
        let a = Address {
            name: "Ada Lovelace".into(),
            line1: "12 Rue de Rivoli".into(),
            line2: Some(String::new()),
            postal_code: "75001".into(),
            city: "Paris".into(),
            state: None,
            country: "FR".into(),
        };
        assert_eq!(
            a.lines(),
            ["Ada Lovelace", "12 Rue de Rivoli", "75001 Paris", "FR"]
        );
    }

    #[test]
    fn charges_add_up_in_both_tax_modes() {
        let mut c = Charges {
            subtotal: 10_000,
            discount: 500,
            shipping: 995,
            tax: 1_600,
            tax_included: true,
        };
        assert_eq!(c.total(), 10_495);
        c.tax_included = false;
        assert_eq!(c.total(), 12_095);
    }

    #[test]
    fn payment_records_the_amount_and_address_and_flags_a_mismatch() {
        use crate::order::{tests::order, OrderEvent, OrderStatus};
        let mut o = order();
        o.total = 5_395;
        o.delivery = Some(Delivery {
            country: Country::parse("FR").expect("FR"),
            rate: "standard".into(),
            rate_name: "Standard".into(),
            address: None,
        });
        let address = Address {
            name: "Ada".into(),
            line1: "1 Rue".into(),
            postal_code: "75001".into(),
            city: "Paris".into(),
            country: "FR".into(),
            ..Address::default()
        };
        let paid = |amount| OrderEvent::Completed {
            session_id: Some("cs_1".into()),
            payment_intent: Some("pi_1".into()),
            at: 2,
            amount_total: Some(amount),
            address: Some(Box::new(address.clone())),
        };
        let mut exact = o.clone();
        exact.apply(&paid(5_395));
        assert_eq!(exact.status, OrderStatus::Paid);
        assert_eq!(exact.amount_mismatch(), None);
        assert_eq!(
            exact.delivery.and_then(|d| d.address).map(|a| a.city),
            Some("Paris".to_owned())
        );
        o.apply(&paid(4_900));
        assert_eq!(o.status, OrderStatus::Paid, "the shopper was charged");
        assert_eq!(o.amount_mismatch(), Some(4_900));
    }
}

/// A discount code as it applied to an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderDiscount {
    /// Upper case, as the merchant defined it.
    pub code: String,
    /// Off the goods, or the shipping waived when `free_shipping`.
    pub amount: i64,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub free_shipping: bool,
}
