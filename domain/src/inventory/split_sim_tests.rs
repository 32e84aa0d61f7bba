//! The buckets of one SKU simulated under a faulty network: the property test of the whole
//! protocol (split, reserve, borrow, commit, release, expiry, rebalance, resplit).

use super::split_tests::spread;
use super::*;
use crate::ids::Sku;
use crate::inventory::{HoldLine, Reservation, Shard};
use proptest::collection::vec;
use proptest::prelude::*;

proptest! {
    /// K buckets of one SKU under random shoppers, payments, expiries, merchant changes and a
    /// faulty network (lost, repeated, late and reordered messages, crashes after begin).
    #[test]
    fn buckets_never_lose_or_oversell_a_unit(
        k in (1u32..=6).prop_filter_map("a bucket count", |n| Buckets::new(n).ok()),
        total in 0u32..40,
        seed in any::<u64>(),
        ops in vec(op(), 0..120),
    ) {
        let mut sim = Sim::new(k, total, seed)?;
        for op in ops {
            sim.apply(op)?;
        }
        sim.settle()?;
    }
}

const TTL: i64 = 60;

#[derive(Debug, Clone)]
enum Op {
    Reserve {
        cart: u8,
        q: u32,
    },
    Commit(u8),
    Release(u8),
    Tick(u8),
    /// A borrow begun outside a reservation; `fate % 4 == 0`: crashed before sending the ask.
    Stray {
        b: u8,
        from: u8,
        want: u32,
        fate: u8,
    },
    Deliver {
        pick: u8,
        fate: u8,
    },
    /// Messages in flight to the bucket are lost.
    Crash(u8),
    Recover(u8),
    Rebalance,
    /// The merchant sets the number to the units held plus this.
    Resplit(u32),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (any::<u8>(), 1u32..=4).prop_map(|(cart, q)| Op::Reserve { cart, q }),
        2 => any::<u8>().prop_map(Op::Commit),
        1 => any::<u8>().prop_map(Op::Release),
        1 => (1u8..80).prop_map(Op::Tick),
        2 => (any::<u8>(), any::<u8>(), 1u32..6, any::<u8>())
            .prop_map(|(b, from, want, fate)| Op::Stray { b, from, want, fate }),
        4 => (any::<u8>(), any::<u8>()).prop_map(|(pick, fate)| Op::Deliver { pick, fate }),
        1 => any::<u8>().prop_map(Op::Crash),
        1 => any::<u8>().prop_map(Op::Recover),
        1 => Just(Op::Rebalance),
        1 => (0u32..30).prop_map(Op::Resplit),
    ]
}

#[derive(Debug, Clone, Copy)]
enum Msg {
    Ask(Ask),
    Answer(Answer),
    Ack(Ack),
}

impl Msg {
    fn to(self) -> usize {
        match self {
            Msg::Ask(a) => a.lender as usize,
            Msg::Answer(a) => a.id.borrower as usize,
            Msg::Ack(a) => a.lender as usize,
        }
    }
}

fn fail(e: impl std::fmt::Display) -> TestCaseError {
    TestCaseError::fail(e.to_string())
}

/// Units lent and not yet credited: answered by the lender, still pending at the borrower.
fn in_transit(books: &[Book]) -> u64 {
    books
        .iter()
        .flat_map(Book::pending)
        .filter_map(|ask| books.get(ask.lender as usize)?.answered(ask.id))
        .map(u64::from)
        .sum()
}

/// The buckets (each a [`Shard`] with its [`Book`]), the network between them, and the
/// merchant's number less what was sold.
struct Sim {
    sku: Sku,
    k: Buckets,
    shards: Vec<Shard>,
    books: Vec<Book>,
    net: Vec<Msg>,
    rng: u64,
    total: u32,
    sold: u32,
    now: i64,
    /// Orders placed: id, bucket, quantity.
    orders: Vec<(String, usize, u32)>,
}

impl Sim {
    fn new(k: Buckets, total: u32, seed: u64) -> Result<Self, TestCaseError> {
        let sku = Sku::parse("HOT").map_err(fail)?;
        let shards = split(total, k)
            .into_iter()
            .map(|n| {
                let mut s = Shard::default();
                s.set_on_hand(&sku, n);
                s
            })
            .collect();
        Ok(Sim {
            sku,
            k,
            shards,
            books: (0..k.get()).map(Book::new).collect(),
            net: Vec::new(),
            rng: seed | 1,
            total,
            sold: 0,
            now: 0,
            orders: Vec::new(),
        })
    }

