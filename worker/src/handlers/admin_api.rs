//! The merchant's API, behind `Authorization: Bearer <ADMIN_TOKEN>` (a wrangler secret):
//! inventory counters, catalog writes to the catalog's source of truth, orders, and discount
//! codes.

use crate::error::{AppError, BadInput};
use crate::objects::catalog::CatalogAdmin;
use crate::objects::inventory::Inventory;
use crate::objects::protocol::{ChangeCatalog, Cursor, ExportCatalog};
use crate::platform::{self, Field};
use crate::respond::no_store;
use crate::services::catalog::CatalogStore;
use crate::services::merchant::{self, published, MAX_IMPORT_BYTES, MAX_ON_HAND};
use crate::services::shopping::Shopping;
use domain::catalog::CatalogChange;
use domain::discount::{Code, DiscountInput, Refusal};
use domain::order::{Order, OrderStatus};
use domain::{Handle, Product, Sku};
use serde_json::Value;
use worker::{Env, Request, Response};

/// Checks the bearer token in constant time. No token configured means no admin access.
pub fn authorize(req: &Request, env: &Env) -> Result<(), AppError> {
    let Some(expected) = crate::config::of(env)?.admin_token.clone() else {
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
    let stock = index.skus.get(sku).map(|e| e.initial_stock);
    Ok(stock.ok_or_else(|| BadInput::UnknownSku(sku.clone()))?)
}

/// `GET /admin/api/inventory/{sku}`: the totals and, when split, each bucket's counters.
pub async fn get_inventory(
    store: &CatalogStore,
    inventory: &Inventory,
    sku: &Sku,
) -> Result<Response, AppError> {
    let initial = initial_stock(store, sku).await?;
    let view = inventory.view(sku, initial).await?;
    no_store(Response::from_json(&view)?)
}

/// `PUT /admin/api/inventory/{sku}`: `{"on_hand": n}`, optionally `"buckets": k` (1 to
/// `MAX_BUCKETS`: spread the stock over k bucket objects; 1: not split; absent: as now).
#[derive(serde::Deserialize)]
struct SetStock {
    #[serde(default)]
    on_hand: Field<u64>,
    #[serde(default)]
    buckets: Field<u64>,
    #[serde(flatten)]
    other: std::collections::BTreeMap<String, Value>,
}

/// The `buckets` a merchant asked for (`None`: not given).
pub fn parse_buckets(raw: Option<u64>) -> Result<Option<u32>, BadInput> {
    let max = domain::inventory::split::MAX_BUCKETS;
    match raw {
        None => Ok(None),
        Some(k) if (1..=u64::from(max)).contains(&k) => Ok(Some(k as u32)),
        Some(_) => Err(BadInput::BadBuckets { max }),
    }
}

pub async fn put_inventory(
    req: &mut Request,
    store: &CatalogStore,
    inventory: &Inventory,
    sku: &Sku,
) -> Result<Response, AppError> {
    let body: SetStock = platform::json_object(req).await?;
    if let Some(unknown) = body.other.into_keys().next() {
        return Err(BadInput::UnknownField(unknown).into());
    }
    let bad = BadInput::BadOnHand { max: MAX_ON_HAND };
    let on_hand = match body.on_hand {
        Field::Valid(n) if n <= MAX_ON_HAND => n,
        _ => return Err(bad.into()),
    };
    let buckets = match body.buckets {
        Field::Missing => None,
        Field::Valid(k) => parse_buckets(Some(k))?,
        _ => {
            return Err(BadInput::BadBuckets {
                max: domain::inventory::split::MAX_BUCKETS,
            }
            .into())
        }
    };
    let initial = initial_stock(store, sku).await?;
    let view = inventory
        .set_stock(sku, initial, on_hand as u32, buckets)
        .await?;
    no_store(Response::from_json(&view)?)
}

/// `POST /admin/api/catalog/import`: the whole catalog, all-or-nothing: JSON (the catalog file
/// format) or, with `Content-Type: text/csv`, products as CSV (see `domain::csv`).
pub async fn import(req: &mut Request, admin: &CatalogAdmin) -> Result<Response, AppError> {
    let bytes = platform::body_bytes(req, MAX_IMPORT_BYTES).await?;
    let text = std::str::from_utf8(&bytes).map_err(|_| BadInput::NotUtf8)?;
    let csv = platform::header(req, "content-type").starts_with("text/csv");
    let done = merchant::import_text(admin, text, csv, confirmed(req)).await?;
    no_store(Response::from_json(&done)?)
}

/// Whether the request confirms a change that removes most of the catalog (`?confirm=replace`).
fn confirmed(req: &Request) -> bool {
    platform::query_pairs(req)
        .iter()
        .any(|(k, v)| k == "confirm" && v == "replace")
}

/// `GET /admin/api/catalog/export`: the catalog in the import format.
pub async fn export(admin: &CatalogAdmin) -> Result<Response, AppError> {
    match admin.send(ExportCatalog).await? {
        Some(c) => no_store(Response::from_json(&c)?),
        None => Err(BadInput::NoCatalogYet.into()),
    }
}

/// `GET /admin/api/settings`: the shop's shipping and tax settings.
pub async fn get_settings(admin: &CatalogAdmin) -> Result<Response, AppError> {
    let catalog = admin
        .send(ExportCatalog)
        .await?
        .ok_or(BadInput::NoCatalogYet)?;
    let settings = catalog.settings.ok_or(BadInput::NoSettingsYet)?;
    no_store(Response::from_json(&settings)?)
}

/// `PUT /admin/api/settings`: replaces them, all-or-nothing, validated with the catalog's rules
/// (every problem with its path), and publishes the catalog with them.
pub async fn put_settings(req: &mut Request, admin: &CatalogAdmin) -> Result<Response, AppError> {
    let bytes = platform::body_bytes(req, merchant::MAX_SETTINGS_BYTES).await?;
    let text = std::str::from_utf8(&bytes).map_err(AppError::malformed_json)?;
    let done = merchant::put_settings(admin, text).await?;
    no_store(Response::from_json(&done)?)
}

/// `PUT /admin/api/products/{handle}`: adds or replaces one product with its variants.
pub async fn put_product(
    req: &mut Request,
    admin: &CatalogAdmin,
    handle: &Handle,
) -> Result<Response, AppError> {
    let bytes = platform::body_bytes(req, 256 * 1024).await?;
    let product: Product = platform::parse_json(&bytes)?;
    if product.handle != *handle {
        return Err(BadInput::HandleMismatch {
            body: product.handle.to_string(),
            address: handle.to_string(),
        }
        .into());
    }
    let change = CatalogChange::Upsert {
        product: Box::new(product),
    };
    let done = published(admin.send(ChangeCatalog { change }).await?)?;
    no_store(Response::from_json(&done)?)
}

/// `DELETE /admin/api/products/{handle}`. Cart lines of its SKUs then show as unavailable.
pub async fn delete_product(
    req: &Request,
    admin: &CatalogAdmin,
    handle: &Handle,
) -> Result<Response, AppError> {
    let change = CatalogChange::Delete {
        handle: handle.clone(),
        confirm: confirmed(req),
    };
    let done = published(admin.send(ChangeCatalog { change }).await?)?;
    no_store(Response::from_json(&done)?)
}

/// `GET /admin/api/orders?status=&cursor=&limit=`: newest first.
pub async fn list_orders(req: &Request, shop: &Shopping) -> Result<Response, AppError> {
    let pairs = platform::query_pairs(req);
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    let status = match get("status").filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(OrderStatus::parse(s).ok_or_else(|| {
            let known: Vec<&str> = OrderStatus::ALL.iter().map(|s| s.as_str()).collect();
            BadInput::BadStatus(known.join(", "))
        })?),
    };
    let cursor = match get("cursor").filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(Cursor::try_from(c.to_owned()).map_err(|_| BadInput::BadCursor)?),
    };
    let limit = match get("limit") {
        None => 50,
        Some(l) => l
            .parse::<u32>()
            .ok()
            .filter(|l| (1..=100).contains(l))
            .ok_or(BadInput::BadLimit)?,
    };
    let page = shop.orders.index.list(status, cursor, limit).await?;
    no_store(Response::from_json(&page)?)
}

