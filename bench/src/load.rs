//! Load generation at a fixed concurrency, bounded in time and in count: `wrk` (with
//! `bench/wrk.lua`) or our own loop over `reqwest`, both reporting the same [`Stats`].

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::Result;

/// Which load generator measured a run. Ratios compare runs of the same generator only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Generator {
    Wrk,
    Rust,
}

impl Generator {
    pub fn name(self) -> &'static str {
        match self {
            Generator::Wrk => "wrk",
            Generator::Rust => "rust loop",
        }
    }
}

/// How long and how much.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    pub connections: usize,
    pub duration: Duration,
    pub max_requests: u64,
}

/// What one run measured.
#[derive(Clone, Debug)]
pub struct Stats {
    pub generator: Generator,
    pub connections: usize,
    /// Answers received (including unexpected ones).
    pub requests: u64,
    /// Unexpected statuses and failed requests.
    pub errors: u64,
    pub first_error: Option<String>,
    pub seconds: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    /// CPU time of the runtime's `workerd` processes during the run, per request.
    pub cpu_ms_per_request: Option<f64>,
    /// CPUs kept busy on average by processes outside the bench during the run.
    pub others_cpus: Option<f64>,
}

impl Stats {
    pub fn rps(&self) -> f64 {
        if self.seconds > 0.0 {
            self.requests as f64 / self.seconds
        } else {
            0.0
        }
    }
}

/// Builds the `n`-th request of a run, or `None` when there is nothing left to send.
pub type MakeRequest =
    Arc<dyn Fn(&reqwest::Client, u64) -> Option<reqwest::RequestBuilder> + Send + Sync>;

/// Our own loop: `connections` tasks, each sending its next request as soon as the previous
/// answer is read in full; latency is from send to the end of the body.
pub async fn rust_loop(
    http: &reqwest::Client,
    limit: Limit,
    expect: &'static [u16],
    make: MakeRequest,
) -> Stats {
    let started = Instant::now();
    let issued = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..limit.connections {
        let (http, issued, make) = (http.clone(), issued.clone(), make.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0u64;
            let mut first_error = None;
            while started.elapsed() < limit.duration {
                let n = issued.fetch_add(1, Ordering::Relaxed);
                if n >= limit.max_requests {
                    break;
                }
                let Some(request) = make(&http, n) else { break };
                let t = Instant::now();
                let outcome = match request.send().await {
                    Ok(resp) => {
                        let status = resp.status().as_u16();
                        match resp.bytes().await {
                            Ok(_) if expect.contains(&status) => Ok(()),
                            Ok(body) => Err(format!(
                                "status {status}: {}",
                                String::from_utf8_lossy(&body[..body.len().min(300)])
                            )),
                            Err(e) => Err(format!("reading the body: {}", chain(&e))),
                        }
                    }
                    Err(e) => Err(format!("request failed: {}", chain(&e))),
                };
                latencies.push(t.elapsed());
                if let Err(e) = outcome {
                    errors += 1;
                    first_error.get_or_insert(e);
                }
            }
            (latencies, errors, first_error)
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    let mut first_error = None;
    for task in tasks {
        match task.await {
            Ok((l, e, f)) => {
                latencies.extend(l);
                errors += e;
                if first_error.is_none() {
                    first_error = f;
                }
            }
            Err(e) => {
                errors += 1;
                first_error.get_or_insert(format!("load task failed: {e}"));
            }
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    latencies.sort();
    let pct = |p: f64| percentile(&latencies, p).as_secs_f64() * 1000.0;
    Stats {
        generator: Generator::Rust,
        connections: limit.connections,
        requests: latencies.len() as u64,
        errors,
        first_error,
        seconds,
        p50_ms: pct(50.0),
        p90_ms: pct(90.0),
        p99_ms: pct(99.0),
        cpu_ms_per_request: None,
        others_cpus: None,
    }
}

/// An error with its causes, which is where reqwest says what went wrong.
pub fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Nearest-rank percentile of sorted values (zero for none).
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// One wrk run (`bench/wrk.lua`): `method` on `url`, with an optional JSON body and cart cookies
/// taken in turn. wrk counts any answer outside 2xx/3xx as an error.
pub struct WrkRun<'a> {
    pub url: String,
    pub method: &'a str,
    pub body: Option<String>,
    pub carts: &'a [String],
    pub limit: Limit,
}

impl WrkRun<'_> {
    pub fn run(&self, root: &Path) -> Result<Stats> {
        let threads = self
            .limit
            .connections
            .min(std::thread::available_parallelism().map_or(2, |n| n.get()));
        let per_thread = self.limit.max_requests.div_ceil(threads as u64);
        let secs = self.limit.duration.as_secs().max(1);
        let out = Command::new("wrk")
            .args(["-t", &threads.to_string()])
            .args(["-c", &self.limit.connections.to_string()])
            .args(["-d", &format!("{secs}s"), "--timeout", "10s", "-s"])
            .arg(root.join("bench/wrk.lua"))
            .arg(&self.url)
            .env("BENCH_METHOD", self.method)
            .env("BENCH_BODY", self.body.as_deref().unwrap_or(""))
            .env("BENCH_CARTS", self.carts.join(","))
            .env("BENCH_THREADS", threads.to_string())
            .env("BENCH_MAX", per_thread.to_string())
            .output()
            .map_err(|e| format!("cannot run wrk (make bench installs it): {e}"))?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        let line = stdout
            .lines()
            .find_map(|l| l.strip_prefix("BENCH "))
            .ok_or_else(|| {
                format!(
                    "wrk gave no summary ({}):\n{stdout}{}",
                    out.status,
                    String::from_utf8_lossy(&out.stderr)
                )
            })?;
        let j: serde_json::Value =
            serde_json::from_str(line).map_err(|e| format!("wrk summary {line:?}: {e}"))?;
        if j["capped"].as_bool() == Some(true) {
            return Err(format!(
                "wrk reached its bound of {} requests per thread before {secs} s on {}, so its \
                 rate is unknown: raise the bound (max_requests)",
                per_thread, self.url
            ));
        }
        let num = |k: &str| j[k].as_f64().unwrap_or(0.0);
        let errors = (num("status_errors") + num("socket_errors")) as u64;
        Ok(Stats {
            generator: Generator::Wrk,
            connections: self.limit.connections,
            requests: num("requests") as u64,
            errors,
            first_error: (errors > 0).then(|| format!("wrk: {line}")),
            seconds: num("duration_us") / 1e6,
            p50_ms: num("p50_us") / 1000.0,
            p90_ms: num("p90_us") / 1000.0,
            p99_ms: num("p99_us") / 1000.0,
            cpu_ms_per_request: None,
            others_cpus: None,
        })
    }
}

/// A run with `rps` requests a second and `cpu` ms of CPU per request, for the report's tests.
#[cfg(test)]
pub fn stats_fixture(generator: Generator, rps: f64, cpu: f64) -> Stats {
    Stats {
        generator,
        connections: 16,
        requests: (rps * 5.0) as u64,
        errors: 0,
        first_error: None,
        seconds: 5.0,
        p50_ms: 10.0,
        p90_ms: 15.0,
        p99_ms: 20.0,
        cpu_ms_per_request: Some(cpu),
        others_cpus: None,
    }
}
