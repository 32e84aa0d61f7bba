//! The e-mails an order sends its shopper: one receipt once it is paid, one "on its way" once
//! it is fulfilled. Each is queued by the same state change that calls for it ([`Order::apply`]),
//! so a payment event delivered five times queues one receipt; the order's object then sends what
//! is due and records the outcome here.
//!
//! An attempt is recorded *before* the send ([`Order::begin_attempt`]) with the next attempt
//! already scheduled: if the sender dies mid-send, the notice is retried after its backoff rather
//! than forgotten, and a send that succeeded is recorded before anything else runs, so it is never
//! repeated. After [`MAX_ATTEMPTS`] failures the notice is `failed`, for the merchant to see.
//!
//! Times here are Unix **milliseconds** (retries are shorter than a second in tests).

use super::Order;
use serde::{Deserialize, Serialize};

/// How many sends are tried before a notice is given up (about 5.5 hours at the default base).
pub const MAX_ATTEMPTS: u32 = 8;
/// The longest wait between two attempts.
pub const MAX_BACKOFF_MS: i64 = 6 * 3600 * 1000;
/// The wait after the first failure when the shop sets no other: 30 s, then ×4 each time.
pub const DEFAULT_BACKOFF_BASE_MS: i64 = 30_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// "Thank you for your order": after payment.
    Receipt,
    /// "Your order is on its way": after fulfilment.
    Shipped,
}

impl NoticeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::Receipt => "receipt",
            NoticeKind::Shipped => "shipped",
        }
    }

    /// The variant named `name` (its snake_case JSON name).
    fn from_name(name: &str) -> Option<Self> {
        match name {
            "receipt" => Some(NoticeKind::Receipt),
            "shipped" => Some(NoticeKind::Shipped),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeState {
    /// To be sent at `next_at` (after failures if `attempts > 0`).
    Pending,
    Sent,
    /// Given up after [`MAX_ATTEMPTS`].
    Failed,
}

/// One e-mail of an order and how sending it went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub kind: NoticeKind,
    pub state: NoticeState,
    /// Sends tried so far.
    #[serde(default)]
    pub attempts: u32,
    /// When the next attempt is due (Unix ms), while pending.
    #[serde(default)]
    pub next_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// When it was accepted by the provider (Unix ms), and the provider's message id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
}

impl Notice {
    /// `pending`, `retrying` (pending after a failure), `sent` or `failed`.
    pub fn status(&self) -> &'static str {
        match self.state {
            NoticeState::Pending if self.attempts > 0 => "retrying",
            NoticeState::Pending => "pending",
            NoticeState::Sent => "sent",
            NoticeState::Failed => "failed",
        }
    }
}

/// The wait after the `attempts`-th failed attempt: `base × 4^(attempts − 1)`, at most
/// [`MAX_BACKOFF_MS`].
pub fn backoff_ms(attempts: u32, base_ms: i64) -> i64 {
    let factor = 4i64.saturating_pow(attempts.saturating_sub(1).min(20));
    base_ms.max(1).saturating_mul(factor).min(MAX_BACKOFF_MS)
}

impl Order {
    /// Queues `kind`, due at once, unless the order already has it: each is sent once per order.
    pub(super) fn queue_notice(&mut self, kind: NoticeKind, now_ms: i64) {
        if self.notice(kind).is_none() {
            self.notices.push(Notice {
                kind,
                state: NoticeState::Pending,
                attempts: 0,
                next_at: now_ms,
                last_error: None,
                sent_at: None,
                message_id: None,
            });
        }
    }

    pub fn notice(&self, kind: NoticeKind) -> Option<&Notice> {
        self.notices.iter().find(|n| n.kind == kind)
    }

    fn notice_mut(&mut self, kind: NoticeKind) -> Option<&mut Notice> {
        self.notices.iter_mut().find(|n| n.kind == kind)
    }

    /// When the earliest pending notice is due (Unix ms), for the order's alarm.
    pub fn next_notice_at(&self) -> Option<i64> {
        self.notices
            .iter()
            .filter(|n| n.state == NoticeState::Pending)
            .map(|n| n.next_at)
            .min()
    }

