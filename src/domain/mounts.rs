//! Extra folders an administrator lets an instance's sandbox see: one per line, `ro /path` or
//! `rw /path`. Checked here for their form; whether they exist is checked where files are.

use std::path::{Component, Path, PathBuf};

/// One extra folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    /// Absolute, without `..`.
    pub path: PathBuf,
    /// Whether flows may change it.
    pub writable: bool,
}

/// The mounts of a setting's text, or the first line's problem.
pub fn parse(text: &str) -> Result<Vec<Mount>, String> {
    let mut mounts = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (mode, path) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let writable = match mode {
            "ro" => false,
            "rw" => true,
            _ => {
                return Err(format!(
                    "{line:?}: start each line with ro or rw, then the folder."
                ));
            }
        };
        let path = Path::new(path.trim());
        let plain = path
            .components()
            .all(|c| matches!(c, Component::RootDir | Component::Normal(_)));
        if !path.is_absolute()
            || !plain
            || path == Path::new("/")
            || path.to_string_lossy().chars().any(char::is_control)
        {
            return Err(format!(
                "{line:?}: give an absolute folder, without .., other than /."
            ));
        }
        mounts.push(Mount {
            path: path.to_path_buf(),
            writable,
        });
    }
    Ok(mounts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_a_mode_and_an_absolute_folder() {
        let mounts = parse("ro /srv/shared\n\n  rw /srv/data  \n").unwrap_or_default();
        assert_eq!(mounts.len(), 2);
        assert!(!mounts[0].writable && mounts[1].writable);
        assert_eq!(mounts[1].path, PathBuf::from("/srv/data"));
        for bad in ["/srv", "rx /srv", "ro srv", "ro /srv/../etc", "rw /", "ro"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
