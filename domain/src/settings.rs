//! The merchant's shipping and tax settings, their file format and all-or-nothing validation.
//!
//! Every amount is in the minor unit of the catalog's one currency (cents for EUR), as an integer.
//! Rates of tax are in basis points: `1900` is 19 %, `550` is 5.5 %, `10000` is 100 %.
//!
//! [`DEMO_JSON`] is an example file; [`crate::totals`] turns a priced order and these settings
//! into its totals.
//!
//! # The rules in one place
//! - **Shipping**: the shopper's country picks at most one [`ShippingZone`] (a country is in at
//!   most one zone); the zone's [`ShippingRate`]s are what the shopper may choose from. A country
//!   in no zone cannot be shipped to. A rate costs its `amount`, or nothing once the subtotal
//!   reaches its `free_over` ([`ShippingRate::amount_for`]).
//! - **Tax**: [`Settings::tax_rate_for`] gives a line's rate: the lowest per-collection override
//!   among the product's collections, else the country's rate, else 0 (no [`TaxRate`] for the
//!   country: the shop charges no tax there). Shipping is taxed at the country's standard rate
//!   unless its `shipping_taxed` is false ([`Settings::shipping_basis_points`]).
//! - **Prices**: with `prices_include_tax` the catalog's prices are gross (the shopper pays the
//!   same price wherever they are, and the tax is the part of it computed back); without, they are
//!   net and tax is added on top.

use crate::catalog::Problem;
use crate::ids::Handle;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

mod country;
pub use country::{Country, CountryError};

/// The demo shop's settings (EUR, VAT-inclusive prices, shipping to DE, the EU, GB and the US).
pub const DEMO_JSON: &str = include_str!("settings/demo.json");

/// Upper bounds that keep settings sane.
pub mod limits {
    /// Shipping zones.
    pub const ZONES: usize = 50;
    /// Rates in one zone.
    pub const RATES: usize = 10;
    /// Tax rates (one per country at most).
    pub const TAX_RATES: usize = 250;
    /// Zone and rate names, in characters.
    pub const NAME: usize = 100;
    /// Delivery estimates, in characters.
    pub const DELIVERY: usize = 100;
    /// A rate id's length.
    pub const RATE_ID: usize = 32;
    /// The largest shipping amount or `free_over`, in minor units.
    pub const AMOUNT: i64 = crate::catalog::limits::PRICE;
    /// 100 %.
    pub const BASIS_POINTS: u32 = 10_000;
}

/// Everything the merchant sets about shipping and taxes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Settings {
    /// Where the shop ships, and at what rates. In order: pages list zones and rates as given.
    #[serde(default)]
    pub shipping: Vec<ShippingZone>,
    pub tax: TaxSettings,
}

/// Countries that share the same shipping rates, e.g. "European Union".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct ShippingZone {
    /// For the merchant, e.g. `European Union` (1 to [`limits::NAME`] characters).
    pub name: String,
    /// At least one; a country is in at most one zone of the settings.
    pub countries: Vec<Country>,
    /// What a shopper in the zone may choose from (1 to [`limits::RATES`]), in display order.
    pub rates: Vec<ShippingRate>,
}

/// One way to ship, e.g. "Standard" or "Express".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct ShippingRate {
    /// What checkout sends back to choose it: 1 to 32 of `a-z`, `0-9`, `-`, `_`; unique within
    /// its zone (the same id in several zones is fine and usual: `standard`, `express`).
    pub id: String,
    /// For the shopper, e.g. `Standard (DHL)` (1 to [`limits::NAME`] characters).
    pub name: String,
    /// Minor units, 0 (free) to [`limits::AMOUNT`]; gross or net like the catalog's prices
    /// ([`TaxSettings::prices_include_tax`]).
    pub amount: i64,
    /// The subtotal (minor units, same basis as prices) at or above which this rate costs nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free_over: Option<i64>,
    /// A delivery estimate for the shopper, e.g. `2–4 business days`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<String>,
}

