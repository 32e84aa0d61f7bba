//! The HTTP side of shopping: the cart API and its discount code, checkout, and the cart page
//! with its forms.

use crate::error::{AppError, BadInput};
use crate::platform::{self, field, Field};
use crate::respond::{no_store, see_other, with_cookie, Cookie};
use crate::services::catalog::CatalogStore;
use crate::services::shopping::{price, Shopping};
use app::api::CartJson;
use app::checkout_pages::CartView;
use domain::cart::{self, Cart, Destination};
use domain::{CartId, CatalogIndex, Country, Email, Quantity, Sku};
use worker::{Request, Response};

/// The cart cookie: its name and how long it lasts (seconds).
const COOKIE: &str = "cart";
const COOKIE_MAX_AGE: i64 = 30 * 24 * 3600;

/// The cart id from the `cart` cookie, if it is one.
pub fn cart_id(req: &Request) -> Option<CartId> {
    platform::cookie(req, COOKIE).and_then(|v| CartId::parse(&v).ok())
}

/// The cart cookie for cart `id`: `Lax`, so that it comes back with the payment page's
/// redirect.
fn cart_cookie(id: &CartId) -> Cookie<'_> {
    Cookie {
        name: COOKIE,
        value: id.as_str(),
        path: "/",
        max_age: COOKIE_MAX_AGE,
        strict: false,
    }
}

/// `POST /api/cart/items`.
#[derive(serde::Deserialize)]
struct AddItem {
    #[serde(default)]
    sku: Field<Sku>,
    #[serde(default)]
    quantity: Field<Quantity>,
}

/// `PATCH /api/cart/items/{sku}`: 0 removes the line.
#[derive(serde::Deserialize)]
struct SetQuantity {
    #[serde(default)]
    quantity: Field<u32>,
}

/// `POST /api/checkout`.
#[derive(serde::Deserialize)]
struct CheckoutBody {
    #[serde(default)]
    email: Field<String>,
}

/// 400 `bad_quantity` for what was sent (`None`: nothing).
fn bad_quantity(min: u32, got: Option<String>) -> BadInput {
    BadInput::BadQuantity {
        min,
        max: Quantity::MAX,
        got: got.unwrap_or_else(|| "nothing".into()),
    }
}

fn bad_sku(got: Option<String>) -> BadInput {
    match got {
        None => BadInput::MissingSku,
        Some(raw) => BadInput::BadSku {
            raw: raw.trim_matches('"').to_owned(),
            reason: domain::ids::IdError::BadSku.to_string(),
        },
    }
}

/// A line's new quantity: 0 (remove) to [`Quantity::MAX`].
fn line_quantity(q: u32) -> Result<u32, BadInput> {
    if q <= Quantity::MAX {
        Ok(q)
    } else {
        Err(bad_quantity(0, Some(q.to_string())))
    }
}

/// A quantity typed into a form.
fn form_quantity(v: Option<&str>, min: u32) -> Result<u32, BadInput> {
    let got = || Some(v.unwrap_or_default().to_owned());
    let n: u32 = v
        .and_then(|s| s.trim().parse().ok())
        .ok_or_else(|| bad_quantity(min, got()))?;
    if n < min {
        return Err(bad_quantity(min, got()));
    }
    line_quantity(n)
}

/// The country the request comes from, if it is one.
fn visitor(req: &Request) -> Option<Country> {
    platform::visitor_country(req).and_then(|c| Country::parse(&c).ok())
}

/// The cart as `GET /api/cart` answers it: its lines priced, and shipped (destination, rates,
/// totals) when the shop has shipping and tax settings.
fn json_cart(
    req: &Request,
    index: &CatalogIndex,
    id: Option<&CartId>,
    cart: &Cart,
    status: u16,
) -> Result<Response, AppError> {
    let priced = price(index, cart)?;
    let quote = domain::cart::quote(index, cart, &priced, visitor(req));
    let json = CartJson::new(id.map(CartId::as_str), &priced).quoted(quote.as_ref());
    no_store(Response::from_json(&json)?.with_status(status))
}

pub async fn api_cart(
    req: &Request,
    store: &CatalogStore,
    shop: &Shopping,
) -> Result<Response, AppError> {
    let index = store.index().await?;
    let id = cart_id(req);
    let cart = shop.cart_of(id.as_ref()).await?;
    json_cart(req, &index, id.as_ref(), &cart, 200)
}

