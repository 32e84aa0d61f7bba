use super::*;

#[test]
fn restock_puts_committed_units_back_once() {
    let sku = Sku::parse("A").unwrap();
    let line = HoldLine {
        sku: sku.clone(),
        quantity: 2,
        initial: 5,
    };
    let mut s = Shard::default();
    let restock = InventoryCommand::Restock {
        order_id: "o".into(),
        lines: vec![line.clone()],
        now: 3,
    };
    assert_eq!(
        s.apply(&restock),
        InventoryReply::Restocked { restocked: false },
        "nothing committed yet"
    );
    s.apply(&InventoryCommand::Reserve {
        order_id: "o".into(),
        lines: vec![line.clone()],
        now: 0,
        ttl_seconds: 60,
    });
    s.apply(&InventoryCommand::Commit {
        order_id: "o".into(),
        lines: vec![line],
        now: 1,
    });
    assert_eq!(s.stock_of(&sku, 0).on_hand, 3);
    assert_eq!(
        s.apply(&restock),
        InventoryReply::Restocked { restocked: true }
    );
    assert_eq!(
        s.apply(&restock),
        InventoryReply::Restocked { restocked: false }
    );
    assert_eq!(
        s.stock_of(&sku, 0),
        Stock {
            on_hand: 5,
            reserved: 0
        }
    );
}
