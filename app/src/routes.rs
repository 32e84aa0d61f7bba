//! Routing as a pure function: method and path in, a [`Route`] out.
//! The Worker matches on the result; nothing else inspects URL strings.

use domain::{Handle, OrderId, Sku};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Home,
    Collection(Handle),
    Search,
    Product(Handle),
    ApiProducts,
    ApiProduct(Handle),
    Sitemap,
    Robots,
    Cart,
    CartAdd,
    CartUpdate,
    CartRemove,
    /// `POST /cart/shipping`: the cart page's country and rate form (no JavaScript).
    CartShipping,
    /// `POST /cart/discount` (`code`) and `POST /cart/discount/remove`: the cart page's
    /// discount form (no JavaScript).
    CartDiscount,
    CartDiscountRemove,
    Checkout,
    Order(OrderId),
    ApiCart,
    ApiCartAdd,
    ApiCartUpdate(Sku),
    ApiCartRemove(Sku),
    ApiCartShipping,
    /// `POST /api/cart/discount` `{"code": …}` and `DELETE /api/cart/discount`.
    ApiCartDiscount,
    ApiCartDiscountRemove,
    ApiCheckout,
    ApiOrder(OrderId),
    PaymentWebhook,
    /// The merchant's JSON API under `/admin/api/`: every one needs the bearer token, checked
    /// once for all of them.
    AdminApi(AdminApi),
    AdminHome,
    AdminLogin,
    AdminLogout,
    AdminStockForm,
    AdminImportForm,
    AdminSettingsForm,
    AdminFulfilForm(OrderId),
    AdminRefundForm(OrderId),
    /// `POST /admin/discounts`: the admin page's new-code form.
    AdminDiscountForm,
    /// `POST /admin/discounts/{code}/disable` (the code as typed in the path; checked by the
    /// handler).
    AdminDiscountDisableForm(String),
    /// A known path with a method it does not accept; carries the allowed methods.
    MethodNotAllowed(&'static str),
    /// Under `/api/`: answered in JSON.
    ApiNotFound,
    NotFound,
}

