//! The Cloudflare Workers entry point of the storefront.
//!
//! `#[event(fetch)]` only builds the [`Shop`] from the environment's bindings; routing is
//! the pure [`app::routes::route`], and each route has one handler.
//!
//! # Layout
//! - [`catalog`]: the catalog read path over Workers KV, with an in-isolate cache.
//! - [`error`]: [`error::AppError`], the one error type, and its HTTP mapping.
//! - [`respond`]: response helpers: cache headers, ETags, 304s, security headers.
//! - [`storefront`]: handlers of the catalog pages and the read-only catalog API.

pub mod catalog;
pub mod error;
pub mod respond;
pub mod storefront;

use app::routes::{route, Route};
use catalog::CatalogStore;
use error::AppError;
use worker::{event, Context, Env, Request, Response};

/// Everything a request needs, built from the Worker's bindings.
pub struct Shop {
    catalog: CatalogStore,
}

impl Shop {
    pub fn from_env(env: &Env) -> worker::Result<Self> {
        Ok(Shop {
            catalog: CatalogStore::from_env(env)?,
        })
    }

    pub async fn handle(&self, req: Request) -> worker::Result<Response> {
        let method = req.method().to_string();
        let route = route(&method, &req.path());
        let is_api = matches!(
            route,
            Route::ApiProducts | Route::ApiProduct(_) | Route::ApiNotFound
        ) || req.path().starts_with("/api/");
        let result = match &route {
            Route::Home => storefront::home(&req, &self.catalog).await,
            Route::Collection(h) => storefront::collection(&req, &self.catalog, h).await,
            Route::Search => storefront::search(&req, &self.catalog).await,
            Route::Product(h) => storefront::product(&req, &self.catalog, h).await,
            Route::ApiProducts => storefront::api_products(&req, &self.catalog).await,
            Route::ApiProduct(h) => storefront::api_product(&req, &self.catalog, h).await,
            Route::MethodNotAllowed(allow) => Err(AppError::MethodNotAllowed(allow)),
            Route::ApiNotFound | Route::NotFound => Err(AppError::NotFound),
        };
        match result {
            Ok(resp) => Ok(resp),
            Err(e) if is_api => e.to_json(),
            Err(e) => {
                let collections = match self.catalog.index().await {
                    Ok(index) => index.collections.clone(),
                    Err(_) => Vec::new(),
                };
                e.to_html(collections)
            }
        }
    }
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    Shop::from_env(&env)?.handle(req).await
}
