//! Events and their signed delivery to the shop's webhook endpoint.
//!
//! Every [`Event`] is logged (`GET /_sandbox/events`) and delivered in the background: a POST of
//! its JSON with a `Stripe-Signature` made by [`domain::webhook::header`]. A non-2xx answer or a
//! connection error is retried after [`BACKOFF`]; every attempt is signed afresh with the current
//! time, while the event id and body stay the same. The [`Policy`] can hold events in a queue
//! (delivered by [`Webhooks::flush`] in either order) or deliver each one twice.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use serde_json::json;

use crate::ids::{id, unix_now};
use crate::lock;
use crate::stats::Stats;

pub const COMPLETED: &str = "checkout.session.completed";
pub const EXPIRED: &str = "checkout.session.expired";

/// Waits between delivery attempts; the attempt after the last wait is the final one.
pub const BACKOFF: [Duration; 5] = [
    Duration::from_millis(200),
    Duration::from_millis(500),
    Duration::from_secs(1),
    Duration::from_secs(2),
    Duration::from_secs(4),
];
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);

/// An event with its body serialised once, so every delivery sends the same bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub id: String,
    pub kind: &'static str,
    pub body: Bytes,
}

impl Event {
    /// A new event of `kind` about `object` (a session's JSON) at `created`.
    pub fn new(kind: &'static str, object: serde_json::Value, created: i64) -> Event {
        let id = id("evt_");
        let body = json!({
            "id": id,
            "object": "event",
            "type": kind,
            "created": created,
            "livemode": false,
            "data": { "object": object },
        });
        Event {
            id,
            kind,
            body: Bytes::from(body.to_string()),
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// Webhook faults.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Policy {
    /// Queue events instead of delivering them.
    pub hold: bool,
    /// Deliver every event twice.
    pub duplicate: bool,
}

/// Order for [`Webhooks::flush`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    Fifo,
    Reverse,
}

/// Sends one event to the endpoint, retrying; cheap to clone into tasks.
#[derive(Clone)]
pub struct Deliverer {
    client: reqwest::Client,
    url: Arc<str>,
    secret: Arc<[u8]>,
    stats: Arc<Stats>,
}

impl Deliverer {
    pub fn new(url: &str, secret: &str, stats: Arc<Stats>) -> Result<Deliverer, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(ATTEMPT_TIMEOUT)
            .connect_timeout(Duration::from_secs(2))
            .redirect(reqwest::redirect::Policy::none())
            // The endpoint is the shop on this machine; an HTTP_PROXY meant for the outside
            // world must not capture it.
            .no_proxy()
            .build()?;
        Ok(Deliverer {
            client,
            url: url.into(),
            secret: secret.as_bytes().into(),
            stats,
        })
    }

    /// Delivers `event`, retrying per [`BACKOFF`]. True once the endpoint answered 2xx.
    pub async fn deliver(&self, event: &Event) -> bool {
        let attempts = BACKOFF.len() + 1;
        for attempt in 1..=attempts {
            let outcome = self.attempt(event).await;
            let label = format!(
                "webhook {} {} attempt {attempt}/{attempts}",
                event.id, event.kind
            );
            match outcome {
                Ok(status) if status.is_success() => {
                    Stats::bump(&self.stats.webhooks_sent);
                    eprintln!("sandbox-gateway: {label}: delivered ({status})");
                    return true;
                }
                Ok(status) => eprintln!("sandbox-gateway: {label}: endpoint answered {status}"),
                Err(e) => eprintln!("sandbox-gateway: {label}: {e}"),
            }
            Stats::bump(&self.stats.webhooks_failed);
            if let Some(wait) = BACKOFF.get(attempt - 1) {
                tokio::time::sleep(*wait).await;
            }
        }
        Stats::bump(&self.stats.webhooks_abandoned);
        eprintln!(
            "sandbox-gateway: webhook {} {}: giving up",
            event.id, event.kind
        );
        false
    }

    async fn attempt(&self, event: &Event) -> Result<reqwest::StatusCode, reqwest::Error> {
        let signature = domain::webhook::header(&self.secret, unix_now(), &event.body);
        let response = self
            .client
            .post(&*self.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("stripe-signature", signature)
            .body(event.body.clone())
            .send()
            .await?;
        Ok(response.status())
    }
}

#[derive(Default)]
struct Queue {
    policy: Policy,
    held: VecDeque<Event>,
}

/// What a flush did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flushed {
    pub delivered: usize,
    pub failed: usize,
}

