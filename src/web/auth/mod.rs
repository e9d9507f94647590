//! Signing in and out, and the signed-in user's own account (password, sessions).

pub mod account;
pub mod login;

use actix_web::web;

/// `/login`, `/logout`, `/account…`.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/login")
            .route(web::get().to(login::login_form))
            .route(web::post().to(login::login)),
    )
    .service(web::resource("/logout").route(web::post().to(login::logout)))
    .service(web::resource("/account").route(web::get().to(account::page)))
    .service(web::resource("/account/password").route(web::post().to(account::change_password)))
    .service(web::resource("/account/sessions/{id}/revoke").route(web::post().to(account::revoke)));
}
