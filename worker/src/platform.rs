//! Small platform helpers: time, randomness, request addresses and headers, calling Durable
//! Objects, bodies.

use crate::error::{AppError, BadInput};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsValue;
use worker::{Date, ObjectNamespace, Request, Response};

/// Unix seconds now.
pub fn now() -> i64 {
    now_ms() / 1000
}

/// Unix milliseconds now.
pub fn now_ms() -> i64 {
    Date::now().as_millis() as i64
}

/// `n` random bytes from the runtime's CSPRNG, as lowercase hex.
pub fn random_hex(n: usize) -> Result<String, AppError> {
    let mut buf = vec![0u8; n];
    getrandom::getrandom(&mut buf)
        .map_err(|e| AppError::internal(format!("no randomness: {e}")))?;
    Ok(hex::encode(buf))
}

/// A POST of `body` with `headers`, built on the runtime's `Request` directly: the `worker`
/// crate's `Request::new_with_init` also carries Cloudflare's `cf` options through serde, which
/// the shop never sets (11 KB of the Worker's wasm).
pub fn post(url: &str, body: &str, headers: &[(&str, &str)]) -> worker::Result<Request> {
    Ok(Request::from(raw_post(url, body, headers)?))
}

/// The runtime's `Request` of [`post`], without the `worker` crate's conversion (which reads
/// its method, URL, headers and `cf` back).
fn raw_post(url: &str, body: &str, headers: &[(&str, &str)]) -> worker::Result<web_sys::Request> {
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(&JsValue::from_str(body));
    if !headers.is_empty() {
        let h = web_sys::Headers::new()?;
        for (name, value) in headers {
            h.set(name, value)?;
        }
        init.set_headers(&h);
    }
    Ok(web_sys::Request::new_with_str_and_init(url, &init)?)
}

/// Why [`fetch_within`] has no response.
#[derive(Debug)]
pub enum FetchFailure {
    /// No answer in time (the request was aborted; it may or may not have been applied).
    Timeout,
    Unreachable(String),
}

/// Sends `request` with the runtime's fetch, aborted after `timeout`.
pub async fn fetch_within(
    request: Request,
    timeout: std::time::Duration,
) -> Result<worker::Response, FetchFailure> {
    use futures_util::future::{select, Either};
    let controller = worker::AbortController::default();
    let signal = controller.signal();
    let fetch = worker::Fetch::Request(request);
    let send = Box::pin(fetch.send_with_signal(&signal));
    let timer = Box::pin(worker::Delay::from(timeout));
    let outcome = select(send, timer).await;
    match outcome {
        Either::Left((Ok(resp), _)) => Ok(resp),
        Either::Left((Err(e), _)) => Err(FetchFailure::Unreachable(e.to_string())),
        Either::Right(_) => {
            controller.abort();
            Err(FetchFailure::Timeout)
        }
    }
}

/// A message to a Durable Object that names its reply: [`call`] can only decode, and an
/// object's [`answer`] can only send, the reply type of the command. Each object's commands
/// travel in one `Request` enum (see `objects::protocol`).
pub trait Command: Serialize + Sized {
    type Request: Serialize + DeserializeOwned + From<Self>;
    type Reply: Serialize + DeserializeOwned;
}

/// Sends `cmd` as JSON to the object named `name` and decodes its reply.
pub async fn call<C: Command>(
    ns: &ObjectNamespace,
    name: &str,
    cmd: C,
) -> Result<C::Reply, AppError> {
    let body = serde_json::to_string(&C::Request::from(cmd))
        .map_err(|e| AppError::internal(e.to_string()))?;
    let text = exchange(ns, name, body, None).await?;
    serde_json::from_str(&text).map_err(AppError::Corrupt)
}

/// The header that routes a command to a bucket of a split SKU with the bucket count the
/// worker knows; a bucket that knows another count answers [`MISROUTED`] with it.
pub const BUCKETS_HEADER: &str = "x-buckets";
/// 421 Misdirected Request: the body is the bucket count to route with.
pub const MISROUTED: u16 = 421;

/// Like [`call`], to a bucket routed with `k` buckets: the reply, or `Err(k)` with the count
/// the bucket knows (1: the SKU is not split any more).
pub async fn call_routed<C: Command>(
    ns: &ObjectNamespace,
    name: &str,
    k: u32,
    cmd: C,
) -> Result<Result<C::Reply, u32>, AppError> {
    Ok(call_moved(ns, name, Some(k), cmd)
        .await?
        .map_err(|(k, _)| k))
}

