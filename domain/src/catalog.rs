//! The catalog: collections, products and their variants, in the shop's file format
//! (`catalog/demo.json` is an example), with all-or-nothing validation.

use crate::ids::{Handle, Sku};
use crate::money::{Currency, Money};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// Bumped whenever the shape of [`CatalogIndex`] or of published products changes.
pub const PUBLISHED_LAYOUT: &str = "layout-3\n";

/// The whole catalog, as imported and exported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    /// The shop's one currency: every price is in its minor unit.
    pub currency: Currency,
    pub collections: Vec<Collection>,
    pub products: Vec<Product>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Collection {
    pub handle: Handle,
    pub title: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Product {
    pub handle: Handle,
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub collections: Vec<Handle>,
    #[serde(default)]
    pub featured: bool,
    /// ISO date `YYYY-MM-DD`; "newest" sorts by it.
    pub created_at: String,
    #[serde(default)]
    pub images: Vec<Image>,
    /// Option names such as `Size`, `Colour` (1 to 3).
    pub options: Vec<String>,
    pub variants: Vec<Variant>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Image {
    pub src: String,
    pub alt: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Variant {
    pub sku: Sku,
    /// One value per product option, in the product's option order.
    pub options: Vec<String>,
    /// Price in minor units of the catalog currency.
    pub price: i64,
    /// Initial stock, used to seed inventory.
    #[serde(default)]
    pub stock: u32,
}

/// One thing wrong with a catalog, located by its path, e.g. `products[3].variants[0].price`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub path: String,
    pub message: String,
}

impl Problem {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Problem {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// Upper bounds that keep a single catalog entry sane.
pub mod limits {
    pub const TITLE: usize = 200;
    pub const DESCRIPTION: usize = 5_000;
    pub const TAGS: usize = 20;
    pub const OPTIONS: usize = 3;
    pub const VARIANTS: usize = 100;
    pub const IMAGES: usize = 10;
    /// The largest price accepted, in minor units.
    pub const PRICE: i64 = 100_000_000;
}

impl Catalog {
    /// Parses and validates a catalog file; any problem rejects the whole file.
    pub fn from_json(text: &str) -> Result<Catalog, Vec<Problem>> {
        let catalog: Catalog = serde_json::from_str(text).map_err(|e| {
            vec![Problem::new(
                format!("line {}, column {}", e.line(), e.column()),
                e.to_string(),
            )]
        })?;
        catalog.validate()?;
        Ok(catalog)
    }

    /// Checks every rule, collecting all problems rather than stopping at the first.
    pub fn validate(&self) -> Result<(), Vec<Problem>> {
        let mut problems = Vec::new();
        let mut collection_handles = HashSet::new();
        for (i, c) in self.collections.iter().enumerate() {
            let at = format!("collections[{i}]");
            if !collection_handles.insert(c.handle.as_str()) {
                problems.push(Problem::new(
                    format!("{at}.handle"),
                    format!("duplicate collection handle {:?}", c.handle.as_str()),
                ));
            }
            check_text(
                &mut problems,
                &format!("{at}.title"),
                &c.title,
                limits::TITLE,
                true,
            );
            check_text(
                &mut problems,
                &format!("{at}.description"),
                &c.description,
                limits::DESCRIPTION,
                false,
            );
        }
        let mut handles = HashSet::new();
        let mut skus = HashSet::new();
        for (i, p) in self.products.iter().enumerate() {
            let at = format!("products[{i}]");
            if !handles.insert(p.handle.as_str()) {
                problems.push(Problem::new(
                    format!("{at}.handle"),
                    format!("duplicate product handle {:?}", p.handle.as_str()),
                ));
            }
            p.check(&at, &collection_handles, &mut skus, &mut problems);
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    /// A short content hash: the same catalog always gets the same version, a changed one a new one.
    /// The layout of the published entries is part of it, so a worker never reads entries
    /// written in an older layout under the version it expects.
    pub fn version(&self) -> String {
        let bytes = serde_json::to_vec(self).unwrap_or_default();
        let mut hasher = Sha256::new();
        hasher.update(PUBLISHED_LAYOUT.as_bytes());
        hasher.update(&bytes);
        let digest = hasher.finalize();
        hex::encode(&digest[..8])
    }

    pub fn index(&self) -> CatalogIndex {
        CatalogIndex {
            version: self.version(),
            currency: self.currency,
            collections: self.collections.clone(),
            products: self.products.iter().map(Product::summary).collect(),
            skus: self
                .products
                .iter()
                .flat_map(|p| {
                    p.variants.iter().map(move |v| {
                        let title = if v.options.is_empty() {
                            p.title.clone()
                        } else {
                            format!("{} ({})", p.title, v.options.join(" / "))
                        };
                        let entry = SkuEntry {
                            product: p.handle.clone(),
                            title,
                            price: v.price,
                            initial_stock: v.stock,
                        };
                        (v.sku.clone(), entry)
                    })
                })
                .collect(),
        }
    }
}

fn check_text(problems: &mut Vec<Problem>, path: &str, text: &str, max: usize, required: bool) {
    if required && text.trim().is_empty() {
        problems.push(Problem::new(path, "must not be empty"));
    }
    if text.chars().count() > max {
        problems.push(Problem::new(
            path,
            format!("must be at most {max} characters"),
        ));
    }
}

fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|x| x.parse::<u32>().ok());
    matches!((num(0..4), num(5..7), num(8..10)), (Some(_), Some(m), Some(d)) if (1..=12).contains(&m) && (1..=31).contains(&d))
}

impl Product {
    fn check<'a>(
        &'a self,
        at: &str,
        collections: &HashSet<&str>,
        skus: &mut HashSet<&'a str>,
        problems: &mut Vec<Problem>,
    ) {
        check_text(
            problems,
            &format!("{at}.title"),
            &self.title,
            limits::TITLE,
            true,
        );
        check_text(
            problems,
            &format!("{at}.description"),
            &self.description,
            limits::DESCRIPTION,
            false,
        );
        if self.tags.len() > limits::TAGS {
            problems.push(Problem::new(
                format!("{at}.tags"),
                format!("at most {} tags", limits::TAGS),
            ));
        }
        for (j, c) in self.collections.iter().enumerate() {
            if !collections.contains(c.as_str()) {
                problems.push(Problem::new(
                    format!("{at}.collections[{j}]"),
                    format!("unknown collection {:?}", c.as_str()),
                ));
            }
        }
        if !is_iso_date(&self.created_at) {
            problems.push(Problem::new(
                format!("{at}.created_at"),
                "must be a date YYYY-MM-DD",
            ));
        }
        if self.images.len() > limits::IMAGES {
            problems.push(Problem::new(
                format!("{at}.images"),
                format!("at most {} images", limits::IMAGES),
            ));
        }
        for (j, img) in self.images.iter().enumerate() {
            if !(img.src.starts_with('/') || img.src.starts_with("https://")) {
                problems.push(Problem::new(
                    format!("{at}.images[{j}].src"),
                    "must be a path starting with / or an https:// URL",
                ));
            }
            check_text(
                problems,
                &format!("{at}.images[{j}].alt"),
                &img.alt,
                limits::TITLE,
                true,
            );
        }
        if self.options.is_empty() || self.options.len() > limits::OPTIONS {
            problems.push(Problem::new(
                format!("{at}.options"),
                format!("must name 1 to {} options", limits::OPTIONS),
            ));
        }
        if self.variants.is_empty() || self.variants.len() > limits::VARIANTS {
            problems.push(Problem::new(
                format!("{at}.variants"),
                format!("must have 1 to {} variants", limits::VARIANTS),
            ));
        }
        let mut combos = HashSet::new();
        for (j, v) in self.variants.iter().enumerate() {
            let vat = format!("{at}.variants[{j}]");
            if !skus.insert(v.sku.as_str()) {
                problems.push(Problem::new(
                    format!("{vat}.sku"),
                    format!("duplicate SKU {:?}", v.sku.as_str()),
                ));
            }
            if v.options.len() != self.options.len() {
                problems.push(Problem::new(
                    format!("{vat}.options"),
                    format!(
                        "has {} values but the product has {} options",
                        v.options.len(),
                        self.options.len()
                    ),
                ));
            } else if !combos.insert(&v.options) {
                problems.push(Problem::new(
                    format!("{vat}.options"),
                    "the same option values as another variant",
                ));
            }
            if v.options
                .iter()
                .any(|o| o.trim().is_empty() || o.len() > 60)
            {
                problems.push(Problem::new(
                    format!("{vat}.options"),
                    "option values must be 1 to 60 characters",
                ));
            }
            if v.price <= 0 || v.price > limits::PRICE {
                problems.push(Problem::new(
                    format!("{vat}.price"),
                    format!(
                        "must be a whole number of minor units from 1 to {}",
                        limits::PRICE
                    ),
                ));
            }
        }
    }

    pub fn summary(&self) -> ProductSummary {
        let prices = self.variants.iter().map(|v| v.price);
        ProductSummary {
            handle: self.handle.clone(),
            title: self.title.clone(),
            description: self.description.clone(),
            tags: self.tags.clone(),
            collections: self.collections.clone(),
            featured: self.featured,
            created_at: self.created_at.clone(),
            image: self.images.first().cloned(),
            min_price: prices.clone().min().unwrap_or(0),
            max_price: prices.max().unwrap_or(0),
            available: self.variants.iter().any(|v| v.stock > 0),
        }
    }

    pub fn variant(&self, sku: &str) -> Option<&Variant> {
        self.variants.iter().find(|v| v.sku.as_str() == sku)
    }

    /// The variant matching every selected `(option name, value)` pair, if one does.
    /// Options not mentioned match anything; unknown names or values match nothing.
    pub fn select_variant(&self, selected: &[(&str, &str)]) -> Option<&Variant> {
        let mut wanted: Vec<(usize, &str)> = Vec::with_capacity(selected.len());
        for (name, value) in selected {
            let i = self
                .options
                .iter()
                .position(|o| o.eq_ignore_ascii_case(name))?;
            wanted.push((i, value));
        }
        self.variants.iter().find(|v| {
            wanted
                .iter()
                .all(|(i, value)| v.options.get(*i).is_some_and(|o| o == value))
        })
    }

    /// What a product page shows first: the first variant in stock, else the first.
    pub fn default_variant(&self) -> Option<&Variant> {
        self.variants
            .iter()
            .find(|v| v.stock > 0)
            .or_else(|| self.variants.first())
    }

    /// The distinct values of option `i`, in catalog order.
    pub fn option_values(&self, i: usize) -> Vec<&str> {
        let mut seen = BTreeSet::new();
        self.variants
            .iter()
            .filter_map(|v| v.options.get(i).map(String::as_str))
            .filter(|o| seen.insert(*o))
            .collect()
    }

    pub fn price(&self, v: &Variant, currency: Currency) -> Money {
        Money::new(v.price, currency)
    }
}

/// What listings, search and the home page need of a product, kept in one index per catalog version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductSummary {
    pub handle: Handle,
    pub title: String,
    pub description: String,
    pub tags: Vec<String>,
    pub collections: Vec<Handle>,
    pub featured: bool,
    pub created_at: String,
    pub image: Option<Image>,
    pub min_price: i64,
    pub max_price: i64,
    pub available: bool,
}

/// The catalog's listing data under one version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogIndex {
    pub version: String,
    pub currency: Currency,
    pub collections: Vec<Collection>,
    pub products: Vec<ProductSummary>,
    /// Every SKU of the version: what carts, checkout and inventory need without loading products.
    #[serde(default)]
    pub skus: BTreeMap<Sku, SkuEntry>,
}

/// One SKU's line in the index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkuEntry {
    pub product: Handle,
    /// Product title with the variant's option values, e.g. `Linen Shirt (M / White)`.
    pub title: String,
    /// Minor units of the catalog currency.
    pub price: i64,
    /// The catalog's stock figure: it seeds the inventory counters, which are the truth after.
    pub initial_stock: u32,
}

