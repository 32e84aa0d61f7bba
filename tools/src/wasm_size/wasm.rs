//! Just enough of the wasm binary format to size sections and function bodies and read the
//! `name` section's function names (the WebAssembly core spec, "Binary Format", and its
//! "Name Section" appendix).

use std::collections::HashMap;

pub struct Section {
    pub name: String,
    pub size: usize,
}

pub struct Module {
    pub sections: Vec<Section>,
    /// (function index, body size in bytes) for every function defined in the module.
    pub bodies: Vec<(u32, usize)>,
    /// Function index to name, from the `name` custom section.
    pub names: HashMap<u32, String>,
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, pos: 0 }
    }

    fn done(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    fn byte(&mut self) -> Result<u8, String> {
        let b = *self.bytes.get(self.pos).ok_or("unexpected end")?;
        self.pos += 1;
        Ok(b)
    }

    fn u32(&mut self) -> Result<u32, String> {
        let mut result: u64 = 0;
        for shift in (0..35).step_by(7) {
            let b = self.byte()?;
            result |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return u32::try_from(result).map_err(|_| "LEB128 overflow".to_owned());
            }
        }
        Err("LEB128 too long".into())
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.pos.checked_add(n).ok_or("length overflow")?;
        let s = self.bytes.get(self.pos..end).ok_or("unexpected end")?;
        self.pos = end;
        Ok(s)
    }

    fn name(&mut self) -> Result<String, String> {
        let n = self.u32()? as usize;
        Ok(String::from_utf8_lossy(self.take(n)?).into_owned())
    }
}

const SECTION_NAMES: [&str; 13] = [
    "custom",
    "type",
    "import",
    "function",
    "table",
    "memory",
    "global",
    "export",
    "start",
    "element",
    "code",
    "data",
    "data count",
];

impl Module {
    pub fn parse(bytes: &[u8]) -> Result<Module, String> {
        if bytes.get(..4) != Some(b"\0asm") {
            return Err("no wasm magic".into());
        }
        let mut r = Reader::new(bytes);
        r.take(8)?;
        let mut module = Module {
            sections: Vec::new(),
            bodies: Vec::new(),
            names: HashMap::new(),
        };
        let mut imported_functions = 0u32;
        while !r.done() {
            let start = r.pos;
            let id = r.byte()?;
            let len = r.u32()? as usize;
            let body = r.take(len)?;
            let size = r.pos - start;
            let mut name = SECTION_NAMES
                .get(usize::from(id))
                .map_or_else(|| format!("unknown {id}"), |n| (*n).to_owned());
            match id {
                0 => {
                    let mut s = Reader::new(body);
                    let custom = s.name()?;
                    if custom == "name" {
                        module.names = function_names(&mut s)?;
                    }
                    name = format!("custom `{custom}`");
                }
                2 => imported_functions = count_imported_functions(body)?,
                10 => {
                    let mut s = Reader::new(body);
                    let count = s.u32()?;
                    for i in 0..count {
                        let n = s.u32()? as usize;
                        s.take(n)?;
                        module.bodies.push((imported_functions + i, n));
                    }
                }
                _ => {}
            }
            module.sections.push(Section { name, size });
        }
        Ok(module)
    }
}

fn count_imported_functions(body: &[u8]) -> Result<u32, String> {
    let mut r = Reader::new(body);
    let mut functions = 0;
    for _ in 0..r.u32()? {
        r.name()?;
        r.name()?;
        match r.byte()? {
            0 => {
                r.u32()?;
                functions += 1;
            }
            1 => {
                r.byte()?;
                limits(&mut r)?;
            }
            2 => limits(&mut r)?,
            3 => {
                r.byte()?;
                r.byte()?;
            }
            4 => {
                r.byte()?;
                r.u32()?;
            }
            k => return Err(format!("import kind {k}")),
        }
    }
    Ok(functions)
}

fn limits(r: &mut Reader) -> Result<(), String> {
    let flags = r.byte()?;
    r.u32()?;
    if flags & 1 != 0 {
        r.u32()?;
    }
    Ok(())
}

fn function_names(r: &mut Reader) -> Result<HashMap<u32, String>, String> {
    let mut names = HashMap::new();
    while !r.done() {
        let kind = r.byte()?;
        let len = r.u32()? as usize;
        let body = r.take(len)?;
        if kind == 1 {
            let mut s = Reader::new(body);
            for _ in 0..s.u32()? {
                let index = s.u32()?;
                names.insert(index, s.name()?);
            }
        }
    }
    Ok(names)
}
