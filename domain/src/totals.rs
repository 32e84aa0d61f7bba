//! An order's totals (subtotal, discount, shipping, tax, total) in integer minor units.
//!
//! # The rounding rule
//! Tax is computed **per line, and once on shipping**, then summed; each is rounded once to the
//! minor unit, **half up** (half away from zero; every amount here is ≥ 0). Half up is the usual
//! commercial rounding on invoices and receipts ("kaufmännisches Runden"), which shoppers and
//! tax offices can recompute by hand; banker's rounding would surprise both. With `bp` the rate
//! in basis points:
//!
//! - prices **exclude** tax (`amount` is net): `tax = round(net × bp / 10000)`;
//! - prices **include** tax (`amount` is gross): `net = round(gross × 10000 / (10000 + bp))` and
//!   `tax = gross − net`, so `net + tax == gross` exactly.
//!
//! All arithmetic is on integers with `i128` intermediates: no floats anywhere.
//!
//! The two modes agree: for any net amount `n`, pricing it exclusive gives the gross
//! `g = n + round(n × bp / 10000)`, and pricing `g` inclusive gives back exactly `n` (and the same
//! tax). The converse holds within one minor unit: not every gross is `n + tax(n)` for some `n`.
//!
//! # Discounts
//! A discount applies to the goods, not to shipping. A line may carry its own share
//! ([`LineInput::discount`], as a discount code computes it: [`crate::discount::shares`]), and an
//! order-level discount ([`TotalsInput::discount`]) is spread over the lines in proportion to what
//! is left of their amounts (largest remainder: each line gets the floor of its exact share, and
//! the leftover minor units go one each to the lines with the largest remainders, earlier lines
//! first), so the shares sum to the discount exactly. Each line is then taxed on its amount less
//! its shares, which is what VAT asks for. Without an order-level discount a line's tax depends
//! on that line alone.

use crate::discount::{self, Discount, DiscountLine};
use crate::ids::Handle;
use crate::settings::{limits, Country, Settings};
use serde::{Deserialize, Serialize};

/// What to total: the lines as priced, shipping, and how prices are meant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct TotalsInput {
    pub lines: Vec<LineInput>,
    pub shipping: ShippingCharge,
    /// Whether line amounts, the shipping amount and the discount include tax.
    pub prices_include_tax: bool,
    /// Off the goods, in minor units, spread over the lines on top of their own shares: 0 to
    /// what those leave of the subtotal.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub discount: i64,
}

/// One priced line ([`crate::cart::PricedLine::line_total`]) and the rate that applies to it
/// ([`Settings::tax_rate_for`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct LineInput {
    /// Minor units, ≥ 0: unit price × quantity.
    pub amount: i64,
    /// 0 to 10000.
    pub basis_points: u32,
    /// This line's own share of a discount, in minor units, 0 to `amount`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub discount: i64,
}

/// The shipping charged ([`crate::settings::ShippingRate::amount_for`]) and its rate of tax
/// ([`Settings::shipping_basis_points`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct ShippingCharge {
    /// Minor units, ≥ 0.
    pub amount: i64,
    /// 0 to 10000.
    pub basis_points: u32,
}

/// An order's totals. `total = subtotal − discount + shipping + (tax unless tax_included)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct Totals {
    /// The sum of the line amounts as priced (gross when `tax_included`), before the discount.
    pub subtotal: i64,
    /// Off the goods: the lines' shares summed.
    pub discount: i64,
    /// The shipping amount as charged (gross when `tax_included`).
    pub shipping: i64,
    /// All the tax: the lines' and `shipping_tax`.
    pub tax: i64,
    /// What the shopper pays.
    pub total: i64,
    /// True when `tax` is already part of `subtotal` and `shipping` ("incl. VAT").
    pub tax_included: bool,
    /// One per input line, in order.
    pub lines: Vec<LineTax>,
    /// The tax part of (or on top of) `shipping`.
    pub shipping_tax: i64,
    /// The rate `shipping_tax` was computed at.
    pub shipping_basis_points: u32,
}

/// How one line (or shipping) splits into net and tax.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct LineTax {
    pub basis_points: u32,
    /// This line's share of the order's discount (its own and its part of the order-level one).
    pub discount: i64,
    /// The taxable amount, after the discount.
    pub net: i64,
    pub tax: i64,
}

impl LineTax {
    /// What the shopper pays for the line: `net + tax`.
    pub fn gross(&self) -> i64 {
        self.net + self.tax
    }
}

