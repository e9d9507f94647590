//! Flow endpoints on the instance origin are for any client and every method: a REST flow answers
//! a plain HTTP client holding no cookie exactly as Node-RED answers it on its own port, uploads
//! included, and a `websocket in` flow works through the origin.

use futures_util::{SinkExt, StreamExt};
use reqwest::{Method, StatusCode};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::helpers::*;

/// What a client sees of an answer: status, content type and body.
async fn seen(response: reqwest::Response) -> Res<(StatusCode, String, String)> {
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    Ok((response.status(), kind, response.text().await?))
}

/// One call, built on top of a base URL.
type Call = fn(&reqwest::Client, &str) -> reqwest::RequestBuilder;

fn calls() -> Vec<(&'static str, Call)> {
    vec![
        ("PUT json", |c, b| {
            c.request(Method::PUT, format!("{b}/kv/greeting"))
                .header("Content-Type", "application/json")
                .body(r#"{"text":"hello","n":[1,2]}"#)
        }),
        ("GET", |c, b| c.get(format!("{b}/kv/greeting"))),
        ("PUT text", |c, b| {
            c.put(format!("{b}/kv/plain"))
                .header("Content-Type", "text/plain")
                .body("just text")
        }),
        ("GET text", |c, b| c.get(format!("{b}/kv/plain"))),
        ("DELETE", |c, b| c.delete(format!("{b}/kv/greeting"))),
        ("GET deleted", |c, b| c.get(format!("{b}/kv/greeting"))),
        ("DELETE again", |c, b| c.delete(format!("{b}/kv/greeting"))),
        ("POST json", |c, b| {
            c.post(format!("{b}/echo?x=1&y=a&y=b"))
                .header("Content-Type", "application/json")
                .body(r#"{"hello":"world"}"#)
        }),
        ("POST form", |c, b| {
            c.post(format!("{b}/echo"))
                .form(&[("a", "1"), ("b", "two")])
        }),
        ("POST multipart", |c, b| {
            let file = reqwest::multipart::Part::bytes(vec![7u8; 200_000]).file_name("blob.bin");
            let form = reqwest::multipart::Form::new()
                .text("note", "hi")
                .part("file", file);
            c.post(format!("{b}/upload")).multipart(form)
        }),
        ("unknown route", |c, b| c.get(format!("{b}/nope"))),
    ]
}

#[tokio::test]
async fn a_rest_flow_answers_any_client_as_node_red_itself_does() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let through = app.instance(&f.member, &f.app_id, "Production").await?;
    let direct = app.instance(&f.member, &f.app_id, "Reference").await?;
    for id in [&through, &direct] {
        f.member.wait_for_state(id, "running").await?;
        app.deploy(id, "rest-kv.json", None).await?;
        app.flow_json_eventually(id, "/headers").await?;
    }
    let origin = app.stranger_at(&through).await?;
    let (plain, port) = app.runtime_http(&direct)?;
    for (what, call) in calls() {
        let via_origin = seen(call(&origin.client, &origin.base).send().await?).await?;
        let on_its_port = seen(call(&plain, &port).send().await?).await?;
        assert_eq!(via_origin, on_its_port, "{what}");
    }
    assert!(origin.cookie_header().is_none(), "no cookie was ever set");
    Ok(())
}

#[tokio::test]
async fn a_websocket_flow_echoes_through_the_instance_origin() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let id = app.instance(&f.member, &f.app_id, "Development").await?;
    f.member.wait_for_state(&id, "running").await?;
    app.deploy(&id, "websocket-echo.json", None).await?;
    let origin = app.origin(&id).await?;
    let host = origin.trim_start_matches("http://");
    // The listener opens once the flows have started (until then Node-RED leaves the upgrade
    // unanswered): try again until it does.
    let deadline = tokio::time::Instant::now() + crate::helpers::patience(20);
    let (mut socket, answer) = loop {
        let mut request = format!("ws://{}/ws/echo", app.socket()).into_client_request()?;
        request.headers_mut().insert("Host", host.parse()?);
        let attempt = tokio_tungstenite::connect_async(request);
        match tokio::time::timeout(crate::helpers::patience(2), attempt).await {
            Ok(Ok(connected)) => break connected,
            _ if tokio::time::Instant::now() > deadline => return Err("no websocket".into()),
            _ => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
        }
    };
    assert_eq!(answer.status().as_u16(), 101);
    for text in ["hello", "ünïcode ✓", ""] {
        socket.send(Message::text(text)).await?;
        let echoed = tokio::time::timeout(crate::helpers::patience(10), socket.next())
            .await?
            .ok_or("closed")??;
        assert_eq!(echoed.into_text()?.as_str(), format!("echo: {text}"));
    }
    socket.close(None).await?;
    Ok(())
}

#[tokio::test]
async fn server_sent_events_from_a_flow_stream_through_the_instance_origin() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let id = app.instance(&f.member, &f.app_id, "Development").await?;
    f.member.wait_for_state(&id, "running").await?;
    app.deploy(&id, "sse.json", None).await?;
    let origin = app.stranger_at(&id).await?;
    // Node-RED registers the flow's route once its flows have started, a moment after the
    // deploy answers (until then it says 404): open the stream again until the route is there.
    let deadline = tokio::time::Instant::now() + crate::helpers::patience(20);
    let mut events = loop {
        let events = origin
            .client
            .get(format!("{}/events", origin.base))
            .send()
            .await?;
        if events.status() != reqwest::StatusCode::NOT_FOUND
            || tokio::time::Instant::now() > deadline
        {
            break events;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    let kind = events.headers()["content-type"].to_str()?.to_owned();
    assert_eq!(
        kind,
        "text/event-stream",
        "{}: {}",
        events.status(),
        events.text().await?
    );
    // The first event arrives on its own, while the flow still holds the second back: nothing
    // on the way buffers the stream.
    let mut first = String::new();
    while !first.ends_with("\n\n") {
        let chunk = events
            .chunk()
            .await?
            .ok_or_else(|| format!("ended after {first:?}"))?;
        first.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert_eq!(first, "data: one\n\n", "the first event alone");
    let mut rest = String::new();
    while let Some(chunk) = events.chunk().await? {
        rest.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert_eq!(rest, "data: two\n\n");
    Ok(())
}
