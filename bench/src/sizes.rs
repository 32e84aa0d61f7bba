//! Where the bytes of the Worker and of the islands bundle go, by crate (read from the builds
//! that keep function names: `target/worker-names.wasm` and the bundle's
//! `target/pkg/raw/app_bg.wasm`), with the same tables from before the size work
//! (`bench/size-before.md`), and the hand-written account of what bounds the missed targets
//! (`bench/bounds.md`).

use std::fmt::Write;
use std::path::Path;

/// The crates listed by name; the rest are summed.
const TOP: usize = 15;

pub fn write(o: &mut String, root: &Path) -> std::fmt::Result {
    writeln!(o, "## Where the bytes go\n")?;
    writeln!(
        o,
        "By crate, from the function names of the builds that keep them (`cargo run -p \
         storefront-tools --bin wasm-size -- FILE`); the deployed Worker is the same code with its \
         `name` and `producers` sections stripped.\n"
    )?;
    for (title, file) in [
        ("The Worker", "target/worker-names.wasm"),
        (
            "The islands bundle (before `wasm-opt`'s size pass, which the shipped file also went through)",
            "target/pkg/raw/app_bg.wasm",
        ),
    ] {
        writeln!(o, "### {title}\n")?;
        match storefront_tools::wasm_size::report_file(&root.join(file), TOP, 0) {
            Ok(tables) => writeln!(o, "{tables}")?,
            Err(e) => writeln!(o, "Not available: {e}.\n")?,
        }
    }
    include(o, &root.join("bench/size-before.md"), 1)?;
    include(o, &root.join("bench/bounds.md"), 0)
}

/// Appends a committed Markdown file, its headings pushed down by `deeper` levels.
fn include(o: &mut String, file: &Path, deeper: usize) -> std::fmt::Result {
    match std::fs::read_to_string(file) {
        Ok(text) => {
            for line in text.lines() {
                if line.starts_with('#') {
                    writeln!(o, "{}{line}", "#".repeat(deeper))?;
                } else {
                    writeln!(o, "{line}")?;
                }
            }
            writeln!(o)
        }
        Err(e) => writeln!(o, "({} is missing: {e})\n", file.display()),
    }
}
