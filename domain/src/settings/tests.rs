use super::*;
use proptest::prelude::*;

fn h(s: &str) -> Handle {
    Handle::parse(s).unwrap()
}

fn c(s: &str) -> Country {
    Country::parse(s).unwrap()
}

/// The demo catalog's collection handles.
fn demo_collections() -> Vec<Handle> {
    ["apparel", "home", "outdoor", "stationery"]
        .into_iter()
        .map(h)
        .collect()
}

fn paths(settings: &Settings) -> Vec<String> {
    match settings.validate(&demo_collections()) {
        Ok(()) => vec![],
        Err(problems) => problems.into_iter().map(|p| p.path).collect(),
    }
}

#[test]
fn demo_settings_are_valid_against_the_demo_catalog() {
    let settings = Settings::from_json(DEMO_JSON, &demo_collections())
        .unwrap_or_else(|p| panic!("demo settings invalid: {p:#?}"));
    assert_eq!(settings, Settings::demo());
    assert!(settings.tax.prices_include_tax);
    assert_eq!(settings.tax.default_country, Country::DE);
    for country in [
        Country::DE,
        Country::FR,
        Country::NL,
        Country::GB,
        Country::US,
    ] {
        let rates = settings.rates_for(&country);
        assert_eq!(rates.len(), 2, "{country}");
        assert!(settings.rate(&country, "standard").is_some(), "{country}");
        assert!(settings.rate(&country, "express").is_some(), "{country}");
    }
    assert!(settings.countries().any(|c| *c == Country::NL));
    // And against the catalog file itself.
    let catalog = crate::Catalog::from_json(include_str!("../../../catalog/demo.json")).unwrap();
    let handles: Vec<Handle> = catalog
        .collections
        .iter()
        .map(|c| c.handle.clone())
        .collect();
    assert_eq!(settings.validate(&handles), Ok(()));
}

#[test]
fn demo_tax_rates() {
    let s = Settings::demo();
    let none: &[Handle] = &[];
    assert_eq!(s.tax_rate_for(&Country::DE, none), 1900);
    assert_eq!(s.tax_rate_for(&Country::FR, none), 2000);
    assert_eq!(s.tax_rate_for(&Country::NL, none), 2100);
    assert_eq!(s.tax_rate_for(&Country::GB, none), 2000);
    assert_eq!(s.tax_rate_for(&Country::US, none), 0);
    assert_eq!(s.tax_rate_for(&Country::FR, &[h("stationery")]), 550);
    assert_eq!(s.tax_rate_for(&Country::DE, &[h("stationery")]), 1900);
    assert_eq!(s.shipping_basis_points(&Country::DE), 1900);
    assert_eq!(
        s.shipping_basis_points(&Country::US),
        0,
        "shipping_taxed false"
    );
    assert_eq!(s.shipping_basis_points(&c("JP")), 0, "no tax rate");
}

#[test]
fn the_lowest_override_among_a_lines_collections_wins() {
    let mut s = Settings::demo();
    let fr = s
        .tax
        .rates
        .iter_mut()
        .find(|r| r.country == Country::FR)
        .unwrap();
    fr.collections.insert(h("home"), 1000);
    fr.collections.insert(h("outdoor"), 2500);
    assert_eq!(
        s.tax_rate_for(&Country::FR, &[h("home"), h("stationery")]),
        550
    );
    assert_eq!(
        s.tax_rate_for(&Country::FR, &[h("outdoor"), h("home")]),
        1000
    );
    // An override applies even when above the standard rate, if it is the only one that matches.
    assert_eq!(
        s.tax_rate_for(&Country::FR, &[h("outdoor"), h("apparel")]),
        2500
    );
    assert_eq!(s.tax_rate_for(&Country::FR, &[h("apparel")]), 2000);
    assert_eq!(s.tax_rate_for(&c("JP"), &[h("home")]), 0, "no tax there");
}

#[test]
fn lookups_by_country() {
    let s = Settings::demo();
    assert_eq!(
        s.zone_for(&Country::FR).map(|z| z.name.as_str()),
        Some("European Union")
    );
    assert!(s.zone_for(&c("JP")).is_none());
    assert!(!s.ships_to(&c("JP")));
    assert!(s.rates_for(&c("JP")).is_empty());
    assert!(s.rate(&Country::DE, "overnight").is_none());
    assert_eq!(
        s.rate(&Country::GB, "express").map(|r| r.amount),
        Some(2995)
    );
    assert!(s.cheapest_rate(&c("JP"), 1000).is_none());
}