impl CatalogIndex {
    pub fn collection(&self, handle: &str) -> Option<&Collection> {
        self.collections
            .iter()
            .find(|c| c.handle.as_str() == handle)
    }

    pub fn featured(&self) -> impl Iterator<Item = &ProductSummary> {
        self.products.iter().filter(|p| p.featured)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn sample() -> Catalog {
        let json = r#"{
          "currency": "EUR",
          "collections": [{"handle": "apparel", "title": "Apparel"}, {"handle": "home", "title": "Home"}],
          "products": [
            {"handle": "shirt", "title": "Linen Shirt", "description": "Breezy summer linen.",
             "tags": ["linen", "Summer"], "collections": ["apparel"], "featured": true, "created_at": "2026-03-01",
             "images": [{"src": "/images/shirt.svg", "alt": "A shirt"}], "options": ["Size", "Colour"],
             "variants": [
               {"sku": "SHIRT-S-W", "options": ["S", "White"], "price": 4900, "stock": 0},
               {"sku": "SHIRT-M-W", "options": ["M", "White"], "price": 4900, "stock": 3},
               {"sku": "SHIRT-M-B", "options": ["M", "Blue"], "price": 5200, "stock": 9}
             ]},
            {"handle": "mug", "title": "Stoneware Mug", "description": "Holds coffee.", "tags": ["kitchen"],
             "collections": ["home"], "created_at": "2026-05-10", "options": ["Colour"],
             "variants": [{"sku": "MUG-W", "options": ["White"], "price": 1800, "stock": 5}]},
            {"handle": "apron", "title": "Canvas Apron", "description": "For the kitchen and the garden.",
             "tags": ["canvas"], "collections": ["home", "apparel"], "created_at": "2025-11-02", "options": ["Size"],
             "variants": [{"sku": "APRON-ONE", "options": ["One size"], "price": 3500, "stock": 0}]}
          ]
        }"#;
        Catalog::from_json(json).expect("sample catalog is valid")
    }

