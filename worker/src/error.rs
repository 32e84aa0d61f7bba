//! One error type for every handler, owning the mapping to HTTP status codes.
//! Clients get a precise message for 4xx and a generic one for 5xx; causes are logged.

use commerce::ports::{PaymentError, StoreError};
use commerce::ShopError;
use domain::cart::CartError;
use domain::catalog::ChangeError;
use domain::Sku;
use worker::console_error;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    BadRequest(String),
    #[error("method not allowed")]
    MethodNotAllowed(&'static str),
    #[error("the catalog has not been published yet")]
    CatalogUnavailable,
    /// Another catalog change is being published (409).
    #[error("another catalog change is being published; retry in a moment")]
    CatalogBusy,
    /// Any other precise 4xx: a machine-readable code, a sentence for people, and extra fields
    /// for the JSON body (e.g. the `sku` that is out of stock).
    #[error("{detail}")]
    Client {
        status: u16,
        code: &'static str,
        detail: String,
        fields: serde_json::Map<String, serde_json::Value>,
    },
    #[error("missing or wrong credentials")]
    Unauthorized,
    /// A catalog change was saved in its object but could not be published to KV yet (503).
    #[error("{detail}")]
    CatalogNotPublished { detail: String },
    /// The payment gateway failed or did not answer in time (502 / 504).
    #[error("{detail}")]
    Gateway { status: u16, detail: String },
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

/// The service's refusals, each to its status and wire code: the one place they are chosen.
impl From<ShopError> for AppError {
    fn from(e: ShopError) -> Self {
        let detail = e.to_string();
        match e {
            ShopError::BadEmail => AppError::client(400, "bad_email", detail),
            ShopError::EmptyCart => AppError::client(409, "empty_cart", detail),
            ShopError::Unavailable { sku } => {
                AppError::client(409, "unavailable", detail).with("sku", sku.as_str())
            }
            ShopError::OutOfStock { sku, available, .. } => out_of_stock(detail, &sku, available),
            ShopError::CheckoutExpired => AppError::client(409, "checkout_expired", detail),
            ShopError::CheckoutConflict(_) => AppError::client(409, "checkout_conflict", detail),
            ShopError::Cart(e) => e.into(),
            ShopError::UnknownOrder(_) => AppError::client(404, "unknown_order", detail),
            ShopError::NotPaid { .. } => AppError::client(409, "not_paid", detail),
            ShopError::NoPayment => AppError::client(409, "no_payment", detail),
            ShopError::WebhooksNotConfigured => AppError::Gateway {
                status: 503,
                detail: "Webhooks are not configured (PAYMENT_WEBHOOK_SECRET).".into(),
            },
            ShopError::BadSignature(_) => AppError::client(400, "bad_signature", detail),
            ShopError::MalformedEvent(e) => AppError::malformed_json(e),
            ShopError::Payment(e) => e.into(),
            ShopError::Store(e) => AppError::internal(e.0),
        }
    }
}

impl From<PaymentError> for AppError {
    fn from(e: PaymentError) -> Self {
        let status = match e {
            PaymentError::NotConfigured => 503,
            PaymentError::Timeout => 504,
            PaymentError::Unavailable(_) | PaymentError::Refused(_) => 502,
        };
        let mut detail = e.to_string();
        if let Some(first) = detail.get(..1) {
            detail = format!("{}{}.", first.to_uppercase(), &detail[1..]);
        }
        AppError::Gateway { status, detail }
    }
}

impl From<CartError> for AppError {
    fn from(e: CartError) -> Self {
        let status = match e {
            CartError::BadQuantity { .. } => 400,
            CartError::LineFull { .. } | CartError::TooManyLines => 409,
            CartError::NotInCart { .. } => 404,
            CartError::OutOfStock {
                ref sku, available, ..
            } => return out_of_stock(stock_sentence(sku, available), sku, available),
        };
        let mut err = AppError::client(status, e.code(), e.to_string());
        if let CartError::LineFull { sku, .. } | CartError::NotInCart { sku } = &e {
            err = err.with("sku", sku.as_str());
        }
        err
    }
}

/// 409 `out_of_stock`: the counters have fewer than `sku` needs.
pub fn out_of_stock(detail: String, sku: &Sku, available: u32) -> AppError {
    AppError::client(409, "out_of_stock", detail)
        .with("sku", sku.as_str())
        .with("available", available)
}

/// "X is sold out" / "only 2 of X left".
pub fn stock_sentence(sku: &Sku, available: u32) -> String {
    if available == 0 {
        format!("{sku} is sold out")
    } else {
        format!("only {available} of {sku} left")
    }
}

/// A catalog change the domain's rules refused.
impl From<ChangeError> for AppError {
    fn from(e: ChangeError) -> Self {
        match e {
            ChangeError::Invalid { problems } => AppError::client(
                422,
                "invalid_catalog",
                format!("{} problem(s); nothing was changed", problems.len()),
            )
            .with(
                "problems",
                serde_json::to_value(problems).unwrap_or_default(),
            ),
            ChangeError::NotFound { handle } => AppError::client(
                404,
                "unknown_product",
                format!("there is no product {handle}"),
            )
            .with("handle", handle),
            ChangeError::NoCatalog => AppError::client(
                409,
                "no_catalog",
                "import a JSON catalog first (POST /admin/api/catalog/import): CSV carries products only",
            ),
            ChangeError::ConfirmRequired {
                current,
                removed,
                remaining,
            } => AppError::client(
                409,
                "confirm_required",
                format!(
                    "this would remove {removed} of the shop's {current} products, leaving {remaining}; \
nothing was changed. To do it anyway, send it again with ?confirm=replace"
                ),
            )
            .with("current", current)
            .with("removed", removed)
            .with("remaining", remaining),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        AppError::internal(e.0)
    }
}

impl AppError {
    /// A 4xx with a code and a detail.
    pub fn client(status: u16, code: &'static str, detail: impl Into<String>) -> Self {
        AppError::Client {
            status,
            code,
            detail: detail.into(),
            fields: serde_json::Map::new(),
        }
    }

    /// Adds a field to the JSON body of a [`AppError::Client`].
    /// The text field `key` of a 4xx's JSON body (the `sku` a problem is about, say).
    pub fn field(&self, key: &str) -> Option<&str> {
        match self {
            AppError::Client { fields, .. } => fields.get(key).and_then(|v| v.as_str()),
            _ => None,
        }
    }

    pub fn with(mut self, key: &str, value: impl Into<serde_json::Value>) -> Self {
        if let AppError::Client { fields, .. } = &mut self {
            fields.insert(key.to_owned(), value.into());
        }
        self
    }

    pub fn malformed_json(e: impl std::fmt::Display) -> Self {
        AppError::client(
            400,
            "malformed_json",
            format!("the body is not the JSON expected: {e}"),
        )
    }

    pub fn internal(msg: impl Into<String>) -> Self {
        AppError::Internal(worker::Error::RustError(msg.into()))
    }

    pub fn status_code(&self) -> u16 {
        match self {
            AppError::NotFound => 404,
            AppError::BadRequest(_) => 400,
            AppError::MethodNotAllowed(_) => 405,
            AppError::CatalogUnavailable | AppError::CatalogNotPublished { .. } => 503,
            AppError::CatalogBusy => 409,
            AppError::Client { status, .. } => *status,
            AppError::Unauthorized => 401,
            AppError::Gateway { status, .. } => *status,
            AppError::Internal(_) | AppError::Corrupt(_) => 500,
        }
    }

    /// The machine-readable `error` field of JSON answers.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound => "not_found",
            AppError::BadRequest(_) => "bad_request",
            AppError::MethodNotAllowed(_) => "method_not_allowed",
            AppError::CatalogUnavailable => "unavailable",
            AppError::CatalogBusy => "busy",
            AppError::Client { code, .. } => code,
            AppError::Unauthorized => "unauthorized",
            AppError::Gateway { .. } => "payment_unavailable",
            AppError::CatalogNotPublished { .. } => "catalog_unavailable",
            AppError::Internal(_) | AppError::Corrupt(_) => "internal",
        }
    }

    /// What a person reads: precise for 4xx, generic for 5xx.
    pub fn detail(&self) -> String {
        match self {
            AppError::NotFound => "There is nothing at this address.".into(),
            AppError::BadRequest(msg) => msg.clone(),
            AppError::Client { detail, .. }
            | AppError::Gateway { detail, .. }
            | AppError::CatalogNotPublished { detail } => detail.clone(),
            AppError::Unauthorized => "Send `Authorization: Bearer <ADMIN_TOKEN>`.".into(),
            AppError::CatalogBusy => self.to_string(),
            AppError::MethodNotAllowed(allow) => format!("This address accepts {allow}."),
            AppError::CatalogUnavailable => {
                "The shop's catalog has not been published yet; try again shortly.".into()
            }
            AppError::Internal(_) | AppError::Corrupt(_) => {
                "Something went wrong on our side; please try again.".into()
            }
        }
    }

    pub fn title(&self) -> &'static str {
        match self {
            AppError::NotFound => "Page not found",
            AppError::BadRequest(_) => "That request did not make sense",
            AppError::MethodNotAllowed(_) => "Method not allowed",
            AppError::CatalogUnavailable => "The shop is being set up",
            AppError::Client { status: 409, .. } | AppError::CatalogBusy => {
                "That could not be done"
            }
            AppError::Client { status: 413, .. } => "That request was too large",
            AppError::Client { .. } => "That request did not make sense",
            AppError::Unauthorized => "Not authorised",
            AppError::Gateway { .. } => "Payment is unavailable right now",
            AppError::CatalogNotPublished { .. } => "The catalog could not be published yet",
            AppError::Internal(_) | AppError::Corrupt(_) => "Something went wrong",
        }
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
    pub fn body(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut body = serde_json::Map::new();
        if let AppError::Client { fields, .. } = self {
            body.extend(fields.clone());
        }
        body.insert("error".into(), self.code().into());
        body.insert("detail".into(), self.detail().into());
        body
    }
}
