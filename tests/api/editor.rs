//! The Node-RED editor on the instance's own origin: the platform only redirects there with a
//! one-time ticket; members edit, viewers read, outsiders get nothing; writes must come from the
//! instance origin itself; `/comms` works through it. `sessions`: what ends an editor session.

use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::*;

mod labels;
mod sessions;

#[tokio::test]
async fn members_get_the_editor_viewers_read_only_outsiders_nothing() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let id = app.instance(&f.member, &f.app_id, "Development").await?;
    f.member.wait_for_state(&id, "running").await?;
    let origin = app.origin(&id).await?;
    assert!(
        origin.starts_with("http://development.localhost:"),
        "{origin}"
    );

    let editor = f.member.open_editor(&app, &id).await?;
    let page = editor.get("/editor/").await?;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("<title>Development</title>"),
        "the editor"
    );
    assert_eq!(
        editor.get("/editor/red/red.min.js").await?.status,
        StatusCode::OK
    );
    let settings: Value = serde_json::from_str(&editor.get("/editor/settings").await?.body)?;
    assert_eq!(settings["user"]["permissions"], json!("*"));
    let viewer = f.viewer.open_editor(&app, &id).await?;
    let settings: Value = serde_json::from_str(&viewer.get("/editor/settings").await?.body)?;
    assert_eq!(settings["user"]["permissions"], json!("read"), "read-only");

    // Outsiders cannot get a ticket; nobody gets the admin API without an editor session.
    for path in ["editor/", "editor", "open?next=%2Fhello"] {
        let refused = f.outsider.get(&format!("/instance/{id}/{path}")).await?;
        assert_eq!(refused.status, StatusCode::NOT_FOUND, "{path}");
    }
    let stranger = app.stranger_at(&id).await?;
    for path in ["/editor/settings", "/editor/flows", "/editor/nodes"] {
        let page = stranger.get(path).await?;
        assert_eq!(
            page.status,
            StatusCode::UNAUTHORIZED,
            "{path}: {}",
            page.body
        );
    }
    // A browser opening the editor without a session is sent to sign in on the platform.
    let navigation = stranger
        .client
        .get(format!("{origin}/editor/"))
        .header("Accept", "text/html")
        .send()
        .await?;
    assert_eq!(navigation.status(), StatusCode::SEE_OTHER);
    let to = navigation.headers()["location"].to_str()?;
    assert_eq!(
        to,
        format!("{}/instance/{id}/open?next=%2Feditor%2F", app.address)
    );
    Ok(())
}

#[tokio::test]
async fn a_ticket_works_once_and_only_on_its_instance() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let dev = app.instance(&f.member, &f.app_id, "Development").await?;
    let prod = app.instance(&f.member, &f.app_id, "Production").await?;
    let ticket = f.member.ticket(&dev).await?;
    let (dev_origin, prod_origin) = (app.origin(&dev).await?, app.origin(&prod).await?);
    let path = ticket
        .strip_prefix(&dev_origin)
        .ok_or("not the instance's origin")?;
    assert!(
        path.starts_with("/editor/_redstage/ticket?ticket="),
        "{path}"
    );
    assert!(
        path.len() > "/editor/_redstage/ticket?ticket=".len() + 32,
        "at least 128 bits"
    );

    let elsewhere = Browser::at_origin(&prod_origin, app.socket())
        .get(path)
        .await?;
    assert_eq!(
        elsewhere.status,
        StatusCode::FORBIDDEN,
        "another instance's ticket"
    );
    let first = Browser::at_origin(&dev_origin, app.socket());
    assert_eq!(first.get(path).await?.status, StatusCode::SEE_OTHER);
    let again = Browser::at_origin(&dev_origin, app.socket())
        .get(path)
        .await?;
    assert_eq!(again.status, StatusCode::FORBIDDEN, "used once already");
    assert!(
        again
            .text("[data-error-message]")
            .is_some_and(|m| m.contains("expired"))
    );
    Ok(())
}

