//! Changes a merchant makes to the catalog (import, upsert, delete), each applied to a copy and
//! validated as a whole; a change that would remove most of the shop needs confirming.

use super::{Catalog, Handle, Problem, Product};
use serde::{Deserialize, Serialize};

/// Changes a merchant makes to the catalog, each validated as a whole before it applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    /// Replaces the shop's shipping and tax settings.
    Settings { settings: crate::settings::Settings },
}

/// Why a change was refused; the catalog is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum ChangeError {
    /// The result would be invalid; every problem is listed.
    #[error("{} problem(s); nothing was changed", problems.len())]
    Invalid { problems: Vec<Problem> },
    #[error("there is no product {handle}")]
    NotFound { handle: String },
    /// There is no catalog yet to change a product in (or for a CSV's products to join).
    #[error(
        "import a JSON catalog first (POST /admin/api/catalog/import): CSV carries products only"
    )]
    NoCatalog,
    /// The change would remove every product, or more than half of them (a blank or truncated
    /// file, most likely); it applies only when confirmed.
    #[error("this would remove {removed} of the shop's {current} products, leaving {remaining}; nothing was changed. To do it anyway, send it again with ?confirm=replace")]
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
            CatalogChange::Upsert { .. } | CatalogChange::Settings { .. } => true,
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
            CatalogChange::Settings { settings } => {
                let mut next = current.cloned().ok_or(ChangeError::NoCatalog)?;
                next.settings = Some(settings);
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
