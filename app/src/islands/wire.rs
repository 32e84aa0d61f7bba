//! How the islands read and write JSON in the browser without `serde_json` doing the work:
//! answers and structured props are parsed by the browser's own `JSON.parse` and read field by
//! field ([`Read`]), and request bodies are written as text ([`string`]).
//!
//! `serde_json`'s derived readers are large in wasm (one parser per type, with its error
//! messages), and the islands bundle is what every shopper downloads. The reading code here is
//! generic over [`Json`], so native tests read the same answers through `serde_json::Value`
//! that the browser reads through a `JsValue`.
//!
//! Reading is lenient, as the shop's answers come in several shapes (a cart, an order, an
//! error): a missing field, or one of another type, reads as its default.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A parsed JSON value, as the readers see it.
pub trait Json: Sized {
    /// The member `key` of an object; `None` when missing or `null`.
    fn get(&self, key: &str) -> Option<Self>;
    fn text(&self) -> Option<String>;
    /// A number, as an integer (every amount is minor units).
    fn int(&self) -> Option<i64>;
    fn flag(&self) -> Option<bool>;
    /// The elements of an array (none for anything else).
    fn items(&self) -> Vec<Self>;
}

/// A type the islands read from JSON.
pub trait Read: Sized {
    fn read<J: Json>(j: &J) -> Self;
}

/// The text of member `key`, or empty.
pub fn text<J: Json>(j: &J, key: &str) -> String {
    j.get(key).and_then(|v| v.text()).unwrap_or_default()
}

/// The text of member `key`, if it is a string.
pub fn text_opt<J: Json>(j: &J, key: &str) -> Option<String> {
    j.get(key).and_then(|v| v.text())
}

/// The integer of member `key`, or 0.
pub fn int<J: Json>(j: &J, key: &str) -> i64 {
    j.get(key).and_then(|v| v.int()).unwrap_or(0)
}

/// The flag of member `key`, or `false`.
pub fn flag<J: Json>(j: &J, key: &str) -> bool {
    j.get(key).and_then(|v| v.flag()).unwrap_or(false)
}

/// Member `key` read as `T`, if present.
pub fn field<J: Json, T: Read>(j: &J, key: &str) -> Option<T> {
    j.get(key).map(|v| T::read(&v))
}

impl Read for String {
    fn read<J: Json>(j: &J) -> Self {
        j.text().unwrap_or_default()
    }
}

impl Read for u32 {
    fn read<J: Json>(j: &J) -> Self {
        j.int().and_then(|n| u32::try_from(n).ok()).unwrap_or(0)
    }
}

impl<T: Read> Read for Vec<T> {
    fn read<J: Json>(j: &J) -> Self {
        j.items().iter().map(T::read).collect()
    }
}

/// A value is `Some`: `null` never gets here, as [`Json::get`] and [`parse`] take it for missing.
impl<T: Read> Read for Option<T> {
    fn read<J: Json>(j: &J) -> Self {
        Some(T::read(j))
    }
}

/// A pair, as a two-element array (`["FR", "France"]`).
impl<A: Read + Default, B: Read + Default> Read for (A, B) {
    fn read<J: Json>(j: &J) -> Self {
        let items = j.items();
        let mut it = items.iter();
        let a = it.next().map(A::read).unwrap_or_default();
        let b = it.next().map(B::read).unwrap_or_default();
        (a, b)
    }
}

/// `s` as a JSON string literal, quotes included: for request bodies.
pub fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(char::from(HEX[(c as usize) >> 4]));
                out.push(char::from(HEX[(c as usize) & 15]));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An island prop that the server writes with `serde` and the browser reads with [`Read`]:
/// Leptos hands island props over as JSON in the page (`data-props`), and parses them with
/// `serde_json`; this keeps that parse to one raw slice, which `JSON.parse` then reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Packed<T>(pub T);

impl<T> From<T> for Packed<T> {
    fn from(value: T) -> Self {
        Packed(value)
    }
}

impl<T: Serialize> Serialize for Packed<T> {
    #[cfg(not(feature = "hydrate"))]
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }

    /// In the browser, Leptos writes an island's props only to throw them away (they go into
    /// `data-props` when the server renders the island), so nothing is written there, and the
    /// bundle carries no writer for the types inside.
    #[cfg(feature = "hydrate")]
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_unit()
    }
}

impl<'de, T: Read + Default> Deserialize<'de> for Packed<T> {
    /// In the browser: the prop's JSON as one raw slice of the page's, parsed by `JSON.parse`.
    #[cfg(feature = "hydrate")]
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<serde_json::value::RawValue>::deserialize(deserializer)?;
        let read = parse(raw.get()).map(|j| T::read(&j));
        Ok(Packed(read.unwrap_or_default()))
    }

    /// Natively (tests; the server never reads props): through `serde_json::Value`, so that
    /// the server's build needs no `raw_value` support in its `serde_json`.
    #[cfg(not(feature = "hydrate"))]
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        let read = (!value.is_null()).then(|| T::read(&value));
        Ok(Packed(read.unwrap_or_default()))
    }
}

/// Parses `text` as JSON: `None` when it is not JSON, or is `null`.
#[cfg(feature = "hydrate")]
pub fn parse(text: &str) -> Option<wasm_bindgen::JsValue> {
    js_sys::JSON::parse(text)
        .ok()
        .filter(|v| !v.is_null() && !v.is_undefined())
}

/// Parses `text` as JSON: `None` when it is not JSON, or is `null`.
#[cfg(not(feature = "hydrate"))]
pub fn parse(text: &str) -> Option<serde_json::Value> {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .filter(|v| !v.is_null())
}

impl Json for serde_json::Value {
    fn get(&self, key: &str) -> Option<Self> {
        self.as_object()?.get(key).filter(|v| !v.is_null()).cloned()
    }
    fn text(&self) -> Option<String> {
        self.as_str().map(str::to_owned)
    }
    fn int(&self) -> Option<i64> {
        self.as_i64()
    }
    fn flag(&self) -> Option<bool> {
        self.as_bool()
    }
    fn items(&self) -> Vec<Self> {
        self.as_array().cloned().unwrap_or_default()
    }
}

#[cfg(feature = "hydrate")]
impl Json for wasm_bindgen::JsValue {
    fn get(&self, key: &str) -> Option<Self> {
        if !self.is_object() || js_sys::Array::is_array(self) {
            return None;
        }
        js_sys::Reflect::get(self, &wasm_bindgen::JsValue::from_str(key))
            .ok()
            .filter(|v| !v.is_null() && !v.is_undefined())
    }
    fn text(&self) -> Option<String> {
        self.as_string()
    }
    fn int(&self) -> Option<i64> {
        // Amounts are integers well inside 2^53; a fraction is not one.
        self.as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0)
            .map(|f| f as i64)
    }
    fn flag(&self) -> Option<bool> {
        self.as_bool()
    }
    fn items(&self) -> Vec<Self> {
        if js_sys::Array::is_array(self) {
            js_sys::Array::from(self).iter().collect()
        } else {
            Vec::new()
        }
    }
}
