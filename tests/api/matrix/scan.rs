//! The routes the source registers: every `web::resource(…)` under src/web, read at test time
//! (no regex), its pattern a string literal or a `&str` constant defined under src/web (as
//! `NAME: &str = "…"` or, in a table macro, `NAME = "…"`), and the methods of its `.route(…)`s.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Every .rs file under `dir`, its comment lines left out (a doc may quote `web::resource(`).
fn sources(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).expect("source file");
            let code: Vec<&str> = text
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect();
            out.push((path, code.join("\n")));
        }
    }
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The string a constant `name` is defined as, in any of `files`.
fn constant(name: &str, files: &[(PathBuf, String)]) -> Option<String> {
    for (_, text) in files {
        for (at, _) in text.match_indices(name) {
            let before = text[..at].chars().next_back();
            let rest = &text[at + name.len()..];
            if before.is_some_and(is_ident) || rest.chars().next().is_some_and(is_ident) {
                continue;
            }
            let rest = rest.trim_start();
            // `NAME: &str = "…"` or `NAME = "…"`, not `NAME == …`.
            let value = match rest.strip_prefix(':') {
                Some(typed) => typed.split_once('=').map(|(_, v)| v),
                None => rest.strip_prefix('=').filter(|v| !v.starts_with('=')),
            };
            let literal = value.and_then(|v| v.trim_start().strip_prefix('"'));
            if let Some((pattern, _)) = literal.and_then(|l| l.split_once('"')) {
                return Some(pattern.to_owned());
            }
        }
    }
    None
}

/// (METHOD, pattern) of every route registered under src/web. A resource with no
/// `web::<method>()` route is listed as `ANY`, so the matrix has to say what it is.
pub fn registered() -> BTreeSet<(String, String)> {
    let mut files = Vec::new();
    sources(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src/web"),
        &mut files,
    );
    let mut found = BTreeSet::new();
    for (path, text) in &files {
        for chunk in text.split("web::resource(").skip(1) {
            let (argument, rest) = match chunk.strip_prefix('"') {
                Some(literal) => literal.split_once('"').map(|(p, r)| (p.to_owned(), r)),
                None => chunk.split_once(')').map(|(a, r)| (a.trim().to_owned(), r)),
            }
            .unwrap_or_else(|| panic!("{}: unreadable web::resource(…)", path.display()));
            let pattern = if chunk.starts_with('"') {
                argument
            } else {
                let name = argument.rsplit("::").next().unwrap_or_default();
                constant(name, &files).unwrap_or_else(|| {
                    panic!(
                        "{}: web::resource({argument}): no string constant {name} under src/web; \
                         teach tests/api/matrix/scan.rs where this pattern comes from",
                        path.display()
                    )
                })
            };
            // The resource's own routes: up to the end of the function it is registered in.
            let own = rest.split("\n}").next().unwrap_or_default();
            let mut methods = ["get", "post", "put", "patch", "delete", "head"]
                .into_iter()
                .filter(|m| own.contains(&format!("web::{m}()")))
                .peekable();
            if methods.peek().is_none() {
                found.insert(("ANY".to_owned(), pattern.clone()));
            }
            for method in methods {
                found.insert((method.to_uppercase(), pattern.clone()));
            }
        }
    }
    found
}
