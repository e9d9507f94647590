//! npm module specs, checked before anything runs: a package name under npm's rules and a version
//! that is a semver range or a dist-tag. Never a `git+`, `file:`, URL, path, alias or option.
//! Also the registry every npm run uses (`REDSTAGE_NPM_REGISTRY`): an http(s) URL and nothing else.

/// A module name npm would publish (`node-red-node-random`, `@flowfuse/node-red-dashboard`).
pub fn package_name(name: &str) -> Result<(), String> {
    let refuse = |why: &str| Err(format!("{name:?} is not an npm package name: {why}."));
    if name.is_empty() || name.len() > 214 {
        return refuse("it must have 1 to 214 characters");
    }
    let bare = match name.strip_prefix('@') {
        Some(scoped) => match scoped.split_once('/') {
            Some((scope, rest)) if part_ok(scope) => rest,
            _ => return refuse("a scope is @scope/name"),
        },
        None => name,
    };
    if !part_ok(bare) {
        return refuse(
            "use lowercase letters, digits, '-', '.', '_' and '~', not starting with '.', '_' or '-'",
        );
    }
    if matches!(bare, "node_modules" | "favicon.ico") {
        return refuse("that name is reserved");
    }
    Ok(())
}

fn part_ok(part: &str) -> bool {
    !part.is_empty()
        && !part.starts_with(['.', '_', '-'])
        && part
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-._~".contains(&b))
}

/// A version to install: empty (the latest), a semver version or range (`1.2.3`, `^1.2`,
/// `>=1 <2`, `1.x`), or a dist-tag (`latest`, `next`).
pub fn version(version: &str) -> Result<(), String> {
    if version.is_empty() {
        return Ok(());
    }
    let refuse = || {
        Err(format!(
            "{version:?} is not a version npm can install from the registry: use a version, a range or a tag."
        ))
    };
    if version.len() > 256 || version.starts_with('-') || version.contains([':', '/', '\\', '@']) {
        return refuse();
    }
    let tag = version.starts_with(|c: char| c.is_ascii_alphabetic())
        && version
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b));
    // npm separates comparators with spaces, the semver crate with commas; `||` alternatives and
    // hyphen ranges are npm's own, so each side is checked on its own.
    let range = version.split("||").all(|alternative| {
        let words: Vec<&str> = alternative
            .split_whitespace()
            .filter(|w| *w != "-")
            .collect();
        !words.is_empty()
            && words.iter().all(|word| {
                semver::VersionReq::parse(word).is_ok()
                    || semver::VersionReq::parse(word.trim_start_matches(['=', 'v'])).is_ok()
            })
    });
    if tag || range { Ok(()) } else { refuse() }
}

/// A registry URL for npm (`https://npm.example.com/`, `http://127.0.0.1:4873/repo/`): http or
/// https with a host, no user name or password (the URL reaches every runtime's environment and
/// the log; registry credentials belong in npm's own configuration), no query or fragment. The
/// result ends with `/`, as npm joins package names onto it.
pub fn registry_url(raw: &str) -> Result<String, String> {
    // A URL with `user:password@` in it is not repeated: the message goes to the console and log.
    let shown = match raw.contains('@') {
        true => "the URL given".to_owned(),
        false => format!("{raw:?}"),
    };
    let refuse = |why: &str| Err(format!("{shown} is not an npm registry URL: {why}."));
    let Ok(mut url) = url::Url::parse(raw.trim()) else {
        return refuse("write it as http://host[:port]/ or https://host[:port]/path/");
    };
    if !matches!(url.scheme(), "http" | "https") {
        return refuse("it must start with http:// or https://");
    }
    if url.host_str().is_none_or(str::is_empty) {
        return refuse("it has no host");
    }
    if !url.username().is_empty() || url.password().is_some() {
        return refuse("it must not hold a user name or password");
    }
    if url.query().is_some() || url.fragment().is_some() {
        return refuse("it must not have a query (?…) or fragment (#…)");
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_names_follow_npm() {
        for ok in [
            "node-red-node-random",
            "@flowfuse/node-red-dashboard",
            "a",
            "x.y_z~1",
        ] {
            assert!(package_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "-rf",
            "Node-Red",
            "../x",
            "a/b",
            "@scope",
            "@/x",
            "_x",
            ".x",
            "git+https://x",
            "file:../x",
            "x y",
            "node_modules",
            "a;b",
            &"a".repeat(215),
        ] {
            assert!(package_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn versions_are_ranges_or_tags() {
        for ok in [
            "",
            "0.4.1",
            "^1.2.3",
            "~1.2",
            ">=1.0.0 <2.0.0",
            "1.x",
            "latest",
            "next",
            "1 || 2",
            "1.0.0 - 2.0.0",
            "v1.2.3",
        ] {
            assert!(version(ok).is_ok(), "{ok}");
        }
        for bad in [
            "--registry=http://evil",
            "file:../x",
            "git+ssh://x",
            "http://x/y.tgz",
            "npm:other@1",
            "../path",
            "1.0.0; rm -rf /",
            "a b",
            "user/repo",
        ] {
            assert!(version(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn registries_are_plain_http_urls() {
        for (ok, normalised) in [
            ("https://registry.npmjs.org", "https://registry.npmjs.org/"),
            ("http://127.0.0.1:4873/", "http://127.0.0.1:4873/"),
            (
                "https://nexus.example.com/repository/npm",
                "https://nexus.example.com/repository/npm/",
            ),
        ] {
            assert_eq!(registry_url(ok).as_deref(), Ok(normalised), "{ok}");
        }
        for bad in [
            "",
            "registry.npmjs.org",
            "file:///srv/npm",
            "ftp://mirror.example.com/",
            "--registry=http://x",
            "https://user:secret@npm.example.com/",
            "https://token@npm.example.com/",
            "https://npm.example.com/?a=b",
            "https://npm.example.com/#x",
            "http://",
        ] {
            assert!(registry_url(bad).is_err(), "{bad}");
        }
    }
}
