//! The Worker's settings (`[vars]` of wrangler.toml and secrets), read from `Env` once per
//! isolate: a Worker's variables cannot change while its isolate lives, and every variable read
//! crosses into JavaScript.
//!
//! A value that is set but unreadable (say `CATALOG_POINTER_TTL = "soon"`) is an error naming the
//! variable, rather than a silent fallback to the default; an unset or empty one takes the
//! default.

use std::cell::OnceCell;
use std::rc::Rc;
use std::time::Duration;
use worker::Env;

/// Stripe's API, where the payment gateway client goes by default.
pub const DEFAULT_API_BASE: &str = "https://api.stripe.com";
/// Stripe's hosted checkout, allowed as a form target by the pages' CSP by default.
pub const DEFAULT_PAYMENT_PAGE_ORIGIN: &str = "https://checkout.stripe.com";

#[derive(Clone, Debug)]
pub struct Config {
    /// Seconds a worker trusts its cached catalog version (`CATALOG_POINTER_TTL`, 30).
    pub catalog_pointer_ttl: u64,
    /// How long product pages may show a counter read by an earlier request
    /// (`SHOWN_STOCK_TTL_MS`, 2000).
    pub shown_stock_ttl_ms: u64,
    /// An abandoned cart is deleted after this long without a change (`CART_TTL_SECONDS`,
    /// 30 days).
    pub cart_ttl_seconds: u64,
    /// Stock holds of a checkout (`RESERVATION_TTL_SECONDS`, 1800).
    pub reservation_ttl_seconds: u64,
    /// `PAYMENT_API_BASE`.
    pub payment_api_base: String,
    /// `PAYMENT_SECRET_KEY` (secret); payments answer 503 without it.
    pub payment_secret_key: Option<String>,
    /// `PAYMENT_WEBHOOK_SECRET` (secret); webhooks answer 503 without it.
    pub payment_webhook_secret: Option<String>,
    /// `PAYMENT_TIMEOUT_MS` (8000).
    pub payment_timeout: Duration,
    /// `ADMIN_TOKEN` (secret); the admin answers 401 to everyone without it.
    pub admin_token: Option<String>,
    /// Rendered catalog pages kept in the isolate (`PAGE_CACHE`, "on" or "off").
    pub page_cache: bool,
    /// The pages' Content-Security-Policy, allowing `PAYMENT_PAGE_ORIGIN` as a form target.
    pub csp: String,
    /// The e-mail API (Postmark's shape): `EMAIL_API_BASE`.
    pub email_api_base: String,
    /// `EMAIL_API_TOKEN` (secret, Postmark's server token); e-mails fail (and are retried,
    /// visibly to the merchant) without it.
    pub email_api_token: Option<String>,
    /// `EMAIL_FROM`: the sender, a verified sender signature at the provider.
    pub email_from: String,
    /// `EMAIL_RETRY_BASE_MS` (30000): the wait after a failed send, ×4 after each further one.
    pub email_retry_base_ms: i64,
}

/// Postmark's API, where e-mails go by default.
pub const DEFAULT_EMAIL_API_BASE: &str = "https://api.postmarkapp.com";
/// The sender when `EMAIL_FROM` is unset.
pub const DEFAULT_EMAIL_FROM: &str = "Edge Storefront <orders@example.com>";

/// The KV namespace binding of the published catalog.
pub const CATALOG_KV: &str = "CATALOG";

impl From<BadVar> for crate::error::AppError {
    fn from(e: BadVar) -> Self {
        crate::error::AppError::internal(e.to_string())
    }
}

/// A variable that is set but cannot be read as what it should be.
#[derive(Debug, thiserror::Error)]
#[error("the variable {name} is {value:?}, but should be {expected}")]
pub struct BadVar {
    pub name: &'static str,
    pub value: String,
    pub expected: &'static str,
}

/// Where a [`Config`] reads its values from: the Worker's `Env`, or a map in tests.
pub trait Source {
    /// The variable or secret `name`, if set and not empty.
    fn get(&self, name: &str) -> Option<String>;
}

impl Source for Env {
    fn get(&self, name: &str) -> Option<String> {
        let v = self
            .secret(name)
            .or_else(|_| self.var(name))
            .ok()?
            .to_string();
        (!v.trim().is_empty()).then_some(v)
    }
}

impl Source for std::collections::HashMap<&str, &str> {
    fn get(&self, name: &str) -> Option<String> {
        self.get(name)
            .filter(|v| !v.trim().is_empty())
            .map(|v| (*v).to_owned())
    }
}

fn number(src: &impl Source, name: &'static str, default: u64) -> Result<u64, BadVar> {
    match src.get(name) {
        None => Ok(default),
        Some(v) => v.trim().parse().map_err(|_| BadVar {
            name,
            value: v,
            expected: "a whole number",
        }),
    }
}

fn switch(src: &impl Source, name: &'static str, default: bool) -> Result<bool, BadVar> {
    match src.get(name).as_deref().map(str::trim) {
        None => Ok(default),
        Some("on" | "true" | "1") => Ok(true),
        Some("off" | "false" | "0") => Ok(false),
        Some(v) => Err(BadVar {
            name,
            value: v.to_owned(),
            expected: "\"on\" or \"off\"",
        }),
    }
}

