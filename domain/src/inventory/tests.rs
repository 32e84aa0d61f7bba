use super::*;
use proptest::prelude::*;

fn sku(s: &str) -> Sku {
    Sku::parse(s).unwrap()
}
fn line(s: &str, q: u32) -> HoldLine {
    HoldLine {
        sku: sku(s),
        quantity: q,
        initial: 0,
    }
}
fn reserve(order: &str, lines: Vec<HoldLine>) -> InventoryCommand {
    InventoryCommand::Reserve {
        order_id: order.into(),
        lines,
        now: 1000,
        ttl_seconds: 60,
    }
}
fn shard(stock: &[(&str, u32)]) -> Shard {
    let mut s = Shard::default();
    for (k, n) in stock {
        s.apply(&InventoryCommand::SetOnHand {
            sku: sku(k),
            on_hand: *n,
        });
    }
    s
}

#[test]
fn reserve_is_all_or_nothing() {
    let mut s = shard(&[("A", 5), ("B", 1)]);
    let r = s.apply(&reserve("o1", vec![line("A", 2), line("B", 2)]));
    assert_eq!(
        r,
        InventoryReply::OutOfStock {
            sku: sku("B"),
            requested: 2,
            available: 1
        }
    );
    assert_eq!(s.stock_of(&sku("A"), 0).reserved, 0, "nothing taken");
    assert!(s.holds.is_empty());
    assert_eq!(
        s.apply(&reserve("o2", vec![line("A", 2), line("B", 1)])),
        InventoryReply::Reserved {
            expires_at: 1060,
            already: false
        }
    );
    assert_eq!(s.stock_of(&sku("A"), 0).available(), 3);
    assert_eq!(s.stock_of(&sku("B"), 0).available(), 0);
}

#[test]
fn reserve_is_idempotent_per_order() {
    let mut s = shard(&[("A", 5)]);
    s.apply(&reserve("o1", vec![line("A", 2)]));
    assert_eq!(
        s.apply(&reserve("o1", vec![line("A", 2)])),
        InventoryReply::Reserved {
            expires_at: 1060,
            already: true
        }
    );
    assert_eq!(s.stock_of(&sku("A"), 0).reserved, 2);
}

#[test]
fn lines_of_the_same_sku_add_up() {
    let mut s = shard(&[("A", 3)]);
    let r = s.apply(&reserve("o1", vec![line("A", 2), line("A", 2)]));
    assert_eq!(
        r,
        InventoryReply::OutOfStock {
            sku: sku("A"),
            requested: 4,
            available: 3
        }
    );
}

#[test]
fn unseen_skus_start_from_their_initial_stock() {
    let mut s = Shard::default();
    let l = HoldLine {
        sku: sku("NEW"),
        quantity: 2,
        initial: 3,
    };
    assert!(matches!(
        s.apply(&reserve("o1", vec![l.clone()])),
        InventoryReply::Reserved { .. }
    ));
    assert_eq!(
        s.stock_of(&sku("NEW"), 99),
        Stock {
            on_hand: 3,
            reserved: 2
        }
    );
    // Once known, the initial value is ignored.
    assert!(matches!(
        s.apply(&reserve("o2", vec![l])),
        InventoryReply::OutOfStock { available: 1, .. }
    ));
}

#[test]
fn commit_takes_from_on_hand_once() {
    let mut s = shard(&[("A", 5)]);
    s.apply(&reserve("o1", vec![line("A", 2)]));
    let c = InventoryCommand::Commit {
        order_id: "o1".into(),
        lines: vec![line("A", 2)],
        now: 1010,
    };
    assert_eq!(
        s.apply(&c),
        InventoryReply::Committed {
            already: false,
            shortfall: vec![]
        }
    );
    assert_eq!(
        s.apply(&c),
        InventoryReply::Committed {
            already: true,
            shortfall: vec![]
        }
    );
    assert_eq!(
        s.stock_of(&sku("A"), 0),
        Stock {
            on_hand: 3,
            reserved: 0
        }
    );
    // A committed order cannot reserve or release again.
    assert_eq!(
        s.apply(&reserve("o1", vec![line("A", 1)])),
        InventoryReply::Closed {
            outcome: Outcome::Committed
        }
    );
    assert_eq!(
        s.apply(&InventoryCommand::Release {
            order_id: "o1".into(),
            now: 1011
        }),
        InventoryReply::Released { released: false }
    );
    assert_eq!(
        s.stock_of(&sku("A"), 0),
        Stock {
            on_hand: 3,
            reserved: 0
        }
    );
}

