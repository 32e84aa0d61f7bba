//! The Cloudflare Workers entry point of the storefront.
//!
//! `#[event(fetch)]` only builds the [`Shop`] from the environment's bindings; routing is
//! the pure [`app::routes::route`], and each route has one handler.
//!
//! # Layout: four floors, imports only downwards (checked by `floors.rs`)
//! 4. [`handlers`]: HTTP in, HTTP out: the catalog pages, the cart and checkout, the merchant's
//!    API and pages. No handler imports another.
//! 3. [`services`]: the catalog read path, the page cache, shopping (the cart commands and the
//!    `commerce` service over this worker's ports), the merchant's catalog changes.
//! 2. [`objects`] (the Durable Objects and their clients), [`payments`] (the gateway over
//!    `fetch`) and [`ports`] (the `commerce` ports over them).
//! 1. [`config`] (settings, once per isolate), [`error`] (the one error type), [`platform`]
//!    (time, randomness, request parts, bodies, calling objects) and [`respond`] (every kind
//!    of answer: cacheable, private, redirects, cookies, errors).

#[cfg(test)]
mod floors;

pub mod config;
pub mod error;
pub mod handlers;
pub mod mail;
pub mod objects;
pub mod payments;
pub mod platform;
pub mod ports;
pub mod respond;
pub mod services;

use app::routes::{is_api, route, AdminApi, Route};
use config::Config;
use error::AppError;
use handlers::admin_pages::{self, Action};
use handlers::cart::FormAction;
use handlers::{admin_api as admin, cart as shopping, orders, storefront};
use services::catalog::CatalogStore;
use services::page_cache::PageCache;
use services::shopping::Shopping;
use std::cell::OnceCell;
use std::rc::Rc;
use worker::{event, Context, Env, Request, Response};

pub use objects::cart::CartObject;
use objects::catalog::CatalogAdmin;
pub use objects::catalog::CatalogObject;
pub use objects::inventory::InventoryObject;
pub use objects::order_index::OrderIndexObject;
pub use objects::orders::OrderObject;

/// Everything a request needs, built from the Worker's bindings, once per isolate (the runtime
/// hands every request of an isolate the same bindings; looking them up cost each request one
/// runtime call per binding and per KV method). The bindings a route needs are looked up the
/// first time one does: catalog pages need only the catalog.
pub struct Shop {
    env: Env,
    config: Rc<Config>,
    catalog: CatalogStore,
    shopping: OnceCell<Shopping>,
}

thread_local! {
    static SHOP: OnceCell<Rc<Shop>> = const { OnceCell::new() };
}

impl Shop {
    pub fn from_env(env: Env) -> Result<Self, AppError> {
        let config = config::of(&env)?;
        Ok(Shop {
            catalog: CatalogStore::from_env(&env, &config)?,
            shopping: OnceCell::new(),
            config,
            env,
        })
    }

    /// This isolate's shop, built from `env` by its first request.
    pub fn of_isolate(env: Env) -> Result<Rc<Self>, AppError> {
        if let Some(shop) = SHOP.with(|s| s.get().cloned()) {
            return Ok(shop);
        }
        let shop = Rc::new(Shop::from_env(env)?);
        Ok(SHOP.with(|s| s.get_or_init(|| shop).clone()))
    }

    fn shopping(&self) -> Result<&Shopping, AppError> {
        if let Some(s) = self.shopping.get() {
            return Ok(s);
        }
        let s = Shopping::from_env(&self.env, &self.config)?;
        Ok(self.shopping.get_or_init(|| s))
    }

    fn pages(&self) -> PageCache {
        PageCache::new(self.config.page_cache)
    }

