//! The transfer book of one bucket: the two-phase borrow's messages and what each side
//! remembers (see the parent module's docs).

use super::super::Stock;
use serde::{Deserialize, Serialize};

/// One transfer: the borrowing bucket and its own sequence number, never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TransferId {
    pub borrower: u32,
    pub seq: u64,
}

/// Borrower to lender: give me up to `want` units for transfer `id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ask {
    pub id: TransferId,
    pub lender: u32,
    pub want: u32,
    /// The borrower's watermark with this lender, as in [`Ack`].
    pub settled_below: u64,
}

/// Lender to borrower: the units given for transfer `id` (the same every time it is asked).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub id: TransferId,
    pub lender: u32,
    pub given: u32,
}

/// Borrower to lender: every transfer of `borrower` with `lender` numbered below
/// `settled_below` is finished; the lender may forget its answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ack {
    pub lender: u32,
    pub borrower: u32,
    pub settled_below: u64,
}

/// A bucket's transfers of one SKU, as borrower and as lender. Stored beside the bucket's
/// [`Stock`] of the SKU, in the same write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Book {
    bucket: u32,
    next_seq: u64,
    /// As borrower: pending transfers, by sequence number. (Vectors rather than maps: a book
    /// holds a handful of entries, and every map type costs the Worker code.)
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    borrowing: Vec<Pending>,
    /// As lender: what it gave, one entry per borrower.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    lent: Vec<Lent>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Pending {
    seq: u64,
    lender: u32,
    want: u32,
}

/// A lender's memory of one borrower: the answers from `settled_below` on, by sequence number.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Lent {
    borrower: u32,
    settled_below: u64,
    given: Vec<(u64, u32)>,
}

impl Book {
    /// The empty book of bucket `bucket`.
    pub fn new(bucket: u32) -> Self {
        Book {
            bucket,
            next_seq: 0,
            borrowing: Vec::new(),
            lent: Vec::new(),
        }
    }

    pub fn bucket(&self) -> u32 {
        self.bucket
    }

    /// Borrower, step 2: records a pending transfer of up to `want` units from `lender` and
    /// answers the ask to send, once this book is written.
    pub fn begin_borrow(&mut self, lender: u32, want: u32) -> Ask {
        let seq = self.next_seq;
        self.next_seq += 1;
        let p = Pending { seq, lender, want };
        self.borrowing.push(p);
        self.ask(p)
    }

    /// Recovery: the asks of every pending transfer, to send again (same ids, same amounts).
    pub fn pending(&self) -> Vec<Ask> {
        self.borrowing.iter().map(|p| self.ask(*p)).collect()
    }

    /// Lender, step 3: gives up to `ask.want` of `stock`'s available units, once per transfer;
    /// answers the same again when asked again, and 0 for a transfer already acknowledged or an
    /// ask meant for another bucket.
    pub fn lend(&mut self, ask: &Ask, stock: &mut Stock) -> Answer {
        let me = self.bucket;
        let answer = |given| Answer {
            id: ask.id,
            lender: me,
            given,
        };
        if ask.lender != me {
            return answer(0);
        }
        self.forget(&Ack {
            lender: me,
            borrower: ask.id.borrower,
            settled_below: ask.settled_below,
        });
        let lent = self.lent_to(ask.id.borrower);
        if ask.id.seq < lent.settled_below {
            return answer(0);
        }
        let seq = ask.id.seq;
        let given = match lent.given.binary_search_by_key(&seq, |(s, _)| *s) {
            Ok(at) => lent.given[at].1,
            Err(at) => {
                let n = ask.want.min(stock.available());
                stock.on_hand -= n;
                lent.given.insert(at, (seq, n));
                n
            }
        };
        answer(given)
    }

    /// Borrower, step 4: credits the answer's units to `stock` if its transfer is pending here,
    /// and closes it; answers whether it did (a repeated or stray answer does nothing).
    pub fn finish_borrow(&mut self, answer: &Answer, stock: &mut Stock) -> bool {
        let seq = answer.id.seq;
        let at = (answer.id.borrower == self.bucket)
            .then(|| {
                self.borrowing
                    .iter()
                    .position(|p| p.seq == seq && p.lender == answer.lender)
            })
            .flatten();
        if let Some(at) = at {
            self.borrowing.remove(at);
            stock.on_hand = stock.on_hand.saturating_add(answer.given);
        }
        at.is_some()
    }

    /// Borrower, step 5: the acknowledgement to send `lender` (any time; it only grows).
    pub fn ack_for(&self, lender: u32) -> Ack {
        Ack {
            lender,
            borrower: self.bucket,
            settled_below: self.settled_below(lender),
        }
    }

    /// Lender: forgets the answers the acknowledgement settles; ignores one meant for another
    /// bucket or older than one it heard.
    pub fn forget(&mut self, ack: &Ack) {
        if ack.lender != self.bucket {
            return;
        }
        let lent = self.lent_to(ack.borrower);
        if ack.settled_below > lent.settled_below {
            lent.settled_below = ack.settled_below;
            lent.given.retain(|(seq, _)| *seq >= ack.settled_below);
        }
    }

    /// Lender: what it gave for transfer `id`, while it remembers.
    pub fn answered(&self, id: TransferId) -> Option<u32> {
        let lent = self.lent.iter().find(|l| l.borrower == id.borrower)?;
        lent.given
            .iter()
            .find(|(seq, _)| *seq == id.seq)
            .map(|(_, n)| *n)
    }

    /// Nothing pending as borrower and no answer remembered as lender.
    pub fn is_idle(&self) -> bool {
        self.borrowing.is_empty() && self.lent.iter().all(|l| l.given.is_empty())
    }

    /// The lender's entry for `borrower`, made empty if there is none.
    fn lent_to(&mut self, borrower: u32) -> &mut Lent {
        let at = match self.lent.iter().position(|l| l.borrower == borrower) {
            Some(at) => at,
            None => {
                self.lent.push(Lent {
                    borrower,
                    ..Lent::default()
                });
                self.lent.len() - 1
            }
        };
        &mut self.lent[at]
    }

    fn ask(&self, p: Pending) -> Ask {
        Ask {
            id: TransferId {
                borrower: self.bucket,
                seq: p.seq,
            },
            lender: p.lender,
            want: p.want,
            settled_below: self.settled_below(p.lender),
        }
    }

    /// The lowest transfer still pending with `lender`, or the next one.
    fn settled_below(&self, lender: u32) -> u64 {
        self.borrowing
            .iter()
            .filter(|p| p.lender == lender)
            .map(|p| p.seq)
            .min()
            .unwrap_or(self.next_seq)
    }
}
