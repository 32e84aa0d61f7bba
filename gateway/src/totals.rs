//! A session's amounts beyond the line items: the shipping charged, the tax the shop reports,
//! Stripe's `total_details`, and the breakdown the payment page shows.
//!
//! The shop computes tax itself and sends it in one of Stripe's explicit shapes:
//! - prices **include** tax: lines and shipping say `tax_behavior=inclusive`, and
//!   `metadata[tax_included]=true`; the tax is inside the amounts and nothing is added;
//! - prices **exclude** tax: lines and shipping say `tax_behavior=exclusive`, and the tax is one
//!   more line item whose `product_data[metadata][kind]` is `tax`.
//!
//! Either way `metadata[tax]` carries the figure. Like Stripe, the sandbox charges
//! `amount_total = amount_subtotal (every line item, tax line included) + selected shipping`;
//! `total_details.amount_tax` reports `metadata[tax]`.

use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::form::Node;
use crate::params::text;
use crate::session::{LineItem, NewSession};
use crate::shipping::ShippingRate;

/// `product_data[metadata][kind]` of a line item that is the tax.
pub const TAX_KIND: &str = "tax";

/// Stripe's `tax_behavior` of a price or shipping rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaxBehavior {
    Inclusive,
    Exclusive,
    Unspecified,
}

/// The optional `tax_behavior` parameter at `node`.
pub fn tax_behavior(node: Option<&Node>, param: &str) -> Result<Option<TaxBehavior>, ApiError> {
    match text(node, param)? {
        None => Ok(None),
        Some("inclusive") => Ok(Some(TaxBehavior::Inclusive)),
        Some("exclusive") => Ok(Some(TaxBehavior::Exclusive)),
        Some("unspecified") => Ok(Some(TaxBehavior::Unspecified)),
        Some(other) => Err(ApiError::invalid(
            param,
            format!("Invalid tax_behavior: {other}. Use inclusive, exclusive or unspecified."),
        )),
    }
}

/// Stripe's `total_details` of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TotalDetails {
    pub amount_discount: u64,
    pub amount_shipping: u64,
    pub amount_tax: u64,
}

/// How the page shows the tax.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tax {
    /// Tax line items, part of the total.
    Added(u64),
    /// Already inside the prices (`metadata[tax_included]=true`); not added again.
    Included(u64),
}

/// What the payment page lists: the goods, then shipping and tax, then the total charged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breakdown<'a> {
    /// The line items that are not tax lines.
    pub items: Vec<&'a LineItem>,
    /// Their sum.
    pub goods: u64,
    /// The selected shipping rate.
    pub shipping: Option<&'a ShippingRate>,
    pub tax: Option<Tax>,
    /// `amount_total`.
    pub total: u64,
}

impl LineItem {
    /// Whether the shop marked this line as the tax (`product_data[metadata][kind]=tax`).
    pub fn is_tax(&self) -> bool {
        self.metadata.get("kind").map(String::as_str) == Some(TAX_KIND)
    }
}

impl NewSession {
    /// The selected shipping rate: the first option, which Stripe selects by default.
    pub fn shipping_rate(&self) -> Option<&ShippingRate> {
        self.shipping_rates.first()
    }

    /// What the selected shipping rate charges, 0 without one.
    pub fn amount_shipping(&self) -> u64 {
        self.shipping_rate().map_or(0, |rate| rate.amount)
    }

    /// `metadata[tax]` as an integer (minor units), 0 if absent or not a whole number.
    pub fn amount_tax(&self) -> u64 {
        self.reported_tax().unwrap_or(0)
    }

    /// Whether `metadata[tax_included]` is `true`.
    pub fn tax_included(&self) -> bool {
        self.metadata.get("tax_included").map(String::as_str) == Some("true")
    }

    pub fn total_details(&self) -> TotalDetails {
        TotalDetails {
            amount_discount: 0,
            amount_shipping: self.amount_shipping(),
            amount_tax: self.amount_tax(),
        }
    }

