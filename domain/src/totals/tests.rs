use super::*;
use crate::settings::ShippingRate;
use proptest::prelude::*;

fn line(amount: i64, basis_points: u32) -> LineInput {
    LineInput {
        amount,
        basis_points,
        discount: 0,
    }
}

fn input(lines: Vec<LineInput>, shipping: (i64, u32), inclusive: bool) -> TotalsInput {
    TotalsInput {
        lines,
        shipping: ShippingCharge {
            amount: shipping.0,
            basis_points: shipping.1,
        },
        prices_include_tax: inclusive,
        discount: 0,
    }
}

fn h(s: &str) -> Handle {
    Handle::parse(s).unwrap()
}

#[test]
fn vat_inclusive_line_by_hand() {
    // €49.00 incl. 19 % VAT: 49.00 / 1.19 = 41.176… → net €41.18, VAT €7.82.
    assert_eq!(split(4900, 1900, true), (4118, 782));
    // €16.00 incl. 5.5 %: 16.00 / 1.055 = 15.165… → €15.17 + €0.83.
    assert_eq!(split(1600, 550, true), (1517, 83));
    // €12.90 incl. 19 %: 12.90 / 1.19 = 10.840… → €10.84 + €2.06.
    assert_eq!(split(1290, 1900, true), (1084, 206));
    assert_eq!(split(0, 1900, true), (0, 0));
    assert_eq!(split(1, 1900, true), (1, 0));
}

#[test]
fn tax_exclusive_line_by_hand_rounds_half_up() {
    // 41.18 × 19 % = 7.8242 → 7.82: the same figures as the inclusive example.
    assert_eq!(split(4118, 1900, false), (4118, 782));
    // 10.00 × 8.25 % = 0.825 → 0.83 (half up).
    assert_eq!(tax_on_net(1000, 825), 83);
    // Exactly half a cent rounds up: 0.05 × 10 % = 0.005 → 0.01; 0.25 × 10 % = 0.025 → 0.03
    // (half-even would give 0.02).
    assert_eq!(tax_on_net(5, 1000), 1);
    assert_eq!(tax_on_net(25, 1000), 3);
    assert_eq!(tax_on_net(24, 1000), 2);
    assert_eq!(tax_on_net(1000, 10_000), 1000);
    // Inclusive: 1.05 incl. 5 %: net = 1.00 exactly; 0.21 incl. 5 % = 0.20 (0.2 exactly).
    assert_eq!(split(105, 500, true), (100, 5));
    // Half a cent in the inclusive direction: 0.03 incl. 50 % = 0.02 net; 0.01 incl. 100 % =
    // 0.005 → net 0.01 (half up), tax 0.
    assert_eq!(split(3, 5000, true), (2, 1));
    assert_eq!(split(1, 10_000, true), (1, 0));
}

#[test]
fn inclusive_order_by_hand() {
    // Linen shirt €49.00 and two mugs €32.00, shipped within Germany, free over €50.
    let t = input(vec![line(4900, 1900), line(3200, 1900)], (0, 1900), true)
        .compute()
        .unwrap();
    assert_eq!(
        t.lines[0],
        LineTax {
            basis_points: 1900,
            discount: 0,
            net: 4118,
            tax: 782
        }
    );
    // 32.00 / 1.19 = 26.890… → 26.89 + 5.11.
    assert_eq!(
        t.lines[1],
        LineTax {
            basis_points: 1900,
            discount: 0,
            net: 2689,
            tax: 511
        }
    );
    assert_eq!(
        (t.subtotal, t.shipping, t.tax, t.total),
        (8100, 0, 1293, 8100)
    );
    assert!(t.tax_included);
    // With express shipping (€12.90 incl. VAT) instead.
    let t = input(vec![line(4900, 1900), line(3200, 1900)], (1290, 1900), true)
        .compute()
        .unwrap();
    assert_eq!(
        (t.shipping, t.shipping_tax, t.tax, t.total),
        (1290, 206, 1499, 9390)
    );
    assert_eq!(
        t.by_rate(),
        [TaxBucket {
            basis_points: 1900,
            net: 4118 + 2689 + 1084,
            tax: 1499
        }]
    );
}

