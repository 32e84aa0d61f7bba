//! The document around every page.

use crate::islands::CartLink;
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
    /// Open Graph type: `website` unless set (`product` on product pages).
    pub og_type: Option<&'static str>,
    /// The page's main image, for link previews.
    pub image: Option<String>,
    /// JSON-LD documents, already made safe for an inline script (see [`crate::seo::script_json`]).
    pub structured_data: Vec<String>,
    /// Reload the page after this many seconds, at this address, when JavaScript is off
    /// (`<noscript><meta http-equiv="refresh">`); with JavaScript an island does better.
    pub refresh: Option<(u32, String)>,
}

pub const SHOP_NAME: &str = "Edge Storefront";

/// The browser bundle's loader (content-hashed, under `/pkg/`), named at build time by the
/// Makefile. Without it (native builds, tests) pages are plain HTML, which work on their own.
pub const BOOT_SCRIPT: Option<&str> = option_env!("STOREFRONT_BOOT_JS");

/// `<noscript><meta http-equiv="refresh" content="2;url=…"></noscript>`: inside `noscript`, so
/// that browsers running the islands do not reload under them.
fn refresh(seconds: u32, url: String) -> impl IntoView {
    leptos::html::noscript().child(
        leptos::html::meta()
            .add_any_attr(leptos::attr::custom::custom_attribute(
                "http-equiv",
                "refresh",
            ))
            .content(format!("{seconds};url={url}")),
    )
}

/// An Open Graph `<meta property=… content=…>` (`property` is not a standard HTML attribute).
fn og(property: &'static str, content: String) -> impl IntoView {
    leptos::html::meta()
        .add_any_attr(leptos::attr::custom::custom_attribute("property", property))
        .content(content)
}

/// The document around `page`. A plain generic function rather than a component with
/// `Children`: children are type-erased (`AnyView`), which compiles every page's view into the
/// Worker a second time with the browser-side methods it never calls, and renders it through
/// dynamic dispatch.
pub fn shell<V: IntoView>(meta: Meta, collections: Vec<Collection>, page: V) -> impl IntoView {
    let title = if meta.title.is_empty() {
        SHOP_NAME.to_owned()
    } else {
        format!("{} · {SHOP_NAME}", meta.title)
    };
    let og_description = meta.description.clone();
    let og_title = if meta.title.is_empty() {
        SHOP_NAME.to_owned()
    } else {
        meta.title.clone()
    };
    view! {
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <title>{title}</title>
                <meta name="description" content=meta.description/>
                {(!meta.canonical.is_empty()).then(|| view! { <link rel="canonical" href=meta.canonical.clone()/> })}
                {og("og:site_name", SHOP_NAME.to_owned())}
                {og("og:title", og_title)}
                {og("og:description", og_description)}
                {og("og:type", meta.og_type.unwrap_or("website").to_owned())}
                {meta.image.clone().map(|src| og("og:image", src))}
                {meta.refresh.map(|(seconds, url)| refresh(seconds, url))}
                {meta
                    .structured_data
                    .into_iter()
                    .map(|json| view! { <script type="application/ld+json" inner_html=json></script> })
                    .collect_view()}
                <link rel="stylesheet" href="/styles.css"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                {BOOT_SCRIPT.map(|src| view! { <script type="module" src=src></script> })}
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
                    <CartLink/>
                </header>
                <main id="main">{page}</main>
                <footer class="site-footer">
                    <p>{SHOP_NAME} " · everyday things, made to be used and mended"</p>
                </footer>
            </body>
        </html>
    }
}
