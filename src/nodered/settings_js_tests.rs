//! Tests of the settings.js renderer (one evaluates the file with `node`, a test prerequisite anyway).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use serde_json::json;

const EVIL: &str = "\"; process.exit(1); //";

fn base() -> NodeRedSettings {
    NodeRedSettings {
        port: 41234,
        flow_file: "flows.json".into(),
        credential_secret: "cs-123".into(),
        admin_token_sha256: token_sha256("admin-token"),
        viewer_token_sha256: None,
        proxy_secret_sha256: "ab".repeat(32),
        log_level: LogLevel::Info,
        editor: EditorSettings::default(),
        palette: PaletteSettings::default(),
        security: SecuritySettings::default(),
        function_global_context: Map::new(),
    }
}

fn evil() -> NodeRedSettings {
    let mut s = base();
    s.editor.title = Some(EVIL.into());
    s.credential_secret = format!("`${{process.exit(2)}}`{EVIL}\u{2028}</script>");
    s.flow_file = format!("f{EVIL}.json");
    s.security.http_node_auth = Some(HttpNodeAuth {
        user: EVIL.into(),
        pass_bcrypt: EVIL.into(),
    });
    s.palette.deny_list = vec![EVIL.into(), "node-red-contrib-*".into()];
    s.function_global_context = json!({"__proto__": {"polluted": true}, "k": EVIL})
        .as_object()
        .unwrap()
        .clone();
    s
}

