//! The end of a run: the report printed, and written to BENCHMARKS.md by a full run whose
//! every answer was as expected. A flash sale that was not exact fails a smoke run; a full run
//! keeps its figures, marked "not exact" in the report.

use std::path::Path;

use crate::{flash, report, rounds, Result};
use crate::{Mode, Results};

pub fn report(results: &Results, root: &Path) -> Result<()> {
    let text = report::markdown(results);
    println!("{text}");
    check_answers(results)?;
    match results.settings.mode {
        Mode::Full => write_benchmarks(root, &text),
        Mode::Smoke => {
            eprintln!("smoke: every route answered as expected (BENCHMARKS.md left as it is)");
            Ok(())
        }
    }
}

/// Fails on any run with unexpected answers, and in smoke mode on a flash sale that was not
/// exact (the report is printed, but not kept).
fn check_answers(results: &Results) -> Result<()> {
    let mut failures = rounds::failures(results);
    if results.settings.mode == Mode::Smoke {
        failures.extend(results.flash.iter().filter_map(|r| flash::check(r).err()));
    }
    if failures.is_empty() {
        return Ok(());
    }
    Err(format!(
        "unexpected answers (BENCHMARKS.md not written):\n{}",
        failures.join("\n")
    ))
}

fn write_benchmarks(root: &Path, text: &str) -> Result<()> {
    let file = root.join("BENCHMARKS.md");
    std::fs::write(&file, text).map_err(|e| format!("{}: {e}", file.display()))?;
    eprintln!("wrote {}", file.display());
    Ok(())
}