    /// The pending notices due at `now_ms`, in the order they were queued.
    pub fn due_notices(&self, now_ms: i64) -> Vec<NoticeKind> {
        self.notices
            .iter()
            .filter(|n| n.state == NoticeState::Pending && n.next_at <= now_ms)
            .map(|n| n.kind)
            .collect()
    }

    /// Records that `kind` is about to be sent: one more attempt, and the next one scheduled as
    /// if this one failed. `false` if it is not pending (nothing to send).
    pub fn begin_attempt(&mut self, kind: NoticeKind, now_ms: i64, base_ms: i64) -> bool {
        let Some(n) = self.notice_mut(kind) else {
            return false;
        };
        if n.state != NoticeState::Pending {
            return false;
        }
        n.attempts += 1;
        n.next_at = now_ms.saturating_add(backoff_ms(n.attempts, base_ms));
        true
    }

    /// The provider accepted `kind`. `false` if it was not pending.
    pub fn notice_sent(&mut self, kind: NoticeKind, message_id: String, now_ms: i64) -> bool {
        let Some(n) = self.notice_mut(kind) else {
            return false;
        };
        if n.state != NoticeState::Pending {
            return false;
        }
        n.state = NoticeState::Sent;
        n.sent_at = Some(now_ms);
        n.message_id = Some(message_id);
        n.last_error = None;
        true
    }

    /// The attempt begun for `kind` failed: kept for the retry [`Order::begin_attempt`]
    /// scheduled, or given up after [`MAX_ATTEMPTS`]. `false` if it was not pending.
    pub fn notice_failed(&mut self, kind: NoticeKind, error: &str) -> bool {
        let Some(n) = self.notice_mut(kind) else {
            return false;
        };
        if n.state != NoticeState::Pending {
            return false;
        }
        n.last_error = Some(error.chars().take(300).collect());
        if n.attempts >= MAX_ATTEMPTS {
            n.state = NoticeState::Failed;
        }
        true
    }

    /// The merchant's one-word view of the order's e-mails: the worst of them (`failed`,
    /// `retrying`, `pending`, `sent`), or `""` if it has none.
    pub fn mail_status(&self) -> &'static str {
        ["failed", "retrying", "pending", "sent"]
            .into_iter()
            .find(|s| self.notices.iter().any(|n| n.status() == *s))
            .unwrap_or("")
    }
}

deserialize_by_name!(NoticeKind, NoticeKind::from_name);

impl NoticeState {
    /// The variant named `name` (its snake_case JSON name).
    fn from_name(name: &str) -> Option<Self> {
        match name {
            "pending" => Some(NoticeState::Pending),
            "sent" => Some(NoticeState::Sent),
            "failed" => Some(NoticeState::Failed),
            _ => None,
        }
    }
}