#[test]
fn exclusive_order_by_hand() {
    // $10.00 and $19.99 at 8.25 % sales tax, $5.00 shipping untaxed.
    let t = input(vec![line(1000, 825), line(1999, 825)], (500, 0), false)
        .compute()
        .unwrap();
    // 0.825 → 0.83; 1.649… → 1.65.
    assert_eq!((t.lines[0].tax, t.lines[1].tax), (83, 165));
    assert_eq!(
        (t.subtotal, t.shipping, t.shipping_tax, t.tax, t.total),
        (2999, 500, 0, 248, 3747)
    );
    assert!(!t.tax_included);
    assert_eq!(
        t.by_rate(),
        [
            TaxBucket {
                basis_points: 825,
                net: 2999,
                tax: 248
            },
            TaxBucket {
                basis_points: 0,
                net: 500,
                tax: 0
            },
        ]
    );
}

#[test]
fn discounts_are_spread_by_largest_remainder() {
    assert_eq!(allocate(100, &[100, 200, 300]), [17, 33, 50]);
    assert_eq!(
        allocate(2, &[1, 1, 1]),
        [1, 1, 0],
        "ties: earlier lines first"
    );
    assert_eq!(allocate(0, &[100, 200]), [0, 0]);
    assert_eq!(allocate(300, &[100, 200]), [100, 200]);
    assert_eq!(allocate(5, &[0, 10]), [0, 5]);
    assert!(allocate(0, &[]).is_empty());
    // €10 off €49 + €32 incl. 19 %: shares 6.049… and 3.950… → €6.05 and €3.95.
    let mut i = input(vec![line(4900, 1900), line(3200, 1900)], (495, 1900), true);
    i.discount = 1000;
    let t = i.compute().unwrap();
    assert_eq!((t.lines[0].discount, t.lines[1].discount), (605, 395));
    // 42.95 / 1.19 = 36.092… → 36.09 + 6.86; 28.05 / 1.19 = 23.571… → 23.57 + 4.48.
    assert_eq!((t.lines[0].net, t.lines[0].tax), (3609, 686));
    assert_eq!((t.lines[1].net, t.lines[1].tax), (2357, 448));
    assert_eq!(t.total, 8100 - 1000 + 495);
}

#[test]
fn a_lines_own_share_comes_first_and_the_order_discount_spreads_over_the_rest() {
    let mut i = input(vec![line(5000, 1900), line(2000, 1900)], (0, 1900), true);
    i.lines[0].discount = 500;
    // €3 over what is left, €45 and €20: 207.69… and 92.30… → €2.08 and €0.92.
    i.discount = 300;
    let t = i.compute().unwrap();
    assert_eq!((t.lines[0].discount, t.lines[1].discount), (708, 92));
    assert_eq!((t.subtotal, t.discount, t.total), (7000, 800, 6200));
    // 42.92 / 1.19 = 36.067… → 36.07 + 6.85.
    assert_eq!((t.lines[0].net, t.lines[0].tax), (3607, 685));
    let json = r#"{"amount":5000,"basis_points":1900,"discount":500}"#;
    assert_eq!(serde_json::to_string(&i.lines[0]).unwrap(), json);
    i.discount = 6501;
    let left = TotalsError::BadDiscount {
        discount: 6501,
        subtotal: 6500,
    };
    assert_eq!(i.compute(), Err(left));
    for bad in [5001, -1] {
        i.lines[0].discount = bad;
        assert_eq!(
            i.compute(),
            Err(TotalsError::BadLineDiscount {
                line: 0,
                discount: bad,
                amount: 5000
            })
        );
    }
}

