//! Renaming and deleting pipelines, which never touches their instances.

use super::*;

#[tokio::test]
async fn pipelines_are_renamed_and_deleted_without_touching_instances() -> TestResult {
    let app = spawn_app().await;
    let (f, ids, p) = setup(&app, &["Development"]).await?;
    app.stage(&f.member, &p, "Development", &ids[0], None)
        .await?;
    let page = f
        .member
        .post(
            &format!("/instance/{}/delete", ids[0]),
            &[("confirm", "Development")],
        )
        .await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.field_error("confirm")
            .is_some_and(|m| m.contains("is a stage of the pipeline Release"))
    );

    f.member
        .post(&format!("/pipeline/{p}/rename"), &[("name", "Main line")])
        .await?;
    let list = f
        .member
        .get(&format!("/application/{}/pipelines", f.app_id))
        .await?;
    assert_eq!(
        list.text(&format!("#pipeline-{p} h2")).as_deref(),
        Some("Main line")
    );
    let page = f.member.post(&format!("/pipeline/{p}/delete"), &[]).await?;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let list = f
        .member
        .get(&format!("/application/{}/pipelines", f.app_id))
        .await?;
    assert_eq!(list.count("section.pipeline"), 0);
    assert_eq!(
        f.member
            .get(&format!("/instance/{}/overview", ids[0]))
            .await?
            .status,
        StatusCode::OK,
        "the instance stays"
    );
    let page = f
        .member
        .post(
            &format!("/instance/{}/delete", ids[0]),
            &[("confirm", "Development")],
        )
        .await?;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "now it can go");
    Ok(())
}
