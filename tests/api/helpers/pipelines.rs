//! Helpers for pipeline tests: build pipelines and stages through the UI, read the stage order
//! the page shows.

use reqwest::StatusCode;
use scraper::Selector;

use super::{Browser, Res, TestApp};

/// A stage as the page shows it: (stage id, stage name).
pub type ShownStage = (String, String);

impl TestApp {
    /// Add a pipeline through the DevOps Pipelines tab; its id.
    pub async fn pipeline(&self, who: &Browser, app_id: &str, name: &str) -> Res<String> {
        let page = who
            .post(
                &format!("/application/{app_id}/pipelines"),
                &[("name", name)],
            )
            .await?;
        assert_eq!(
            page.status,
            StatusCode::SEE_OTHER,
            "adding pipeline {name}: {}",
            page.body
        );
        // The newest pipeline is on the last page, where a page number past the end leads.
        let list = who
            .get(&format!(
                "/application/{app_id}/pipelines?page={}",
                i64::MAX
            ))
            .await?;
        let html = list.html();
        let sections = Selector::parse("section.pipeline").map_err(|e| e.to_string())?;
        let heading = Selector::parse("h2").map_err(|e| e.to_string())?;
        let found = html
            .select(&sections)
            .filter(|s| {
                s.select(&heading)
                    .next()
                    .is_some_and(|h| h.text().collect::<String>().trim() == name)
            })
            .filter_map(|s| {
                s.value()
                    .attr("id")?
                    .strip_prefix("pipeline-")
                    .map(str::to_owned)
            })
            .next_back();
        let id = found.ok_or("pipeline not on the page")?;
        Ok(id)
    }

    /// Add a stage (at the end, or `before`/`after` a stage) as a plain form post.
    pub async fn stage(
        &self,
        who: &Browser,
        pipeline: &str,
        name: &str,
        instance: &str,
        anchor: Option<(&str, &str)>,
    ) -> Res<()> {
        let mut form = vec![("name", name), ("instance", instance)];
        if let Some(anchor) = anchor {
            form.push(anchor);
        }
        let page = who
            .post(&format!("/pipeline/{pipeline}/stages"), &form)
            .await?;
        assert_eq!(
            page.status,
            StatusCode::SEE_OTHER,
            "adding stage {name}: {}",
            page.body
        );
        Ok(())
    }
}

impl Browser {
    /// The stages of a pipeline, in the order the page shows them.
    pub async fn stages(&self, app_id: &str, pipeline: &str) -> Res<Vec<ShownStage>> {
        let page = self
            .get(&format!("/application/{app_id}/pipelines"))
            .await?;
        let html = page.html();
        let cards = Selector::parse(&format!("#pipeline-{pipeline} li.stage-card"))
            .map_err(|e| e.to_string())?;
        Ok(html
            .select(&cards)
            .filter_map(|c| {
                let id = c.value().attr("id")?.strip_prefix("stage-")?.to_owned();
                Some((id, c.value().attr("data-stage")?.to_owned()))
            })
            .collect())
    }
}

impl TestApp {
    /// Development and Production, made by the fixture's member, in a pipeline "Release" of
    /// Development -> Production: (development id, production id, pipeline id).
    pub async fn dev_to_prod(&self, f: &super::Fixture) -> Res<(String, String, String)> {
        let dev = self.instance(&f.member, &f.app_id, "Development").await?;
        let prod = self.instance(&f.member, &f.app_id, "Production").await?;
        let p = self.pipeline(&f.member, &f.app_id, "Release").await?;
        self.stage(&f.member, &p, "Development", &dev, None).await?;
        self.stage(&f.member, &p, "Production", &prod, None).await?;
        Ok((dev, prod, p))
    }
}
