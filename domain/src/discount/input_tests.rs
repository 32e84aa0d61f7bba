use super::*;
use proptest::prelude::*;

fn body(json: &str) -> DiscountInput {
    serde_json::from_str(json).unwrap()
}

fn valid(json: &str) -> Discount {
    body(json).validate(None).unwrap()
}

/// The field a body is refused for.
fn refused(json: &str) -> &'static str {
    body(json).validate(None).unwrap_err().field
}

#[test]
fn a_full_body_becomes_a_discount() {
    let d = valid(
        r#"{"code":" summer-10 ","kind":"percent","value":1000,"min_subtotal":5000,
            "starts_at":"2025-06-01","ends_at":"2025-09-01T00:00Z","usage_limit":100,
            "once_per_email":true,"collections":["apparel","home","apparel"]}"#,
    );
    assert_eq!(d.code.as_str(), "SUMMER-10");
    assert_eq!((d.kind, d.value), (Kind::Percent, 1000));
    assert_eq!(d.min_subtotal, Some(5000));
    assert_eq!(d.starts_at, Some(1_748_736_000));
    assert_eq!(d.ends_at, Some(1_756_684_800));
    assert_eq!(d.usage_limit, Some(100));
    assert!(d.once_per_email && !d.disabled);
    let handles: Vec<&str> = d.collections.iter().map(Handle::as_str).collect();
    assert_eq!(handles, ["apparel", "home"], "duplicates dropped");
}

