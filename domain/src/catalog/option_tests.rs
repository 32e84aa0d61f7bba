use super::tests::sample;

#[test]
fn picking_an_option_keeps_the_others_when_possible() {
    let c = sample();
    let shirt = &c.products[0];
    let m_white = shirt.variant("SHIRT-M-W").unwrap();
    let pick = |from, i, value| {
        shirt
            .variant_for_option(from, i, value)
            .map(|v| v.sku.as_str())
    };
    assert_eq!(pick(m_white, 1, "Blue"), Some("SHIRT-M-B"));
    assert_eq!(pick(m_white, 0, "S"), Some("SHIRT-S-W"));
    let m_blue = shirt.variant("SHIRT-M-B").unwrap();
    // No S/Blue exists: S/White shares nothing but is the only S.
    assert_eq!(pick(m_blue, 0, "S"), Some("SHIRT-S-W"));
    assert_eq!(pick(m_blue, 0, "XL"), None);
}
