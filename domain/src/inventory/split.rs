//! One hot SKU's stock split over K bucket objects, so its shoppers do not queue on one object.
//!
//! A SKU that sells fast serialises every reservation on the one inventory object holding its
//! counter. The merchant can instead spread its stock over `K` *buckets* ([`Buckets`], 1 to
//! [`MAX_BUCKETS`]): K objects, each holding an ordinary [`Stock`] for the SKU (a [`Shard`]'s
//! counter, with its holds, commits, releases and expiry unchanged) and, beside it, a [`Book`] of
//! the transfers it takes part in. A bucket writes its `Stock` and its `Book` **in one storage
//! write**: every step below relies on that.
//!
//! A cart is routed to one bucket by [`bucket_of`] (FNV-1a of the cart id, mod K), so its
//! reserve, commit and release meet the same hold. An order should record the bucket it reserved
//! in, so that its commit still finds the hold if the merchant changes K meanwhile. Holds expire
//! in their bucket as in any shard, and their units become that bucket's available again.
//!
//! # Invariants
//! - The buckets' `on_hand`, plus the units in transit between them, add up to the merchant's
//!   number less the units sold.
//! - A bucket lends only *available* units (`on_hand − reserved`), never held ones, so no
//!   transfer breaks a hold and no unit is sold twice.
//! - A reservation is refused ([`SoldOut`]) only when the buckets together have fewer available
//!   units than it asks for; the SKU shows as sold out ([`sold_out`]) only when every bucket's
//!   available is 0.
//!
//! # Splitting
//! [`split`] spreads the merchant's number as evenly as possible. When the merchant later sets a
//! new number, [`resplit`] computes each bucket's new `on_hand` from the buckets' counters: every
//! bucket keeps at least its `reserved` where the number allows, and the rest is spread evenly. A
//! coordinator applies it after recovery (below), when no unit is in transit: a unit credited
//! after the new numbers were written would be counted twice.
//!
//! # Borrowing: a two-phase transfer
//! A bucket that cannot cover a reservation borrows from its siblings:
//! 1. **Plan.** It reads its siblings' `available` and [`plan_borrow`] says whom to ask for how
//!    much: the largest first, so the fewest siblings are asked. The numbers may be stale by the
//!    time it asks; a lender gives only what it has, and the borrower plans again with what came.
//! 2. **Begin.** [`Book::begin_borrow`] records a pending transfer under a fresh [`TransferId`]
//!    (the borrower's bucket and its own sequence number) and answers the [`Ask`] to send. The
//!    borrower persists its book **before** sending the ask.
//! 3. **Lend.** The lender's [`Book::lend`] takes up to `want` available units out of its
//!    `on_hand` and remembers the [`Answer`] under the id, in the same write. Asking again with the
//!    same id answers the same amount without giving twice.
//! 4. **Finish.** The borrower's [`Book::finish_borrow`] credits `given` to its `on_hand` and drops
//!    the pending transfer, in one write; a repeated (or unknown) answer credits nothing.
//! 5. **Acknowledge.** The borrower sends the lender [`Book::ack_for`] (every ask carries it too);
//!    the lender's [`Book::forget`] drops the answers it no longer needs.
//!
//! Between 3 and 4 the units are *in transit*: out of the lender's `on_hand`, not yet in the
//! borrower's, recorded as pending at the borrower and as answered at the lender.
//!
//! ## Crashes and lost, repeated or late messages
//! - The borrower crashes before its begin is written: nothing happened.
//! - It crashes after the begin, or the ask or the answer is lost: the transfer is still pending
//!   in its book. *Recovery* ([`Book::pending`], from the bucket's alarm or its next request)
//!   sends the same asks again, and the lender answers from memory. A lender always answers, so
//!   recovery ends.
//! - A repeated ask answers the same amount, given once; a repeated answer is credited once.
//! - An ask arriving after its transfer was acknowledged (a stale copy) answers 0 and takes
//!   nothing, and the borrower ignores the answer. This is why a lender does not forget single
//!   ids: a stale ask for a forgotten id would lend again, into a transfer the borrower has
//!   closed, and those units would be lost. The acknowledgement is a *watermark* instead: per
//!   borrower and lender, every transfer below it is settled (the lowest sequence still pending
//!   with that lender, or the borrower's next one). A lender keeps, per borrower, only the answers
//!   above the last watermark it heard: K − 1 small maps.
//!
//! # Rebalancing
//! A coordinator may even out the buckets instead of waiting for them to run dry: [`rebalance`]
//! answers the fewest units to move, as [`Move`]s of available units (first to any bucket whose
//! holds exceed its `on_hand`). It carries out each move as a borrow by `to` from `from`, so a
//! move is as crash-safe as a borrow.
//!
//! [`Shard`]: super::Shard