#[test]
fn expiry_returns_stock_and_late_payment_still_sells() {
    let mut s = shard(&[("A", 2)]);
    s.apply(&reserve("o1", vec![line("A", 2)]));
    assert_eq!(s.next_expiry(), Some(1060));
    assert_eq!(
        s.apply(&InventoryCommand::Expire { now: 1059 }),
        InventoryReply::Expired { orders: vec![] }
    );
    assert_eq!(
        s.apply(&InventoryCommand::Expire { now: 1060 }),
        InventoryReply::Expired {
            orders: vec!["o1".into()]
        }
    );
    assert_eq!(s.stock_of(&sku("A"), 0).available(), 2);
    assert_eq!(s.next_expiry(), None);
    // Another shopper takes one; then o1's payment arrives after all.
    s.apply(&reserve("o2", vec![line("A", 1)]));
    let late = s.apply(&InventoryCommand::Commit {
        order_id: "o1".into(),
        lines: vec![line("A", 2)],
        now: 1100,
    });
    assert_eq!(
        late,
        InventoryReply::Committed {
            already: false,
            shortfall: vec![(sku("A"), 1)]
        }
    );
    assert_eq!(
        s.stock_of(&sku("A"), 0),
        Stock {
            on_hand: 1,
            reserved: 1
        }
    );
}

#[test]
fn lowering_on_hand_below_reserved_leaves_zero_available() {
    let mut s = shard(&[("A", 5)]);
    s.apply(&reserve("o1", vec![line("A", 4)]));
    s.apply(&InventoryCommand::SetOnHand {
        sku: sku("A"),
        on_hand: 2,
    });
    assert_eq!(s.stock_of(&sku("A"), 0).available(), 0);
    assert!(matches!(
        s.apply(&reserve("o2", vec![line("A", 1)])),
        InventoryReply::OutOfStock { .. }
    ));
}

proptest! {
    /// Whatever happens, reserved units are exactly the sum of live holds, and nothing sells
    /// more than was on hand.
    #[test]
    fn counters_match_holds(ops in prop::collection::vec((0u8..4, 0u8..8, 1u32..4), 0..80)) {
        let mut s = shard(&[("A", 6), ("B", 3)]);
        let mut sold = 0u32;
        let mut now = 0i64;
        for (op, order, q) in ops {
            now += 7;
            let id = format!("o{order}");
            let lines = vec![line("A", q), line("B", q % 2)];
            match op {
                0 => { s.apply(&InventoryCommand::Reserve { order_id: id, lines, now, ttl_seconds: 30 }); }
                1 => {
                    if s.holds.contains_key(&id) {
                        let q = s.holds[&id].lines[0].quantity;
                        s.apply(&InventoryCommand::Commit { order_id: id, lines, now });
                        sold += q;
                    }
                }
                2 => { s.apply(&InventoryCommand::Release { order_id: id, now }); }
                _ => { s.apply(&InventoryCommand::Expire { now }); }
            }
            let held: u32 = s.holds.values().flat_map(|h| &h.lines).filter(|l| l.sku.as_str() == "A").map(|l| l.quantity).sum();
            let a = s.stock_of(&sku("A"), 0);
            prop_assert_eq!(a.reserved, held);
            prop_assert!(a.reserved <= a.on_hand);
            prop_assert_eq!(a.on_hand + sold, 6);
        }
    }
}