pub struct Webhooks {
    deliverer: Deliverer,
    queue: Mutex<Queue>,
    log: Mutex<Vec<Event>>,
}

impl Webhooks {
    pub fn new(deliverer: Deliverer) -> Webhooks {
        Webhooks {
            deliverer,
            queue: Mutex::default(),
            log: Mutex::default(),
        }
    }

    /// Logs `event` and delivers it in the background, or holds it, as the policy says.
    pub fn emit(&self, event: Event) {
        lock(&self.log).push(event.clone());
        let copies = {
            let mut queue = lock(&self.queue);
            let copies = if queue.policy.duplicate { 2 } else { 1 };
            if queue.policy.hold {
                queue.held.extend(std::iter::repeat_n(event, copies));
                return;
            }
            copies
        };
        self.spawn(std::iter::repeat_n(event, copies).collect());
    }

    /// Delivers `events` one after another in a background task.
    fn spawn(&self, events: Vec<Event>) {
        let deliverer = self.deliverer.clone();
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            eprintln!(
                "sandbox-gateway: no runtime; {} webhook(s) not delivered",
                events.len()
            );
            return;
        };
        runtime.spawn(async move {
            for event in &events {
                deliverer.deliver(event).await;
            }
        });
    }

    pub fn policy(&self) -> Policy {
        lock(&self.queue).policy
    }

    /// How many deliveries are held.
    pub fn held(&self) -> usize {
        lock(&self.queue).held.len()
    }

    /// Updates the policy. Turning holding off sends what was held, oldest first.
    pub fn set_policy(&self, hold: Option<bool>, duplicate: Option<bool>) {
        let released: Vec<Event> = {
            let mut queue = lock(&self.queue);
            if let Some(duplicate) = duplicate {
                queue.policy.duplicate = duplicate;
            }
            if let Some(hold) = hold {
                queue.policy.hold = hold;
            }
            if queue.policy.hold {
                Vec::new()
            } else {
                queue.held.drain(..).collect()
            }
        };
        if !released.is_empty() {
            self.spawn(released);
        }
    }

    /// Delivers the held events in `order`, one at a time, and waits for them.
    pub async fn flush(&self, order: Order) -> Flushed {
        let mut events: Vec<Event> = lock(&self.queue).held.drain(..).collect();
        if order == Order::Reverse {
            events.reverse();
        }
        let mut flushed = Flushed {
            delivered: 0,
            failed: 0,
        };
        for event in &events {
            if self.deliverer.deliver(event).await {
                flushed.delivered += 1;
            } else {
                flushed.failed += 1;
            }
        }
        flushed
    }

    /// Every event generated so far, oldest first.
    pub fn events(&self) -> Vec<serde_json::Value> {
        lock(&self.log).iter().map(Event::to_json).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn webhooks() -> Webhooks {
        // Nothing listens on port 9 of loopback in the test environment; these tests only hold.
        Webhooks::new(Deliverer::new("http://127.0.0.1:9/", "whsec", Arc::default()).unwrap())
    }

    #[test]
    fn events_carry_the_session_and_unique_ids() {
        let a = Event::new(COMPLETED, json!({ "id": "cs_test_1" }), 1_700_000_000);
        let b = Event::new(COMPLETED, json!({ "id": "cs_test_1" }), 1_700_000_000);
        assert_ne!(a.id, b.id);
        let j = a.to_json();
        assert_eq!(j["id"], a.id.as_str());
        assert_eq!(j["object"], "event");
        assert_eq!(j["type"], COMPLETED);
        assert_eq!(j["data"]["object"]["id"], "cs_test_1");
    }

    #[test]
    fn holding_queues_and_duplicating_doubles() {
        let hooks = webhooks();
        hooks.set_policy(Some(true), Some(true));
        hooks.emit(Event::new(EXPIRED, json!({}), 1));
        hooks.emit(Event::new(EXPIRED, json!({}), 2));
        assert_eq!(hooks.held(), 4);
        assert_eq!(hooks.events().len(), 2);
        assert_eq!(
            hooks.policy(),
            Policy {
                hold: true,
                duplicate: true
            }
        );
    }
}