/// Like [`call`], routed to a bucket with `k` buckets or (`None`) to a shard, where the object
/// may send the worker on ([`MISROUTED`]): the reply, or the bucket count to route with and,
/// from a home shard, the SKU it is about.
pub async fn call_moved<C: Command>(
    ns: &ObjectNamespace,
    name: &str,
    k: Option<u32>,
    cmd: C,
) -> Result<Result<C::Reply, (u32, Option<domain::Sku>)>, AppError> {
    let body = serde_json::to_string(&C::Request::from(cmd))
        .map_err(|e| AppError::internal(e.to_string()))?;
    let text = exchange(ns, name, body, k).await?;
    if let Some(moved) = text.strip_prefix("moved:") {
        let mut words = moved.split(' ');
        let k = words.next().and_then(|k| k.parse().ok()).unwrap_or(1);
        let sku = words.next().and_then(|s| domain::Sku::parse(s).ok());
        return Ok(Err((k, sku)));
    }
    serde_json::from_str(&text)
        .map(Ok)
        .map_err(AppError::Corrupt)
}

/// One request to an object and its answer's text: the part of [`call`] that does not depend
/// on the command, compiled once rather than once per command. A misrouted bucket's answer
/// comes back as `moved:{k}`.
///
/// Made on the runtime's own objects: the `worker` crate's stub converts the answer into its
/// `Response` (reading its headers, status, `cf` and body stream) and reads the text through a
/// stream reader chunk by chunk; here the answer's `text()` is one promise.
async fn exchange(
    ns: &ObjectNamespace,
    name: &str,
    body: String,
    k: Option<u32>,
) -> Result<String, AppError> {
    use wasm_bindgen::JsCast;
    use worker::js_sys::futures::JsFuture;
    let js = |e: JsValue| AppError::from(worker::Error::from(e));
    let raw: &worker::worker_sys::DurableObjectNamespace = ns.as_ref().unchecked_ref();
    let stub = raw.get(&raw.id_from_name(name).map_err(js)?).map_err(js)?;
    let k = k.map(|k| k.to_string());
    let headers: Vec<(&str, &str)> = k.iter().map(|k| (BUCKETS_HEADER, k.as_str())).collect();
    let req = raw_post("https://object.internal/", &body, &headers)?;
    let resp: web_sys::Response = JsFuture::from(stub.fetch_with_request(&req).map_err(js)?)
        .await
        .map_err(js)?
        .unchecked_into();
    let text = JsFuture::from(resp.text().map_err(js)?)
        .await
        .map_err(js)?
        .as_string()
        .unwrap_or_default();
    let status = resp.status();
    if status == MISROUTED {
        return Ok(format!("moved:{text}"));
    }
    if status != 200 {
        return Err(AppError::internal(format!(
            "object {name} answered {status}: {text}"
        )));
    }
    Ok(text)
}

/// A command as an object receives it. Read as text and decoded with serde_json, the one JSON
/// decoder in the Worker: `Request::json` would decode through JavaScript objects with
/// serde_wasm_bindgen, a second decoder compiled for every command type.
pub async fn command<T: DeserializeOwned>(req: &mut Request) -> worker::Result<T> {
    let text = req.text().await?;
    serde_json::from_str(&text).map_err(|e| worker::Error::RustError(format!("command: {e}")))
}

/// An object's reply to a command of type `C`.
pub fn answer<C: Command>(value: &C::Reply) -> worker::Result<Response> {
    Response::from_json(value)
}

/// Largest request body the shop accepts (JSON and forms).
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// The value of the request header `name`, or "" without one.
pub fn header(req: &Request, name: &str) -> String {
    req.headers().get(name).ok().flatten().unwrap_or_default()
}

/// The body's length as the request declares it (`Content-Length`).
fn declared_length(req: &Request) -> Option<usize> {
    header(req, "content-length").parse().ok()
}

/// Reads the body, refusing more than `max` bytes with 413.
pub async fn body_bytes(req: &mut Request, max: usize) -> Result<Vec<u8>, AppError> {
    let too_large = || AppError::from(BadInput::TooLarge { max });
    let declared = declared_length(req);
    if declared.is_some_and(|n| n > max) {
        return Err(too_large());
    }
    let bytes = req.bytes().await?;
    if bytes.len() > max {
        return Err(too_large());
    }
    Ok(bytes)
}

