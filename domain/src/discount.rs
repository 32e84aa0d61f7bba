//! Discount codes: what the merchant defines, what a code takes off an order, and the ledger of
//! its uses.
//!
//! # Codes
//! A [`Code`] is 3 to 32 characters of `A–Z 0–9 - _`, case-insensitive: it is read trimmed and in
//! upper case, so `" summer-10 "` is `SUMMER-10`. The merchant defines a [`Discount`] for it from a
//! JSON body ([`DiscountInput`], checked by [`DiscountInput::validate`]).
//!
//! # What a code takes off
//! - [`Kind::Percent`] (`value` in basis points, 1 to 10000) is applied **per line with the rounding
//!   rule of tax**: each eligible line's share is [`totals::tax_on_net`]`(amount, value)`, half up
//!   on the minor unit, so a shopper can recompute it line by line.
//! - [`Kind::Fixed`] (`value` in minor units) is capped at the eligible goods and spread over the
//!   eligible lines by [`totals::allocate`] (largest remainder), so the shares sum to it exactly.
//! - [`Kind::FreeShipping`] takes nothing off the goods; the shipping becomes 0.
//!
//! A line is eligible when the code names none of the shop's collections, or its product is in
//! one of those it names. No share exceeds its line, so no discount exceeds what it applies to
//! ([`shares`]). `min_subtotal` compares with the goods before any discount.
//!
//! # Uses
//! A code with a `usage_limit` (or `once_per_email`) counts exactly: the [`Ledger`] of a code holds
//! a use per order. Checkout **holds** one until the order's payment deadline; it is **released**
//! when the order expires, fails or is superseded, **redeemed** by the payment, and **given back**
//! by a refund. The uses counted are the redeemed ones and the holds not yet expired. A payment
//! whose hold had already expired is still redeemed (a payment is never undone): that alone may
//! take a code past its limit, and [`Commit::Late`] says so.
//!
//! # Times
//! `starts_at` and `ends_at` are Unix seconds, UTC; a code is active from `starts_at` up to, not
//! including, `ends_at`. The merchant may give them as dates ([`parse_time`], [`format_time`]).

use crate::ids::Handle;
use crate::money::{Currency, Money};
use crate::totals;
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

mod input;
mod ledger;

pub use input::{format_time, parse_time, DiscountInput, InputError, TimeInput, LATEST_TIME};
pub use ledger::{Commit, Counts, Ledger, Summary, Use, UseState};

/// The most collections one code can be restricted to.
pub const MAX_COLLECTIONS: usize = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a code is 3 to 32 characters of A-Z, 0-9, '-' and '_'")]
pub struct CodeError;

/// A discount code as shoppers type it, normalised: trimmed, upper case, e.g. `SUMMER-10`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Code(String);

impl Code {
    pub const MIN_LEN: usize = 3;
    pub const MAX_LEN: usize = 32;

    /// Parses `s` without its surrounding spaces, in any case.
    pub fn parse(s: &str) -> Result<Self, CodeError> {
        let s = s.trim();
        let ok = (Self::MIN_LEN..=Self::MAX_LEN).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(Code(s.to_ascii_uppercase()))
        } else {
            Err(CodeError)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Code::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// What a code takes off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// `value` basis points off each eligible line.
    Percent,
    /// `value` minor units off the eligible lines together.
    Fixed,
    /// The shipping, whatever it costs; `value` is 0.
    FreeShipping,
}

/// A code as the merchant defined it (checked by [`DiscountInput::validate`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Discount {
    pub code: Code,
    pub kind: Kind,
    /// Basis points for [`Kind::Percent`] (1 to 10000), minor units for [`Kind::Fixed`] (> 0),
    /// 0 for [`Kind::FreeShipping`].
    #[serde(default)]
    pub value: i64,
    /// The goods subtotal (before any discount) an order needs, in minor units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_subtotal: Option<i64>,
    /// Active from (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_at: Option<i64>,
    /// Active until, not including (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<i64>,
    /// How many orders may use it in all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage_limit: Option<u32>,
    /// At most one order per e-mail address (trimmed, lower case).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub once_per_email: bool,
    /// Only lines of products in these collections; empty: every line.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub collections: Vec<Handle>,
    /// Turned off by the merchant (its uses are kept).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub disabled: bool,
}

impl Discount {
    /// Whether shoppers can use it at `now`: not disabled, and within `[starts_at, ends_at)`.
    pub fn is_active(&self, now: i64) -> bool {
        !self.disabled
            && self.starts_at.is_none_or(|s| now >= s)
            && self.ends_at.is_none_or(|e| now < e)
    }

    /// `Some(minimum)` when a goods subtotal of `subtotal` (before any discount) is below the
    /// code's minimum.
    pub fn below_minimum(&self, subtotal: i64) -> Option<i64> {
        self.min_subtotal.filter(|&m| subtotal < m)
    }