    #[test]
    fn parses_and_summarises() {
        let c = sample();
        let idx = c.index();
        assert_eq!(idx.products.len(), 3);
        let shirt = &idx.products[0];
        assert_eq!(
            (shirt.min_price, shirt.max_price, shirt.available),
            (4900, 5200, true)
        );
        assert!(!idx.products[2].available);
        assert_eq!(idx.featured().count(), 1);
    }

    #[test]
    fn version_follows_content() {
        let a = sample();
        let mut b = sample();
        assert_eq!(a.version(), b.version());
        b.products[1].variants[0].price = 1900;
        assert_ne!(a.version(), b.version());
        assert_eq!(a.version().len(), 16);
    }

    #[test]
    fn variant_selection() {
        let c = sample();
        let shirt = &c.products[0];
        let pick =
            |sel: &[(&str, &str)]| shirt.select_variant(sel).map(|v| v.sku.as_str().to_owned());
        assert_eq!(
            pick(&[("Size", "M"), ("Colour", "Blue")]).as_deref(),
            Some("SHIRT-M-B")
        );
        assert_eq!(pick(&[("size", "M")]).as_deref(), Some("SHIRT-M-W"));
        assert_eq!(pick(&[("Size", "S"), ("Colour", "Blue")]), None);
        assert_eq!(pick(&[("Material", "Silk")]), None);
        assert_eq!(
            shirt.default_variant().map(|v| v.sku.as_str()),
            Some("SHIRT-M-W")
        );
        assert_eq!(
            c.products[2].default_variant().map(|v| v.sku.as_str()),
            Some("APRON-ONE")
        );
        assert_eq!(shirt.option_values(0), vec!["S", "M"]);
        assert_eq!(shirt.option_values(1), vec!["White", "Blue"]);
    }

