//! The Node-RED editor through redstage's proxy: members edit, viewers read, outsiders get 404,
//! writes must come from our own origin, and the `/comms` websocket works through it.

use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::*;

#[tokio::test]
async fn members_get_the_editor_viewers_read_only_outsiders_nothing() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let id = app.instance(&f.member, &f.app_id, "Development").await?;
    f.member.wait_for_state(&id, "running").await?;

    let page = f.member.get(&format!("/instance/{id}/editor")).await?;
    assert_eq!(
        page.location,
        Some(format!("/instance/{id}/editor/")),
        "relative URLs need the slash"
    );
    let editor = f.member.get(&format!("/instance/{id}/editor/")).await?;
    assert_eq!(editor.status, StatusCode::OK);
    assert!(
        editor.body.contains("<title>Development</title>"),
        "the editor, titled after the instance"
    );
    let script = f
        .member
        .get(&format!("/instance/{id}/editor/red/red.min.js"))
        .await?;
    assert_eq!(script.status, StatusCode::OK);

    let settings: Value = serde_json::from_str(
        &f.member
            .get(&format!("/instance/{id}/editor/settings"))
            .await?
            .body,
    )?;
    assert_eq!(settings["user"]["permissions"], json!("*"));
    let settings: Value = serde_json::from_str(
        &f.viewer
            .get(&format!("/instance/{id}/editor/settings"))
            .await?
            .body,
    )?;
    assert_eq!(
        settings["user"]["permissions"],
        json!("read"),
        "viewers get a read-only editor"
    );

    for path in ["", "settings", "flows", "red/red.min.js"] {
        let page = f
            .outsider
            .get(&format!("/instance/{id}/editor/{path}"))
            .await?;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
    }
    let stranger = app
        .browser()
        .get(&format!("/instance/{id}/editor/flows"))
        .await?;
    assert_eq!(
        stranger.status,
        StatusCode::SEE_OTHER,
        "not signed in: sign in first"
    );
    Ok(())
}

#[tokio::test]
async fn the_flows_http_endpoints_are_served_to_the_team_through_the_proxy() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let id = app.instance(&f.member, &f.app_id, "Development").await?;
    f.member.wait_for_state(&id, "running").await?;
    app.deploy(&id, "hello.json", None).await?;
    app.flow_json_eventually(&id, "/hello").await?;

    let overview = f.member.get(&format!("/instance/{id}/overview")).await?;
    let endpoints = overview.text(".endpoints").ok_or("no endpoints line")?;
    assert!(
        endpoints.contains(&format!("/instance/{id}/editor/<path>")),
        "{endpoints}"
    );
    for who in [&f.member, &f.viewer] {
        let hello = who.get(&format!("/instance/{id}/editor/hello")).await?;
        assert_eq!(hello.status, StatusCode::OK);
        let hello: Value = serde_json::from_str(&hello.body)?;
        assert_eq!(hello["flowVersion"], json!("1"));
    }
    let outsider = f
        .outsider
        .get(&format!("/instance/{id}/editor/hello"))
        .await?;
    assert_eq!(outsider.status, StatusCode::NOT_FOUND);
    Ok(())
}

#[tokio::test]
async fn deploying_through_the_editor_proxy_needs_our_origin_and_a_member() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let id = app.instance(&f.member, &f.app_id, "Development").await?;
    f.member.wait_for_state(&id, "running").await?;
    let url = format!("{}/instance/{id}/editor/flows", app.address);
    let body = json!({ "flows": flow_file("hello.json")? });
    let post = |who: &Browser, origin: Option<&str>| {
        let mut request = who
            .client
            .post(&url)
            .header("Node-RED-API-Version", "v2")
            .header("Node-RED-Deployment-Type", "full")
            .json(&body);
        if let Some(origin) = origin {
            request = request.header("Origin", origin);
        }
        request.send()
    };
    assert_eq!(
        post(&f.member, None).await?.status(),
        StatusCode::FORBIDDEN,
        "no origin"
    );
    assert_eq!(
        post(&f.member, Some("http://evil.example")).await?.status(),
        StatusCode::FORBIDDEN,
        "foreign origin"
    );
    assert_eq!(
        post(&f.viewer, Some(&app.address)).await?.status(),
        StatusCode::UNAUTHORIZED,
        "read-only token"
    );
    assert_eq!(
        post(&f.outsider, Some(&app.address)).await?.status(),
        StatusCode::NOT_FOUND
    );
    let deployed = post(&f.member, Some(&app.address)).await?;
    assert_eq!(deployed.status(), StatusCode::OK);
    let hello = app.flow_json_eventually(&id, "/hello").await?;
    assert_eq!(hello["flowVersion"], json!("1"));
    Ok(())
}

#[tokio::test]
async fn a_stopped_instance_says_so_instead_of_an_editor() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let id = app.instance(&f.member, &f.app_id, "Development").await?;
    f.member.wait_for_state(&id, "running").await?;
    f.member.post(&format!("/instance/{id}/stop"), &[]).await?;
    let page = f.member.get(&format!("/instance/{id}/editor/")).await?;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert!(
        page.text("[data-error-message]")
            .is_some_and(|m| m.starts_with("Development is not running"))
    );
    Ok(())
}

#[tokio::test]
async fn the_comms_websocket_works_through_the_proxy() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let id = app.instance(&f.member, &f.app_id, "Development").await?;
    f.member.wait_for_state(&id, "running").await?;
    app.deploy(&id, "hello.json", None).await?;

    let address = app.address.trim_start_matches("http://").to_owned();
    let mut socket = tokio::net::TcpStream::connect(&address).await?;
    let cookie = f.member.cookie_header().ok_or("no session cookie")?;
    let handshake = format!(
        "GET /instance/{id}/editor/comms HTTP/1.1\r\nHost: {address}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
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
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while !received.contains("notification/runtime-state") {
        let n = tokio::time::timeout_at(deadline, socket.read(&mut buffer)).await??;
        assert!(n > 0, "connection closed; got {received}");
        received.push_str(&String::from_utf8_lossy(&buffer[..n]));
    }
    Ok(())
}
