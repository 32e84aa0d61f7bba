//! `catalog check FILE`: validate a catalog file and list every problem with its path, before
//! importing it (`POST /admin/api/catalog/import`, or the form on `/admin`). A catalog reaches
//! the edge only through the catalog's Durable Object, its source of truth: there is no tool
//! writing KV behind its back.
//!
//! Exit status: 0 on success, 1 if the catalog has problems, 2 on bad usage or I/O errors.

use domain::Catalog;
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
        _ => {
            eprintln!("usage: catalog check FILE");
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
