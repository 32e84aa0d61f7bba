//! One error type for every handler. It holds causes (the domain's and the service's refusals,
//! the handlers' [`BadInput`], platform failures); the HTTP status, the wire code and the extra
//! JSON fields of each are chosen here and nowhere else. Clients get a precise message for 4xx
//! and a generic one for 5xx; causes of 5xx are logged.

mod input;

pub use input::BadInput;

use commerce::ports::{PaymentError, StoreError};
use commerce::ShopError;
use domain::cart::CartError;
use domain::catalog::ChangeError;
use domain::discount::Refusal;
use domain::Sku;
use serde_json::{json, Map, Value};
use worker::console_error;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed(&'static str),
    #[error("missing or wrong credentials")]
    Unauthorized,
    #[error(transparent)]
    Input(#[from] BadInput),
    #[error(transparent)]
    Cart(#[from] CartError),
    #[error(transparent)]
    Catalog(#[from] ChangeError),
    /// The commerce service's refusals (its cart, payment and store failures arrive as
    /// [`AppError::Cart`], [`AppError::Payment`] and [`AppError::Internal`]).
    #[error(transparent)]
    Shop(ShopError),
    #[error(transparent)]
    Payment(#[from] PaymentError),
    /// A discount code that cannot be used.
    #[error(transparent)]
    Discount(#[from] Refusal),
    #[error("the catalog has not been published yet")]
    CatalogUnavailable,
    #[error("another catalog change is being published; retry in a moment")]
    CatalogBusy,
    /// The number of buckets of a SKU can change only while none of its units is held or on
    /// its way between buckets.
    #[error("{held} units of this SKU are held by checkouts (or moving between buckets); change the number of buckets when they are paid or released")]
    StockInUse { held: u32 },
    /// A catalog change was saved in its object but could not be published to KV yet.
    #[error("{0}")]
    CatalogNotPublished(String),
    #[error("internal error")]
    Internal(#[source] worker::Error),
    #[error("stored data is unreadable")]
    Corrupt(#[source] serde_json::Error),
}

impl From<worker::Error> for AppError {
    fn from(e: worker::Error) -> Self {
        AppError::Internal(e)
    }
}

impl From<worker::kv::KvError> for AppError {
    fn from(e: worker::kv::KvError) -> Self {
        AppError::Internal(worker::Error::from(e))
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        AppError::internal(e.0)
    }
}

impl From<ShopError> for AppError {
    fn from(e: ShopError) -> Self {
        match e {
            ShopError::Cart(e) => AppError::Cart(e),
            ShopError::Payment(e) => AppError::Payment(e),
            ShopError::Store(e) => e.into(),
            ShopError::MalformedEvent(e) => BadInput::MalformedJson(e).into(),
            ShopError::Discount(r) => AppError::Discount(r),
            other => AppError::Shop(other),
        }
    }
}

/// "X is sold out" / "only 2 of X left".
fn stock_sentence(sku: &Sku, available: u32) -> String {
    if available == 0 {
        format!("{sku} is sold out")
    } else {
        format!("only {available} of {sku} left")
    }
}

impl AppError {
    pub fn malformed_json(e: impl std::fmt::Display) -> Self {
        BadInput::MalformedJson(e.to_string()).into()
    }

    pub fn internal(msg: impl Into<String>) -> Self {
        AppError::Internal(worker::Error::RustError(msg.into()))
    }

    pub fn status_code(&self) -> u16 {
        use BadInput as B;
        match self {
            AppError::NotFound => 404,
            AppError::MethodNotAllowed(_) => 405,
            AppError::Unauthorized => 401,
            AppError::Input(i) => match i {
                B::TooLarge { .. } => 413,
                B::UnshippableCountry(_) | B::UnknownRate { .. } => 422,
                B::LengthRequired => 411,
                B::CrossOrigin | B::BadCsrf => 403,
                B::UnknownSku(_) | B::NoCatalogYet | B::NoSettingsYet | B::UnknownOrder(_) => 404,
                B::MalformedJson(_)
                | B::MalformedForm
                | B::NotUtf8
                | B::BadSku { .. }
                | B::MissingSku
                | B::BadQuantity { .. }
                | B::BadOnHand { .. }
                | B::BadBuckets { .. }
                | B::UnknownField(_)
                | B::HandleMismatch { .. }
                | B::NoCatalogGiven
                | B::BadStatus(_)
                | B::BadCursor
                | B::BadLimit
                | B::BadQuery(_)
                | B::BadDiscount(_)
                | B::BadEmail => 400,
                B::CodeExists(_) => 409,
            },
            AppError::Cart(e) => match e {
                CartError::BadQuantity { .. } => 400,
                CartError::NotInCart { .. } => 404,
                CartError::LineFull { .. }
                | CartError::TooManyLines
                | CartError::OutOfStock { .. } => 409,
            },
            AppError::Catalog(e) => match e {
                ChangeError::Invalid { .. } => 422,
                ChangeError::NotFound { .. } => 404,
                ChangeError::NoCatalog | ChangeError::ConfirmRequired { .. } => 409,
            },
            AppError::Shop(e) => match e {
                ShopError::BadSignature(_) => 400,
                ShopError::UnknownOrder(_) => 404,
                ShopError::WebhooksNotConfigured | ShopError::StockBusy { .. } => 503,
                _ => 409,
            },
            AppError::Payment(e) => match e {
                PaymentError::NotConfigured | PaymentError::RateLimited => 503,
                PaymentError::Timeout => 504,
                PaymentError::Unavailable(_) | PaymentError::Refused(_) => 502,
            },
            AppError::Discount(Refusal::Unknown) => 404,
            AppError::Discount(_) => 409,
            AppError::CatalogBusy | AppError::StockInUse { .. } => 409,
            AppError::CatalogUnavailable | AppError::CatalogNotPublished(_) => 503,
            AppError::Internal(_) | AppError::Corrupt(_) => 500,
        }
    }

    /// The machine-readable `error` field of JSON answers.
    pub fn code(&self) -> &'static str {
        use BadInput as B;
        match self {
            AppError::NotFound => "not_found",
            AppError::MethodNotAllowed(_) => "method_not_allowed",
            AppError::Unauthorized => "unauthorized",
            AppError::Input(i) => match i {
                B::MalformedJson(_) => "malformed_json",
                B::MalformedForm => "malformed_form",
                B::NotUtf8 => "bad_encoding",
                B::TooLarge { .. } => "payload_too_large",
                B::LengthRequired => "length_required",
                B::CrossOrigin => "cross_origin",
                B::BadCsrf => "bad_csrf",
                B::BadSku { .. } | B::MissingSku => "bad_sku",
                B::UnknownSku(_) => "unknown_sku",
                B::BadQuantity { .. } => "bad_quantity",
                B::BadOnHand { .. } => "bad_on_hand",
                B::BadBuckets { .. } => "bad_buckets",
                B::UnknownField(_) => "unknown_field",
                B::HandleMismatch { .. } => "handle_mismatch",
                B::NoCatalogYet => "no_catalog",
                B::NoSettingsYet => "no_settings",
                B::NoCatalogGiven => "no_catalog_given",
                B::BadStatus(_) => "bad_status",
                B::BadCursor => "bad_cursor",
                B::BadLimit => "bad_limit",
                B::UnknownOrder(_) => "unknown_order",
                B::BadQuery(_) => "bad_request",
                B::BadEmail => "bad_email",
                B::UnshippableCountry(_) => "unshippable_country",
                B::UnknownRate { .. } => "unknown_rate",
                B::BadDiscount(_) => "invalid_discount",
                B::CodeExists(_) => "code_exists",
            },
            AppError::Cart(e) => e.code(),
            AppError::Catalog(e) => match e {
                ChangeError::Invalid { .. } => "invalid_catalog",
                ChangeError::NotFound { .. } => "unknown_product",
                ChangeError::NoCatalog => "no_catalog",
                ChangeError::ConfirmRequired { .. } => "confirm_required",
            },
            AppError::Shop(e) => match e {
                ShopError::EmptyCart => "empty_cart",
                ShopError::Unavailable { .. } => "unavailable",
                ShopError::OutOfStock { .. } => "out_of_stock",
                ShopError::StockBusy { .. } => "stock_busy",
                ShopError::CheckoutExpired => "checkout_expired",
                ShopError::CheckoutConflict(_) => "checkout_conflict",
                ShopError::UnknownOrder(_) => "unknown_order",
                ShopError::NotPaid { .. } => "not_paid",
                ShopError::NoPayment => "no_payment",
                ShopError::BadSignature(_) => "bad_signature",
                ShopError::WebhooksNotConfigured => "payment_unavailable",
                // Converted to other variants on the way in.
                ShopError::Cart(_)
                | ShopError::Discount(_)
                | ShopError::Payment(_)
                | ShopError::Store(_)
                | ShopError::MalformedEvent(_) => "internal",
            },
            AppError::Payment(PaymentError::RateLimited) => "gateway_busy",
            AppError::Payment(_) => "payment_unavailable",
            AppError::Discount(r) => r.code(),
            AppError::CatalogUnavailable => "unavailable",
            AppError::CatalogBusy => "busy",
            AppError::StockInUse { .. } => "stock_in_use",
            AppError::CatalogNotPublished(_) => "catalog_unavailable",
            AppError::Internal(_) | AppError::Corrupt(_) => "internal",
        }
    }

    /// Extra fields of the JSON body: what a 4xx is about (`sku`, `available`, `problems`, …).
    pub fn fields(&self) -> Map<String, Value> {
        let fields = match self {
            AppError::Input(BadInput::BadSku { raw, .. }) => json!({ "sku": raw }),
            AppError::Input(BadInput::UnknownSku(sku)) => json!({ "sku": sku }),
            AppError::Input(BadInput::TooLarge { max }) => json!({ "max_bytes": max }),
            AppError::Cart(CartError::OutOfStock { sku, available, .. })
            | AppError::Shop(ShopError::OutOfStock { sku, available, .. }) => {
                json!({ "sku": sku, "available": available })
            }
            AppError::Cart(CartError::LineFull { sku, .. } | CartError::NotInCart { sku })
            | AppError::Shop(ShopError::Unavailable { sku } | ShopError::StockBusy { sku }) => {
                json!({ "sku": sku })
            }
            AppError::Catalog(ChangeError::Invalid { problems }) => json!({ "problems": problems }),
            AppError::Catalog(ChangeError::NotFound { handle }) => json!({ "handle": handle }),
            AppError::Discount(Refusal::BelowMinimum { minimum }) => json!({ "minimum": minimum }),
            AppError::StockInUse { held } => json!({ "held": held }),
            AppError::Input(BadInput::BadDiscount(e)) => json!({ "field": e.field }),
            AppError::Input(BadInput::CodeExists(code)) => json!({ "code": code }),
            AppError::Catalog(ChangeError::ConfirmRequired {
                current,
                removed,
                remaining,
            }) => json!({ "current": current, "removed": removed, "remaining": remaining }),
            _ => json!({}),
        };
        match fields {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    /// The text field `key` of a 4xx's JSON body (the `sku` a problem is about, say).
    pub fn field(&self, key: &str) -> Option<String> {
        self.fields()
            .get(key)
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    }

    /// What a person reads: precise for 4xx, generic for 5xx.
    pub fn detail(&self) -> String {
        match self {
            AppError::NotFound => "There is nothing at this address.".into(),
            AppError::Unauthorized => "Send `Authorization: Bearer <ADMIN_TOKEN>`.".into(),
            AppError::MethodNotAllowed(allow) => format!("This address accepts {allow}."),
            AppError::CatalogUnavailable => {
                "The shop's catalog has not been published yet; try again shortly.".into()
            }
            AppError::Cart(CartError::OutOfStock { sku, available, .. }) => {
                stock_sentence(sku, *available)
            }
            AppError::Shop(ShopError::WebhooksNotConfigured) => {
                "Webhooks are not configured (PAYMENT_WEBHOOK_SECRET).".into()
            }
            AppError::Payment(e) => {
                let text = e.to_string();
                let mut chars = text.chars();
                match chars.next() {
                    // Our own messages, in English: ASCII case mapping (the full Unicode
                    // one brings its tables into the Worker).
                    Some(first) => format!("{}{}.", first.to_ascii_uppercase(), chars.as_str()),
                    None => text,
                }
            }
            AppError::Internal(_) | AppError::Corrupt(_) => {
                "Something went wrong on our side; please try again.".into()
            }
            other => other.to_string(),
        }
    }

    pub fn title(&self) -> &'static str {
        match self.status_code() {
            404 => "Page not found",
            405 => "Method not allowed",
            401 | 403 => "Not authorised",
            409 => "That could not be done",
            411 | 413 => "That request was too large",
            _ if matches!(
                self,
                AppError::Payment(_) | AppError::Shop(ShopError::WebhooksNotConfigured)
            ) =>
            {
                "Payment is unavailable right now"
            }
            _ if matches!(self, AppError::CatalogUnavailable) => "The shop is being set up",
            _ if matches!(self, AppError::CatalogNotPublished(_)) => {
                "The catalog could not be published yet"
            }
            s if s >= 500 => "Something went wrong",
            _ => "That request did not make sense",
        }
    }

    /// Whether the merchant's and shopper's pages should show this error's own words (4xx, and
    /// a payment service that is down: worth saying so).
    pub fn worth_showing(&self) -> bool {
        self.status_code() < 500
            || matches!(
                self,
                AppError::Payment(_) | AppError::Shop(ShopError::WebhooksNotConfigured)
            )
    }

    /// Logs 5xx with their causes (their bodies stay generic).
    pub fn log(&self) {
        if self.status_code() >= 500 {
            let mut msg = self.to_string();
            let mut source = std::error::Error::source(self);
            while let Some(s) = source {
                msg.push_str(&format!(": {s}"));
                source = s.source();
            }
            console_error!("{msg}");
        }
    }

    /// The JSON body of the error: its extra fields, `error` and `detail`.
    pub fn body(&self) -> Map<String, Value> {
        let mut body = self.fields();
        body.insert("error".into(), self.code().into());
        body.insert("detail".into(), self.detail().into());
        body
    }
}

#[cfg(test)]
mod tests;
