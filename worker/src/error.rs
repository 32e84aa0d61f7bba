//! One error type for every handler, owning the mapping to HTTP status codes.
//! Clients get a precise message for 4xx and a generic one for 5xx; causes are logged.

use worker::{console_error, Response};

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

impl AppError {
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::NotFound => 404,
            AppError::BadRequest(_) => 400,
            AppError::MethodNotAllowed(_) => 405,
            AppError::CatalogUnavailable => 503,
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
            AppError::Internal(_) | AppError::Corrupt(_) => "internal",
        }
    }

    /// What a person reads: precise for 4xx, generic for 5xx.
    pub fn detail(&self) -> String {
        match self {
            AppError::NotFound => "There is nothing at this address.".into(),
            AppError::BadRequest(msg) => msg.clone(),
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
            AppError::Internal(_) | AppError::Corrupt(_) => "Something went wrong",
        }
    }

    fn log(&self) {
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

    fn finish(&self, mut resp: Response) -> worker::Result<Response> {
        self.log();
        resp = resp.with_status(self.status_code());
        let headers = resp.headers_mut();
        headers.set("cache-control", "no-store")?;
        if let AppError::MethodNotAllowed(allow) = self {
            headers.set("allow", allow)?;
        }
        Ok(resp)
    }

    pub fn to_json(&self) -> worker::Result<Response> {
        let body = serde_json::json!({ "error": self.code(), "detail": self.detail() });
        self.finish(Response::from_json(&body)?)
    }

    pub fn to_html(&self, collections: Vec<domain::Collection>) -> worker::Result<Response> {
        let html = app::render::error(
            collections,
            self.status_code(),
            self.title(),
            &self.detail(),
        );
        let resp = crate::respond::with_security_headers(Response::from_html(html)?)?;
        self.finish(resp)
    }
}
