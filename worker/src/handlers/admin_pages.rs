//! The merchant's pages under `/admin`: sign in with the admin token (an HttpOnly,
//! SameSite=Strict session cookie follows, signed with the token: `domain::admin_session`),
//! then one page of orders, stock and the catalog import. Every form post needs the session's
//! CSRF token, else 403; each action redirects back (post/redirect/get).

use crate::error::{AppError, BadInput};
use crate::objects::catalog::CatalogAdmin;
use crate::platform::{self, field};
use crate::respond::{self, see_other, with_cookie, Cookie};
use crate::services::catalog::CatalogStore;
use crate::services::merchant::{self, MAX_IMPORT_BYTES, MAX_ON_HAND, MAX_SETTINGS_BYTES};
use crate::services::shopping::Shopping;
use app::admin_pages::{AdminView, OrderRow, StockRow};
use domain::admin_session;
use domain::discount::{Code, DiscountInput, InputError, Kind, Refusal, TimeInput};
use domain::money::parse_decimal;
use domain::Sku;
use worker::{Env, Request, Response};

const COOKIE: &str = "admin_session";

fn secret(env: &Env) -> Result<String, AppError> {
    crate::config::of(env)?
        .admin_token
        .clone()
        .ok_or(AppError::Unauthorized)
}

/// The signed-in session, if any.
fn session(req: &Request, env: &Env) -> Option<String> {
    let secret = secret(env).ok()?;
    platform::cookie(req, COOKIE)
        .filter(|c| admin_session::valid_session(secret.as_bytes(), c, platform::now()))
}

fn html(body: String, status: u16) -> Result<Response, AppError> {
    respond::no_store(Response::from_html(body)?.with_status(status))
}

/// The admin session cookie with `value`, for `max_age` seconds (0 deletes it).
fn session_cookie(value: &str, max_age: i64) -> Cookie<'_> {
    Cookie {
        name: COOKIE,
        value,
        path: "/admin",
        max_age,
        strict: true,
    }
}

/// `GET /admin`: the sign-in form, or the admin page.
pub async fn home(
    req: &Request,
    env: &Env,
    store: &CatalogStore,
    shop: &Shopping,
) -> Result<Response, AppError> {
    let Some(session) = session(req, env) else {
        return html(app::render::admin_sign_in(None), 200);
    };
    let query = platform::query_pairs(req);
    let message = query
        .iter()
        .find(|(k, _)| k == "done")
        .map(|(_, v)| (v.clone(), false));
    page(env, store, shop, &session, message, Vec::new(), 200).await
}

async fn page(
    env: &Env,
    store: &CatalogStore,
    shop: &Shopping,
    session: &str,
    message: Option<(String, bool)>,
    problems: Vec<String>,
    status: u16,
) -> Result<Response, AppError> {
    let secret = secret(env)?;
    let (currency, skus, settings) = match store.index().await {
        Ok(index) => (
            index.currency,
            index
                .skus
                .iter()
                .map(|(k, e)| (k.clone(), e.clone()))
                .collect::<Vec<_>>(),
            index.settings.clone(),
        ),
        Err(_) => (domain::Currency::EUR, Vec::new(), None),
    };
    let counters = shop
        .inventory
        .stock(
            &skus
                .iter()
                .map(|(k, e)| (k.clone(), e.initial_stock))
                .collect::<Vec<_>>(),
        )
        .await?;
    let stock = skus
        .iter()
        .zip(counters)
        .map(|((sku, e), c)| StockRow {
            sku: sku.to_string(),
            title: e.title.clone(),
            price: e.price,
            on_hand: c.on_hand,
            reserved: c.reserved,
            available: c.available,
            buckets: c.split.max(1),
        })
        .collect();
    let orders = shop
        .orders
        .index
        .list(None, None, 50)
        .await?
        .orders
        .into_iter()
        .map(|o| OrderRow {
            id: o.id,
            status: o.status.as_str().to_owned(),
            created_at: o.created_at,
            total: o.total,
            email: o.email,
            country: o.country,
            shipping: o.shipping,
            tax: o.tax,
            amount_paid: o.amount_paid,
            address: o.address,
            discount: o.discount,
            mail: o.mail,
        })
        .collect();
    let view = AdminView {
        csrf: admin_session::csrf_token(secret.as_bytes(), session),
        currency,
        stock,
        orders,
        message,
        problems,
        settings,
        discounts: shop.discounts.list().await?,
        now: platform::now(),
    };
    html(app::render::admin(view), status)
}