    /// xorshift64: the network's and the crashes' randomness, from the case's seed.
    fn roll(&mut self, n: usize) -> usize {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        (self.rng % n.max(1) as u64) as usize
    }

    fn stocks(&self) -> Vec<Stock> {
        self.shards
            .iter()
            .map(|s| s.stock_of(&self.sku, 0))
            .collect()
    }

    fn line(&self, q: u32) -> Vec<HoldLine> {
        vec![HoldLine {
            sku: self.sku.clone(),
            quantity: q,
            initial: 0,
        }]
    }

    /// The invariants, after every step.
    fn check(&self) -> Result<(), TestCaseError> {
        let stocks = self.stocks();
        let on_hand: u64 = stocks.iter().map(|s| u64::from(s.on_hand)).sum();
        let transit = in_transit(&self.books);
        prop_assert_eq!(
            on_hand + transit + u64::from(self.sold),
            u64::from(self.total)
        );
        prop_assert!(self.sold <= self.total, "no oversell");
        for s in &stocks {
            prop_assert!(s.reserved <= s.on_hand, "a hold broken: {:?}", s);
        }
        Ok(())
    }

    fn apply(&mut self, op: Op) -> Result<(), TestCaseError> {
        let k = self.k.get() as usize;
        match op {
            Op::Reserve { cart, q } => self.reserve(cart, q)?,
            Op::Commit(pick) => self.commit(pick)?,
            Op::Release(pick) => {
                if let Some((order, b, _)) = self.pick(pick) {
                    self.shards[b].release(&order, self.now);
                }
            }
            Op::Tick(secs) => {
                self.now += i64::from(secs);
                for s in &mut self.shards {
                    s.expire(self.now);
                }
            }
            Op::Stray {
                b,
                from,
                want,
                fate,
            } => {
                let (b, from) = (usize::from(b) % k, usize::from(from) % k);
                if b != from {
                    let ask = self.books[b].begin_borrow(from as u32, want);
                    if fate % 4 != 0 {
                        self.net.push(Msg::Ask(ask));
                    }
                }
            }
            Op::Deliver { pick, fate } => self.step(usize::from(pick), fate)?,
            Op::Crash(b) => self.net.retain(|m| m.to() != usize::from(b) % k),
            Op::Recover(b) => {
                let asks = self.books[usize::from(b) % k].pending();
                self.net.extend(asks.into_iter().map(Msg::Ask));
            }
            Op::Rebalance => self.rebalance()?,
            Op::Resplit(extra) => self.resplit(extra)?,
        }
        self.check()
    }

    fn pick(&self, pick: u8) -> Option<(String, usize, u32)> {
        let n = self.orders.len();
        (n > 0).then(|| self.orders[usize::from(pick) % n].clone())
    }

    fn reserve(&mut self, cart: u8, q: u32) -> Result<(), TestCaseError> {
        let cart = CartId::parse(&format!("{cart:032x}")).map_err(fail)?;
        let b = bucket_of(&cart, self.k) as usize;
        self.settle()?;
        let stocks = self.stocks();
        let available: u32 = stocks.iter().map(|s| s.available()).sum();
        prop_assert_eq!(sold_out(&stocks), available == 0);
        let siblings: Vec<(u32, u32)> = (0..stocks.len())
            .filter(|&i| i != b)
            .map(|i| (i as u32, stocks[i].available()))
            .collect();
        match plan_borrow(stocks[b].available(), q, &siblings) {
            Err(e) => {
                prop_assert!(available < q, "refused with {} available", available);
                prop_assert_eq!(e.available, available);
                return Ok(());
            }
            Ok(loans) => {
                prop_assert!(available >= q);
                for loan in loans {
                    let ask = self.books[b].begin_borrow(loan.from, loan.n);
                    if self.roll(4) != 0 {
                        self.net.push(Msg::Ask(ask));
                    }
                    self.check()?;
                }
                self.settle()?;
            }
        }
        let order = format!("o{}", self.orders.len());
        let lines = self.line(q);
        let r = self.shards[b].reserve(&order, &lines, self.now, TTL);
        prop_assert!(
            matches!(r, Reservation::Reserved { already: false, .. }),
            "{:?}",
            r
        );
        self.orders.push((order, b, q));
        Ok(())
    }

