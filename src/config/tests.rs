//! Tests of the configuration merge.

use super::*;

#[test]
fn environment_and_flags_override_the_file() -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("redstage-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("redstage.toml");
    std::fs::write(
        &path,
        "bind = \"0.0.0.0:9000\"\ndata_dir = \"/srv/redstage\"\n",
    )?;
    let cli = Cli {
        config: Some(path),
        bind: Some("127.0.0.1:9999".into()),
        ..Cli::default()
    };
    let settings = Settings::load(cli)?;
    assert_eq!(settings.bind, "127.0.0.1:9999");
    assert_eq!(settings.data_dir, PathBuf::from("/srv/redstage"));
    assert!(!settings.secure_cookies);
    Ok(())
}

#[test]
fn relative_paths_in_the_file_are_relative_to_the_file() -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("redstage-config-rel-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("redstage.toml");
    std::fs::write(&path, "data_dir = \"state\"\nnode_red_dir = \"../nr\"\n")?;
    let settings = Settings::load(Cli {
        config: Some(path),
        ..Cli::default()
    })?;
    assert_eq!(settings.data_dir, dir.join("state"));
    assert_eq!(settings.node_red_dir, Some(dir.join("../nr")));
    let from_env = Settings::load(Cli {
        data_dir: Some("here".into()),
        ..Cli::default()
    })?;
    assert_eq!(from_env.data_dir, std::env::current_dir()?.join("here"));
    Ok(())
}

#[test]
fn a_lone_admin_user_is_refused() {
    let cli = Cli {
        admin_user: Some("root".into()),
        ..Cli::default()
    };
    assert!(Settings::load(cli).is_err());
}

#[test]
fn the_npm_registry_must_be_an_http_url() -> anyhow::Result<()> {
    let settings = Settings::load(Cli {
        npm_registry: Some("https://npm.example.com/repository/npm".into()),
        ..Cli::default()
    })?;
    assert_eq!(
        settings.npm_registry.as_deref(),
        Some("https://npm.example.com/repository/npm/")
    );
    let refused = Settings::load(Cli {
        npm_registry: Some("file:///srv/npm".into()),
        ..Cli::default()
    })
    .err()
    .map(|e| format!("{e:#}"))
    .unwrap_or_default();
    assert_eq!(
        refused,
        "REDSTAGE_NPM_REGISTRY: \"file:///srv/npm\" is not an npm registry URL: it must start \
         with http:// or https://."
    );
    let secret = Settings::load(Cli {
        npm_registry: Some("https://me:hunter2@npm.example.com/".into()),
        ..Cli::default()
    })
    .err()
    .map(|e| format!("{e:#}"))
    .unwrap_or_default();
    assert!(
        secret.contains("must not hold a user name or password"),
        "{secret}"
    );
    assert!(
        !secret.contains("hunter2"),
        "the password is not repeated: {secret}"
    );
    Ok(())
}

#[test]
fn hold_limits_come_from_the_file_and_the_environment() -> anyhow::Result<()> {
    let defaults = Settings::load(Cli::default())?.proxy.hold;
    assert_eq!(defaults, crate::nodered::hold::HoldLimits::default());
    let dir = std::env::temp_dir().join(format!("redstage-config-hold-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("redstage.toml");
    std::fs::write(&path, "proxy_hold_secs = 5\nproxy_hold_queue = 7\n")?;
    let settings = Settings::load(Cli {
        config: Some(path.clone()),
        ..Cli::default()
    })?;
    assert_eq!(
        settings.proxy.hold.max_wait,
        std::time::Duration::from_secs(5)
    );
    assert_eq!(settings.proxy.hold.queue, 7);
    let settings = Settings::load(Cli {
        config: Some(path),
        proxy_hold_queue: Some(1),
        ..Cli::default()
    })?;
    assert_eq!(settings.proxy.hold.queue, 1);
    Ok(())
}