use super::Stock;
use crate::ids::CartId;
use serde::{Deserialize, Serialize};
use std::cmp::{Ordering, Reverse};

mod book;
pub use book::{Ack, Answer, Ask, Book, TransferId};

/// The most buckets one SKU can be split over.
pub const MAX_BUCKETS: u32 = 64;

/// A bucket count outside 1 to [`MAX_BUCKETS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a SKU is split over 1 to {MAX_BUCKETS} buckets, not {0}")]
pub struct BadBucketCount(pub u32);

/// How many buckets a SKU is split over: 1 to [`MAX_BUCKETS`]. Serialized as the number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct Buckets(u32);

impl Buckets {
    pub fn new(k: u32) -> Result<Self, BadBucketCount> {
        if (1..=MAX_BUCKETS).contains(&k) {
            Ok(Buckets(k))
        } else {
            Err(BadBucketCount(k))
        }
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<u32> for Buckets {
    type Error = BadBucketCount;

    fn try_from(k: u32) -> Result<Self, BadBucketCount> {
        Buckets::new(k)
    }
}

impl From<Buckets> for u32 {
    fn from(k: Buckets) -> u32 {
        k.0
    }
}

/// `on_hand` spread over `k` buckets as evenly as possible: the first `on_hand % k` get one
/// more. The parts add up to `on_hand`.
pub fn split(on_hand: u32, k: Buckets) -> Vec<u32> {
    let parts = even(u64::from(on_hand), k.get() as usize);
    parts.into_iter().map(narrow).collect()
}

/// The bucket of a cart: FNV-1a over its id, mod `k`; stable across builds and platforms.
pub fn bucket_of(cart: &CartId, k: Buckets) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in cart.as_str().bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h % k.get()
}

/// Each bucket's new `on_hand` when the merchant sets the SKU's number to `total`, from the
/// buckets' counters; the parts add up to `total`.
///
/// If `total` covers every hold, each bucket gets its `reserved` and the rest is spread evenly,
/// so the buckets' `available` differ by at most 1. If it does not, no bucket gets more than its
/// `reserved` and the shortfall is spread: the buckets get an even share each, capped at their
/// `reserved`, and the holds left uncovered report a shortfall when paid (as with one shard).
pub fn resplit(total: u32, buckets: &[Stock]) -> Result<Vec<u32>, BadBucketCount> {
    Buckets::new(index(buckets.len()))?;
    let reserved: Vec<u64> = buckets.iter().map(|s| u64::from(s.reserved)).collect();
    let total = u64::from(total);
    let parts = match total.checked_sub(reserved.iter().sum()) {
        Some(extra) => reserved
            .iter()
            .zip(even(extra, buckets.len()))
            .map(|(r, e)| r + e)
            .collect(),
        None => capped(total, &reserved),
    };
    Ok(parts.into_iter().map(narrow).collect())
}

/// The SKU shows as sold out: no bucket has an available unit. Recover pending transfers first:
/// units in transit are in no bucket's `available`.
pub fn sold_out(buckets: &[Stock]) -> bool {
    buckets.iter().all(|s| s.available() == 0)
}

/// Units to borrow from one sibling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Loan {
    pub from: u32,
    pub n: u32,
}

/// The buckets together have fewer available units than a reservation asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("only {available} left over all buckets, {requested} asked for")]
pub struct SoldOut {
    pub requested: u32,
    pub available: u32,
}

/// Whom a bucket with `own_available` units asks for how much, to reserve `want`; `siblings` are
/// the other buckets as `(bucket, available)`. No loans if it can cover `want` itself.
///
/// The siblings with the most available come first (ties: the lower bucket), so the fewest are
/// asked; the loans add up to exactly the shortfall. [`SoldOut`] only when the buckets together,
/// this one included, have fewer than `want` available.
pub fn plan_borrow(
    own_available: u32,
    want: u32,
    siblings: &[(u32, u32)],
) -> Result<Vec<Loan>, SoldOut> {
    let total: u64 =
        u64::from(own_available) + siblings.iter().map(|s| u64::from(s.1)).sum::<u64>();
    if total < u64::from(want) {
        return Err(SoldOut {
            requested: want,
            available: narrow(total),
        });
    }
    let mut order: Vec<(u32, u32)> = siblings.iter().copied().filter(|s| s.1 > 0).collect();
    order.sort_by_key(|&(bucket, available)| (Reverse(available), bucket));
    let mut short = want.saturating_sub(own_available);
    let mut loans = Vec::new();
    for (from, available) in order {
        if short == 0 {
            break;
        }
        let n = available.min(short);
        loans.push(Loan { from, n });
        short -= n;
    }
    Ok(loans)
}

