//! The catalog's source of truth: one Durable Object (SQLite storage) that validates every
//! change with the domain's rules and then publishes the new version to KV, the edge cache.
//!
//! Publishing writes every versioned key first and the pointer last (see `domain::kv`), so
//! readers switch versions atomically. One change publishes at a time: a change that arrives
//! while another is being published is refused with `busy` rather than racing its pointer flip.
//! If publishing fails, the change is kept (it is the truth) and the next change or a `Publish`
//! command writes it out again.

use crate::error::AppError;
use crate::objects::protocol::{
    CatalogRequest, ChangeCatalog, ChangeOutcome, ExportCatalog, ImportCsv, PublishCatalog,
};
use crate::platform::{answer, call, Command};
use domain::catalog::{CatalogChange, ChangeError};
use domain::{csv, kv, Catalog};
use std::cell::{Cell, RefCell};
use worker::{durable_object, Env, Request, Response, State};

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
        let row = sql
            .exec("SELECT json FROM catalog WHERE id = 1", None)?
            .raw()
            .next()
            .transpose()?;
        let catalog = match row.as_deref() {
            Some([worker::SqlStorageValue::String(json)]) => Some(
                serde_json::from_str(json).map_err(|e| worker::Error::RustError(e.to_string()))?,
            ),
            Some(_) => {
                return Err(worker::Error::RustError(
                    "the catalog row is not text".into(),
                ))
            }
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

    async fn publish(&self, catalog: &Catalog) -> ChangeOutcome {
        let version = catalog.version();
        let entries = match kv::entries(catalog) {
            Ok(e) => e,
            Err(e) => {
                return ChangeOutcome::NotPublished {
                    version,
                    reason: e.to_string(),
                }
            }
        };
        let kv_writes = entries.len();
        let result = async {
            let store = self.env.kv(crate::config::CATALOG_KV)?;
            for (key, value) in entries {
                // As bytes: `put` with a `String` goes through serde_wasm_bindgen and
                // `f64::to_string` (14 KB of wasm) to find out that a string is a string.
                store.put_bytes(&key, value.as_bytes())?.execute().await?;
            }
            Ok::<_, AppError>(())
        }
        .await;
        match result {
            Ok(()) => ChangeOutcome::Published {
                version,
                products: catalog.products.len(),
                variants: catalog.products.iter().map(|p| p.variants.len()).sum(),
                kv_writes,
            },
            Err(e) => ChangeOutcome::NotPublished {
                version,
                reason: e.to_string(),
            },
        }
    }

    async fn publish_exclusively(&self, catalog: &Catalog) -> ChangeOutcome {
        self.publishing.set(true);
        let answer = self.publish(catalog).await;
        self.publishing.set(false);
        answer
    }

    /// Applies `change` to `current` with the domain's rules, saves and publishes the result.
    async fn change(
        &self,
        current: Option<&Catalog>,
        change: CatalogChange,
    ) -> worker::Result<ChangeOutcome> {
        if self.publishing.get() {
            return Ok(ChangeOutcome::Busy);
        }
        Ok(match Catalog::change(current, change) {
            Err(error) => ChangeOutcome::Refused { error },
            Ok(next) => {
                self.save(&next)?;
                self.publish_exclusively(&next).await
            }
        })
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
        let request: CatalogRequest = crate::platform::command(&mut req).await?;
        let current = self.load()?;
        match request {
            CatalogRequest::Export(ExportCatalog) => answer::<ExportCatalog>(&current),
            CatalogRequest::Publish(PublishCatalog) => {
                let outcome = match current {
                    _ if self.publishing.get() => ChangeOutcome::Busy,
                    Some(c) => self.publish_exclusively(&c).await,
                    None => ChangeOutcome::Refused {
                        error: ChangeError::NoCatalog,
                    },
                };
                answer::<PublishCatalog>(&outcome)
            }
            CatalogRequest::Change(ChangeCatalog { change }) => {
                answer::<ChangeCatalog>(&self.change(current.as_ref(), change).await?)
            }
            CatalogRequest::ImportCsv(ImportCsv { text, confirm }) => {
                // Read against the catalog as it is now, in the object that owns it: no window
                // in which a concurrent change could be lost.
                let Some(now) = current.as_ref() else {
                    return answer::<ImportCsv>(&ChangeOutcome::Refused {
                        error: ChangeError::NoCatalog,
                    });
                };
                let outcome =
                    match csv::catalog_from_csv(&text, now.currency, now.collections.clone()) {
                        Err(problems) => ChangeOutcome::Refused {
                            error: ChangeError::Invalid { problems },
                        },
                        Ok(mut catalog) => {
                            // CSV carries products: the shop's settings stay as they are.
                            catalog.settings = now.settings.clone();
                            let change = CatalogChange::Replace { catalog, confirm };
                            self.change(current.as_ref(), change).await?
                        }
                    };
                answer::<ImportCsv>(&outcome)
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

    pub async fn send<C: Command<Request = CatalogRequest>>(
        &self,
        command: C,
    ) -> Result<C::Reply, AppError> {
        call(&self.ns, Self::NAME, command).await
    }
}
