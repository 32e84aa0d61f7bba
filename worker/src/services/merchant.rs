//! The merchant's catalog changes as a service: imports (JSON or CSV) and single-product
//! changes sent to the catalog's object, and their answers as outcomes; limits on what the
//! merchant may send.

use crate::error::AppError;
use crate::objects::catalog::CatalogAdmin;
use crate::objects::protocol::{ChangeCatalog, ChangeOutcome, ImportCsv};
use domain::catalog::CatalogChange;
use domain::Catalog;

/// Largest stock figure accepted for one SKU.
pub const MAX_ON_HAND: u64 = 10_000_000;

/// What a published catalog change answers.
#[derive(Debug, serde::Serialize)]
pub struct Published {
    pub version: String,
    pub products: usize,
    pub variants: usize,
    pub kv_writes: usize,
}

/// Largest settings document accepted (bytes).
pub const MAX_SETTINGS_BYTES: usize = 256 * 1024;

/// Largest catalog file accepted by the import (bytes).
pub const MAX_IMPORT_BYTES: usize = 8 * 1024 * 1024;

/// A catalog change's outcome from the catalog object: what was published, or why not.
pub fn published(outcome: ChangeOutcome) -> Result<Published, AppError> {
    match outcome {
        ChangeOutcome::Published {
            version,
            products,
            variants,
            kv_writes,
        } => Ok(Published {
            version,
            products,
            variants,
            kv_writes,
        }),
        ChangeOutcome::Refused { error } => Err(error.into()),
        ChangeOutcome::Busy => Err(AppError::CatalogBusy),
        ChangeOutcome::NotPublished { version, reason } => {
            Err(AppError::CatalogNotPublished(format!(
                "saved as version {version}, but not yet published to the edge ({reason}); retry"
            )))
        }
    }
}

/// Imports a catalog file's text: JSON (the whole catalog) or CSV (its products, parsed and
/// applied inside the catalog's object).
pub async fn import_text(
    admin: &CatalogAdmin,
    text: &str,
    csv: bool,
    confirm: bool,
) -> Result<Published, AppError> {
    if csv {
        let text = text.to_owned();
        return published(admin.send(ImportCsv { text, confirm }).await?);
    }
    let catalog: Catalog = serde_json::from_str(text).map_err(|e| {
        AppError::malformed_json(format!("line {}, column {}: {e}", e.line(), e.column()))
    })?;
    let change = CatalogChange::Replace { catalog, confirm };
    published(admin.send(ChangeCatalog { change }).await?)
}

/// Replaces the shop's shipping and tax settings with the JSON `text`, validated with the
/// catalog's rules and published with it.
pub async fn put_settings(admin: &CatalogAdmin, text: &str) -> Result<Published, AppError> {
    let settings: domain::Settings = serde_json::from_str(text).map_err(|e| {
        AppError::malformed_json(format!("line {}, column {}: {e}", e.line(), e.column()))
    })?;
    let change = CatalogChange::Settings { settings };
    published(admin.send(ChangeCatalog { change }).await?)
}
