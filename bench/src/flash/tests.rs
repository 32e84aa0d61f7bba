use super::*;

fn sale(units: u32, shoppers: u32) -> Sale<'static> {
    Sale {
        base: "http://127.0.0.1:1",
        token: "t",
        sku: SALE_SKUS[0],
        units,
        shoppers,
        concurrency: 20,
        buckets: 4,
    }
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn answers_are_told_apart_by_status_and_code() {
    assert_eq!(classify(201, r#"{"order_id":"ord_1"}"#), Answer::Created);
    let oos = r#"{"error":"out_of_stock","sku":"X","available":0}"#;
    assert_eq!(classify(409, oos), Answer::OutOfStock);
    let conflict = r#"{"error":"checkout_conflict"}"#;
    assert_eq!(classify(409, conflict), Answer::Other(409, conflict.into()));
    assert_eq!(classify(502, "bad"), Answer::Other(502, "bad".into()));
    assert_eq!(
        classify(409, "not json"),
        Answer::Other(409, "not json".into())
    );
}

#[test]
fn percentiles_are_nearest_rank() {
    // 1..=100 ms, shuffled: p50 is the 50th value, p99 the 99th.
    let answers = (1..=100)
        .map(|i| (Answer::Created, ms((i * 37) % 100 + 1)))
        .collect();
    let r = tally(&sale(100, 100), answers, ms(1000), 0, vec![]);
    assert_eq!((r.p50_ms, r.p99_ms), (50.0, 99.0));
    // Three values: p50 the 2nd, p99 the 3rd.
    let answers = [30, 10, 20].map(|v| (Answer::OutOfStock, ms(v))).to_vec();
    let r = tally(&sale(0, 3), answers, ms(100), 0, vec![]);
    assert_eq!((r.p50_ms, r.p99_ms), (20.0, 30.0));
    let r = tally(&sale(0, 0), vec![], Duration::ZERO, 0, vec![]);
    assert_eq!((r.p50_ms, r.p99_ms, r.checkouts_per_s), (0.0, 0.0, 0.0));
}

#[test]
fn a_sale_is_counted_by_answer_and_rated_over_its_wall_time() {
    let mut answers = vec![(Answer::Created, ms(5)); 3];
    answers.extend(vec![(Answer::OutOfStock, ms(2)); 5]);
    answers.push((Answer::Other(502, "gateway".into()), ms(9)));
    answers.push((Answer::Other(0, "reset".into()), ms(9)));
    answers.push((Answer::Other(502, "again".into()), ms(9)));
    let r = tally(&sale(3, 11), answers, ms(2000), 1, vec![]);
    assert_eq!((r.created, r.out_of_stock), (3, 5));
    assert_eq!(r.other, BTreeMap::from([(0, 1), (502, 2)]));
    assert_eq!(r.first_other.as_deref(), Some("status 502: gateway"));
    assert_eq!((r.reservations_per_s, r.checkouts_per_s), (1.5, 5.5));
    assert_eq!((r.wall_ms, r.available_after, r.buckets), (2000.0, 1, 4));
    assert_eq!(others_text(&r.other), "no answer ×1, 502 ×2");
    assert_eq!(others_text(&BTreeMap::new()), "none");
}

#[test]
fn an_exact_sale_passes_the_check() {
    let mut r = result_fixture(8);
    assert_eq!(check(&r), Ok(()));
    // Fewer shoppers than units: everyone gets one and stock is left, which is not a sell-out.
    (r.shoppers, r.created, r.out_of_stock, r.available_after) = (200, 200, 0, 100);
    let e = check(&r).unwrap_err();
    assert!(e.contains("200 checkouts"), "{e}");
}

#[test]
fn the_check_names_what_was_off() {
    let r = FlashResult {
        created: 301,
        out_of_stock: 698,
        other: BTreeMap::from([(500, 1)]),
        first_other: Some("status 500: internal".into()),
        available_after: 2,
        ..result_fixture(8)
    };
    let e = check(&r).unwrap_err();
    assert_eq!(
        e,
        "flash sale of 300 units to 1000 shoppers with K = 8 was not exact: 301 checkouts \
         reserved stock, not 300; 698 were refused out_of_stock, not 700; other answers: \
         500 ×1 (first: status 500: internal); 2 still available after, not 0"
    );
    let left = FlashResult {
        available_after: 1,
        ..result_fixture(1)
    };
    assert!(check(&left)
        .unwrap_err()
        .ends_with(": 1 still available after, not 0"));
}

#[test]
fn stock_answers_are_read_with_or_without_buckets() {
    let whole = json!({ "sku": "X", "on_hand": 300, "reserved": 300, "available": 0 });
    let c = Counters {
        on_hand: 300,
        reserved: 300,
        available: 0,
    };
    assert_eq!(parse_stock(&whole), Some((c, vec![])));
    let split = json!({
        "sku": "X", "on_hand": 300, "reserved": 300, "available": 0,
        "buckets": [
            { "bucket": 0, "on_hand": 150, "reserved": 150, "available": 0 },
            { "bucket": 1, "on_hand": 150, "reserved": 150, "available": 0 },
        ],
    });
    let half = Counters {
        on_hand: 150,
        reserved: 150,
        available: 0,
    };
    assert_eq!(parse_stock(&split), Some((c, vec![half, half])));
    let broken = json!({ "on_hand": 3, "reserved": 0, "available": 3, "buckets": [{}] });
    assert_eq!(parse_stock(&broken), None);
    assert_eq!(parse_stock(&json!({ "on_hand": 3 })), None);
}