#[test]
fn free_shipping_from_free_over() {
    let s = Settings::demo();
    let standard = s.rate(&Country::DE, "standard").unwrap();
    assert_eq!(standard.free_over, Some(5000));
    assert_eq!(standard.amount_for(4999), 495);
    assert_eq!(standard.amount_for(5000), 0, "at the threshold it is free");
    assert_eq!(standard.amount_for(12_000), 0);
    let express = s.rate(&Country::DE, "express").unwrap();
    assert_eq!(
        express.amount_for(1_000_000),
        1290,
        "no free_over: never free"
    );
}

#[test]
fn cheapest_rate_depends_on_the_subtotal_and_prefers_the_first() {
    let mut s = Settings::demo();
    assert_eq!(s.cheapest_rate(&Country::DE, 1000).unwrap().id, "standard");
    assert_eq!(s.cheapest_rate(&Country::DE, 9000).unwrap().id, "standard");
    let zone = &mut s.shipping[0];
    zone.rates[0].free_over = None;
    zone.rates[0].amount = 1290;
    assert_eq!(
        s.cheapest_rate(&Country::DE, 0).unwrap().id,
        "standard",
        "equal amounts: the first listed"
    );
    s.shipping[0].rates[1].free_over = Some(3000);
    assert_eq!(s.cheapest_rate(&Country::DE, 3000).unwrap().id, "express");
}

#[test]
fn every_problem_is_reported_with_its_path() {
    let mut s = Settings::demo();
    s.shipping[0].name = "  ".into();
    s.shipping[0].rates[1].id = "standard".into();
    s.shipping[1].rates[0].id = "Standard!".into();
    s.shipping[1].rates[0].amount = -1;
    s.shipping[1].rates[1].free_over = Some(0);
    s.shipping[1].rates[1].delivery = Some(String::new());
    s.shipping[2].countries.push(Country::FR);
    s.shipping[3].countries.push(c("XX"));
    s.shipping[3].rates[0].name = "x".repeat(limits::NAME + 1);
    s.tax.rates[2].country = Country::DE;
    s.tax.rates[3].basis_points = 10_001;
    s.tax.rates[3].collections.insert(h("books"), 550);
    s.tax.rates[4].collections.insert(h("home"), 20_000);
    assert_eq!(
        paths(&s),
        [
            "shipping[0].name",
            "shipping[0].rates[1].id",
            "shipping[1].rates[0].id",
            "shipping[1].rates[0].amount",
            "shipping[1].rates[1].free_over",
            "shipping[1].rates[1].delivery",
            "shipping[2].countries[1]",
            "shipping[3].countries[1]",
            "shipping[3].rates[0].name",
            "tax.rates[2].country",
            "tax.rates[3].basis_points",
            "tax.rates[3].collections.books",
            "tax.rates[4].collections.home",
        ]
    );
    let problems = s.validate(&demo_collections()).unwrap_err();
    assert!(
        problems[6].message.contains("already in zone shipping[1]"),
        "{problems:#?}"
    );
    assert!(problems[12].message.contains("10000"), "{problems:#?}");
}

#[test]
fn zones_need_countries_and_rates_and_the_default_country_must_be_shipped_to() {
    let mut s = Settings::demo();
    s.shipping[1].countries.clear();
    s.shipping[2].rates.clear();
    s.shipping[3].countries.push(Country::US);
    s.tax.default_country = c("JP");
    assert_eq!(
        paths(&s),
        [
            "shipping[1].countries",
            "shipping[2].rates",
            "shipping[3].countries[1]",
            "tax.default_country",
        ]
    );
    s.shipping.clear();
    s.tax.default_country = Country::DE;
    assert_eq!(paths(&s), ["tax.default_country"], "ships nowhere");
}

#[test]
fn rate_ids() {
    for good in ["standard", "express-24h", "dhl_paket", "x", &"a".repeat(32)] {
        assert!(ShippingRate::valid_id(good), "{good:?}");
    }
    for bad in ["", "Standard", "a b", "é", "a/b", &"a".repeat(33)] {
        assert!(!ShippingRate::valid_id(bad), "{bad:?}");
    }
}