#[test]
fn token_hash_is_lowercase_hex_sha256() {
    // printf %s abc | sha256sum
    assert_eq!(
        token_sha256("abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

#[test]
fn renders_the_expected_pieces() {
    let mut s = base();
    s.viewer_token_sha256 = Some(token_sha256("viewer-token"));
    s.log_level = LogLevel::Warn;
    s.editor = EditorSettings {
        disabled: true,
        code_editor: CodeEditor::Ace,
        title: Some("Dev".into()),
    };
    s.palette = PaletteSettings {
        allow_install: false,
        deny_list: vec!["a@1".into()],
        function_external_modules: false,
    };
    s.security.http_node_auth = Some(HttpNodeAuth {
        user: "u".into(),
        pass_bcrypt: "$2b$10$x".into(),
    });
    let js = render(&s);
    for piece in [
        "uiHost: \"127.0.0.1\"",
        "uiPort: 41234,",
        "const EDITOR_PREFIX = \"/editor\";",
        "httpAdminRoot: EDITOR_PREFIX,",
        "httpNodeRoot: \"/\",",
        "httpNodeMiddleware: notUnderEditor,",
        "httpAdminMiddleware: throughRedstage,",
        "webSocketNodeVerifyClient: function (info) { return fromRedstage(info.req); },",
        "const PROXY_HEADER = \"x-redstage-proxy\";",
        "flowFile: \"flows.json\",",
        "credentialSecret: \"cs-123\",",
        &format!("[\"{}\", \"*\"]", token_sha256("admin-token")),
        &format!("[\"{}\", \"read\"]", token_sha256("viewer-token")),
        "disableEditor: true,",
        "codeEditor: { lib: \"ace\" }",
        "page: { title: \"Dev\" }",
        "header: { title: \"Dev\" }",
        "allowInstall: false, allowUpload: false, allowUpdate: false, denyList: JSON.parse(\"[\\\"a@1\\\"]\")",
        "functionExternalModules: false,",
        "httpNodeAuth: { user: \"u\", pass: \"$2b$10$x\" },",
        "level: \"warn\"",
    ] {
        assert!(js.contains(piece), "missing {piece} in\n{js}");
    }
    assert!(
        !js.contains("admin-token"),
        "plaintext token must not be in the file"
    );
}

#[test]
fn defaults_leave_optional_settings_out() {
    let js = render(&base());
    assert!(!js.contains("httpNodeAuth"));
    assert!(!js.contains("page:"));
    assert!(!js.contains("\"read\"]"));
    assert!(js.contains("disableEditor: false,"));
    assert!(js.contains("codeEditor: { lib: \"monaco\" }"));
    assert!(js.contains("allowInstall: true,"));
    assert!(js.contains("functionGlobalContext: JSON.parse(\"{}\"),"));
}

#[test]
fn injection_attempts_stay_inside_string_literals() {
    let js = render(&evil());
    let escaped = "\\\"; process.exit(1); //";
    assert!(
        js.contains(&format!("page: {{ title: \"{escaped}\" }}")),
        "{js}"
    );
    // No line of the output may start a statement with the payload.
    assert!(
        !js.lines()
            .any(|l| l.trim_start().starts_with("process.exit"))
    );
    assert!(js.contains("\\u2028"));
    assert!(!js.contains('\u{2028}'));
}

#[test]
fn header_title_is_html_escaped_page_title_is_not() {
    let mut s = base();
    s.editor.title = Some("<img src=x onerror=alert(1)> & 'q'".into());
    let js = render(&s);
    assert!(
        js.contains("page: { title: \"<img src=x onerror=alert(1)> & 'q'\" }"),
        "{js}"
    );
    assert!(
        js.contains("header: { title: \"&lt;img src=x onerror=alert(1)&gt; &amp; &#39;q&#39;\" }"),
        "{js}"
    );
}

#[test]
fn debug_output_hides_secrets() {
    let dbg = format!("{:?}", evil());
    assert!(!dbg.contains("process.exit(2)"));
    assert!(dbg.contains("<redacted>"));
}

#[test]
fn settings_deserialize_with_defaults() {
    let v = json!({"port": 1, "flow_file": "f.json", "credential_secret": "s", "admin_token_sha256": "h",
        "viewer_token_sha256": null, "log_level": "debug", "editor": {"code_editor": "ace"}, "palette": {},
        "security": {}, "function_global_context": {}});
    let s: NodeRedSettings = serde_json::from_value(v).unwrap();
    assert_eq!(s.editor.code_editor, CodeEditor::Ace);
    assert!(s.palette.allow_install && s.palette.function_external_modules);
    assert_eq!(s.log_level, LogLevel::Debug);
}

/// Loads the rendered file with Node.js exactly as Node-RED does (`require`) and checks the values.
fn eval_in_node(s: &NodeRedSettings) -> Value {
    let dir = std::env::temp_dir().join(format!(
        "settings-js-test-{}-{}",
        std::process::id(),
        s.port
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("settings.js");
    std::fs::write(&file, render(s)).unwrap();
    let script = "const s=require(process.argv[1]);\
        Promise.all([s.adminAuth.tokens('admin-token'),s.adminAuth.tokens('nope'),s.adminAuth.tokens({})])\
        .then(t=>{s.tokens=t;s.protoPolluted=({}).polluted===true||Object.getPrototypeOf(s.functionGlobalContext)!==Object.prototype;\
        process.stdout.write(JSON.stringify(s));});";
    let out = std::process::Command::new("node")
        .args(["-e", script])
        .arg(&file)
        .output()
        .expect("node");
    assert!(
        out.status.success(),
        "node failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn node_loads_the_file_and_payloads_stay_data() {
    let mut s = evil();
    s.port = 41235;
    let v = eval_in_node(&s);
    assert_eq!(v["editorTheme"]["page"]["title"], EVIL);
    assert_eq!(
        v["editorTheme"]["header"]["title"],
        "&quot;; process.exit(1); //"
    );
    assert_eq!(v["credentialSecret"], s.credential_secret.as_str());
    assert_eq!(v["flowFile"], s.flow_file.as_str());
    assert_eq!(v["httpNodeAuth"], json!({"user": EVIL, "pass": EVIL}));
    assert_eq!(
        v["externalModules"]["palette"]["denyList"],
        json!([EVIL, "node-red-contrib-*"])
    );
    assert_eq!(v["functionGlobalContext"]["k"], EVIL);
    assert_eq!(v["protoPolluted"], false);
    assert_eq!(
        v["tokens"],
        json!([{"username": "redstage", "permissions": "*"}, null, null])
    );
}