pub async fn api_cart_add(
    req: &mut Request,
    store: &CatalogStore,
    shop: &Shopping,
) -> Result<Response, AppError> {
    let body: AddItem = platform::json_object(req).await?;
    let sku = body.sku.require(bad_sku)?;
    let qty = body
        .quantity
        .require(|got| bad_quantity(Quantity::MIN, got))?;
    let index = store.index().await?;
    let (id, cart, new) = shop.add(&index, cart_id(req), sku, qty).await?;
    let resp = json_cart(req, &index, Some(&id), &cart, if new { 201 } else { 200 })?;
    if new {
        return with_cookie(req, resp, &cart_cookie(&id));
    }
    Ok(resp)
}

pub async fn api_cart_update(
    req: &mut Request,
    store: &CatalogStore,
    shop: &Shopping,
    sku: &Sku,
) -> Result<Response, AppError> {
    let body: SetQuantity = platform::json_object(req).await?;
    let qty = line_quantity(body.quantity.require(|got| bad_quantity(0, got))?)?;
    let index = store.index().await?;
    let id = cart_id(req);
    let cart = shop.set(&index, id.clone(), sku, qty).await?;
    json_cart(req, &index, id.as_ref(), &cart, 200)
}

pub async fn api_cart_remove(
    req: &Request,
    store: &CatalogStore,
    shop: &Shopping,
    sku: &Sku,
) -> Result<Response, AppError> {
    let index = store.index().await?;
    let id = cart_id(req);
    let cart = shop.remove(id.clone(), sku).await?;
    json_cart(req, &index, id.as_ref(), &cart, 200)
}

/// `POST /api/cart/shipping` `{"country": "FR", "rate": "express"}`: where the cart ships, and
/// by which rate (absent: the cheapest).
#[derive(serde::Deserialize)]
struct ShipTo {
    #[serde(default)]
    country: Field<String>,
    #[serde(default)]
    rate: Field<Option<String>>,
}

pub async fn api_cart_shipping(
    req: &mut Request,
    store: &CatalogStore,
    shop: &Shopping,
) -> Result<Response, AppError> {
    let body: ShipTo = platform::json_object(req).await?;
    let country = required_string(body.country, "country", "FR")?;
    let rate = match body.rate {
        Field::Valid(rate) => rate,
        Field::Missing => None,
        Field::Invalid(raw) => {
            return Err(AppError::malformed_json(format!(
                "rate {raw} is not a string"
            )))
        }
    };
    let index = store.index().await?;
    let destination = destination(&index, &country, rate)?;
    let (id, cart, new) = shop.set_shipping(cart_id(req), destination).await?;
    let resp = json_cart(req, &index, Some(&id), &cart, 200)?;
    if new {
        return with_cookie(req, resp, &cart_cookie(&id));
    }
    Ok(resp)
}

/// A JSON body's string field `name`, or a 400 that shows an `example` of it.
fn required_string(field: Field<String>, name: &str, example: &str) -> Result<String, BadInput> {
    field.require(|got| {
        BadInput::MalformedJson(match got {
            Some(raw) => format!("{name} must be a string such as \"{example}\", got {raw}"),
            None => format!("{name} is missing: send {{\"{name}\": \"{example}\"}}"),
        })
    })
}

/// `POST /api/cart/discount` `{"code": "WELCOME10"}`.
#[derive(serde::Deserialize)]
struct ApplyCode {
    #[serde(default)]
    code: Field<String>,
}

/// Applies a discount code: the cart with `discount` and its new totals, or 404
/// `unknown_code`, 409 `code_not_active`, `below_minimum` (with `minimum`), `code_exhausted`.
pub async fn api_cart_discount(
    req: &mut Request,
    store: &CatalogStore,
    shop: &Shopping,
) -> Result<Response, AppError> {
    let body: ApplyCode = platform::json_object(req).await?;
    let code = required_string(body.code, "code", "WELCOME10")?;
    let index = store.index().await?;
    let id = cart_id(req);
    let cart = shop.apply_code(&index, id.clone(), &code).await?;
    json_cart(req, &index, id.as_ref(), &cart, 200)
}

