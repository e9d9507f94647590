//! Who may do what on the DevOps Pipelines page (viewers, outsiders, protected instances), and
//! the page's paging with a query count that does not grow with the number of pipelines.

use reqwest::StatusCode;

use super::{names, setup};
use crate::helpers::*;

#[tokio::test]
async fn viewers_see_pipelines_without_controls_and_outsiders_get_404_everywhere() -> TestResult {
    let app = spawn_app().await;
    let (f, ids, p) = setup(&app, &["Development", "Production"]).await?;
    app.stage(&f.member, &p, "Development", &ids[0], None)
        .await?;
    app.stage(&f.member, &p, "Production", &ids[1], None)
        .await?;
    let shown = f.member.stages(&f.app_id, &p).await?;

    let page = f
        .viewer
        .get(&format!("/application/{}/pipelines", f.app_id))
        .await?;
    assert_eq!(
        names(&f.viewer.stages(&f.app_id, &p).await?),
        ["Development", "Production"]
    );
    assert_eq!(page.count(".play"), 0, "no play button for viewers");
    assert_eq!(page.count("form"), 1, "no forms but sign-out");
    let posts: Vec<(String, Vec<(&str, &str)>)> = vec![
        (
            format!("/application/{}/pipelines", f.app_id),
            vec![("name", "Mine")],
        ),
        (format!("/pipeline/{p}/rename"), vec![("name", "Mine")]),
        (
            format!("/pipeline/{p}/stages"),
            vec![("name", "X"), ("instance", &ids[0])],
        ),
        (
            format!("/stage/{}/move", shown[1].0),
            vec![("direction", "left")],
        ),
        (
            format!("/stage/{}/edit", shown[1].0),
            vec![("name", "X"), ("instance", &ids[1])],
        ),
        (format!("/stage/{}/delete", shown[1].0), vec![]),
        (format!("/pipeline/{p}/delete"), vec![]),
    ];
    for (path, form) in &posts {
        assert_eq!(
            f.viewer.post(path, form).await?.status,
            StatusCode::FORBIDDEN,
            "viewer POST {path}"
        );
        assert_eq!(
            f.outsider.post(path, form).await?.status,
            StatusCode::NOT_FOUND,
            "outsider POST {path}"
        );
    }
    for path in [
        format!("/application/{}/pipelines", f.app_id),
        format!("/pipeline/{p}"),
        format!("/application/{}/pipelines/events", f.app_id),
        format!("/pipeline/{p}/history"),
        format!("/pipeline/{p}/stages/new"),
        format!("/stage/{}/edit", shown[0].0),
    ] {
        assert_eq!(
            f.outsider.get(&path).await?.status,
            StatusCode::NOT_FOUND,
            "outsider GET {path}"
        );
    }
    assert_eq!(
        names(&f.member.stages(&f.app_id, &p).await?),
        ["Development", "Production"],
        "nothing changed"
    );
    Ok(())
}

#[tokio::test]
async fn owners_protect_instances_and_members_see_play_disabled_with_the_reason() -> TestResult {
    let app = spawn_app().await;
    let (f, ids, p) = setup(&app, &["Development", "Production"]).await?;
    app.stage(&f.member, &p, "Development", &ids[0], None)
        .await?;
    app.stage(&f.member, &p, "Production", &ids[1], None)
        .await?;
    let protection = format!("/instance/{}/settings/protection", ids[1]);
    assert_eq!(
        f.member
            .post(&protection, &[("protected", "true")])
            .await?
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        f.owner
            .post(&protection, &[("protected", "true")])
            .await?
            .status,
        StatusCode::SEE_OTHER
    );

    let shown = f.member.stages(&f.app_id, &p).await?;
    let page = f
        .member
        .get(&format!("/application/{}/pipelines", f.app_id))
        .await?;
    let play = format!("#stage-{} button.play[disabled]", shown[0].0);
    assert_eq!(page.count(&play), 1, "disabled for members");
    assert_eq!(
        page.attr(&play, "title").as_deref(),
        Some("Production is protected: only owners of Plant Ops can deploy to it.")
    );
    assert_eq!(
        page.count(&format!("#stage-{} .lock", shown[1].0)),
        1,
        "the lock shows"
    );
    let page = f
        .owner
        .get(&format!("/application/{}/pipelines", f.app_id))
        .await?;
    assert_eq!(
        page.count(&format!("#stage-{} a.play", shown[0].0)),
        1,
        "enabled for owners"
    );
    Ok(())
}