/// Net and tax summed over everything taxed at one rate, for a receipt's "VAT 19 %" line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct TaxBucket {
    pub basis_points: u32,
    pub net: i64,
    pub tax: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TotalsError {
    #[error("line {line} has a negative amount")]
    NegativeLine { line: usize },
    #[error("the shipping amount is negative")]
    NegativeShipping,
    #[error("a rate of tax must be 0 to 10000 basis points, got {0}")]
    BadRate(u32),
    /// `subtotal` is what the order-level discount can come off: the subtotal less the lines'
    /// own shares.
    #[error("the discount must be 0 to the subtotal {subtotal}, got {discount}")]
    BadDiscount { discount: i64, subtotal: i64 },
    #[error("line {line}'s discount must be 0 to its amount {amount}, got {discount}")]
    BadLineDiscount {
        line: usize,
        discount: i64,
        amount: i64,
    },
    #[error("the shop does not ship to {country} by {rate:?}")]
    NoSuchRate { country: Country, rate: String },
    #[error("amount overflows")]
    Overflow,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

/// `num / den` rounded half up (half away from zero), for `den > 0`.
fn div_round_half_up(num: i128, den: i128) -> i128 {
    if num < 0 {
        -div_round_half_up(-num, den)
    } else {
        (2 * num + den) / (2 * den)
    }
}

fn to_i64(n: i128) -> Result<i64, TotalsError> {
    i64::try_from(n).map_err(|_| TotalsError::Overflow)
}

/// The tax on a net amount: `round_half_up(net × bp / 10000)`. `net ≥ 0`, `bp ≤ 10000`.
pub fn tax_on_net(net: i64, basis_points: u32) -> i64 {
    let tax = div_round_half_up(i128::from(net) * i128::from(basis_points), 10_000);
    // tax ≤ net, since bp ≤ 10000, so it fits; saturate rather than panic on misuse.
    i64::try_from(tax).unwrap_or(i64::MAX)
}

/// The net part of a gross amount: `round_half_up(gross × 10000 / (10000 + bp))`; the tax in it is
/// `gross − net`. `gross ≥ 0`.
pub fn net_of_gross(gross: i64, basis_points: u32) -> i64 {
    let net = div_round_half_up(
        i128::from(gross) * 10_000,
        10_000 + i128::from(basis_points),
    );
    // net ≤ gross, so it fits.
    i64::try_from(net).unwrap_or(i64::MAX)
}

/// Splits an amount (after its discount) into net and tax by the rounding rule.
pub fn split(amount: i64, basis_points: u32, prices_include_tax: bool) -> (i64, i64) {
    if prices_include_tax {
        let net = net_of_gross(amount, basis_points);
        (net, amount - net)
    } else {
        (amount, tax_on_net(amount, basis_points))
    }
}

/// Spreads `discount` over `amounts` in proportion (largest remainder; see the module docs).
/// Needs `0 ≤ discount ≤ sum(amounts)` and every amount ≥ 0; the shares then sum to `discount`
/// and none exceeds its amount.
pub fn allocate(discount: i64, amounts: &[i64]) -> Vec<i64> {
    let total: i128 = amounts.iter().map(|&a| i128::from(a)).sum();
    if discount <= 0 || total <= 0 {
        return vec![0; amounts.len()];
    }
    let d = i128::from(discount);
    let mut shares: Vec<i128> = amounts.iter().map(|&a| d * i128::from(a) / total).collect();
    let mut leftover = d - shares.iter().sum::<i128>();
    let mut by_remainder: Vec<usize> = (0..amounts.len()).collect();
    // Largest remainder first; the sort is stable, so earlier lines win ties.
    by_remainder.sort_by_key(|&i| std::cmp::Reverse(d * i128::from(amounts[i]) % total));
    for i in by_remainder {
        if leftover <= 0 {
            break;
        }
        shares[i] += 1;
        leftover -= 1;
    }
    shares
        .into_iter()
        .map(|s| i64::try_from(s).unwrap_or(0))
        .collect()
}

fn check_rate(bp: u32) -> Result<(), TotalsError> {
    if bp > limits::BASIS_POINTS {
        Err(TotalsError::BadRate(bp))
    } else {
        Ok(())
    }
}

impl TotalsInput {
    /// The totals, by the rules of the module docs.
    pub fn compute(&self) -> Result<Totals, TotalsError> {
        let mut subtotal: i64 = 0;
        // What the lines' own shares leave of the subtotal (≤ subtotal, so it fits too).
        let mut left: i64 = 0;
        for (i, line) in self.lines.iter().enumerate() {
            if line.amount < 0 {
                return Err(TotalsError::NegativeLine { line: i });
            }
            check_rate(line.basis_points)?;
            if !(0..=line.amount).contains(&line.discount) {
                return Err(TotalsError::BadLineDiscount {
                    line: i,
                    discount: line.discount,
                    amount: line.amount,
                });
            }
            subtotal = subtotal
                .checked_add(line.amount)
                .ok_or(TotalsError::Overflow)?;
            left += line.amount - line.discount;
        }
        if self.shipping.amount < 0 {
            return Err(TotalsError::NegativeShipping);
        }
        check_rate(self.shipping.basis_points)?;
        if !(0..=left).contains(&self.discount) {
            return Err(TotalsError::BadDiscount {
                discount: self.discount,
                subtotal: left,
            });
        }
        let amounts: Vec<i64> = self.lines.iter().map(|l| l.amount - l.discount).collect();
        let spread = allocate(self.discount, &amounts);
        let inclusive = self.prices_include_tax;
        let lines: Vec<LineTax> = self
            .lines
            .iter()
            .zip(spread)
            .map(|(line, spread)| {
                // Both shares fit in the line's amount together, by the checks above.
                let share = line.discount + spread;
                let (net, tax) = split(line.amount - share, line.basis_points, inclusive);
                LineTax {
                    basis_points: line.basis_points,
                    discount: share,
                    net,
                    tax,
                }
            })
            .collect();
        // The shares sum to at most the subtotal.
        let discount = subtotal - left + self.discount;
        let (_, shipping_tax) = split(self.shipping.amount, self.shipping.basis_points, inclusive);
        // Each tax is at most its amount, so the sums are bounded by the amounts' (i128 anyway).
        let tax = to_i64(
            lines.iter().map(|l| i128::from(l.tax)).sum::<i128>() + i128::from(shipping_tax),
        )?;
        let mut total =
            i128::from(subtotal) - i128::from(discount) + i128::from(self.shipping.amount);
        if !inclusive {
            total += i128::from(tax);
        }
        Ok(Totals {
            subtotal,
            discount,
            shipping: self.shipping.amount,
            tax,
            total: to_i64(total)?,
            tax_included: inclusive,
            lines,
            shipping_tax,
            shipping_basis_points: self.shipping.basis_points,
        })
    }
}

impl Totals {
    /// Net and tax per rate over the lines and shipping, highest rate first (rates with nothing
    /// taxed at them are left out).
    pub fn by_rate(&self) -> Vec<TaxBucket> {
        let shipping_net = if self.tax_included {
            self.shipping - self.shipping_tax
        } else {
            self.shipping
        };
        let shipping = (self.shipping_basis_points, shipping_net, self.shipping_tax);
        let mut buckets: Vec<TaxBucket> = Vec::new();
        let parts = self.lines.iter().map(|l| (l.basis_points, l.net, l.tax));
        for (bp, net, tax) in parts.chain(std::iter::once(shipping)) {
            if net == 0 && tax == 0 {
                continue;
            }
            match buckets.iter_mut().find(|b| b.basis_points == bp) {
                Some(b) => {
                    b.net += net;
                    b.tax += tax;
                }
                None => buckets.push(TaxBucket {
                    basis_points: bp,
                    net,
                    tax,
                }),
            }
        }
        buckets.sort_by_key(|b| std::cmp::Reverse(b.basis_points));
        buckets
    }
}

/// One line of an order for [`quote`]: its amount and its product's collections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderLine<'a> {
    /// Minor units, as priced ([`crate::cart::PricedLine::line_total`]).
    pub amount: i64,
    pub collections: &'a [Handle],
}