#[tokio::test]
async fn the_platform_never_serves_editor_or_flow_content() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let id = app.instance(&f.member, &f.app_id, "Development").await?;
    f.member.wait_for_state(&id, "running").await?;
    app.deploy(&id, "hello.json", None).await?;
    for path in [
        "editor/",
        "editor/flows",
        "editor/hello",
        "editor/red/red.min.js",
    ] {
        let page = f.member.get(&format!("/instance/{id}/{path}")).await?;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
        let to = page.location.unwrap_or_default();
        assert!(to.starts_with(&app.origin(&id).await?), "{path} -> {to}");
    }
    let post = f
        .member
        .post(&format!("/instance/{id}/editor/flows"), &[])
        .await?;
    assert_eq!(
        post.status,
        StatusCode::NOT_FOUND,
        "nothing to post to on the platform"
    );
    // A host that is neither the platform nor an instance gets nothing.
    for host in ["evil.example", "nosuch.localhost", "localhost.evil.example"] {
        let port = app.socket().port();
        let answer = reqwest::Client::new()
            .get(format!("{}/login", app.address))
            .header("Host", format!("{host}:{port}"))
            .send()
            .await?;
        assert_eq!(answer.status(), StatusCode::NOT_FOUND, "{host}");
    }
    Ok(())
}

#[tokio::test]
async fn editor_writes_need_the_instance_origin_and_a_member() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let id = app.instance(&f.member, &f.app_id, "Development").await?;
    f.member.wait_for_state(&id, "running").await?;
    let origin = app.origin(&id).await?;
    let body = json!({ "flows": flow_file("hello.json")? });
    let post = |who: &Browser, from: Option<&str>| {
        let mut request = who
            .client
            .post(format!("{origin}/editor/flows"))
            .header("Node-RED-API-Version", "v2")
            .header("Node-RED-Deployment-Type", "full")
            .json(&body);
        if let Some(from) = from {
            request = request.header("Origin", from);
        }
        request.send()
    };
    let member = f.member.open_editor(&app, &id).await?;
    let viewer = f.viewer.open_editor(&app, &id).await?;
    for other in [
        "http://evil.example",
        &app.address,
        "http://production.localhost:1",
    ] {
        let refused = post(&member, Some(other)).await?;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "from {other}");
    }
    let read_only = post(&viewer, Some(&origin)).await?;
    assert_eq!(
        read_only.status(),
        StatusCode::UNAUTHORIZED,
        "read-only token"
    );
    assert_eq!(post(&member, Some(&origin)).await?.status(), StatusCode::OK);
    let hello = app.flow_json_eventually(&id, "/hello").await?;
    assert_eq!(hello["flowVersion"], json!("1"));
    Ok(())
}

#[tokio::test]
async fn a_stopped_instance_says_so_on_its_origin() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let id = app.instance(&f.member, &f.app_id, "Development").await?;
    f.member.wait_for_state(&id, "running").await?;
    let editor = f.member.open_editor(&app, &id).await?;
    f.member.post(&format!("/instance/{id}/stop"), &[]).await?;
    f.member.wait_for_state(&id, "stopped").await?;
    let page = editor.get("/editor/").await?;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(page.headers.contains_key("retry-after"));
    assert!(
        page.text("[data-error-message]")
            .is_some_and(|m| m.starts_with("Development is not running"))
    );
    Ok(())
}

#[tokio::test]
async fn the_comms_websocket_works_through_the_instance_origin() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let id = app.instance(&f.member, &f.app_id, "Development").await?;
    f.member.wait_for_state(&id, "running").await?;
    let editor = f.member.open_editor(&app, &id).await?;
    let cookie = editor.cookie_header().ok_or("no editor session cookie")?;
    let host = editor.base.trim_start_matches("http://").to_owned();
    let mut socket = tokio::net::TcpStream::connect(app.socket()).await?;
    let handshake = format!(
        "GET /editor/comms HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nCookie: {cookie}\r\n\r\n"
    );
    socket.write_all(handshake.as_bytes()).await?;
    let mut buffer = vec![0u8; 64 * 1024];
    let n = socket.read(&mut buffer).await?;
    let head = String::from_utf8_lossy(&buffer[..n]).to_string();
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");

    // A masked text frame, as browsers send: subscribe to runtime notifications.
    let message = br#"{"subscribe":"notification/#"}"#;
    let mask = [1u8, 2, 3, 4];
    let mut frame = vec![0x81, 0x80 | u8::try_from(message.len())?];
    frame.extend_from_slice(&mask);
    frame.extend(message.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    socket.write_all(&frame).await?;

    // Node-RED answers with its retained notifications, e.g. the running state.
    let mut received = String::new();
    let deadline = tokio::time::Instant::now() + crate::helpers::patience(10);
    while !received.contains("notification/runtime-state") {
        let n = tokio::time::timeout_at(deadline, socket.read(&mut buffer)).await??;
        assert!(n > 0, "connection closed; got {received}");
        received.push_str(&String::from_utf8_lossy(&buffer[..n]));
    }
    Ok(())
}
