//! Small pieces shared by pages.

use domain::listing::{Page, Sort};
use domain::{Currency, Money, ProductSummary};
use leptos::prelude::*;

/// A price, or a range `from €12.00` when variants differ.
#[component]
pub fn Price(min: i64, max: i64, currency: Currency) -> impl IntoView {
    let text = if min == max {
        Money::new(min, currency).to_string()
    } else {
        format!("from {}", Money::new(min, currency))
    };
    view! { <span class="price">{text}</span> }
}

#[component]
pub fn ProductCard(product: ProductSummary, currency: Currency) -> impl IntoView {
    let href = format!("/products/{}", product.handle);
    let image = product.image.map(|img| {
        view! { <img src=img.src alt=img.alt width="400" height="400" loading="lazy"/> }
    });
    let sold_out = (!product.available).then(|| view! { <span class="badge">"Sold out"</span> });
    view! {
        <li class="card">
            <a href=href>
                {image}
                <h3>{product.title}</h3>
            </a>
            <Price min=product.min_price max=product.max_price currency=currency/>
            {sold_out}
        </li>
    }
}

#[component]
pub fn ProductGrid(products: Vec<ProductSummary>, currency: Currency) -> impl IntoView {
    view! {
        <ul class="grid">
            {products
                .into_iter()
                .map(|p| view! { <ProductCard product=p currency=currency/> })
                .collect_view()}
        </ul>
    }
}

/// Sort menu as a plain GET form, so it works without JavaScript.
#[component]
pub fn SortForm(
    action: String,
    current: Sort,
    #[prop(optional)] query: Option<String>,
) -> impl IntoView {
    view! {
        <form class="sort" method="get" action=action>
            {query.map(|q| view! { <input type="hidden" name="q" value=q/> })}
            <label for="sort">"Sort by"</label>
            <select id="sort" name="sort">
                {Sort::ALL
                    .into_iter()
                    .map(|s| view! { <option value=s.as_str() selected=s == current>{s.label()}</option> })
                    .collect_view()}
            </select>
            <button type="submit">"Apply"</button>
        </form>
    }
}

/// Previous/next links keeping the other query parameters.
#[component]
pub fn Pager(page: u32, total_pages: u32, base: String) -> impl IntoView {
    let sep = if base.contains('?') { '&' } else { '?' };
    let link = move |n: u32| format!("{base}{sep}page={n}");
    let prev = (page > 1).then(|| view! { <a rel="prev" href=link(page - 1)>"← Previous"</a> });
    let next =
        (page < total_pages).then(|| view! { <a rel="next" href=link(page + 1)>"Next →"</a> });
    (total_pages > 1).then(|| {
        view! {
            <nav class="pager" aria-label="Pages">
                {prev}
                <span>{format!("Page {page} of {total_pages}")}</span>
                {next}
            </nav>
        }
    })
}

/// Page items turned into owned summaries for rendering.
pub fn owned(page: &Page<&ProductSummary>) -> Vec<ProductSummary> {
    page.items.iter().map(|p| (*p).clone()).collect()
}
