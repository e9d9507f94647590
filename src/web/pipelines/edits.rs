//! Pipeline edits: add a pipeline to an application, rename it in place, delete it (its stages
//! go, its instances stay). Each change is audited in the same transaction.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::auth::CurrentUser;
use crate::db::ids::{ApplicationId, PipelineId};
use crate::db::models::applications;
use crate::db::models::audit;
use crate::db::models::pipelines;
use crate::domain::names;
use crate::domain::roles::Action;
use crate::error::AppError;
use crate::state::AppState;
use crate::web::access::require;
use crate::web::pipelines::page::{Audit, actor, audited, fragment, load, page, respond};
use crate::web::views::{FormErrors, see_other, wants_fragment};

/// The add / rename form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NameForm {
    name: String,
}

/// `POST /application/{id}/pipelines`: add a pipeline.
pub async fn create(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<ApplicationId>,
    form: web::Form<NameForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let mut errors = FormErrors::default();
    let name = errors.check("name", names::name(&form.name));
    let (uid, app_id, who) = (user.user.id.clone(), id.clone(), actor(&user));
    let created = state
        .db
        .run(move |conn| {
            let scope = applications::scope(conn, &app_id, &uid)?;
            require(&scope.membership, Action::ManagePipelines)?;
            if name.is_empty() {
                return Ok(None);
            }
            let pipeline = pipelines::create(conn, &scope.application.id, &name)?;
            audit::record(
                conn,
                &scope.membership.team.id,
                Some(&pipeline.id),
                &who,
                "pipeline.created",
                &pipeline.name,
                "",
            )?;
            Ok(Some(scope.application))
        })
        .await?;
    match created {
        Some(app) => {
            user.session.flash(
                "success",
                "Pipeline added. Add its stages: one per instance, in the order flows travel.",
            )?;
            Ok(see_other(&app.pipelines_url()))
        }
        None => {
            page(
                &user,
                &state,
                id,
                "1",
                StatusCode::UNPROCESSABLE_ENTITY,
                (form.into_inner().name, errors),
            )
            .await
        }
    }
}

/// `POST /pipeline/{id}/rename`.
pub async fn rename(
    user: CurrentUser,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<PipelineId>,
    form: web::Form<NameForm>,
) -> Result<HttpResponse, AppError> {
    let mut scope = load(&user, &state, id.into_inner()).await?;
    require(&scope.membership, Action::ManagePipelines)?;
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
            Audit {
                action: "pipeline.renamed",
                subject: new,
                details: format!("was {old}"),
            },
        ))
    })
    .await?;
    scope.pipeline.name = name;
    respond(&req, &state, &user, scope).await
}

/// `POST /pipeline/{id}/delete`: the pipeline and its stages go; instances stay.
pub async fn delete(
    user: CurrentUser,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<PipelineId>,
) -> Result<HttpResponse, AppError> {
    let scope = load(&user, &state, id.into_inner()).await?;
    require(&scope.membership, Action::ManagePipelines)?;
    let (id, name) = (scope.pipeline.id.clone(), scope.pipeline.name.clone());
    audited(&state, &user, &scope, move |conn| {
        pipelines::delete(conn, &id)?;
        Ok((
            (),
            Audit {
                action: "pipeline.deleted",
                subject: name,
                details: String::new(),
            },
        ))
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