/// `DELETE /api/cart/discount`: the cart without its code.
pub async fn api_cart_discount_remove(
    req: &Request,
    store: &CatalogStore,
    shop: &Shopping,
) -> Result<Response, AppError> {
    let index = store.index().await?;
    let id = cart_id(req);
    let cart = shop.remove_code(id.clone()).await?;
    json_cart(req, &index, id.as_ref(), &cart, 200)
}

/// A destination the shop ships to, by a rate it offers there (`None`: the cheapest).
fn destination(
    index: &CatalogIndex,
    country: &str,
    rate: Option<String>,
) -> Result<Destination, AppError> {
    let unshippable = || BadInput::UnshippableCountry(country.to_owned());
    let settings = index.settings.as_ref().ok_or_else(unshippable)?;
    let country = Country::parse(country.trim())
        .ok()
        .filter(|c| settings.ships_to(c))
        .ok_or_else(unshippable)?;
    if let Some(r) = &rate {
        if settings.rate(&country, r).is_none() {
            return Err(BadInput::UnknownRate {
                country: country.to_string(),
                rate: r.clone(),
            }
            .into());
        }
    }
    Ok(Destination { country, rate })
}

pub async fn api_checkout(
    req: &mut Request,
    store: &CatalogStore,
    shop: &Shopping,
) -> Result<Response, AppError> {
    let body: CheckoutBody = platform::json_object(req).await?;
    let email = match body.email {
        Field::Valid(e) => Email::trimmed(&e).map_err(|_| BadInput::BadEmail)?,
        _ => return Err(BadInput::BadEmail.into()),
    };
    let index = store.index().await?;
    let origin = platform::origin(req)?;
    let commerce::Checkout { order, created } = shop
        .commerce()
        .checkout(&index, &origin, cart_id(req).as_ref(), &email, visitor(req))
        .await?;
    let json = serde_json::json!({ "order_id": order.id, "payment_url": order.payment_url, "status": order.status });
    no_store(Response::from_json(&json)?.with_status(if created { 201 } else { 200 }))
}

// ---- pages and form posts ----------------------------------------------------------------

/// A problem as the cart page says it: the product's title where the API names its SKU.
fn for_shoppers(index: &CatalogIndex, e: &AppError) -> String {
    let detail = e.detail();
    let entry = e
        .field("sku")
        .and_then(|s| Sku::parse(&s).ok())
        .and_then(|sku| index.skus.get(&sku).map(|entry| (sku, entry)));
    match entry {
        Some((sku, entry)) => app::islands::named(&detail, sku.as_str(), &entry.title),
        None => detail,
    }
}

async fn cart_page(
    req: &Request,
    store: &CatalogStore,
    shop: &Shopping,
    error: Option<&AppError>,
) -> Result<Response, AppError> {
    let index = store.index().await?;
    let id = cart_id(req);
    let query = platform::query_pairs(req);
    // Back from the payment page with Cancel: end that checkout at once (its holds, its
    // session), and keep the e-mail the shopper typed.
    let cancelled = query
        .iter()
        .find(|(k, _)| k == "cancelled")
        .map(|(_, v)| v.clone());
    let mut email = String::new();
    if let (Some(order_id), Some(cart)) = (&cancelled, &id) {
        match shop.commerce().abandon(order_id, cart).await {
            Ok(Some(order)) => email = order.email,
            Ok(None) => {}
            Err(e) => {
                worker::console_error!("could not end the cancelled checkout {order_id}: {e}")
            }
        }
    }
    let cart = shop.cart_of(id.as_ref()).await?;
    let notice = cancelled.map(|_| "Payment cancelled: your cart is as you left it.".to_owned());
    let priced = price(&index, &cart)?;
    let quote = domain::cart::quote(&index, &cart, &priced, visitor(req));
    let countries = index
        .settings
        .as_ref()
        .map(|s| s.countries().copied().collect())
        .unwrap_or_default();
    let images = priced
        .lines
        .iter()
        .filter_map(|l| l.product_handle.as_deref())
        .filter_map(|h| {
            let p = index.products.iter().find(|p| p.handle.as_str() == h)?;
            Some((h.to_owned(), p.image.as_ref()?.src.clone()))
        })
        .collect();
    let view = CartView {
        cart: priced,
        images,
        error: error.map(|e| for_shoppers(&index, e)),
        notice,
        email,
        quote,
        countries,
    };
    let html = app::render::cart(index.collections.clone(), view);
    let status = error.map_or(200, AppError::status_code);
    no_store(Response::from_html(html)?.with_status(status))
}

