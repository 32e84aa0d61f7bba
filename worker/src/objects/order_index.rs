//! The list of orders for the merchant: one Durable Object with a SQLite table of summaries,
//! kept current by the order client on every change, paged newest first with a cursor.

use crate::error::AppError;
use crate::platform::{call, reply};
use domain::order::Order;
use serde::{Deserialize, Serialize};
use worker::{durable_object, Env, Request, Response, State};

/// What the list shows of an order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderSummary {
    pub id: String,
    pub status: String,
    pub created_at: i64,
    pub total: i64,
    pub currency: String,
    pub email: String,
}

impl OrderSummary {
    pub fn of(o: &Order) -> Self {
        OrderSummary {
            id: o.id.clone(),
            status: o.status.as_str().to_owned(),
            created_at: o.created_at,
            total: o.total,
            currency: o.currency.code().to_owned(),
            email: o.email.clone(),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndexRequest {
    Upsert {
        summary: OrderSummary,
    },
    /// Newest first; `cursor` is the last row of the previous page as `created_at:id`.
    List {
        status: Option<String>,
        cursor: Option<(i64, String)>,
        limit: u32,
    },
}

#[derive(Debug, Serialize, Deserialize)]
pub struct IndexPage {
    pub orders: Vec<OrderSummary>,
    pub next_cursor: Option<String>,
}

#[durable_object]
pub struct OrderIndexObject {
    state: State,
}

impl OrderIndexObject {
    fn sql(&self) -> worker::Result<worker::SqlStorage> {
        let sql = self.state.storage().sql();
        sql.exec(
            "CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, status TEXT NOT NULL, created_at INTEGER NOT NULL, \
             total INTEGER NOT NULL, currency TEXT NOT NULL, email TEXT NOT NULL)",
            None,
        )?;
        sql.exec(
            "CREATE INDEX IF NOT EXISTS orders_by_time ON orders (created_at DESC, id DESC)",
            None,
        )?;
        Ok(sql)
    }
}

impl worker::DurableObject for OrderIndexObject {
    fn new(state: State, _env: Env) -> Self {
        OrderIndexObject { state }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        let request: IndexRequest = req.json().await?;
        let sql = self.sql()?;
        match request {
            IndexRequest::Upsert { summary: s } => {
                sql.exec(
                    "INSERT OR REPLACE INTO orders (id, status, created_at, total, currency, email) VALUES (?, ?, ?, ?, ?, ?)",
                    Some(vec![
                        s.id.into(),
                        s.status.into(),
                        s.created_at.into(),
                        s.total.into(),
                        s.currency.into(),
                        s.email.into(),
                    ]),
                )?;
                reply(&true)
            }
            IndexRequest::List {
                status,
                cursor,
                limit,
            } => {
                let limit = i64::from(limit.clamp(1, 100));
                let mut query = String::from(
                    "SELECT id, status, created_at, total, currency, email FROM orders WHERE 1 = 1",
                );
                let mut bindings: Vec<worker::SqlStorageValue> = Vec::new();
                if let Some(st) = status {
                    query.push_str(" AND status = ?");
                    bindings.push(st.into());
                }
                if let Some((at, id)) = cursor {
                    query.push_str(" AND (created_at < ? OR (created_at = ? AND id < ?))");
                    bindings.extend([at.into(), at.into(), id.into()]);
                }
                query.push_str(" ORDER BY created_at DESC, id DESC LIMIT ?");
                bindings.push((limit + 1).into());
                let rows: Vec<OrderSummary> = sql.exec(&query, Some(bindings))?.to_array()?;
                let mut orders = rows;
                let next_cursor = if orders.len() as i64 > limit {
                    orders.truncate(limit as usize);
                    orders.last().map(|o| format!("{}:{}", o.created_at, o.id))
                } else {
                    None
                };
                reply(&IndexPage {
                    orders,
                    next_cursor,
                })
            }
        }
    }
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
        let _: bool = call(
            &self.ns,
            Self::NAME,
            &IndexRequest::Upsert {
                summary: OrderSummary::of(order),
            },
        )
        .await?;
        Ok(())
    }

    pub async fn list(
        &self,
        status: Option<String>,
        cursor: Option<(i64, String)>,
        limit: u32,
    ) -> Result<IndexPage, AppError> {
        call(
            &self.ns,
            Self::NAME,
            &IndexRequest::List {
                status,
                cursor,
                limit,
            },
        )
        .await
    }
}
