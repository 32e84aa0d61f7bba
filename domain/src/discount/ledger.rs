//! One code's definition and its uses by orders: the rules the code's store applies.
//!
//! Every method takes the time as `now` (Unix seconds) from one clock that does not go back, such
//! as the Durable Object that keeps the ledger. A hold is live while `now < until`.

use super::{normalise_email, Discount, Refusal};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A code and its uses, by order id. Stored as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    pub discount: Discount,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    uses: BTreeMap<String, Use>,
}

/// One order's use of a code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Use {
    /// The order's e-mail address, trimmed and lower case ([`normalise_email`]).
    pub email: String,
    pub state: UseState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UseState {
    /// At checkout, until the order's payment deadline (Unix seconds).
    Held { until: i64 },
    /// Paid for.
    Redeemed,
}

/// The uses that count at a time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub redeemed: u32,
    /// Holds not yet expired.
    pub held: u32,
}

/// What [`Ledger::commit`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Commit {
    /// The order's hold became a redemption.
    Redeemed,
    /// Redeemed before (a repeated payment event): nothing changed.
    AlreadyRedeemed,
    /// The order held no live use (its hold had expired, or it never held one), but it was paid
    /// for, so it is redeemed anyway: the code may now be past its limit or used twice by one
    /// e-mail address. Worth flagging to the merchant.
    Late,
}

/// A code with its counts, as the merchant's list shows it: the code's fields, then `redeemed`
/// and `held`. Written, never read: a flattened struct's decoder buffers the whole object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    #[serde(flatten)]
    pub discount: Discount,
    pub redeemed: u32,
    pub held: u32,
}

impl Use {
    /// Whether it counts at `now`: redeemed, or held until after `now`.
    pub fn is_live(&self, now: i64) -> bool {
        match self.state {
            UseState::Held { until } => now < until,
            UseState::Redeemed => true,
        }
    }
}

impl Ledger {
    /// A code with no uses yet.
    pub fn new(discount: Discount) -> Ledger {
        Ledger {
            discount,
            uses: BTreeMap::new(),
        }
    }

    /// Every use, by order id, expired holds included until [`Ledger::expire`] removes them.
    pub fn uses(&self) -> impl Iterator<Item = (&str, &Use)> {
        self.uses.iter().map(|(id, u)| (id.as_str(), u))
    }

    /// The use of `order_id`, if it has one.
    pub fn use_of(&self, order_id: &str) -> Option<&Use> {
        self.uses.get(order_id)
    }

    pub fn counts(&self, now: i64) -> Counts {
        let mut c = Counts::default();
        for u in self.uses.values().filter(|u| u.is_live(now)) {
            match u.state {
                UseState::Held { .. } => c.held = c.held.saturating_add(1),
                UseState::Redeemed => c.redeemed = c.redeemed.saturating_add(1),
            }
        }
        c
    }

    /// Uses left at `now` (`None`: no limit).
    pub fn remaining(&self, now: i64) -> Option<u32> {
        let c = self.counts(now);
        self.discount
            .usage_limit
            .map(|limit| limit.saturating_sub(c.redeemed.saturating_add(c.held)))
    }

    /// Whether an order of goods worth `subtotal` (before any discount), by `email` if known,
    /// may use the code at `now`. Checks, in order: active, minimum, once per e-mail, limit.
    pub fn check(&self, subtotal: i64, email: Option<&str>, now: i64) -> Result<(), Refusal> {
        self.refusal(subtotal, email.map(normalise_email).as_deref(), now, None)
    }

    /// Holds a use for `order_id` until `until`, as [`Ledger::check`] allows (not counting the
    /// order's own use). Idempotent: an order that holds a live use or redeemed one keeps it
    /// unchanged. Expired holds are removed first. Release the hold of a checkout this one
    /// supersedes before, or it still counts until it expires.
    pub fn hold(
        &mut self,
        order_id: &str,
        email: &str,
        subtotal: i64,
        now: i64,
        until: i64,
    ) -> Result<(), Refusal> {
        self.expire(now);
        if self.uses.contains_key(order_id) {
            return Ok(());
        }
        let email = normalise_email(email);
        self.refusal(subtotal, Some(&email), now, Some(order_id))?;
        self.uses.insert(
            order_id.to_owned(),
            Use {
                email,
                state: UseState::Held { until },
            },
        );
        Ok(())
    }

