//! The list of orders for the merchant: one Durable Object with a SQLite table of summaries,
//! kept current by the order client on every change, paged newest first with a cursor.

use crate::error::AppError;
use crate::objects::protocol::{
    Cursor, IndexPage, IndexRequest, ListOrders, OrderSummary, UpsertSummary,
};
use crate::platform::{answer, call};
use domain::order::{Order, OrderStatus};
use worker::{durable_object, Env, Request, Response, SqlStorageValue, State};

#[durable_object]
pub struct OrderIndexObject {
    state: State,
    /// Whether this instance has checked the table's columns.
    ready: std::cell::Cell<bool>,
}

/// The columns of a summary after the first six, added to tables made before them: each group
/// by the release that added it, found missing by its last column.
const LATER_COLUMNS: [(&str, &[&str]); 2] = [
    (
        "address",
        &[
            "country TEXT",
            "shipping INTEGER",
            "tax INTEGER",
            "amount_paid INTEGER",
            "address TEXT",
        ],
    ),
    ("mail", &["discount TEXT", "mail TEXT"]),
];

const COLUMNS: &str = "id, status, created_at, total, currency, email, country, shipping, tax, \
                       amount_paid, address, discount, mail";

impl OrderIndexObject {
    fn sql(&self) -> worker::Result<worker::SqlStorage> {
        let sql = self.state.storage().sql();
        if self.ready.get() {
            return Ok(sql);
        }
        sql.exec(
            "CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, status TEXT NOT NULL, created_at INTEGER NOT NULL, \
             total INTEGER NOT NULL, currency TEXT NOT NULL, email TEXT NOT NULL)",
            None,
        )?;
        // A table from an earlier release: add the columns it lacks (NULL in older rows).
        for (last, columns) in LATER_COLUMNS {
            if sql
                .exec(&format!("SELECT {last} FROM orders LIMIT 0"), None)
                .is_err()
            {
                for column in columns {
                    sql.exec(&format!("ALTER TABLE orders ADD COLUMN {column}"), None)?;
                }
            }
        }
        sql.exec(
            "CREATE INDEX IF NOT EXISTS orders_by_time ON orders (created_at DESC, id DESC)",
            None,
        )?;
        self.ready.set(true);
        Ok(sql)
    }
}

impl worker::DurableObject for OrderIndexObject {
    fn new(state: State, _env: Env) -> Self {
        OrderIndexObject {
            state,
            ready: std::cell::Cell::new(false),
        }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        let request: IndexRequest = crate::platform::command(&mut req).await?;
        let sql = self.sql()?;
        match request {
            IndexRequest::Upsert(UpsertSummary { summary: s }) => {
                sql.exec(
                    &format!(
                        "INSERT OR REPLACE INTO orders ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    ),
                    Some(vec![
                        s.id.into(),
                        s.status.as_str().into(),
                        s.created_at.into(),
                        s.total.into(),
                        s.currency.into(),
                        s.email.into(),
                        s.country.into(),
                        s.shipping.into(),
                        s.tax.into(),
                        s.amount_paid.into(),
                        s.address.into(),
                        s.discount.into(),
                        s.mail.into(),
                    ]),
                )?;
                answer::<UpsertSummary>(&())
            }
            IndexRequest::List(ListOrders {
                status,
                cursor,
                limit,
            }) => {
                let limit = i64::from(limit.clamp(1, 100));
                let mut query = format!("SELECT {COLUMNS} FROM orders WHERE 1 = 1");
                let mut bindings: Vec<worker::SqlStorageValue> = Vec::new();
                if let Some(st) = status {
                    query.push_str(" AND status = ?");
                    bindings.push(st.as_str().into());
                }
                if let Some(Cursor { created_at: at, id }) = cursor {
                    query.push_str(" AND (created_at < ? OR (created_at = ? AND id < ?))");
                    bindings.extend([at.into(), at.into(), id.into()]);
                }
                query.push_str(" ORDER BY created_at DESC, id DESC LIMIT ?");
                bindings.push((limit + 1).into());
                let mut orders = sql
                    .exec(&query, Some(bindings))?
                    .raw()
                    .map(|row| summary(&row?))
                    .collect::<worker::Result<Vec<OrderSummary>>>()?;
                let next_cursor = if orders.len() as i64 > limit {
                    orders.truncate(limit as usize);
                    orders.last().map(Cursor::after)
                } else {
                    None
                };
                answer::<ListOrders>(&IndexPage {
                    orders,
                    next_cursor,
                })
            }
        }
    }
}

/// A row of `SELECT {COLUMNS}`, column by column (without serde_wasm_bindgen, whose decoder
/// would be compiled for this one type).
fn summary(row: &[SqlStorageValue]) -> worker::Result<OrderSummary> {
    let text = |i: usize| match row.get(i) {
        Some(SqlStorageValue::String(s)) => Some(s.clone()),
        _ => None,
    };
    let int = |i: usize| match row.get(i) {
        Some(SqlStorageValue::Integer(n)) => Some(*n),
        Some(SqlStorageValue::Float(f)) => Some(*f as i64),
        _ => None,
    };
    let bad = |what: &str| worker::Error::RustError(format!("order index row: bad {what}"));
    Ok(OrderSummary {
        id: text(0).ok_or_else(|| bad("id"))?,
        status: text(1)
            .and_then(|s| OrderStatus::parse(&s))
            .ok_or_else(|| bad("status"))?,
        created_at: int(2).ok_or_else(|| bad("created_at"))?,
        total: int(3).ok_or_else(|| bad("total"))?,
        currency: text(4).ok_or_else(|| bad("currency"))?,
        email: text(5).unwrap_or_default(),
        country: text(6),
        shipping: int(7),
        tax: int(8),
        amount_paid: int(9),
        address: text(10),
        discount: text(11),
        mail: text(12),
    })
}

/// The worker's side of the order list.
pub struct OrderIndex {
    ns: worker::ObjectNamespace,
}

impl OrderIndex {
    pub const BINDING: &'static str = "ORDER_INDEX";
    const NAME: &'static str = "orders";

    pub fn from_env(env: &Env) -> worker::Result<Self> {
        Ok(OrderIndex {
            ns: env.durable_object(Self::BINDING)?,
        })
    }

    pub async fn record(&self, order: &Order) -> Result<(), AppError> {
        let summary = OrderSummary::of(order);
        call(&self.ns, Self::NAME, UpsertSummary { summary }).await
    }

    pub async fn list(
        &self,
        status: Option<OrderStatus>,
        cursor: Option<Cursor>,
        limit: u32,
    ) -> Result<IndexPage, AppError> {
        let list = ListOrders {
            status,
            cursor,
            limit,
        };
        call(&self.ns, Self::NAME, list).await
    }
}