impl Config {
    pub fn from_source(src: &impl Source) -> Result<Config, BadVar> {
        let payment_page = src
            .get("PAYMENT_PAGE_ORIGIN")
            .unwrap_or_else(|| DEFAULT_PAYMENT_PAGE_ORIGIN.to_owned());
        Ok(Config {
            catalog_pointer_ttl: number(src, "CATALOG_POINTER_TTL", 30)?,
            shown_stock_ttl_ms: number(src, "SHOWN_STOCK_TTL_MS", 2_000)?,
            cart_ttl_seconds: number(src, "CART_TTL_SECONDS", 30 * 24 * 3600)?,
            reservation_ttl_seconds: number(src, "RESERVATION_TTL_SECONDS", 30 * 60)?,
            payment_api_base: src
                .get("PAYMENT_API_BASE")
                .unwrap_or_else(|| DEFAULT_API_BASE.to_owned()),
            payment_secret_key: src.get("PAYMENT_SECRET_KEY"),
            payment_webhook_secret: src.get("PAYMENT_WEBHOOK_SECRET"),
            payment_timeout: Duration::from_millis(number(src, "PAYMENT_TIMEOUT_MS", 8_000)?),
            admin_token: src.get("ADMIN_TOKEN"),
            page_cache: switch(src, "PAGE_CACHE", true)?,
            csp: content_security_policy(&payment_page),
            email_api_base: src
                .get("EMAIL_API_BASE")
                .unwrap_or_else(|| DEFAULT_EMAIL_API_BASE.to_owned()),
            email_api_token: src.get("EMAIL_API_TOKEN"),
            email_from: src
                .get("EMAIL_FROM")
                .unwrap_or_else(|| DEFAULT_EMAIL_FROM.to_owned()),
            email_retry_base_ms: i64::try_from(number(src, "EMAIL_RETRY_BASE_MS", 30_000)?)
                .unwrap_or(i64::MAX),
        })
    }
}

thread_local! {
    static CONFIG: OnceCell<Rc<Config>> = const { OnceCell::new() };
}

/// This isolate's configuration, read from `env` on first use.
pub fn of(env: &Env) -> Result<Rc<Config>, BadVar> {
    if let Some(c) = CONFIG.with(|c| c.get().cloned()) {
        return Ok(c);
    }
    let config = Rc::new(Config::from_source(env)?);
    Ok(CONFIG.with(|c| c.get_or_init(|| config).clone()))
}

/// The shop's pages load scripts, styles and images only from the shop itself (the JSON-LD
/// blocks are data, which CSP does not execute). Forms post to the shop; browsers also apply
/// `form-action` to the redirect that follows a post, so checkout's redirect needs the payment
/// page's origin there too (`PAYMENT_PAGE_ORIGIN`, Stripe's hosted checkout by default).
pub fn content_security_policy(payment_page_origin: &str) -> String {
    format!(
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
connect-src 'self'; form-action 'self' {payment_page_origin}; frame-ancestors 'none'; base-uri 'self'; \
object-src 'none'"
    )
}

/// The pages' Content-Security-Policy: this isolate's, or the default before any request read
/// the configuration.
pub fn csp() -> String {
    CONFIG
        .with(|c| c.get().map(|c| c.csp.clone()))
        .unwrap_or_else(|| content_security_policy(DEFAULT_PAYMENT_PAGE_ORIGIN))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn defaults_when_unset_or_empty() {
        let vars = HashMap::from([("CATALOG_POINTER_TTL", " ")]);
        let c = Config::from_source(&vars).expect("defaults");
        assert_eq!(c.catalog_pointer_ttl, 30);
        assert!(c.page_cache);
        assert_eq!(c.payment_api_base, DEFAULT_API_BASE);
        assert!(c.csp.contains(DEFAULT_PAYMENT_PAGE_ORIGIN));
        assert_eq!(c.admin_token, None);
        assert_eq!(c.email_api_base, DEFAULT_EMAIL_API_BASE);
        assert_eq!(c.email_api_token, None);
        assert_eq!(c.email_retry_base_ms, 30_000);
    }

    #[test]
    fn values_are_read() {
        let vars = HashMap::from([
            ("CATALOG_POINTER_TTL", "0"),
            ("PAGE_CACHE", "off"),
            ("PAYMENT_PAGE_ORIGIN", "http://127.0.0.1:8788"),
            ("PAYMENT_TIMEOUT_MS", "250"),
        ]);
        let c = Config::from_source(&vars).expect("config");
        assert_eq!(c.catalog_pointer_ttl, 0);
        assert!(!c.page_cache);
        assert!(c.csp.contains("form-action 'self' http://127.0.0.1:8788;"));
        assert_eq!(c.payment_timeout, Duration::from_millis(250));
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        let vars = HashMap::from([("CATALOG_POINTER_TTL", "soon")]);
        let e = Config::from_source(&vars).expect_err("bad number");
        assert_eq!(e.name, "CATALOG_POINTER_TTL");
        assert!(e.to_string().contains("\"soon\""), "{e}");
        let vars = HashMap::from([("PAGE_CACHE", "maybe")]);
        assert_eq!(
            Config::from_source(&vars).expect_err("bad switch").name,
            "PAGE_CACHE"
        );
    }
}
