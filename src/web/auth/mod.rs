//! Signing in and out, and the signed-in user's own account (password, sessions).

pub mod account;
pub mod login;

use actix_web::web;

use crate::web::urls;

/// `/login`, `/logout`, `/account…`.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource(urls::LOGIN)
            .route(web::get().to(login::login_form))
            .route(web::post().to(login::login)),
    )
    .service(web::resource(urls::LOGOUT).route(web::post().to(login::logout)))
    .service(web::resource(urls::ACCOUNT).route(web::get().to(account::page)))
    .service(web::resource(urls::ACCOUNT_PASSWORD).route(web::post().to(account::change_password)))
    .service(web::resource(urls::ACCOUNT_SESSION_REVOKE).route(web::post().to(account::revoke)));
}
