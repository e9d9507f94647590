//! Validation of what users type: names, slugs, user names, descriptions, passwords.
//! Each validator returns the cleaned value or the message to show next to the field.

/// Longest accepted name (teams, applications, instances, pipelines, stages).
pub const MAX_NAME: usize = 100;
/// Longest accepted description.
pub const MAX_DESCRIPTION: usize = 500;
/// Shortest accepted password.
pub const MIN_PASSWORD: usize = 8;
/// Longest accepted password (argon2 would take more, but nobody types this much).
pub const MAX_PASSWORD: usize = 256;

/// A display name: trimmed, non-empty, at most [`MAX_NAME`] characters, no control characters.
/// HTML and quotes are allowed: every template escapes them.
pub fn name(raw: &str) -> Result<String, &'static str> {
    let value = raw.trim();
    if value.is_empty() {
        return Err("Enter a name.");
    }
    if value.chars().count() > MAX_NAME {
        return Err("Use at most 100 characters.");
    }
    if value.chars().any(char::is_control) {
        return Err("Names cannot contain control characters such as line breaks.");
    }
    Ok(value.to_owned())
}

/// An optional description: trimmed, at most [`MAX_DESCRIPTION`] characters.
pub fn description(raw: &str) -> Result<String, &'static str> {
    let value = raw.trim();
    if value.chars().count() > MAX_DESCRIPTION {
        return Err("Use at most 500 characters.");
    }
    Ok(value.to_owned())
}

/// A team slug: 2–40 of `a-z 0-9 -`, starting and ending with a letter or digit.
pub fn slug(raw: &str) -> Result<String, &'static str> {
    let value = raw.trim();
    if value.is_empty() {
        return Err("Enter a slug.");
    }
    let ok_chars = value
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    let ok_ends = !value.starts_with('-') && !value.ends_with('-');
    if !ok_chars || !ok_ends || value.contains("--") {
        return Err("Use lowercase letters, digits and single hyphens (e.g. plant-ops).");
    }
    if !(2..=40).contains(&value.len()) {
        return Err("Use 2 to 40 characters.");
    }
    Ok(value.to_owned())
}

/// Suggest a slug from a name: lowercase ASCII letters and digits, other runs become one hyphen.
pub fn slugify(name: &str) -> String {
    hyphenated(name, 40)
}

/// `name` in lowercase ASCII letters and digits, every other run one hyphen, at most `max`
/// characters, with no hyphen at either end (slugs, instance labels).
pub fn hyphenated(name: &str, max: usize) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let short: String = out.trim_end_matches('-').chars().take(max).collect();
    short.trim_end_matches('-').to_owned()
}

/// A user name: 2–64 of letters, digits, `.`, `_`, `-`.
pub fn username(raw: &str) -> Result<String, &'static str> {
    let value = raw.trim();
    if value.is_empty() {
        return Err("Enter a user name.");
    }
    if !value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    {
        return Err("Use letters, digits, dots, hyphens and underscores only.");
    }
    if !(2..=64).contains(&value.len()) {
        return Err("Use 2 to 64 characters.");
    }
    Ok(value.to_owned())
}

/// A new password: at least [`MIN_PASSWORD`] characters. Not trimmed: spaces are characters too.
pub fn password(raw: &str) -> Result<String, &'static str> {
    let count = raw.chars().count();
    if count < MIN_PASSWORD {
        return Err("Use at least 8 characters.");
    }
    if count > MAX_PASSWORD {
        return Err("Use at most 256 characters.");
    }
    Ok(raw.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(name("  Plant <Ops> \"A\" "), Ok("Plant <Ops> \"A\"".into()));
        assert!(name("   ").is_err());
        assert!(name("").is_err());
        assert!(name(&"x".repeat(101)).is_err());
        assert!(name(&"é".repeat(100)).is_ok());
        assert!(name("two\nlines").is_err());
    }

    #[test]
    fn slugs_are_lowercase_words_with_single_hyphens() {
        assert_eq!(slug("plant-ops"), Ok("plant-ops".into()));
        for bad in ["", "a", "Plant", "-ops", "ops-", "a--b", "a b", "<x>"] {
            assert!(slug(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(slug(&"a".repeat(41)).is_err());
    }

    #[test]
    fn slugify_makes_a_valid_slug_from_most_names() {
        assert_eq!(slugify("Plant Ops (EU) 2"), "plant-ops-eu-2");
        assert_eq!(slugify("  ***  "), "");
        assert!(slug(&slugify(&"Long name ".repeat(20))).is_ok());
    }

    #[test]
    fn usernames_and_passwords() {
        assert_eq!(username(" alice.b "), Ok("alice.b".into()));
        assert!(username("al ice").is_err());
        assert!(username("a").is_err());
        assert!(password("short").is_err());
        assert!(password("long enough").is_ok());
    }
}
