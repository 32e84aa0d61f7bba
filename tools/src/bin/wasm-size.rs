//! `wasm-size FILE [TOP]`: where the bytes of a wasm module go, as Markdown tables: its sections,
//! then its code by crate (from the `name` section, so an unstripped build: the Worker's is
//! `target/worker-names.wasm`, the islands' `target/pkg/raw/app_bg.wasm`).

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: wasm-size FILE.wasm [TOP-CRATES] [TOP-FUNCTIONS]");
        return ExitCode::from(2);
    };
    let top: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(25);
    let functions: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(0);
    let report = storefront_tools::wasm_size::report_file;
    match report(std::path::Path::new(&path), top, functions) {
        Ok(report) => {
            print!("{report}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
