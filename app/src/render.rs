//! Entry points: data in, a complete HTML document out.

use crate::components::owned;
use crate::pages::{CollectionPage, ErrorPage, HomePage, ProductPage, ProductView, SearchPage};
use crate::shell::{shell, Meta};
use domain::listing::ListingQuery;
use domain::{CatalogIndex, Collection};
use leptos::prelude::*;
use leptos::reactive::owner::Owner;

/// Renders a view inside the shell to `<!DOCTYPE html>…`.
fn document<V: IntoView + 'static>(
    meta: Meta,
    collections: Vec<Collection>,
    page: impl FnOnce() -> V + Send + 'static,
) -> String {
    let owner = Owner::new();
    let html = owner.with(|| shell(meta, collections, page()).to_html());
    format!("<!DOCTYPE html>{html}")
}

fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}

pub fn home(index: &CatalogIndex) -> String {
    let meta = Meta {
        title: String::new(),
        description: "Clothing, homeware, outdoor gear and stationery: everyday things, made to be used and mended.".into(),
        canonical: "/".into(),
        query: String::new(),
        ..Meta::default()
    };
    let featured: Vec<_> = index.featured().cloned().collect();
    let collections = index.collections.clone();
    let currency = index.currency;
    document(meta, index.collections.clone(), move || {
        view! { <HomePage featured=featured collections=collections currency=currency/> }
    })
}

pub fn collection(index: &CatalogIndex, collection: &Collection, query: &ListingQuery) -> String {
    let query = query.in_collection(&collection.handle);
    let page = query.run(index);
    let items = owned(&page);
    let page = domain::listing::Page {
        items,
        page: page.page,
        per_page: page.per_page,
        total: page.total,
        total_pages: page.total_pages,
    };
    let meta = Meta {
        title: collection.title.clone(),
        description: truncate(&collection.description, 160),
        canonical: format!("/collections/{}", collection.handle),
        query: String::new(),
        structured_data: vec![crate::seo::script_json(&crate::seo::breadcrumbs_ld(
            Some(collection),
            None,
        ))],
        ..Meta::default()
    };
    let (collection, sort, currency) = (collection.clone(), query.sort, index.currency);
    document(meta, index.collections.clone(), move || {
        view! { <CollectionPage collection=collection page=page sort=sort currency=currency/> }
    })
}

pub fn search(index: &CatalogIndex, query: &ListingQuery) -> String {
    let page = query.run(index);
    let items = if query.q.is_some() {
        owned(&page)
    } else {
        Vec::new()
    };
    let page = domain::listing::Page {
        items,
        page: page.page,
        per_page: page.per_page,
        total: page.total,
        total_pages: page.total_pages,
    };
    let meta = Meta {
        title: match &query.q {
            Some(q) => format!("Search: {q}"),
            None => "Search".into(),
        },
        description: "Search the shop's products.".into(),
        canonical: "/search".into(),
        query: query.q.clone().unwrap_or_default(),
        ..Meta::default()
    };
    let (q, sort, currency) = (query.q.clone(), query.sort, index.currency);
    document(meta, index.collections.clone(), move || {
        view! { <SearchPage q=q page=page sort=sort currency=currency/> }
    })
}

/// An address for link previews: absolute, as Open Graph wants it (`origin` is
/// `https://shop.example`); one that already is stays as it is.
fn absolute(origin: &str, src: &str) -> String {
    if src.starts_with("https://") || src.starts_with("http://") {
        src.to_owned()
    } else {
        format!(
            "{}/{}",
            origin.trim_end_matches('/'),
            src.trim_start_matches('/')
        )
    }
}

/// The product page, with structured data from the view's live stock; `origin` (the shop's,
/// `https://shop.example`) makes the preview image's address absolute.
pub fn product(index: &CatalogIndex, view: ProductView, origin: &str) -> String {
    let p = &view.product;
    let url = format!("/products/{}", p.handle);
    let structured_data = vec![
        crate::seo::script_json(&crate::seo::product_ld(p, view.currency, |sku| {
            view.stock.get(sku).copied().unwrap_or(0)
        })),
        crate::seo::script_json(&crate::seo::breadcrumbs_ld(
            view.collection.as_ref(),
            Some((&p.title, &url)),
        )),
    ];
    let meta = Meta {
        title: p.title.clone(),
        description: truncate(&p.description, 160),
        canonical: url.clone(),
        query: String::new(),
        og_type: Some("product"),
        image: p.images.first().map(|i| absolute(origin, &i.src)),
        structured_data,
        refresh: None,
    };
    document(
        meta,
        index.collections.clone(),
        move || view! { <ProductPage view=view/> },
    )
}

/// An error page; `collections` may be empty when the catalog itself is unavailable.
pub fn error(collections: Vec<Collection>, status: u16, title: &str, message: &str) -> String {
    let meta = Meta {
        title: title.to_owned(),
        description: message.to_owned(),
        canonical: String::new(),
        query: String::new(),
        ..Meta::default()
    };
    let (title, message) = (title.to_owned(), message.to_owned());
    document(
        meta,
        collections,
        move || view! { <ErrorPage status=status title=title message=message/> },
    )
}

pub fn cart(collections: Vec<Collection>, view: crate::checkout_pages::CartView) -> String {
    use crate::checkout_pages::CartPage;
    let meta = Meta {
        title: "Your cart".into(),
        description: "The items in your cart.".into(),
        canonical: "/cart".into(),
        query: String::new(),
        ..Meta::default()
    };
    document(meta, collections, move || view! { <CartPage view=view/> })
}

/// The order page; `refreshed` counts the reloads so far (`?refreshed=` of the address).
pub fn order(collections: Vec<Collection>, order: domain::order::Order, refreshed: u32) -> String {
    use crate::checkout_pages::OrderPage;
    let waiting = matches!(
        order.status,
        domain::order::OrderStatus::AwaitingPayment | domain::order::OrderStatus::Pending
    );
    // Without JavaScript the page reloads itself on the payment watch's schedule, and once
    // that has run out it says so, as the watch does.
    let delay = waiting
        .then(|| crate::islands::payment_poll_delay(refreshed))
        .flatten();
    let meta = Meta {
        title: format!("Order {}", order.status.label()),
        description: "Your order.".into(),
        canonical: format!("/orders/{}", order.id),
        query: String::new(),
        refresh: delay.map(|seconds| {
            (
                seconds,
                format!("/orders/{}?refreshed={}", order.id, refreshed + 1),
            )
        }),
        ..Meta::default()
    };
    let watching = delay.is_some();
    document(
        meta,
        collections,
        move || view! { <OrderPage order=order watching=watching/> },
    )
}

pub fn admin_sign_in(error: Option<String>) -> String {
    use crate::admin_pages::SignInPage;
    let meta = Meta {
        title: "Admin".into(),
        description: "Shop admin.".into(),
        ..Meta::default()
    };
    document(
        meta,
        Vec::new(),
        move || view! { <SignInPage error=error/> },
    )
}

pub fn admin(view: crate::admin_pages::AdminView) -> String {
    use crate::admin_pages::AdminPage;
    let meta = Meta {
        title: "Admin".into(),
        description: "Shop admin.".into(),
        ..Meta::default()
    };
    document(meta, Vec::new(), move || view! { <AdminPage view=view/> })
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod delivery_tests;

#[cfg(test)]
mod discount_tests;
