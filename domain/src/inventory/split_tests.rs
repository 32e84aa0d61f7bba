use super::*;
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
pub(super) fn spread(v: impl Iterator<Item = u32> + Clone) -> u32 {
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
}
