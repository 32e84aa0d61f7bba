//! Routing as a pure function: method and path in, a [`Route`] out.
//! The Worker matches on the result; nothing else inspects URL strings.

use domain::{Handle, Sku};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Home,
    Collection(Handle),
    Search,
    Product(Handle),
    ApiProducts,
    ApiProduct(Handle),
    /// A known path with a method it does not accept; carries the allowed methods.
    MethodNotAllowed(&'static str),
    /// Under `/api/`: answered in JSON.
    ApiNotFound,
    NotFound,
}

/// Maps a request to its route. `path` is the URL path, without the query.
pub fn route(method: &str, path: &str) -> Route {
    let trimmed = if path.len() > 1 {
        path.trim_end_matches('/')
    } else {
        path
    };
    let segments: Vec<&str> = trimmed.split('/').skip(1).collect();
    let get = |r: Route| {
        if method == "GET" || method == "HEAD" {
            r
        } else {
            Route::MethodNotAllowed("GET, HEAD")
        }
    };
    let handle = |s: &str, f: fn(Handle) -> Route| Handle::parse(s).map(f);
    match segments.as_slice() {
        [""] => get(Route::Home),
        ["search"] => get(Route::Search),
        ["collections", h] => handle(h, Route::Collection).map_or(Route::NotFound, get),
        ["products", h] => handle(h, Route::Product).map_or(Route::NotFound, get),
        ["api", "products"] => get(Route::ApiProducts),
        ["api", "products", h] => handle(h, Route::ApiProduct).map_or(Route::ApiNotFound, get),
        ["api", ..] => Route::ApiNotFound,
        _ => Route::NotFound,
    }
}

/// Parses a SKU from a path segment (`/api/cart/items/{sku}`).
pub fn sku_segment(s: &str) -> Option<Sku> {
    Sku::parse(s).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: &str) -> Handle {
        Handle::parse(s).unwrap()
    }

    #[test]
    fn pages() {
        assert_eq!(route("GET", "/"), Route::Home);
        assert_eq!(route("GET", "/search"), Route::Search);
        assert_eq!(
            route("GET", "/collections/home"),
            Route::Collection(h("home"))
        );
        assert_eq!(
            route("GET", "/collections/home/"),
            Route::Collection(h("home"))
        );
        assert_eq!(route("HEAD", "/products/mug"), Route::Product(h("mug")));
        assert_eq!(route("GET", "/products/Not%20A%20Handle"), Route::NotFound);
        assert_eq!(route("GET", "/products"), Route::NotFound);
        assert_eq!(route("GET", "/products/a/b"), Route::NotFound);
        assert_eq!(route("GET", "/nope"), Route::NotFound);
        assert_eq!(route("POST", "/"), Route::MethodNotAllowed("GET, HEAD"));
    }

    #[test]
    fn api() {
        assert_eq!(route("GET", "/api/products"), Route::ApiProducts);
        assert_eq!(
            route("GET", "/api/products/mug"),
            Route::ApiProduct(h("mug"))
        );
        assert_eq!(route("GET", "/api/products/<x>"), Route::ApiNotFound);
        assert_eq!(route("GET", "/api/whatever"), Route::ApiNotFound);
        assert_eq!(
            route("DELETE", "/api/products/mug"),
            Route::MethodNotAllowed("GET, HEAD")
        );
    }
}
