//! Renders the `settings.js` of one Node-RED 4.1.x instance from its redstage settings (pure, no I/O).
//!
//! Every caller-provided string is embedded as a JSON string literal, and structured values through
//! `JSON.parse("...")` (so a key like `__proto__` stays data), hence no input can inject JavaScript.
//!
//! | field | Node-RED setting (all verified to take effect on 4.1.15) |
//! |---|---|
//! | (fixed) | `uiHost: "127.0.0.1"`, `httpAdminRoot: "/editor"` ([`super::EDITOR_PREFIX`]), `httpNodeRoot: "/"`, `httpNodeMiddleware` answering 404 under the editor prefix (so no flow endpoint can be reached there, where the proxy adds the admin token), `telemetry.enabled: false`, `editorTheme.tours: false`, `editorTheme.projects.enabled: false` |
//! | `port` | `uiPort` |
//! | `flow_file` | `flowFile` (relative to `--userDir`; credentials go to `<name>_cred.json`) |
//! | `credential_secret` | `credentialSecret` (AES key = SHA-256 of it) |
//! | `admin_token_sha256` | `adminAuth.tokens(token)` → `{username: "redstage", permissions: "*"}` |
//! | `viewer_token_sha256` | `adminAuth.tokens(token)` → `{username: "viewer", permissions: "read"}` |
//! | `proxy_secret_sha256` | `httpAdminMiddleware`, `httpNodeMiddleware` (403) and `webSocketNodeVerifyClient` (refused) unless the request carries the secret in `x-redstage-proxy` |
//! | `log_level` | `logging.console.level` |
//! | `editor.disabled` | `disableEditor` |
//! | `editor.code_editor` | `editorTheme.codeEditor.lib` (`"monaco"` / `"ace"`) |
//! | `editor.title` | `editorTheme.page.title` (escaped by Node-RED) and `editorTheme.header.title` (HTML-escaped here: the editor inserts it with jQuery `.html()`) |
//! | `palette.allow_install` | `externalModules.palette.allowInstall` (also `allowUpload`, `allowUpdate`); `false` removes `POST /nodes` from the admin API |
//! | `palette.deny_list` | `externalModules.palette.denyList` (`"name"`, `"name@semver"`, `"prefix-*"`) |
//! | `palette.function_external_modules` | `functionExternalModules` (`libs` of the function node) |
//! | `security.http_node_auth` | `httpNodeAuth: {user, pass}` (pass = bcrypt hash) on `http in` routes |
//! | `function_global_context` | `functionGlobalContext` (read with `global.get(key)`) |

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// Everything that goes into one instance's `settings.js`.
#[derive(Clone, Serialize, Deserialize, PartialEq)]
pub struct NodeRedSettings {
    pub port: u16,
    pub flow_file: String,
    pub credential_secret: String,
    /// Lower-case hex SHA-256 of the server's bearer token; see [`token_sha256`].
    pub admin_token_sha256: String,
    /// Lower-case hex SHA-256 of an optional read-only bearer token.
    pub viewer_token_sha256: Option<String>,
    /// Lower-case hex SHA-256 of the secret every request must carry in [`super::PROXY_HEADER`].
    #[serde(default)]
    pub proxy_secret_sha256: String,
    pub log_level: LogLevel,
    pub editor: EditorSettings,
    pub palette: PaletteSettings,
    pub security: SecuritySettings,
    pub function_global_context: Map<String, Value>,
}