/// How the shop charges tax.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct TaxSettings {
    /// True: catalog prices and shipping amounts include tax (usual in the EU, "incl. VAT");
    /// false: tax is added at checkout (usual in the US).
    pub prices_include_tax: bool,
    /// The country assumed before the shopper gives an address (product pages, cart estimates).
    /// It must be in a shipping zone.
    pub default_country: Country,
    /// One entry per country the shop charges tax in; a country without one is charged none.
    /// An entry for a country no zone ships to is allowed (and unused).
    #[serde(default)]
    pub rates: Vec<TaxRate>,
}

/// The tax of one country.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct TaxRate {
    pub country: Country,
    /// The standard rate in basis points (`1900` = 19 %), 0 to 10000.
    pub basis_points: u32,
    /// Per-collection rates in basis points, e.g. a reduced rate for books. A line whose product
    /// is in several listed collections gets the lowest of them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub collections: BTreeMap<Handle, u32>,
    /// Whether shipping is taxed, at `basis_points`. Default true.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub shipping_taxed: bool,
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

impl ShippingRate {
    /// What this rate costs for an order of `subtotal` (minor units, after any discount): 0 once
    /// the subtotal reaches `free_over`, otherwise `amount`.
    pub fn amount_for(&self, subtotal: i64) -> i64 {
        match self.free_over {
            Some(threshold) if subtotal >= threshold => 0,
            _ => self.amount,
        }
    }
}

impl Settings {
    /// Parses and validates a settings file against the catalog's collection handles; any problem
    /// rejects the whole file.
    pub fn from_json(text: &str, collections: &[Handle]) -> Result<Settings, Vec<Problem>> {
        let settings: Settings = serde_json::from_str(text).map_err(|e| {
            vec![Problem::new(
                format!("line {}, column {}", e.line(), e.column()),
                e.to_string(),
            )]
        })?;
        settings.validate(collections)?;
        Ok(settings)
    }

    /// The demo shop's settings ([`DEMO_JSON`]).
    #[allow(clippy::expect_used)] // A constant file, checked by the tests.
    pub fn demo() -> Settings {
        serde_json::from_str(DEMO_JSON).expect("the demo settings parse")
    }

