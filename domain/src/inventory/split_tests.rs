use super::*;
use crate::ids::Sku;
use crate::inventory::{HoldLine, Reservation, Shard};
use proptest::collection::vec;
use proptest::prelude::*;

fn k(n: u32) -> Buckets {
    Buckets::new(n).unwrap()
}
fn stock(on_hand: u32, reserved: u32) -> Stock {
    Stock { on_hand, reserved }
}
fn buckets() -> impl Strategy<Value = Buckets> {
    (1u32..=MAX_BUCKETS).prop_filter_map("a bucket count", |n| Buckets::new(n).ok())
}
fn stocks() -> impl Strategy<Value = Vec<Stock>> {
    vec((0u32..500, 0u32..500), 1..=8)
        .prop_map(|v| v.into_iter().map(|(o, r)| stock(o, r)).collect())
}
fn spread(v: impl Iterator<Item = u32> + Clone) -> u32 {
    v.clone().max().unwrap_or(0) - v.min().unwrap_or(0)
}

#[test]
fn bucket_counts_are_checked() {
    assert_eq!(Buckets::new(0), Err(BadBucketCount(0)));
    assert_eq!(Buckets::new(MAX_BUCKETS + 1), Err(BadBucketCount(65)));
    assert_eq!(k(1).get(), 1);
    assert_eq!(k(MAX_BUCKETS).get(), 64);
    assert_eq!(serde_json::to_string(&k(4)).unwrap(), "4");
    assert_eq!(serde_json::from_str::<Buckets>("4").unwrap(), k(4));
    assert!(
        serde_json::from_str::<Buckets>("0").is_err(),
        "checked when read"
    );
}

#[test]
fn split_gives_the_odd_units_to_the_first_buckets() {
    assert_eq!(split(10, k(3)), vec![4, 3, 3]);
    assert_eq!(split(2, k(4)), vec![1, 1, 0, 0]);
    assert_eq!(split(0, k(1)), vec![0]);
    assert_eq!(split(7, k(1)), vec![7]);
}

#[test]
fn carts_are_routed_stably_and_spread() {
    let cart = |n: u32| CartId::parse(&format!("{n:032x}")).unwrap();
    assert_eq!(bucket_of(&cart(7), k(8)), bucket_of(&cart(7), k(8)));
    assert_eq!(bucket_of(&cart(7), k(1)), 0);
    let used: std::collections::BTreeSet<u32> =
        (0..200).map(|n| bucket_of(&cart(n), k(8))).collect();
    assert_eq!(used.len(), 8, "200 carts reach every bucket");
}

#[test]
fn resplit_keeps_holds_and_spreads_the_rest() {
    let b = [stock(5, 3), stock(0, 0), stock(9, 0)];
    assert_eq!(resplit(6, &b), Ok(vec![4, 1, 1]));
    assert_eq!(resplit(3, &b), Ok(vec![3, 0, 0]));
    // Short of the holds: an even share each, capped at the bucket's holds.
    assert_eq!(resplit(2, &b), Ok(vec![2, 0, 0]));
    let c = [stock(0, 3), stock(0, 1), stock(0, 2)];
    assert_eq!(resplit(4, &c), Ok(vec![2, 1, 1]));
    assert_eq!(resplit(5, &[]), Err(BadBucketCount(0)));
}

#[test]
fn the_last_unit_is_still_sold() {
    // Four buckets; only bucket 3 has a unit, and the shopper is routed to bucket 0.
    let mut s = [stock(0, 0), stock(0, 0), stock(0, 0), stock(1, 0)];
    assert!(!sold_out(&s));
    let siblings = [(1, 0), (2, 0), (3, 1)];
    let loans = plan_borrow(0, 1, &siblings).unwrap();
    assert_eq!(loans, vec![Loan { from: 3, n: 1 }]);
    let mut books: Vec<Book> = (0..4).map(Book::new).collect();
    let ask = books[0].begin_borrow(3, 1);
    let [s0, _, _, s3] = &mut s;
    let answer = books[3].lend(&ask, s3);
    assert_eq!(answer.given, 1);
    assert!(books[0].finish_borrow(&answer, s0));
    s[0].reserved += 1;
    assert_eq!(s, [stock(1, 1), stock(0, 0), stock(0, 0), stock(0, 0)]);
    assert!(sold_out(&s));
    assert_eq!(
        plan_borrow(0, 1, &[(0, 0), (2, 0), (3, 0)]),
        Err(SoldOut {
            requested: 1,
            available: 0
        })
    );
}

#[test]
fn plan_borrow_asks_the_fullest_first() {
    let siblings = [(0, 2), (2, 5), (3, 5), (4, 0)];
    assert_eq!(plan_borrow(4, 3, &siblings), Ok(vec![]));
    assert_eq!(
        plan_borrow(1, 8, &siblings),
        Ok(vec![Loan { from: 2, n: 5 }, Loan { from: 3, n: 2 }])
    );
    assert_eq!(
        plan_borrow(1, 14, &siblings),
        Err(SoldOut {
            requested: 14,
            available: 13
        })
    );
}

