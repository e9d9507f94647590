//! Tests of the sandbox's arguments and modes.

use super::*;

#[test]
fn modes_come_from_their_names() {
    assert_eq!(SandboxMode::parse("Required"), Some(SandboxMode::Required));
    assert_eq!(SandboxMode::parse("auto"), Some(SandboxMode::Auto));
    assert_eq!(SandboxMode::parse("off"), Some(SandboxMode::Off));
    assert_eq!(SandboxMode::parse("sometimes"), None);
}

#[test]
fn the_sandbox_binds_its_user_dir_and_never_the_data_directory() {
    let sandbox = Sandbox {
        mode: SandboxMode::Auto,
        bwrap: Some("/usr/bin/bwrap".into()),
        problem: None,
        extra_tools: Vec::new(),
    };
    let user_dir = Path::new("/data/instances/abc");
    let install = Path::new("/data/node-red");
    let args = sandbox.arguments(&Mounts {
        user_dir,
        read_only: vec![install],
        extra: &[],
        hosts: Some(Path::new("/data/instances/abc.hosts")),
    });
    let line = args.join(" ");
    assert!(line.contains("--unshare-all --share-net --die-with-parent --new-session"));
    assert!(
        line.contains("--bind /data/instances/abc /data/instances/abc --chdir /data/instances/abc")
    );
    assert!(line.contains("--ro-bind /data/node-red /data/node-red"));
    if Path::new("/etc/hosts").exists() {
        assert!(
            line.contains("--ro-bind /data/instances/abc.hosts /etc/hosts"),
            "{line}"
        );
    }
    assert!(
        !line.contains(" /data "),
        "not the data directory itself: {line}"
    );
    assert!(!line.contains("/etc/shadow"));
    let off = Sandbox::off();
    assert!(!off.active() && off.refusal().is_none());
    let required = Sandbox {
        mode: SandboxMode::Required,
        ..Sandbox::off()
    };
    assert!(
        required
            .refusal()
            .is_some_and(|r| r.contains("REDSTAGE_SANDBOX=required"))
    );
}