/// The routes of the merchant's JSON API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminApi {
    InventoryGet(Sku),
    InventoryPut(Sku),
    CatalogImport,
    CatalogExport,
    ProductPut(Handle),
    ProductDelete(Handle),
    SettingsGet,
    SettingsPut,
    Orders,
    Order(OrderId),
    OrderFulfil(OrderId),
    OrderRefund(OrderId),
    /// `GET` and `POST /admin/api/discounts`.
    Discounts,
    DiscountCreate,
    /// `PUT` and `DELETE /admin/api/discounts/{code}` (the code as given; checked by the handler).
    DiscountPut(String),
    DiscountDelete(String),
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
    let post = |r: Route| {
        if method == "POST" {
            r
        } else {
            Route::MethodNotAllowed("POST")
        }
    };
    let handle = |s: &str, f: fn(Handle) -> Route| Handle::parse(s).map(f);
    let api_sku = |s: &str| Sku::parse(s).ok();
    let order = |s: &str| OrderId::parse(s).ok();
    match segments.as_slice() {
        ["sitemap.xml"] => get(Route::Sitemap),
        ["robots.txt"] => get(Route::Robots),
        ["cart"] => get(Route::Cart),
        ["cart", "add"] => post(Route::CartAdd),
        ["cart", "update"] => post(Route::CartUpdate),
        ["cart", "remove"] => post(Route::CartRemove),
        ["cart", "shipping"] => post(Route::CartShipping),
        ["cart", "discount"] => post(Route::CartDiscount),
        ["cart", "discount", "remove"] => post(Route::CartDiscountRemove),
        ["checkout"] => post(Route::Checkout),
        ["orders", id] => order(id).map_or(Route::NotFound, |id| get(Route::Order(id))),
        ["api", "cart"] => get(Route::ApiCart),
        ["api", "cart", "items"] => post(Route::ApiCartAdd),
        ["api", "cart", "items", s] => match (api_sku(s), method) {
            (Some(sku), "PATCH") => Route::ApiCartUpdate(sku),
            (Some(sku), "DELETE") => Route::ApiCartRemove(sku),
            (Some(_), _) => Route::MethodNotAllowed("PATCH, DELETE"),
            (None, _) => Route::ApiNotFound,
        },
        ["api", "cart", "shipping"] => post(Route::ApiCartShipping),
        ["api", "cart", "discount"] => match method {
            "POST" => Route::ApiCartDiscount,
            "DELETE" => Route::ApiCartDiscountRemove,
            _ => Route::MethodNotAllowed("POST, DELETE"),
        },
        ["api", "checkout"] => post(Route::ApiCheckout),
        ["api", "orders", id] => {
            order(id).map_or(Route::ApiNotFound, |id| get(Route::ApiOrder(id)))
        }
        ["webhooks", "payment"] => post(Route::PaymentWebhook),
        ["admin", "api", "inventory", s] => match (api_sku(s), method) {
            (Some(sku), "GET" | "HEAD") => Route::AdminApi(AdminApi::InventoryGet(sku)),
            (Some(sku), "PUT") => Route::AdminApi(AdminApi::InventoryPut(sku)),
            (Some(_), _) => Route::MethodNotAllowed("GET, HEAD, PUT"),
            (None, _) => Route::ApiNotFound,
        },
        ["admin", "api", "settings"] => match method {
            "GET" | "HEAD" => Route::AdminApi(AdminApi::SettingsGet),
            "PUT" => Route::AdminApi(AdminApi::SettingsPut),
            _ => Route::MethodNotAllowed("GET, HEAD, PUT"),
        },
        ["admin", "api", "catalog", "import"] => post(Route::AdminApi(AdminApi::CatalogImport)),
        ["admin", "api", "catalog", "export"] => get(Route::AdminApi(AdminApi::CatalogExport)),
        ["admin", "api", "products", h] => match (Handle::parse(h).ok(), method) {
            (Some(h), "PUT") => Route::AdminApi(AdminApi::ProductPut(h)),
            (Some(h), "DELETE") => Route::AdminApi(AdminApi::ProductDelete(h)),
            (Some(_), _) => Route::MethodNotAllowed("PUT, DELETE"),
            (None, _) => Route::ApiNotFound,
        },
        ["admin"] => get(Route::AdminHome),
        ["admin", "login"] => post(Route::AdminLogin),
        ["admin", "logout"] => post(Route::AdminLogout),
        ["admin", "stock"] => post(Route::AdminStockForm),
        ["admin", "import"] => post(Route::AdminImportForm),
        ["admin", "settings"] => post(Route::AdminSettingsForm),
        ["admin", "orders", id, "fulfil"] => {
            order(id).map_or(Route::NotFound, |id| post(Route::AdminFulfilForm(id)))
        }
        ["admin", "orders", id, "refund"] => {
            order(id).map_or(Route::NotFound, |id| post(Route::AdminRefundForm(id)))
        }
        ["admin", "discounts"] => post(Route::AdminDiscountForm),
        ["admin", "discounts", code, "disable"] => {
            post(Route::AdminDiscountDisableForm((*code).to_owned()))
        }
        ["admin", "api", "discounts"] => match method {
            "GET" | "HEAD" => Route::AdminApi(AdminApi::Discounts),
            "POST" => Route::AdminApi(AdminApi::DiscountCreate),
            _ => Route::MethodNotAllowed("GET, HEAD, POST"),
        },
        ["admin", "api", "discounts", code] => match method {
            "PUT" => Route::AdminApi(AdminApi::DiscountPut((*code).to_owned())),
            "DELETE" => Route::AdminApi(AdminApi::DiscountDelete((*code).to_owned())),
            _ => Route::MethodNotAllowed("PUT, DELETE"),
        },
        ["admin", "api", "orders"] => get(Route::AdminApi(AdminApi::Orders)),
        ["admin", "api", "orders", id] => order(id).map_or(Route::ApiNotFound, |id| {
            get(Route::AdminApi(AdminApi::Order(id)))
        }),
        ["admin", "api", "orders", id, "fulfil"] => order(id).map_or(Route::ApiNotFound, |id| {
            post(Route::AdminApi(AdminApi::OrderFulfil(id)))
        }),
        ["admin", "api", "orders", id, "refund"] => order(id).map_or(Route::ApiNotFound, |id| {
            post(Route::AdminApi(AdminApi::OrderRefund(id)))
        }),
        ["admin", "api", ..] => Route::ApiNotFound,
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

pub use domain::order::is_order_id;

/// Whether a route answers in JSON (also for its errors).
pub fn is_api(route: &Route, path: &str) -> bool {
    matches!(route, Route::PaymentWebhook)
        || path.starts_with("/api/")
        || path.starts_with("/admin/api/")
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

    #[test]
    fn cart_checkout_orders_admin() {
        let sku = Sku::parse("A-1").unwrap();
        let id = format!("ord_{}", "ab12".repeat(8));
        assert_eq!(route("POST", "/cart/add"), Route::CartAdd);
        assert_eq!(route("POST", "/cart/shipping"), Route::CartShipping);
        assert_eq!(route("GET", "/cart/add"), Route::MethodNotAllowed("POST"));
        assert_eq!(
            route("PATCH", "/api/cart/items/A-1"),
            Route::ApiCartUpdate(sku.clone())
        );
        assert_eq!(
            route("DELETE", "/api/cart/items/A-1"),
            Route::ApiCartRemove(sku.clone())
        );
        assert_eq!(
            route("POST", "/api/cart/items/A-1"),
            Route::MethodNotAllowed("PATCH, DELETE")
        );
        assert_eq!(
            route("GET", &format!("/orders/{id}")),
            Route::Order(OrderId::parse(&id).unwrap())
        );
        assert_eq!(
            route("GET", &format!("/api/orders/{id}")),
            Route::ApiOrder(OrderId::parse(&id).unwrap())
        );
        assert_eq!(route("GET", "/orders/ord_123"), Route::NotFound);
        assert_eq!(route("GET", "/api/orders/../etc"), Route::ApiNotFound);
        assert_eq!(
            route("PUT", "/admin/api/inventory/A-1"),
            Route::AdminApi(AdminApi::InventoryPut(sku))
        );
        assert_eq!(
            route("GET", "/webhooks/payment"),
            Route::MethodNotAllowed("POST")
        );
        assert!(is_api(&route("GET", "/admin/api/nope"), "/admin/api/nope"));
    }

    #[test]
    fn discounts() {
        assert_eq!(route("POST", "/api/cart/discount"), Route::ApiCartDiscount);
        assert_eq!(
            route("DELETE", "/api/cart/discount"),
            Route::ApiCartDiscountRemove
        );
        assert_eq!(
            route("GET", "/api/cart/discount"),
            Route::MethodNotAllowed("POST, DELETE")
        );
        assert_eq!(route("POST", "/cart/discount"), Route::CartDiscount);
        assert_eq!(
            route("POST", "/cart/discount/remove"),
            Route::CartDiscountRemove
        );
        assert_eq!(
            route("GET", "/admin/api/discounts"),
            Route::AdminApi(AdminApi::Discounts)
        );
        assert_eq!(
            route("POST", "/admin/api/discounts"),
            Route::AdminApi(AdminApi::DiscountCreate)
        );
        assert_eq!(
            route("PUT", "/admin/api/discounts/welcome10"),
            Route::AdminApi(AdminApi::DiscountPut("welcome10".into()))
        );
        assert_eq!(
            route("DELETE", "/admin/api/discounts/WELCOME10"),
            Route::AdminApi(AdminApi::DiscountDelete("WELCOME10".into()))
        );
        assert_eq!(
            route("POST", "/admin/discounts/W10/disable"),
            Route::AdminDiscountDisableForm("W10".into())
        );
    }
}
