//! Processes: the ceiling Worker under `wrangler dev`, and what `/proc` says about the runtime
//! (CPU time and resident memory of `workerd` processes).

use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::Result;

/// A free loopback port (the harness's).
pub fn free_port() -> Result<u16> {
    integration_tests::free_port().map_err(|e| format!("free port: {e}"))
}

/// PATH with the pinned Node 22 and npm binaries first (the harness's).
pub fn tool_path(_root: &Path) -> String {
    integration_tests::tool_path()
}

/// The ceiling: `bench/ceiling/` (a constant HTML page of `body_bytes` bytes) under its own
/// `wrangler dev`, in its own process group, stopped with the group when dropped, or by a
/// watchdog when the bench exits in any other way.
pub struct Ceiling {
    pub base: String,
    /// The process group (wrangler's pid): its `workerd` processes are the ceiling's runtime.
    pub pid: u32,
    child: Child,
    _watchdog: Child,
}

impl Ceiling {
    pub fn start(root: &Path, body_bytes: usize) -> Result<Ceiling> {
        let run_dir = root.join("target/bench");
        std::fs::create_dir_all(&run_dir).map_err(|e| format!("{}: {e}", run_dir.display()))?;
        let log = run_dir.join("ceiling.log");
        let out = std::fs::File::create(&log).map_err(|e| format!("{}: {e}", log.display()))?;
        let err = out.try_clone().map_err(|e| e.to_string())?;
        let port = free_port()?;
        let inspector = free_port()?;
        let child = Command::new(root.join("node_modules/.bin/wrangler"))
            .args(["dev", "--config", "bench/ceiling/wrangler.toml"])
            .args(["--ip", "127.0.0.1", "--port", &port.to_string()])
            .args(["--inspector-port", &inspector.to_string(), "--persist-to"])
            .arg(run_dir.join("ceiling-state"))
            .args([
                "--show-interactive-dev-session=false",
                "--log-level",
                "warn",
            ])
            .args(["--env-file", "/dev/null", "--var"])
            .arg(format!("BODY_BYTES:{body_bytes}"))
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
            .map_err(|e| format!("cannot run wrangler for the ceiling: {e}"))?;
        let pid = child.id();
        // Stops the group when the bench exits, however it exits.
        let watchdog = integration_tests::watchdog(pid)
            .map_err(|e| format!("cannot run the watchdog: {e}"))?;
        let mut ceiling = Ceiling {
            base: format!("http://127.0.0.1:{port}"),
            pid,
            child,
            _watchdog: watchdog,
        };
        ceiling.wait_ready(&log)?;
        Ok(ceiling)
    }