pub async fn cart(
    req: &Request,
    store: &CatalogStore,
    shop: &Shopping,
) -> Result<Response, AppError> {
    cart_page(req, store, shop, None).await
}

/// Runs a form action; on a 4xx shows the cart with the problem, keeping its status code.
async fn form_action(
    req: &mut Request,
    store: &CatalogStore,
    shop: &Shopping,
    action: FormAction,
) -> Result<Response, AppError> {
    platform::same_origin(req)?;
    let form = platform::form_body(req).await?;
    let result = run_form(req, store, shop, action, &form).await;
    match result {
        Ok(resp) => Ok(resp),
        // The shopper's own mistakes and payment outages: show the cart (intact) with the reason.
        Err(e) if e.worth_showing() => cart_page(req, store, shop, Some(&e)).await,
        Err(e) => Err(e),
    }
}

#[derive(Clone, Copy)]
pub enum FormAction {
    Add,
    Update,
    Remove,
    Shipping,
    Discount,
    DiscountRemove,
    Checkout,
}

async fn run_form(
    req: &Request,
    store: &CatalogStore,
    shop: &Shopping,
    action: FormAction,
    form: &[(String, String)],
) -> Result<Response, AppError> {
    let index = store.index().await?;
    let id = cart_id(req);
    let sku_field = || {
        let raw = field(form, "sku").unwrap_or_default();
        Sku::parse(raw).map_err(|e| {
            AppError::from(BadInput::BadSku {
                raw: raw.to_owned(),
                reason: e.to_string(),
            })
        })
    };
    match action {
        FormAction::Add => {
            let n = form_quantity(field(form, "quantity"), Quantity::MIN)?;
            let qty = Quantity::new(i64::from(n))
                .map_err(|_| bad_quantity(Quantity::MIN, Some(n.to_string())))?;
            let (id, _, new) = shop.add(&index, id, sku_field()?, qty).await?;
            let resp = see_other("/cart")?;
            if new {
                return with_cookie(req, resp, &cart_cookie(&id));
            }
            Ok(resp)
        }
        FormAction::Update => {
            let qty = form_quantity(field(form, "quantity"), 0)?;
            // The stepper's − and + (submit buttons without JavaScript): one less or one more
            // than the quantity in the field, within the line's bounds.
            let qty = match field(form, "step") {
                Some("-1") => qty.saturating_sub(1),
                Some("1") => qty.saturating_add(1).min(cart::MAX_QUANTITY),
                _ => qty,
            };
            shop.set(&index, id, &sku_field()?, qty).await?;
            see_other("/cart")
        }
        FormAction::Remove => {
            shop.remove(id, &sku_field()?).await?;
            see_other("/cart")
        }
        FormAction::Shipping => {
            let rate = field(form, "rate").filter(|r| !r.is_empty());
            let to = destination(
                &index,
                field(form, "country").unwrap_or_default(),
                rate.map(str::to_owned),
            )?;
            let (id, _, new) = shop.set_shipping(id, to).await?;
            let resp = see_other("/cart")?;
            if new {
                return with_cookie(req, resp, &cart_cookie(&id));
            }
            Ok(resp)
        }
        FormAction::Discount => {
            let code = field(form, "code").unwrap_or_default();
            shop.apply_code(&index, id, code).await?;
            see_other("/cart")
        }
        FormAction::DiscountRemove => {
            shop.remove_code(id).await?;
            see_other("/cart")
        }
        FormAction::Checkout => {
            let origin = platform::origin(req)?;
            let email = Email::trimmed(field(form, "email").unwrap_or_default())
                .map_err(|_| BadInput::BadEmail)?;
            let commerce::Checkout { order, .. } = shop
                .commerce()
                .checkout(&index, &origin, id.as_ref(), &email, visitor(req))
                .await?;
            match &order.payment_url {
                Some(url) => see_other(url),
                None => see_other(&format!("/orders/{}", order.id)),
            }
        }
    }
}

pub async fn cart_form(
    req: &mut Request,
    store: &CatalogStore,
    shop: &Shopping,
    action: FormAction,
) -> Result<Response, AppError> {
    form_action(req, store, shop, action).await
}
