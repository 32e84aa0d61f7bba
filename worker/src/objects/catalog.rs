//! The catalog's source of truth: one Durable Object (SQLite storage) that validates every
//! change with the domain's rules and then publishes the new version to KV, the edge cache.
//!
//! Publishing writes every versioned key first and the pointer last (see `domain::kv`), so
//! readers switch versions atomically. One change publishes at a time: a change that arrives
//! while another is being published is refused with `busy` rather than racing its pointer flip.
//! If publishing fails, the change is kept (it is the truth) and the next change or a `Publish`
//! command writes it out again.

use crate::error::AppError;
use crate::platform::{call, reply};
use domain::catalog::{CatalogChange, ChangeError};
use domain::{kv, Catalog};
use serde::{Deserialize, Serialize};
use std::cell::{Cell, RefCell};
use worker::{durable_object, Env, Request, Response, State};

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CatalogRequest {
    Export,
    Change {
        change: CatalogChange,
    },
    /// Writes the current version to KV again (after a failed publish).
    Publish,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CatalogReply {
    Catalog {
        catalog: Option<Catalog>,
    },
    Published {
        version: String,
        products: usize,
        variants: usize,
        kv_writes: usize,
    },
    Refused {
        error: ChangeError,
    },
    Busy,
    /// Saved, but KV could not be written; `Publish` retries.
    NotPublished {
        version: String,
        reason: String,
    },
}

#[durable_object]
pub struct CatalogObject {
    state: State,
    env: Env,
    catalog: RefCell<Option<Option<Catalog>>>,
    publishing: Cell<bool>,
}

impl CatalogObject {
    fn load(&self) -> worker::Result<Option<Catalog>> {
        if let Some(c) = self.catalog.borrow().clone() {
            return Ok(c);
        }
        let sql = self.state.storage().sql();
        sql.exec("CREATE TABLE IF NOT EXISTS catalog (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL)", None)?;
        #[derive(Deserialize)]
        struct Row {
            json: String,
        }
        let rows: Vec<Row> = sql
            .exec("SELECT json FROM catalog WHERE id = 1", None)?
            .to_array()?;
        let catalog = match rows.into_iter().next() {
            Some(row) => Some(
                serde_json::from_str(&row.json)
                    .map_err(|e| worker::Error::RustError(e.to_string()))?,
            ),
            None => None,
        };
        *self.catalog.borrow_mut() = Some(catalog.clone());
        Ok(catalog)
    }

    fn save(&self, catalog: &Catalog) -> worker::Result<()> {
        let json =
            serde_json::to_string(catalog).map_err(|e| worker::Error::RustError(e.to_string()))?;
        self.state.storage().sql().exec(
            "INSERT OR REPLACE INTO catalog (id, json) VALUES (1, ?)",
            Some(vec![json.into()]),
        )?;
        *self.catalog.borrow_mut() = Some(Some(catalog.clone()));
        Ok(())
    }

    async fn publish(&self, catalog: &Catalog) -> CatalogReply {
        let version = catalog.version();
        let entries = match kv::entries(catalog) {
            Ok(e) => e,
            Err(e) => {
                return CatalogReply::NotPublished {
                    version,
                    reason: e.to_string(),
                }
            }
        };
        let kv_writes = entries.len();
        let result = async {
            let store = self.env.kv(crate::config::CATALOG_KV)?;
            for (key, value) in entries {
                store.put(&key, value)?.execute().await?;
            }
            Ok::<_, AppError>(())
        }
        .await;
        match result {
            Ok(()) => CatalogReply::Published {
                version,
                products: catalog.products.len(),
                variants: catalog.products.iter().map(|p| p.variants.len()).sum(),
                kv_writes,
            },
            Err(e) => CatalogReply::NotPublished {
                version,
                reason: e.to_string(),
            },
        }
    }

    async fn publish_exclusively(&self, catalog: &Catalog) -> CatalogReply {
        self.publishing.set(true);
        let answer = self.publish(catalog).await;
        self.publishing.set(false);
        answer
    }
}

impl worker::DurableObject for CatalogObject {
    fn new(state: State, env: Env) -> Self {
        CatalogObject {
            state,
            env,
            catalog: RefCell::new(None),
            publishing: Cell::new(false),
        }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        let request: CatalogRequest = req.json().await?;
        let current = self.load()?;
        match request {
            CatalogRequest::Export => reply(&CatalogReply::Catalog { catalog: current }),
            CatalogRequest::Publish => match current {
                _ if self.publishing.get() => reply(&CatalogReply::Busy),
                Some(c) => reply(&self.publish_exclusively(&c).await),
                None => reply(&CatalogReply::Refused {
                    error: ChangeError::NoCatalog,
                }),
            },
            CatalogRequest::Change { change } => {
                if self.publishing.get() {
                    return reply(&CatalogReply::Busy);
                }
                match Catalog::change(current.as_ref(), change) {
                    Err(error) => reply(&CatalogReply::Refused { error }),
                    Ok(next) => {
                        self.save(&next)?;
                        reply(&self.publish_exclusively(&next).await)
                    }
                }
            }
        }
    }
}

/// The worker's side of the catalog's source of truth.
pub struct CatalogAdmin {
    ns: worker::ObjectNamespace,
}

impl CatalogAdmin {
    pub const BINDING: &'static str = "CATALOG_ADMIN";
    const NAME: &'static str = "catalog";

    pub fn from_env(env: &Env) -> worker::Result<Self> {
        Ok(CatalogAdmin {
            ns: env.durable_object(Self::BINDING)?,
        })
    }

    pub async fn send(&self, request: &CatalogRequest) -> Result<CatalogReply, AppError> {
        call(&self.ns, Self::NAME, request).await
    }
}
