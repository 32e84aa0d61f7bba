//! Idempotent requests as Stripe does them: an `Idempotency-Key` header makes a POST run at
//! most once; repeating it with the same parameters replays the first answer, with different
//! parameters it is refused with an `idempotency_error`.
//!
//! Each key has a slot guarded by an async mutex held for the whole run, so a request that
//! arrives while the first with its key is still running waits for it and then replays its
//! answer instead of running again. As with Stripe, only requests that actually executed are
//! remembered: a run that fails validation (or hits an injected fault) can be retried with the
//! same key. Remembered answers are kept for [`TTL`].

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::error::ApiError;
use crate::lock;
use crate::reply::Reply;

/// How long a key is remembered.
pub const TTL: Duration = Duration::from_secs(24 * 60 * 60);
/// Stripe's limit on the key's length.
pub const MAX_KEY_CHARS: usize = 255;
/// Header set on replayed answers, as Stripe does.
pub const REPLAYED_HEADER: &str = "idempotent-replayed";

#[derive(Default)]
pub struct Idempotency {
    slots: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Slot>>>>,
}

#[derive(Default)]
struct Slot {
    saved: Option<Saved>,
}

struct Saved {
    fingerprint: Vec<u8>,
    reply: Reply,
    at: Instant,
}

impl Saved {
    fn is_live(&self, now: Instant) -> bool {
        now.saturating_duration_since(self.at) < TTL
    }
}

impl Idempotency {
    /// Runs `work` unless `key` already holds an answer: the same `fingerprint` (method, path
    /// and body) replays it, another one is an error. `work` returning `Ok` executed and is
    /// remembered; `Err` did not and is not.
    pub async fn run<F, Fut>(&self, key: &str, fingerprint: Vec<u8>, work: F) -> Reply
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Reply, ApiError>>,
    {
        self.run_at(key, fingerprint, Instant::now(), work).await
    }

    async fn run_at<F, Fut>(&self, key: &str, fingerprint: Vec<u8>, now: Instant, work: F) -> Reply
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Reply, ApiError>>,
    {
        if key.is_empty() || key.chars().count() > MAX_KEY_CHARS {
            let message = format!("Idempotency keys must be 1 to {MAX_KEY_CHARS} characters long.");
            return ApiError::idempotency(message).reply();
        }
        let slot = Arc::clone(lock(&self.slots).entry(key.to_owned()).or_default());
        let mut slot = slot.lock().await;
        if let Some(saved) = slot.saved.as_ref().filter(|s| s.is_live(now)) {
            if saved.fingerprint != fingerprint {
                return ApiError::idempotency(format!(
                    "Keys for idempotent requests can only be used with the same parameters they \
                     were first used with. Try using a key other than '{key}' if you meant to \
                     execute a different request."
                ))
                .reply();
            }
            return saved.reply.clone().with_header(REPLAYED_HEADER, "true");
        }
        match work().await {
            Ok(reply) => {
                slot.saved = Some(Saved {
                    fingerprint,
                    reply: reply.clone(),
                    at: now,
                });
                reply
            }
            Err(error) => {
                slot.saved = None;
                error.reply()
            }
        }
    }

    /// Forgets keys whose answer is older than [`TTL`] and slots nobody is using.
    pub fn sweep(&self, now: Instant) {
        lock(&self.slots).retain(|_, slot| {
            // Slots are cloned only under the map lock we hold, so a count of one means no
            // request is waiting on or running in this slot.
            if Arc::strong_count(slot) > 1 {
                return true;
            }
            slot.try_lock()
                .map(|s| s.saved.as_ref().is_some_and(|saved| saved.is_live(now)))
                .unwrap_or(true)
        });
    }