#[test]
fn a_minimal_body_has_no_rules() {
    let d = valid(r#"{"code":"FREESHIP","kind":"free_shipping"}"#);
    assert_eq!((d.kind, d.value), (Kind::FreeShipping, 0));
    assert_eq!(
        (d.min_subtotal, d.starts_at, d.ends_at, d.usage_limit),
        (None, None, None, None)
    );
    assert!(d.collections.is_empty() && !d.once_per_email);
    let d = valid(r#"{"code":"FREESHIP","kind":"free_shipping","value":0,"starts_at":1700000000}"#);
    assert_eq!(d.starts_at, Some(1_700_000_000));
    assert_eq!(
        valid(r#"{"code":"FIVER","kind":"fixed","value":500}"#).value,
        500
    );
}

#[test]
fn values_are_checked_by_kind() {
    for (json, field) in [
        (r#"{"code":"P","kind":"percent","value":10}"#, "code"),
        (r#"{"kind":"percent","value":10}"#, "code"),
        (r#"{"code":"PCT","kind":"percent"}"#, "value"),
        (r#"{"code":"PCT","kind":"percent","value":0}"#, "value"),
        (r#"{"code":"PCT","kind":"percent","value":10001}"#, "value"),
        (r#"{"code":"FIX","kind":"fixed","value":0}"#, "value"),
        (r#"{"code":"FIX","kind":"fixed","value":-5}"#, "value"),
        (r#"{"code":"FIX","kind":"fixed"}"#, "value"),
        (
            r#"{"code":"FREE","kind":"free_shipping","value":1}"#,
            "value",
        ),
        (
            r#"{"code":"FIX","kind":"fixed","value":5,"min_subtotal":-1}"#,
            "min_subtotal",
        ),
        (
            r#"{"code":"FIX","kind":"fixed","value":5,"usage_limit":0}"#,
            "usage_limit",
        ),
        (
            r#"{"code":"FIX","kind":"fixed","value":5,"usage_limit":4294967296}"#,
            "usage_limit",
        ),
        (
            r#"{"code":"FIX","kind":"fixed","value":5,"collections":["Home"]}"#,
            "collections",
        ),
        (
            r#"{"code":"FIX","kind":"fixed","value":5,"starts_at":"2025-02-30"}"#,
            "starts_at",
        ),
        (
            r#"{"code":"FIX","kind":"fixed","value":5,"ends_at":-1}"#,
            "ends_at",
        ),
        (
            r#"{"code":"FIX","kind":"fixed","value":5,"starts_at":"2025-06-01","ends_at":"2025-06-01T00:00"}"#,
            "ends_at",
        ),
    ] {
        assert_eq!(refused(json), field, "{json}");
    }
    assert!(valid(r#"{"code":"PCT","kind":"percent","value":10000}"#).value == 10_000);
    let many: Vec<String> = (0..=MAX_COLLECTIONS).map(|i| format!("\"c{i}\"")).collect();
    let json = format!(
        r#"{{"code":"FIX","kind":"fixed","value":5,"collections":[{}]}}"#,
        many.join(",")
    );
    assert_eq!(refused(&json), "collections");
    let json = json.replace(r#""c0","#, "");
    assert_eq!(valid(&json).collections.len(), MAX_COLLECTIONS);
}

#[test]
fn unknown_fields_and_kinds_are_refused() {
    for json in [
        r#"{"code":"FIX","kind":"fixed","value":5,"amount":5}"#,
        r#"{"code":"FIX","kind":"bogus","value":5}"#,
        r#"{"code":"FIX","value":5}"#,
        r#"{"code":"FIX","kind":"fixed","value":5,"starts_at":true}"#,
        r#"{"code":"FIX","kind":"fixed","value":5.5}"#,
    ] {
        assert!(
            serde_json::from_str::<DiscountInput>(json).is_err(),
            "{json}"
        );
    }
}

#[test]
fn a_replacement_names_the_code_of_its_path_or_none() {
    let path = Code::parse("SAVE5").unwrap();
    let put = |json: &str| body(json).validate(Some(&path));
    let d = put(r#"{"kind":"fixed","value":500}"#).unwrap();
    assert_eq!(d.code, path);
    assert_eq!(
        put(r#"{"code":"save5","kind":"fixed","value":500}"#).map(|d| d.code),
        Ok(path.clone())
    );
    let err = put(r#"{"code":"SAVE6","kind":"fixed","value":500}"#).unwrap_err();
    assert_eq!(err.field, "code");
    assert_eq!(err.to_string(), format!("code: {}", err.message));
}

#[test]
fn times_by_hand() {
    assert_eq!(parse_time("1970-01-01"), Some(0));
    assert_eq!(parse_time("1970-01-01T00:00:01Z"), Some(1));
    assert_eq!(parse_time(" 2000-03-01T00:00 "), Some(951_868_800));
    // 2024 is a leap year, 2100 is not, 2000 is.
    assert_eq!(parse_time("2024-02-29T12:30"), Some(1_709_209_800));
    assert_eq!(parse_time("2100-02-29"), None);
    assert!(parse_time("2000-02-29").is_some());
    assert_eq!(parse_time("2025-06-01Z"), parse_time("2025-06-01"));
    assert_eq!(parse_time("9999-12-31T23:59:59Z"), Some(LATEST_TIME));
    for bad in [
        "",
        "2025",
        "2025-6-01",
        "2025-06-1",
        "2025-13-01",
        "2025-00-10",
        "2025-06-00",
        "2025-06-31",
        "2025-06-01T",
        "2025-06-01T24:00",
        "2025-06-01T09:60",
        "2025-06-01T09:30:60",
        "2025-06-01T9:30",
        "2025-06-01T09:30:00:00",
        "2025-06-01T09:30ZZ",
        "2025-06-01 09:30",
        "2025-06-01T09:30+02:00",
        "+025-06-01",
        "2025-06-01-01",
    ] {
        assert_eq!(parse_time(bad), None, "{bad:?}");
    }
    assert_eq!(format_time(0), "1970-01-01T00:00:00Z");
    assert_eq!(format_time(1_709_209_800), "2024-02-29T12:30:00Z");
    assert_eq!(format_time(LATEST_TIME), "9999-12-31T23:59:59Z");
}

proptest! {
    #[test]
    fn formatted_times_read_back(t in 0i64..=LATEST_TIME) {
        let s = format_time(t);
        prop_assert_eq!(s.len(), 20);
        prop_assert_eq!(parse_time(&s), Some(t));
        // Without the Z, and to the minute or the day, too.
        prop_assert_eq!(parse_time(&s[..19]), Some(t));
        prop_assert_eq!(parse_time(&s[..16]), Some(t - t % 60));
        prop_assert_eq!(parse_time(&s[..10]), Some(t - t.rem_euclid(86_400)));
    }

    #[test]
    fn parsed_dates_format_back(y in 1970i64..=9999, m in 1i64..=12, d in 1i64..=31, hh in 0i64..24, mm in 0i64..60, ss in 0i64..60) {
        let s = format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}Z");
        match parse_time(&s) {
            Some(t) => prop_assert_eq!(format_time(t), s),
            None => prop_assert!(d > 28, "only days past a month's end are refused: {}", s),
        }
    }

    #[test]
    fn arbitrary_text_never_panics(s in ".*") {
        let _ = parse_time(&s);
        let _ = Code::parse(&s);
    }

    #[test]
    fn any_time_formats(t in any::<i64>()) {
        let _ = format_time(t);
    }
}
