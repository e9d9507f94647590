//! Every form works without JavaScript: each POST form on every page (and every fragment htmx
//! fetches) carries the session's CSRF token as a field, and each kind of form posts with that
//! field alone, no htmx header.

use std::collections::{BTreeSet, VecDeque};

use reqwest::StatusCode;
use scraper::{ElementRef, Html, Selector};

use crate::helpers::*;

/// An owner's team with two running instances in a pipeline, a push in its history, and an env var.
async fn busy_team(app: &TestApp) -> Res<(Fixture, String, String, String)> {
    let f = fixture(app).await?;
    let dev = app.instance(&f.owner, &f.app_id, "Development").await?;
    let prod = app.instance(&f.owner, &f.app_id, "Production").await?;
    let env = [("key", "GREETING"), ("value", "hi")];
    f.owner
        .post(&format!("/instance/{dev}/settings/environment"), &env)
        .await?;
    let p = app.pipeline(&f.owner, &f.app_id, "Release").await?;
    app.stage(&f.owner, &p, "Development", &dev, None).await?;
    app.stage(&f.owner, &p, "Production", &prod, None).await?;
    for id in [&dev, &prod] {
        f.owner.wait_for_state(id, "running").await?;
    }
    app.deploy(&dev, "hello.json", None).await?;
    let stages = f.owner.stages(&f.app_id, &p).await?;
    let pushed = f
        .owner
        .post(&format!("/stage/{}/promote", stages[0].0), &[])
        .await?;
    assert_eq!(pushed.status, StatusCode::SEE_OTHER, "{}", pushed.body);
    Ok((f, dev, prod, p))
}

fn select<'a>(html: &'a Html, css: &str) -> Vec<ElementRef<'a>> {
    Selector::parse(css)
        .map(|s| html.select(&s).collect())
        .unwrap_or_default()
}

/// Paths on this site that a page links to or fetches with htmx (not the Node-RED editor, which
/// is Node-RED's own, nor static files).
fn links(html: &Html) -> Vec<String> {
    let mut found = Vec::new();
    for (css, attr) in [("a[href]", "href"), ("[hx-get]", "hx-get")] {
        for el in select(html, css) {
            let Some(link) = el.value().attr(attr) else {
                continue;
            };
            let link = link.split('#').next().unwrap_or_default();
            let ours = link.starts_with('/') && !link.starts_with("//");
            if ours && !link.contains("/editor") && !link.starts_with("/static/") {
                found.push(link.to_owned());
            }
        }
    }
    found
}

/// Every problem with the forms of one answer.
fn form_problems(url: &str, html: &Html, token: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for form in select(html, "form") {
        let method = form.value().attr("method").unwrap_or("get");
        if !method.eq_ignore_ascii_case("post") {
            continue;
        }
        let action = form.value().attr("action").unwrap_or("?");
        let fields = Selector::parse("input[name=csrf_token]").map_err(|e| e.to_string());
        let field = fields.ok().and_then(|s| form.select(&s).next());
        match field.and_then(|f| f.value().attr("value")) {
            Some(value) if value == token => {}
            Some(_) => problems.push(format!("{url}: form {action} carries another token")),
            None => problems.push(format!("{url}: POST form {action} has no csrf_token field")),
        }
    }
    // A button outside its form (`form="id"`, e.g. a pipeline's stage buttons) names a POST form
    // of the same answer, which the check above holds to the token.
    for button in select(html, "button[form]") {
        let id = button.value().attr("form").unwrap_or_default();
        if select(html, &format!("form[id='{id}'][method=post]")).is_empty() {
            problems.push(format!(
                "{url}: a button names form {id}, no POST form here"
            ));
        }
    }
    // Something htmx posts must be a form that posts the same way without htmx.
    for el in select(html, "[hx-post]") {
        let is_form = el.value().name() == "form"
            && el
                .value()
                .attr("method")
                .is_some_and(|m| m.eq_ignore_ascii_case("post"))
            && el.value().attr("action") == el.value().attr("hx-post");
        if !is_form {
            let what = el.value().attr("hx-post").unwrap_or("?");
            problems.push(format!("{url}: hx-post {what} is not a plain POST form"));
        }
    }
    problems
}

/// Visit every page and fragment reachable from `/` as `who` (full loads and htmx requests); the
/// problems found and the URLs visited.
async fn crawl(who: &Browser) -> Res<(Vec<String>, BTreeSet<String>)> {
    let token = who.csrf().await?;
    let (mut seen, mut queue) = (BTreeSet::new(), VecDeque::from(["/".to_owned()]));
    let mut problems = Vec::new();
    while let Some(url) = queue.pop_front() {
        if !seen.insert(url.clone()) || seen.len() > 400 {
            continue;
        }
        for page in [who.get(&url).await?, who.get_htmx(&url).await?] {
            let next = match (page.status, page.location.as_deref()) {
                (StatusCode::OK | StatusCode::UNPROCESSABLE_ENTITY, _) => None,
                (s, Some(to)) if s.is_redirection() => Some(to.to_owned()),
                (s, _) => {
                    // A page a link leads to answering an error is a broken link.
                    problems.push(format!("{url}: {s}"));
                    None
                }
            };
            queue.extend(next.filter(|to| to.starts_with('/')));
            let html = page.html();
            problems.extend(form_problems(&url, &html, &token));
            queue.extend(links(&html));
        }
    }
    Ok((problems, seen))
}

