//! Sign in and sign out.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::db::models::editor;
use crate::db::models::users::{self, User};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::UserSession;
use crate::web::host::TrustedProxies;
use crate::web::urls::after_login;
use crate::web::views::{Chrome, render, see_other};

#[derive(Template)]
#[template(path = "auth/login.html")]
struct LoginPage {
    chrome: Chrome,
    username: String,
    next: String,
    error: Option<String>,
    signed_out: bool,
}

/// Query of `GET /login`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginQuery {
    next: String,
    signed_out: bool,
}

/// The sign-in form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    username: String,
    password: String,
    next: String,
}

fn page(
    session: &UserSession,
    status: StatusCode,
    page: LoginPage,
) -> Result<HttpResponse, AppError> {
    let chrome = Chrome {
        title: "Sign in".into(),
        csrf: session.csrf_token()?,
        ..Chrome::default()
    };
    render(status, &LoginPage { chrome, ..page })
}

/// `GET /login`: the form, or straight on when already signed in.
pub async fn login_form(
    session: UserSession,
    query: web::Query<LoginQuery>,
) -> Result<HttpResponse, AppError> {
    let LoginQuery { next, signed_out } = query.into_inner();
    if session.user().is_some() {
        return Ok(see_other(&after_login(&next)));
    }
    let form = LoginPage {
        chrome: Chrome::default(),
        username: String::new(),
        next,
        error: None,
        signed_out,
    };
    page(&session, StatusCode::OK, form)
}

/// `POST /login`: check the password (throttled), start a fresh session, go to `next`.
pub async fn login(
    req: HttpRequest,
    session: UserSession,
    state: web::Data<AppState>,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let (username, password, next) = (form.username, form.password, form.next);
    let address = client_address(&state, &req);
    let retry = |error: String| LoginPage {
        chrome: Chrome::default(),
        username: username.clone(),
        next: next.clone(),
        error: Some(error),
        signed_out: false,
    };
    if let Some(wait) = state.throttle.check(&address, &username) {
        return throttled(&session, wait, retry);
    }
    match verified_user(&state, &username, password).await? {
        Some(user) if user.disabled => {
            let message = "This account is disabled; ask an administrator.";
            page(&session, StatusCode::FORBIDDEN, retry(message.into()))
        }
        Some(user) => {
            state.throttle.succeeded(&address, &username);
            session.sign_in(&user, (user_agent(&req), &address))?;
            tracing::info!(user = %user.username, "signed in");
            Ok(see_other(&after_login(&next)))
        }
        _ => {
            state.throttle.failed(&address, &username);
            let message = "Wrong user name or password.";
            page(&session, StatusCode::UNAUTHORIZED, retry(message.into()))
        }
    }
}

/// The client's address, as trusted proxies say it (never as the client says it).
fn client_address(state: &AppState, req: &HttpRequest) -> String {
    TrustedProxies(&state.settings.trusted_proxies)
        .client(req.head())
        .map(|ip| ip.to_string())
        .unwrap_or_default()
}

/// The account named `username` when `password` is its password.
async fn verified_user(
    state: &AppState,
    username: &str,
    password: String,
) -> Result<Option<User>, AppError> {
    let name = username.trim().to_owned();
    let user = state
        .db
        .run(move |conn| Ok(users::find_by_username(conn, &name)?))
        .await?;
    // Verified even for unknown names (against a dummy hash): timing must not tell them apart.
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    let verified = state.passwords.verify(password, stored).await?;
    Ok(user.filter(|_| verified))
}

/// 429 with `Retry-After`: too many failed sign-ins for this account or address.
fn throttled(
    session: &UserSession,
    wait: std::time::Duration,
    retry: impl Fn(String) -> LoginPage,
) -> Result<HttpResponse, AppError> {
    let secs = wait.as_secs().max(1);
    let message = format!("Too many failed sign-ins. Try again in {secs} seconds.");
    let mut response = page(session, StatusCode::TOO_MANY_REQUESTS, retry(message))?;
    response.headers_mut().insert(
        actix_web::http::header::RETRY_AFTER,
        actix_web::http::header::HeaderValue::from(secs),
    );
    Ok(response)
}

/// The browser's User-Agent, to name the session in the account's list.
fn user_agent(req: &HttpRequest) -> &str {
    req.headers()
        .get(actix_web::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// `POST /logout`: end the session, and every editor session it opened on instance origins.
pub async fn logout(
    session: UserSession,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    if let Some(sid) = session.sign_in_id() {
        state
            .db
            .run(move |conn| Ok(editor::end_platform_session(conn, &sid)?))
            .await?;
    }
    session.sign_out();
    Ok(see_other(&crate::web::urls::login_signed_out()))
}
