//! [`App`]: everything the handlers share — sessions, idempotency keys, faults, counters,
//! webhooks and the e-mail outbox — and the session transitions, each of which emits its event.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::faults::Faults;
use crate::idempotency::Idempotency;
use crate::ids::id as id_of;
use crate::lock;
use crate::outbox::Outbox;
use crate::session::{NewSession, Session};
use crate::shipping::ShippingDetails;
use crate::stats::Stats;
use crate::webhooks::{Event, Webhooks, COMPLETED, EXPIRED};

/// Sessions in creation order, with an index by id.
#[derive(Default)]
struct Sessions {
    list: Vec<Session>,
    by_id: HashMap<String, usize>,
}

impl Sessions {
    fn get_mut(&mut self, id: &str) -> Option<&mut Session> {
        let i = *self.by_id.get(id)?;
        self.list.get_mut(i)
    }
}

pub struct App {
    /// The API key callers must present.
    pub secret_key: String,
    /// `http://host:port` of this server, for session URLs.
    pub base_url: String,
    pub idempotency: Idempotency,
    pub faults: Mutex<Faults>,
    pub stats: Arc<Stats>,
    pub webhooks: Webhooks,
    /// Refunds made, as their JSON, oldest first.
    pub refunds: Mutex<Vec<serde_json::Value>>,
    /// The token `POST /email` expects as `X-Postmark-Server-Token`; `None` refuses every
    /// e-mail.
    pub email_token: Option<String>,
    /// E-mails sent through `POST /email`.
    pub outbox: Outbox,
    sessions: Mutex<Sessions>,
}

impl App {
    pub fn new(secret_key: String, base_url: String, stats: Arc<Stats>, webhooks: Webhooks) -> App {
        App {
            secret_key,
            base_url,
            idempotency: Idempotency::default(),
            faults: Mutex::default(),
            stats,
            webhooks,
            refunds: Mutex::default(),
            email_token: None,
            outbox: Outbox::default(),
            sessions: Mutex::default(),
        }
    }

    /// The app, taking e-mails that carry `token` (none without one).
    pub fn with_email_token(self, token: Option<String>) -> App {
        App {
            email_token: token,
            ..self
        }
    }

    /// Stores a new open session.
    pub fn create_session(&self, new: NewSession, now: i64) -> Session {
        let sid = id_of("cs_test_");
        let url = format!("{}/pay/{sid}", self.base_url);
        let session = Session::open(new, sid, url, now);
        {
            let mut sessions = lock(&self.sessions);
            let index = sessions.list.len();
            sessions.by_id.insert(session.id.clone(), index);
            sessions.list.push(session.clone());
        }
        Stats::bump(&self.stats.sessions_created);
        eprintln!(
            "sandbox-gateway: created {} for {} {}",
            session.id, session.new.amount_total, session.new.currency
        );
        session
    }

    /// The session `id` as of `now` (expiring it first if it is due).
    pub fn session(&self, id: &str, now: i64) -> Option<Session> {
        Some(self.update(id, now, |_| None)?.0)
    }

    /// Pays session `id`, shipping to `shipping` (checked by the caller). The result's status
    /// says what happened: `Complete` (now or before — paying twice changes nothing and emits
    /// nothing) or `Expired`.
    pub fn complete(
        &self,
        id: &str,
        now: i64,
        shipping: Option<ShippingDetails>,
    ) -> Option<Session> {
        let pay = |s: &mut Session| s.complete(id_of("pi_test_"), shipping).then_some(COMPLETED);
        Some(self.update(id, now, pay)?.0)
    }

    /// Expires session `id`: `Ok` if this expired it (it was open, or due), `Err` with it
    /// unchanged if it was already complete or expired.
    pub fn expire(&self, id: &str, now: i64) -> Option<Result<Session, Session>> {
        let (session, emitted) = self.update(id, now, |s| s.expire().then_some(EXPIRED))?;
        Some(if emitted.contains(&EXPIRED) {
            Ok(session)
        } else {
            Err(session)
        })
    }

    /// Expires every open session past its `expires_at`; returns how many.
    pub fn expire_due(&self, now: i64) -> usize {
        let expired: Vec<Session> = lock(&self.sessions)
            .list
            .iter_mut()
            .filter(|s| s.is_due(now))
            .filter_map(|s| s.expire().then(|| s.clone()))
            .collect();
        for session in &expired {
            self.emit(EXPIRED, session, now);
        }
        expired.len()
    }

    /// All sessions, oldest first.
    pub fn sessions(&self) -> Vec<Session> {
        lock(&self.sessions).list.clone()
    }

