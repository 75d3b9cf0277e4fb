//! The layers of the crate, and the test that keeps them pointing one way.
//!
//! Each top-level module is one layer and may use only the layers under it, so no two
//! modules import each other, directly or around a circle. Bottom first ([`LAYERS`]):
//!
//! 1. `codes`: the error codes and their type, [`ErrorCode`](crate::ErrorCode). Every
//!    error has a code, the wire's too, so this is the bottom.
//! 2. `encoding`: what knows nothing of actors: `WireError`, the size limit, `postcard`
//!    written with that limit and read whole, the bound on nesting, the text of a panic.
//! 3. `api`: the types users see (messages, addresses, errors, capabilities, system
//!    messages, actors, the context and the `ActorHost` trait it calls through, dispatch,
//!    watches, logging settings), and a message's encoding by its registered name, which
//!    system messages need for the messages nested in them.
//! 4. `wire`: the envelopes and frames between processes; the public face of the encoding.
//! 5. `patterns`: troupes, transient actors, initializing messages: actors wrapping actors,
//!    built on the Actor API and the wire's encoding.
//! 6. `core`: the kernel every base drives; it implements `ActorHost`.
//! 7. `process`: the zygote, the starter and the roles a process of the program can take.
//!    The admin's role is code of the bases, registered with `inventory`, not called.
//! 8. `bases`: the simple and multi-process bases, which use everything under them.
//! 9. `system`: the `ActorSystem` facade, which picks a base and starts it.
//!
//! The crate root (`lib.rs`) is above them all: it re-exports, and holds `prelude`,
//! `__private` and `init`.
//!
//! The test reads the sources: a `crate::<module>` path in the code of one layer must name
//! that layer or one under it; so must a `crate::<Item>` path, the layer being the module the
//! crate root re-exports the item from. Comments are not read (documentation may link to any
//! layer), nor `$crate::` paths (a macro's output belongs to the crate using it).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The crate's top-level modules, bottom first: each may use only those before it.
const LAYERS: &[&str] = &["codes", "encoding", "api", "wire", "patterns", "core", "process", "bases", "system"];

/// The layer of the crate root: above every module.
const ROOT: usize = LAYERS.len();

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|m| *m == module)
}

fn ident_at(text: &str) -> &str {
    let end = text.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(text.len());
    &text[..end]
}

/// The first segment of the path that `rest` starts with, or of each path of a group
/// (`{api::actor, wire}`).
fn first_segments(rest: &str) -> Vec<&str> {
    let Some(group) = rest.strip_prefix('{') else { return vec![ident_at(rest)] };
    let mut names = vec![ident_at(group.trim_start())];
    let mut depth = 0_usize;
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => names.push(ident_at(group[i + 1..].trim_start())),
            _ => {}
        }
    }
    names.retain(|name| !name.is_empty());
    names
}

/// The items the crate root re-exports from a layer (`pub use api::actor::{Actor, ...};`),
/// by the name they have at the root.
fn root_reexports(lib: &str) -> HashMap<String, usize> {
    let mut names = HashMap::new();
    // Only statements at the root: those of `prelude` and `__private` are indented.
    for statement in format!("\n{lib}").split("\npub use ").skip(1) {
        let statement = statement.split(';').next().unwrap_or_default();
        let Some(layer) = layer_of(ident_at(statement)) else { continue };
        let list = match (statement.find('{'), statement.rfind('}')) {
            (Some(open), Some(close)) => &statement[open + 1..close],
            _ => statement.rsplit("::").next().unwrap_or_default(),
        };
        for item in list.split(',') {
            let name = item.rsplit(" as ").next().unwrap_or_default().trim();
            if !name.is_empty() {
                names.insert(name.to_string(), layer);
            }
        }
    }
    names
}

/// Every `crate::` path in `source` (the code of layer `layer`) that reaches a layer above
/// it, as (line number, path, the layer it reaches).
fn upward_paths(layer: usize, source: &str, reexports: &HashMap<String, usize>) -> Vec<(usize, String, usize)> {
    // The code without its comments, line for line.
    let code: Vec<&str> = source.lines().map(|line| line.split("//").next().unwrap_or_default()).collect();
    let code = code.join("\n");
    let mut found = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        if code[..at].ends_with(|c: char| c == '$' || c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let line = code[..at].matches('\n').count() + 1;
        for name in first_segments(&code[at + "crate::".len()..]) {
            let reached = layer_of(name).or_else(|| reexports.get(name).copied()).unwrap_or(ROOT);
            if reached > layer {
                found.push((line, format!("crate::{name}"), reached));
            }
        }
    }
    found
}