async fn order_of(shop: &Shopping, id: &str) -> Result<Order, AppError> {
    shop.orders
        .get(id)
        .await?
        .ok_or_else(|| BadInput::UnknownOrder(id.to_owned()).into())
}

/// `GET /admin/api/orders/{id}`: everything about the order.
pub async fn get_order(shop: &Shopping, id: &str) -> Result<Response, AppError> {
    no_store(Response::from_json(&order_of(shop, id).await?)?)
}

/// `POST /admin/api/orders/{id}/fulfil`: a paid order was sent. Repeating it changes nothing.
pub async fn fulfil(shop: &Shopping, id: &str) -> Result<Response, AppError> {
    no_store(Response::from_json(&fulfil_order(shop, id).await?)?)
}

/// Marks a paid order fulfilled (idempotent).
pub async fn fulfil_order(shop: &Shopping, id: &str) -> Result<Order, AppError> {
    Ok(shop.commerce().fulfil(id).await?)
}

/// `POST /admin/api/orders/{id}/refund` `{"restock": bool}`: refunds the whole payment at the
/// gateway (idempotency key from the order), then restocks the units if asked, once.
pub async fn refund(req: &mut Request, shop: &Shopping, id: &str) -> Result<Response, AppError> {
    let body = platform::body_bytes(req, platform::MAX_BODY_BYTES).await?;
    let restock = if body.iter().all(u8::is_ascii_whitespace) {
        false
    } else {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct RefundRequest {
            #[serde(default)]
            restock: bool,
        }
        platform::parse_json::<RefundRequest>(&body)?.restock
    };
    let (order, restocked) = refund_order(shop, id, restock).await?;
    no_store(Response::from_json(
        &serde_json::json!({ "order": order, "restocked": restocked }),
    )?)
}

