use super::*;

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
