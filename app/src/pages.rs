//! One component per page. Each takes the data it shows, already fetched.

use crate::components::{Pager, ProductGrid, SortForm};
use domain::listing::{Page, Sort};
use domain::{Availability, Collection, Currency, Money, Product, ProductSummary, Variant};
use leptos::prelude::*;

#[component]
pub fn HomePage(
    featured: Vec<ProductSummary>,
    collections: Vec<Collection>,
    currency: Currency,
) -> impl IntoView {
    view! {
        <section class="hero">
            <h1>"Good things, close to you"</h1>
            <p>"Every page of this shop is rendered at the edge, near where you are."</p>
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
        <p class="count">{format!("{} products", page.total)}</p>
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
        return view! {
            <h1>"Search"</h1>
            <p class="empty">"Type what you are looking for in the search box: a product, a material, a colour."</p>
        }
        .into_any();
    };
    if page.total == 0 {
        return view! {
            <h1>"Search"</h1>
            <p class="empty">{format!("No products match “{q}”.")} " Try fewer or different words."</p>
        }
        .into_any();
    }
    let base = format!("/search?q={}&sort={}", encode_query(&q), sort.as_str());
    view! {
        <h1>"Search"</h1>
        <p class="count">{format!("{} results for “{q}”", page.total)}</p>
        <SortForm action="/search".to_owned() current=sort query=q.clone()/>
        <ProductGrid products=page.items currency=currency/>
        <Pager page=page.page total_pages=page.total_pages base=base/>
    }
    .into_any()
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
    pub collection: Option<Collection>,
}

#[component]
pub fn ProductPage(view: ProductView) -> impl IntoView {
    let ProductView {
        product,
        currency,
        selected,
        available,
        collection,
    } = view;
    let availability = Availability::from_stock(available);
    let price = Money::new(selected.price, currency);
    let image = product.images.first().cloned().map(|img| {
        view! { <img src=img.src alt=img.alt width="400" height="400"/> }
    });
    let crumb = collection.map(|c| {
        view! {
            <a href=format!("/collections/{}", c.handle)>{c.title}</a>
            " / "
        }
    });
    let pickers = product
        .options
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let values = product
                .option_values(i)
                .into_iter()
                .map(|value| {
                    let target = product.variant_for_option(&selected, i, value);
                    let is_current = selected.options.get(i).is_some_and(|o| o == value);
                    let href =
                        target.map(|v| format!("/products/{}?variant={}", product.handle, v.sku));
                    view! {
                        <li>
                            <a
                                href=href
                                class:selected=is_current
                                aria-current=is_current.then_some("true")
                            >
                                {value.to_owned()}
                            </a>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <div class="option">
                    <span class="option-name">{name.clone()}</span>
                    <ul class="option-values">{values}</ul>
                </div>
            }
        })
        .collect_view();
    let can_buy = availability.can_buy();
    let max = available.clamp(1, 99).to_string();
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
                <p class="price" data-sku=selected.sku.to_string()>{price.to_string()}</p>
                <p class=if can_buy { "availability" } else { "availability sold-out" }>{availability.label()}</p>
                <p class="selected-variant">{selected.options.join(" / ")}</p>
                <div class="options">{pickers}</div>
                <form class="add-to-cart" method="post" action="/cart/add">
                    <input type="hidden" name="sku" value=selected.sku.to_string()/>
                    <label for="quantity">"Quantity"</label>
                    <input id="quantity" type="number" name="quantity" value="1" min="1" max=max required/>
                    <button type="submit" disabled=!can_buy>{if can_buy { "Add to cart" } else { "Sold out" }}</button>
                </form>
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
            <p>{message}</p>
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