    #[test]
    fn validation_lists_every_problem_with_its_path() {
        let mut c = sample();
        c.products[1].handle = c.products[0].handle.clone();
        c.products[0].variants[1].sku = c.products[0].variants[0].sku.clone();
        c.products[0].variants[2].options.pop();
        c.products[2].variants[0].price = 0;
        c.products[2]
            .collections
            .push(Handle::parse("nowhere").unwrap());
        c.products[2].created_at = "2026-13-01".into();
        c.products[1].title = "  ".into();
        let problems = c.validate().unwrap_err();
        let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            vec![
                "products[0].variants[1].sku",
                "products[0].variants[2].options",
                "products[1].handle",
                "products[1].title",
                "products[2].collections[2]",
                "products[2].created_at",
                "products[2].variants[0].price",
            ]
        );
    }

    #[test]
    fn rejects_unknown_fields_and_bad_json_with_a_location() {
        let err =
            Catalog::from_json(r#"{"currency":"EUR","collections":[],"products":[],"extra":1}"#)
                .unwrap_err();
        assert!(err[0].message.contains("unknown field `extra`"), "{err:?}");
        let err = Catalog::from_json("{\"currency\":\n").unwrap_err();
        assert!(err[0].path.starts_with("line 2"), "{err:?}");
        let err = Catalog::from_json(
            r#"{"currency":"EUR","collections":[],"products":[{"handle":"Bad Handle"}]}"#,
        )
        .unwrap_err();
        assert!(err[0].message.contains("handle must be"), "{err:?}");
    }

    #[test]
    fn demo_catalog_is_valid() {
        let text = include_str!("../../catalog/demo.json");
        let c = Catalog::from_json(text).unwrap_or_else(|p| panic!("demo catalog invalid: {p:#?}"));
        assert!(c.products.len() >= 24);
        assert!(c.collections.len() >= 4);
        assert!(c.products.iter().any(|p| p.options.len() >= 2));
    }
}

