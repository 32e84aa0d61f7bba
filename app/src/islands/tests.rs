use super::*;

fn v(sku: &str, options: &[&str]) -> BuyVariant {
    BuyVariant {
        sku: sku.into(),
        options: options.iter().map(|s| (*s).to_owned()).collect(),
        price: String::new(),
        availability: String::new(),
        can_buy: true,
        max: 9,
        image_src: String::new(),
        image_alt: String::new(),
    }
}

#[test]
fn picking_a_value_selects_exactly_that_combination_or_nothing() {
    let vs = vec![
        v("S-W", &["S", "White"]),
        v("M-W", &["M", "White"]),
        v("M-B", &["M", "Blue"]),
    ];
    let pick =
        |from: usize, i, value| variant_with(&vs, &vs[from], i, value).map(|v| v.sku.as_str());
    assert_eq!(pick(1, 1, "Blue"), Some("M-B"));
    assert_eq!(pick(2, 0, "M"), Some("M-B"), "the current value");
    assert_eq!(pick(2, 1, "White"), Some("M-W"));
    // No S/Blue: never a jump to S/White, which would change the colour behind the shopper's back.
    assert_eq!(pick(2, 0, "S"), None);
    assert_eq!(pick(0, 1, "Blue"), None);
    assert_eq!(pick(0, 0, "XL"), None);
    assert_eq!(combination(&vs[2], 0, "S"), "S / Blue");
}
