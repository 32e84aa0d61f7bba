//! The shop's read paths: catalog pages and the read-only catalog API.

use crate::error::{AppError, BadInput};
use crate::objects::inventory::Inventory;
use crate::platform;
use crate::respond;
use crate::services::catalog::CatalogStore;
use crate::services::page_cache::PageCache;
use app::api::{ProductJson, ProductListJson};
use app::pages::ProductView;
use domain::listing::ListingQuery;
use domain::{CatalogIndex, Handle, Sku};
use std::fmt::Write;
use std::rc::Rc;
use worker::{Request, Response};

fn listing_query(req: &Request) -> Result<ListingQuery, AppError> {
    let pairs = platform::query_pairs(req);
    ListingQuery::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .map_err(|e| BadInput::BadQuery(e.to_string()).into())
}

/// The cache key of a listing: the catalog version, the route and the parsed query.
fn listing_key(version: &str, route: &str, query: &ListingQuery) -> String {
    format!(
        "{version}|{route}|{}|{}|{}|{}|{}",
        query.collection.as_ref().map_or("", |c| c.as_str()),
        query.sort.as_str(),
        query.page,
        query.per_page,
        query.q.as_deref().unwrap_or_default()
    )
}

pub async fn home(
    req: &Request,
    store: &CatalogStore,
    pages: PageCache,
) -> Result<Response, AppError> {
    let index = store.index().await?;
    let page = pages.get_or_render(format!("{}|home", index.version), || {
        app::render::home(&index)
    });
    Ok(respond::catalog_page(req, page.body.clone(), &page.etag)?)
}

pub async fn collection(
    req: &Request,
    store: &CatalogStore,
    pages: PageCache,
    handle: &Handle,
) -> Result<Response, AppError> {
    let index = store.index().await?;
    let collection = index
        .collection(handle.as_str())
        .ok_or(AppError::NotFound)?;
    let query = listing_query(req)?;
    if query.in_collection(&collection.handle).past_the_end(&index) {
        return Err(AppError::NotFound);
    }
    let key = listing_key(&index.version, &format!("c/{handle}"), &query);
    let page = pages.get_or_render(key, || app::render::collection(&index, collection, &query));
    Ok(respond::catalog_page(req, page.body.clone(), &page.etag)?)
}

pub async fn search(
    req: &Request,
    store: &CatalogStore,
    pages: PageCache,
) -> Result<Response, AppError> {
    let index = store.index().await?;
    let query = listing_query(req)?;
    if query.q.is_some() && query.past_the_end(&index) {
        return Err(AppError::NotFound);
    }
    let key = listing_key(&index.version, "search", &query);
    let page = pages.get_or_render(key, || app::render::search(&index, &query));
    Ok(respond::catalog_page(req, page.body.clone(), &page.etag)?)
}

/// The current index and the product `handle` of its version, or 404.
async fn find_product(
    store: &CatalogStore,
    handle: &Handle,
) -> Result<(Rc<CatalogIndex>, Rc<domain::Product>), AppError> {
    let index = store.index().await?;
    let product = store
        .product(&index, handle.as_str())
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((index, product))
}

/// Live counters of every variant of `product` (available units by SKU). If the counters cannot
/// be read, the page still renders from the catalog's figures rather than failing.
async fn live_stock(
    inventory: &Inventory,
    product: &domain::Product,
) -> std::collections::HashMap<String, u32> {
    let skus: Vec<_> = product
        .variants
        .iter()
        .map(|v| (v.sku.clone(), v.stock))
        .collect();
    match inventory.shown_stock(&skus).await {
        Ok(views) => views
            .into_iter()
            .map(|v| (v.sku.as_str().to_owned(), v.available))
            .collect(),
        Err(e) => {
            worker::console_error!("inventory unavailable, showing catalog stock: {e}");
            product
                .variants
                .iter()
                .map(|v| (v.sku.as_str().to_owned(), v.stock))
                .collect()
        }
    }
}

pub async fn product(
    req: &Request,
    store: &CatalogStore,
    inventory: &Inventory,
    pages: PageCache,
    handle: &Handle,
) -> Result<Response, AppError> {
    let (index, product) = find_product(store, handle).await?;
    // One read of the request's address for both the variant asked for and the origin.
    let address = req.inner().url();
    let url = platform::UrlParts::of(&address);
    let wanted = url
        .query_pairs()
        .into_iter()
        .find(|(k, _)| k == "variant")
        .and_then(|(_, v)| Sku::parse(&v).ok());
    let selected = wanted
        .and_then(|sku| product.variant(sku.as_str()))
        .or_else(|| product.default_variant())
        .cloned()
        .ok_or(AppError::NotFound)?;
    let collection = product
        .collections
        .first()
        .and_then(|c| index.collection(c.as_str()))
        .cloned();
    let stock = live_stock(inventory, &product).await;
    // The page shows the version's product and every variant's counter: those are its key.
    let origin = url.origin;
    let mut key = format!(
        "{}|{origin}|p/{}|{}",
        index.version, product.handle, selected.sku
    );
    for v in &product.variants {
        let n = stock.get(v.sku.as_str()).copied().unwrap_or(0);
        let _ = write!(key, "|{n}"); // writing to a String cannot fail
    }
    let page = pages.get_or_render(key, || {
        let view = ProductView {
            currency: index.currency,
            available: stock.get(selected.sku.as_str()).copied().unwrap_or(0),
            stock,
            selected,
            collection,
            product: (*product).clone(),
        };
        app::render::product(&index, view, origin)
    });
    Ok(respond::live_page(req, page.body.clone(), &page.etag)?)
}

pub async fn api_products(req: &Request, store: &CatalogStore) -> Result<Response, AppError> {
    let index = store.index().await?;
    let query = listing_query(req)?;
    let page = query.run(&index);
    Ok(respond::catalog_json(
        req,
        &ProductListJson::new(&page, index.currency),
    )?)
}

pub async fn api_product(
    req: &Request,
    store: &CatalogStore,
    inventory: &Inventory,
    handle: &Handle,
) -> Result<Response, AppError> {
    let (index, product) = find_product(store, handle).await?;
    let stock = live_stock(inventory, &product).await;
    let json = ProductJson::new(&product, index.currency, |sku| {
        stock.get(sku).copied().unwrap_or(0)
    });
    Ok(respond::live_json(req, &json)?)
}

/// `/sitemap.xml`, from the current catalog.
pub async fn sitemap(req: &Request, store: &CatalogStore) -> Result<Response, AppError> {
    let index = store.index().await?;
    let origin = crate::platform::origin(req)?;
    let mut resp = Response::ok(app::seo::sitemap(&index, &origin))?;
    let h = resp.headers_mut();
    h.set("content-type", "application/xml; charset=utf-8")?;
    h.set("cache-control", respond::CATALOG_CACHE)?;
    Ok(resp)
}

/// `/robots.txt`: crawl the catalog, not the personal pages; where the sitemap is.
pub fn robots(req: &Request) -> Result<Response, AppError> {
    let origin = crate::platform::origin(req)?;
    let body = format!(
        "User-agent: *\nDisallow: /cart\nDisallow: /checkout\nDisallow: /orders/\nDisallow: /api/\nDisallow: /admin/\n\nSitemap: {origin}/sitemap.xml\n"
    );
    let mut resp = Response::ok(body)?;
    resp.headers_mut()
        .set("content-type", "text/plain; charset=utf-8")?;
    resp.headers_mut()
        .set("cache-control", "public, max-age=86400")?;
    Ok(resp)
}