#[tokio::test]
async fn every_post_form_on_every_page_carries_the_csrf_field() -> TestResult {
    let app = spawn_app().await;
    let (f, dev, prod, p) = busy_team(&app).await?;
    // A stopped instance shows the forms a running one does not (Start).
    f.owner.post(&format!("/instance/{prod}/stop"), &[]).await?;
    let (problems, seen) = crawl(&f.owner).await?;
    assert!(problems.is_empty(), "{problems:#?}");
    for must in [
        format!("/application/{}/pipelines", f.app_id),
        format!("/pipeline/{p}/history"),
        format!("/instance/{dev}/overview"),
        format!("/instance/{dev}/settings/environment"),
        format!("/instance/{dev}/settings/danger"),
    ] {
        assert!(seen.contains(&must), "the crawl reached {must}: {seen:#?}");
    }
    assert!(
        seen.iter()
            .any(|u| u.starts_with("/stage/") && u.ends_with("/promote")),
        "the crawl opened a play confirmation: {seen:#?}"
    );
    let (problems, _) = crawl(&app.admin).await?;
    assert!(problems.is_empty(), "{problems:#?}");
    Ok(())
}

/// The action and fields a browser without JavaScript submits for the first form or submit button
/// matching `css` on `page` (a button sends its form's fields, its own name and value, to its
/// `formaction` when it has one).
fn fields_of(page: &Page, css: &str) -> Res<(String, Vec<(String, String)>)> {
    let html = page.html();
    let control = select(&html, css)
        .into_iter()
        .next()
        .ok_or(format!("no {css}"))?;
    let (form, button) = match control.value().name() {
        "button" => {
            let id = control
                .value()
                .attr("form")
                .ok_or("a button outside any form")?;
            let form = select(&html, &format!("form[id='{id}']"))
                .into_iter()
                .next();
            (form.ok_or(format!("no form {id}"))?, Some(control))
        }
        _ => (control, None),
    };
    let action = button
        .and_then(|b| b.value().attr("formaction"))
        .or(form.value().attr("action"))
        .ok_or("no action")?
        .to_owned();
    let inputs = Selector::parse("input[name]").map_err(|e| e.to_string())?;
    let mut fields: Vec<(String, String)> = form
        .select(&inputs)
        .filter(|i| !matches!(i.value().attr("type"), Some("checkbox" | "radio")))
        .map(|i| {
            let name = i.value().attr("name").unwrap_or_default().to_owned();
            (name, i.value().attr("value").unwrap_or_default().to_owned())
        })
        .collect();
    if let Some(name) = button.and_then(|b| b.value().attr("name")) {
        let value = button.and_then(|b| b.value().attr("value"));
        fields.push((name.to_owned(), value.unwrap_or_default().to_owned()));
    }
    Ok((action, fields))
}

/// Submit that form as a plain browser would (no htmx header, no CSRF header), `extra` fields
/// set as a user would fill them in.
async fn submit(who: &Browser, page: &Page, css: &str, extra: &[(&str, &str)]) -> Res<Page> {
    let (action, mut fields) = fields_of(page, css)?;
    for (key, value) in extra {
        match fields.iter_mut().find(|(name, _)| name == key) {
            Some(field) => field.1 = (*value).to_owned(),
            None => fields.push(((*key).to_owned(), (*value).to_owned())),
        }
    }
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    who.post_raw(&action, &pairs).await
}

/// What a form is, how to find it, and what the user fills in.
type Case<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)]);

#[tokio::test]
async fn each_kind_of_form_posts_with_the_field_alone() -> TestResult {
    let app = spawn_app().await;
    let (f, dev, _prod, p) = busy_team(&app).await?;
    let pipelines = format!("/application/{}/pipelines", f.app_id);
    let section = format!("#pipeline-{p}");
    let stages = f.owner.stages(&f.app_id, &p).await?;
    // Without JavaScript a card's menu is a link to its entries on a page of their own.
    let menu = format!("/stage/{}/menu", stages[0].0);
    let cases: [Case; 4] = [
        (
            "rename",
            "form[action$='/rename']",
            &[("name", "Release train")],
        ),
        // The first card's only move is to the right.
        ("move right", "button[formaction$='/move']", &[]),
        (
            "remove stage",
            "form[action$='/delete'][action^='/stage/']",
            &[],
        ),
        (
            "delete pipeline",
            "form[action$='/delete'][action^='/pipeline/']",
            &[],
        ),
    ];
    for (what, css, extra) in cases {
        let (path, css) = match what {
            "remove stage" => {
                let page = f.owner.get(&pipelines).await?;
                let link = format!("{section} .stage-menu a[href='{menu}']");
                assert_eq!(page.count(&link), 1, "the card links to its menu");
                (menu.as_str(), css.to_owned())
            }
            _ => (pipelines.as_str(), format!("{section} {css}")),
        };
        let page = f.owner.get(path).await?;
        let done = submit(&f.owner, &page, &css, extra).await?;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{what}: {}", done.body);
        if what == "rename" {
            let after = f.owner.get(&pipelines).await?;
            assert_eq!(
                after.text(&format!("{section} h2")).as_deref(),
                Some("Release train")
            );
        }
    }
    assert_eq!(f.owner.get(&pipelines).await?.count(&section), 0, "deleted");

    let overview = format!("/instance/{dev}/overview");
    for (what, state) in [
        ("stop", "stopped"),
        ("start", "running"),
        ("restart", "running"),
    ] {
        let page = f.owner.get(&overview).await?;
        let css = format!("#instance-status form[action$='/{what}']");
        let done = submit(&f.owner, &page, &css, &[]).await?;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{what}: {}", done.body);
        f.owner.wait_for_state(&dev, state).await?;
    }
    Ok(())
}
