//! The merchant's API, behind `Authorization: Bearer <ADMIN_TOKEN>` (a wrangler secret).

use crate::catalog::CatalogStore;
use crate::error::AppError;
use crate::objects::inventory::Inventory;
use crate::platform;
use domain::Sku;
use serde_json::Value;
use worker::{Env, Request, Response};

/// Largest stock figure accepted for one SKU.
pub const MAX_ON_HAND: u64 = 10_000_000;

/// Checks the bearer token in constant time. No token configured means no admin access.
pub fn authorize(req: &Request, env: &Env) -> Result<(), AppError> {
    let Some(expected) = platform::var_str(env, "ADMIN_TOKEN") else {
        worker::console_error!("ADMIN_TOKEN is not set: the admin API refuses every request");
        return Err(AppError::Unauthorized);
    };
    let given = req
        .headers()
        .get("authorization")
        .ok()
        .flatten()
        .unwrap_or_default();
    let token = given.strip_prefix("Bearer ").unwrap_or_default().trim();
    if domain::webhook::constant_time_eq(token.as_bytes(), expected.as_bytes()) {
        Ok(())
    } else {
        Err(AppError::Unauthorized)
    }
}

async fn initial_stock(store: &CatalogStore, sku: &Sku) -> Result<u32, AppError> {
    let index = store.index().await?;
    index.skus.get(sku).map(|e| e.initial_stock).ok_or_else(|| {
        AppError::client(
            404,
            "unknown_sku",
            format!("there is no product variant {sku}"),
        )
        .with("sku", sku.as_str())
    })
}

fn no_store(mut resp: Response) -> Result<Response, AppError> {
    resp.headers_mut()
        .set("cache-control", "private, no-store")?;
    Ok(resp)
}

pub async fn get_inventory(
    store: &CatalogStore,
    inventory: &Inventory,
    sku: &Sku,
) -> Result<Response, AppError> {
    let initial = initial_stock(store, sku).await?;
    let stock = inventory.stock(&[(sku.clone(), initial)]).await?;
    let view = stock
        .into_iter()
        .next()
        .ok_or_else(|| AppError::internal("no stock answer"))?;
    no_store(Response::from_json(&view)?)
}

pub async fn put_inventory(
    req: &mut Request,
    store: &CatalogStore,
    inventory: &Inventory,
    sku: &Sku,
) -> Result<Response, AppError> {
    let body: Value = platform::json_body(req).await?;
    let on_hand = match body.get("on_hand") {
        Some(Value::Number(n)) => n.as_u64().filter(|n| *n <= MAX_ON_HAND),
        _ => None,
    }
    .ok_or_else(|| {
        AppError::client(
            400,
            "bad_on_hand",
            format!("on_hand must be a whole number from 0 to {MAX_ON_HAND}"),
        )
    })?;
    initial_stock(store, sku).await?;
    let view = inventory.set_on_hand(sku, on_hand as u32).await?;
    no_store(Response::from_json(&view)?)
}
