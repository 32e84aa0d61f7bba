//! Discount codes: one Durable Object holds every code's ledger (its definition and the uses
//! orders hold or redeemed, `domain::discount::Ledger`), so a use is counted against the limit
//! by one object, one command after another: a code with N uses left never ends up on more than
//! N orders, however many shoppers check out at once.
//!
//! Each ledger is stored under its own key (`code:WELCOME10`), with the list of codes under
//! `codes`; a command reads and writes only the ledger it is about.

use crate::error::AppError;
use crate::objects::protocol::{
    CheckDiscount, DisableDiscount, DiscountRequest, HoldDiscount, ListDiscounts, PutDiscount,
    RedeemDiscount, ReleaseDiscount, Tally,
};
use crate::objects::stored;
use crate::platform::{self, answer, call};
use domain::discount::{Code, Commit, Discount, Ledger, Refusal, Summary};
use std::cell::RefCell;
use std::collections::BTreeMap;
use worker::{durable_object, Env, Request, Response, State};

const CODES: &str = "codes";

fn key(code: &str) -> String {
    format!("code:{code}")
}

#[durable_object]
pub struct DiscountObject {
    state: State,
    /// Ledgers read so far, by code.
    ledgers: RefCell<BTreeMap<String, Ledger>>,
    /// Every code, once read.
    codes: RefCell<Option<Vec<String>>>,
}

impl DiscountObject {
    async fn codes(&self) -> worker::Result<Vec<String>> {
        if let Some(c) = self.codes.borrow().clone() {
            return Ok(c);
        }
        let codes: Vec<String> = stored::read(&self.state.storage(), CODES)
            .await?
            .unwrap_or_default();
        *self.codes.borrow_mut() = Some(codes.clone());
        Ok(codes)
    }

    async fn ledger(&self, code: &str) -> worker::Result<Option<Ledger>> {
        if let Some(l) = self.ledgers.borrow().get(code) {
            return Ok(Some(l.clone()));
        }
        let stored: Option<Ledger> = stored::read(&self.state.storage(), &key(code)).await?;
        if let Some(l) = &stored {
            self.ledgers.borrow_mut().insert(code.to_owned(), l.clone());
        }
        Ok(stored)
    }

    async fn save(&self, ledger: Ledger) -> worker::Result<()> {
        let code = ledger.discount.code.to_string();
        stored::write(&self.state.storage(), &key(&code), &ledger).await?;
        self.ledgers.borrow_mut().insert(code, ledger);
        Ok(())
    }

    async fn put(&self, cmd: &PutDiscount) -> worker::Result<Option<Tally>> {
        let code = cmd.discount.code.to_string();
        let ledger = match (self.ledger(&code).await?, cmd.create) {
            (Some(_), true) | (None, false) => return Ok(None),
            (None, true) => {
                let mut codes = self.codes().await?;
                codes.push(code.clone());
                codes.sort();
                stored::write(&self.state.storage(), CODES, &codes).await?;
                *self.codes.borrow_mut() = Some(codes);
                Ledger::new(cmd.discount.clone())
            }
            (Some(mut ledger), false) => {
                ledger.update(cmd.discount.clone());
                ledger
            }
        };
        let summary = ledger.summary(cmd.now);
        self.save(ledger).await?;
        Ok(Some(summary.into()))
    }
}

impl worker::DurableObject for DiscountObject {
    fn new(state: State, _env: Env) -> Self {
        DiscountObject {
            state,
            ledgers: RefCell::new(BTreeMap::new()),
            codes: RefCell::new(None),
        }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        let request: DiscountRequest = platform::command(&mut req).await?;
        // Every command but these two is about one code's ledger: one read, the rule applied
        // synchronously, at most one write (one await of each keeps this future small).
        let code = match &request {
            DiscountRequest::Put(cmd) => return answer::<PutDiscount>(&self.put(cmd).await?),
            DiscountRequest::List(ListDiscounts { now }) => {
                let mut all = Vec::new();
                for code in self.codes().await? {
                    if let Some(l) = self.ledger(&code).await? {
                        all.push(Tally::from(l.summary(*now)));
                    }
                }
                return answer::<ListDiscounts>(&all);
            }
            DiscountRequest::Disable(c) => c.code.clone(),
            DiscountRequest::Check(c) => c.code.clone(),
            DiscountRequest::Hold(c) => c.code.clone(),
            DiscountRequest::Release(c) => c.code.clone(),
            DiscountRequest::Redeem(c) => c.code.clone(),
        };
        let ledger = self.ledger(code.as_str()).await?;
        let (reply, changed) = apply(request, ledger)?;
        if let Some(ledger) = changed {
            self.save(ledger).await?;
        }
        reply
    }
}