    /// Removes the hold of `order_id` (expired, failed, superseded), never a redemption; answers
    /// whether there was one.
    pub fn release(&mut self, order_id: &str) -> bool {
        let held = self
            .uses
            .get(order_id)
            .is_some_and(|u| matches!(u.state, UseState::Held { .. }));
        if held {
            self.uses.remove(order_id);
        }
        held
    }

    /// Redeems the use of `order_id`, paid for by `email` at `now`; see [`Commit`].
    pub fn commit(&mut self, order_id: &str, email: &str, now: i64) -> Commit {
        let email = normalise_email(email);
        let outcome = match self.uses.get(order_id) {
            Some(u) if u.state == UseState::Redeemed => return Commit::AlreadyRedeemed,
            Some(u) if u.is_live(now) => Commit::Redeemed,
            _ => Commit::Late,
        };
        self.uses.insert(
            order_id.to_owned(),
            Use {
                email,
                state: UseState::Redeemed,
            },
        );
        outcome
    }

    /// Removes the redemption of `order_id` (a refund), so the code can be used again; answers
    /// whether there was one.
    pub fn give_back(&mut self, order_id: &str) -> bool {
        let redeemed = self
            .uses
            .get(order_id)
            .is_some_and(|u| u.state == UseState::Redeemed);
        if redeemed {
            self.uses.remove(order_id);
        }
        redeemed
    }

    /// Removes every hold expired at `now`; answers how many.
    pub fn expire(&mut self, now: i64) -> usize {
        let before = self.uses.len();
        self.uses.retain(|_, u| u.is_live(now));
        before - self.uses.len()
    }

    /// When the next hold expires: the time for the store's alarm.
    pub fn next_expiry(&self) -> Option<i64> {
        self.uses
            .values()
            .filter_map(|u| match u.state {
                UseState::Held { until } => Some(until),
                UseState::Redeemed => None,
            })
            .min()
    }

    /// Replaces the definition (the merchant edited it), keeping every use.
    pub fn update(&mut self, discount: Discount) {
        self.discount = discount;
    }

    /// Turns the code off; its uses stay, and payments of orders holding it still redeem.
    pub fn disable(&mut self) {
        self.discount.disabled = true;
    }

    /// The code and its counts at `now`.
    pub fn summary(&self, now: i64) -> Summary {
        let c = self.counts(now);
        Summary {
            discount: self.discount.clone(),
            redeemed: c.redeemed,
            held: c.held,
        }
    }

    /// Why an order (`except`, whose own use is not counted) cannot use the code, with `email`
    /// already normalised.
    fn refusal(
        &self,
        subtotal: i64,
        email: Option<&str>,
        now: i64,
        except: Option<&str>,
    ) -> Result<(), Refusal> {
        let d = &self.discount;
        if !d.is_active(now) {
            return Err(Refusal::NotActive);
        }
        if let Some(minimum) = d.below_minimum(subtotal) {
            return Err(Refusal::BelowMinimum { minimum });
        }
        let others = || {
            self.uses
                .iter()
                .filter(move |(id, u)| Some(id.as_str()) != except && u.is_live(now))
                .map(|(_, u)| u)
        };
        if let Some(email) = email.filter(|_| d.once_per_email) {
            if others().any(|u| u.email == email) {
                return Err(Refusal::AlreadyUsed);
            }
        }
        if let Some(limit) = d.usage_limit {
            if u32::try_from(others().count()).unwrap_or(u32::MAX) >= limit {
                return Err(Refusal::Exhausted);
            }
        }
        Ok(())
    }
}
