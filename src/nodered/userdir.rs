//! The local driver's userDirs as a whole: copying one instance's content (flows, credentials
//! re-encrypted with the copy's own secret, extra modules, the library) and sweeping the userDirs
//! no instance owns. Settings are not content: settings.js is generated from the database.

use std::path::Path;

use anyhow::Context;

use super::credentials;

/// Delete every directory under `root` that looks like a userDir (named like an instance id), and
/// every sandbox hosts file (`<id>.hosts`), of an instance not in `known`; what was deleted.
pub fn sweep(root: &Path, known: &std::collections::HashSet<String>) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(root) else {
        return Vec::new();
    };
    let mut swept = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        // A userDir, or the hosts file of its sandbox.
        let id = if is_dir {
            Some(name.as_str())
        } else {
            name.strip_suffix(".hosts")
        };
        let orphan = id.is_some_and(|id| crate::db::ids::looks_like_id(id) && !known.contains(id));
        if !orphan {
            continue;
        }
        let removed = if is_dir {
            std::fs::remove_dir_all(entry.path())
        } else {
            std::fs::remove_file(entry.path())
        };
        match removed {
            Ok(()) => swept.push(entry.path()),
            Err(error) => tracing::warn!(dir = %entry.path().display(), %error, "could not sweep"),
        }
    }
    swept
}

/// Copy the content of one userDir into a new one, re-encrypting credentials for `new_secret`.
pub fn copy_user_dir(
    from: &Path,
    to: &Path,
    old_secret: &str,
    new_secret: &str,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(to).with_context(|| format!("cannot create {}", to.display()))?;
    for file in ["flows.json", "package.json", "package-lock.json"] {
        let source = from.join(file);
        if source.is_file() {
            std::fs::copy(&source, to.join(file))
                .with_context(|| format!("cannot copy {}", source.display()))?;
        }
    }
    let creds = from.join("flows_cred.json");
    if creds.is_file() {
        let text = std::fs::read_to_string(&creds)?;
        let file: serde_json::Value =
            serde_json::from_str(&text).context("flows_cred.json is not JSON")?;
        let plain = credentials::decrypt(old_secret, &file)
            .context("cannot decrypt the source's credentials")?;
        let encrypted = credentials::encrypt(new_secret, &plain);
        std::fs::write(to.join("flows_cred.json"), serde_json::to_vec(&encrypted)?)?;
    }
    for dir in ["node_modules", "lib"] {
        let source = from.join(dir);
        if source.is_dir() {
            copy_tree(&source, &to.join(dir))?;
        }
    }
    Ok(())
}

/// Recursive copy keeping symbolic links as links (node_modules/.bin uses relative ones).
pub fn copy_tree(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let (source, target) = (entry.path(), to.join(entry.file_name()));
        let kind = entry.file_type()?;
        if kind.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(&source)?, &target)?;
        } else if kind.is_dir() {
            copy_tree(&source, &target)?;
        } else {
            std::fs::copy(&source, &target)
                .with_context(|| format!("cannot copy {}", source.display()))?;
        }
    }
    Ok(())
}