#[test]
fn a_lost_answer_is_asked_again_and_given_once() {
    let (mut borrower, mut lender) = (Book::new(0), Book::new(1));
    let (mut bs, mut ls) = (stock(0, 0), stock(5, 2));
    let ask = borrower.begin_borrow(1, 4);
    let first = lender.lend(&ask, &mut ls);
    assert_eq!(first.given, 3, "only the available units");
    assert_eq!(ls, stock(2, 2), "holds untouched");
    // The answer is lost; recovery asks again with the same id.
    assert_eq!(borrower.pending(), vec![ask]);
    let again = lender.lend(&borrower.pending()[0], &mut ls);
    assert_eq!(again, first);
    assert_eq!(ls, stock(2, 2), "given once");
    assert!(borrower.finish_borrow(&again, &mut bs));
    assert!(!borrower.finish_borrow(&first, &mut bs), "credited once");
    assert_eq!(bs, stock(3, 0));
    assert!(borrower.pending().is_empty());
}

#[test]
fn a_stale_ask_after_the_ack_takes_nothing() {
    let (mut borrower, mut lender) = (Book::new(0), Book::new(1));
    let (mut bs, mut ls) = (stock(0, 0), stock(5, 0));
    let ask = borrower.begin_borrow(1, 2);
    let answer = lender.lend(&ask, &mut ls);
    assert!(borrower.finish_borrow(&answer, &mut bs));
    assert_eq!(lender.answered(ask.id), Some(2));
    lender.forget(&borrower.ack_for(1));
    assert_eq!(lender.answered(ask.id), None);
    assert!(lender.is_idle() && borrower.is_idle());
    let stale = lender.lend(&ask, &mut ls);
    assert_eq!(stale.given, 0);
    assert_eq!(ls, stock(3, 0));
    assert!(!borrower.finish_borrow(&stale, &mut bs));
    assert_eq!(bs, stock(2, 0));
}

#[test]
fn the_watermark_keeps_pending_transfers() {
    let (mut borrower, mut lender) = (Book::new(0), Book::new(1));
    let (mut bs, mut ls) = (stock(0, 0), stock(9, 0));
    let a = borrower.begin_borrow(1, 1);
    let b = borrower.begin_borrow(1, 2);
    let answer_b = lender.lend(&b, &mut ls);
    assert!(borrower.finish_borrow(&answer_b, &mut bs));
    lender.forget(&borrower.ack_for(1));
    // `a` is still pending, so the lender still answers it, and remembers `b` too.
    let answer_a = lender.lend(&a, &mut ls);
    assert_eq!(answer_a.given, 1);
    assert_eq!(lender.answered(b.id), Some(2));
    assert!(borrower.finish_borrow(&answer_a, &mut bs));
    // The next ask carries the watermark, which now settles both.
    let c = borrower.begin_borrow(1, 1);
    lender.lend(&c, &mut ls);
    assert_eq!((lender.answered(a.id), lender.answered(b.id)), (None, None));
    assert_eq!(lender.answered(c.id), Some(1));
}

#[test]
fn misrouted_messages_do_nothing() {
    let (mut b0, mut b1, mut b2) = (Book::new(0), Book::new(1), Book::new(2));
    let (mut s0, mut s2) = (stock(0, 0), stock(5, 0));
    let ask = b0.begin_borrow(1, 2);
    assert_eq!(b2.lend(&ask, &mut s2).given, 0);
    assert_eq!(s2, stock(5, 0));
    let wrong = Answer {
        id: ask.id,
        lender: 2,
        given: 2,
    };
    assert!(!b0.finish_borrow(&wrong, &mut s0));
    assert!(!b1.finish_borrow(&wrong, &mut s0));
    b2.forget(&b0.ack_for(1));
    assert_eq!(s0, stock(0, 0));
    assert_eq!(b0.pending().len(), 1);
}

#[test]
fn a_book_round_trips_as_json() {
    assert_eq!(
        serde_json::to_string(&Book::new(2)).unwrap(),
        r#"{"bucket":2,"next_seq":0}"#
    );
    let (mut borrower, mut lender) = (Book::new(0), Book::new(1));
    let mut ls = stock(5, 0);
    borrower.begin_borrow(1, 2);
    lender.lend(&borrower.pending()[0], &mut ls);
    for book in [borrower, lender] {
        let json = serde_json::to_string(&book).unwrap();
        assert_eq!(serde_json::from_str::<Book>(&json).unwrap(), book, "{json}");
    }
}

