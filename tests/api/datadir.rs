//! The data directory is private to the server's OS user: 0700 directories and 0600 files from
//! the first start (keys, database, userDirs and what runtimes write there), and repaired when a
//! start finds them more open.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::helpers::*;

fn mode(path: &Path) -> Res<u32> {
    Ok(std::fs::metadata(path)?.permissions().mode() & 0o777)
}

/// Every mode under the data directory that is not private, with its path.
fn open_modes(data: &Path) -> Res<Vec<String>> {
    let mut found = Vec::new();
    let mut queue = vec![data.to_path_buf()];
    while let Some(path) = queue.pop() {
        let meta = std::fs::symlink_metadata(&path)?;
        if meta.file_type().is_symlink() || path.ends_with("node-red") {
            continue;
        }
        let m = meta.permissions().mode() & 0o777;
        if m & 0o077 != 0 {
            found.push(format!("{} {m:o}", path.display()));
        }
        if meta.is_dir() {
            for entry in std::fs::read_dir(&path)? {
                queue.push(entry?.path());
            }
        }
    }
    Ok(found)
}

#[tokio::test]
async fn the_data_directory_is_private_from_the_first_start_and_repaired_later() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let id = app.instance(&f.member, &f.app_id, "Development").await?;
    f.member.wait_for_state(&id, "running").await?;
    app.deploy(&id, "credentials.json", Some("credentials.creds.json"))
        .await?;
    let data = app.settings.data_dir.clone();
    let user_dir = app.runtimes.user_dir(&id.clone().into());
    assert!(user_dir.join("flows_cred.json").is_file());
    assert_eq!(mode(&data)?, 0o700);
    for file in ["session.key", "runtime.key", "redstage.sqlite"] {
        assert_eq!(mode(&data.join(file))?, 0o600, "{file}");
    }
    assert_eq!(
        open_modes(&data)?,
        Vec::<String>::new(),
        "nothing readable by others"
    );

    for path in [&data, &data.join("instances"), &user_dir] {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))?;
    }
    for file in ["session.key", "runtime.key", "redstage.sqlite"] {
        std::fs::set_permissions(data.join(file), std::fs::Permissions::from_mode(0o644))?;
    }
    let app = app.restart().await;
    assert_eq!(mode(&data)?, 0o700);
    assert_eq!(mode(&user_dir)?, 0o700);
    for file in ["session.key", "runtime.key", "redstage.sqlite"] {
        assert_eq!(mode(&data.join(file))?, 0o600, "{file} repaired");
    }
    f.member
        .rebase(&app.address)
        .wait_for_state(&id, "running")
        .await?;
    Ok(())
}