/// Decodes a JSON body of at most [`MAX_BODY_BYTES`].
pub async fn json_body<T: DeserializeOwned>(req: &mut Request) -> Result<T, AppError> {
    parse_json(&body_bytes(req, MAX_BODY_BYTES).await?)
}

/// Decodes JSON bytes, `malformed_json` if they are not the `T` expected. Through `&str`, like
/// every other JSON the Worker reads (KV, objects): serde_json's deserializers are then
/// compiled once per type, not once per input kind.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let text = std::str::from_utf8(bytes).map_err(AppError::malformed_json)?;
    serde_json::from_str(text).map_err(AppError::malformed_json)
}

/// Decodes a JSON object body of at most [`MAX_BODY_BYTES`] into `T`, a struct of [`Field`]s:
/// anything but an object is `malformed_json`; each field's problem is the handler's to name.
pub async fn json_object<T: DeserializeOwned>(req: &mut Request) -> Result<T, AppError> {
    let bytes = body_bytes(req, MAX_BODY_BYTES).await?;
    // A struct would also take an array (serde reads structs from sequences too).
    if bytes.trim_ascii_start().first() != Some(&b'{') {
        return Err(AppError::malformed_json("expected a JSON object"));
    }
    parse_json(&bytes)
}

/// One field of a JSON body, read into its type `T` at the boundary: absent, present but not
/// a `T` (with its JSON text, for the error), or a `T`.
#[derive(Debug, Default)]
pub enum Field<T> {
    #[default]
    Missing,
    Invalid(String),
    Valid(T),
}

impl<'de, T: DeserializeOwned> serde::Deserialize<'de> for Field<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        Ok(match T::deserialize(&value) {
            Ok(t) => Field::Valid(t),
            Err(_) => Field::Invalid(value.to_string()),
        })
    }
}

impl<T> Field<T> {
    /// The value, or the handler's error for what was sent (`None` when nothing was).
    pub fn require(self, bad: impl FnOnce(Option<String>) -> BadInput) -> Result<T, BadInput> {
        match self {
            Field::Valid(t) => Ok(t),
            Field::Invalid(raw) => Err(bad(Some(raw))),
            Field::Missing => Err(bad(None)),
        }
    }
}

/// Decodes a form body (`application/x-www-form-urlencoded`) into pairs.
pub async fn form_body(req: &mut Request) -> Result<Vec<(String, String)>, AppError> {
    let bytes = body_bytes(req, MAX_BODY_BYTES).await?;
    Ok(form_urlencoded::parse(&bytes)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect())
}

/// Decodes a form of at most `max` bytes, URL-encoded or `multipart/form-data` (a file upload),
/// into pairs. Multipart forms are parsed by the runtime; only the fields in `names` are read,
/// and a file field gives its contents, which must be UTF-8 text.
pub async fn form_fields(
    req: &mut Request,
    max: usize,
    names: &[&str],
) -> Result<Vec<(String, String)>, AppError> {
    if !header(req, "content-type").starts_with("multipart/form-data") {
        let bytes = body_bytes(req, max).await?;
        return Ok(form_urlencoded::parse(&bytes)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect());
    }
    // The runtime reads a multipart body whole: refuse it first if it says it is too large.
    let declared = declared_length(req);
    match declared {
        None => return Err(BadInput::LengthRequired.into()),
        Some(n) if n > max => return Err(BadInput::TooLarge { max }.into()),
        Some(_) => {}
    }
    let form = req.form_data().await.map_err(|_| BadInput::MalformedForm)?;
    let mut fields = Vec::new();
    for name in names {
        match form.get(name) {
            Some(worker::FormEntry::Field(v)) => fields.push(((*name).to_owned(), v)),
            Some(worker::FormEntry::File(f)) => {
                let text = String::from_utf8(f.bytes().await?).map_err(|_| BadInput::NotUtf8)?;
                fields.push(((*name).to_owned(), text));
            }
            None => {}
        }
    }
    Ok(fields)
}