    /// Whether a line of a product in `collections` is eligible.
    pub fn applies_to(&self, collections: &[Handle]) -> bool {
        self.collections.is_empty() || self.collections.iter().any(|c| collections.contains(c))
    }

    /// Whether the code makes the shipping of an order of `lines` free: a [`Kind::FreeShipping`]
    /// code with at least one eligible line.
    pub fn waives_shipping(&self, lines: &[DiscountLine<'_>]) -> bool {
        self.kind == Kind::FreeShipping && lines.iter().any(|l| self.applies_to(l.collections))
    }
}

/// Why a shopper cannot use a code. [`Refusal::code`] is the error code clients rely on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code")]
pub enum Refusal {
    /// No code by that name.
    #[serde(rename = "unknown_code")]
    Unknown,
    /// Not started yet, ended, or disabled by the merchant.
    #[serde(rename = "code_not_active")]
    NotActive,
    /// The goods subtotal is below `minimum` (minor units).
    #[serde(rename = "below_minimum")]
    BelowMinimum { minimum: i64 },
    /// Its usage limit is reached.
    #[serde(rename = "code_exhausted")]
    Exhausted,
    /// Used (or being used) by another order with the same e-mail address.
    #[serde(rename = "code_already_used")]
    AlreadyUsed,
}

impl Refusal {
    /// The error code, as the JSON answers carry it.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::Unknown => "unknown_code",
            Refusal::NotActive => "code_not_active",
            Refusal::BelowMinimum { .. } => "below_minimum",
            Refusal::Exhausted => "code_exhausted",
            Refusal::AlreadyUsed => "code_already_used",
        }
    }

    /// For the shopper, without amounts (see [`Refusal::message_in`]).
    pub fn message(&self) -> &'static str {
        match self {
            Refusal::Unknown => "There is no such discount code.",
            Refusal::NotActive => "This code is not active right now.",
            Refusal::BelowMinimum { .. } => "This code needs a larger order.",
            Refusal::Exhausted => "This code has been used up.",
            Refusal::AlreadyUsed => "This code has already been used with this e-mail address.",
        }
    }

    /// For the shopper, with the minimum in `currency`: "This code needs an order of at least
    /// €50.00."
    pub fn message_in(&self, currency: Currency) -> String {
        match self {
            Refusal::BelowMinimum { minimum } => format!(
                "This code needs an order of at least {}.",
                Money::new(*minimum, currency)
            ),
            _ => self.message().to_owned(),
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for Refusal {}

/// One line of an order, for [`shares`]: its amount and its product's collections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiscountLine<'a> {
    /// Minor units, ≥ 0, as priced.
    pub amount: i64,
    pub collections: &'a [Handle],
}

/// Each line's share of what `discount` takes off the goods (see the module docs), in order:
/// each 0 to its line's amount, 0 for lines it does not apply to, all 0 for free shipping; they
/// sum to at most the eligible lines' amounts. Values out of range (from stored data) are
/// clamped, never trusted.
pub fn shares(discount: &Discount, lines: &[DiscountLine<'_>]) -> Vec<i64> {
    let eligible: Vec<bool> = lines
        .iter()
        .map(|l| l.amount > 0 && discount.applies_to(l.collections))
        .collect();
    match discount.kind {
        Kind::FreeShipping => vec![0; lines.len()],
        Kind::Percent => {
            let bp = u32::try_from(discount.value.clamp(0, 10_000)).unwrap_or(0);
            lines
                .iter()
                .zip(&eligible)
                .map(|(l, &e)| {
                    if e {
                        totals::tax_on_net(l.amount, bp)
                    } else {
                        0
                    }
                })
                .collect()
        }
        Kind::Fixed => {
            let amounts: Vec<i64> = lines
                .iter()
                .zip(&eligible)
                .filter(|(_, &e)| e)
                .map(|(l, _)| l.amount)
                .collect();
            let eligible_sum: i128 = amounts.iter().map(|&a| i128::from(a)).sum();
            let off = i128::from(discount.value.max(0)).min(eligible_sum);
            let mut spread =
                totals::allocate(i64::try_from(off).unwrap_or(0), &amounts).into_iter();
            eligible
                .iter()
                .map(|&e| if e { spread.next().unwrap_or(0) } else { 0 })
                .collect()
        }
    }
}

/// Trims and lower-cases an e-mail address, as codes used once per e-mail compare them.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

impl Kind {
    /// The variant named `name` (its snake_case JSON name).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "percent" => Some(Kind::Percent),
            "fixed" => Some(Kind::Fixed),
            "free_shipping" => Some(Kind::FreeShipping),
            _ => None,
        }
    }
}

deserialize_by_name!(Kind, Kind::from_name);

#[cfg(test)]
mod tests;

#[cfg(test)]
mod input_tests;

#[cfg(test)]
mod ledger_tests;

#[cfg(test)]
mod totals_tests;