    pub fn breakdown(&self) -> Breakdown<'_> {
        let (taxes, items): (Vec<&LineItem>, Vec<&LineItem>) =
            self.line_items.iter().partition(|item| item.is_tax());
        let sum = |lines: &[&LineItem]| {
            lines
                .iter()
                .map(|item| item.amount_total().unwrap_or(0))
                .fold(0u64, u64::saturating_add)
        };
        let tax = if !taxes.is_empty() {
            Some(Tax::Added(sum(&taxes)))
        } else if self.tax_included() {
            self.reported_tax().map(Tax::Included)
        } else {
            None
        };
        Breakdown {
            goods: sum(&items),
            items,
            shipping: self.shipping_rate(),
            tax,
            total: self.amount_total,
        }
    }

    fn reported_tax(&self) -> Option<u64> {
        self.metadata.get("tax")?.trim().parse().ok()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::form;
    use crate::params::validate;

    const NOW: i64 = 1_700_000_000;

    /// The shop's two shapes for 2 mugs at 10.00 (net) shipped by "Express" at 5.00, with tax
    /// 3.00 on goods and shipping: prices including tax (gross amounts) or excluding it (a tax
    /// line).
    pub fn shape(tax_included: bool) -> NewSession {
        let (behavior, mug, shipping) = if tax_included {
            ("inclusive", 1100, 600)
        } else {
            ("exclusive", 1000, 500)
        };
        let mut body = format!(
            "mode=payment&success_url=https://s.test/ok&cancel_url=https://s.test/cart\
             &line_items[0][quantity]=2&line_items[0][price_data][currency]=eur\
             &line_items[0][price_data][unit_amount]={mug}\
             &line_items[0][price_data][tax_behavior]={behavior}\
             &line_items[0][price_data][product_data][name]=Mug\
             &line_items[0][price_data][product_data][metadata][sku]=MUG-1\
             &shipping_address_collection[allowed_countries][0]=FR\
             &shipping_options[0][shipping_rate_data][type]=fixed_amount\
             &shipping_options[0][shipping_rate_data][display_name]=Express\
             &shipping_options[0][shipping_rate_data][fixed_amount][amount]={shipping}\
             &shipping_options[0][shipping_rate_data][fixed_amount][currency]=eur\
             &shipping_options[0][shipping_rate_data][tax_behavior]={behavior}\
             &shipping_options[0][shipping_rate_data][metadata][rate]=express\
             &metadata[tax]=300&metadata[tax_included]={tax_included}"
        );
        if !tax_included {
            body.push_str(
                "&line_items[1][quantity]=1&line_items[1][price_data][currency]=eur\
                 &line_items[1][price_data][unit_amount]=300\
                 &line_items[1][price_data][tax_behavior]=exclusive\
                 &line_items[1][price_data][product_data][name]=Tax\
                 &line_items[1][price_data][product_data][metadata][kind]=tax",
            );
        }
        validate(&form::parse(body.as_bytes()).unwrap(), NOW).unwrap()
    }

    #[test]
    fn prices_including_tax_charge_goods_and_shipping_and_report_the_tax() {
        let s = shape(true);
        assert_eq!(s.line_items[0].tax_behavior, Some(TaxBehavior::Inclusive));
        assert_eq!(
            s.line_items[0].metadata,
            BTreeMap::from([("sku".to_owned(), "MUG-1".to_owned())])
        );
        assert_eq!(s.amount_subtotal, 2200);
        assert_eq!(s.amount_shipping(), 600);
        assert_eq!(s.amount_total, 2800);
        assert_eq!(
            s.total_details(),
            TotalDetails {
                amount_discount: 0,
                amount_shipping: 600,
                amount_tax: 300
            }
        );
        let b = s.breakdown();
        assert_eq!((b.goods, b.total), (2200, 2800));
        assert_eq!(b.items.len(), 1);
        assert_eq!(b.shipping.map(|r| r.display_name.as_str()), Some("Express"));
        assert_eq!(b.tax, Some(Tax::Included(300)));
    }

    #[test]
    fn prices_excluding_tax_charge_the_tax_line_too() {
        let s = shape(false);
        assert!(s.line_items[1].is_tax() && !s.line_items[0].is_tax());
        assert_eq!(
            s.amount_subtotal, 2300,
            "Stripe counts the tax line as an item"
        );
        assert_eq!(s.amount_total, 2800);
        assert_eq!(s.total_details().amount_tax, 300);
        assert_eq!(s.total_details().amount_shipping, 500);
        let b = s.breakdown();
        assert_eq!(b.items.len(), 1, "the tax line is shown as the tax");
        assert_eq!(
            (b.goods, b.tax, b.total),
            (2000, Some(Tax::Added(300)), 2800)
        );
    }

    #[test]
    fn tax_metadata_that_is_not_a_number_reports_zero() {
        let mut s = shape(true);
        s.metadata.insert("tax".into(), "3.00".into());
        assert_eq!(s.amount_tax(), 0);
        assert_eq!(s.breakdown().tax, None);
        s.metadata.insert("tax_included".into(), "yes".into());
        assert!(!s.tax_included());
        s.metadata.remove("tax");
        assert_eq!(s.total_details().amount_tax, 0);
    }

    #[test]
    fn without_shipping_or_tax_the_total_is_the_items() {
        let mut s = shape(true);
        s.shipping_rates.clear();
        s.metadata.clear();
        s.amount_total = s.amount_subtotal;
        assert_eq!(s.amount_shipping(), 0);
        let b = s.breakdown();
        assert_eq!((b.shipping, b.tax, b.total), (None, None, 2200));
    }
}