    fn commit(&mut self, pick: u8) -> Result<(), TestCaseError> {
        let Some((order, b, q)) = self.pick(pick) else {
            return Ok(());
        };
        let before = self.stocks()[b].on_hand;
        let live = self.shards[b].holds.contains_key(&order);
        let lines = self.line(q);
        let c = self.shards[b].commit(&order, &lines, self.now);
        let after = self.stocks()[b].on_hand;
        prop_assert!(after <= before);
        self.sold += before - after;
        if live {
            prop_assert!(c.shortfall.is_empty() && before - after == q);
        }
        Ok(())
    }

    /// A coordinator evens the buckets out, each move a borrow.
    fn rebalance(&mut self) -> Result<(), TestCaseError> {
        self.settle()?;
        let before = self.stocks();
        for m in rebalance(&before) {
            let ask = self.books[m.to as usize].begin_borrow(m.from, m.n);
            if self.roll(4) != 0 {
                self.net.push(Msg::Ask(ask));
            }
        }
        self.settle()?;
        let after = self.stocks();
        prop_assert!(after
            .iter()
            .zip(&before)
            .all(|(a, b)| a.reserved == b.reserved));
        prop_assert!(spread(after.iter().map(|s| s.available())) <= 1);
        Ok(())
    }

    /// The merchant sets a new number, at least the units held.
    fn resplit(&mut self, extra: u32) -> Result<(), TestCaseError> {
        self.settle()?;
        let stocks = self.stocks();
        let total = stocks.iter().map(|s| s.reserved).sum::<u32>() + extra;
        let on_hand = resplit(total, &stocks).map_err(fail)?;
        for (shard, n) in self.shards.iter_mut().zip(on_hand) {
            shard.set_on_hand(&self.sku, n);
        }
        self.total = total;
        self.sold = 0;
        Ok(())
    }

    /// Delivers, repeats, loses or delays one message in flight.
    fn step(&mut self, pick: usize, fate: u8) -> Result<(), TestCaseError> {
        if self.net.is_empty() {
            return Ok(());
        }
        let msg = self.net.swap_remove(pick % self.net.len());
        match fate % 8 {
            0..=3 => self.deliver(msg),
            4 | 5 => {
                self.net.push(msg);
                self.deliver(msg)
            }
            6 => Ok(()),
            _ => {
                self.net.insert(0, msg);
                Ok(())
            }
        }
    }

    fn deliver(&mut self, msg: Msg) -> Result<(), TestCaseError> {
        let i = msg.to();
        let stock = self.shards[i].stock.entry(self.sku.clone()).or_default();
        let book = &mut self.books[i];
        match msg {
            Msg::Ask(ask) => self.net.push(Msg::Answer(book.lend(&ask, stock))),
            Msg::Answer(answer) => {
                book.finish_borrow(&answer, stock);
                self.net.push(Msg::Ack(book.ack_for(answer.lender)));
            }
            Msg::Ack(ack) => book.forget(&ack),
        }
        self.check()
    }

    /// Recovery: rounds of re-sent asks over the faulty network, then one clean round; every
    /// transfer is then closed and, once acknowledged, forgotten.
    fn settle(&mut self) -> Result<(), TestCaseError> {
        for _ in 0..3 {
            self.resend_pending();
            for _ in 0..self.net.len() * 2 {
                let (pick, fate) = (self.roll(usize::MAX), self.roll(8) as u8);
                self.step(pick, fate)?;
            }
        }
        self.resend_pending();
        while let Some(msg) = self.net.pop() {
            self.deliver(msg)?;
        }
        prop_assert_eq!(in_transit(&self.books), 0);
        prop_assert!(self.books.iter().all(|b| b.pending().is_empty()));
        for b in 0..self.books.len() {
            for lender in (0..self.books.len()).filter(|&l| l != b) {
                let ack = self.books[b].ack_for(lender as u32);
                self.deliver(Msg::Ack(ack))?;
            }
        }
        prop_assert!(self.books.iter().all(Book::is_idle), "the books forget");
        Ok(())
    }

    fn resend_pending(&mut self) {
        let asks: Vec<Ask> = self.books.iter().flat_map(Book::pending).collect();
        self.net.extend(asks.into_iter().map(Msg::Ask));
    }
}