/// `POST /admin/login`.
pub async fn login(req: &mut Request, env: &Env) -> Result<Response, AppError> {
    let form = platform::form_body(req).await?;
    let secret = secret(env)?;
    let given = field(&form, "token").unwrap_or_default();
    if !domain::webhook::constant_time_eq(given.as_bytes(), secret.as_bytes()) {
        return html(
            app::render::admin_sign_in(Some("That token is not right.".into())),
            401,
        );
    }
    let value = admin_session::new_session(
        secret.as_bytes(),
        platform::now(),
        &platform::random_hex(16)?,
    );
    let cookie = session_cookie(&value, admin_session::SESSION_SECONDS);
    with_cookie(req, see_other("/admin")?, &cookie)
}

/// A form post from a signed-in page: the session and its CSRF token, else 401/403.
async fn authorised_form(
    req: &mut Request,
    env: &Env,
    action: Action,
) -> Result<(String, Vec<(String, String)>), AppError> {
    let session = session(req, env).ok_or(AppError::Unauthorized)?;
    let form = match action {
        // A whole catalog, pasted or uploaded: the API's limit, and room for the form around it.
        Action::Import => {
            platform::form_fields(
                req,
                MAX_IMPORT_BYTES + 64 * 1024,
                &["csrf", "format", "catalog", "file", "confirm"],
            )
            .await?
        }
        // Shipping and tax settings: larger than a cart form.
        Action::Settings => {
            platform::form_fields(req, MAX_SETTINGS_BYTES, &["csrf", "settings"]).await?
        }
        _ => platform::form_body(req).await?,
    };
    let secret = secret(env)?;
    let token = field(&form, "csrf").unwrap_or_default();
    if !admin_session::valid_csrf(secret.as_bytes(), &session, token) {
        return Err(BadInput::BadCsrf.into());
    }
    Ok((session, form))
}

#[derive(Clone, Copy)]
pub enum Action {
    Logout,
    Stock,
    Import,
    Settings,
    Fulfil,
    Refund,
    /// A new discount code.
    Discount,
    /// Disables the code named in the address.
    DisableDiscount,
}

