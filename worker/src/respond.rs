//! Response helpers: content types, cache headers, ETags and conditional requests.

use crate::page_cache::Page;
use sha2::{Digest, Sha256};
use worker::{Request, Response};

/// How long shared caches may keep catalog pages and API answers. The catalog changes
/// rarely, and a stale page is fine for a few minutes while it revalidates.
pub const CATALOG_CACHE: &str = "public, max-age=60, s-maxage=300, stale-while-revalidate=600";

/// Pages that show live stock: shared caches may keep them only briefly.
pub const LIVE_CACHE: &str = "public, max-age=0, s-maxage=10, stale-while-revalidate=30";

/// A strong ETag over the exact bytes served.
pub fn etag(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    format!("\"{}\"", hex::encode(&digest[..12]))
}

fn not_modified(req: &Request, tag: &str) -> bool {
    req.headers()
        .get("if-none-match")
        .ok()
        .flatten()
        .is_some_and(|v| {
            v.split(',').any(|t| {
                t.trim() == tag || t.trim() == "*" || t.trim().trim_start_matches("W/") == tag
            })
        })
}

/// The shop's pages load scripts, styles and images only from the shop itself (the JSON-LD
/// blocks are data, which CSP does not execute). Forms post to the shop; browsers also apply
/// `form-action` to the redirect that follows a post, so checkout's redirect needs the payment
/// page's origin there too (`PAYMENT_PAGE_ORIGIN`, Stripe's hosted checkout by default).
pub fn content_security_policy(payment_page_origin: &str) -> String {
    format!(
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
connect-src 'self'; form-action 'self' {payment_page_origin}; frame-ancestors 'none'; base-uri 'self'; \
object-src 'none'"
    )
}

pub fn with_security_headers(mut resp: Response) -> worker::Result<Response> {
    let h = resp.headers_mut();
    h.set("x-content-type-options", "nosniff")?;
    h.set("referrer-policy", "strict-origin-when-cross-origin")?;
    h.set("content-security-policy", &crate::config::csp())?;
    h.set("x-frame-options", "DENY")?;
    Ok(resp)
}

/// HSTS, only when the request came over https (never on a local http run).
pub fn with_hsts(req: &worker::Request, mut resp: Response) -> worker::Result<Response> {
    if crate::platform::is_https(req) {
        resp.headers_mut().set(
            "strict-transport-security",
            "max-age=31536000; includeSubDomains",
        )?;
    }
    Ok(resp)
}

/// A cacheable response: `body` with `content_type`, an ETag, and 304 when the client has it.
fn cacheable(req: &Request, body: Vec<u8>, content_type: &str) -> worker::Result<Response> {
    let tag = etag(&body);
    tagged(req, body, &tag, content_type, CATALOG_CACHE)
}

fn tagged(
    req: &Request,
    body: Vec<u8>,
    tag: &str,
    content_type: &str,
    cache_control: &str,
) -> worker::Result<Response> {
    let mut resp = if not_modified(req, tag) {
        Response::empty()?.with_status(304)
    } else {
        Response::from_bytes(body)?
    };
    let h = resp.headers_mut();
    h.set("content-type", content_type)?;
    h.set("cache-control", cache_control)?;
    h.set("etag", tag)?;
    h.set("vary", "accept-encoding")?;
    Ok(resp)
}

/// A catalog page (home, collection, search): cacheable for minutes by shared caches.
pub fn catalog_page(req: &Request, page: &Page) -> worker::Result<Response> {
    with_security_headers(tagged(
        req,
        page.body.clone(),
        &page.etag,
        HTML,
        CATALOG_CACHE,
    )?)
}

/// A page that shows live stock (the product page): shared caches keep it only briefly.
pub fn live_page(req: &Request, page: &Page) -> worker::Result<Response> {
    with_security_headers(tagged(
        req,
        page.body.clone(),
        &page.etag,
        HTML,
        LIVE_CACHE,
    )?)
}

const HTML: &str = "text/html; charset=utf-8";

pub fn catalog_json<T: serde::Serialize>(req: &Request, value: &T) -> worker::Result<Response> {
    let body = serde_json::to_vec(value).map_err(|e| worker::Error::RustError(e.to_string()))?;
    with_security_headers(cacheable(req, body, "application/json")?)
}

pub fn live_json<T: serde::Serialize>(req: &Request, value: &T) -> worker::Result<Response> {
    let body = serde_json::to_vec(value).map_err(|e| worker::Error::RustError(e.to_string()))?;
    let tag = etag(&body);
    with_security_headers(tagged(req, body, &tag, "application/json", LIVE_CACHE)?)
}
