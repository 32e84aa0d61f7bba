//! `catalog`: check a catalog file, or write the KV entries that publish it.
//!
//! ```text
//! catalog check FILE            # validate; list every problem with its path
//! catalog kv-bulk FILE OUT      # write OUT for `wrangler kv bulk put OUT --binding CATALOG`
//! ```
//!
//! Exit status: 0 on success, 1 if the catalog has problems, 2 on bad usage or I/O errors.

use domain::{kv, Catalog};
use std::process::ExitCode;

fn load(path: &str) -> Result<Catalog, ExitCode> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        eprintln!("catalog: cannot read {path}: {e}");
        ExitCode::from(2)
    })?;
    Catalog::from_json(&text).map_err(|problems| {
        eprintln!("catalog: {path} has {} problem(s):", problems.len());
        for p in problems {
            eprintln!("  {}: {}", p.path, p.message);
        }
        ExitCode::from(1)
    })
}

fn run(args: &[String]) -> Result<(), ExitCode> {
    match args {
        [cmd, file] if cmd == "check" => {
            let catalog = load(file)?;
            let variants: usize = catalog.products.iter().map(|p| p.variants.len()).sum();
            println!(
                "{file}: ok, version {}, {} collections, {} products, {} variants",
                catalog.version(),
                catalog.collections.len(),
                catalog.products.len(),
                variants
            );
            Ok(())
        }
        [cmd, file, out] if cmd == "kv-bulk" => {
            let catalog = load(file)?;
            let entries = kv::entries(&catalog).map_err(|e| {
                eprintln!("catalog: cannot encode: {e}");
                ExitCode::from(2)
            })?;
            let bulk: Vec<serde_json::Value> = entries
                .into_iter()
                .map(|(key, value)| serde_json::json!({ "key": key, "value": value }))
                .collect();
            let text = serde_json::to_string(&bulk).map_err(|e| {
                eprintln!("catalog: cannot encode: {e}");
                ExitCode::from(2)
            })?;
            std::fs::write(out, text).map_err(|e| {
                eprintln!("catalog: cannot write {out}: {e}");
                ExitCode::from(2)
            })?;
            println!(
                "{out}: {} KV entries for catalog version {}",
                bulk.len(),
                catalog.version()
            );
            Ok(())
        }
        _ => {
            eprintln!("usage: catalog check FILE | catalog kv-bulk FILE OUT");
            Err(ExitCode::from(2))
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}
