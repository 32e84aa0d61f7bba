//! Response helpers, one of each: cacheable answers (content types, cache headers, ETags and
//! conditional requests), private `no-store` answers, redirects, cookies, security headers,
//! and error pages.

use crate::error::AppError;
use std::cell::RefCell;
use worker::{Request, Response};

/// How long shared caches may keep catalog pages and API answers. The catalog changes
/// rarely, and a stale page is fine for a few minutes while it revalidates.
pub const CATALOG_CACHE: &str = "public, max-age=60, s-maxage=300, stale-while-revalidate=600";

/// Pages that show live stock: shared caches may keep them only briefly.
pub const LIVE_CACHE: &str = "public, max-age=0, s-maxage=10, stale-while-revalidate=30";

/// A strong ETag over the exact bytes served: 96 bits of [`fingerprint`].
pub fn etag(body: &[u8]) -> String {
    let (a, b) = fingerprint(body);
    format!("\"{a:016x}{:08x}\"", b >> 32)
}

/// Two 64-bit lanes over `bytes`, eight bytes a step. Not cryptographic (a page's bytes are the
/// shop's own, and an ETag only has to change when they do), and several times cheaper than a
/// SHA-256 of the page in wasm. Each step is a bijection of a lane for a given word, so bodies
/// that differ in one word (a price, a stock figure) always get different tags; other
/// differences collide by chance only. The length goes in last, then each lane is avalanched.
fn fingerprint(bytes: &[u8]) -> (u64, u64) {
    const K1: u64 = 0x9E37_79B9_7F4A_7C15;
    const K2: u64 = 0xC2B2_AE3D_27D4_EB4F;
    let (mut a, mut b) = (0x243F_6A88_85A3_08D3_u64, 0x1319_8A2E_0370_7344_u64);
    let mut step = |w: u64| {
        a = (a ^ w).wrapping_mul(K1).rotate_left(29);
        b = (b.rotate_left(23) ^ w).wrapping_mul(K2);
    };
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let mut w = [0; 8];
        w.copy_from_slice(word);
        step(u64::from_le_bytes(w));
    }
    let rest = words.remainder();
    let mut tail = [0; 8];
    tail[..rest.len()].copy_from_slice(rest);
    step(u64::from_le_bytes(tail));
    step(bytes.len() as u64);
    (avalanche(a), avalanche(b ^ a))
}