impl std::fmt::Debug for NodeRedSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeRedSettings")
            .field("port", &self.port)
            .field("flow_file", &self.flow_file)
            .field("credential_secret", &"<redacted>")
            .field("log_level", &self.log_level)
            .field("editor", &self.editor)
            .field("palette", &self.palette)
            .field("security", &self.security)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    Off,
    Fatal,
    Error,
    Warn,
    #[default]
    Info,
    Debug,
    Trace,
}

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum CodeEditor {
    #[default]
    Monaco,
    Ace,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct EditorSettings {
    pub disabled: bool,
    pub code_editor: CodeEditor,
    /// Browser tab and editor header title; Node-RED's default ("Node-RED") when `None`.
    pub title: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct PaletteSettings {
    pub allow_install: bool,
    pub deny_list: Vec<String>,
    pub function_external_modules: bool,
}

impl Default for PaletteSettings {
    fn default() -> Self {
        Self {
            allow_install: true,
            deny_list: Vec::new(),
            function_external_modules: true,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct SecuritySettings {
    pub http_node_auth: Option<HttpNodeAuth>,
}

/// Basic auth in front of all `http in` endpoints.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct HttpNodeAuth {
    pub user: String,
    /// bcrypt hash (`$2a$`/`$2b$`/`$2y$`, 60 chars) of the password, never the password itself.
    pub pass_bcrypt: String,
}

impl std::fmt::Debug for HttpNodeAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpNodeAuth")
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

/// Lower-case hex SHA-256 of a bearer token, as compared by the generated `adminAuth.tokens`.
pub fn token_sha256(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A JavaScript string literal holding exactly `s` (JSON escaping, plus U+2028/U+2029 for old parsers).
fn js_str(s: &str) -> String {
    Value::String(s.to_owned())
        .to_string()
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// The editor puts `editorTheme.header.title` into the page as HTML; this makes it plain text.
fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A JavaScript expression evaluating to a fresh copy of `v`, parsed at runtime as data.
fn js_json(v: &Value) -> String {
    format!("JSON.parse({})", js_str(&v.to_string()))
}

fn level_name(l: LogLevel) -> &'static str {
    match l {
        LogLevel::Off => "off",
        LogLevel::Fatal => "fatal",
        LogLevel::Error => "error",
        LogLevel::Warn => "warn",
        LogLevel::Info => "info",
        LogLevel::Debug => "debug",
        LogLevel::Trace => "trace",
    }
}

/// Renders the complete `settings.js` for `s`.
pub fn render(s: &NodeRedSettings) -> String {
    let mut tokens = format!("  [{}, \"*\"],\n", js_str(&s.admin_token_sha256));
    if let Some(v) = &s.viewer_token_sha256 {
        tokens.push_str(&format!("  [{}, \"read\"],\n", js_str(v)));
    }
    let page = match &s.editor.title {
        Some(t) => format!(
            "page: {{ title: {} }},\n    header: {{ title: {} }},\n    ",
            js_str(t),
            js_str(&html_escape(t))
        ),
        None => String::new(),
    };
    let http_node_auth = match &s.security.http_node_auth {
        Some(a) => format!(
            "  httpNodeAuth: {{ user: {}, pass: {} }},\n",
            js_str(&a.user),
            js_str(&a.pass_bcrypt)
        ),
        None => String::new(),
    };
    let install = s.palette.allow_install;
    let code_editor = match s.editor.code_editor {
        CodeEditor::Monaco => "monaco",
        CodeEditor::Ace => "ace",
    };
    format!(
        r#"// Generated by redstage from the instance's settings: manual edits are lost.
"use strict";
const crypto = require("crypto");
// SHA-256 (hex) of each accepted bearer token -> Node-RED permissions.
const TOKEN_SCOPES = new Map([
{tokens}]);
function tokenUser(token) {{
  if (typeof token !== "string" || token.length === 0 || token.length > 1024) {{ return null; }}
  const scope = TOKEN_SCOPES.get(crypto.createHash("sha256").update(token, "utf8").digest("hex"));
  if (scope === undefined) {{ return null; }}
  return {{ username: scope === "*" ? "redstage" : "viewer", permissions: scope }};
}}
// Only requests that came through redstage carry its per-runtime secret: anything else (a flow of
// another instance calling this port, say) is refused, on admin and node routes and websockets.
const PROXY_HEADER = {proxy_header};
const PROXY_SECRET_SHA256 = Buffer.from({proxy_secret}, "hex");
function fromRedstage(req) {{
  const sent = req.headers[PROXY_HEADER];
  if (typeof sent !== "string" || sent.length === 0 || sent.length > 1024) {{ return false; }}
  const digest = crypto.createHash("sha256").update(sent, "utf8").digest();
  return digest.length === PROXY_SECRET_SHA256.length && crypto.timingSafeEqual(digest, PROXY_SECRET_SHA256);
}}
function throughRedstage(req, res, next) {{
  if (!fromRedstage(req)) {{ res.status(403).end(); return; }}
  next();
}}
// The editor's prefix belongs to the editor: requests there that the admin API does not answer
// must never reach a flow's http-in route (the proxy adds the admin token under it).
const EDITOR_PREFIX = {prefix};
function notUnderEditor(req, res, next) {{
  if (!fromRedstage(req)) {{ res.status(403).end(); return; }}
  if (req.path === EDITOR_PREFIX || req.path.startsWith(EDITOR_PREFIX + "/")) {{
    res.status(404).end();
    return;
  }}
  next();
}}
module.exports = {{
  uiHost: "127.0.0.1",
  uiPort: {port},
  httpAdminRoot: EDITOR_PREFIX,
  httpNodeRoot: "/",
  httpNodeMiddleware: notUnderEditor,
  httpAdminMiddleware: throughRedstage,
  webSocketNodeVerifyClient: function (info) {{ return fromRedstage(info.req); }},
  flowFile: {flow_file},
  flowFilePretty: true,
  credentialSecret: {secret},
  adminAuth: {{
    tokens: function (token) {{ return Promise.resolve(tokenUser(token)); }},
  }},
{http_node_auth}  disableEditor: {disable_editor},
  editorTheme: {{
    {page}codeEditor: {{ lib: {code_editor} }},
    projects: {{ enabled: false }},
    tours: false,
  }},
  externalModules: {{
    autoInstall: false,
    palette: {{ allowInstall: {install}, allowUpload: {install}, allowUpdate: {install}, denyList: {deny} }},
    modules: {{ allowInstall: {fn_modules} }},
  }},
  functionExternalModules: {fn_modules},
  functionGlobalContext: {global_ctx},
  telemetry: {{ enabled: false, updateNotification: false }},
  diagnostics: {{ enabled: true, ui: true }},
  runtimeState: {{ enabled: false, ui: false }},
  logging: {{ console: {{ level: {level}, metrics: false, audit: false }} }},
  exportGlobalContextKeys: false,
}};
"#,
        port = s.port,
        prefix = js_str(super::EDITOR_PREFIX),
        proxy_header = js_str(super::PROXY_HEADER),
        proxy_secret = js_str(&s.proxy_secret_sha256),
        flow_file = js_str(&s.flow_file),
        secret = js_str(&s.credential_secret),
        disable_editor = s.editor.disabled,
        code_editor = js_str(code_editor),
        deny = js_json(&Value::from(s.palette.deny_list.clone())),
        fn_modules = s.palette.function_external_modules,
        global_ctx = js_json(&Value::Object(s.function_global_context.clone())),
        level = js_str(level_name(s.log_level)),
    )
}

#[cfg(test)]
#[path = "settings_js_tests.rs"]
mod tests;
