//! Counters served by `GET /_sandbox/stats`.

use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::json;

#[derive(Debug, Default)]
pub struct Stats {
    /// Every `POST /v1/checkout/sessions`, whatever its outcome (faults, replays, errors).
    pub create_requests: AtomicU64,
    /// Sessions actually created.
    pub sessions_created: AtomicU64,
    /// Webhook deliveries the endpoint acknowledged with a 2xx.
    pub webhooks_sent: AtomicU64,
    /// Webhook delivery attempts that failed (non-2xx or no connection); each retry counts.
    pub webhooks_failed: AtomicU64,
    /// Deliveries given up after the last retry.
    pub webhooks_abandoned: AtomicU64,
    /// E-mails accepted by `POST /email` (and put in the outbox).
    pub emails_sent: AtomicU64,
    /// E-mails answered 500 by an injected fault; refused ones (token, validation) not counted.
    pub emails_failed: AtomicU64,
}

impl Stats {
    pub fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub fn to_json(&self) -> serde_json::Value {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        json!({
            "create_requests": get(&self.create_requests),
            "sessions_created": get(&self.sessions_created),
            "webhooks_sent": get(&self.webhooks_sent),
            "webhooks_failed": get(&self.webhooks_failed),
            "webhooks_abandoned": get(&self.webhooks_abandoned),
            "emails_sent": get(&self.emails_sent),
            "emails_failed": get(&self.emails_failed),
        })
    }
}
