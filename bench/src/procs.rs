//! What `/proc` says about the runtime: which processes belong to which contender, their CPU
//! time and resident memory.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::Result;

/// A free loopback port (the harness's).
pub fn free_port() -> Result<u16> {
    integration_tests::free_port().map_err(|e| format!("free port: {e}"))
}

/// PATH with the pinned Node 22 and npm binaries first (the harness's).
pub fn tool_path(_root: &Path) -> String {
    integration_tests::tool_path()
}

/// The status of a plain HTTP/1.0 GET of `/`, if any.
pub fn http_status(addr: &str) -> Option<u16> {
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

/// The `wrangler dev` serving on `port` among the descendants of `ancestor`: the topmost
/// process whose command line has `--port <port>` (wrangler's launcher re-runs itself as a
/// child with the same arguments).
pub fn wrangler_for_port(ancestor: u32, port: u16) -> Option<u32> {
    let procs = all_processes();
    let wanted = port.to_string();
    let matching: BTreeSet<u32> = tree(&procs, ancestor, &[])
        .into_iter()
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|line| {
                let args: Vec<&[u8]> = line.split(|b| *b == 0).collect();
                args.windows(2)
                    .any(|w| w[0] == b"--port" && w[1] == wanted.as_bytes())
            })
        })
        .collect();
    matching
        .iter()
        .copied()
        .find(|pid| procs.get(pid).is_none_or(|s| !matching.contains(&s.ppid)))
}

/// `workerd` processes descending from `root`, leaving out the subtrees of `except`.
pub fn workerd_under(root: u32, except: &[u32]) -> Vec<u32> {
    let procs = all_processes();
    tree(&procs, root, except)
        .into_iter()
        .filter(|pid| procs.get(pid).is_some_and(|s| s.comm == "workerd"))
        .collect()
}

/// Processes that build rather than serve: wrangler runs the shop's build command (`make -s
/// worker`) when its sources change, and that counts as the machine's work, not the bench's.
const BUILDS: [&str; 2] = ["make", "cargo"];

/// Busy CPU time of the machine so far less that of `me` and everything under it but builds,
/// in ms: what other processes (and builds) took from the bench.
pub fn others_cpu_ms(me: u32, ticks_per_second: f64) -> f64 {
    let procs = all_processes();
    let builds: Vec<u32> = procs
        .iter()
        .filter(|(_, s)| BUILDS.contains(&s.comm.as_str()))
        .map(|(pid, _)| *pid)
        .collect();
    let ours: u64 = tree(&procs, me, &builds)
        .iter()
        .filter_map(|pid| procs.get(pid))
        .map(|s| s.ticks + s.child_ticks)
        .sum();
    machine_busy_ms(ticks_per_second) - ours as f64 * 1000.0 / ticks_per_second
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