/// SQL statements the server ran for one GET of `path` (calibrated against the stats request itself).
/// The counter is the server's, so background work (a session's last-seen write, a runtime's
/// bookkeeping) can only add to a sample: each figure is the least of three samples.
async fn queries_for(admin: &Browser, path: &str) -> Res<u64> {
    let count = |page: Page| -> Res<u64> {
        let stats: serde_json::Value = serde_json::from_str(&page.body)?;
        Ok(stats["sql_queries"].as_u64().ok_or("no counter")?)
    };
    let (mut calibration, mut with_page) = (u64::MAX, u64::MAX);
    for _ in 0..3 {
        let before = count(admin.get("/admin/stats").await?)?;
        let after = count(admin.get("/admin/stats").await?)?;
        calibration = calibration.min(after - before);
        let start = count(admin.get("/admin/stats").await?)?;
        assert_eq!(admin.get(path).await?.status, StatusCode::OK);
        let end = count(admin.get("/admin/stats").await?)?;
        with_page = with_page.min(end - start);
    }
    Ok(with_page - calibration)
}

#[tokio::test]
async fn the_pipelines_page_pages_and_its_query_count_does_not_grow_with_pipelines() -> TestResult {
    let app = spawn_app().await;
    app.team(&app.admin, "Plant Ops", "plant-ops").await?;
    let app_id = app.application(&app.admin, "plant-ops", "Line 1").await?;
    let dev = app.instance(&app.admin, &app_id, "Development").await?;
    let prod = app.instance(&app.admin, &app_id, "Production").await?;
    let path = format!("/application/{app_id}/pipelines");
    let mut counts = Vec::new();
    for n in 1..=25 {
        let p = app
            .pipeline(&app.admin, &app_id, &format!("Pipeline {n:02}"))
            .await?;
        app.stage(&app.admin, &p, "Development", &dev, None).await?;
        app.stage(&app.admin, &p, "Production", &prod, None).await?;
        if [1, 2, 10, 25].contains(&n) {
            counts.push(queries_for(&app.admin, &path).await?);
        }
    }
    assert!(
        counts.iter().all(|c| *c == counts[0]),
        "queries per page must not grow: {counts:?}"
    );
    assert!(counts[0] <= 10, "a handful of queries per page: {counts:?}");

    let first = app.admin.get(&path).await?;
    assert_eq!(first.count("section.pipeline"), 20);
    assert_eq!(
        first.text(".pager span").as_deref(),
        Some("Pipelines 1–20 of 25")
    );
    let second = app.admin.get(&format!("{path}?page=2")).await?;
    assert_eq!(second.count("section.pipeline"), 5);
    assert_eq!(
        second.text(".pager span").as_deref(),
        Some("Pipelines 21–25 of 25")
    );
    // Out-of-range page numbers show the nearest page, never a panic or a wrapped offset.
    for (page, shown) in [
        ("9223372036854775807", "Pipelines 21–25 of 25"),
        ("99999999999999999999999", "Pipelines 21–25 of 25"),
        ("-9223372036854775808", "Pipelines 1–20 of 25"),
        ("0", "Pipelines 1–20 of 25"),
        ("two", "Pipelines 1–20 of 25"),
    ] {
        let clamped = app.admin.get(&format!("{path}?page={page}")).await?;
        assert_eq!(clamped.status, StatusCode::OK, "{page}");
        assert_eq!(
            clamped.text(".pager span").as_deref(),
            Some(shown),
            "{page}"
        );
    }
    Ok(())
}
