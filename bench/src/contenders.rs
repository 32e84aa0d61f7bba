//! The contenders: the shop (twice: with its rendered-page cache, and without), the ceiling and
//! React, each under its own `wrangler dev` in the same runtime, and their `workerd` processes.

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use integration_tests::{Options, Stack};

use crate::procs::{self, free_port, tool_path};
use crate::{blocking, setup, Result, PRODUCT_PAGE};

/// Which runtime answers a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Runtime {
    Ceiling,
    Shop,
    /// The shop with `PAGE_CACHE=off`.
    ShopNoCache,
    React,
}

impl Runtime {
    pub const ALL: [Runtime; 4] = [
        Runtime::Ceiling,
        Runtime::Shop,
        Runtime::ShopNoCache,
        Runtime::React,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Runtime::Ceiling => "the ceiling",
            Runtime::Shop => "the shop",
            Runtime::ShopNoCache => "the shop, page cache off",
            Runtime::React => "React",
        }
    }
}

/// The shop's settings in every run: the deployed defaults (the harness turns these caches off
/// for tests that change data and look at once), and its rendered-page cache on or off.
fn shop_options(page_cache: &str, release_gateway: bool) -> Options {
    // The deployed settings where the integration tests' differ. The payment timeout matters
    // under the flash sale: with 200 checkouts in flight on two cores, the tests' 1.5 s cuts
    // off sessions the sandbox was still opening.
    let vars = [
        ("CATALOG_POINTER_TTL", "30"),
        ("SHOWN_STOCK_TTL_MS", "2000"),
        ("PAYMENT_TIMEOUT_MS", "8000"),
        ("PAGE_CACHE", page_cache),
    ];
    Options {
        vars: vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        state_dir: None,
        release_gateway,
    }
}

pub struct Contenders {
    pub shop: Stack,
    pub shop_no_cache: Stack,
    pub ceiling: JsWorker,
    pub react: JsWorker,
}

impl Contenders {
    /// Starts all four (the shop first: the ceiling takes its product page's size) and seeds
    /// React's catalog. Returns them with the shop's product page. `release_gateway`: the shops
    /// use the sandbox gateway's release build (full runs, where it answers every checkout
    /// under load), not the debug build the tests use (smoke runs).
    pub async fn start(
        root: &Path,
        http: &reqwest::Client,
        release_gateway: bool,
    ) -> Result<(Contenders, String)> {
        let shop = blocking(move || Stack::start(shop_options("on", release_gateway))).await?;
        let product_html = setup::product_page(http, &shop.url(PRODUCT_PAGE)).await?;
        let size = product_html.len();
        // The rest in parallel: none of them builds anything.
        let no_cache =
            tokio::task::spawn_blocking(move || Stack::start(shop_options("off", release_gateway)));
        let r = root.to_owned();
        let ceiling = tokio::task::spawn_blocking(move || {
            JsWorker::start(
                &r,
                "ceiling",
                "bench/ceiling/wrangler.toml",
                &[("BODY_BYTES", size)],
            )
        });
        let r = root.to_owned();
        let react = tokio::task::spawn_blocking(move || {
            JsWorker::start(&r, "react", "bench/react/wrangler.toml", &[])
        });
        let joined = |e: tokio::task::JoinError| format!("start-up task: {e}");
        let c = Contenders {
            shop_no_cache: no_cache.await.map_err(joined)??,
            ceiling: ceiling.await.map_err(joined)??,
            react: react.await.map_err(joined)??,
            shop,
        };
        setup::seed_react(http, root, &c.react.base).await?;
        Ok((c, product_html))
    }

    pub fn base(&self, rt: Runtime) -> &str {
        match rt {
            Runtime::Ceiling => &self.ceiling.base,
            Runtime::Shop => &self.shop.base,
            Runtime::ShopNoCache => &self.shop_no_cache.base,
            Runtime::React => &self.react.base,
        }
    }

    pub fn url(&self, rt: Runtime, path: &str) -> String {
        format!("{}{path}", self.base(rt))
    }