#[test]
fn bad_inputs_are_refused() {
    let err = |i: TotalsInput| i.compute().unwrap_err();
    assert_eq!(
        err(input(vec![line(100, 0), line(-1, 0)], (0, 0), true)),
        TotalsError::NegativeLine { line: 1 }
    );
    assert_eq!(
        err(input(vec![], (-5, 0), true)),
        TotalsError::NegativeShipping
    );
    assert_eq!(
        err(input(vec![line(100, 10_001)], (0, 0), true)),
        TotalsError::BadRate(10_001)
    );
    assert_eq!(
        err(input(vec![], (0, 20_000), false)),
        TotalsError::BadRate(20_000)
    );
    let mut i = input(vec![line(100, 0)], (0, 0), true);
    i.discount = 101;
    assert_eq!(
        err(i.clone()),
        TotalsError::BadDiscount {
            discount: 101,
            subtotal: 100
        }
    );
    i.discount = -1;
    assert!(matches!(err(i), TotalsError::BadDiscount { .. }));
    assert_eq!(
        err(input(vec![line(i64::MAX, 0), line(1, 0)], (0, 0), true)),
        TotalsError::Overflow
    );
    assert_eq!(
        err(input(vec![line(i64::MAX, 10_000)], (0, 0), false)),
        TotalsError::Overflow,
        "the total with tax on top does not fit"
    );
}

#[test]
fn quote_with_the_demo_settings() {
    let s = Settings::demo();
    let stationery = [h("stationery")];
    let apparel = [h("apparel")];
    let notebook = OrderLine {
        amount: 1600,
        collections: &stationery,
    };
    let shirt = OrderLine {
        amount: 4900,
        collections: &apparel,
    };
    // France: the notebook at 5.5 %, the shirt at 20 %, standard shipping €9.95 (under €100).
    let t = quote(&s, &Country::FR, "standard", &[notebook, shirt], None).unwrap();
    assert_eq!(
        (t.lines[0].basis_points, t.lines[0].net, t.lines[0].tax),
        (550, 1517, 83)
    );
    // 49.00 / 1.2 = 40.833… → 40.83 + 8.17; 9.95 / 1.2 = 8.291… → 8.29 + 1.66.
    assert_eq!(
        (t.lines[1].basis_points, t.lines[1].net, t.lines[1].tax),
        (2000, 4083, 817)
    );
    assert_eq!((t.shipping, t.shipping_tax), (995, 166));
    assert_eq!((t.tax, t.total), (1066, 7495));
    assert_eq!(
        t.by_rate(),
        [
            TaxBucket {
                basis_points: 2000,
                net: 4083 + 829,
                tax: 817 + 166
            },
            TaxBucket {
                basis_points: 550,
                net: 1517,
                tax: 83
            },
        ]
    );
    // The same basket to Germany: everything at 19 %, standard shipping free over €50.
    let t = quote(&s, &Country::DE, "standard", &[notebook, shirt], None).unwrap();
    assert_eq!((t.shipping, t.shipping_tax, t.total), (0, 0, 6500));
    assert!(t.lines.iter().all(|l| l.basis_points == 1900));
    // To the US: no tax, untaxed shipping; the gross prices stay.
    let t = quote(&s, &Country::US, "express", &[notebook, shirt], None).unwrap();
    assert_eq!((t.tax, t.shipping, t.total), (0, 4495, 6500 + 4495));
    assert_eq!(
        quote(
            &s,
            &Country::parse("JP").unwrap(),
            "standard",
            &[shirt],
            None
        ),
        Err(TotalsError::NoSuchRate {
            country: Country::parse("JP").unwrap(),
            rate: "standard".into()
        })
    );
    assert!(quote(&s, &Country::DE, "overnight", &[shirt], None).is_err());
}