#[test]
fn rebalance_moves_available_units_to_the_emptiest() {
    let b = [stock(10, 0), stock(0, 0), stock(3, 3), stock(2, 0)];
    assert_eq!(
        rebalance(&b),
        vec![
            Move {
                from: 0,
                to: 1,
                n: 3
            },
            Move {
                from: 0,
                to: 2,
                n: 3
            },
            Move {
                from: 0,
                to: 3,
                n: 1
            },
        ]
    );
    // The odd unit stays with the fullest.
    assert_eq!(
        rebalance(&[stock(0, 0), stock(5, 0)]),
        vec![Move {
            from: 1,
            to: 0,
            n: 2
        }]
    );
    assert_eq!(rebalance(&[stock(4, 1), stock(3, 0)]), vec![]);
    // Holds a bucket cannot cover come first, the deepest first when units are short.
    assert_eq!(
        rebalance(&[stock(0, 3), stock(5, 0), stock(0, 1)]),
        vec![
            Move {
                from: 1,
                to: 0,
                n: 3
            },
            Move {
                from: 1,
                to: 2,
                n: 1
            }
        ]
    );
    assert_eq!(
        rebalance(&[stock(0, 4), stock(2, 0), stock(0, 2)]),
        vec![Move {
            from: 1,
            to: 0,
            n: 2
        }]
    );
    assert_eq!(rebalance(&[]), vec![]);
}

proptest! {
    #[test]
    fn split_is_exact_and_even(on_hand in any::<u32>(), k in buckets()) {
        let parts = split(on_hand, k);
        prop_assert_eq!(parts.len(), k.get() as usize);
        prop_assert_eq!(parts.iter().copied().map(u64::from).sum::<u64>(), u64::from(on_hand));
        prop_assert!(spread(parts.iter().copied()) <= 1);
        for (i, p) in parts.iter().enumerate() {
            let odd = (i as u32) < on_hand % k.get();
            prop_assert_eq!(*p, on_hand / k.get() + u32::from(odd));
        }
    }

    #[test]
    fn resplit_sums_to_the_total_and_keeps_holds(total in 0u32..5000, b in stocks()) {
        let out = resplit(total, &b).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(out.len(), b.len());
        prop_assert_eq!(out.iter().sum::<u32>(), total);
        let held: u32 = b.iter().map(|s| s.reserved).sum();
        if total >= held {
            prop_assert!(out.iter().zip(&b).all(|(o, s)| *o >= s.reserved));
            prop_assert!(spread(out.iter().zip(&b).map(|(o, s)| o - s.reserved)) <= 1);
        } else {
            prop_assert!(out.iter().zip(&b).all(|(o, s)| *o <= s.reserved));
            // The shortfall is spread: a bucket short of its holds has at most 1 less than any.
            for (o, s) in out.iter().zip(&b) {
                if *o < s.reserved {
                    prop_assert!(out.iter().all(|other| *other <= o + 1));
                }
            }
        }
    }

    #[test]
    fn plan_borrow_asks_for_exactly_what_is_missing(
        own in 0u32..50,
        want in 0u32..120,
        available in vec(0u32..50, 0..8),
    ) {
        let siblings: Vec<(u32, u32)> = available.iter().enumerate().map(|(i, a)| (i as u32 + 1, *a)).collect();
        let total = own + available.iter().sum::<u32>();
        match plan_borrow(own, want, &siblings) {
            Err(e) => {
                prop_assert!(total < want);
                prop_assert_eq!(e, SoldOut { requested: want, available: total });
            }
            Ok(loans) => {
                prop_assert!(total >= want);
                prop_assert_eq!(loans.iter().map(|l| l.n).sum::<u32>(), want.saturating_sub(own));
                let mut last = u32::MAX;
                let mut seen = std::collections::BTreeSet::new();
                for l in &loans {
                    let has = available[l.from as usize - 1];
                    prop_assert!(l.n > 0 && l.n <= has);
                    prop_assert!(has <= last, "the fullest first");
                    prop_assert!(seen.insert(l.from), "each sibling once");
                    last = has;
                }
            }
        }
    }

    #[test]
    fn rebalance_evens_out_and_never_moves_held_units(b in stocks()) {
        let moves = rebalance(&b);
        let mut after = b.clone();
        let (mut gave, mut took) = (std::collections::BTreeSet::new(), std::collections::BTreeSet::new());
        for m in &moves {
            prop_assert!(m.n > 0 && m.from != m.to);
            prop_assert!(m.n <= after[m.from as usize].available());
            after[m.from as usize].on_hand -= m.n;
            after[m.to as usize].on_hand += m.n;
            gave.insert(m.from);
            took.insert(m.to);
        }
        prop_assert!(gave.is_disjoint(&took), "a bucket gives or takes, not both");
        prop_assert!(moves.len() < b.len());
        let sum = |v: &[Stock]| v.iter().map(|s| s.on_hand).sum::<u32>();
        prop_assert_eq!(sum(&after), sum(&b));
        prop_assert!(after.iter().zip(&b).all(|(a, s)| a.reserved == s.reserved));
        prop_assert!(spread(after.iter().map(|s| s.available())) <= 1);
        // Holds the buckets could not cover only get covered, and stay short only if nothing
        // is left available anywhere.
        let gap = |s: &Stock| s.reserved.saturating_sub(s.on_hand);
        prop_assert!(after.iter().zip(&b).all(|(a, s)| gap(a) <= gap(s)));
        if after.iter().any(|a| gap(a) > 0) {
            prop_assert!(sold_out(&after));
        }
    }

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
