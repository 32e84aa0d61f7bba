use super::*;
use proptest::prelude::*;

fn h(s: &str) -> Handle {
    Handle::parse(s).unwrap()
}

/// A code of `kind` and `value` for `collections` (empty: every line), with no other rule.
pub(super) fn code(kind: Kind, value: i64, collections: &[&str]) -> Discount {
    Discount {
        code: Code::parse("TEST").unwrap(),
        kind,
        value,
        min_subtotal: None,
        starts_at: None,
        ends_at: None,
        usage_limit: None,
        once_per_email: false,
        collections: collections.iter().map(|c| h(c)).collect(),
        disabled: false,
    }
}

fn lines<'a>(amounts: &[(i64, &'a [Handle])]) -> Vec<DiscountLine<'a>> {
    amounts
        .iter()
        .map(|&(amount, collections)| DiscountLine {
            amount,
            collections,
        })
        .collect()
}

#[test]
fn codes_are_trimmed_upper_case_and_bounded() {
    for (given, read) in [
        ("SUMMER-10", "SUMMER-10"),
        ("  summer_10\n", "SUMMER_10"),
        ("abc", "ABC"),
        (&"x".repeat(32), &"X".repeat(32)),
    ] {
        assert_eq!(
            Code::parse(given).map(|c| c.to_string()),
            Ok(read.to_owned())
        );
    }
    for bad in [
        "",
        "ab",
        " ab ",
        "a b c",
        "SUMMER!",
        "ÉTÉ-10",
        &"x".repeat(33),
    ] {
        assert_eq!(Code::parse(bad), Err(CodeError), "{bad:?}");
    }
    assert_eq!(
        serde_json::from_str::<Code>("\" save5 \"")
            .unwrap()
            .as_str(),
        "SAVE5"
    );
    assert!(serde_json::from_str::<Code>("\"no\"").is_err());
    assert_eq!(
        serde_json::to_string(&Code::parse("save5").unwrap()).unwrap(),
        "\"SAVE5\""
    );
}

#[test]
fn a_discount_serialises_only_what_it_sets() {
    let mut d = code(Kind::FreeShipping, 0, &[]);
    assert_eq!(
        serde_json::to_string(&d).unwrap(),
        r#"{"code":"TEST","kind":"free_shipping","value":0}"#
    );
    d.kind = Kind::Percent;
    d.value = 1000;
    d.min_subtotal = Some(5000);
    d.usage_limit = Some(3);
    d.once_per_email = true;
    d.collections = vec![h("home")];
    d.disabled = true;
    let json = serde_json::to_string(&d).unwrap();
    assert_eq!(
        json,
        r#"{"code":"TEST","kind":"percent","value":1000,"min_subtotal":5000,"usage_limit":3,"once_per_email":true,"collections":["home"],"disabled":true}"#
    );
    assert_eq!(serde_json::from_str::<Discount>(&json).unwrap(), d);
}

#[test]
fn active_from_start_until_before_the_end_unless_disabled() {
    let mut d = code(Kind::Fixed, 500, &[]);
    assert!(d.is_active(0));
    d.starts_at = Some(100);
    d.ends_at = Some(200);
    assert!(!d.is_active(99));
    assert!(d.is_active(100));
    assert!(d.is_active(199));
    assert!(!d.is_active(200));
    d.disabled = true;
    assert!(!d.is_active(150));
}

#[test]
fn refusals_have_fixed_codes_and_messages() {
    let all = [
        Refusal::Unknown,
        Refusal::NotActive,
        Refusal::BelowMinimum { minimum: 5000 },
        Refusal::Exhausted,
        Refusal::AlreadyUsed,
    ];
    let codes: Vec<&str> = all.iter().map(Refusal::code).collect();
    assert_eq!(
        codes,
        [
            "unknown_code",
            "code_not_active",
            "below_minimum",
            "code_exhausted",
            "code_already_used"
        ]
    );
    for r in all {
        assert_eq!(r.to_string(), r.message());
        let json = serde_json::to_value(r).unwrap();
        assert_eq!(json["code"], r.code());
        assert_eq!(serde_json::from_value::<Refusal>(json).unwrap(), r);
    }
    assert_eq!(
        serde_json::to_string(&Refusal::BelowMinimum { minimum: 5000 }).unwrap(),
        r#"{"code":"below_minimum","minimum":5000}"#
    );
    assert_eq!(
        Refusal::BelowMinimum { minimum: 5000 }.message_in(Currency::EUR),
        "This code needs an order of at least €50.00."
    );
    assert_eq!(
        Refusal::Exhausted.message_in(Currency::EUR),
        Refusal::Exhausted.message()
    );
}

#[test]
fn a_percentage_is_rounded_per_line_like_tax() {
    let none: &[Handle] = &[];
    // 15 % of €0.10 = 1.5 → 2, twice: 4 cents, where 15 % of the €0.20 together would be 3.
    let d = code(Kind::Percent, 1500, &[]);
    assert_eq!(shares(&d, &lines(&[(10, none), (10, none)])), [2, 2]);
    // 10 % of €49.00 and €19.99: €4.90 and €2.00 (1.999 → 2.00).
    let d = code(Kind::Percent, 1000, &[]);
    assert_eq!(
        shares(&d, &lines(&[(4900, none), (1999, none)])),
        [490, 200]
    );
    // 100 % takes each line whole.
    let d = code(Kind::Percent, 10_000, &[]);
    assert_eq!(shares(&d, &lines(&[(4900, none), (1, none)])), [4900, 1]);
}

