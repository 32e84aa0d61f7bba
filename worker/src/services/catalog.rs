//! Reading the catalog from Workers KV, with a small cache inside the isolate.
//!
//! Layout and versioning are in [`domain::kv`]: one pointer key names the current version,
//! every other key is immutable under its version. So:
//! - the pointer is the only thing that can change; it is cached in the isolate for
//!   `CATALOG_POINTER_TTL` seconds and read from KV with the same `cacheTtl` (0 turns both off);
//! - versioned entries are cached in the isolate until it is recycled (bounded in count) and
//!   read from KV with a long `cacheTtl`.
//!
//! KV is eventually consistent: a write can take about a minute to be visible in every
//! location, and keys propagate independently. If the pointer arrives somewhere before the
//! index it names, readers keep serving the last version they could read in full.

use crate::config::Config;
use crate::error::AppError;
use domain::{kv, CatalogIndex, Product};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use worker::{Date, Env, KvStore};

/// KV `cacheTtl` for versioned (immutable) keys.
const VERSIONED_TTL_SECONDS: u64 = 86_400;
/// KV does not accept a `cacheTtl` below this.
const MIN_KV_TTL_SECONDS: u64 = 30;
/// Product documents kept per isolate.
const MAX_CACHED_PRODUCTS: usize = 2_000;

#[derive(Default)]
struct IsolateCache {
    /// The current version and when (ms) it was read.
    pointer: Option<(String, u64)>,
    /// The last index read in full, for the version it carries.
    index: Option<Rc<CatalogIndex>>,
    products: HashMap<String, Rc<Product>>,
}

thread_local! {
    static CACHE: RefCell<IsolateCache> = RefCell::new(IsolateCache::default());
}

pub struct CatalogStore {
    kv: KvStore,
    pointer_ttl_seconds: u64,
}

impl CatalogStore {
    pub const BINDING: &'static str = crate::config::CATALOG_KV;

    pub fn from_env(env: &Env, config: &Config) -> worker::Result<Self> {
        Ok(CatalogStore {
            kv: env.kv(Self::BINDING)?,
            pointer_ttl_seconds: config.catalog_pointer_ttl,
        })
    }

    async fn read(&self, key: &str, ttl: u64) -> Result<Option<String>, AppError> {
        let get = self.kv.get(key);
        let get = if ttl == 0 {
            get
        } else {
            get.cache_ttl(ttl.max(MIN_KV_TTL_SECONDS))
        };
        Ok(get.text().await?)
    }

    async fn current_version(&self) -> Result<Option<String>, AppError> {
        let now = Date::now().as_millis();
        let ttl_ms = self.pointer_ttl_seconds * 1000;
        let cached = CACHE.with_borrow(|c| c.pointer.clone());
        if let Some((version, at)) = cached {
            if now.saturating_sub(at) < ttl_ms {
                return Ok(Some(version));
            }
        }
        let version = self.read(kv::CURRENT, self.pointer_ttl_seconds).await?;
        if let Some(v) = &version {
            CACHE.with_borrow_mut(|c| c.pointer = Some((v.clone(), now)));
        }
        Ok(version)
    }

    /// The index of the current version (or of the last complete one, see the module docs).
    pub async fn index(&self) -> Result<Rc<CatalogIndex>, AppError> {
        let version = self.current_version().await?;
        let cached = CACHE.with_borrow(|c| c.index.clone());
        let Some(version) = version else {
            return cached.ok_or(AppError::CatalogUnavailable);
        };
        if let Some(idx) = cached.as_ref().filter(|i| i.version == version) {
            return Ok(idx.clone());
        }
        match self
            .read(&kv::index_key(&version), VERSIONED_TTL_SECONDS)
            .await?
        {
            Some(text) => {
                let idx: Rc<CatalogIndex> =
                    Rc::new(serde_json::from_str(&text).map_err(AppError::Corrupt)?);
                CACHE.with_borrow_mut(|c| c.index = Some(idx.clone()));
                Ok(idx)
            }
            None => cached.ok_or(AppError::CatalogUnavailable),
        }
    }

    /// A product of the version `index` belongs to.
    pub async fn product(
        &self,
        index: &CatalogIndex,
        handle: &str,
    ) -> Result<Option<Rc<Product>>, AppError> {
        let Some(chunk) = kv::chunk_of(index, handle) else {
            return Ok(None);
        };
        let key = format!("{}:{handle}", index.version);
        if let Some(p) = CACHE.with_borrow(|c| c.products.get(&key).cloned()) {
            return Ok(Some(p));
        }
        let Some(text) = self
            .read(&kv::chunk_key(&index.version, chunk), VERSIONED_TTL_SECONDS)
            .await?
        else {
            return Ok(None);
        };
        let products = kv::decode_chunk(&text).map_err(AppError::Corrupt)?;
        let mut found = None;
        CACHE.with_borrow_mut(|c| {
            if c.products.len() + products.len() > MAX_CACHED_PRODUCTS {
                c.products.clear();
            }
            for p in products {
                let p = Rc::new(p);
                if p.handle.as_str() == handle {
                    found = Some(p.clone());
                }
                c.products
                    .insert(format!("{}:{}", index.version, p.handle), p);
            }
        });
        Ok(found)
    }
}
