//! A native microbenchmark of the product page's render: the same `app::render::product` the
//! Worker calls, without the Worker boundary (KV, stock, response building), so that Leptos'
//! own rendering cost can be told apart from the rest of the request.
//!
//! ```sh
//! cargo run --release -p app --example render_product [ITERATIONS]
//! ```
//!
//! Prints the mean time per render and the page's size. Native code is faster than the same
//! code in wasm under V8 (typically 1.3–2×), so read the figure as a lower bound.

use app::pages::ProductView;
use domain::Catalog;
use std::time::Instant;

fn main() {
    let iterations: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20_000);
    let catalog = match Catalog::from_json(include_str!("../../catalog/demo.json")) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("demo catalog: {e:?}");
            std::process::exit(1);
        }
    };
    let index = catalog.index();
    let Some(product) = catalog
        .products
        .iter()
        .find(|p| p.handle.as_str() == "rain-jacket")
    else {
        eprintln!("rain-jacket is not in the demo catalog");
        std::process::exit(1);
    };
    let Some(selected) = product.default_variant().cloned() else {
        eprintln!("rain-jacket has no variant");
        std::process::exit(1);
    };
    let view = || ProductView {
        currency: catalog.currency,
        available: selected.stock,
        stock: product
            .variants
            .iter()
            .map(|v| (v.sku.to_string(), v.stock))
            .collect(),
        selected: selected.clone(),
        collection: product
            .collections
            .first()
            .and_then(|c| index.collection(c.as_str()))
            .cloned(),
        product: product.clone(),
    };
    let mut bytes = 0;
    for _ in 0..200 {
        bytes = app::render::product(&index, view(), "https://shop.example").len();
    }
    let start = Instant::now();
    for _ in 0..iterations {
        bytes = std::hint::black_box(app::render::product(&index, view(), "https://shop.example"))
            .len();
    }
    let per = start.elapsed().as_secs_f64() * 1e6 / f64::from(iterations);
    println!("product page render (native): {per:.1} µs per page, {bytes} bytes, {iterations} iterations");
}