    /// How many keys are remembered or in use.
    pub fn remembered(&self) -> usize {
        lock(&self.slots).len()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use axum::http::StatusCode;
    use serde_json::json;

    use super::*;

    fn created(n: usize) -> Result<Reply, ApiError> {
        Ok(Reply::json(
            StatusCode::OK,
            &json!({ "id": format!("cs_test_{n}") }),
        ))
    }

    #[tokio::test]
    async fn same_key_and_body_replays_without_running_again() {
        let store = Idempotency::default();
        let runs = AtomicUsize::new(0);
        let work = || async { created(runs.fetch_add(1, Ordering::SeqCst)) };
        let first = store.run("k1", b"a=1".to_vec(), work).await;
        let second = store.run("k1", b"a=1".to_vec(), work).await;
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        assert_eq!(first.json_body()["id"], "cs_test_0");
        assert_eq!(second.json_body(), first.json_body());
        assert_eq!(second.header(REPLAYED_HEADER), Some("true"));
        assert_eq!(first.header(REPLAYED_HEADER), None);
        // Another key runs again.
        let third = store.run("k2", b"a=1".to_vec(), work).await;
        assert_eq!(third.json_body()["id"], "cs_test_1");
    }

    #[tokio::test]
    async fn same_key_with_another_body_is_an_idempotency_error() {
        let store = Idempotency::default();
        store
            .run("k", b"a=1".to_vec(), || async { created(0) })
            .await;
        let reply = store
            .run("k", b"a=2".to_vec(), || async { created(1) })
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        assert_eq!(reply.json_body()["error"]["type"], "idempotency_error");
    }

    #[tokio::test]
    async fn failures_are_not_remembered() {
        let store = Idempotency::default();
        let failed = store
            .run("k", b"a=1".to_vec(), || async {
                Err(ApiError::internal("down"))
            })
            .await;
        assert_eq!(failed.status, StatusCode::INTERNAL_SERVER_ERROR);
        // A retry (even with other parameters) executes.
        let retried = store
            .run("k", b"a=2".to_vec(), || async { created(7) })
            .await;
        assert_eq!(retried.json_body()["id"], "cs_test_7");
    }

    #[tokio::test]
    async fn concurrent_requests_with_one_key_run_once() {
        let store = Arc::new(Idempotency::default());
        let runs = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let (store, runs) = (Arc::clone(&store), Arc::clone(&runs));
                tokio::spawn(async move {
                    store
                        .run("k", b"a=1".to_vec(), || async {
                            let n = runs.fetch_add(1, Ordering::SeqCst);
                            tokio::time::sleep(Duration::from_millis(30)).await;
                            created(n)
                        })
                        .await
                })
            })
            .collect();
        let mut ids = Vec::new();
        for task in tasks {
            ids.push(task.await.unwrap().json_body()["id"].clone());
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        assert!(ids.iter().all(|id| *id == json!("cs_test_0")), "{ids:?}");
    }

    #[tokio::test]
    async fn keys_expire_after_the_ttl() {
        let store = Idempotency::default();
        let start = Instant::now();
        store
            .run_at("k", b"a=1".to_vec(), start, || async { created(0) })
            .await;
        let later = start + TTL - Duration::from_secs(1);
        let replay = store
            .run_at("k", b"a=1".to_vec(), later, || async { created(1) })
            .await;
        assert_eq!(replay.json_body()["id"], "cs_test_0");
        let expired = start + TTL + Duration::from_secs(1);
        let fresh = store
            .run_at("k", b"a=2".to_vec(), expired, || async { created(2) })
            .await;
        assert_eq!(fresh.json_body()["id"], "cs_test_2");

        store.sweep(expired);
        assert_eq!(store.remembered(), 1);
        store.sweep(expired + TTL);
        assert_eq!(store.remembered(), 0);
    }

    #[tokio::test]
    async fn rejects_overlong_keys() {
        let store = Idempotency::default();
        let reply = store
            .run(&"k".repeat(256), Vec::new(), || async { created(0) })
            .await;
        assert_eq!(reply.json_body()["error"]["type"], "idempotency_error");
    }
}