deserialize_by_name!(NoticeState, NoticeState::from_name);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order::tests::order;
    use crate::order::{OrderEvent, OrderStatus};

    fn paid() -> Order {
        let mut o = order();
        o.apply(&OrderEvent::Completed {
            session_id: None,
            payment_intent: Some("pi".into()),
            at: 10,
            amount_total: None,
            address: None,
        });
        assert_eq!(o.status, OrderStatus::Paid);
        o
    }

    #[test]
    fn a_payment_queues_one_receipt_however_often_it_is_reported() {
        let mut o = paid();
        assert_eq!(o.due_notices(10_000), vec![NoticeKind::Receipt]);
        assert_eq!(o.next_notice_at(), Some(10_000));
        // The same completion again, or after a fulfilment: still one receipt.
        o.apply(&OrderEvent::Completed {
            session_id: None,
            payment_intent: Some("pi".into()),
            at: 11,
            amount_total: None,
            address: None,
        });
        assert_eq!(o.notices.len(), 1);
        assert!(o.begin_attempt(NoticeKind::Receipt, 10_000, 500));
        assert!(o.notice_sent(NoticeKind::Receipt, "m1".into(), 10_100));
        assert!(!o.begin_attempt(NoticeKind::Receipt, 10_200, 500), "sent");
        assert!(o.due_notices(i64::MAX).is_empty());
        assert_eq!(o.next_notice_at(), None);
        assert_eq!(o.mail_status(), "sent");
    }

    #[test]
    fn fulfilment_queues_one_on_its_way_and_unpaid_orders_none() {
        let mut o = order();
        o.apply(&OrderEvent::Expired { at: 1 });
        assert!(o.notices.is_empty(), "nothing for an unpaid order");
        assert_eq!(o.mail_status(), "");
        let mut o = paid();
        o.apply(&OrderEvent::Fulfilled { at: 20 });
        o.apply(&OrderEvent::Fulfilled { at: 21 });
        let kinds: Vec<_> = o.notices.iter().map(|n| n.kind).collect();
        assert_eq!(kinds, vec![NoticeKind::Receipt, NoticeKind::Shipped]);
        assert_eq!(
            o.notice(NoticeKind::Shipped).map(|n| n.next_at),
            Some(20_000)
        );
    }

    #[test]
    fn failures_back_off_then_give_up_and_the_merchant_sees_it() {
        let mut o = paid();
        let mut now = 10_000;
        let mut waits = Vec::new();
        for _ in 0..MAX_ATTEMPTS {
            assert_eq!(o.due_notices(now), vec![NoticeKind::Receipt]);
            assert!(o.begin_attempt(NoticeKind::Receipt, now, 1000));
            assert!(o.notice_failed(NoticeKind::Receipt, "503 from the provider"));
            let next = o.next_notice_at().unwrap_or(now);
            waits.push(next - now);
            assert!(o.due_notices(next - 1).is_empty(), "not before its time");
            now = next;
        }
        assert_eq!(&waits[..4], &[1000, 4000, 16_000, 64_000]);
        let n = o.notice(NoticeKind::Receipt).expect("receipt");
        assert_eq!(n.state, NoticeState::Failed);
        assert_eq!(n.attempts, MAX_ATTEMPTS);
        assert_eq!(n.last_error.as_deref(), Some("503 from the provider"));
        assert_eq!(o.mail_status(), "failed");
        assert_eq!(o.next_notice_at(), None);
    }

    #[test]
    fn an_attempt_that_never_reports_back_is_retried_after_its_backoff() {
        let mut o = paid();
        assert!(o.begin_attempt(NoticeKind::Receipt, 10_000, 1000));
        // The sender died: no outcome recorded. Not due again at once, due after the backoff.
        assert!(o.due_notices(10_500).is_empty());
        assert_eq!(o.due_notices(11_000), vec![NoticeKind::Receipt]);
        assert_eq!(o.mail_status(), "retrying");
    }

    #[test]
    fn kinds_and_states_travel_by_their_names() {
        let n: Notice = serde_json::from_str(r#"{"kind":"shipped","state":"failed","attempts":8}"#)
            .expect("notice");
        assert_eq!(
            (n.kind, n.state),
            (NoticeKind::Shipped, NoticeState::Failed)
        );
        let back = serde_json::to_string(&n).expect("json");
        assert!(
            back.contains(r#""kind":"shipped","state":"failed""#),
            "{back}"
        );
        assert!(serde_json::from_str::<NoticeKind>(r#""parcel""#).is_err());
        assert!(serde_json::from_str::<NoticeState>("1").is_err());
        let s: crate::order::OrderStatus =
            serde_json::from_str(r#""awaiting_payment""#).expect("status");
        assert_eq!(s, crate::order::OrderStatus::AwaitingPayment);
    }

    #[test]
    fn backoff_grows_by_four_and_is_capped() {
        assert_eq!(backoff_ms(1, 30_000), 30_000);
        assert_eq!(backoff_ms(2, 30_000), 120_000);
        assert_eq!(backoff_ms(30, 30_000), MAX_BACKOFF_MS);
        assert_eq!(backoff_ms(1, 0), 1, "never zero");
    }
}
