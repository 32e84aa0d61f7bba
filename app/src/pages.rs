//! One component per page. Each takes the data it shows, already fetched.

use crate::components::{Pager, ProductGrid, SortForm};
use crate::islands::{BuyOption, BuyVariant, ProductBuy};
use domain::listing::{Page, Sort};
use domain::{Availability, Collection, Currency, Money, Product, ProductSummary, Variant};
use leptos::either::EitherOf3;
use leptos::prelude::*;

#[component]
pub fn HomePage(
    featured: Vec<ProductSummary>,
    collections: Vec<Collection>,
    currency: Currency,
) -> impl IntoView {
    view! {
        <section class="hero">
            <h1>"Good things, made to last"</h1>
            <p>"Clothing in natural fibres, homeware, outdoor gear and stationery: chosen to be used often, mended, and kept for years."</p>
        </section>
        <section aria-labelledby="featured-heading">
            <h2 id="featured-heading">"Featured"</h2>
            <ProductGrid products=featured currency=currency/>
        </section>
        <section aria-labelledby="collections-heading">
            <h2 id="collections-heading">"Collections"</h2>
            <ul class="collections">
                {collections
                    .into_iter()
                    .map(|c| {
                        view! {
                            <li>
                                <a href=format!("/collections/{}", c.handle)>
                                    <h3>{c.title}</h3>
                                    <p>{c.description}</p>
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}

#[component]
pub fn CollectionPage(
    collection: Collection,
    page: Page<ProductSummary>,
    sort: Sort,
    currency: Currency,
) -> impl IntoView {
    let path = format!("/collections/{}", collection.handle);
    let base = format!("{path}?sort={}", sort.as_str());
    let empty = page
        .items
        .is_empty()
        .then(|| view! { <p class="empty">"No products on this page."</p> });
    view! {
        <nav aria-label="Breadcrumb" class="breadcrumb">
            <a href="/">"Home"</a>
            " / "
            <span aria-current="page">{collection.title.clone()}</span>
        </nav>
        <h1>{collection.title}</h1>
        <p class="lede">{collection.description}</p>
        <p class="count">{count(page.total, "product", "products")}</p>
        <SortForm action=path current=sort/>
        {empty}
        <ProductGrid products=page.items currency=currency/>
        <Pager page=page.page total_pages=page.total_pages base=base/>
    }
}

#[component]
pub fn SearchPage(
    q: Option<String>,
    page: Page<ProductSummary>,
    sort: Sort,
    currency: Currency,
) -> impl IntoView {
    let Some(q) = q else {
        return EitherOf3::A(view! {
            <h1>"Search"</h1>
            <p class="empty">"Type what you are looking for in the search box: a product, a material, a colour."</p>
        });
    };
    if page.total == 0 {
        return EitherOf3::B(view! {
            <h1>"Search"</h1>
            <p class="empty">{format!("No products match “{q}”.")} " Try fewer or different words."</p>
        });
    }
    let base = format!("/search?q={}&sort={}", encode_query(&q), sort.as_str());
    EitherOf3::C(view! {
        <h1>"Search"</h1>
        <p class="count">{format!("{} for “{q}”", count(page.total, "result", "results"))}</p>
        <SortForm action="/search".to_owned() current=sort query=q.clone()/>
        <ProductGrid products=page.items currency=currency/>
        <Pager page=page.page total_pages=page.total_pages base=base/>
    })
}

/// "1 result", "2 results".
pub fn count(n: u32, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Percent-encodes a query value for a link (the HTML layer escapes `&` itself).
pub fn encode_query(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Everything the product page shows.
#[derive(Debug, Clone)]
pub struct ProductView {
    pub product: Product,
    pub currency: Currency,
    pub selected: Variant,
    /// Units of the selected variant a shopper can buy now.
    pub available: u32,
    /// Units of every variant a shopper can buy now, by SKU.
    pub stock: std::collections::HashMap<String, u32>,
    pub collection: Option<Collection>,
}

#[component]
pub fn ProductPage(view: ProductView) -> impl IntoView {
    let ProductView {
        product,
        currency,
        selected,
        available,
        stock,
        collection,
    } = view;
    let stock_of = |sku: &str| stock.get(sku).copied().unwrap_or(0);
    let image = product.image_for(&selected).cloned().map(|img| {
        view! { <img src=img.src alt=img.alt width="400" height="400"/> }
    });
    let crumb = collection.map(|c| {
        view! {
            <a href=format!("/collections/{}", c.handle)>{c.title}</a>
            " / "
        }
    });
    let buy_options: Vec<BuyOption> = product
        .options
        .iter()
        .enumerate()
        .map(|(i, name)| BuyOption {
            name: name.clone(),
            values: product
                .option_values(i)
                .into_iter()
                .map(str::to_owned)
                .collect(),
        })
        .collect();
    let buy_variants: Vec<BuyVariant> = product
        .variants
        .iter()
        .map(|v| {
            let units = if v.sku == selected.sku {
                available
            } else {
                stock_of(v.sku.as_str())
            };
            let availability = Availability::from_stock(units);
            let (image_src, image_alt) = product
                .image_for(v)
                .map(|i| (i.src.clone(), i.alt.clone()))
                .unwrap_or_default();
            BuyVariant {
                image_src,
                image_alt,
                sku: v.sku.to_string(),
                options: v.options.clone(),
                price: Money::new(v.price, currency).to_string(),
                availability: availability.label(),
                can_buy: availability.can_buy(),
                max: units.clamp(1, 99),
            }
        })
        .collect();
    let handle = product.handle.to_string();
    let selected_sku = selected.sku.to_string();
    view! {
        <nav aria-label="Breadcrumb" class="breadcrumb">
            <a href="/">"Home"</a>
            " / "
            {crumb}
            <span aria-current="page">{product.title.clone()}</span>
        </nav>
        <article class="product">
            <div class="gallery">{image}</div>
            <div class="details">
                <h1>{product.title.clone()}</h1>
                <ProductBuy handle=handle title=product.title.clone() options=buy_options variants=buy_variants selected=selected_sku/>
                <div class="description">
                    <p>{product.description.clone()}</p>
                </div>
            </div>
        </article>
    }
}

#[component]
pub fn ErrorPage(status: u16, title: String, message: String) -> impl IntoView {
    view! {
        <section class="error">
            <p class="status">{status}</p>
            <h1>{title}</h1>
            <p>{crate::islands::sentence(&message)}</p>
            <p><a href="/">"Back to the shop"</a></p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::encode_query;

    #[test]
    fn encodes_query_values() {
        assert_eq!(encode_query("linen shirt"), "linen+shirt");
        assert_eq!(encode_query("a&b=c"), "a%26b%3Dc");
        assert_eq!(encode_query("crème"), "cr%C3%A8me");
    }
}
