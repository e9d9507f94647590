//! Environment variables of an instance: key rules, and the merge a promotion applies (only keys
//! travel: new keys arrive without a value, target values are never changed, target-only keys stay).

use std::collections::BTreeSet;

/// Longest accepted key.
pub const MAX_KEY: usize = 128;
/// Longest accepted value (Node-RED passes them through the process environment).
pub const MAX_VALUE: usize = 32 * 1024;

/// A valid environment variable name: `[A-Za-z_][A-Za-z0-9_]*`, at most [`MAX_KEY`] characters.
pub fn key(raw: &str) -> Result<String, &'static str> {
    let value = raw.trim();
    if value.is_empty() {
        return Err("Enter a name.");
    }
    let mut bytes = value.bytes();
    let first_ok = bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_');
    if !first_ok || !bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err("Use letters, digits and _ only, not starting with a digit (e.g. API_URL).");
    }
    if value.len() > MAX_KEY {
        return Err("Use at most 128 characters.");
    }
    if let Some(why) = reserved(value) {
        return Err(why);
    }
    Ok(value.to_owned())
}

/// Why a variable name cannot be an instance's: it would change how the runtime itself starts
/// (which program runs, with which options and libraries), or redstage sets it.
pub fn reserved(key: &str) -> Option<&'static str> {
    let upper = key.to_ascii_uppercase();
    if matches!(
        upper.as_str(),
        "PATH" | "HOME" | "PWD" | "SHELL" | "USER" | "TMPDIR"
    ) {
        return Some("redstage sets this for the runtime itself; it cannot be changed here.");
    }
    if upper.starts_with("NODE_") {
        return Some(
            "NODE_… variables change how Node.js and Node-RED start (options, module paths, TLS); they cannot be set here.",
        );
    }
    if upper.starts_with("LD_") {
        return Some(
            "LD_… variables change which libraries the runtime loads; they cannot be set here.",
        );
    }
    if upper.starts_with("REDSTAGE_") {
        return Some("REDSTAGE_… names are redstage's own; choose another name.");
    }
    None
}

/// A value: kept exactly as typed (spaces are meaningful), bounded, no NUL (the environment cannot hold it).
pub fn value(raw: &str) -> Result<String, &'static str> {
    if raw.len() > MAX_VALUE {
        return Err("Use at most 32 KiB.");
    }
    if raw.contains('\0') {
        return Err("Values cannot contain NUL characters.");
    }
    Ok(raw.to_owned())
}

/// Keys to add to a target so it has every key of the source: the source keys it lacks, sorted.
/// The caller adds them with no value; nothing else on the target changes.
pub fn keys_to_add<'a>(
    source: impl IntoIterator<Item = &'a str>,
    target: impl IntoIterator<Item = &'a str>,
) -> Vec<String> {
    let target: BTreeSet<&str> = target.into_iter().collect();
    let source: BTreeSet<&str> = source.into_iter().collect();
    source
        .difference(&target)
        .map(|k| (*k).to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_change_how_the_runtime_starts_are_refused() {
        for name in [
            "PATH",
            "path",
            "HOME",
            "NODE_OPTIONS",
            "NODE_PATH",
            "NODE_ENV",
            "node_tls_reject_unauthorized",
            "LD_PRELOAD",
            "LD_LIBRARY_PATH",
            "REDSTAGE_DATA_DIR",
        ] {
            assert!(key(name).is_err(), "{name}");
        }
        for name in ["API_URL", "NODEBB_URL", "MY_PATH", "GREETING", "TZ"] {
            assert_eq!(key(name).as_deref(), Ok(name), "{name}");
        }
    }

    #[test]
    fn keys_follow_the_environment_variable_grammar() {
        for good in ["A", "_x", "API_URL_2", "greeting"] {
            assert_eq!(key(good), Ok(good.to_owned()));
        }
        for bad in ["", " ", "2FA", "A-B", "A B", "Ä", "$HOME", "a=b"] {
            assert!(key(bad).is_err(), "{bad:?}");
        }
        assert!(key(&"K".repeat(129)).is_err());
    }

    #[test]
    fn values_keep_spaces_but_not_nul() {
        assert_eq!(value("  spaced "), Ok("  spaced ".to_owned()));
        assert!(value("a\0b").is_err());
    }

    #[test]
    fn only_missing_keys_are_added() {
        let added = keys_to_add(["A", "B"], ["A", "C"]);
        assert_eq!(added, ["B"]);
        assert!(keys_to_add(["A"], ["A", "C"]).is_empty());
    }
}