/// The new-code form as the API's body: a percentage as typed ("10" or "12.5"), amounts in the
/// shop currency's major units ("5.00"), times as `datetime-local` gives them (UTC).
fn discount_input(
    form: &[(String, String)],
    currency: domain::Currency,
) -> Result<DiscountInput, AppError> {
    let text = |name: &str| field(form, name).map(str::trim).filter(|v| !v.is_empty());
    let bad = |field: &'static str, message: &str| {
        AppError::from(BadInput::BadDiscount(InputError {
            field,
            message: message.to_owned(),
        }))
    };
    let kind = match text("kind") {
        Some("percent") => Kind::Percent,
        Some("fixed") => Kind::Fixed,
        Some("free_shipping") => Kind::FreeShipping,
        _ => return Err(bad("kind", "choose percent, amount or free shipping")),
    };
    let amount = |name: &'static str| match text(name) {
        None => Ok(None),
        Some(v) => parse_decimal(v, currency.exponent())
            .map(Some)
            .ok_or_else(|| bad(name, "must be an amount such as 5.00")),
    };
    let value = match (kind, text("value")) {
        (Kind::FreeShipping, _) | (_, None) => None,
        (Kind::Percent, Some(v)) => Some(
            parse_decimal(v.trim_end_matches('%'), 2)
                .ok_or_else(|| bad("value", "must be a percentage such as 10 or 12.5"))?,
        ),
        (Kind::Fixed, Some(_)) => amount("value")?,
    };
    let usage_limit = match text("usage_limit") {
        None => None,
        Some(v) => Some(
            v.parse::<i64>()
                .map_err(|_| bad("usage_limit", "must be a whole number"))?,
        ),
    };
    Ok(DiscountInput {
        code: text("code").map(str::to_owned),
        kind,
        value,
        min_subtotal: amount("min_subtotal")?,
        starts_at: text("starts_at").map(|t| TimeInput::Text(t.to_owned())),
        ends_at: text("ends_at").map(|t| TimeInput::Text(t.to_owned())),
        usage_limit,
        once_per_email: field(form, "once_per_email") == Some("true"),
        collections: text("collections")
            .map(|c| {
                c.split(',')
                    .map(str::trim)
                    .filter(|h| !h.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
        disabled: false,
    })
}

/// Every admin form post (`target`: the order id or discount code in the address).
pub async fn action(
    req: &mut Request,
    env: &Env,
    store: &CatalogStore,
    shop: &Shopping,
    action: Action,
    order_id: Option<&str>,
) -> Result<Response, AppError> {
    let (session, form) = authorised_form(req, env, action).await?;
    let result: Result<String, AppError> = async {
        match action {
            Action::Logout => Ok(String::new()),
            Action::Stock => {
                let raw = field(&form, "sku").unwrap_or_default();
                let sku = Sku::parse(raw).map_err(|e| BadInput::BadSku {
                    raw: raw.to_owned(),
                    reason: e.to_string(),
                })?;
                let on_hand = field(&form, "on_hand")
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .filter(|n| *n <= MAX_ON_HAND)
                    .ok_or(BadInput::BadOnHand { max: MAX_ON_HAND })?;
                let buckets = field(&form, "buckets")
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(|v| v.parse::<u64>().unwrap_or(0));
                let buckets = super::admin_api::parse_buckets(buckets)?;
                let index = store.index().await?;
                let Some(entry) = index.skus.get(&sku) else {
                    return Err(BadInput::UnknownSku(sku).into());
                };
                let view = shop
                    .inventory
                    .set_stock(&sku, entry.initial_stock, on_hand as u32, buckets)
                    .await?;
                Ok(match view.buckets.len() {
                    0 => format!("{sku}: {on_hand} on hand"),
                    k => format!("{sku}: {on_hand} on hand, over {k} buckets"),
                })
            }
            Action::Settings => {
                let text = field(&form, "settings").unwrap_or_default();
                merchant::put_settings(&CatalogAdmin::from_env(env)?, text).await?;
                Ok("Shipping and tax settings saved and published".to_owned())
            }
            Action::Import => {
                // An uploaded file wins over the text box.
                let text = [field(&form, "file"), field(&form, "catalog")]
                    .into_iter()
                    .flatten()
                    .find(|t| !t.trim().is_empty())
                    .ok_or(BadInput::NoCatalogGiven)?;
                if text.len() > MAX_IMPORT_BYTES {
                    return Err(BadInput::TooLarge {
                        max: MAX_IMPORT_BYTES,
                    }
                    .into());
                }
                let csv = field(&form, "format") == Some("csv");
                let confirm = field(&form, "confirm") == Some("replace");
                merchant::import_text(&CatalogAdmin::from_env(env)?, text, csv, confirm).await?;
                Ok("Catalog imported and published".into())
            }
            Action::Fulfil => {
                let id = order_id.unwrap_or_default();
                shop.commerce().fulfil(id).await?;
                Ok(format!("Order {id} fulfilled"))
            }
            Action::Refund => {
                let id = order_id.unwrap_or_default();
                let restock = field(&form, "restock") == Some("true");
                let restocked = shop.commerce().refund(id, restock).await?.restocked;
                Ok(format!(
                    "Order {id} refunded{}",
                    if restocked { ", stock restored" } else { "" }
                ))
            }
            Action::Discount => {
                let currency = store
                    .index()
                    .await
                    .map_or(domain::Currency::EUR, |i| i.currency);
                let discount = discount_input(&form, currency)?
                    .validate(None)
                    .map_err(BadInput::BadDiscount)?;
                let code = discount.code.to_string();
                if shop.discounts.put(discount, true).await?.is_none() {
                    return Err(BadInput::CodeExists(code).into());
                }
                Ok(format!("Discount code {code} created"))
            }
            Action::DisableDiscount => {
                let code =
                    Code::parse(order_id.unwrap_or_default()).map_err(|_| Refusal::Unknown)?;
                shop.discounts
                    .disable(code.clone())
                    .await?
                    .ok_or(Refusal::Unknown)?;
                Ok(format!("Discount code {code} disabled"))
            }
        }
    }
    .await;
    match (action, result) {
        (Action::Logout, _) => with_cookie(req, see_other("/admin")?, &session_cookie("", 0)),
        (_, Ok(done)) => see_other(&format!("/admin?done={}", app::pages::encode_query(&done))),
        (_, Err(e)) if e.worth_showing() => {
            let problems = match e.fields() {
                fields if fields.contains_key("problems") => fields
                    .get("problems")
                    .and_then(|p| p.as_array())
                    .map(|ps| {
                        ps.iter()
                            .map(|p| {
                                format!(
                                    "{}: {}",
                                    p["path"].as_str().unwrap_or(""),
                                    p["message"].as_str().unwrap_or("")
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                _ => Vec::new(),
            };
            page(
                env,
                store,
                shop,
                &session,
                Some((e.detail(), true)),
                problems,
                e.status_code(),
            )
            .await
        }
        (_, Err(e)) => Err(e),
    }
}