    /// Applies `change` to session `id` after expiring it if due, and emits the events; returns
    /// the session as left and the kinds of the events emitted.
    fn update(
        &self,
        id: &str,
        now: i64,
        change: impl FnOnce(&mut Session) -> Option<&'static str>,
    ) -> Option<(Session, Vec<&'static str>)> {
        let mut events = Vec::new();
        let session = {
            let mut sessions = lock(&self.sessions);
            let session = sessions.get_mut(id)?;
            if session.is_due(now) && session.expire() {
                events.push((EXPIRED, session.clone()));
            }
            if let Some(kind) = change(session) {
                events.push((kind, session.clone()));
            }
            session.clone()
        };
        for (kind, snapshot) in &events {
            self.emit(kind, snapshot, now);
        }
        Some((session, events.into_iter().map(|(kind, _)| kind).collect()))
    }

    fn emit(&self, kind: &'static str, session: &Session, now: i64) {
        self.webhooks.emit(Event::new(kind, session.to_json(), now));
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::session::tests::item;
    use crate::session::Status;
    use crate::webhooks::Deliverer;

    pub const NOW: i64 = 1_700_000_000;
    /// The e-mail token of [`email_app`].
    pub const EMAIL_TOKEN: &str = "pm_test_token";

    /// An app whose webhooks are held (never sent), so tests can inspect them, and which has
    /// no e-mail token.
    pub fn app() -> Arc<App> {
        Arc::new(bare())
    }

    /// [`app`], taking e-mails with [`EMAIL_TOKEN`].
    pub fn email_app() -> Arc<App> {
        Arc::new(bare().with_email_token(Some(EMAIL_TOKEN.to_owned())))
    }

    fn bare() -> App {
        let stats = Arc::new(Stats::default());
        let deliverer =
            Deliverer::new("http://127.0.0.1:9/", "whsec_test", Arc::clone(&stats)).unwrap();
        let webhooks = Webhooks::new(deliverer);
        webhooks.set_policy(Some(true), None);
        App::new(
            "sk_test_123".into(),
            "http://127.0.0.1:1".into(),
            stats,
            webhooks,
        )
    }

    pub fn new_session(expires_at: i64) -> NewSession {
        NewSession {
            currency: "eur".into(),
            line_items: vec![item("Mug", 1, 1000)],
            amount_subtotal: 1000,
            amount_total: 1000,
            shipping_address_collection: None,
            shipping_rates: Vec::new(),
            success_url: "https://shop.test/ok".into(),
            cancel_url: "https://shop.test/cart".into(),
            client_reference_id: None,
            customer_email: None,
            metadata: Default::default(),
            expires_at,
        }
    }

    fn event_types(app: &App) -> Vec<String> {
        app.webhooks
            .events()
            .iter()
            .map(|e| e["type"].as_str().unwrap_or("").to_owned())
            .collect()
    }

    #[test]
    fn paying_completes_once_and_emits_once() {
        let app = app();
        let s = app.create_session(new_session(NOW + 60), NOW);
        assert_eq!(s.url, format!("http://127.0.0.1:1/pay/{}", s.id));
        let paid = app.complete(&s.id, NOW, None).unwrap();
        assert_eq!(paid.status, Status::Complete);
        let pi = paid.payment_intent.clone().unwrap();
        assert!(pi.starts_with("pi_test_"));
        let again = app.complete(&s.id, NOW, None).unwrap();
        assert_eq!(again.payment_intent, Some(pi));
        assert_eq!(event_types(&app), [COMPLETED]);
        assert_eq!(
            app.webhooks.events()[0]["data"]["object"]["payment_status"],
            "paid"
        );
        assert!(app.expire(&s.id, NOW).unwrap().is_err());
        assert!(app.complete("cs_test_nope", NOW, None).is_none());
    }

    #[test]
    fn due_sessions_expire_in_the_sweep_or_on_access() {
        let app = app();
        let swept = app.create_session(new_session(NOW + 10), NOW);
        let touched = app.create_session(new_session(NOW + 10), NOW);
        let later = app.create_session(new_session(NOW + 100), NOW);
        // Touching a due session expires it before anything else happens.
        assert_eq!(
            app.complete(&touched.id, NOW + 10, None).unwrap().status,
            Status::Expired
        );
        assert_eq!(app.expire_due(NOW + 9), 0);
        assert_eq!(app.expire_due(NOW + 10), 1);
        assert_eq!(app.expire_due(NOW + 10), 0);
        assert_eq!(app.session(&swept.id, NOW).unwrap().status, Status::Expired);
        assert_eq!(
            app.session(&later.id, NOW + 10).unwrap().status,
            Status::Open
        );
        assert_eq!(event_types(&app), [EXPIRED, EXPIRED]);
        let ids: Vec<_> = app.sessions().into_iter().map(|s| s.id).collect();
        assert_eq!(ids, [swept.id, touched.id, later.id.clone()]);
        // Explicit expiry.
        assert!(app.expire(&later.id, NOW).unwrap().is_ok());
        assert!(app.expire(&later.id, NOW).unwrap().is_err());
        assert_eq!(app.webhooks.held(), 3);
    }
}