fn rust_files(path: &Path, files: &mut Vec<PathBuf>) {
    if path.extension().is_some_and(|e| e == "rs") {
        files.push(path.to_path_buf());
    } else if let Ok(entries) = std::fs::read_dir(path) {
        for entry in entries.flatten() {
            rust_files(&entry.path(), files);
        }
    }
}

fn layer_name(layer: usize) -> &'static str {
    LAYERS.get(layer).copied().unwrap_or("the crate root")
}

#[test]
fn design_layers_every_top_level_module_has_a_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap_or_default();
    let mut declared: Vec<&str> = lib
        .lines()
        .filter_map(|line| line.strip_prefix("pub mod ").or_else(|| line.strip_prefix("mod ")))
        .filter_map(|rest| rest.strip_suffix(';'))
        .filter(|name| *name != "layers")
        .collect();
    declared.sort_unstable();
    let mut listed = LAYERS.to_vec();
    listed.sort_unstable();
    assert_eq!(declared, listed, "every top-level module of lib.rs is one layer of LAYERS in layers.rs");
}

#[test]
fn design_layers_point_one_way() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap_or_default();
    let reexports = root_reexports(&lib);
    assert!(reexports.get("ActorSystem") == layer_of("system").as_ref(), "lib.rs re-exports read: {reexports:?}");
    let mut wrong = Vec::new();
    for (layer, module) in LAYERS.iter().enumerate() {
        let mut files = Vec::new();
        rust_files(&src.join(format!("{module}.rs")), &mut files);
        rust_files(&src.join(module), &mut files);
        assert!(!files.is_empty(), "no source for the layer `{module}`");
        for file in files {
            let source = std::fs::read_to_string(&file).unwrap_or_default();
            for (line, path, reached) in upward_paths(layer, &source, &reexports) {
                let file = file.strip_prefix(&src).unwrap_or(&file).display();
                wrong.push(format!("src/{file}:{line}: `{path}` reaches {} from {module}", layer_name(reached)));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "a layer uses a layer above it (the order, bottom first, is {LAYERS:?}):\n{}",
        wrong.join("\n")
    );
}

#[test]
fn design_layers_the_check_sees_what_it_should() {
    let reexports = root_reexports("pub use api::actor::{Actor, ActorSpec as Spec};\npub use system::ActorSystem;\n");
    let api = layer_of("api").unwrap_or_default();
    let bases = layer_of("bases").unwrap_or_default();
    let upward = |layer, source: &str| upward_paths(layer, source, &reexports).len();
    assert_eq!(upward(api, "use crate::bases::simple;"), 1, "a module path above");
    assert_eq!(upward(api, "let x = crate::core::cell::handle(a);"), 1, "a path in an expression");
    assert_eq!(upward(bases, "use crate::ActorSystem;"), 1, "an item the root re-exports from above");
    assert_eq!(upward(api, "fn f(a: &dyn crate::Actor, s: crate::Spec) {}"), 0, "items of its own layer");
    assert_eq!(upward(api, "use crate::codes::{self, ErrorCode};"), 0, "a layer below");
    assert_eq!(upward(api, "crate::init();"), 1, "an item of the crate root");
    assert_eq!(upward(api, "/// see [`x`](crate::bases::x)"), 0, "documentation may link anywhere");
    assert_eq!(upward(api, "f(); // crate::bases::x"), 0, "nor are comments read");
    assert_eq!(upward(api, "$crate::__private::inventory::submit! {}"), 0, "a macro's output path");
    assert_eq!(upward(api, "use crate::{\n    codes,\n    system::X,\n    bases::{a, b},\n};"), 2, "a group");
    let source = "use crate::codes;\n/// [`crate::bases`]\nuse crate::bases;";
    let lines: Vec<usize> = upward_paths(api, source, &reexports).iter().map(|(line, ..)| *line).collect();
    assert_eq!(lines, [3], "the line of the path");
}
