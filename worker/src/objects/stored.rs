//! How the objects keep their state in storage: one JSON string per key.
//!
//! `Storage::put` of a Rust value converts it to JavaScript objects field by field (one call into
//! the runtime per field, per map entry), which for an inventory shard holding hundreds of
//! reservations made every checkout pay for all of them. A JSON string is one call. Values
//! written before in the object form are still read (through the `worker` crate's own
//! conversion) and are rewritten as JSON on their next change.

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsValue;
use worker::Storage;

/// The value under `key`, if any.
pub async fn read<T: DeserializeOwned>(storage: &Storage, key: &str) -> worker::Result<Option<T>> {
    let map = storage.get_multiple(vec![key]).await?;
    let raw = map.get(&JsValue::from_str(key));
    if raw.is_undefined() || raw.is_null() {
        return Ok(None);
    }
    match raw.as_string() {
        Some(json) => serde_json::from_str(&json)
            .map(Some)
            .map_err(|e| worker::Error::RustError(format!("stored {key} is unreadable: {e}"))),
        // Written in the object form by an earlier version: to JSON in the runtime (maps
        // included), then decoded like the rest.
        None => {
            let json = legacy_json(&raw)?;
            serde_json::from_str(&json)
                .map(Some)
                .map_err(|e| worker::Error::RustError(format!("stored {key} is unreadable: {e}")))
        }
    }
}

/// A value stored in the object form (the `worker` crate's `put`, with serde_wasm_bindgen:
/// maps as JavaScript `Map`s) as JSON text, maps as objects.
fn legacy_json(value: &JsValue) -> worker::Result<String> {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    let replacer = Closure::<dyn Fn(JsValue, JsValue) -> JsValue>::new(|_key, v: JsValue| {
        match v.dyn_ref::<worker::js_sys::Map>() {
            Some(map) => worker::js_sys::Object::from_entries(map).map_or(v.clone(), JsValue::from),
            None => v,
        }
    });
    let text =
        worker::js_sys::JSON::stringify_with_replacer(value, replacer.as_ref().unchecked_ref())?;
    text.as_string()
        .ok_or_else(|| worker::Error::RustError("a stored value has no JSON form".into()))
}

/// `value` as JSON text.
pub fn json<T: Serialize>(value: &T) -> worker::Result<String> {
    serde_json::to_string(value).map_err(|e| worker::Error::RustError(e.to_string()))
}

/// `value` as it is stored: one JSON string.
pub fn encode<T: Serialize>(value: &T) -> worker::Result<JsValue> {
    Ok(JsValue::from_str(&json(value)?))
}

/// Writes `value` under `key` as one JSON string.
pub async fn write<T: Serialize>(storage: &Storage, key: &str, value: &T) -> worker::Result<()> {
    storage.put_raw(key, encode(value)?).await
}

/// Most keys one storage call may write or delete.
const BATCH: usize = 128;

/// Every value whose key starts with `prefix`, with the rest of its key, in key order.
pub async fn list<T: DeserializeOwned>(
    storage: &Storage,
    prefix: &str,
) -> worker::Result<Vec<(String, T)>> {
    let map = storage
        .list_with_options(worker::ListOptions::new().prefix(prefix))
        .await?;
    let mut out = Vec::with_capacity(map.size() as usize);
    let mut failed = None;
    map.for_each(&mut |value, key| {
        let key = key.as_string().unwrap_or_default();
        let json = value.as_string().unwrap_or_default();
        match serde_json::from_str(&json) {
            Ok(v) => out.push((key.strip_prefix(prefix).unwrap_or(&key).to_owned(), v)),
            Err(e) => failed = Some(format!("stored {key} is unreadable: {e}")),
        }
    });
    match failed {
        Some(why) => Err(worker::Error::RustError(why)),
        None => Ok(out),
    }
}

/// Writes `puts` (values made with [`encode`], or plain numbers) and deletes `deletes` as one
/// atomic change: every storage call is made before any is awaited, and the runtime confirms
/// writes made together as one (its automatic write coalescing), however many calls the limit
/// of keys per call takes.
pub async fn write_batch(
    storage: &Storage,
    puts: &[(String, JsValue)],
    deletes: &[String],
) -> worker::Result<()> {
    let raw = storage.as_raw();
    let calls = worker::js_sys::Array::new();
    for chunk in puts.chunks(BATCH) {
        let object = worker::js_sys::Object::new();
        for (key, value) in chunk {
            worker::js_sys::Reflect::set(&object, &JsValue::from_str(key), value)?;
        }
        let call: worker::js_sys::Promise = raw.put_multiple(object.into())?;
        calls.push(&call);
    }
    for chunk in deletes.chunks(BATCH) {
        let keys = chunk.iter().map(|k| JsValue::from_str(k)).collect();
        let call: worker::js_sys::Promise = raw.delete_multiple(keys)?;
        calls.push(&call);
    }
    worker::js_sys::futures::JsFuture::from(worker::js_sys::Promise::all(&calls)).await?;
    Ok(())
}
