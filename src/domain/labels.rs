//! Instance labels: the DNS name of an instance's own origin (`{label}.{domain}`). A label is one
//! DNS label (RFC 1123): 1–63 of `a-z 0-9 -`, starting and ending with a letter or digit. It is
//! derived from the instance's name when the instance is made, and can be changed afterwards.

/// Longest label (a DNS label's limit).
pub const MAX_LABEL: usize = 63;

/// Labels an instance cannot take: names people expect to mean the platform or the mail and
/// web hosts of a domain, so a wildcard DNS entry cannot be used to impersonate them.
const RESERVED: [&str; 8] = [
    "www", "api", "admin", "app", "mail", "redstage", "static", "platform",
];

/// A label typed by a user, or the message to show next to the field.
pub fn label(raw: &str) -> Result<String, &'static str> {
    let value = raw.trim().to_ascii_lowercase();
    if value.is_empty() {
        return Err("Enter a label.");
    }
    if value.len() > MAX_LABEL {
        return Err("Use at most 63 characters.");
    }
    let ok_chars = value
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !ok_chars || value.starts_with('-') || value.ends_with('-') {
        return Err(
            "Use lowercase letters, digits and hyphens, starting and ending with a letter or digit (e.g. line-1-dev).",
        );
    }
    if RESERVED.contains(&value.as_str()) {
        return Err("That label is reserved; choose another.");
    }
    Ok(value)
}

/// A label for an instance named `name`: its letters and digits, other runs one hyphen; a
/// placeholder when nothing is left. Not checked for uniqueness (see [`candidates`]).
pub fn from_name(name: &str) -> String {
    // Room for "-NNN" when the name is taken.
    let base = super::names::hyphenated(name, MAX_LABEL - 4);
    match label(&base) {
        Ok(base) => base,
        Err(_) if base.is_empty() => "instance".to_owned(),
        // Reserved: keep it recognisable.
        Err(_) => format!("{base}-1"),
    }
}

/// The labels to try, in order, for an instance named `name`: `dev`, `dev-2`, `dev-3`, ...
pub fn candidates(name: &str) -> impl Iterator<Item = String> {
    let base = from_name(name);
    std::iter::once(base.clone()).chain((2..).map(move |n| format!("{base}-{n}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_single_dns_labels() {
        assert_eq!(label(" Line-1-Dev ").as_deref(), Ok("line-1-dev"));
        for bad in [
            "",
            "-dev",
            "dev-",
            "dev.prod",
            "dev_prod",
            "dév",
            "www",
            &"a".repeat(64),
        ] {
            assert!(label(bad).is_err(), "{bad:?}");
        }
        assert!(label(&"a".repeat(63)).is_ok());
    }

    #[test]
    fn labels_come_from_names_and_are_made_unique_by_a_number() {
        assert_eq!(from_name("Development"), "development");
        assert_eq!(from_name("Line 1 / QA!"), "line-1-qa");
        assert_eq!(from_name("Ünïcode"), "n-code");
        assert_eq!(from_name("…"), "instance");
        assert_eq!(from_name("WWW"), "www-1");
        assert!(label(&from_name(&"long name ".repeat(20))).is_ok());
        let first: Vec<String> = candidates("Dev").take(3).collect();
        assert_eq!(first, ["dev", "dev-2", "dev-3"]);
    }
}
