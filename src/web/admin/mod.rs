//! Administrators: accounts (create, reset passwords, disable, delete) and the stats endpoint.

pub mod accounts;
pub mod users;

use actix_web::web;

/// `/admin/…`.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/admin/users")
            .route(web::get().to(users::users))
            .route(web::post().to(users::create_user)),
    )
    .service(web::resource("/admin/stats").route(web::get().to(users::stats)))
    .service(
        web::resource("/admin/users/{id}/password").route(web::post().to(users::reset_password)),
    )
    .service(web::resource("/admin/users/{id}/disable").route(web::post().to(accounts::disable)))
    .service(web::resource("/admin/users/{id}/delete").route(web::post().to(accounts::delete)));
}