/// Refunds a paid order at the gateway (once), and restocks its units if asked (once).
pub async fn refund_order(
    shop: &Shopping,
    id: &str,
    restock: bool,
) -> Result<(Order, bool), AppError> {
    let commerce::Refunded { order, restocked } = shop.commerce().refund(id, restock).await?;
    Ok((order, restocked))
}

/// `GET /admin/api/discounts`: every code with its uses (`redeemed`, `held`).
pub async fn list_discounts(shop: &Shopping) -> Result<Response, AppError> {
    let all = shop.discounts.list().await?;
    no_store(Response::from_json(
        &serde_json::json!({ "discounts": all }),
    )?)
}

/// A discount code written in an address: unknown if it cannot be one.
fn path_code(raw: &str) -> Result<Code, AppError> {
    Code::parse(raw).map_err(|_| Refusal::Unknown.into())
}

/// `POST /admin/api/discounts` (`code: None`: a new code, 201; 409 `code_exists` if taken) and
/// `PUT /admin/api/discounts/{code}` (replaces the definition, keeping its uses; 404
/// `unknown_code`). A definition that does not hold together is a 400 `invalid_discount`
/// naming the field.
pub async fn put_discount(
    req: &mut Request,
    shop: &Shopping,
    code: Option<&str>,
) -> Result<Response, AppError> {
    let path = code.map(path_code).transpose()?;
    let body = platform::body_bytes(req, platform::MAX_BODY_BYTES).await?;
    let input: DiscountInput = platform::parse_json(&body)?;
    let discount = input
        .validate(path.as_ref())
        .map_err(BadInput::BadDiscount)?;
    let create = path.is_none();
    let name = discount.code.to_string();
    let Some(summary) = shop.discounts.put(discount, create).await? else {
        return Err(if create {
            BadInput::CodeExists(name).into()
        } else {
            Refusal::Unknown.into()
        });
    };
    let status = if create { 201 } else { 200 };
    no_store(Response::from_json(&summary)?.with_status(status))
}

/// `DELETE /admin/api/discounts/{code}`: disables the code (its uses and history stay; `PUT`
/// with `"disabled": false` turns it back on).
pub async fn disable_discount(shop: &Shopping, code: &str) -> Result<Response, AppError> {
    let code = path_code(code)?;
    let summary = shop
        .discounts
        .disable(code)
        .await?
        .ok_or(Refusal::Unknown)?;
    no_store(Response::from_json(&summary)?)
}