#[test]
fn a_fixed_amount_is_capped_at_the_goods_and_spread() {
    let none: &[Handle] = &[];
    let d = code(Kind::Fixed, 1000, &[]);
    // €10 over €49 and €32: 6.049… and 3.950… → €6.05 and €3.95.
    assert_eq!(
        shares(&d, &lines(&[(4900, none), (3200, none)])),
        [605, 395]
    );
    // €10 off €3 + €2 takes €5.
    assert_eq!(shares(&d, &lines(&[(300, none), (200, none)])), [300, 200]);
    assert!(shares(&d, &[]).is_empty());
}

#[test]
fn collections_restrict_the_lines() {
    let (home, apparel, both) = ([h("home")], [h("apparel")], [h("apparel"), h("home")]);
    let order = lines(&[(4900, &apparel), (1600, &home), (3900, &both)]);
    let d = code(Kind::Percent, 1000, &["home"]);
    assert_eq!(shares(&d, &order), [0, 160, 390]);
    // €100 off home goods: capped at the €16 + €39 of them.
    let d = code(Kind::Fixed, 10_000, &["home"]);
    assert_eq!(shares(&d, &order), [0, 1600, 3900]);
    let d = code(Kind::Fixed, 1000, &["home", "outdoor"]);
    assert_eq!(shares(&d, &order), [0, 291, 709]);
    let d = code(Kind::FreeShipping, 0, &["home"]);
    assert_eq!(shares(&d, &order), [0, 0, 0]);
    assert!(d.waives_shipping(&order));
    assert!(
        !d.waives_shipping(&order[..1]),
        "no home goods: no free shipping"
    );
    assert!(!d.waives_shipping(&[]));
    assert!(!code(Kind::Percent, 1000, &[]).waives_shipping(&order));
}

#[test]
fn stored_values_out_of_range_are_clamped() {
    let none: &[Handle] = &[];
    let order = lines(&[(100, none), (-5, none)]);
    assert_eq!(shares(&code(Kind::Percent, 20_000, &[]), &order), [100, 0]);
    assert_eq!(shares(&code(Kind::Percent, -1, &[]), &order), [0, 0]);
    assert_eq!(shares(&code(Kind::Fixed, -100, &[]), &order), [0, 0]);
    assert_eq!(shares(&code(Kind::Fixed, i64::MAX, &[]), &order), [100, 0]);
}

#[test]
fn emails_compare_trimmed_and_lower_case() {
    assert_eq!(normalise_email("  Ann@Example.COM \n"), "ann@example.com");
}

/// Up to 11 lines of up to €100M, each in some of three collections.
fn any_lines() -> impl Strategy<Value = Vec<(i64, Vec<Handle>)>> {
    let handles = ["home", "apparel", "outdoor"];
    proptest::collection::vec(
        (
            0i64..10_000_000_000,
            proptest::sample::subsequence(handles.to_vec(), 0..=3),
        ),
        0..12,
    )
    .prop_map(|ls| {
        ls.into_iter()
            .map(|(a, cs)| (a, cs.into_iter().map(h).collect()))
            .collect()
    })
}

fn any_discount() -> impl Strategy<Value = Discount> {
    (
        prop_oneof![
            (1i64..=10_000).prop_map(|v| (Kind::Percent, v)),
            (1i64..20_000_000_000).prop_map(|v| (Kind::Fixed, v)),
            Just((Kind::FreeShipping, 0)),
        ],
        proptest::sample::subsequence(vec!["home", "apparel", "outdoor"], 0..=2),
    )
        .prop_map(|((kind, value), cs)| code(kind, value, &cs))
}

proptest! {
    #[test]
    fn shares_stay_within_their_lines_and_the_eligible_goods(
        d in any_discount(),
        ls in any_lines(),
    ) {
        let order: Vec<DiscountLine<'_>> = ls
            .iter()
            .map(|(amount, cs)| DiscountLine { amount: *amount, collections: cs })
            .collect();
        let s = shares(&d, &order);
        prop_assert_eq!(s.len(), order.len());
        let mut eligible = 0i64;
        for (share, l) in s.iter().zip(&order) {
            prop_assert!(*share >= 0 && *share <= l.amount);
            if d.applies_to(l.collections) {
                eligible += l.amount;
                if d.kind == Kind::Percent {
                    let bp = u32::try_from(d.value).unwrap();
                    prop_assert_eq!(*share, totals::tax_on_net(l.amount, bp));
                }
            } else {
                prop_assert_eq!(*share, 0);
            }
        }
        let sum: i64 = s.iter().sum();
        prop_assert!(sum <= eligible);
        match d.kind {
            Kind::Fixed => prop_assert_eq!(sum, d.value.min(eligible)),
            Kind::FreeShipping => prop_assert_eq!(sum, 0),
            Kind::Percent => {}
        }
    }
}