/// Available units to move from one bucket to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Move {
    pub from: u32,
    pub to: u32,
    pub n: u32,
}

/// Moves that even out the buckets' `available` (to within 1), moving the fewest units: the
/// fullest buckets keep the odd units, and each bucket only gives or only takes. Only available
/// units move, so no hold is broken; the moves keep the sum of `on_hand`.
///
/// A bucket holding more than it has (the merchant lowered the number below its holds) is first
/// brought up to its holds; if the available units cannot cover every such gap, they all go to
/// the deepest gaps, evenly.
pub fn rebalance(buckets: &[Stock]) -> Vec<Move> {
    let net: Vec<i64> = buckets
        .iter()
        .map(|s| i64::from(s.on_hand) - i64::from(s.reserved))
        .collect();
    let mut givers = Vec::new();
    let mut takers = Vec::new();
    for (i, (&n, t)) in net.iter().zip(targets(&net)).enumerate() {
        match n.cmp(&t) {
            Ordering::Greater => givers.push((index(i), n.abs_diff(t))),
            Ordering::Less => takers.push((index(i), n.abs_diff(t))),
            Ordering::Equal => {}
        }
    }
    pair_up(givers, takers)
}

/// Each bucket's `on_hand − reserved` after rebalancing, from `net`, the same before.
fn targets(net: &[i64]) -> Vec<i64> {
    let total: i64 = net.iter().sum();
    if total >= 0 {
        return level(net, total);
    }
    let gaps: Vec<u64> = net
        .iter()
        .map(|&n| if n < 0 { n.unsigned_abs() } else { 0 })
        .collect();
    capped(total.unsigned_abs(), &gaps)
        .into_iter()
        .map(|g| i64::try_from(g).map_or(i64::MIN, |g| -g))
        .collect()
}

/// `total` (not negative) spread evenly over the buckets, the odd units to the fullest.
fn level(net: &[i64], total: i64) -> Vec<i64> {
    let k = i64::try_from(net.len()).unwrap_or(i64::MAX);
    let (Some(base), Some(odd)) = (total.checked_div(k), total.checked_rem(k)) else {
        return Vec::new();
    };
    let mut fullest: Vec<usize> = (0..net.len()).collect();
    fullest.sort_by_key(|&i| (Reverse(net[i]), i));
    let mut out = vec![base; net.len()];
    for &i in fullest.iter().take(usize::try_from(odd).unwrap_or(0)) {
        out[i] += 1;
    }
    out
}

/// Moves from `givers` to `takers` (each `(bucket, units)`, equal totals), in bucket order.
fn pair_up(givers: Vec<(u32, u64)>, takers: Vec<(u32, u64)>) -> Vec<Move> {
    let mut moves = Vec::new();
    let mut takers = takers.into_iter().peekable();
    for (from, mut surplus) in givers {
        while surplus > 0 {
            let Some((to, need)) = takers.peek_mut() else {
                return moves;
            };
            let n = surplus.min(*need);
            moves.push(Move {
                from,
                to: *to,
                n: narrow(n),
            });
            surplus -= n;
            *need -= n;
            if *need == 0 {
                takers.next();
            }
        }
    }
    moves
}

/// `n` spread over `parts` as evenly as possible, the first `n % parts` one more.
fn even(n: u64, parts: usize) -> Vec<u64> {
    let k = parts as u64;
    let base = n.checked_div(k).unwrap_or(0);
    let odd = n.checked_rem(k).unwrap_or(0);
    (0..k).map(|i| base + u64::from(i < odd)).collect()
}

/// `total` (at most the caps' sum) spread evenly with each part at most its cap.
fn capped(total: u64, caps: &[u64]) -> Vec<u64> {
    let mut order: Vec<usize> = (0..caps.len()).collect();
    order.sort_by_key(|&i| (caps[i], i));
    let mut out = vec![0; caps.len()];
    let mut left = total;
    for (j, &i) in order.iter().enumerate() {
        let rest = caps.len() - j;
        if caps[i] > left / rest as u64 {
            // Every bucket left can take an even share of what is left, one more included.
            let mut tail = order[j..].to_vec();
            tail.sort_unstable();
            for (t, share) in tail.into_iter().zip(even(left, rest)) {
                out[t] = share;
            }
            return out;
        }
        out[i] = caps[i];
        left -= caps[i];
    }
    out
}

/// A count known to fit in `u32`.
fn narrow(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A bucket's index as the protocol numbers it.
fn index(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

#[cfg(test)]
#[path = "split_tests.rs"]
mod split_tests;

#[cfg(test)]
#[path = "split_sim_tests.rs"]
mod split_sim_tests;
