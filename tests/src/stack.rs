//! The stack under test: the worker under wrangler's local runtime with a sandbox [`Gateway`]
//! of its own: start, seed, readiness, teardown.

use crate::client::Client;
use crate::supervise::{free_port, root, wrangler, Supervised};
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// How long the runtime may take to answer its first request.
const READY_TIMEOUT: Duration = Duration::from_secs(180);
/// How long one readiness probe may wait for an answer.
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long seeding the demo catalog may take.
const SEED_TIMEOUT: Duration = Duration::from_secs(60);

/// Secrets the stacks run with (never used outside tests).
pub const ADMIN_TOKEN: &str = "test-admin-token";
pub const WEBHOOK_SECRET: &str = "whsec_test_integration";
pub const SECRET_KEY: &str = "sk_test_integration";
pub const EMAIL_TOKEN: &str = "postmark-test-integration";

/// The sandbox payment gateway (the `sandbox-gateway` crate), on a free loopback port.
pub struct Gateway {
    pub base: String,
    _process: Supervised,
}

impl Gateway {
    fn start(run_dir: &Path, webhook_url: &str, release: bool) -> Result<Gateway, String> {
        let (bin, build) = if release {
            (
                "target/release/sandbox-gateway",
                "cargo build --release -p sandbox-gateway",
            )
        } else {
            (
                "target/debug/sandbox-gateway",
                "cargo build -p sandbox-gateway",
            )
        };
        let bin = root().join(bin);
        if !bin.exists() {
            return Err(format!("the sandbox gateway is not built: run `{build}`"));
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
        .args(["--secret-key", SECRET_KEY, "--email-token", EMAIL_TOKEN])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log);
        let process = Supervised::spawn(cmd)?;
        let stdout = process.take_stdout()?.ok_or("no stdout")?;
        let mut reader = std::io::BufReader::new(stdout);
        let mut line = String::new();
        reader.read_line(&mut line).map_err(|e| e.to_string())?;
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
    /// Run the sandbox gateway's release build (`cargo build --release -p sandbox-gateway`),
    /// as the benchmarks do, instead of the debug build the tests use.
    pub release_gateway: bool,
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
static RUNS: AtomicU32 = AtomicU32::new(0);

/// The stack shared by tests that need no special settings, started on first call.
pub fn server() -> &'static Stack {
    SHARED.get_or_init(|| {
        Stack::start(Options::default()).unwrap_or_else(|e| panic!("cannot start the worker: {e}"))
    })
}

impl Stack {
    /// Starts a stack and waits until it answers. Blocking: call it from plain threads or
    /// `spawn_blocking` (it is also safe, if wasteful, on an async runtime's thread).
    pub fn start(options: Options) -> Result<Stack, String> {
        let root = root();
        if !root.join("worker/build/worker/shim.mjs").exists() {
            return Err("the worker is not built: run `make test` (or `make worker`) first".into());
        }
        let n = RUNS.fetch_add(1, Ordering::SeqCst);
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
        let gateway = Gateway::start(
            &run_dir,
            &format!("{base}/webhooks/payment"),
            options.release_gateway,
        )?;

        let mut vars: Vec<(String, String)> = vec![
            ("CATALOG_POINTER_TTL".into(), "0".into()),
            ("PAYMENT_API_BASE".into(), gateway.base.clone()),
            ("PAYMENT_PAGE_ORIGIN".into(), gateway.base.clone()),
            ("PAYMENT_SECRET_KEY".into(), SECRET_KEY.into()),
            ("PAYMENT_WEBHOOK_SECRET".into(), WEBHOOK_SECRET.into()),
            ("ADMIN_TOKEN".into(), ADMIN_TOKEN.into()),
            ("PAYMENT_TIMEOUT_MS".into(), "1500".into()),
            ("EMAIL_API_BASE".into(), gateway.base.clone()),
            ("EMAIL_API_TOKEN".into(), EMAIL_TOKEN.into()),
            // A failed e-mail is retried after 1 s, then 4 s, … (30 s, 2 min, … when deployed).
            ("EMAIL_RETRY_BASE_MS".into(), "1000".into()),
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
        // Seed as a merchant would: the admin import into the catalog's source of truth,
        // which publishes it to KV.
        let demo = if fresh {
            Some(std::fs::read(root.join("catalog/demo.json")).map_err(|e| e.to_string())?)
        } else {
            None
        };
        off_runtime(|| stack.ready_and_seed(demo))?;
        Ok(stack)
    }

    /// Waits for the first answer, then imports `demo` if given. Blocking HTTP: run it through
    /// [`off_runtime`].
    fn ready_and_seed(&self, demo: Option<Vec<u8>>) -> Result<(), String> {
        let http = reqwest::blocking::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()
            .map_err(|e| format!("http client: {e}"))?;
        self.wait_ready(&http)?;
        if let Some(demo) = demo {
            let reply = http
                .post(self.url("/admin/api/catalog/import"))
                .bearer_auth(ADMIN_TOKEN)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(demo)
                .timeout(SEED_TIMEOUT)
                .send()
                .map_err(|e| format!("import: {e}"))?;
            let status = reply.status().as_u16();
            let body = reply.text().map_err(|e| format!("import: {e}"))?;
            if status != 200 {
                return Err(format!("importing the demo catalog: {status} {body}"));
            }
        }
        Ok(())
    }

    fn wait_ready(&self, http: &reqwest::blocking::Client) -> Result<(), String> {
        let started = Instant::now();
        let probe = self.url("/robots.txt");
        while started.elapsed() < READY_TIMEOUT {
            let answer = http.get(&probe).timeout(PROBE_TIMEOUT).send();
            if answer.is_ok_and(|r| r.status() == reqwest::StatusCode::OK) {
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

/// Runs `f` to completion on a thread of its own, outside any async runtime.
///
/// `reqwest::blocking` panics when its client is built, used or dropped inside an async
/// runtime's context, and [`Stack::start`] is reached from everywhere: `spawn_blocking`,
/// plain `#[test]`s, and async tests' runtime threads (the first [`server`] call, through
/// [`Client::new`]). A fresh thread has no runtime context in every case.
fn off_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| {
        s.spawn(f)
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}
