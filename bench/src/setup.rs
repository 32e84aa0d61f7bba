//! Requests made outside the measurements: seeding React's catalog, stock, carts, one checked
//! answer per route, page sizes, and the product page's client payload.

use std::path::Path;

use integration_tests::ADMIN_TOKEN;
use serde_json::json;

use crate::contenders::{Contenders, Runtime};
use crate::rounds::{Kind, SPECS};
use crate::{load, measure, Result, Settings, Sizes, PRODUCT_HANDLE, PRODUCT_PAGE, SKU};

/// Cart ids (`cart` cookies) made before the measurements, each holding one unit of [`SKU`].
pub struct Carts {
    /// For `GET /api/cart`.
    pub read: Vec<String>,
    /// For add to cart: `settings.add_carts` per round.
    pub add: Vec<String>,
    /// For checkout, each once.
    pub checkout: Vec<String>,
}

impl Carts {
    /// Raises the stock of [`SKU`], makes the carts, checks one checkout in full and one answer
    /// of every GET route of every contender.
    pub async fn make(http: &reqwest::Client, c: &Contenders, s: &Settings) -> Result<Carts> {
        let base = &c.shop.base;
        set_stock(http, base, 1_000_000).await?;
        let read = new_carts(http, base, s.cart_carts).await?;
        let add = new_carts(http, base, s.add_carts * s.rounds).await?;
        let mut checkout = new_carts(http, base, s.checkout_carts + 1).await?;
        let first = checkout.pop().ok_or("no cart to check out")?;
        check_checkout(http, c, &first).await?;
        for spec in SPECS.iter().filter(|r| matches!(r.kind, Kind::Get)) {
            get_ok(http, &c.url(spec.runtime, spec.path)).await?;
        }
        Ok(Carts {
            read,
            add,
            checkout,
        })
    }
}

/// GETs `url`, requiring 200, and returns the body.
pub async fn get_bytes(http: &reqwest::Client, url: &str) -> Result<Vec<u8>> {
    let resp = http
        .get(url)
        .send()
        .await
        .map_err(|e| format!("GET {url}: {}", load::chain(&e)))?;
    let status = resp.status().as_u16();
    let body = resp
        .bytes()
        .await
        .map_err(|e| format!("GET {url}: {}", load::chain(&e)))?;
    if status != 200 {
        let text = String::from_utf8_lossy(&body[..body.len().min(500)]).into_owned();
        return Err(format!("GET {url}: expected 200, got {status}: {text}"));
    }
    Ok(body.to_vec())
}

/// [`get_bytes`] as text.
pub async fn get_ok(http: &reqwest::Client, url: &str) -> Result<String> {
    let body = get_bytes(http, url).await?;
    String::from_utf8(body).map_err(|e| format!("GET {url}: not UTF-8: {e}"))
}

/// Publishes the demo catalog in React's KV (its `POST /__seed`).
pub async fn seed_react(http: &reqwest::Client, root: &Path, base: &str) -> Result<()> {
    let file = root.join("catalog/demo.json");
    let demo = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
    let url = format!("{base}/__seed");
    let resp = http
        .post(&url)
        .body(demo)
        .send()
        .await
        .map_err(|e| format!("POST {url}: {}", load::chain(&e)))?;
    let status = resp.status().as_u16();
    let body = resp.text().await.unwrap_or_default();
    if status != 200 {
        return Err(format!("POST {url}: expected 200, got {status}: {body}"));
    }
    Ok(())
}

/// A product page (for React, the shop's or the cache-off shop's), checked to be the demo
/// product's page with its buy form.
pub async fn product_page(http: &reqwest::Client, url: &str) -> Result<String> {
    let html = get_ok(http, url).await?;
    let needles = [
        "<title>Packable Rain Jacket",
        "application/ld+json",
        "og:type",
        "class=\"add-to-cart\"",
        "class=\"cart-link\"",
        "aria-label=\"Breadcrumb\"",
        "€179.00",
    ];
    match needles.iter().find(|n| !html.contains(**n)) {
        Some(missing) => Err(format!(
            "GET {url}: not the product page ({missing:?} missing): {}",
            &html[..html.len().min(500)]
        )),
        None => Ok(html),
    }
}

/// The product page's size as each contender serves it (the ceiling's page is made to match).
/// The pages are kept in `target/bench/pages/` for a look.
pub async fn page_sizes(
    http: &reqwest::Client,
    root: &Path,
    c: &Contenders,
    shop: &str,
) -> Result<Sizes> {
    let react = |prefix: &str| {
        c.url(
            Runtime::React,
            &format!("{prefix}/products/{PRODUCT_HANDLE}"),
        )
    };
    let pages = [
        ("shop.html", shop.to_owned()),
        (
            "shop-no-cache.html",
            product_page(http, &c.url(Runtime::ShopNoCache, PRODUCT_PAGE)).await?,
        ),
        ("react-string.html", product_page(http, &react("")).await?),
        (
            "react-stream.html",
            product_page(http, &react("/stream")).await?,
        ),
        (
            "ceiling.html",
            get_ok(http, &c.url(Runtime::Ceiling, "/")).await?,
        ),
    ];
    let dir = root.join("target/bench/pages");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for (name, html) in &pages {
        let file = dir.join(name);
        std::fs::write(&file, html).map_err(|e| format!("{}: {e}", file.display()))?;
    }
    let [shop, no_cache, string, stream, ceiling] = pages.map(|(_, html)| html.len());
    Ok(Sizes {
        shop,
        shop_no_cache: no_cache,
        react_string: string,
        react_stream: stream,
        ceiling,
    })
}

