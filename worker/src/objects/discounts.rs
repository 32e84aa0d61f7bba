//! Discount codes: each code has its own Durable Object holding its ledger (its definition and
//! the uses orders hold or redeemed, `domain::discount::Ledger`), so a use is counted against the
//! limit by one object, one command after another: a code with N uses left never ends up on more
//! than N orders, however many shoppers check out at once. Codes do not queue behind each other.
//!
//! One more object of the class, the registry (`discounts`), only remembers which codes exist,
//! for the merchant's list. A new code is registered before it is created, so a crash between
//! the two leaves at worst a listed name without a ledger (the list skips it), never a code the
//! merchant cannot see. Shoppers never touch the registry.

use crate::error::AppError;
use crate::objects::protocol::{
    CheckDiscount, DisableDiscount, DiscountRequest, HoldDiscount, ListDiscounts, PutDiscount,
    RedeemDiscount, RegisterDiscount, ReleaseDiscount, SummarizeDiscount, Tally,
};
use crate::objects::stored;
use crate::platform::{self, answer, call};
use domain::discount::{Code, Commit, Discount, Ledger, Refusal, Summary};
use std::cell::RefCell;
use worker::{durable_object, Env, Request, Response, State};

/// The registry's key: every code, sorted.
const CODES: &str = "codes";

/// A code's object (named so) and the key of its ledger there.
fn key(code: &str) -> String {
    format!("code:{code}")
}

#[durable_object]
pub struct DiscountObject {
    state: State,
    /// A code's object: its ledger, once read.
    ledger: RefCell<Option<Ledger>>,
    /// The registry: every code, once read.
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

    async fn register(&self, code: &Code) -> worker::Result<()> {
        let mut codes = self.codes().await?;
        let code = code.to_string();
        if let Err(at) = codes.binary_search(&code) {
            codes.insert(at, code);
            stored::write(&self.state.storage(), CODES, &codes).await?;
            *self.codes.borrow_mut() = Some(codes);
        }
        Ok(())
    }

    async fn ledger(&self, code: &str) -> worker::Result<Option<Ledger>> {
        if let Some(l) = self.ledger.borrow().as_ref() {
            if l.discount.code.as_str() == code {
                return Ok(Some(l.clone()));
            }
        }
        let stored: Option<Ledger> = stored::read(&self.state.storage(), &key(code)).await?;
        if let Some(l) = &stored {
            *self.ledger.borrow_mut() = Some(l.clone());
        }
        Ok(stored)
    }

    async fn save(&self, ledger: Ledger) -> worker::Result<()> {
        let code = ledger.discount.code.to_string();
        stored::write(&self.state.storage(), &key(&code), &ledger).await?;
        *self.ledger.borrow_mut() = Some(ledger);
        Ok(())
    }

    async fn put(&self, cmd: &PutDiscount) -> worker::Result<Option<Tally>> {
        let code = cmd.discount.code.to_string();
        let ledger = match (self.ledger(&code).await?, cmd.create) {
            (Some(_), true) | (None, false) => return Ok(None),
            (None, true) => Ledger::new(cmd.discount.clone()),
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
            ledger: RefCell::new(None),
            codes: RefCell::new(None),
        }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        let request: DiscountRequest = platform::command(&mut req).await?;
        // Every command but these two is about one code's ledger: one read, the rule applied
        // synchronously, at most one write (one await of each keeps this future small).
        let code = match &request {
            DiscountRequest::Put(cmd) => return answer::<PutDiscount>(&self.put(cmd).await?),
            DiscountRequest::Register(RegisterDiscount { code }) => {
                self.register(code).await?;
                return answer::<RegisterDiscount>(&());
            }
            DiscountRequest::List(ListDiscounts {}) => {
                return answer::<ListDiscounts>(&self.codes().await?)
            }
            DiscountRequest::Summarize(SummarizeDiscount { code, now }) => {
                let ledger = self.ledger(code.as_str()).await?;
                let tally = ledger.map(|l| Tally::from(l.summary(*now)));
                return answer::<SummarizeDiscount>(&tally);
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
        DiscountRequest::Put(_)
        | DiscountRequest::Register(_)
        | DiscountRequest::List(_)
        | DiscountRequest::Summarize(_) => {
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
    /// The registry's name.
    const REGISTRY: &'static str = "discounts";

    pub fn from_env(env: &Env) -> worker::Result<Self> {
        Ok(Discounts {
            ns: env.durable_object(Self::BINDING)?,
        })
    }

    /// Creates (`create`) or replaces a code: its summary, `None` if it exists (create) or does
    /// not (replace). A new code is registered first (see the module docs).
    pub async fn put(&self, discount: Discount, create: bool) -> Result<Option<Summary>, AppError> {
        let code = discount.code.clone();
        if create {
            let register = RegisterDiscount { code: code.clone() };
            call(&self.ns, Self::REGISTRY, register).await?;
        }
        let now = platform::now();
        let cmd = PutDiscount {
            discount,
            create,
            now,
        };
        let tally = call(&self.ns, &key(code.as_str()), cmd).await?;
        Ok(tally.map(Summary::from))
    }

    pub async fn disable(&self, code: Code) -> Result<Option<Summary>, AppError> {
        let now = platform::now();
        let name = key(code.as_str());
        let tally = call(&self.ns, &name, DisableDiscount { code, now }).await?;
        Ok(tally.map(Summary::from))
    }

    /// Every code with its uses, in code order: the registry's list, then each code's object
    /// (one after another: the merchant's page, where a few milliseconds per code are fine and a
    /// smaller Worker is not nothing).
    pub async fn list(&self) -> Result<Vec<Summary>, AppError> {
        let codes = call(&self.ns, Self::REGISTRY, ListDiscounts {}).await?;
        let now = platform::now();
        let mut all = Vec::new();
        for code in codes.iter().filter_map(|c| Code::parse(c).ok()) {
            let name = key(code.as_str());
            let tally = call(&self.ns, &name, SummarizeDiscount { code, now }).await?;
            all.extend(tally.map(Summary::from));
        }
        Ok(all)
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
            &key(code.as_str()),
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
        let name = key(code.as_str());
        let cmd = HoldDiscount {
            code: code.clone(),
            order_id: order_id.to_owned(),
            email: email.to_owned(),
            subtotal,
            now: platform::now(),
            until,
        };
        call(&self.ns, &name, cmd).await
    }

    pub async fn release(&self, code: &Code, order_id: &str) -> Result<bool, AppError> {
        let name = key(code.as_str());
        let cmd = ReleaseDiscount {
            code: code.clone(),
            order_id: order_id.to_owned(),
        };
        call(&self.ns, &name, cmd).await
    }

    pub async fn redeem(
        &self,
        code: &Code,
        order_id: &str,
        email: &str,
    ) -> Result<Commit, AppError> {
        let name = key(code.as_str());
        let cmd = RedeemDiscount {
            code: code.clone(),
            order_id: order_id.to_owned(),
            email: email.to_owned(),
            now: platform::now(),
        };
        call(&self.ns, &name, cmd).await
    }
}