/// What a shopper is told about stock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "status", content = "count", rename_all = "snake_case")]
pub enum Availability {
    InStock,
    /// Few left: the count is worth showing.
    Low(u32),
    SoldOut,
}

impl Availability {
    /// At or below this many units a page says "only N left".
    pub const LOW_STOCK: u32 = 5;

    pub fn from_stock(available: u32) -> Self {
        match available {
            0 => Availability::SoldOut,
            n if n <= Self::LOW_STOCK => Availability::Low(n),
            _ => Availability::InStock,
        }
    }

    pub fn label(self) -> String {
        match self {
            Availability::InStock => "In stock".to_owned(),
            Availability::Low(n) => format!("Only {n} left"),
            Availability::SoldOut => "Sold out".to_owned(),
        }
    }

    pub fn can_buy(self) -> bool {
        self != Availability::SoldOut
    }
}

#[cfg(test)]
mod availability_tests {
    use super::Availability;

    #[test]
    fn labels() {
        assert_eq!(Availability::from_stock(0).label(), "Sold out");
        assert_eq!(Availability::from_stock(1).label(), "Only 1 left");
        assert_eq!(Availability::from_stock(5).label(), "Only 5 left");
        assert_eq!(Availability::from_stock(6).label(), "In stock");
        assert!(!Availability::from_stock(0).can_buy());
    }
}

impl Product {
    /// The variant a shopper lands on when, from `current`, they pick `value` for option `i`:
    /// the one with that value sharing most other options with `current`, in stock first.
    pub fn variant_for_option(&self, current: &Variant, i: usize, value: &str) -> Option<&Variant> {
        let shared = |v: &Variant| {
            v.options
                .iter()
                .zip(&current.options)
                .filter(|(a, b)| a == b)
                .count()
        };
        self.variants
            .iter()
            .filter(|v| v.options.get(i).is_some_and(|o| o == value))
            .max_by_key(|v| (shared(v), v.stock > 0, std::cmp::Reverse(self.position(v))))
    }

    fn position(&self, v: &Variant) -> usize {
        self.variants
            .iter()
            .position(|x| x.sku == v.sku)
            .unwrap_or(usize::MAX)
    }
}

#[cfg(test)]
mod option_tests {
    use super::tests::sample;

    #[test]
    fn picking_an_option_keeps_the_others_when_possible() {
        let c = sample();
        let shirt = &c.products[0];
        let m_white = shirt.variant("SHIRT-M-W").unwrap();
        let pick = |from, i, value| {
            shirt
                .variant_for_option(from, i, value)
                .map(|v| v.sku.as_str())
        };
        assert_eq!(pick(m_white, 1, "Blue"), Some("SHIRT-M-B"));
        assert_eq!(pick(m_white, 0, "S"), Some("SHIRT-S-W"));
        let m_blue = shirt.variant("SHIRT-M-B").unwrap();
        // No S/Blue exists: S/White shares nothing but is the only S.
        assert_eq!(pick(m_blue, 0, "S"), Some("SHIRT-S-W"));
        assert_eq!(pick(m_blue, 0, "XL"), None);
    }
}

