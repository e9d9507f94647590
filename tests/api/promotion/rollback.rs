//! Rolling a push back from the pipeline's history: the target runs what it ran before the push,
//! through the same claim, steps and audit as a promotion; viewers, outsiders and members facing
//! a protected target are refused.

use redstage::db::ids::InstanceId;
use redstage::db::models::deployments::{self, status};
use redstage::db::models::instances;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::line;
use crate::helpers::promotion::*;
use crate::helpers::*;

#[tokio::test]
async fn a_push_is_rolled_back_from_the_history_and_the_target_runs_its_previous_flows()
-> TestResult {
    let l = line(&[], &[]).await?;
    let app = &l.app;
    deploy_json(app, &l.prod, &hello_version("0")?).await?;
    app.deploy(&l.dev, "hello.json", None).await?;
    let pushed = l.pipeline.promote(app, 0).await?;
    assert_eq!(pushed.status, status::SUCCEEDED, "{:?}", pushed.error);

    let history = format!("/pipeline/{}/history", l.pipeline.pipeline.id);
    assert_eq!(l.f.member.get(&history).await?.count("form.rollback"), 1);
    assert_eq!(l.f.viewer.get(&history).await?.count("form.rollback"), 0);
    let url = format!("/deployment/{}/rollback", pushed.id);
    let viewer = l.f.viewer.post(&url, &[]).await?;
    assert_eq!(viewer.status, StatusCode::FORBIDDEN);
    let outsider = l.f.outsider.post(&url, &[]).await?;
    assert_eq!(outsider.status, StatusCode::NOT_FOUND);
    let prod = InstanceId::from(l.prod.clone());
    let id = prod.clone();
    db(app, move |c| Ok(instances::set_protected(c, &id, true)?)).await?;
    let member = l.f.member.post(&url, &[]).await?;
    assert_eq!(
        member.status,
        StatusCode::FORBIDDEN,
        "Production is protected"
    );
    let id = prod.clone();
    db(app, move |c| Ok(instances::set_protected(c, &id, false)?)).await?;
    let hello: Value = app.flow_get(&l.prod, "/hello").await?.json().await?;
    assert_eq!(
        hello["flowVersion"],
        json!("1"),
        "nothing was rolled back yet"
    );

    let pressed = l.f.member.post(&url, &[]).await?;
    assert_eq!(pressed.status, StatusCode::SEE_OTHER, "{}", pressed.body);
    let id = prod.clone();
    let latest = db(app, move |c| Ok(deployments::latest_onto_instance(c, &id)?))
        .await?
        .ok_or("no rollback")?;
    assert_ne!(latest.id, pushed.id);
    let (done, steps) = finished(app, &latest.id).await?;
    assert_eq!(done.status, status::SUCCEEDED, "{:?}", done.error);
    assert_eq!(
        done.source_name,
        "Production before the push from Development"
    );
    assert!(steps.contains(&"verifying".to_owned()), "{steps:?}");
    let hello: Value = app.flow_json_eventually(&l.prod, "/hello").await?;
    assert_eq!(
        hello["flowVersion"],
        json!("0"),
        "the flows from before the push"
    );
    assert_eq!(hello["greeting"], json!(null));
    let dev: Value = app.flow_get(&l.dev, "/hello").await?.json().await?;
    assert_eq!(dev["flowVersion"], json!("1"), "Development untouched");
    let actions = l.pipeline.audit_actions(app).await?;
    assert_eq!(
        actions.last().map(String::as_str),
        Some("rollback.succeeded")
    );

    // The rollback is itself a push that can be rolled back: Production gets version 1 again.
    let url = format!("/deployment/{}/rollback", done.id);
    let pressed = l.f.member.post(&url, &[]).await?;
    assert_eq!(pressed.status, StatusCode::SEE_OTHER, "{}", pressed.body);
    let id = prod.clone();
    let latest = db(app, move |c| Ok(deployments::latest_onto_instance(c, &id)?))
        .await?
        .ok_or("no rollback")?;
    let (again, _) = finished(app, &latest.id).await?;
    assert_eq!(again.status, status::SUCCEEDED, "{:?}", again.error);
    let hello: Value = app.flow_json_eventually(&l.prod, "/hello").await?;
    assert_eq!(hello["flowVersion"], json!("1"));
    Ok(())
}

#[tokio::test]
async fn only_a_successful_push_can_be_rolled_back() -> TestResult {
    let l = line(&[], &[]).await?;
    let app = &l.app;
    set_running(&l.f.member, &l.prod, false).await?;
    let refused = l.pipeline.promote(app, 0).await?;
    assert_eq!(refused.status, status::FAILED);
    let url = format!("/deployment/{}/rollback", refused.id);
    let page = l.f.member.post(&url, &[]).await?;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(
        page.body
            .contains("Only a successful push can be rolled back"),
        "{}",
        page.body
    );
    Ok(())
}
