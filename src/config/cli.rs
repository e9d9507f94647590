//! The command line (every flag can also come from its `REDSTAGE_*` variable) and its help.

use std::path::PathBuf;

use clap::Parser;

const AFTER_HELP: &str = "\
Configuration is read from built-in defaults, then an optional TOML file (--config or
REDSTAGE_CONFIG; keys: bind, data_dir, admin_user, admin_password, secure_cookies,
node_red_dir, public_url, instance_domain, instance_url, trusted_proxies,
proxy_body_limit_mb, proxy_timeout_secs, proxy_hold_secs, proxy_hold_queue, sandbox, session_idle_hours,
session_max_days, npm_registry), then environment variables, then command-line flags; later sources win.
Relative paths in the file are relative to the file's own directory; relative paths from
the environment or flags are relative to the working directory. All are made absolute once
at startup.

Environment:
  REDSTAGE_BIND            address to listen on (default 127.0.0.1:8080; port 0 picks a free one)
  REDSTAGE_DATA_DIR        directory for the SQLite database, the session key and the Node-RED
                           runtimes (default ./data; created if missing)
  REDSTAGE_ADMIN_USER      with REDSTAGE_ADMIN_PASSWORD: when the database has no users yet, create
  REDSTAGE_ADMIN_PASSWORD  this administrator (for automation). Ignored once any user exists.
  REDSTAGE_SECURE_COOKIES  true to mark the session cookie Secure (set it behind HTTPS)
  REDSTAGE_NODE_RED_DIR    where the pinned Node-RED is installed with npm on first need
                           (default <data dir>/node-red; may be shared between servers)
  REDSTAGE_PUBLIC_URL      the platform's URL as browsers reach it (default: the listening
                           address, http://127.0.0.1:8080); set it behind a reverse proxy
  REDSTAGE_INSTANCE_DOMAIN every instance is served on its own origin {label}.DOMAIN
                           (default localhost, which browsers resolve to this machine)
  REDSTAGE_INSTANCE_URL    instance URL template, e.g. https://{label}.nodered.example.com
                           (default: the platform's scheme and port on {label}.DOMAIN)
  REDSTAGE_TRUSTED_PROXIES reverse proxies (IPs/CIDRs, comma-separated) whose X-Forwarded-For,
                           -Host and -Proto are believed; nobody's by default
  REDSTAGE_PROXY_BODY_LIMIT_MB    largest request body streamed to a flow (default 100)
  REDSTAGE_PROXY_TIMEOUT_SECS     how long a flow may take to start answering (default 120)
  REDSTAGE_PROXY_HOLD_SECS        while redstage deploys to or restarts an instance, its flow
                                  requests wait up to this long, then get 503 (default 30)
  REDSTAGE_PROXY_HOLD_QUEUE       most flow requests waiting per instance; more get 503 at
                                  once (default 1000)
  REDSTAGE_SANDBOX         auto (default): runtimes and npm run in a bubblewrap sandbox when it
                           works here, else unsandboxed (administrators are told); required:
                           no runtime starts without it; off: never. --check-sandbox tests it.
  REDSTAGE_SESSION_IDLE_HOURS  a signed-in session ends after this long unused (default 168)
  REDSTAGE_SESSION_MAX_DAYS    and this long after its sign-in, however used (default 30)
  REDSTAGE_NPM_REGISTRY    the npm registry (an http(s) URL, e.g. a private mirror) for every npm
                           redstage runs and every runtime's palette manager (default: npm's
                           own, https://registry.npmjs.org/)
  REDSTAGE_CONFIG          path of the optional TOML configuration file
  RUST_LOG                 log filter (default info)

First start: with an empty database and no admin variables, redstage creates the user
`admin` with a generated password and prints it once on the console. Sign in and change it
under Account.";

/// Command-line interface; every flag can also come from its `REDSTAGE_*` variable.
#[derive(Debug, Default, Parser)]
#[command(name = "redstage", version, about = "DevOps Pipelines for Node-RED", after_help = AFTER_HELP)]
pub struct Cli {
    /// Optional TOML configuration file.
    #[arg(long, env = "REDSTAGE_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Address to listen on.
    #[arg(long, env = "REDSTAGE_BIND", value_name = "ADDR")]
    pub bind: Option<String>,
    /// Data directory (database, session key, Node-RED runtimes).
    #[arg(long, env = "REDSTAGE_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// First administrator's user name (only used while the database has no users).
    #[arg(long, env = "REDSTAGE_ADMIN_USER", value_name = "NAME")]
    pub admin_user: Option<String>,
    /// First administrator's password (only used while the database has no users).
    #[arg(
        long,
        env = "REDSTAGE_ADMIN_PASSWORD",
        value_name = "PASSWORD",
        hide_env_values = true
    )]
    pub admin_password: Option<String>,
    /// Mark the session cookie Secure (serve redstage behind HTTPS).
    #[arg(long, env = "REDSTAGE_SECURE_COOKIES", value_name = "BOOL")]
    pub secure_cookies: Option<bool>,
    /// Where Node-RED is installed (default: <data dir>/node-red).
    #[arg(long, env = "REDSTAGE_NODE_RED_DIR", value_name = "DIR")]
    pub node_red_dir: Option<PathBuf>,
    /// The platform's public URL (what browsers use; default: the listening address).
    #[arg(long, env = "REDSTAGE_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<String>,
    /// Domain under which every instance gets its own origin, `{label}.DOMAIN`.
    #[arg(long, env = "REDSTAGE_INSTANCE_DOMAIN", value_name = "DOMAIN")]
    pub instance_domain: Option<String>,
    /// Instance URL template with `{label}` (e.g. `https://{label}.nodered.example.com`).
    #[arg(long, env = "REDSTAGE_INSTANCE_URL", value_name = "URL")]
    pub instance_url: Option<String>,
    /// Reverse proxies whose X-Forwarded-* headers are trusted (comma-separated IPs or CIDRs).
    #[arg(long, env = "REDSTAGE_TRUSTED_PROXIES", value_name = "LIST")]
    pub trusted_proxies: Option<String>,
    /// Largest request body the instance proxy streams to a runtime, in MiB.
    #[arg(long, env = "REDSTAGE_PROXY_BODY_LIMIT_MB", value_name = "MIB")]
    pub proxy_body_limit_mb: Option<u64>,
    /// How long a runtime may take to start answering a proxied request, in seconds.
    #[arg(long, env = "REDSTAGE_PROXY_TIMEOUT_SECS", value_name = "SECS")]
    pub proxy_timeout_secs: Option<u64>,
    /// How long a flow request may wait while its instance is deployed to or restarted, in seconds.
    #[arg(long, env = "REDSTAGE_PROXY_HOLD_SECS", value_name = "SECS")]
    pub proxy_hold_secs: Option<u64>,
    /// Most flow requests waiting per instance while it is deployed to or restarted.
    #[arg(long, env = "REDSTAGE_PROXY_HOLD_QUEUE", value_name = "COUNT")]
    pub proxy_hold_queue: Option<usize>,
    /// Sandbox for runtimes and npm: auto (bubblewrap when it works), required, or off.
    #[arg(long, env = "REDSTAGE_SANDBOX", value_name = "MODE")]
    pub sandbox: Option<String>,
    /// Hours a signed-in session may go unused before it ends.
    #[arg(long, env = "REDSTAGE_SESSION_IDLE_HOURS", value_name = "HOURS")]
    pub session_idle_hours: Option<u64>,
    /// Days after which a session ends, however much it is used.
    #[arg(long, env = "REDSTAGE_SESSION_MAX_DAYS", value_name = "DAYS")]
    pub session_max_days: Option<u64>,
    /// The npm registry for installing Node-RED and modules (an http or https URL).
    #[arg(long, env = "REDSTAGE_NPM_REGISTRY", value_name = "URL")]
    pub npm_registry: Option<String>,
    /// Report whether runtimes can be sandboxed on this machine, then exit (1 if not).
    #[arg(long)]
    pub check_sandbox: bool,
    /// Install the pinned Node-RED into the Node-RED directory with npm, then exit (for machines
    /// prepared ahead of time; the server otherwise installs it when an instance first needs it).
    #[arg(long)]
    pub install_node_red: bool,
}
