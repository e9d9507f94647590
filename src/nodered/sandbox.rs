//! The sandbox every runtime and every `npm` run for an instance starts in (DESIGN.md, "Trust
//! boundary"): bubblewrap with fresh mount, pid, ipc and uts namespaces and the host's network,
//! where the process sees the system read-only, the Node-RED installation read-only, its own
//! userDir read-write, and nothing else: not the data directory's database and keys, nor any other
//! instance. `REDSTAGE_SANDBOX` says whether it must be used (`required`), is used when it works
//! (`auto`, the default), or is not used (`off`).

use std::path::{Path, PathBuf};
use std::process::Stdio;

/// How runtimes are sandboxed (`REDSTAGE_SANDBOX`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SandboxMode {
    /// bubblewrap when it works here, else unsandboxed (and the platform says so to administrators).
    #[default]
    Auto,
    /// bubblewrap or no runtimes at all.
    Required,
    /// Never (runtimes see everything the server's OS user sees).
    Off,
}

impl SandboxMode {
    /// From the setting's text.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "auto" => Some(Self::Auto),
            "required" => Some(Self::Required),
            "off" => Some(Self::Off),
            _ => None,
        }
    }
}

/// What this machine's sandbox can do, found once (the server starts probing as it starts).
#[derive(Debug, Clone)]
pub struct Sandbox {
    /// The configured mode.
    pub mode: SandboxMode,
    /// bubblewrap, when it ran a probe successfully (and the mode allows it).
    bwrap: Option<PathBuf>,
    /// Why it is not used, in words for the administrator.
    pub problem: Option<String>,
    /// Directories outside `/usr` that Node.js and npm need (a Node.js installed elsewhere).
    extra_tools: Vec<PathBuf>,
}

/// What one sandboxed process may see besides the system.
pub struct Mounts<'a> {
    /// Its own userDir, read-write.
    pub user_dir: &'a Path,
    /// Read-only: the Node-RED installation, the watchdog script.
    pub read_only: Vec<&'a Path>,
    /// More folders an administrator gave this instance: (path, writable).
    pub extra: &'a [(PathBuf, bool)],
    /// The hosts file it sees as `/etc/hosts`, instead of the system's.
    pub hosts: Option<&'a Path>,
}

/// System files the runtime needs (certificates, name resolution, time zone); never secrets.
const ETC: [&str; 12] = [
    "/etc/ssl",
    "/etc/ca-certificates",
    "/etc/pki",
    "/etc/resolv.conf",
    "/etc/hosts",
    "/etc/nsswitch.conf",
    "/etc/host.conf",
    "/etc/gai.conf",
    "/etc/localtime",
    "/etc/services",
    "/etc/passwd",
    "/etc/group",
];

impl Sandbox {
    /// Find out whether bubblewrap works here (it runs `true` in a sandbox like a runtime's).
    pub async fn probe(mode: SandboxMode) -> Self {
        let extra_tools = tool_dirs();
        let mut sandbox = Self {
            mode,
            bwrap: None,
            problem: None,
            extra_tools,
        };
        if mode == SandboxMode::Off {
            sandbox.problem = Some("the sandbox is turned off (REDSTAGE_SANDBOX=off)".into());
            return sandbox;
        }
        let Some(bwrap) = find_on_path("bwrap") else {
            sandbox.problem = Some(
                "bubblewrap is not installed (apt-get install bubblewrap, then restart redstage)"
                    .into(),
            );
            return sandbox;
        };
        let scratch = std::env::temp_dir();
        let mounts = Mounts {
            user_dir: &scratch,
            read_only: Vec::new(),
            extra: &[],
            hosts: None,
        };
        let mut probe = tokio::process::Command::new(&bwrap);
        probe
            .args(sandbox.arguments(&mounts))
            .arg("true")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        match tokio::time::timeout(std::time::Duration::from_secs(10), probe.output()).await {
            Ok(Ok(output)) if output.status.success() => sandbox.bwrap = Some(bwrap),
            Ok(Ok(output)) => {
                let why = String::from_utf8_lossy(&output.stderr).trim().to_owned();
                sandbox.problem = Some(format!(
                    "bubblewrap is installed but cannot create a sandbox here: {why} (it needs unprivileged user namespaces, or root)"
                ));
            }
            Ok(Err(error)) => sandbox.problem = Some(format!("bubblewrap could not run: {error}")),
            Err(_) => sandbox.problem = Some("bubblewrap did not finish within 10 s".into()),
        }
        sandbox
    }

    /// A sandbox that is never used (tests of other things, `--install-node-red`).
    pub fn off() -> Self {
        Self {
            mode: SandboxMode::Off,
            bwrap: None,
            problem: Some("the sandbox is turned off".into()),
            extra_tools: Vec::new(),
        }
    }

