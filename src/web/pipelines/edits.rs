//! Pipeline edits: add a pipeline to an application, rename it in place, delete it (its stages
//! go, its instances stay). Each change is audited in the same transaction.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::db::models::applications::ApplicationScope;
use crate::db::models::audit;
use crate::db::models::pipelines::{self, PipelineScope};
use crate::domain::names;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::access::{Access, can};
use crate::web::pipelines::audit::{Audit, actor, audited};
use crate::web::pipelines::page::{fragment, page, respond};
use crate::web::views::{FormErrors, see_other, wants_fragment};

/// The add / rename form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NameForm {
    name: String,
}

/// `POST /application/{id}/pipelines`: add a pipeline.
pub async fn create(
    Access { user, scope, .. }: Access<ApplicationScope, can::ManagePipelines>,
    state: web::Data<AppState>,
    form: web::Form<NameForm>,
) -> Result<HttpResponse, AppError> {
    let mut errors = FormErrors::default();
    let name = errors.check("name", names::name(&form.name));
    if errors.any() {
        let (status, shown) = (StatusCode::UNPROCESSABLE_ENTITY, (form.0.name, errors));
        return page(&user, &state, scope, "1", status, shown).await;
    }
    let (team, app, who) = (
        scope.membership.team.id.clone(),
        scope.application.id.clone(),
        actor(&user),
    );
    state
        .db
        .run(move |conn| {
            conn.immediate_transaction(|conn| {
                let pipeline = pipelines::create(conn, &app, &name)?;
                let (id, name) = (Some(&pipeline.id), &pipeline.name);
                audit::record(conn, &team, id, &who, "pipeline.created", name, "")?;
                Ok(())
            })
        })
        .await?;
    user.session.flash(
        "success",
        "Pipeline added. Add its stages: one per instance, in the order flows travel.",
    )?;
    Ok(see_other(&scope.application.pipelines_url()))
}

/// `POST /pipeline/{id}/rename`.
pub async fn rename(
    Access {
        user, mut scope, ..
    }: Access<PipelineScope, can::ManagePipelines>,
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<NameForm>,
) -> Result<HttpResponse, AppError> {
    let name = match names::name(&form.name) {
        Ok(name) => name,
        Err(message) if wants_fragment(&req) => {
            return fragment(
                &state,
                &user,
                scope,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(message.into()),
            )
            .await;
        }
        Err(message) => return Err(AppError::BadRequest(format!("Pipeline name: {message}"))),
    };
    let (id, new, old) = (
        scope.pipeline.id.clone(),
        name.clone(),
        scope.pipeline.name.clone(),
    );
    audited(&state, &user, &scope, move |conn| {
        pipelines::rename(conn, &id, &new)?;
        Ok((
            (),
            Audit::new("pipeline.renamed", new, format!("was {old}")),
        ))
    })
    .await?;
    scope.pipeline.name = name;
    respond(&req, &state, &user, scope).await
}

/// `POST /pipeline/{id}/delete`: the pipeline and its stages go; instances stay.
pub async fn delete(
    Access { user, scope, .. }: Access<PipelineScope, can::ManagePipelines>,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let (id, name) = (scope.pipeline.id.clone(), scope.pipeline.name.clone());
    audited(&state, &user, &scope, move |conn| {
        pipelines::delete(conn, &id)?;
        Ok(((), Audit::new("pipeline.deleted", name, "")))
    })
    .await?;
    if wants_fragment(&req) {
        return Ok(HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(""));
    }
    user.session.flash(
        "success",
        format!(
            "Pipeline {} deleted; its instances were not touched.",
            scope.pipeline.name
        ),
    )?;
    Ok(see_other(&scope.application.pipelines_url()))
}