/// Changes a merchant makes to the catalog, each validated as a whole before it applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
// Externally tagged: an object protocol, not a public format (internal tagging buffers each
// message before decoding it: more code and more CPU in the Worker).
#[serde(rename_all = "snake_case")]
pub enum CatalogChange {
    /// Replaces everything (an import). Unless `confirm`, refused if it would remove every
    /// product, or more than half of them (see [`ChangeError::ConfirmRequired`]).
    Replace {
        catalog: Catalog,
        #[serde(default)]
        confirm: bool,
    },
    /// Adds a product, or replaces the one with the same handle in place.
    Upsert { product: Box<Product> },
    /// Removes a product; unless `confirm`, refused if it is the last one.
    Delete {
        handle: Handle,
        #[serde(default)]
        confirm: bool,
    },
}

/// Why a change was refused; the catalog is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
// Externally tagged: an object protocol, not a public format (internal tagging buffers each
// message before decoding it: more code and more CPU in the Worker).
#[serde(rename_all = "snake_case")]
pub enum ChangeError {
    /// The result would be invalid; every problem is listed.
    Invalid {
        problems: Vec<Problem>,
    },
    NotFound {
        handle: String,
    },
    /// There is no catalog yet to change a product in: import one first.
    NoCatalog,
    /// The change would remove every product, or more than half of them (a blank or truncated
    /// file, most likely); it applies only when confirmed.
    ConfirmRequired {
        current: usize,
        removed: usize,
        remaining: usize,
    },
}

/// Whether going from `current` to `next` removes so much that the merchant must confirm it:
/// every product, or more than half of them.
fn removes_too_much(current: &Catalog, next: &Catalog) -> Option<ChangeError> {
    let kept: std::collections::HashSet<&str> =
        next.products.iter().map(|p| p.handle.as_str()).collect();
    let removed = current
        .products
        .iter()
        .filter(|p| !kept.contains(p.handle.as_str()))
        .count();
    let total = current.products.len();
    (removed > 0 && (removed == total || removed * 2 > total)).then_some(
        ChangeError::ConfirmRequired {
            current: total,
            removed,
            remaining: next.products.len(),
        },
    )
}

impl Catalog {
    /// Applies `change` to `current` (if any), returning the new, valid catalog.
    pub fn change(
        current: Option<&Catalog>,
        change: CatalogChange,
    ) -> Result<Catalog, ChangeError> {
        let confirmed = match &change {
            CatalogChange::Replace { confirm, .. } | CatalogChange::Delete { confirm, .. } => {
                *confirm
            }
            CatalogChange::Upsert { .. } => true,
        };
        let next = match change {
            CatalogChange::Replace { catalog, .. } => catalog,
            CatalogChange::Upsert { product } => {
                let mut next = current.cloned().ok_or(ChangeError::NoCatalog)?;
                match next
                    .products
                    .iter_mut()
                    .find(|p| p.handle == product.handle)
                {
                    Some(existing) => *existing = *product,
                    None => next.products.push(*product),
                }
                next
            }
            CatalogChange::Delete { handle, .. } => {
                let mut next = current.cloned().ok_or(ChangeError::NoCatalog)?;
                let before = next.products.len();
                next.products.retain(|p| p.handle != handle);
                if next.products.len() == before {
                    return Err(ChangeError::NotFound {
                        handle: handle.to_string(),
                    });
                }
                next
            }
        };
        next.validate()
            .map_err(|problems| ChangeError::Invalid { problems })?;
        if let (false, Some(current)) = (confirmed, current) {
            if let Some(refusal) = removes_too_much(current, &next) {
                return Err(refusal);
            }
        }
        Ok(next)
    }
}

#[cfg(test)]
mod change_tests {
    use super::tests::sample;
    use super::*;