/// The totals of an order shipped to `country` by the rate `rate_id` under `settings`, with
/// `discount` applied (the caller has checked that it may be: active, minimum, uses): each line's
/// share by [`discount::shares`]; each line's rate by [`Settings::tax_rate_for`]; shipping by
/// [`crate::settings::ShippingRate::amount_for`] of the subtotal after the goods discount (so
/// free shipping follows `free_over`), or 0 when the code waives it
/// ([`Discount::waives_shipping`]), taxed at [`Settings::shipping_basis_points`]; prices as
/// [`crate::settings::TaxSettings::prices_include_tax`].
pub fn quote(
    settings: &Settings,
    country: &Country,
    rate_id: &str,
    lines: &[OrderLine<'_>],
    discount: Option<&Discount>,
) -> Result<Totals, TotalsError> {
    let rate = settings
        .rate(country, rate_id)
        .ok_or_else(|| TotalsError::NoSuchRate {
            country: *country,
            rate: rate_id.to_owned(),
        })?;
    let subtotal = lines
        .iter()
        .try_fold(0i64, |sum, l| sum.checked_add(l.amount))
        .ok_or(TotalsError::Overflow)?;
    let discount_lines: Vec<DiscountLine<'_>> = lines
        .iter()
        .map(|l| DiscountLine {
            amount: l.amount,
            collections: l.collections,
        })
        .collect();
    let shares = match discount {
        Some(d) => discount::shares(d, &discount_lines),
        None => vec![0; lines.len()],
    };
    // Each share is at most its line, so the sum is at most the subtotal.
    let goods_discount: i64 = shares.iter().sum();
    let shipping = if discount.is_some_and(|d| d.waives_shipping(&discount_lines)) {
        0
    } else {
        rate.amount_for(subtotal - goods_discount)
    };
    TotalsInput {
        lines: lines
            .iter()
            .zip(shares)
            .map(|(l, share)| LineInput {
                amount: l.amount,
                basis_points: settings.tax_rate_for(country, l.collections),
                discount: share,
            })
            .collect(),
        shipping: ShippingCharge {
            amount: shipping,
            basis_points: settings.shipping_basis_points(country),
        },
        prices_include_tax: settings.tax.prices_include_tax,
        discount: 0,
    }
    .compute()
}

#[cfg(test)]
mod tests;
