//! The discount codes' commands (see the parent module).

use super::Command;
use domain::discount::{Code, Commit as DiscountCommit, Discount, Refusal as CodeRefusal, Summary};
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiscountRequest {
    Put(PutDiscount),
    Disable(DisableDiscount),
    Register(RegisterDiscount),
    List(ListDiscounts),
    Summarize(SummarizeDiscount),
    Check(CheckDiscount),
    Hold(HoldDiscount),
    Release(ReleaseDiscount),
    Redeem(RedeemDiscount),
}

/// Creates a code (`create`: refused if it exists) or replaces one's definition, keeping its
/// uses (refused if it does not exist): its summary, or `None` when refused.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct PutDiscount {
    pub discount: Discount,
    pub create: bool,
    pub now: i64,
}

/// Disables a code (uses kept): its summary, `None` if there is no such code.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct DisableDiscount {
    pub code: Code,
    pub now: i64,
}

/// To the registry: remembers a code (idempotent), so that the merchant's list shows it.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct RegisterDiscount {
    pub code: Code,
}

/// To the registry: every code it remembers, in order.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct ListDiscounts {}

/// To a code's object: its summary now, `None` if it holds no such code.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct SummarizeDiscount {
    pub code: Code,
    pub now: i64,
}

/// Whether a cart of `subtotal` may use the code now: the code, or why not.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckDiscount {
    pub code: Code,
    pub subtotal: i64,
    pub now: i64,
}

/// Holds one use for an order (idempotent per order): the code as it is now, or why not.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct HoldDiscount {
    pub code: Code,
    pub order_id: String,
    pub email: String,
    pub subtotal: i64,
    pub now: i64,
    pub until: i64,
}

/// Gives back an order's held use; whether it held one.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct ReleaseDiscount {
    pub code: Code,
    pub order_id: String,
}

/// The order was paid: its use is redeemed.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct RedeemDiscount {
    pub code: Code,
    pub order_id: String,
    pub email: String,
    pub now: i64,
}

/// A code and its counts as the object answers them (the merchant's [`Summary`] flattens the
/// code's fields, which would need a buffering decoder here).
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct Tally {
    pub discount: Discount,
    pub redeemed: u32,
    pub held: u32,
}

impl From<Summary> for Tally {
    fn from(s: Summary) -> Tally {
        Tally {
            discount: s.discount,
            redeemed: s.redeemed,
            held: s.held,
        }
    }
}

impl From<Tally> for Summary {
    fn from(t: Tally) -> Summary {
        Summary {
            discount: t.discount,
            redeemed: t.redeemed,
            held: t.held,
        }
    }
}

command!(PutDiscount => DiscountRequest::Put, Option<Tally>);
command!(DisableDiscount => DiscountRequest::Disable, Option<Tally>);
command!(RegisterDiscount => DiscountRequest::Register, ());
command!(ListDiscounts => DiscountRequest::List, Vec<String>);
command!(SummarizeDiscount => DiscountRequest::Summarize, Option<Tally>);
command!(CheckDiscount => DiscountRequest::Check, Result<Discount, CodeRefusal>);
command!(HoldDiscount => DiscountRequest::Hold, Result<Discount, CodeRefusal>);
command!(ReleaseDiscount => DiscountRequest::Release, bool);
command!(RedeemDiscount => DiscountRequest::Redeem, DiscountCommit);