    #[test]
    fn upsert_replaces_in_place_or_appends_and_validates() {
        let c = sample();
        let mut shirt = c.products[0].clone();
        shirt.variants[0].price = 1;
        let next = Catalog::change(
            Some(&c),
            CatalogChange::Upsert {
                product: Box::new(shirt.clone()),
            },
        )
        .unwrap();
        assert_eq!(next.products[0].variants[0].price, 1);
        assert_eq!(next.products.len(), c.products.len());
        assert_ne!(next.version(), c.version());

        shirt.variants[0].price = -5;
        match Catalog::change(
            Some(&c),
            CatalogChange::Upsert {
                product: Box::new(shirt),
            },
        ) {
            Err(ChangeError::Invalid { problems }) => assert!(
                problems.iter().any(|p| p.path.contains("price")),
                "{problems:?}"
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn delete_and_missing_catalog() {
        let c = sample();
        let h = c.products[0].handle.clone();
        let next = Catalog::change(
            Some(&c),
            CatalogChange::Delete {
                handle: h.clone(),
                confirm: true,
            },
        )
        .unwrap();
        assert!(next.products.iter().all(|p| p.handle != h));
        assert_eq!(
            Catalog::change(
                Some(&next),
                CatalogChange::Delete {
                    handle: h.clone(),
                    confirm: true
                }
            ),
            Err(ChangeError::NotFound {
                handle: h.to_string()
            })
        );
        assert_eq!(
            Catalog::change(
                None,
                CatalogChange::Delete {
                    handle: h,
                    confirm: true
                }
            ),
            Err(ChangeError::NoCatalog)
        );
        assert_eq!(
            Catalog::change(
                None,
                CatalogChange::Replace {
                    catalog: c.clone(),
                    confirm: false
                }
            ),
            Ok(c)
        );
    }

    /// A catalog of `n` products, copies of the sample's first with other handles and SKUs.
    fn of_size(n: usize) -> Catalog {
        let mut c = sample();
        let model = c.products[0].clone();
        c.products = (0..n)
            .map(|i| {
                let mut p = model.clone();
                p.handle = Handle::parse(&format!("p-{i}")).unwrap();
                for (j, v) in p.variants.iter_mut().enumerate() {
                    v.sku = Sku::parse(&format!("P-{i}-{j}")).unwrap();
                }
                p
            })
            .collect();
        c.validate().unwrap();
        c
    }

    #[test]
    fn removing_most_products_needs_confirmation() {
        let current = of_size(4);
        let replace = |catalog: Catalog, confirm| CatalogChange::Replace { catalog, confirm };
        // A blank import: every product would go.
        let blank = of_size(0);
        assert_eq!(
            Catalog::change(Some(&current), replace(blank.clone(), false)),
            Err(ChangeError::ConfirmRequired {
                current: 4,
                removed: 4,
                remaining: 0
            })
        );
        assert_eq!(
            Catalog::change(Some(&current), replace(blank.clone(), true)),
            Ok(blank)
        );
        // Three of four: more than half.
        let mut one = current.clone();
        one.products.truncate(1);
        assert!(matches!(
            Catalog::change(Some(&current), replace(one, false)),
            Err(ChangeError::ConfirmRequired { removed: 3, .. })
        ));
        // Half is allowed. Replacing every product with new ones removes every old one: that
        // needs confirming too.
        let mut half = current.clone();
        half.products.truncate(2);
        assert!(Catalog::change(Some(&current), replace(half, false)).is_ok());
        assert!(matches!(
            Catalog::change(Some(&current), replace(of_size(8).renamed("q"), false)),
            Err(ChangeError::ConfirmRequired { removed: 4, .. })
        ));
        // The last product cannot be deleted by accident either.
        let last = of_size(1);
        let h = last.products[0].handle.clone();
        let delete = |confirm| CatalogChange::Delete {
            handle: h.clone(),
            confirm,
        };
        assert!(matches!(
            Catalog::change(Some(&last), delete(false)),
            Err(ChangeError::ConfirmRequired { removed: 1, .. })
        ));
        assert!(Catalog::change(Some(&last), delete(true)).is_ok());
        assert!(Catalog::change(
            Some(&current),
            CatalogChange::Delete {
                handle: current.products[0].handle.clone(),
                confirm: false
            }
        )
        .is_ok());
    }

    impl Catalog {
        /// The same catalog with every handle and SKU prefixed by `prefix`.
        fn renamed(mut self, prefix: &str) -> Catalog {
            for p in &mut self.products {
                p.handle = Handle::parse(&format!("{prefix}-{}", p.handle)).unwrap();
                for v in &mut p.variants {
                    v.sku = Sku::parse(&format!("{}-{}", prefix.to_uppercase(), v.sku)).unwrap();
                }
            }
            self
        }
    }
}
