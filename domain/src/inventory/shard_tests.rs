use super::*;
use std::collections::BTreeMap;

#[test]
fn shards_are_stable_and_spread() {
    let a = Sku::parse("LINEN-SHIRT-M-WHITE").unwrap();
    assert_eq!(shard_of(&a), shard_of(&a.clone()));
    let used: std::collections::BTreeSet<u32> = (0..200)
        .map(|i| shard_of(&Sku::parse(&format!("SKU-{i}")).unwrap()))
        .collect();
    assert_eq!(used.len(), SHARDS as usize, "200 SKUs reach every shard");
    let lines: Vec<HoldLine> = (0..10)
        .map(|i| HoldLine {
            sku: Sku::parse(&format!("S-{i}")).unwrap(),
            quantity: 1,
            initial: 0,
        })
        .collect();
    let grouped = by_shard(&lines);
    assert_eq!(grouped.values().map(Vec::len).sum::<usize>(), 10);
    assert!(grouped
        .iter()
        .all(|(s, ls)| ls.iter().all(|l| shard_of(&l.sku) == *s)));
}

/// Storage as the object keeps it: the counters under one key, then a key per order (its hold
/// and outcome), written after each command from [`Shard::take_changed`] alone.
#[derive(Default)]
struct Stored {
    counters: String,
    orders: BTreeMap<String, String>,
}

impl Stored {
    fn write(&mut self, shard: &mut Shard) {
        self.counters = serde_json::to_string(&shard.counters()).unwrap();
        for id in shard.take_changed() {
            match shard.entry_of(&id) {
                Some(e) => self.orders.insert(id, serde_json::to_string(&e).unwrap()),
                None => self.orders.remove(&id),
            };
        }
    }

    fn read(&self) -> Shard {
        let mut shard: Shard = serde_json::from_str(&self.counters).unwrap();
        for (id, entry) in &self.orders {
            shard.restore(id.clone(), serde_json::from_str(entry).unwrap());
        }
        shard
    }
}

fn command(kind: u8, order: u8, sku: u8, qty: u32, now: i64) -> InventoryCommand {
    let order_id = format!("ord_{order}");
    let lines = vec![HoldLine {
        sku: Sku::parse(&format!("S-{sku}")).unwrap(),
        quantity: qty,
        initial: 3,
    }];
    match kind % 6 {
        0 => InventoryCommand::SetOnHand {
            sku: lines[0].sku.clone(),
            on_hand: qty * 2,
        },
        1 => InventoryCommand::Reserve {
            order_id,
            lines,
            now,
            ttl_seconds: 30,
        },
        2 => InventoryCommand::Commit {
            order_id,
            lines,
            now,
        },
        3 => InventoryCommand::Release { order_id, now },
        4 => InventoryCommand::Restock {
            order_id,
            lines,
            now,
        },
        _ => InventoryCommand::Expire { now },
    }
}

proptest::proptest! {
    /// Writing only the counters and the orders a command changed keeps storage equal to the
    /// shard in memory, whatever the commands (expiry and forgotten outcomes included).
    #[test]
    fn storage_of_changed_orders_follows_the_shard(
        steps in proptest::collection::vec((0u8..6, 0u8..8, 0u8..3, 1u32..4, 0i64..40), 1..60)
    ) {
        let mut shard = Shard::default();
        let mut stored = Stored::default();
        let mut now = 0;
        for (kind, order, sku, qty, dt) in steps {
            // Time runs on, by leaps past the outcomes' memory too.
            now += if dt == 39 { OUTCOME_MEMORY_SECONDS } else { dt };
            shard.apply(&command(kind, order, sku, qty, now));
            stored.write(&mut shard);
            proptest::prop_assert_eq!(&stored.read(), &shard);
        }
    }
}

#[test]
fn reading_stock_changes_no_order() {
    let mut shard = Shard::default();
    shard.apply(&command(1, 1, 0, 1, 10));
    assert_eq!(shard.take_changed().len(), 1);
    shard.apply(&command(0, 1, 0, 5, 11));
    assert!(shard.take_changed().is_empty(), "counters only");
    shard.apply(&command(1, 1, 0, 1, 12));
    assert!(shard.take_changed().is_empty(), "a repeated reservation");
}
