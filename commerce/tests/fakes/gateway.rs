//! The payment gateway's fake: Stripe's idempotency, expiring sessions and refunds, with
//! failures scripted by the test; and what a session's parameters charge.

use commerce::ports::{PaymentError, PaymentGateway, Session};
use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};

/// A gateway with Stripe's idempotency: a key seen before answers its first result (and a
/// different body under a seen key is refused). `fail_next` scripts failures of the next
/// session requests, as they would reach the shop (the request may have been applied anyway:
/// a timeout after the gateway opened the session).
#[derive(Default)]
pub struct FakeGateway {
    pub fail_next: RefCell<VecDeque<PaymentError>>,
    /// Every session request: (idempotency key, params).
    pub session_requests: RefCell<Vec<(String, Vec<(String, String)>)>>,
    sessions: RefCell<HashMap<String, (Vec<(String, String)>, Session)>>,
    pub open: RefCell<HashMap<String, bool>>,
    pub refund_requests: RefCell<Vec<String>>,
    refunds: RefCell<HashMap<String, String>>,
}

impl FakeGateway {
    /// Every distinct session the gateway opened.
    pub fn sessions_opened(&self) -> usize {
        self.sessions.borrow().len()
    }
    /// Refunds actually made (distinct idempotency keys).
    pub fn refunds_made(&self) -> usize {
        self.refunds.borrow().len()
    }
}

impl PaymentGateway for FakeGateway {
    async fn open_session(
        &self,
        params: &[(String, String)],
        idempotency_key: &str,
    ) -> Result<Session, PaymentError> {
        self.session_requests
            .borrow_mut()
            .push((idempotency_key.to_owned(), params.to_vec()));
        if let Some(e) = self.fail_next.borrow_mut().pop_front() {
            return Err(e);
        }
        let mut sessions = self.sessions.borrow_mut();
        if let Some((seen, session)) = sessions.get(idempotency_key) {
            if seen.as_slice() != params {
                return Err(PaymentError::Refused("idempotency key reused".into()));
            }
            return Ok(session.clone());
        }
        let id = format!("cs_test_{}", sessions.len() + 1);
        let session = Session {
            url: format!("https://pay.example/{id}"),
            id: id.clone(),
        };
        sessions.insert(
            idempotency_key.to_owned(),
            (params.to_vec(), session.clone()),
        );
        self.open.borrow_mut().insert(id, true);
        Ok(session)
    }
    async fn expire_session(&self, session_id: &str) -> Result<bool, PaymentError> {
        let mut open = self.open.borrow_mut();
        match open.get_mut(session_id) {
            Some(o) if *o => {
                *o = false;
                Ok(true)
            }
            _ => Ok(false),
        }
    }
    async fn refund(
        &self,
        _payment_intent: &str,
        _order_id: &str,
        idempotency_key: &str,
    ) -> Result<String, PaymentError> {
        self.refund_requests
            .borrow_mut()
            .push(idempotency_key.to_owned());
        let mut refunds = self.refunds.borrow_mut();
        let n = refunds.len() + 1;
        Ok(refunds
            .entry(idempotency_key.to_owned())
            .or_insert_with(|| format!("re_{n}"))
            .clone())
    }
}

/// The sum a gateway charges for `params`: every line item and the shipping option.
pub fn charged(params: &[(String, String)]) -> i64 {
    let get = |k: &str| {
        params
            .iter()
            .find(|(key, _)| key == k)
            .and_then(|(_, v)| v.parse::<i64>().ok())
    };
    let lines: i64 = (0..)
        .map_while(|i| {
            let n = get(&format!("line_items[{i}][quantity]"))?;
            Some(n * get(&format!("line_items[{i}][price_data][unit_amount]"))?)
        })
        .sum();
    lines + get("shipping_options[0][shipping_rate_data][fixed_amount][amount]").unwrap_or(0)
}