/// One command on one code's ledger (`None`: no such code): the answer, and the ledger to
/// store if the command changed it.
fn apply(
    request: DiscountRequest,
    ledger: Option<Ledger>,
) -> worker::Result<(worker::Result<Response>, Option<Ledger>)> {
    let Some(mut l) = ledger else {
        let reply = match request {
            DiscountRequest::Disable(_) => answer::<DisableDiscount>(&None),
            DiscountRequest::Release(_) => answer::<ReleaseDiscount>(&false),
            // A payment for a code since removed: nothing to count it on.
            DiscountRequest::Redeem(_) => answer::<RedeemDiscount>(&Commit::Late),
            _ => answer::<HoldDiscount>(&Err(Refusal::Unknown)),
        };
        return Ok((reply, None));
    };
    let before = l.clone();
    let reply = match request {
        DiscountRequest::Disable(DisableDiscount { now, .. }) => {
            l.disable();
            answer::<DisableDiscount>(&Some(l.summary(now).into()))
        }
        DiscountRequest::Check(CheckDiscount { subtotal, now, .. }) => {
            let found = l.check(subtotal, None, now).map(|()| l.discount.clone());
            answer::<CheckDiscount>(&found)
        }
        DiscountRequest::Hold(HoldDiscount {
            order_id,
            email,
            subtotal,
            now,
            until,
            ..
        }) => {
            let held = l
                .hold(&order_id, &email, subtotal, now, until)
                .map(|()| l.discount.clone());
            answer::<HoldDiscount>(&held)
        }
        DiscountRequest::Release(ReleaseDiscount { order_id, .. }) => {
            answer::<ReleaseDiscount>(&l.release(&order_id))
        }
        DiscountRequest::Redeem(RedeemDiscount {
            order_id,
            email,
            now,
            ..
        }) => answer::<RedeemDiscount>(&l.commit(&order_id, &email, now)),
        DiscountRequest::Put(_) | DiscountRequest::List(_) => {
            return Err(worker::Error::RustError("not a ledger command".into()))
        }
    };
    let changed = (l != before).then_some(l);
    Ok((reply, changed))
}

/// The worker's side of discount codes.
pub struct Discounts {
    ns: worker::ObjectNamespace,
}

impl Discounts {
    pub const BINDING: &'static str = "DISCOUNTS";
    const NAME: &'static str = "discounts";

    pub fn from_env(env: &Env) -> worker::Result<Self> {
        Ok(Discounts {
            ns: env.durable_object(Self::BINDING)?,
        })
    }

    /// Creates (`create`) or replaces a code: its summary, `None` if it exists (create) or does
    /// not (replace).
    pub async fn put(&self, discount: Discount, create: bool) -> Result<Option<Summary>, AppError> {
        let now = platform::now();
        let cmd = PutDiscount {
            discount,
            create,
            now,
        };
        let tally = call(&self.ns, Self::NAME, cmd).await?;
        Ok(tally.map(Summary::from))
    }

    pub async fn disable(&self, code: Code) -> Result<Option<Summary>, AppError> {
        let now = platform::now();
        let tally = call(&self.ns, Self::NAME, DisableDiscount { code, now }).await?;
        Ok(tally.map(Summary::from))
    }

    pub async fn list(&self) -> Result<Vec<Summary>, AppError> {
        let now = platform::now();
        let all = call(&self.ns, Self::NAME, ListDiscounts { now }).await?;
        Ok(all.into_iter().map(Summary::from).collect())
    }

    /// Whether a cart of `subtotal` may use `code` now: the code, or why not.
    pub async fn check(
        &self,
        code: Code,
        subtotal: i64,
    ) -> Result<Result<Discount, Refusal>, AppError> {
        let now = platform::now();
        call(
            &self.ns,
            Self::NAME,
            CheckDiscount {
                code,
                subtotal,
                now,
            },
        )
        .await
    }

    pub async fn hold(
        &self,
        code: &Code,
        order_id: &str,
        email: &str,
        subtotal: i64,
        until: i64,
    ) -> Result<Result<Discount, Refusal>, AppError> {
        let cmd = HoldDiscount {
            code: code.clone(),
            order_id: order_id.to_owned(),
            email: email.to_owned(),
            subtotal,
            now: platform::now(),
            until,
        };
        call(&self.ns, Self::NAME, cmd).await
    }

    pub async fn release(&self, code: &Code, order_id: &str) -> Result<bool, AppError> {
        let cmd = ReleaseDiscount {
            code: code.clone(),
            order_id: order_id.to_owned(),
        };
        call(&self.ns, Self::NAME, cmd).await
    }

    pub async fn redeem(
        &self,
        code: &Code,
        order_id: &str,
        email: &str,
    ) -> Result<Commit, AppError> {
        let cmd = RedeemDiscount {
            code: code.clone(),
            order_id: order_id.to_owned(),
            email: email.to_owned(),
            now: platform::now(),
        };
        call(&self.ns, Self::NAME, cmd).await
    }
}
