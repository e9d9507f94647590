//! The instance origin holds a target's flow requests while redstage interrupts its runtime (a
//! push with or without a restart, a restart pressed by a user): every request gets the old or
//! the new flows' answer, never an error; held requests reach the flows in the order they came;
//! past the configured bounds they get 503 with `Retry-After`; the editor is never held.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use redstage::db::ids::InstanceId;
use redstage::db::models::deployments::status;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::line;
use crate::helpers::promotion::*;
use crate::helpers::*;

/// Clients calling `GET /hello` on an instance origin one request after the other.
struct Probes {
    stop: Arc<AtomicBool>,
    loops: Vec<tokio::task::JoinHandle<Vec<(StatusCode, String)>>>,
}

/// `loops` clients calling `{base}/hello` in a loop until stopped.
fn probe(client: &reqwest::Client, base: &str, loops: usize) -> Probes {
    let stop = Arc::new(AtomicBool::new(false));
    let loops = (0..loops)
        .map(|_| {
            let (client, url, stop) = (client.clone(), format!("{base}/hello"), stop.clone());
            tokio::spawn(async move {
                let mut seen = Vec::new();
                while !stop.load(Ordering::SeqCst) {
                    let answer = match client.get(&url).send().await {
                        Ok(answer) => answer,
                        Err(e) => {
                            seen.push((StatusCode::BAD_GATEWAY, e.to_string()));
                            continue;
                        }
                    };
                    let code = answer.status();
                    let body = answer.text().await.unwrap_or_default();
                    let version = serde_json::from_str::<Value>(&body)
                        .ok()
                        .and_then(|v| v["flowVersion"].as_str().map(str::to_owned));
                    seen.push((code, version.unwrap_or(body)));
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
                seen
            })
        })
        .collect();
    Probes { stop, loops }
}

impl Probes {
    /// Stop; what each client saw, in order.
    async fn stop(self) -> Res<Vec<Vec<(StatusCode, String)>>> {
        self.stop.store(true, Ordering::SeqCst);
        let mut all = Vec::new();
        for client in self.loops {
            all.push(client.await?);
        }
        Ok(all)
    }
}

/// Every answer was the old or the new flows' 200, never the old after the new, and the new
/// flows answered last.
fn old_or_new(seen: &[Vec<(StatusCode, String)>]) {
    for answers in seen {
        let wrong: Vec<_> = answers
            .iter()
            .filter(|(code, version)| {
                *code != StatusCode::OK || !["old", "new"].contains(&version.as_str())
            })
            .collect();
        assert!(wrong.is_empty(), "failed or wrong answers: {wrong:?}");
        let first_new = answers.iter().position(|(_, v)| v == "new");
        let old_after = first_new.is_some_and(|at| answers[at..].iter().any(|(_, v)| v == "old"));
        assert!(
            !old_after,
            "the old flows answered after the new ones: {answers:?}"
        );
        assert_eq!(answers.last().map(|(_, v)| v.as_str()), Some("new"));
    }
}

/// Push "new" hello.json from Development onto Production (serving "old"), probing Production's
/// origin all along; what the clients saw, and the push.
async fn push_while_probing(
    pending_env: bool,
) -> Res<(
    Vec<Vec<(StatusCode, String)>>,
    redstage::db::models::deployments::Deployment,
    super::Line,
)> {
    let l = line(&[], &[("GREETING", "prod")]).await?;
    let app = &l.app;
    deploy_json(app, &l.dev, &hello_version("new")?).await?;
    deploy_json(app, &l.prod, &hello_version("old")?).await?;
    app.flow_json_eventually(&l.prod, "/hello").await?;
    if pending_env {
        // A value the running process does not have yet: the push restarts Production.
        set_env(&l.f.member, &l.prod, "LATER", "now").await?;
    }
    let origin = app.stranger_at(&l.prod).await?;
    let probes = probe(&origin.client, &origin.base, 3);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let done = l.pipeline.promote(app, 0).await?;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let seen = probes.stop().await?;
    Ok((seen, done, l))
}

#[tokio::test]
async fn flow_requests_during_a_push_get_the_old_or_the_new_flows_never_an_error() -> TestResult {
    let (seen, done, _l) = push_while_probing(false).await?;
    assert_eq!(done.status, status::SUCCEEDED, "{:?}", done.error);
    assert!(!done.restarted);
    old_or_new(&seen);
    Ok(())
}

#[tokio::test]
async fn flow_requests_during_a_push_that_restarts_the_target_wait_for_the_new_flows() -> TestResult
{
    let (seen, done, l) = push_while_probing(true).await?;
    assert_eq!(done.status, status::SUCCEEDED, "{:?}", done.error);
    assert!(done.restarted, "the process had to get LATER");
    old_or_new(&seen);
    // Operators (and the benchmark) read the counts from the stats endpoint.
    let stats: Value = serde_json::from_str(&l.app.admin.get("/admin/stats").await?.body)?;
    let held = stats["held_requests"].as_u64().ok_or("no held_requests")?;
    assert!(
        held > 0,
        "requests came during the restart and were held: {stats}"
    );
    assert_eq!(stats["refused_holds"], json!(0));
    assert!(stats["longest_hold_ms"].is_u64(), "{stats}");
    Ok(())
}

#[tokio::test]
async fn a_restart_pressed_by_a_user_holds_flow_requests_until_the_flows_run_again() -> TestResult {
    let l = line(&[], &[]).await?;
    let app = &l.app;
    deploy_json(app, &l.prod, &hello_version("new")?).await?;
    app.flow_json_eventually(&l.prod, "/hello").await?;
    let origin = app.stranger_at(&l.prod).await?;
    let probes = probe(&origin.client, &origin.base, 2);
    let before = app.pid(&l.prod);
    restart_instance(app, &l.f.member, &l.prod).await?;
    // Held until the new process reports its flows started, then answered.
    app.flow_json_eventually(&l.prod, "/hello").await?;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let seen = probes.stop().await?;
    assert_ne!(app.pid(&l.prod), before);
    old_or_new(&seen);
    assert!(app.state.holds.stats().held > 0);
    Ok(())
}

/// An instance whose flows record the order of `POST /order/{n}` calls (`GET /order` says it).
async fn recording(app: &TestApp) -> Res<(Fixture, String)> {
    let f = fixture(app).await?;
    let id = app.instance(&f.member, &f.app_id, "Production").await?;
    f.member.wait_for_state(&id, "running").await?;
    let record = "const seen = flow.get('seen') || [];\nif (msg.req.method === 'POST') { seen.push(Number(msg.req.params.n)); flow.set('seen', seen); }\nmsg.payload = seen;\nreturn msg;";
    let flows = json!([
        {"id": "t", "type": "tab", "label": "Order"},
        {"id": "in1", "type": "http in", "z": "t", "url": "/order/:n", "method": "post", "wires": [["fn"]]},
        {"id": "in2", "type": "http in", "z": "t", "url": "/order", "method": "get", "wires": [["fn"]]},
        {"id": "fn", "type": "function", "z": "t", "func": record, "outputs": 1, "wires": [["out"]]},
        {"id": "out", "type": "http response", "z": "t", "wires": []}
    ]);
    deploy_json(app, &id, &flows).await?;
    app.flow_json_eventually(&id, "/order").await?;
    Ok((f, id))
}

#[tokio::test]
async fn held_requests_reach_the_flows_in_the_order_they_came() -> TestResult {
    // The next request goes when the one before it was answered (the fallback stagger, for
    // slow endpoints, is set out of the way so that a busy machine cannot reorder them).
    let app = spawn_app_with(|s| s.proxy.hold.stagger = patience(30)).await;
    let (_f, id) = recording(&app).await?;
    let origin = app.stranger_at(&id).await?;
    let gate = InstanceId::from(id.clone());
    let guard = app.state.holds.close(&gate).await;
    let mut sent = Vec::new();
    for n in 0..8 {
        let (client, url) = (origin.client.clone(), format!("{}/order/{n}", origin.base));
        sent.push(tokio::spawn(async move { client.post(url).send().await }));
        let deadline = tokio::time::Instant::now() + patience(10);
        while app.state.holds.queued(&gate) < n + 1 {
            assert!(
                tokio::time::Instant::now() < deadline,
                "request {n} was not held"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    drop(guard);
    for request in sent {
        assert_eq!(request.await??.status(), StatusCode::OK);
    }
    let order = app.flow_json_eventually(&id, "/order").await?;
    assert_eq!(order, json!([0, 1, 2, 3, 4, 5, 6, 7]));
    Ok(())
}

#[tokio::test]
async fn past_the_bounds_a_held_request_gets_503_with_retry_after_and_the_editor_is_not_held()
-> TestResult {
    let app = spawn_app_with(|s| {
        s.proxy.hold.max_wait = patience(3);
        s.proxy.hold.queue = 1;
    })
    .await;
    let (f, id) = recording(&app).await?;
    let origin = app.stranger_at(&id).await?;
    let gate = InstanceId::from(id.clone());
    let guard = app.state.holds.close(&gate).await;
    let first = {
        let (client, url) = (origin.client.clone(), format!("{}/order/1", origin.base));
        tokio::spawn(async move { client.post(url).send().await })
    };
    let deadline = tokio::time::Instant::now() + patience(10);
    while app.state.holds.queued(&gate) < 1 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the request was not held"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let second = origin
        .client
        .post(format!("{}/order/2", origin.base))
        .send()
        .await?;
    let editor = f.member.open_editor(&app, &id).await?;
    assert_eq!(editor.get("/editor/settings").await?.status, StatusCode::OK);
    let first = first.await??;

    for (answer, why) in [
        (second, "too many requests are waiting for it"),
        (first, "it took longer than this request may wait"),
    ] {
        assert_eq!(answer.status(), StatusCode::SERVICE_UNAVAILABLE, "{why}");
        assert_eq!(answer.headers()["retry-after"], "5", "{why}");
        let body = answer.text().await?;
        assert!(
            body.contains(&format!("Production is being updated and {why}")),
            "{body}"
        );
    }
    drop(guard);
    let order = app.flow_json_eventually(&id, "/order").await?;
    assert_eq!(
        order,
        json!([]),
        "neither refused request reached the flows"
    );
    let stats = app.state.holds.stats();
    assert_eq!((stats.held, stats.refused), (0, 2));
    Ok(())
}