    /// Checks every rule, collecting all problems (each with its path, e.g.
    /// `shipping[1].rates[0].id`) rather than stopping at the first. `collections` are the
    /// catalog's collection handles, which tax overrides may name.
    pub fn validate(&self, collections: &[Handle]) -> Result<(), Vec<Problem>> {
        let mut problems = Vec::new();
        self.check_shipping(&mut problems);
        self.tax.check(collections, &mut problems);
        if !self
            .shipping
            .iter()
            .any(|z| z.countries.contains(&self.tax.default_country))
        {
            problems.push(Problem::new(
                "tax.default_country",
                format!(
                    "{} is in no shipping zone: the default country must be one the shop ships to",
                    self.tax.default_country
                ),
            ));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    fn check_shipping(&self, problems: &mut Vec<Problem>) {
        if self.shipping.len() > limits::ZONES {
            problems.push(Problem::new(
                "shipping",
                format!("at most {} shipping zones", limits::ZONES),
            ));
        }
        // Country -> the zone that first listed it.
        let mut zone_of: HashMap<Country, usize> = HashMap::new();
        for (i, zone) in self.shipping.iter().enumerate() {
            let at = format!("shipping[{i}]");
            check_name(problems, &format!("{at}.name"), &zone.name, limits::NAME);
            if zone.countries.is_empty() {
                problems.push(Problem::new(
                    format!("{at}.countries"),
                    "must list at least one country",
                ));
            }
            for (j, country) in zone.countries.iter().enumerate() {
                let path = format!("{at}.countries[{j}]");
                check_country(problems, &path, country);
                match zone_of.get(country) {
                    Some(&other) if other == i => problems.push(Problem::new(
                        path,
                        format!("{country} is listed twice in this zone"),
                    )),
                    Some(&other) => problems.push(Problem::new(
                        path,
                        format!(
                            "{country} is already in zone shipping[{other}] ({:?}): a country is in at most one zone",
                            self.shipping[other].name
                        ),
                    )),
                    None => {
                        zone_of.insert(*country, i);
                    }
                }
            }
            if zone.rates.is_empty() || zone.rates.len() > limits::RATES {
                problems.push(Problem::new(
                    format!("{at}.rates"),
                    format!("must have 1 to {} rates", limits::RATES),
                ));
            }
            let mut ids = HashSet::new();
            for (j, rate) in zone.rates.iter().enumerate() {
                let at = format!("{at}.rates[{j}]");
                if !ids.insert(rate.id.as_str()) {
                    problems.push(Problem::new(
                        format!("{at}.id"),
                        format!("duplicate rate id {:?} in this zone", rate.id),
                    ));
                }
                rate.check(&at, problems);
            }
        }
    }

    /// The zone that ships to `country`, if any.
    pub fn zone_for(&self, country: &Country) -> Option<&ShippingZone> {
        self.shipping.iter().find(|z| z.countries.contains(country))
    }

    /// Whether the shop ships to `country`.
    pub fn ships_to(&self, country: &Country) -> bool {
        self.zone_for(country).is_some()
    }

    /// Every country the shop ships to, in the order the zones list them (e.g. for a payment
    /// provider's list of allowed shipping countries).
    pub fn countries(&self) -> impl Iterator<Item = &Country> {
        self.shipping.iter().flat_map(|z| z.countries.iter())
    }

    /// The rates a shopper in `country` may choose from, in display order; empty if the shop
    /// does not ship there.
    pub fn rates_for(&self, country: &Country) -> &[ShippingRate] {
        self.zone_for(country).map_or(&[], |z| z.rates.as_slice())
    }

    /// The rate `id` for `country`, if the country's zone has it.
    pub fn rate(&self, country: &Country, id: &str) -> Option<&ShippingRate> {
        self.rates_for(country).iter().find(|r| r.id == id)
    }

    /// The rate costing least for an order of `subtotal` (see [`ShippingRate::amount_for`]); of
    /// equally cheap rates, the first listed. `None` if the shop does not ship to `country`.
    pub fn cheapest_rate(&self, country: &Country, subtotal: i64) -> Option<&ShippingRate> {
        // `min_by_key` returns the first of equal minima.
        self.rates_for(country)
            .iter()
            .min_by_key(|r| r.amount_for(subtotal))
    }

    /// The tax entry for `country`, if the shop charges tax there.
    pub fn tax_rate(&self, country: &Country) -> Option<&TaxRate> {
        self.tax.rates.iter().find(|r| &r.country == country)
    }

    /// The rate in basis points for a line whose product is in `collections_of_line`, shipped to
    /// `country`: the **lowest** of the country's per-collection overrides that name one of those
    /// collections (overrides exist for reduced rates, and a product that qualifies for one
    /// through any of its collections gets it); if none names them, the country's standard rate;
    /// if the shop charges no tax in `country`, 0.
    pub fn tax_rate_for(&self, country: &Country, collections_of_line: &[Handle]) -> u32 {
        let Some(rate) = self.tax_rate(country) else {
            return 0;
        };
        collections_of_line
            .iter()
            .filter_map(|c| rate.collections.get(c).copied())
            .min()
            .unwrap_or(rate.basis_points)
    }

    /// The rate in basis points that shipping to `country` is taxed at: the country's standard
    /// rate, or 0 if its `shipping_taxed` is false or the shop charges no tax there.
    pub fn shipping_basis_points(&self, country: &Country) -> u32 {
        self.tax_rate(country)
            .filter(|r| r.shipping_taxed)
            .map_or(0, |r| r.basis_points)
    }
}

impl ShippingRate {
    /// Whether `id` has the shape of a rate id: 1 to 32 of `a-z`, `0-9`, `-`, `_`.
    pub fn valid_id(id: &str) -> bool {
        (1..=limits::RATE_ID).contains(&id.len())
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
    }

    fn check(&self, at: &str, problems: &mut Vec<Problem>) {
        if !ShippingRate::valid_id(&self.id) {
            problems.push(Problem::new(
                format!("{at}.id"),
                format!(
                    "must be 1 to {} characters of a-z, 0-9, '-' and '_'",
                    limits::RATE_ID
                ),
            ));
        }
        check_name(problems, &format!("{at}.name"), &self.name, limits::NAME);
        if !(0..=limits::AMOUNT).contains(&self.amount) {
            problems.push(Problem::new(
                format!("{at}.amount"),
                format!(
                    "must be a whole number of minor units from 0 to {}",
                    limits::AMOUNT
                ),
            ));
        }
        if let Some(threshold) = self.free_over {
            if !(1..=limits::AMOUNT).contains(&threshold) {
                problems.push(Problem::new(
                    format!("{at}.free_over"),
                    format!(
                        "must be a whole number of minor units from 1 to {} (for a rate that is always free, set amount to 0)",
                        limits::AMOUNT
                    ),
                ));
            }
        }
        if let Some(delivery) = &self.delivery {
            check_name(
                problems,
                &format!("{at}.delivery"),
                delivery,
                limits::DELIVERY,
            );
        }
    }
}

impl TaxSettings {
    fn check(&self, collections: &[Handle], problems: &mut Vec<Problem>) {
        check_country(problems, "tax.default_country", &self.default_country);
        if self.rates.len() > limits::TAX_RATES {
            problems.push(Problem::new(
                "tax.rates",
                format!("at most {} tax rates", limits::TAX_RATES),
            ));
        }
        let mut seen: HashMap<Country, usize> = HashMap::new();
        for (i, rate) in self.rates.iter().enumerate() {
            let at = format!("tax.rates[{i}]");
            check_country(problems, &format!("{at}.country"), &rate.country);
            if let Some(other) = seen.insert(rate.country, i) {
                // Keep the first entry as the one that counts.
                seen.insert(rate.country, other);
                problems.push(Problem::new(
                    format!("{at}.country"),
                    format!(
                        "{} already has a tax rate at tax.rates[{other}]",
                        rate.country
                    ),
                ));
            }
            check_basis_points(problems, &format!("{at}.basis_points"), rate.basis_points);
            for (handle, bp) in &rate.collections {
                let path = format!("{at}.collections.{handle}");
                if !collections.contains(handle) {
                    problems.push(Problem::new(
                        &path,
                        format!("unknown collection {:?}", handle.as_str()),
                    ));
                }
                check_basis_points(problems, &path, *bp);
            }
        }
    }
}

fn check_name(problems: &mut Vec<Problem>, path: &str, text: &str, max: usize) {
    if text.trim().is_empty() {
        problems.push(Problem::new(path, "must not be empty"));
    } else if text.chars().count() > max {
        problems.push(Problem::new(
            path,
            format!("must be at most {max} characters"),
        ));
    }
}

fn check_country(problems: &mut Vec<Problem>, path: &str, country: &Country) {
    if !country.is_assigned() {
        problems.push(Problem::new(
            path,
            format!("{country} is not an ISO 3166-1 country code"),
        ));
    }
}

fn check_basis_points(problems: &mut Vec<Problem>, path: &str, bp: u32) {
    if bp > limits::BASIS_POINTS {
        problems.push(Problem::new(
            path,
            format!(
                "must be 0 to {} basis points (100 = 1 %), got {bp}",
                limits::BASIS_POINTS
            ),
        ));
    }
}

#[cfg(test)]
mod tests;
