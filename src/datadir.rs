//! The data directory: what it holds, and that only the server's OS user can read it. Directories
//! are 0700 and files 0600, set when they are made (the server's umask) and repaired at every
//! start, for files an older version or another tool left more open.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use actix_web::cookie::Key;
use anyhow::Context;

use crate::config::Settings;

/// From now on, whatever this process (and the runtimes it starts) creates is private to its user.
pub fn private_by_default() {
    nix::sys::stat::umask(nix::sys::stat::Mode::from_bits_truncate(0o077));
}

/// Make the data directory, its database, its keys and every userDir private again.
pub fn repair_modes(settings: &Settings) -> anyhow::Result<()> {
    set_mode(&settings.data_dir, 0o700)?;
    let database = settings.database_path();
    let mut files = vec![settings.session_key_path(), settings.runtime_key_path()];
    for suffix in ["", "-wal", "-shm", "-journal"] {
        files.push(database.with_file_name(format!("redstage.sqlite{suffix}")));
    }
    for file in files.iter().filter(|f| f.exists()) {
        set_mode(file, 0o600)?;
    }
    let instances = settings.instances_dir();
    if instances.is_dir() {
        set_mode(&instances, 0o700)?;
        for entry in std::fs::read_dir(&instances)?.flatten() {
            let mode = if entry.path().is_dir() { 0o700 } else { 0o600 };
            set_mode(&entry.path(), mode)?;
        }
    }
    Ok(())
}

fn set_mode(path: &Path, mode: u32) -> anyhow::Result<()> {
    let current = std::fs::metadata(path)
        .with_context(|| format!("cannot read {}", path.display()))?
        .permissions()
        .mode()
        & 0o777;
    if current != mode {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .with_context(|| format!("cannot make {} private", path.display()))?;
        tracing::info!(path = %path.display(), "made private (mode {mode:o}, was {current:o})");
    }
    Ok(())
}

/// The session-cookie key, persisted so that restarts keep people signed in.
pub fn session_key(path: &Path) -> anyhow::Result<Key> {
    if let Ok(bytes) = std::fs::read(path) {
        if bytes.len() >= 64 {
            return Ok(Key::from(&bytes));
        }
        tracing::warn!(path = %path.display(), "session key file is too short; replacing it");
    }
    let key = Key::generate();
    write_private(path, key.master())?;
    Ok(key)
}

/// Write a file readable only by its owner.
pub fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    options.mode(0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    file.write_all(bytes)?;
    Ok(())
}
