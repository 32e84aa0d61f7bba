//! Codes through [`totals::quote`]: what the shopper pays with each kind.

use super::tests::code;
use super::*;
use crate::settings::{Country, Settings};
use crate::totals::{quote, OrderLine};
use proptest::prelude::*;

fn h(s: &str) -> Handle {
    Handle::parse(s).unwrap()
}

#[test]
fn each_kind_through_the_totals() {
    let s = Settings::demo();
    let (home, stationery) = ([h("home")], [h("stationery")]);
    // A €89 throw and a €16 notebook to France: 20 % and 5.5 %, standard shipping €9.95 under €100.
    let order = [
        OrderLine {
            amount: 8900,
            collections: &home,
        },
        OrderLine {
            amount: 1600,
            collections: &stationery,
        },
    ];
    let fr = Country::FR;
    let t = quote(
        &s,
        &fr,
        "standard",
        &order,
        Some(&code(Kind::Percent, 1250, &[])),
    )
    .unwrap();
    // 12.5 % of €89 = €11.125 → €11.13; of €16 = €2.00. €91.87 left: shipping is charged.
    assert_eq!((t.lines[0].discount, t.lines[1].discount), (1113, 200));
    assert_eq!((t.discount, t.shipping), (1313, 995));
    assert_eq!(t.total, 10_500 - 1313 + 995);
    // 77.87 / 1.2 = 64.891… → 64.89 + 12.98.
    assert_eq!((t.lines[0].net, t.lines[0].tax), (6489, 1298));
    // Home goods only: the notebook is left alone.
    let home_only = code(Kind::Fixed, 5000, &["home"]);
    let t = quote(&s, &fr, "standard", &order, Some(&home_only)).unwrap();
    assert_eq!((t.lines[0].discount, t.lines[1].discount), (5000, 0));
    assert_eq!(t.total, 10_500 - 5000 + 995);
    // Free shipping: the €105 was free of standard shipping already; express is waived too.
    let free = code(Kind::FreeShipping, 0, &[]);
    let t = quote(&s, &fr, "express", &order, Some(&free)).unwrap();
    assert_eq!(
        (t.discount, t.shipping, t.shipping_tax, t.total),
        (0, 0, 0, 10_500)
    );
    let t = quote(
        &s,
        &fr,
        "express",
        &order,
        Some(&code(Kind::FreeShipping, 0, &["outdoor"])),
    );
    assert_eq!(
        t.unwrap().shipping,
        2490,
        "no outdoor goods: shipping charged"
    );
}

fn any_order() -> impl Strategy<Value = Vec<(i64, Vec<Handle>)>> {
    let handles = ["home", "apparel", "stationery"];
    proptest::collection::vec(
        (
            0i64..1_000_000,
            proptest::sample::subsequence(handles.to_vec(), 0..=2),
        ),
        0..8,
    )
    .prop_map(|ls| {
        ls.into_iter()
            .map(|(a, cs)| (a, cs.into_iter().map(h).collect()))
            .collect()
    })
}

fn any_code() -> impl Strategy<Value = Option<Discount>> {
    let kind = prop_oneof![
        (1i64..=10_000).prop_map(|v| (Kind::Percent, v)),
        (1i64..2_000_000).prop_map(|v| (Kind::Fixed, v)),
        Just((Kind::FreeShipping, 0)),
    ];
    proptest::option::weighted(
        0.9,
        (
            kind,
            proptest::sample::subsequence(vec!["home", "apparel", "stationery"], 0..=2),
        )
            .prop_map(|((kind, value), cs)| code(kind, value, &cs)),
    )
}

fn any_destination() -> impl Strategy<Value = (Country, &'static str)> {
    (
        proptest::sample::select(vec![Country::DE, Country::FR, Country::NL, Country::US]),
        proptest::sample::select(vec!["standard", "express"]),
    )
}

proptest! {
    #[test]
    fn a_code_never_takes_more_than_it_applies_to(
        order in any_order(),
        d in any_code(),
        (country, rate) in any_destination(),
        inclusive in any::<bool>(),
    ) {
        let mut s = Settings::demo();
        s.tax.prices_include_tax = inclusive;
        let lines: Vec<OrderLine<'_>> = order
            .iter()
            .map(|(amount, cs)| OrderLine { amount: *amount, collections: cs })
            .collect();
        let t = quote(&s, &country, rate, &lines, d.as_ref()).unwrap();
        let added = if inclusive { 0 } else { t.tax };
        prop_assert_eq!(t.total, t.subtotal - t.discount + t.shipping + added);
        prop_assert_eq!(t.discount, t.lines.iter().map(|l| l.discount).sum::<i64>());
        let mut eligible = 0;
        for (l, o) in t.lines.iter().zip(&lines) {
            prop_assert!(l.discount >= 0 && l.discount <= o.amount);
            let applies = d.as_ref().is_some_and(|d| d.applies_to(o.collections));
            if applies {
                eligible += o.amount;
            }
            match &d {
                Some(d) if applies && d.kind == Kind::Percent => {
                    let bp = u32::try_from(d.value).unwrap();
                    prop_assert_eq!(l.discount, totals::tax_on_net(o.amount, bp));
                }
                _ if !applies => prop_assert_eq!(l.discount, 0),
                _ => {}
            }
        }
        prop_assert!(t.discount <= eligible);
        let standard = s.rate(&country, rate).unwrap();
        let waived = d.as_ref().is_some_and(|d| {
            d.kind == Kind::FreeShipping && lines.iter().any(|l| d.applies_to(l.collections))
        });
        if waived {
            prop_assert_eq!((t.shipping, t.discount), (0, 0));
        } else {
            prop_assert_eq!(t.shipping, standard.amount_for(t.subtotal - t.discount));
        }
    }
}