    async fn dispatch(&self, req: &mut Request, route: &Route) -> Result<Response, AppError> {
        let store = &self.catalog;
        match route {
            Route::Home => storefront::home(req, store, self.pages()).await,
            Route::Collection(h) => storefront::collection(req, store, self.pages(), h).await,
            Route::Search => storefront::search(req, store, self.pages()).await,
            Route::Product(h) => {
                let inventory = &self.shopping()?.inventory;
                storefront::product(req, store, inventory, self.pages(), h).await
            }
            Route::ApiProducts => storefront::api_products(req, store).await,
            Route::ApiProduct(h) => {
                storefront::api_product(req, store, &self.shopping()?.inventory, h).await
            }
            Route::Sitemap => storefront::sitemap(req, store).await,
            Route::Robots => storefront::robots(req),
            Route::Cart => shopping::cart(req, store, self.shopping()?).await,
            Route::CartAdd => {
                shopping::cart_form(req, store, self.shopping()?, FormAction::Add).await
            }
            Route::CartUpdate => {
                shopping::cart_form(req, store, self.shopping()?, FormAction::Update).await
            }
            Route::CartRemove => {
                shopping::cart_form(req, store, self.shopping()?, FormAction::Remove).await
            }
            Route::CartShipping => {
                shopping::cart_form(req, store, self.shopping()?, FormAction::Shipping).await
            }
            Route::CartDiscount => {
                shopping::cart_form(req, store, self.shopping()?, FormAction::Discount).await
            }
            Route::CartDiscountRemove => {
                let action = FormAction::DiscountRemove;
                shopping::cart_form(req, store, self.shopping()?, action).await
            }
            Route::Checkout => {
                shopping::cart_form(req, store, self.shopping()?, FormAction::Checkout).await
            }
            Route::Order(id) => orders::order_page(req, store, self.shopping()?, id.as_str()).await,
            Route::ApiCart => shopping::api_cart(req, store, self.shopping()?).await,
            Route::ApiCartAdd => shopping::api_cart_add(req, store, self.shopping()?).await,
            Route::ApiCartUpdate(sku) => {
                shopping::api_cart_update(req, store, self.shopping()?, sku).await
            }
            Route::ApiCartRemove(sku) => {
                shopping::api_cart_remove(req, store, self.shopping()?, sku).await
            }
            Route::ApiCartShipping => {
                shopping::api_cart_shipping(req, store, self.shopping()?).await
            }
            Route::ApiCartDiscount => {
                shopping::api_cart_discount(req, store, self.shopping()?).await
            }
            Route::ApiCartDiscountRemove => {
                shopping::api_cart_discount_remove(req, store, self.shopping()?).await
            }
            Route::ApiCheckout => shopping::api_checkout(req, store, self.shopping()?).await,
            Route::ApiOrder(id) => orders::api_order(self.shopping()?, id.as_str()).await,
            Route::PaymentWebhook => orders::payment_webhook(req, self.shopping()?).await,
            Route::AdminApi(api) => {
                admin::authorize(req, &self.env)?;
                self.admin_api(req, api).await
            }
            Route::AdminHome => admin_pages::home(req, &self.env, store, self.shopping()?).await,
            Route::AdminLogin => admin_pages::login(req, &self.env).await,
            Route::AdminLogout => {
                admin_pages::action(
                    req,
                    &self.env,
                    store,
                    self.shopping()?,
                    Action::Logout,
                    None,
                )
                .await
            }
            Route::AdminStockForm => {
                admin_pages::action(req, &self.env, store, self.shopping()?, Action::Stock, None)
                    .await
            }
            Route::AdminImportForm => {
                admin_pages::action(
                    req,
                    &self.env,
                    store,
                    self.shopping()?,
                    Action::Import,
                    None,
                )
                .await
            }
            Route::AdminSettingsForm => {
                admin_pages::action(
                    req,
                    &self.env,
                    store,
                    self.shopping()?,
                    Action::Settings,
                    None,
                )
                .await
            }
            Route::AdminFulfilForm(id) => {
                admin_pages::action(
                    req,
                    &self.env,
                    store,
                    self.shopping()?,
                    Action::Fulfil,
                    Some(id.as_str()),
                )
                .await
            }
            Route::AdminRefundForm(id) => {
                admin_pages::action(
                    req,
                    &self.env,
                    store,
                    self.shopping()?,
                    Action::Refund,
                    Some(id.as_str()),
                )
                .await
            }
            Route::AdminDiscountForm => {
                admin_pages::action(
                    req,
                    &self.env,
                    store,
                    self.shopping()?,
                    Action::Discount,
                    None,
                )
                .await
            }
            Route::AdminDiscountDisableForm(code) => {
                admin_pages::action(
                    req,
                    &self.env,
                    store,
                    self.shopping()?,
                    Action::DisableDiscount,
                    Some(code.as_str()),
                )
                .await
            }
            Route::MethodNotAllowed(allow) => Err(AppError::MethodNotAllowed(allow)),
            Route::ApiNotFound | Route::NotFound => Err(AppError::NotFound),
        }
    }

    /// The merchant's JSON API, once the bearer token has been checked.
    async fn admin_api(&self, req: &mut Request, api: &AdminApi) -> Result<Response, AppError> {
        let store = &self.catalog;
        let catalog_admin = || CatalogAdmin::from_env(&self.env);
        match api {
            AdminApi::InventoryGet(sku) => {
                admin::get_inventory(store, &self.shopping()?.inventory, sku).await
            }
            AdminApi::InventoryPut(sku) => {
                admin::put_inventory(req, store, &self.shopping()?.inventory, sku).await
            }
            AdminApi::CatalogImport => admin::import(req, &catalog_admin()?).await,
            AdminApi::CatalogExport => admin::export(&catalog_admin()?).await,
            AdminApi::SettingsGet => admin::get_settings(&catalog_admin()?).await,
            AdminApi::SettingsPut => admin::put_settings(req, &catalog_admin()?).await,
            AdminApi::ProductPut(h) => admin::put_product(req, &catalog_admin()?, h).await,
            AdminApi::ProductDelete(h) => admin::delete_product(req, &catalog_admin()?, h).await,
            AdminApi::Orders => admin::list_orders(req, self.shopping()?).await,
            AdminApi::Order(id) => admin::get_order(self.shopping()?, id.as_str()).await,
            AdminApi::OrderFulfil(id) => admin::fulfil(self.shopping()?, id.as_str()).await,
            AdminApi::OrderRefund(id) => admin::refund(req, self.shopping()?, id.as_str()).await,
            AdminApi::Discounts => admin::list_discounts(self.shopping()?).await,
            AdminApi::DiscountCreate => admin::put_discount(req, self.shopping()?, None).await,
            AdminApi::DiscountPut(code) => {
                admin::put_discount(req, self.shopping()?, Some(code)).await
            }
            AdminApi::DiscountDelete(code) => admin::disable_discount(self.shopping()?, code).await,
        }
    }

    pub async fn handle(&self, mut req: Request) -> worker::Result<Response> {
        let method = req.method().to_string();
        let path = req.path();
        let route = route(&method, &path);
        let result = match self.dispatch(&mut req, &route).await {
            Ok(resp) => Ok(resp),
            Err(e) if is_api(&route, &path) => respond::error_json(&e),
            Err(e) => {
                let collections = match self.catalog.index().await {
                    Ok(index) => index.collections.clone(),
                    Err(_) => Vec::new(),
                };
                respond::error_page(&e, collections)
            }
        };
        respond::with_hsts(&req, result?)
    }
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    match Shop::of_isolate(env) {
        Ok(shop) => shop.handle(req).await,
        Err(e) => {
            worker::console_error!("cannot start: {e}");
            respond::error_json(&e)
        }
    }
}