pub async fn set_stock(http: &reqwest::Client, base: &str, on_hand: u32) -> Result<()> {
    let url = format!("{base}/admin/api/inventory/{SKU}");
    let resp = http
        .put(&url)
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({ "on_hand": on_hand }))
        .send()
        .await
        .map_err(|e| format!("PUT {url}: {}", load::chain(&e)))?;
    let status = resp.status().as_u16();
    if status != 200 {
        let body = resp.text().await.unwrap_or_default();
        return Err(format!("PUT {url}: expected 200, got {status}: {body}"));
    }
    Ok(())
}

/// A new cart holding one unit of `sku`; returns its id (the `cart` cookie).
async fn new_cart(http: &reqwest::Client, base: &str, sku: &str) -> Result<String> {
    let url = format!("{base}/api/cart/items");
    let resp = http
        .post(&url)
        .json(&json!({ "sku": sku, "quantity": 1 }))
        .send()
        .await
        .map_err(|e| format!("POST {url}: {}", load::chain(&e)))?;
    let status = resp.status().as_u16();
    let cookie = resp
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|c| c.strip_prefix("cart="))
        .and_then(|c| c.split(';').next())
        .map(str::to_owned);
    let body = resp.text().await.unwrap_or_default();
    match (status, cookie) {
        (201, Some(id)) if !id.is_empty() => Ok(id),
        _ => Err(format!(
            "POST {url}: expected 201 with a cart cookie, got {status}: {body}"
        )),
    }
}

/// [`new_cart`], tried again after a failed connection (set-up is not measured; a keep-alive
/// connection the runtime has just closed can fail a request).
async fn new_cart_retried(http: &reqwest::Client, base: &str, sku: &str) -> Result<String> {
    let mut attempt = 1;
    loop {
        match new_cart(http, base, sku).await {
            Err(e) if attempt < 3 && e.contains("error sending request") => {
                eprintln!("  retrying a cart ({e})");
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// `n` new carts holding one unit of [`SKU`], made 16 at a time.
pub async fn new_carts(http: &reqwest::Client, base: &str, n: usize) -> Result<Vec<String>> {
    new_carts_of(http, base, SKU, n).await
}

/// `n` new carts holding one unit of `sku`, made 16 at a time.
pub async fn new_carts_of(
    http: &reqwest::Client,
    base: &str,
    sku: &str,
    n: usize,
) -> Result<Vec<String>> {
    const AT_ONCE: usize = 16;
    eprintln!("creating {n} carts of {sku}");
    let mut tasks = Vec::new();
    for worker in 0..AT_ONCE.min(n) {
        let (http, base, sku) = (http.clone(), base.to_owned(), sku.to_owned());
        let share = (worker..n).step_by(AT_ONCE).count();
        tasks.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            for _ in 0..share {
                ids.push(new_cart_retried(&http, &base, &sku).await?);
            }
            Ok::<_, String>(ids)
        }));
    }
    let mut carts = Vec::new();
    for task in tasks {
        carts.extend(task.await.map_err(|e| format!("cart task: {e}"))??);
    }
    Ok(carts)
}

/// One checkout, checked in full: 201 with an order id and a payment page at the sandbox gateway.
async fn check_checkout(http: &reqwest::Client, c: &Contenders, cart: &str) -> Result<()> {
    let url = c.shop.url("/api/checkout");
    let gateway = &c.shop.gateway.base;
    let resp = http
        .post(&url)
        .header("cookie", format!("cart={cart}"))
        .json(&json!({ "email": "bench@example.com" }))
        .send()
        .await
        .map_err(|e| format!("POST {url}: {}", load::chain(&e)))?;
    let status = resp.status().as_u16();
    let body = resp.text().await.unwrap_or_default();
    let j: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    let to_gateway = j["payment_url"]
        .as_str()
        .is_some_and(|u| u.starts_with(gateway.as_str()));
    if status != 201 || !to_gateway || !j["order_id"].is_string() {
        return Err(format!(
            "POST {url}: expected 201 with an order and a payment page at {gateway}, got {status}: {body}"
        ));
    }
    Ok(())
}

/// The product page's client payload: the HTML and what it makes a browser load.
pub async fn payload(
    http: &reqwest::Client,
    base: &str,
    html: &str,
) -> Result<Vec<(String, measure::Sized)>> {
    let mut items = vec![(
        "html".to_owned(),
        measure::Sized::of(PRODUCT_PAGE, html.as_bytes())?,
    )];
    let mut todo = measure::page_resources(html);
    let mut next = 0;
    while let Some((kind, path)) = todo.get(next).cloned() {
        next += 1;
        // Same-origin paths only (the shop references nothing else), each once.
        if !path.starts_with('/')
            || path.starts_with("//")
            || todo[..next - 1].iter().any(|(_, p)| *p == path)
        {
            continue;
        }
        let body = get_bytes(http, &format!("{base}{path}")).await?;
        match kind.as_str() {
            "css" => todo.extend(
                measure::css_urls(&String::from_utf8_lossy(&body))
                    .into_iter()
                    .map(|u| ("css url()".to_owned(), u)),
            ),
            "js" => todo.extend(measure::script_urls(&String::from_utf8_lossy(&body))),
            _ => {}
        }
        items.push((kind, measure::Sized::of(&path, &body)?));
    }
    Ok(items)
}