#[test]
fn free_shipping_counts_the_subtotal_after_the_discount() {
    let s = Settings::demo();
    let home = [h("home")];
    let lines = [
        OrderLine {
            amount: 8900,
            collections: &home,
        },
        OrderLine {
            amount: 1600,
            collections: &home,
        },
    ];
    // €105 to the Netherlands: free standard shipping (over €100)…
    let t = quote(&s, &Country::NL, "standard", &lines, None).unwrap();
    assert_eq!((t.shipping, t.total), (0, 10_500));
    // …but not with €6 off, which leaves €99.
    let six_off: Discount =
        serde_json::from_str(r#"{"code":"SIX","kind":"fixed","value":600}"#).unwrap();
    let t = quote(&s, &Country::NL, "standard", &lines, Some(&six_off)).unwrap();
    assert_eq!((t.shipping, t.total), (995, 10_500 - 600 + 995));
    // Express is never free.
    let t = quote(&s, &Country::NL, "express", &lines, None).unwrap();
    assert_eq!(t.shipping, 2490);
    let rate: &ShippingRate = s.rate(&Country::NL, "standard").unwrap();
    assert_eq!(rate.amount_for(10_000), 0, "at the threshold exactly");
}

#[test]
fn serde_shape() {
    let i = input(vec![line(4900, 1900)], (495, 1900), true);
    let json = serde_json::to_string(&i).unwrap();
    assert_eq!(
        json,
        r#"{"lines":[{"amount":4900,"basis_points":1900}],"shipping":{"amount":495,"basis_points":1900},"prices_include_tax":true}"#
    );
    assert_eq!(serde_json::from_str::<TotalsInput>(&json).unwrap(), i);
    let t = i.compute().unwrap();
    let back: Totals = serde_json::from_str(&serde_json::to_string(&t).unwrap()).unwrap();
    assert_eq!(back, t);
}

/// Up to 11 lines of up to €100M each, any rates, each with its own share of 0 to 100 % of it,
/// shipping, either kind of pricing, and an order discount of 0 to 100 % of what is left.
fn any_input() -> impl Strategy<Value = TotalsInput> {
    (
        proptest::collection::vec((0i64..10_000_000_000, 0u32..=10_000, 0i64..=100), 0..12),
        0i64..100_000_000,
        0u32..=10_000,
        0u32..=100,
        any::<bool>(),
    )
        .prop_map(|(lines, shipping, ship_bp, discount_pct, inclusive)| {
            let lines: Vec<LineInput> = lines
                .into_iter()
                .map(|(a, bp, pct)| LineInput {
                    discount: a / 100 * pct,
                    ..line(a, bp)
                })
                .collect();
            let left: i64 = lines.iter().map(|l| l.amount - l.discount).sum();
            let mut i = input(lines, (shipping, ship_bp), inclusive);
            i.discount = left / 100 * i64::from(discount_pct);
            i
        })
}

proptest! {
    #[test]
    fn the_parts_sum_to_the_total(i in any_input()) {
        let inclusive = i.prices_include_tax;
        let t = i.compute().unwrap();
        let added = if inclusive { 0 } else { t.tax };
        prop_assert_eq!(t.total, t.subtotal - t.discount + t.shipping + added);
        prop_assert_eq!(t.tax, t.lines.iter().map(|l| l.tax).sum::<i64>() + t.shipping_tax);
        prop_assert_eq!(t.discount, t.lines.iter().map(|l| l.discount).sum::<i64>());
        // Net and tax of every part make up what the shopper pays.
        let shipping_net = if inclusive { t.shipping - t.shipping_tax } else { t.shipping };
        let parts: i64 = t.lines.iter().map(LineTax::gross).sum::<i64>() + shipping_net + t.shipping_tax;
        prop_assert_eq!(parts, t.total);
        let buckets = t.by_rate();
        prop_assert_eq!(buckets.iter().map(|b| b.net + b.tax).sum::<i64>(), t.total);
        for (l, input) in t.lines.iter().zip(&i.lines) {
            let paid = input.amount - l.discount;
            prop_assert_eq!(if inclusive { l.net + l.tax } else { l.net }, paid);
        }
    }

    #[test]
    fn nothing_is_negative_and_tax_never_exceeds_its_amount(i in any_input()) {
        let t = i.compute().unwrap();
        for n in [t.subtotal, t.discount, t.shipping, t.tax, t.total, t.shipping_tax] {
            prop_assert!(n >= 0);
        }
        prop_assert!(t.shipping_tax <= t.shipping);
        for (l, input) in t.lines.iter().zip(&i.lines) {
            prop_assert!(l.net >= 0 && l.tax >= 0 && l.discount >= 0);
            prop_assert!(l.discount <= input.amount);
            prop_assert!(l.tax <= input.amount - l.discount);
            // At rates up to 100 %, the tax is never more than the net either.
            prop_assert!(l.tax <= l.net);
            if l.basis_points == 0 {
                prop_assert_eq!(l.tax, 0);
            }
        }
    }

    #[test]
    fn zero_rate_gives_zero_tax(amounts in proptest::collection::vec(0i64..10_000_000_000, 0..12), ship in 0i64..1_000_000, inclusive in any::<bool>()) {
        let i = input(amounts.iter().map(|&a| line(a, 0)).collect(), (ship, 0), inclusive);
        let t = i.compute().unwrap();
        prop_assert_eq!(t.tax, 0);
        prop_assert_eq!(t.total, t.subtotal + t.shipping);
        prop_assert!(t.lines.iter().zip(&amounts).all(|(l, a)| l.net == *a));
    }

    #[test]
    fn changing_one_line_never_changes_another_lines_tax(
        i in any_input(),
        k in any::<proptest::sample::Index>(),
        amount in 0i64..10_000_000_000,
        bp in 0u32..=10_000,
    ) {
        prop_assume!(!i.lines.is_empty());
        let before = TotalsInput { discount: 0, ..i };
        let k = k.index(before.lines.len());
        let mut after = before.clone();
        after.lines[k] = line(amount, bp);
        let (a, b) = (before.compute().unwrap(), after.compute().unwrap());
        for j in (0..a.lines.len()).filter(|&j| j != k) {
            prop_assert_eq!(a.lines[j], b.lines[j]);
        }
        prop_assert_eq!(a.shipping_tax, b.shipping_tax);
    }

    #[test]
    fn inclusive_and_exclusive_agree(net in 0i64..1_000_000_000_000, bp in 0u32..=10_000) {
        // Exclusive pricing of a net amount, then inclusive pricing of the gross it gives,
        // yields back exactly that net and tax.
        let (n, tax) = split(net, bp, false);
        prop_assert_eq!(n, net);
        let gross = net + tax;
        prop_assert_eq!(split(gross, bp, true), (net, tax));
    }

    #[test]
    fn inclusive_then_exclusive_is_within_a_minor_unit(gross in 0i64..1_000_000_000_000, bp in 0u32..=10_000) {
        let (net, tax) = split(gross, bp, true);
        prop_assert_eq!(net + tax, gross);
        let (_, tax_on_top) = split(net, bp, false);
        prop_assert!((net + tax_on_top - gross).abs() <= 1);
    }

    #[test]
    fn each_tax_is_within_half_a_minor_unit_of_exact(amount in 0i64..1_000_000_000_000, bp in 0u32..=10_000) {
        // Exclusive: |tax − net × bp / 10000| ≤ ½, i.e. |tax × 20000 − net × bp × 2| ≤ 10000.
        let tax = i128::from(tax_on_net(amount, bp));
        let (a, b) = (i128::from(amount), i128::from(bp));
        prop_assert!((tax * 20_000 - 2 * a * b).abs() <= 10_000);
        // Inclusive: |net − gross × 10000 / (10000 + bp)| ≤ ½.
        let net = i128::from(net_of_gross(amount, bp));
        prop_assert!((2 * net * (10_000 + b) - 2 * a * 10_000).abs() <= 10_000 + b);
    }

    #[test]
    fn allocation_sums_exactly_and_stays_within_each_line(
        amounts in proptest::collection::vec(0i64..10_000_000_000, 0..12),
        pct in 0u32..=100,
    ) {
        let total: i64 = amounts.iter().sum();
        let discount = total / 100 * i64::from(pct) + i64::from(pct == 100) * (total % 100);
        let shares = allocate(discount, &amounts);
        prop_assert_eq!(shares.len(), amounts.len());
        prop_assert_eq!(shares.iter().sum::<i64>(), discount);
        for (s, a) in shares.iter().zip(&amounts) {
            prop_assert!(*s >= 0 && s <= a);
        }
    }

    #[test]
    fn arbitrary_inputs_never_panic(
        lines in proptest::collection::vec((any::<i64>(), any::<u32>()), 0..4),
        ship in any::<i64>(),
        ship_bp in any::<u32>(),
        discount in any::<i64>(),
        inclusive in any::<bool>(),
    ) {
        let mut i = input(lines.into_iter().map(|(a, bp)| line(a, bp)).collect(), (ship, ship_bp), inclusive);
        i.discount = discount;
        if let Ok(t) = i.compute() {
            prop_assert!(t.total >= 0 && t.tax >= 0);
        }
    }
}
