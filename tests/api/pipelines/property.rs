//! Stage order through any (seeded) sequence of edits, against a model.

use rand::RngExt;

use super::*;

#[tokio::test]
async fn any_sequence_of_stage_edits_keeps_positions_consistent() -> TestResult {
    let app = spawn_app().await;
    let (f, ids, p) = setup(&app, &["A", "B", "C", "D", "E"]).await?;
    // The expected order, by stage name, next to what the page shows.
    let mut expected: Vec<String> = Vec::new();
    let mut shown: Vec<ShownStage> = Vec::new();
    let mut rng = seeded_rng("any_sequence_of_stage_edits_keeps_positions_consistent");
    for step in 0..40 {
        let unused: Vec<usize> = (0..ids.len())
            .filter(|i| !expected.contains(&format!("S{i}")))
            .collect();
        let at = (!shown.is_empty()).then(|| rng.random_range(0..shown.len()));
        match (rng.random_range(0..4), at) {
            (0 | 1, _) if !unused.is_empty() => {
                let i = unused[rng.random_range(0..unused.len())];
                let name = format!("S{i}");
                let after = rng.random_bool(0.5);
                let anchor =
                    at.map(|a| (if after { "after" } else { "before" }, shown[a].0.as_str()));
                app.stage(&f.member, &p, &name, &ids[i], anchor).await?;
                let index = at.map_or(expected.len(), |a| if after { a + 1 } else { a });
                expected.insert(index, name);
            }
            (2, Some(a)) => {
                let left = rng.random_bool(0.5);
                f.member
                    .post(
                        &format!("/stage/{}/move", shown[a].0),
                        &[("direction", if left { "left" } else { "right" })],
                    )
                    .await?;
                match left {
                    true if a > 0 => expected.swap(a, a - 1),
                    false if a + 1 < expected.len() => expected.swap(a, a + 1),
                    _ => {}
                }
            }
            (_, Some(a)) => {
                f.member
                    .post(&format!("/stage/{}/delete", shown[a].0), &[])
                    .await?;
                expected.remove(a);
            }
            _ => continue,
        }
        shown = f.member.stages(&f.app_id, &p).await?;
        assert_eq!(names(&shown), expected, "step {step}");
    }
    Ok(())
}