    fn wait_ready(&mut self, log: &Path) -> Result<()> {
        let started = Instant::now();
        let addr = self.base.trim_start_matches("http://").to_owned();
        while started.elapsed() < Duration::from_secs(120) {
            if http_status(&addr).is_some_and(|s| s == 200) {
                eprintln!(
                    "ceiling ready at {} in {:.1?}",
                    self.base,
                    started.elapsed()
                );
                return Ok(());
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                let text = std::fs::read_to_string(log).unwrap_or_default();
                return Err(format!("the ceiling's wrangler exited ({status}):\n{text}"));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        Err(format!(
            "the ceiling did not answer within 120 s (see {})",
            log.display()
        ))
    }
}

impl Drop for Ceiling {
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

/// The status of a plain HTTP/1.0 GET of `/`, if any.
fn http_status(addr: &str) -> Option<u16> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(s, "GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut buf = [0u8; 64];
    let n = s.read(&mut buf).ok()?;
    String::from_utf8_lossy(&buf[..n])
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

struct Stat {
    ppid: u32,
    comm: String,
    /// utime + stime, in clock ticks.
    ticks: u64,
    /// cutime + cstime: children it has waited for.
    child_ticks: u64,
}

fn stat(pid: u32) -> Option<Stat> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let open = text.find('(')?;
    let close = text.rfind(')')?;
    let comm = text.get(open + 1..close)?.to_owned();
    // After the command: state, ppid, ... utime and stime are fields 14 and 15 of the line.
    let rest: Vec<&str> = text.get(close + 1..)?.split_whitespace().collect();
    let ppid = rest.get(1)?.parse().ok()?;
    let utime: u64 = rest.get(11)?.parse().ok()?;
    let stime: u64 = rest.get(12)?.parse().ok()?;
    let cutime: u64 = rest.get(13)?.parse().ok()?;
    let cstime: u64 = rest.get(14)?.parse().ok()?;
    Some(Stat {
        ppid,
        comm,
        ticks: utime + stime,
        child_ticks: cutime + cstime,
    })
}

fn all_processes() -> BTreeMap<u32, Stat> {
    let mut map = BTreeMap::new();
    if let Ok(dir) = std::fs::read_dir("/proc") {
        for entry in dir.flatten() {
            if let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse().ok()) {
                if let Some(s) = stat(pid) {
                    map.insert(pid, s);
                }
            }
        }
    }
    map
}

/// `root` and the processes descending from it, leaving out the subtrees of `except`.
fn tree(procs: &BTreeMap<u32, Stat>, root: u32, except: &[u32]) -> BTreeSet<u32> {
    let mut children: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for (pid, s) in procs {
        children.entry(s.ppid).or_default().push(*pid);
    }
    let mut seen = BTreeSet::new();
    let mut todo = vec![root];
    while let Some(pid) = todo.pop() {
        if except.contains(&pid) || !seen.insert(pid) {
            continue;
        }
        todo.extend(children.get(&pid).into_iter().flatten());
    }
    seen
}

/// `workerd` processes descending from `root`, leaving out the subtrees of `except`.
pub fn workerd_under(root: u32, except: &[u32]) -> Vec<u32> {
    let procs = all_processes();
    tree(&procs, root, except)
        .into_iter()
        .filter(|pid| procs.get(pid).is_some_and(|s| s.comm == "workerd"))
        .collect()
}

/// CPU time used so far by `root` and everything under it (live processes, and the children
/// they have waited for), in milliseconds.
pub fn tree_cpu_ms(root: u32, ticks_per_second: f64) -> f64 {
    let procs = all_processes();
    let ticks: u64 = tree(&procs, root, &[])
        .iter()
        .filter_map(|pid| procs.get(pid))
        .map(|s| s.ticks + s.child_ticks)
        .sum();
    ticks as f64 * 1000.0 / ticks_per_second
}

/// Busy CPU time of the whole machine so far (`/proc/stat`: all but idle and iowait), in ms.
pub fn machine_busy_ms(ticks_per_second: f64) -> f64 {
    let text = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let fields: Vec<u64> = text
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal (guest time is already in user).
    let busy: u64 = fields
        .iter()
        .take(8)
        .enumerate()
        .filter(|(i, _)| *i != 3 && *i != 4)
        .map(|(_, v)| v)
        .sum();
    busy as f64 * 1000.0 / ticks_per_second
}

/// CPU time (user + system) the processes have used so far, in milliseconds.
pub fn cpu_ms(pids: &[u32], ticks_per_second: f64) -> f64 {
    let ticks: u64 = pids.iter().filter_map(|p| stat(*p)).map(|s| s.ticks).sum();
    ticks as f64 * 1000.0 / ticks_per_second
}

/// Clock ticks per second (`getconf CLK_TCK`; 100 on Linux if that fails).
pub fn ticks_per_second() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}

/// Resident memory of each process, in KiB (`VmRSS`; 0 for a process that is gone).
pub fn rss_kib(pids: &[u32]) -> Vec<u64> {
    pids.iter()
        .map(|p| {
            std::fs::read_to_string(format!("/proc/{p}/status"))
                .ok()
                .and_then(|text| {
                    text.lines()
                        .find(|l| l.starts_with("VmRSS:"))
                        .and_then(|l| l.split_whitespace().nth(1))
                        .and_then(|v| v.parse::<u64>().ok())
                })
                .unwrap_or(0)
        })
        .collect()
}
