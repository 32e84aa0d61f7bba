//! The catalog: collections, products and their variants, in the shop's file format
//! (`catalog/demo.json` is an example), with all-or-nothing validation.

use crate::ids::{Handle, Sku};
use crate::money::Currency;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashSet};

/// Bumped whenever the shape of [`CatalogIndex`] or of published products changes.
pub const PUBLISHED_LAYOUT: &str = "layout-4\n";

/// The whole catalog, as imported and exported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    /// The shop's one currency: every price is in its minor unit.
    pub currency: Currency,
    pub collections: Vec<Collection>,
    pub products: Vec<Product>,
    /// Shipping and taxes (optional: a shop without them charges no shipping and no tax).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<crate::settings::Settings>,
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
    /// The variant's own picture (a colour, say), shown instead of the product's first image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<Image>,
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
        if let Some(settings) = &self.settings {
            let handles: Vec<Handle> = self.collections.iter().map(|c| c.handle.clone()).collect();
            if let Err(found) = settings.validate(&handles) {
                problems.extend(
                    found
                        .into_iter()
                        .map(|p| Problem::new(format!("settings.{}", p.path), p.message)),
                );
            }
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
            settings: self.settings.clone(),
            collections: self.collections.clone(),
            products: self.products.iter().map(Product::summary).collect(),
            skus: self
                .products
                .iter()
                .flat_map(|p| {
                    p.variants.iter().map(move |v| {
                        let entry = SkuEntry {
                            product: p.handle.clone(),
                            title: variant_title(&p.title, &v.options),
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

impl Image {
    fn check(&self, at: &str, problems: &mut Vec<Problem>) {
        if !(self.src.starts_with('/') || self.src.starts_with("https://")) {
            problems.push(Problem::new(
                format!("{at}.src"),
                "must be a path starting with / or an https:// URL",
            ));
        }
        check_text(
            problems,
            &format!("{at}.alt"),
            &self.alt,
            limits::TITLE,
            true,
        );
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
            img.check(&format!("{at}.images[{j}]"), problems);
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
            if let Some(img) = &v.image {
                img.check(&format!("{vat}.image"), problems);
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
    /// Shipping and taxes, for carts and checkout at the edge.
    #[serde(default)]
    pub settings: Option<crate::settings::Settings>,
    pub collections: Vec<Collection>,
    pub products: Vec<ProductSummary>,
    /// Every SKU of the version: what carts, checkout and inventory need without loading products.
    #[serde(default)]
    pub skus: BTreeMap<Sku, SkuEntry>,
}

/// How a variant is named where its product's page is not around (a cart line, an order, a
/// refusal): `Linen Shirt (M / White)`, or the product's title when it has no options.
pub fn variant_title(product: &str, options: &[String]) -> String {
    if options.is_empty() {
        product.to_owned()
    } else {
        format!("{product} ({})", options.join(" / "))
    }
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
pub(crate) mod tests;

mod availability;
pub use availability::Availability;

mod variants;

#[cfg(test)]
mod variant_tests;

mod change;
pub use change::{CatalogChange, ChangeError};

#[cfg(test)]
mod change_tests;