#[test]
fn countries() {
    assert_eq!(Country::parse("DE"), Ok(Country::DE));
    assert_eq!(Country::DE.to_string(), "DE");
    for bad in ["de", "D", "DEU", "", "D1", "ÄB", " DE"] {
        assert!(Country::parse(bad).is_err(), "{bad:?}");
    }
    assert!(Country::DE.is_assigned());
    assert!(c("XK").is_assigned());
    assert!(!c("XX").is_assigned());
    assert!(!c("UK").is_assigned(), "the United Kingdom is GB");
    let all: Vec<Country> = Country::all().collect();
    assert_eq!(all.len(), 250, "249 assigned codes and XK");
    assert!(all.windows(2).all(|w| w[0] < w[1]), "sorted, no duplicates");
}

#[test]
fn serde_shape() {
    let s = Settings::demo();
    let json = serde_json::to_value(&s).unwrap();
    // Defaults are left out: no `shipping_taxed: true`, no empty `collections`, no `free_over: null`.
    assert_eq!(
        json["tax"]["rates"][0],
        serde_json::json!({"country": "DE", "basis_points": 1900})
    );
    assert_eq!(
        json["tax"]["rates"][7],
        serde_json::json!({"country": "US", "basis_points": 0, "shipping_taxed": false})
    );
    assert!(json["shipping"][0]["rates"][1].get("free_over").is_none());
    let back: Settings = serde_json::from_value(json).unwrap();
    assert_eq!(back, s);
}

#[test]
fn bad_files_are_rejected_with_a_location() {
    let collections = demo_collections();
    let unknown = DEMO_JSON.replacen("\"shipping\"", "\"extra\": 1, \"shipping\"", 1);
    let err = Settings::from_json(&unknown, &collections).unwrap_err();
    assert!(err[0].message.contains("unknown field `extra`"), "{err:?}");
    let lower = DEMO_JSON.replacen("\"DE\"", "\"de\"", 1);
    let err = Settings::from_json(&lower, &collections).unwrap_err();
    assert!(err[0].message.contains("two capital letters"), "{err:?}");
    assert!(err[0].path.starts_with("line "), "{err:?}");
    let float = DEMO_JSON.replacen("495", "4.95", 1);
    assert!(
        Settings::from_json(&float, &collections).is_err(),
        "no floats"
    );
    let negative_bp = DEMO_JSON.replacen("1900", "-1", 1);
    assert!(Settings::from_json(&negative_bp, &collections).is_err());
    let minimal = r#"{"tax": {"prices_include_tax": false, "default_country": "US"},
        "shipping": [{"name": "US", "countries": ["US"],
                      "rates": [{"id": "std", "name": "Standard", "amount": 0}]}]}"#;
    let s = Settings::from_json(minimal, &[]).unwrap();
    assert!(s.tax.rates.is_empty());
    assert_eq!(s.tax_rate_for(&Country::US, &[]), 0);
}

proptest! {
    #[test]
    fn tax_rate_for_is_an_override_or_the_standard_rate(
        standard in 0u32..=10_000,
        overrides in proptest::collection::btree_map("[a-d]", 0u32..=10_000, 0..4),
        line in proptest::collection::vec("[a-f]", 0..4),
    ) {
        let mut s = Settings::demo();
        s.tax.rates[0].basis_points = standard;
        s.tax.rates[0].collections = overrides.iter().map(|(k, v)| (h(k), *v)).collect();
        let line: Vec<Handle> = line.iter().map(|x| h(x)).collect();
        let got = s.tax_rate_for(&Country::DE, &line);
        let matching: Vec<u32> = line.iter().filter_map(|x| overrides.get(x.as_str()).copied()).collect();
        match matching.iter().min() {
            Some(lowest) => prop_assert_eq!(got, *lowest),
            None => prop_assert_eq!(got, standard),
        }
    }

    #[test]
    fn free_over_is_a_threshold(amount in 0i64..100_000, threshold in 1i64..100_000, subtotal in 0i64..200_000) {
        let rate = ShippingRate {
            id: "standard".into(),
            name: "Standard".into(),
            amount,
            free_over: Some(threshold),
            delivery: None,
        };
        let expected = if subtotal >= threshold { 0 } else { amount };
        prop_assert_eq!(rate.amount_for(subtotal), expected);
    }

    #[test]
    fn arbitrary_country_strings_never_panic(s in ".{0,4}") {
        if let Ok(country) = Country::parse(&s) {
            prop_assert_eq!(country.code(), s.as_str());
            let _ = country.is_assigned();
        }
    }
}