    /// The runtime's `workerd` processes now (looked up afresh: wrangler may restart them).
    pub fn workerd(&self, rt: Runtime) -> Vec<u32> {
        let leader = match rt {
            Runtime::Ceiling => Some(self.ceiling.pid),
            Runtime::React => Some(self.react.pid),
            Runtime::Shop | Runtime::ShopNoCache => self
                .base(rt)
                .rsplit(':')
                .next()
                .and_then(|p| p.parse().ok())
                .and_then(|port| procs::wrangler_for_port(std::process::id(), port)),
        };
        leader.map_or_else(Vec::new, |pid| procs::workerd_under(pid, &[]))
    }
}

/// A JavaScript Worker of `bench/` under its own `wrangler dev`, in its own process group,
/// stopped with the group when dropped, or by a watchdog when the bench exits in any other way.
pub struct JsWorker {
    pub base: String,
    /// The process group (wrangler's pid): its `workerd` processes are the Worker's runtime.
    pub pid: u32,
    child: Child,
    _watchdog: Child,
}

impl JsWorker {
    /// `config` is the Worker's `wrangler.toml` (from the repository root); `vars` override its
    /// `[vars]`.
    pub fn start(
        root: &Path,
        name: &str,
        config: &str,
        vars: &[(&str, usize)],
    ) -> Result<JsWorker> {
        let run_dir = root.join("target/bench");
        std::fs::create_dir_all(&run_dir).map_err(|e| format!("{}: {e}", run_dir.display()))?;
        let log = run_dir.join(format!("{name}.log"));
        let state = run_dir.join(format!("{name}-state"));
        // A fresh local state every run (React's catalog is seeded again).
        let _ = std::fs::remove_dir_all(&state);
        let out = std::fs::File::create(&log).map_err(|e| format!("{}: {e}", log.display()))?;
        let err = out.try_clone().map_err(|e| e.to_string())?;
        let port = free_port()?;
        let inspector = free_port()?;
        let mut cmd = Command::new(root.join("node_modules/.bin/wrangler"));
        cmd.args(["dev", "--config", config])
            .args(["--ip", "127.0.0.1", "--port", &port.to_string()])
            .args(["--inspector-port", &inspector.to_string(), "--persist-to"])
            .arg(&state)
            .args([
                "--show-interactive-dev-session=false",
                "--log-level",
                "warn",
            ])
            .args(["--env-file", "/dev/null"]);
        for (k, v) in vars {
            cmd.args(["--var", &format!("{k}:{v}")]);
        }
        let child = cmd
            .current_dir(root)
            .env("PATH", tool_path(root))
            .env("WRANGLER_SEND_METRICS", "false")
            .env("CLOUDFLARE_CF_FETCH_ENABLED", "false")
            .env("CI", "true")
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .process_group(0)
            .spawn()
            .map_err(|e| format!("cannot run wrangler for the {name} Worker: {e}"))?;
        let pid = child.id();
        // Stops the group when the bench exits, however it exits.
        let watchdog = integration_tests::watchdog(pid)
            .map_err(|e| format!("cannot run the watchdog: {e}"))?;
        let mut worker = JsWorker {
            base: format!("http://127.0.0.1:{port}"),
            pid,
            child,
            _watchdog: watchdog,
        };
        worker.wait_ready(name, &log)?;
        Ok(worker)
    }

    /// Until the Worker answers anything at all (the bench checks the answers themselves).
    fn wait_ready(&mut self, name: &str, log: &Path) -> Result<()> {
        let started = Instant::now();
        let addr = self.base.trim_start_matches("http://").to_owned();
        while started.elapsed() < Duration::from_secs(120) {
            if procs::http_status(&addr).is_some() {
                eprintln!("{name} ready at {} in {:.1?}", self.base, started.elapsed());
                return Ok(());
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                let text = std::fs::read_to_string(log).unwrap_or_default();
                return Err(format!(
                    "the {name} Worker's wrangler exited ({status}):\n{text}"
                ));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        Err(format!(
            "the {name} Worker did not answer within 120 s (see {})",
            log.display()
        ))
    }
}

impl Drop for JsWorker {
    fn drop(&mut self) {
        let group = format!("-{}", self.pid);
        let _ = Command::new("kill")
            .args(["-TERM", "--", &group])
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.wait();
    }
}
