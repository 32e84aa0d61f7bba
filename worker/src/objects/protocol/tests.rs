use super::*;
use domain::inventory::{Committed, HoldLine, Reservation, Stock};
use domain::Sku;
use serde::de::DeserializeOwned;
use serde_json::json;

/// `cmd` travels as its object's request and comes back as the same command; `reply` comes
/// back as itself.
fn round_trip<C>(cmd: C, reply: C::Reply) -> serde_json::Value
where
    C: Command + PartialEq + std::fmt::Debug + Clone2,
    C::Request: std::fmt::Debug,
    C::Reply: PartialEq + std::fmt::Debug,
{
    let copy = cmd.clone2();
    let wire = serde_json::to_value(C::Request::from(cmd)).expect("request");
    let back: C::Request = serde_json::from_value(wire.clone()).expect("request back");
    assert_eq!(
        serde_json::to_value(back).expect("again"),
        serde_json::to_value(C::Request::from(copy)).expect("again")
    );
    let text = serde_json::to_string(&reply).expect("reply");
    assert_eq!(from::<C::Reply>(&text), reply, "{text}");
    wire
}

fn from<T: DeserializeOwned>(text: &str) -> T {
    serde_json::from_str(text).expect("decodes")
}

/// Commands are moved into requests; the tests keep a copy through JSON.
trait Clone2 {
    fn clone2(&self) -> Self;
}
impl<T: Serialize + DeserializeOwned> Clone2 for T {
    fn clone2(&self) -> Self {
        from(&serde_json::to_string(self).expect("json"))
    }
}

fn sku(s: &str) -> Sku {
    Sku::parse(s).expect("sku")
}

fn order() -> Order {
    from(
        &json!({
            "id": "ord_0123456789abcdef0123456789abcdef",
            "status": "awaiting_payment",
            "cart_id": "c",
            "email": "a@example.com",
            "currency": "EUR",
            "lines": [],
            "total": 1200,
            "created_at": 1_790_000_000,
            "updated_at": 1_790_000_000,
            "session_id": null,
            "payment_url": null,
        })
        .to_string(),
    )
}

#[test]
fn cart_commands_round_trip_with_their_replies() {
    round_trip(GetCart, Cart::default());
    let add = ApplyToCart {
        command: CartCommand::Add {
            sku: sku("MUG-1"),
            quantity: 2,
            available: Some(5),
        },
    };
    round_trip(add, Err(CartError::NotInCart { sku: sku("MUG-1") }));
}

#[test]
fn order_commands_round_trip_with_their_replies() {
    let o = order();
    let wire = round_trip(
        CreateOrder {
            order: Box::new(o.clone()),
        },
        (o.clone(), Transition::Changed),
    );
    assert!(wire.get("create").is_some(), "{wire}");
    round_trip(GetOrder, Some(o.clone()));
    round_trip(GetOrder, None);
    round_trip(
        ApplyToOrder {
            event: OrderEvent::Expired { at: 5 },
        },
        Some((o, Transition::Unchanged)),
    );
}

#[test]
fn the_order_list_speaks_statuses_and_cursors_not_strings() {
    let s = OrderSummary::of(&order());
    let text = serde_json::to_string(&s).expect("json");
    assert!(text.contains("\"status\":\"awaiting_payment\""), "{text}");
    let cursor = Cursor::after(&s);
    let page = IndexPage {
        orders: vec![s],
        next_cursor: Some(cursor.clone()),
    };
    let wire = serde_json::to_value(&page).expect("json");
    assert_eq!(
        wire["next_cursor"], "1790000000:ord_0123456789abcdef0123456789abcdef",
        "the admin API's cursor format"
    );
    round_trip(
        ListOrders {
            status: Some(OrderStatus::Paid),
            cursor: Some(cursor),
            limit: 50,
        },
        page,
    );
    round_trip(
        UpsertSummary {
            summary: OrderSummary::of(&order()),
        },
        (),
    );
    for bad in [
        "",
        "12",
        "x:ord_0123456789abcdef0123456789abcdef",
        "12:ord_x",
    ] {
        assert!(Cursor::try_from(bad.to_owned()).is_err(), "{bad}");
    }
}

#[test]
fn catalog_commands_round_trip_with_their_replies() {
    round_trip(ExportCatalog, None);
    round_trip(
        ChangeCatalog {
            change: CatalogChange::Delete {
                handle: domain::Handle::parse("mug").expect("handle"),
                confirm: false,
            },
        },
        ChangeOutcome::Refused {
            error: ChangeError::NoCatalog,
        },
    );
    round_trip(
        PublishCatalog,
        ChangeOutcome::Published {
            version: "v1".into(),
            products: 3,
            variants: 7,
            kv_writes: 5,
        },
    );
    round_trip(PublishCatalog, ChangeOutcome::Busy);
}

#[test]
fn shard_commands_round_trip_with_their_replies() {
    let lines = vec![HoldLine {
        sku: sku("MUG-1"),
        quantity: 2,
        initial: 9,
    }];
    round_trip(
        ReadStock {
            skus: vec![(sku("MUG-1"), 9)],
        },
        vec![StockView::new(
            sku("MUG-1"),
            Stock {
                on_hand: 9,
                reserved: 2,
            },
        )],
    );
    round_trip(
        SetOnHand {
            sku: sku("MUG-1"),
            on_hand: 4,
        },
        StockView::new(sku("MUG-1"), Stock::default()),
    );
    round_trip(
        Reserve {
            order_id: "ord_1".into(),
            lines: lines.clone(),
            now: 1,
            ttl_seconds: 1800,
        },
        Reservation::OutOfStock {
            sku: sku("MUG-1"),
            requested: 2,
            available: 1,
        },
    );
    round_trip(
        Commit {
            order_id: "ord_1".into(),
            lines: lines.clone(),
            now: 2,
        },
        Committed {
            already: false,
            shortfall: vec![(sku("MUG-1"), 1)],
            moved: vec![],
        },
    );
    round_trip(
        Release {
            order_id: "ord_1".into(),
            now: 3,
            skus: vec![sku("MUG-1")],
        },
        true,
    );
    round_trip(
        Restock {
            order_id: "ord_1".into(),
            lines,
            now: 4,
        },
        false,
    );
}