/// Every input bit flips about half the output bits (MurmurHash3's 64-bit finaliser).
fn avalanche(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    x ^= x >> 33;
    x = x.wrapping_mul(0xC4CE_B9FE_1A85_EC53);
    x ^ (x >> 33)
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

/// The headers every page and API answer carries: no sniffing, no framing, our CSP.
fn security_headers() -> [(&'static str, String); 4] {
    [
        ("x-content-type-options", "nosniff".into()),
        ("referrer-policy", "strict-origin-when-cross-origin".into()),
        ("content-security-policy", crate::config::csp()),
        ("x-frame-options", "DENY".into()),
    ]
}

pub fn with_security_headers(mut resp: Response) -> worker::Result<Response> {
    let h = resp.headers_mut();
    for (name, value) in security_headers() {
        h.set(name, &value)?;
    }
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
fn cacheable(req: &Request, body: Vec<u8>, content_type: &'static str) -> worker::Result<Response> {
    let tag = etag(&body);
    tagged(req, body, &tag, content_type, CATALOG_CACHE)
}

fn tagged(
    req: &Request,
    body: Vec<u8>,
    tag: &str,
    content_type: &'static str,
    cache_control: &'static str,
) -> worker::Result<Response> {
    let headers = cacheable_headers(content_type, cache_control)?;
    headers.set("etag", tag)?;
    let resp = if not_modified(req, tag) {
        Response::empty()?.with_status(304)
    } else {
        Response::from_bytes(body)?
    };
    Ok(resp.with_headers(worker::Headers(headers)))
}

thread_local! {
    /// The fixed headers of cacheable answers, by content type and cache policy, made once per
    /// isolate: copying a `Headers` is one call into the runtime, setting its eight fields
    /// eight.
    static TEMPLATES: RefCell<Vec<(&'static str, &'static str, web_sys::Headers)>> =
        const { RefCell::new(Vec::new()) };
}

/// A fresh copy of the fixed headers of a cacheable answer, security headers included.
fn cacheable_headers(
    content_type: &'static str,
    cache_control: &'static str,
) -> worker::Result<web_sys::Headers> {
    let cached = TEMPLATES.with_borrow(|t| {
        t.iter()
            .find(|(ct, cc, _)| *ct == content_type && *cc == cache_control)
            .map(|(_, _, h)| h.clone())
    });
    let template = match cached {
        Some(h) => h,
        None => {
            let h = web_sys::Headers::new()?;
            h.set("content-type", content_type)?;
            h.set("cache-control", cache_control)?;
            h.set("vary", "accept-encoding")?;
            for (name, value) in security_headers() {
                h.set(name, &value)?;
            }
            TEMPLATES.with_borrow_mut(|t| t.push((content_type, cache_control, h.clone())));
            h
        }
    };
    Ok(web_sys::Headers::new_with_headers(&template)?)
}

/// A catalog page (home, collection, search) of `body` with its `etag`: cacheable for minutes
/// by shared caches.
pub fn catalog_page(req: &Request, body: Vec<u8>, etag: &str) -> worker::Result<Response> {
    tagged(req, body, etag, HTML, CATALOG_CACHE)
}

/// A page that shows live stock (the product page): shared caches keep it only briefly.
pub fn live_page(req: &Request, body: Vec<u8>, etag: &str) -> worker::Result<Response> {
    tagged(req, body, etag, HTML, LIVE_CACHE)
}

const HTML: &str = "text/html; charset=utf-8";

pub fn catalog_json<T: serde::Serialize>(req: &Request, value: &T) -> worker::Result<Response> {
    let body = serde_json::to_vec(value).map_err(|e| worker::Error::RustError(e.to_string()))?;
    cacheable(req, body, "application/json")
}

pub fn live_json<T: serde::Serialize>(req: &Request, value: &T) -> worker::Result<Response> {
    let body = serde_json::to_vec(value).map_err(|e| worker::Error::RustError(e.to_string()))?;
    let tag = etag(&body);
    tagged(req, body, &tag, "application/json", LIVE_CACHE)
}

/// A private answer (a cart, an order, the admin): never kept by any cache.
pub fn no_store(mut resp: Response) -> Result<Response, AppError> {
    resp.headers_mut()
        .set("cache-control", "private, no-store")?;
    Ok(with_security_headers(resp)?)
}

/// `303 See Other` to `location`, the answer to every form post.
pub fn see_other(location: &str) -> Result<Response, AppError> {
    let mut resp = Response::empty()?.with_status(303);
    resp.headers_mut().set("location", location)?;
    no_store(resp)
}

/// A cookie the shop sets: always `HttpOnly`, `Secure` whenever the request came over https.
pub struct Cookie<'a> {
    pub name: &'a str,
    pub value: &'a str,
    pub path: &'a str,
    /// Seconds; 0 deletes the cookie.
    pub max_age: i64,
    /// `SameSite=Strict` (the admin) rather than `Lax` (the cart, which must survive the
    /// payment page's redirect back).
    pub strict: bool,
}

impl Cookie<'_> {
    /// The `Set-Cookie` value for an answer to `req`.
    pub fn header(&self, req: &Request) -> String {
        format!(
            "{}={}; Path={}; Max-Age={}; HttpOnly; SameSite={}{}",
            self.name,
            self.value,
            self.path,
            self.max_age,
            if self.strict { "Strict" } else { "Lax" },
            if crate::platform::is_https(req) {
                "; Secure"
            } else {
                ""
            }
        )
    }
}

/// `resp` setting `cookie`.
pub fn with_cookie(
    req: &Request,
    mut resp: Response,
    cookie: &Cookie,
) -> Result<Response, AppError> {
    resp.headers_mut().set("set-cookie", &cookie.header(req))?;
    Ok(resp)
}

/// An error as JSON: `{"error": code, "detail": …, …fields}`.
pub fn error_json(e: &AppError) -> worker::Result<Response> {
    finish_error(e, Response::from_json(&e.body())?)
}

/// An error as the shop's HTML page.
pub fn error_page(e: &AppError, collections: Vec<domain::Collection>) -> worker::Result<Response> {
    let html = app::render::error(collections, e.status_code(), e.title(), &e.detail());
    finish_error(e, with_security_headers(Response::from_html(html)?)?)
}

fn finish_error(e: &AppError, mut resp: Response) -> worker::Result<Response> {
    e.log();
    resp = resp.with_status(e.status_code());
    let headers = resp.headers_mut();
    headers.set("cache-control", "no-store")?;
    if let AppError::MethodNotAllowed(allow) = e {
        headers.set("allow", allow)?;
    }
    if let AppError::Unauthorized = e {
        headers.set("www-authenticate", "Bearer")?;
    }
    if matches!(
        e,
        AppError::Payment(commerce::ports::PaymentError::RateLimited)
            | AppError::Shop(commerce::ShopError::StockBusy { .. })
    ) {
        headers.set("retry-after", "2")?;
    }
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::etag;
    use std::collections::HashSet;

    #[test]
    fn an_etag_is_a_quoted_96_bit_hex_tag_of_the_bytes() {
        let tag = etag(b"<html>a page</html>");
        assert_eq!(tag.len(), 26, "{tag}");
        assert!(tag.starts_with('"') && tag.ends_with('"'));
        assert!(tag[1..25]
            .bytes()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_eq!(tag, etag(b"<html>a page</html>"));
    }

    #[test]
    fn every_one_byte_change_changes_the_tag() {
        // 103 bytes: twelve whole words and a tail of seven.
        let body: Vec<u8> = (0..103u8).map(|i| i.wrapping_mul(37)).collect();
        let original = etag(&body);
        let mut seen = HashSet::from([original.clone()]);
        for at in 0..body.len() {
            for flip in [1u8, 0x80, 0xFF] {
                let mut changed = body.clone();
                changed[at] ^= flip;
                assert!(
                    seen.insert(etag(&changed)),
                    "byte {at} ^ {flip:#x} collided"
                );
            }
        }
    }

    #[test]
    fn bodies_that_differ_only_in_length_get_different_tags() {
        let mut seen = HashSet::new();
        for len in 0..40 {
            assert!(
                seen.insert(etag(&vec![0; len])),
                "{len} zero bytes collided"
            );
        }
    }

    #[test]
    fn two_prices_on_a_page_changing_together_still_change_the_tag() {
        let page = |a: &str, b: &str| format!("<p>{a}</p><div>…</div><p>{b}</p>").into_bytes();
        let tags: HashSet<String> = [
            ("€10.00", "€12.00"),
            ("€12.00", "€10.00"),
            ("€10.50", "€11.50"),
        ]
        .iter()
        .map(|(a, b)| etag(&page(a, b)))
        .collect();
        assert_eq!(tags.len(), 3);
    }
}
