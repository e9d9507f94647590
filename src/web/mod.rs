//! The web layer: routes by area, thin handlers (extract -> domain/db -> view), shared views.

pub mod access;
pub mod account;
pub mod admin;
pub mod admin_accounts;
pub mod applications;
pub mod assets;
pub mod auth;
pub mod editor;
pub mod history;
pub mod host;
pub mod instance_control;
pub mod instance_danger;
pub mod instance_env;
pub mod instance_general;
pub mod instance_logs;
pub mod instance_mounts;
pub mod instance_options;
pub mod instance_settings;
pub mod instance_view;
pub mod instances;
pub mod members;
pub mod pipeline_edits;
pub mod pipeline_live;
pub mod pipeline_view;
pub mod pipelines;
pub mod promote;
pub mod stage_card;
pub mod stage_form;
pub mod stages;
pub mod teams;
pub mod urls;
pub mod views;

use actix_web::{HttpResponse, web};

use crate::error::AppError;

/// Register every route of the site.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/static/{path:.*}").route(web::get().to(assets::serve)))
        .service(web::resource("/").route(web::get().to(teams::home)))
        .service(
            web::resource("/login")
                .route(web::get().to(auth::login_form))
                .route(web::post().to(auth::login)),
        )
        .service(web::resource("/logout").route(web::post().to(auth::logout)))
        .service(web::resource("/account").route(web::get().to(account::page)))
        .service(web::resource("/account/password").route(web::post().to(account::change_password)))
        .service(
            web::resource("/account/sessions/{id}/revoke").route(web::post().to(account::revoke)),
        )
        .service(
            web::resource("/admin/users")
                .route(web::get().to(admin::users))
                .route(web::post().to(admin::create_user)),
        )
        .service(web::resource("/admin/stats").route(web::get().to(admin::stats)))
        .service(
            web::resource("/admin/users/{id}/password")
                .route(web::post().to(admin::reset_password)),
        )
        .service(
            web::resource("/admin/users/{id}/disable")
                .route(web::post().to(admin_accounts::disable)),
        )
        .service(
            web::resource("/admin/users/{id}/delete").route(web::post().to(admin_accounts::delete)),
        )
        .service(web::resource("/teams/new").route(web::get().to(teams::new_form)))
        .service(web::resource("/teams").route(web::post().to(teams::create)))
        .service(web::resource("/team/{slug}").route(web::get().to(teams::team_root)))
        .service(
            web::resource("/team/{slug}/applications")
                .route(web::get().to(teams::applications))
                .route(web::post().to(applications::create)),
        )
        .service(
            web::resource("/team/{slug}/applications/new")
                .route(web::get().to(applications::new_form)),
        )
        .service(
            web::resource("/team/{slug}/members")
                .route(web::get().to(members::page))
                .route(web::post().to(members::add)),
        )
        .service(
            web::resource("/team/{slug}/members/{user}/role")
                .route(web::post().to(members::change_role)),
        )
        .service(
            web::resource("/team/{slug}/members/{user}/remove")
                .route(web::post().to(members::remove)),
        )
        .service(web::resource("/application/{id}").route(web::get().to(applications::root)))
        .service(
            web::resource("/application/{id}/instances")
                .route(web::get().to(instances::list))
                .route(web::post().to(instances::create)),
        )
        .service(
            web::resource("/application/{id}/pipelines")
                .route(web::get().to(pipelines::list))
                .route(web::post().to(pipeline_edits::create)),
        )
        .service(web::resource("/pipeline/{id}").route(web::get().to(pipelines::show)))
        .service(web::resource("/pipeline/{id}/live").route(web::get().to(pipeline_live::live)))
        .service(
            web::resource("/pipeline/{id}/rename").route(web::post().to(pipeline_edits::rename)),
        )
        .service(
            web::resource("/pipeline/{id}/delete").route(web::post().to(pipeline_edits::delete)),
        )
        .service(web::resource("/pipeline/{id}/history").route(web::get().to(history::history)))
        .service(web::resource("/pipeline/{id}/stages/new").route(web::get().to(stages::new_form)))
        .service(web::resource("/pipeline/{id}/stages").route(web::post().to(stages::add)))
        .service(
            web::resource("/stage/{id}/edit")
                .route(web::get().to(stages::edit_form))
                .route(web::post().to(stages::update)),
        )
        .service(
            web::resource("/deployment/{id}/rollback").route(web::post().to(history::roll_back)),
        )
        .service(
            web::resource("/stage/{id}/promote")
                .route(web::get().to(promote::confirm))
                .route(web::post().to(promote::start)),
        )
        .service(web::resource("/stage/{id}/move").route(web::post().to(stages::move_stage)))
        .service(web::resource("/stage/{id}/delete").route(web::post().to(stages::remove)))
        .service(
            web::resource("/instance/{id}/settings/protection")
                .route(web::post().to(instance_general::protection)),
        )
        .service(
            web::resource("/application/{id}/settings")
                .route(web::get().to(applications::settings))
                .route(web::post().to(applications::update)),
        )
        .service(
            web::resource("/application/{id}/delete").route(web::post().to(applications::delete)),
        )
        .service(web::resource("/instance/{id}").route(web::get().to(instances::root)))
        .service(web::resource("/instance/{id}/overview").route(web::get().to(instances::overview)))
        .service(
            web::resource("/instance/{id}/status").route(web::get().to(instance_control::status)),
        )
        .service(
            web::resource("/instance/{id}/start").route(web::post().to(instance_control::start)),
        )
        .service(web::resource("/instance/{id}/stop").route(web::post().to(instance_control::stop)))
        .service(
            web::resource("/instance/{id}/restart")
                .route(web::post().to(instance_control::restart)),
        )
        .service(web::resource("/instance/{id}/logs").route(web::get().to(instance_logs::logs)))
        .service(
            web::resource("/instance/{id}/logs/lines")
                .route(web::get().to(instance_logs::log_lines)),
        )
        .service(
            web::resource("/instance/{id}/settings").route(web::get().to(instance_settings::root)),
        )
        .service(
            web::resource("/instance/{id}/settings/general")
                .route(web::get().to(instance_settings::show))
                .route(web::post().to(instance_general::general)),
        )
        .service(
            web::resource("/instance/{id}/settings/editor")
                .route(web::get().to(instance_settings::show))
                .route(web::post().to(instance_options::editor)),
        )
        .service(
            web::resource("/instance/{id}/settings/palette")
                .route(web::get().to(instance_settings::show))
                .route(web::post().to(instance_options::palette)),
        )
        .service(
            web::resource("/instance/{id}/settings/security")
                .route(web::get().to(instance_settings::show))
                .route(web::post().to(instance_options::security)),
        )
        .service(
            web::resource("/instance/{id}/settings/mounts")
                .route(web::post().to(instance_mounts::mounts)),
        )
        .service(
            web::resource("/instance/{id}/settings/environment")
                .route(web::get().to(instance_settings::show))
                .route(web::post().to(instance_env::add)),
        )
        .service(
            web::resource("/instance/{id}/settings/environment/{key}")
                .route(web::post().to(instance_env::update)),
        )
        .service(
            web::resource("/instance/{id}/settings/environment/{key}/delete")
                .route(web::post().to(instance_env::delete)),
        )
        .service(
            web::resource("/instance/{id}/settings/{section}")
                .route(web::get().to(instance_settings::show)),
        )
        .service(
            web::resource("/instance/{id}/duplicate")
                .route(web::post().to(instance_danger::duplicate)),
        )
        .service(
            web::resource("/instance/{id}/delete").route(web::post().to(instance_danger::delete)),
        )
        // The editor is on the instance's own origin: these only send people there.
        .service(
            web::resource("/instance/{id}/editor")
                .route(web::get().to(editor::ticket::open_editor))
                .default_service(web::to(not_found)),
        )
        .service(
            web::resource("/instance/{id}/editor/{tail:.*}")
                .route(web::get().to(editor::ticket::open_editor))
                .default_service(web::to(not_found)),
        )
        .service(web::resource("/instance/{id}/open").route(web::get().to(editor::ticket::open)))
        .default_service(web::to(not_found));
}

async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}

/// Form and path extractor settings: a malformed form or path is shown as a page, not plain text.
pub fn extractor_config(cfg: &mut web::ServiceConfig) {
    cfg.app_data(
        web::FormConfig::default()
            .limit(256 * 1024)
            .error_handler(|err, _| {
                AppError::BadRequest(format!("The form could not be read: {err}")).into()
            }),
    )
    .app_data(web::PathConfig::default().error_handler(|_, _| AppError::NotFound.into()));
}