    /// Whether runtimes run sandboxed.
    pub fn active(&self) -> bool {
        self.bwrap.is_some()
    }

    /// Why runtimes cannot start at all (the mode requires a sandbox that does not work).
    pub fn refusal(&self) -> Option<String> {
        (self.mode == SandboxMode::Required && !self.active()).then(|| {
            format!(
                "REDSTAGE_SANDBOX=required, but {}. No runtime starts until it works; `redstage --check-sandbox` tells what is missing.",
                self.problem.as_deref().unwrap_or("the sandbox does not work")
            )
        })
    }

    /// `program args…` as a command: inside the sandbox when it is active, else as it is.
    pub fn command(&self, program: &str, mounts: &Mounts<'_>) -> tokio::process::Command {
        match &self.bwrap {
            Some(bwrap) => {
                let mut command = tokio::process::Command::new(bwrap);
                command.args(self.arguments(mounts)).arg(program);
                command
            }
            None => tokio::process::Command::new(program),
        }
    }

    /// bubblewrap's arguments for `mounts`, up to the program.
    fn arguments(&self, mounts: &Mounts<'_>) -> Vec<String> {
        let mut args: Vec<String> = [
            "--unshare-all",
            "--share-net",
            "--die-with-parent",
            "--new-session",
            "--ro-bind",
            "/usr",
            "/usr",
            "--proc",
            "/proc",
            "--dev",
            "/dev",
            "--tmpfs",
            "/tmp",
        ]
        .map(String::from)
        .to_vec();
        // Merged-/usr systems link /bin, /lib… into /usr; others have real directories.
        for top in ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"] {
            let path = Path::new(top);
            match std::fs::read_link(path) {
                Ok(target) => args.extend(["--symlink".into(), display(&target), top.into()]),
                Err(_) if path.is_dir() => args.extend(ro(path)),
                Err(_) => {}
            }
        }
        for file in ETC.iter().map(Path::new).filter(|p| p.exists()) {
            if file == Path::new("/etc/hosts")
                && let Some(hosts) = mounts.hosts
            {
                args.extend(["--ro-bind".into(), display(hosts), "/etc/hosts".into()]);
                continue;
            }
            args.extend(ro(file));
        }
        for dir in &self.extra_tools {
            args.extend(ro(dir));
        }
        for path in &mounts.read_only {
            args.extend(ro(path));
        }
        for (path, writable) in mounts.extra {
            let kind = if *writable { "--bind" } else { "--ro-bind" };
            args.extend([kind.into(), display(path), display(path)]);
        }
        let dir = display(mounts.user_dir);
        args.extend([
            "--bind".into(),
            dir.clone(),
            dir.clone(),
            "--chdir".into(),
            dir,
        ]);
        args
    }

    /// The hosts file of a sandbox: the system's, and `extra` (address, name) lines.
    pub fn hosts_file(extra: &[(String, String)]) -> String {
        let mut hosts = std::fs::read_to_string("/etc/hosts").unwrap_or_default();
        if !hosts.is_empty() && !hosts.ends_with('\n') {
            hosts.push('\n');
        }
        hosts.push_str("# added by redstage: this instance's own origin\n");
        for (address, name) in extra {
            hosts.push_str(&format!("{address} {name}\n"));
        }
        hosts
    }

    /// What `redstage --check-sandbox` prints.
    pub fn report(&self) -> String {
        match (&self.bwrap, &self.problem) {
            (Some(bwrap), _) => format!(
                "The sandbox works: runtimes and npm run in bubblewrap ({}), seeing only their own userDir, the Node-RED installation and the system read-only.",
                bwrap.display()
            ),
            (None, Some(problem)) => format!("The sandbox is not used: {problem}."),
            (None, None) => "The sandbox is not used.".into(),
        }
    }
}

fn ro(path: &Path) -> [String; 3] {
    ["--ro-bind".into(), display(path), display(path)]
}

fn display(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// An executable on `PATH`, canonical.
fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
        .and_then(|found| found.canonicalize().ok())
}

/// The installation prefixes of `node` and `npm` when they live outside `/usr` (say `/opt/node`):
/// the sandbox must see them to run them.
fn tool_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = ["node", "npm"]
        .iter()
        .filter_map(|tool| find_on_path(tool))
        .filter(|path| !path.starts_with("/usr"))
        .filter_map(|path| path.parent()?.parent().map(Path::to_path_buf))
        .collect();
    dirs.sort();
    dirs.dedup();
    dirs
}

#[cfg(test)]
#[path = "sandbox_tests.rs"]
mod tests;
