//! The merchant's catalog changes as a service: imports (JSON or CSV) and single-product
//! changes sent to the catalog's object, and their answers as outcomes; limits on what the
//! merchant may send.

use crate::error::AppError;
use crate::objects::catalog::{CatalogAdmin, CatalogReply, CatalogRequest};
use domain::catalog::{CatalogChange, ChangeError};
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

/// Largest catalog file accepted by the import (bytes).
pub const MAX_IMPORT_BYTES: usize = 8 * 1024 * 1024;

/// 422 listing every problem of a refused catalog.
pub fn invalid_catalog(problems: Vec<domain::catalog::Problem>) -> AppError {
    AppError::client(
        422,
        "invalid_catalog",
        format!("{} problem(s); nothing was changed", problems.len()),
    )
    .with(
        "problems",
        serde_json::to_value(problems).unwrap_or_default(),
    )
}

/// A catalog change's answer from the catalog object, as an outcome.
pub fn published(reply: CatalogReply) -> Result<Published, AppError> {
    match reply {
        CatalogReply::Published {
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
        CatalogReply::Refused { error } => Err(match error {
            ChangeError::Invalid { problems } => invalid_catalog(problems),
            ChangeError::NotFound { handle } => AppError::client(
                404,
                "unknown_product",
                format!("there is no product {handle}"),
            )
            .with("handle", handle),
            ChangeError::NoCatalog => AppError::client(
                409,
                "no_catalog",
                "import a catalog first (POST /admin/api/catalog/import)",
            ),
            ChangeError::ConfirmRequired {
                current,
                removed,
                remaining,
            } => AppError::client(
                409,
                "confirm_required",
                format!(
                    "this would remove {removed} of the shop's {current} products, leaving {remaining}; \
nothing was changed. To do it anyway, send it again with ?confirm=replace"
                ),
            )
            .with("current", current)
            .with("removed", removed)
            .with("remaining", remaining),
        }),
        CatalogReply::Busy => Err(AppError::client(
            409,
            "busy",
            "another catalog change is being published; retry in a moment",
        )),
        CatalogReply::NotPublished { version, reason } => Err(AppError::CatalogNotPublished {
            detail: format!(
                "saved as version {version}, but not yet published to the edge ({reason}); retry"
            ),
        }),
        CatalogReply::Catalog { .. } => Err(AppError::internal("unexpected catalog answer")),
    }
}

/// Imports a catalog file's text, JSON or CSV.
pub async fn import_text(
    admin: &CatalogAdmin,
    text: &str,
    csv: bool,
    confirm: bool,
) -> Result<Published, AppError> {
    if csv {
        // CSV carries products; currency and collections stay those of the current catalog.
        let current = match admin.send(&CatalogRequest::Export).await? {
            CatalogReply::Catalog { catalog: Some(c) } => c,
            _ => {
                return Err(AppError::client(
                    409,
                    "no_catalog",
                    "import a JSON catalog first: CSV carries products only",
                ))
            }
        };
        let catalog = domain::csv::catalog_from_csv(text, current.currency, current.collections)
            .map_err(invalid_catalog)?;
        return published(
            admin
                .send(&CatalogRequest::Change {
                    change: CatalogChange::Replace { catalog, confirm },
                })
                .await?,
        );
    }
    let catalog: Catalog = serde_json::from_str(text).map_err(|e| {
        AppError::client(
            400,
            "malformed_json",
            format!("line {}, column {}: {e}", e.line(), e.column()),
        )
    })?;
    published(
        admin
            .send(&CatalogRequest::Change {
                change: CatalogChange::Replace { catalog, confirm },
            })
            .await?,
    )
}
