//! A product's variants: finding one by SKU or by option values, the one a page shows first,
//! and the picture each shows.

use super::{Image, Product, Variant};
use std::collections::BTreeSet;

impl Product {
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

    /// The picture a page shows for `v`: its own, else the product's first.
    pub fn image_for<'a>(&'a self, v: &'a Variant) -> Option<&'a Image> {
        v.image.as_ref().or_else(|| self.images.first())
    }
}
