use super::super::split::{bucket_of, split, Buckets};
use super::super::{HoldLine, Reservation, Shard, Stock};
use crate::ids::{CartId, Sku};

fn sku() -> Sku {
    Sku::parse("HOT-SKU").expect("sku")
}

fn line(q: u32) -> HoldLine {
    HoldLine {
        sku: sku(),
        quantity: q,
        initial: 0,
    }
}

/// K buckets holding `on_hand` split evenly, and their home shard.
fn split_over(on_hand: u32, k: u32) -> (Shard, Vec<Shard>) {
    let mut home = Shard::default();
    home.set_home(&sku(), k, on_hand);
    let parts = split(on_hand, Buckets::new(k).expect("k"));
    let buckets = parts
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let mut b = Shard::default();
            b.set_bucket(&sku(), k, i as u32, *n);
            b
        })
        .collect();
    (home, buckets)
}

fn on_hand(buckets: &[Shard]) -> u32 {
    buckets.iter().map(|b| b.stock_of(&sku(), 0).on_hand).sum()
}

#[test]
fn the_home_shard_sends_reservations_and_late_commits_to_the_buckets() {
    let (mut home, _) = split_over(10, 4);
    assert_eq!(home.buckets_of(&sku()), 4);
    assert_eq!(
        home.reserve("o1", &[line(1)], 0, 60),
        Reservation::Moved {
            sku: sku(),
            buckets: 4
        }
    );
    let done = home.commit("o1", &[line(1)], 0);
    assert_eq!(done.moved, vec![(sku(), 4)]);
    assert!(done.shortfall.is_empty());
    assert_eq!(home.stock_of(&sku(), 0), Stock::default());

    // Back to one: the home shard holds the stock again and reserves it.
    home.set_home(&sku(), 1, 7);
    assert!(matches!(
        home.reserve("o2", &[line(7)], 0, 60),
        Reservation::Reserved { .. }
    ));
}

#[test]
fn a_bucket_serves_only_requests_routed_with_its_count() {
    let (_, buckets) = split_over(8, 4);
    let role = buckets[2].bucket.as_ref().expect("a bucket");
    assert_eq!(role.misrouted(4), None);
    assert_eq!(role.misrouted(8), Some(4));
    assert_eq!(role.misrouted(1), Some(4));

    let mut retired = buckets[3].clone();
    retired.set_bucket(&sku(), 2, 3, 5);
    let role = retired.bucket.as_ref().expect("a bucket");
    assert_eq!(role.misrouted(2), Some(2), "index 3 of 2 serves nothing");
    assert_eq!(retired.stock_of(&sku(), 0).on_hand, 0, "and holds no stock");
}

#[test]
fn a_frozen_sku_is_busy_until_the_freeze_ends_or_thaws() {
    let mut home = Shard::default();
    home.set_on_hand(&sku(), 5);
    let frozen = home.freeze(&sku(), 0, 100);
    assert_eq!(frozen.stock.on_hand, 5);
    assert!(!frozen.borrowing);
    assert_eq!(
        home.reserve("o1", &[line(1)], 99, 60),
        Reservation::Busy { sku: sku() }
    );
    // A freeze cut off half-way ends by itself.
    assert!(matches!(
        home.reserve("o1", &[line(1)], 100, 60),
        Reservation::Reserved { .. }
    ));
    home.freeze(&sku(), 0, 200);
    home.thaw(&sku());
    assert!(matches!(
        home.reserve("o2", &[line(1)], 150, 60),
        Reservation::Reserved { .. }
    ));
}

#[test]
fn a_dry_bucket_borrows_a_siblings_last_unit_and_nothing_is_counted_twice() {
    let (_, mut buckets) = split_over(3, 3);
    // Bucket 0 sells its unit, then a shopper routed to it wants one more.
    assert!(matches!(
        buckets[0].reserve("o1", &[line(1)], 0, 60),
        Reservation::Reserved { .. }
    ));
    assert!(matches!(
        buckets[0].reserve("o2", &[line(1)], 0, 60),
        Reservation::OutOfStock { .. }
    ));
    let ask = buckets[0].begin_borrow(2, 1, 0).expect("a bucket");
    assert_eq!(buckets[0].pending_asks(), vec![ask]);
    // The frozen report says units are on their way.
    assert!(buckets[0].clone().freeze(&sku(), 0, 10).borrowing);
    let answer = buckets[2].lend(&ask, 0);
    assert_eq!(answer.given, 1);
    // The answer is lost; recovery asks again and the lender does not give twice.
    let retry = buckets[0].pending_asks()[0];
    let again = buckets[2].lend(&retry, 0);
    assert_eq!(again, answer);
    assert!(buckets[0].finish_borrow(&answer));
    assert!(!buckets[0].finish_borrow(&answer), "credited once");
    assert_eq!(on_hand(&buckets), 3);
    assert!(matches!(
        buckets[0].reserve("o2", &[line(1)], 0, 60),
        Reservation::Reserved { .. }
    ));
    assert!(buckets[0].pending_asks().is_empty());
}

#[test]
fn no_unit_moves_between_frozen_buckets() {
    let (_, mut buckets) = split_over(4, 2);
    buckets[1].freeze(&sku(), 0, 100);
    let ask = buckets[0].begin_borrow(1, 2, 50).expect("a bucket");
    let answer = buckets[1].lend(&ask, 50);
    assert_eq!(answer.given, 0, "frozen: nothing lent");
    assert_eq!(buckets[1].stock_of(&sku(), 0).on_hand, 2);
    // The same ask after the freeze still gets 0: the transfer was answered once.
    assert_eq!(buckets[1].lend(&ask, 150).given, 0);
    assert!(buckets[0].finish_borrow(&answer));
    assert_eq!(on_hand(&buckets), 4);
    // A frozen borrower does not start a transfer.
    buckets[0].freeze(&sku(), 0, 100);
    assert_eq!(buckets[0].begin_borrow(1, 1, 50), None);
    assert!(
        buckets[0].begin_borrow(1, 1, 100).is_some(),
        "the freeze ended"
    );
}

#[test]
fn a_shard_that_is_not_a_bucket_lends_nothing() {
    let (_, mut buckets) = split_over(4, 2);
    let ask = buckets[0].begin_borrow(1, 2, 0).expect("a bucket");
    let mut plain = Shard::default();
    plain.set_on_hand(&sku(), 9);
    assert_eq!(plain.lend(&ask, 0).given, 0);
    assert_eq!(plain.stock_of(&sku(), 0).on_hand, 9);
    assert_eq!(plain.begin_borrow(0, 1, 0), None);
}

#[test]
fn carts_spread_over_the_buckets() {
    let k = Buckets::new(8).expect("k");
    let mut seen = [0u32; 8];
    for i in 0..800 {
        let cart = CartId::parse(&format!("{i:032x}")).expect("cart id");
        seen[bucket_of(&cart, k) as usize] += 1;
    }
    assert!(seen.iter().all(|n| *n > 50), "{seen:?}");
}
