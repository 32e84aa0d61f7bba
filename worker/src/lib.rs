//! The Cloudflare Workers entry point of the storefront.
//!
//! `#[event(fetch)]` only builds the [`Shop`] from the environment's bindings; routing is
//! the pure [`app::routes::route`], and each route has one handler.
//!
//! # Layout
//! - [`admin`]: the merchant's API (inventory, catalog, orders), behind a bearer token.
//! - [`admin_pages`]: the merchant's pages under `/admin` (session cookie, CSRF tokens).
//! - [`catalog`]: the catalog read path over Workers KV, with an in-isolate cache.
//! - [`config`]: the settings, read from `Env` once per isolate.
//! - [`error`]: [`error::AppError`], the one error type, and its HTTP mapping.
//! - [`objects`]: the Durable Objects (carts, inventory shards, orders) and their clients.
//! - [`page_cache`]: rendered catalog pages kept in the isolate, keyed by what they show.
//! - [`payments`]: the Stripe-compatible payment gateway client.
//! - [`platform`]: time, randomness, request addresses and headers, bodies, calling objects.
//! - [`respond`]: response helpers: cache headers, ETags, 304s, security headers.
//! - [`shopping`]: carts, checkout, payment webhooks and orders (JSON and HTML).
//! - [`storefront`]: handlers of the catalog pages and the read-only catalog API.

pub mod admin;
pub mod admin_pages;
pub mod catalog;
pub mod config;
pub mod error;
pub mod objects;
pub mod page_cache;
pub mod payments;
pub mod platform;
pub mod ports;
pub mod respond;
pub mod shopping;
pub mod storefront;

use admin_pages::Action;
use app::routes::{is_api, route, Route};
use catalog::CatalogStore;
use config::Config;
use error::AppError;
use objects::inventory::Inventory;
use page_cache::PageCache;
use shopping::{FormAction, Shopping};
use std::cell::OnceCell;
use std::rc::Rc;
use worker::{event, Context, Env, Request, Response};

pub use objects::cart::CartObject;
use objects::catalog::CatalogAdmin;
pub use objects::catalog::CatalogObject;
pub use objects::inventory::InventoryObject;
pub use objects::order_index::OrderIndexObject;
pub use objects::orders::OrderObject;

/// Everything a request needs, built from the Worker's bindings. Bindings are looked up when
/// a route first needs them: a product page needs the catalog and the inventory, not carts,
/// orders or the gateway.
pub struct Shop {
    env: Env,
    config: Rc<Config>,
    catalog: CatalogStore,
    shopping: OnceCell<Shopping>,
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
                let inventory = Inventory::from_env(&self.env, &self.config)?;
                storefront::product(req, store, &inventory, self.pages(), h).await
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
            Route::Checkout => {
                shopping::cart_form(req, store, self.shopping()?, FormAction::Checkout).await
            }
            Route::Order(id) => shopping::order_page(req, store, self.shopping()?, id).await,
            Route::ApiCart => shopping::api_cart(req, store, self.shopping()?).await,
            Route::ApiCartAdd => shopping::api_cart_add(req, store, self.shopping()?).await,
            Route::ApiCartUpdate(sku) => {
                shopping::api_cart_update(req, store, self.shopping()?, sku).await
            }
            Route::ApiCartRemove(sku) => {
                shopping::api_cart_remove(req, store, self.shopping()?, sku).await
            }
            Route::ApiCheckout => shopping::api_checkout(req, store, self.shopping()?).await,
            Route::ApiOrder(id) => shopping::api_order(self.shopping()?, id).await,
            Route::PaymentWebhook => shopping::payment_webhook(req, self.shopping()?).await,
            Route::AdminInventoryGet(sku) => {
                admin::authorize(req, &self.env)?;
                admin::get_inventory(store, &self.shopping()?.inventory, sku).await
            }
            Route::AdminInventoryPut(sku) => {
                admin::authorize(req, &self.env)?;
                admin::put_inventory(req, store, &self.shopping()?.inventory, sku).await
            }
            Route::AdminCatalogImport => {
                admin::authorize(req, &self.env)?;
                admin::import(req, &CatalogAdmin::from_env(&self.env)?).await
            }
            Route::AdminCatalogExport => {
                admin::authorize(req, &self.env)?;
                admin::export(&CatalogAdmin::from_env(&self.env)?).await
            }
            Route::AdminProductPut(h) => {
                admin::authorize(req, &self.env)?;
                admin::put_product(req, &CatalogAdmin::from_env(&self.env)?, h).await
            }
            Route::AdminProductDelete(h) => {
                admin::authorize(req, &self.env)?;
                admin::delete_product(req, &CatalogAdmin::from_env(&self.env)?, h).await
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
            Route::AdminFulfilForm(id) => {
                admin_pages::action(
                    req,
                    &self.env,
                    store,
                    self.shopping()?,
                    Action::Fulfil,
                    Some(id),
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
                    Some(id),
                )
                .await
            }
            Route::AdminOrders => {
                admin::authorize(req, &self.env)?;
                admin::list_orders(req, self.shopping()?).await
            }
            Route::AdminOrder(id) => {
                admin::authorize(req, &self.env)?;
                admin::get_order(self.shopping()?, id).await
            }
            Route::AdminOrderFulfil(id) => {
                admin::authorize(req, &self.env)?;
                admin::fulfil(self.shopping()?, id).await
            }
            Route::AdminOrderRefund(id) => {
                admin::authorize(req, &self.env)?;
                admin::refund(req, self.shopping()?, id).await
            }
            Route::MethodNotAllowed(allow) => Err(AppError::MethodNotAllowed(allow)),
            Route::ApiNotFound | Route::NotFound => Err(AppError::NotFound),
        }
    }

    pub async fn handle(&self, mut req: Request) -> worker::Result<Response> {
        let method = req.method().to_string();
        let path = req.path();
        let route = route(&method, &path);
        let result = match self.dispatch(&mut req, &route).await {
            Ok(resp) => Ok(resp),
            Err(e) if is_api(&route, &path) => e.to_json(),
            Err(e) => {
                let collections = match self.catalog.index().await {
                    Ok(index) => index.collections.clone(),
                    Err(_) => Vec::new(),
                };
                e.to_html(collections)
            }
        };
        respond::with_hsts(&req, result?)
    }
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    match Shop::from_env(env) {
        Ok(shop) => shop.handle(req).await,
        Err(e) => {
            worker::console_error!("cannot start: {e}");
            e.to_json()
        }
    }
}
