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
    Ok(value.to_owned())
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