/// The value of the first `name` field of a form.
pub fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The parts of a request's URL the shop reads, without parsing it again with the `url` crate
/// (which, with its IDNA tables, was a tenth of the Worker): the runtime hands every request an
/// absolute URL it has already parsed and serialised (scheme and host in lowercase, no default
/// port), so splitting it is enough.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UrlParts<'a> {
    /// `https://shop.example` (`scheme://host[:port]`).
    pub origin: &'a str,
    /// After `?` and before `#`, still percent-encoded; empty without a query.
    pub query: &'a str,
}

impl<'a> UrlParts<'a> {
    pub fn of(url: &'a str) -> UrlParts<'a> {
        let authority_start = url.find("://").map_or(0, |i| i + 3);
        let after = &url[authority_start..];
        let origin_end = authority_start + after.find(['/', '?', '#']).unwrap_or(after.len());
        let rest = &url[origin_end..];
        let rest = rest.split_once('#').map_or(rest, |(r, _)| r);
        let query = rest.split_once('?').map_or("", |(_, q)| q);
        UrlParts {
            origin: &url[..origin_end],
            query,
        }
    }

    pub fn is_https(&self) -> bool {
        self.origin.starts_with("https://")
    }

    /// The decoded query pairs.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        form_urlencoded::parse(self.query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }
}

/// Decoded query pairs of a request URL.
pub fn query_pairs(req: &Request) -> Vec<(String, String)> {
    UrlParts::of(&req.inner().url()).query_pairs()
}

/// Whether the shopper reached us over https (cookies get `Secure`, pages HSTS).
pub fn is_https(req: &Request) -> bool {
    UrlParts::of(&req.inner().url()).is_https()
}

/// The origin (`scheme://host[:port]`) the shopper reached us at.
pub fn origin(req: &Request) -> Result<String, AppError> {
    Ok(UrlParts::of(&req.inner().url()).origin.to_owned())
}

/// Refuses form posts from other sites (defence in depth besides SameSite cookies).
pub fn same_origin(req: &Request) -> Result<(), AppError> {
    let Some(o) = req.headers().get("origin").ok().flatten() else {
        return Ok(());
    };
    if o == origin(req)? {
        Ok(())
    } else {
        Err(BadInput::CrossOrigin.into())
    }
}

/// The country the request comes from, as Cloudflare tells it (`request.cf.country`); absent
/// in local runs.
///
/// The entry point (`worker/js/entry.mjs`) hides `cf` from the `worker` crate's conversion of
/// every request, since the runtime builds that object anew on each read, and offers the
/// country through the runtime's own getter instead; `req.cf()` is the way back when it does not.
pub fn visitor_country(req: &Request) -> Option<String> {
    match cf_country(req.inner()) {
        Ok(country) => country,
        Err(_) => req.cf().and_then(|cf| cf.country()),
    }
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = globalThis, js_name = __storefrontCountry)]
    fn cf_country(
        request: &worker::worker_sys::web_sys::Request,
    ) -> Result<Option<String>, JsValue>;
}

/// The value of the cookie `name` sent with `req`, if any.
pub fn cookie(req: &Request, name: &str) -> Option<String> {
    let header = req.headers().get("cookie").ok().flatten()?;
    header
        .split(';')
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

#[cfg(test)]
mod tests {
    use super::UrlParts;

    #[test]
    fn url_parts() {
        let u = UrlParts::of(
            "https://shop.example:8443/search?q=cr%C3%A8me+br%C3%BBl%C3%A9e&page=2#top",
        );
        assert_eq!(u.origin, "https://shop.example:8443");
        assert!(u.is_https());
        assert_eq!(
            u.query_pairs(),
            vec![
                ("q".to_owned(), "crème brûlée".to_owned()),
                ("page".to_owned(), "2".to_owned())
            ]
        );
        let u = UrlParts::of("http://127.0.0.1:8787/products/x");
        assert_eq!(u.origin, "http://127.0.0.1:8787");
        assert!(!u.is_https());
        assert!(u.query_pairs().is_empty());
        assert_eq!(
            UrlParts::of("https://a.example?x=1").origin,
            "https://a.example"
        );
        assert_eq!(UrlParts::of("https://a.example?x=1").query, "x=1");
        assert_eq!(UrlParts::of("https://a.example/p#f?x=1").query, "");
        assert_eq!(
            UrlParts::of("https://a.example").origin,
            "https://a.example"
        );
    }
}
