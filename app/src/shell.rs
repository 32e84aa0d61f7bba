//! The document around every page.

use domain::Collection;
use leptos::prelude::*;

/// What the shell needs to know about the page it wraps.
#[derive(Debug, Clone, Default)]
pub struct Meta {
    pub title: String,
    pub description: String,
    /// Path of the canonical URL, e.g. `/products/linen-shirt`.
    pub canonical: String,
    /// The search box's current text.
    pub query: String,
}

pub const SHOP_NAME: &str = "Edge Storefront";

#[component]
pub fn Shell(meta: Meta, collections: Vec<Collection>, children: Children) -> impl IntoView {
    let title = if meta.title.is_empty() {
        SHOP_NAME.to_owned()
    } else {
        format!("{} · {SHOP_NAME}", meta.title)
    };
    view! {
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <title>{title}</title>
                <meta name="description" content=meta.description/>
                <link rel="canonical" href=meta.canonical/>
                <link rel="stylesheet" href="/styles.css"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
            </head>
            <body>
                <a class="skip" href="#main">"Skip to content"</a>
                <header class="site-header">
                    <a class="brand" href="/">{SHOP_NAME}</a>
                    <nav aria-label="Collections">
                        <ul>
                            {collections
                                .into_iter()
                                .map(|c| {
                                    view! {
                                        <li>
                                            <a href=format!("/collections/{}", c.handle)>{c.title}</a>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    </nav>
                    <form class="search" role="search" method="get" action="/search">
                        <label for="q" class="visually-hidden">"Search products"</label>
                        <input id="q" type="search" name="q" value=meta.query placeholder="Search products" maxlength="200"/>
                        <button type="submit">"Search"</button>
                    </form>
                    <a class="cart-link" href="/cart">"Cart"</a>
                </header>
                <main id="main">{children()}</main>
                <footer class="site-footer">
                    <p>{SHOP_NAME} " · rendered at the edge"</p>
                </footer>
            </body>
        </html>
    }
}
