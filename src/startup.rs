//! Wiring: open the data directory and database, create the first administrator if needed,
//! bind the listener and assemble the actix application with its middleware.

use std::net::TcpListener;
use std::sync::Arc;

use actix_session::SessionMiddleware;
use actix_session::config::{CookieContentSecurity, PersistentSession, TtlExtensionPolicy};
use actix_web::cookie::{Key, SameSite};
use actix_web::dev::Server;
use actix_web::middleware::{Compress, DefaultHeaders, from_fn};
use actix_web::{App, HttpServer, guard, web};
use anyhow::Context;
use tracing_actix_web::TracingLogger;

use crate::auth::store::DbSessionStore;
use crate::auth::throttle::LoginThrottle;
use crate::config::Settings;
use crate::datadir;
use crate::db::Db;
use crate::domain::origins::{HostKind, Origins};
use crate::instances::spec::ServerNames;
use crate::nodered::npm::NpmConfig;
use crate::nodered::sandbox::Sandbox;
use crate::nodered::tokens::TokenKey;
use crate::nodered::{Runtimes, RuntimesConfig};
use crate::state::AppState;
use crate::telemetry::RequestSpan;
use crate::web::csrf;
use crate::web::host::TrustedProxies;

pub use crate::bootstrap::AdminBootstrap;
pub use crate::web::session::SESSION_COOKIE;

/// A built, not yet running, redstage server.
pub struct Application {
    port: u16,
    base_url: String,
    server: Server,
    bootstrap: Option<AdminBootstrap>,
    state: web::Data<AppState>,
    /// The local runtime driver behind `state.runtimes`.
    local: Arc<Runtimes>,
}

impl Application {
    /// Prepare everything and bind the listener; `run_until_stopped` serves.
    pub async fn build(mut settings: Settings) -> anyhow::Result<Self> {
        datadir::private_by_default();
        settings.resolve_paths()?;
        let db = Db::open(&settings.database_path())?;
        let key = datadir::session_key(&settings.session_key_path())?;
        datadir::repair_modes(&settings)?;
        // Listen first: a start that cannot must not create the administrator whose generated
        // password it would then never print.
        let listener = TcpListener::bind(&settings.bind)
            .with_context(|| format!("cannot listen on {}", settings.bind))?;
        let bootstrap = {
            let (db, settings) = (db.clone(), settings.clone());
            tokio::task::spawn_blocking(move || crate::bootstrap::first_admin(&db, &settings))
                .await??
        };
        let address = listener.local_addr()?;
        let host = if address.ip().is_unspecified() {
            "localhost".to_owned()
        } else {
            address.ip().to_string()
        };
        let listening = format!("http://{host}:{}", address.port());
        let origins = origins(&settings, &listening)?;
        let base_url = origins.platform_origin();
        let secure = settings.secure_cookies || origins.platform_is_https();
        let names = ServerNames {
            origins: origins.clone(),
            address: if address.ip().is_unspecified() {
                std::net::Ipv4Addr::LOCALHOST.into()
            } else {
                address.ip()
            },
        };
        let events = crate::events::Events::default();
        let runtimes = Arc::new(Runtimes::new(RuntimesConfig {
            node_red_dir: settings.node_red_dir(),
            instances_dir: settings.instances_dir(),
            tokens: TokenKey::load_or_create(&settings.runtime_key_path())?,
            loader: crate::instances::spec::loader(db.clone(), names),
            sandbox: settings.sandbox,
            npm: NpmConfig::new(settings.npm_registry.clone()),
            events: events.clone(),
        })?);
        let local = runtimes.clone();
        // bubblewrap's probe creates a sandbox (~5 ms): the server listens meanwhile, and a
        // runtime's launch waits for it.
        let probing = runtimes.clone();
        tokio::spawn(async move { report_sandbox(probing.sandbox().await) });
        let proxy_http = reqwest::Client::builder()
            .no_proxy()
            .connect_timeout(std::time::Duration::from_secs(5))
            // Node closes idle keep-alive connections after 5 s; ours must be dropped first.
            .pool_idle_timeout(std::time::Duration::from_secs(2))
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let hold = settings.proxy.hold;
        let state = web::Data::new(AppState {
            db,
            settings,
            throttle: LoginThrottle::default(),
            passwords: Default::default(),
            runtimes,
            origins,
            proxy_http,
            routes: Default::default(),
            holds: Arc::new(crate::nodered::hold::Holds::new(hold)),
            events,
        });
        // Node.js/npm are checked in the background: the server must not wait ~0.2 s for npm.
        let checking = state.runtimes.clone();
        tokio::spawn(async move {
            if let Err(problem) = checking.check_node().await {
                tracing::error!("{problem}");
                println!("WARNING: {problem}");
            }
        });
        crate::instances::sweep_orphans(&state.instances()).await?;
        let started = crate::instances::start_all(&state.instances()).await?;
        if started > 0 {
            tracing::info!("starting {started} Node-RED instance(s) that should be running");
        }
        crate::promotion::recover(&state.promotions()).await?;
        let app_state = state.clone();
        let store = DbSessionStore::new(app_state.db.clone(), app_state.settings.sessions);
        let server = HttpServer::new(move || {
            let (origins, nets) = (
                app_state.origins.clone(),
                app_state.settings.trusted_proxies.clone(),
            );
            // Pages, forms and the API on the platform's own host; everything else is an
            // instance origin (or nothing) and never sees the platform's session or middleware.
            let platform = guard::fn_guard(move |ctx| {
                TrustedProxies(&nets)
                    .host(ctx.head())
                    .is_some_and(|host| origins.classify(&host) == HostKind::Platform)
            });
            App::new()
                .app_data(app_state.clone())
                .wrap(TracingLogger::<RequestSpan>::new())
                .service(
                    web::scope("")
                        .guard(platform)
                        .wrap(from_fn(csrf::verify))
                        .wrap(session_middleware(key.clone(), secure, store.clone()))
                        .wrap(
                            DefaultHeaders::new()
                                .add(("X-Content-Type-Options", "nosniff"))
                                .add(("Referrer-Policy", "same-origin"))
                                .add(("X-Frame-Options", "SAMEORIGIN")),
                        )
                        .wrap(Compress::default())
                        .configure(crate::web::extractor_config)
                        .configure(crate::web::routes),
                )
                .default_service(web::to(crate::web::editor::dispatch))
        })
        // Without it a compressed (chunked) response's second write waits for the client's
        // delayed ACK: ~40 ms on every reused connection.
        .tcp_nodelay(true)
        .listen(listener)?
        .run();
        Ok(Self {
            port: address.port(),
            base_url,
            server,
            bootstrap,
            state,
            local,
        })
    }

    /// The port actually bound (useful with port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://host:port` of the server.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// What the first-start bootstrap did, if anything.
    pub fn bootstrap(&self) -> Option<&AdminBootstrap> {
        self.bootstrap.as_ref()
    }

    /// Tell the person at the console where to go, and the generated password if there is one.
    pub fn print_banner(&self) {
        let login = format!("{}/login", self.base_url);
        match &self.bootstrap {
            Some(AdminBootstrap::Generated { username, password }) => println!(
                "\n==================================================================\n  \
                 redstage created the first administrator (shown only this once):\n\n    \
                 user:     {username}\n    password: {password}\n\n  \
                 Sign in at {login} and change the password under Account.\n\
                 ==================================================================\n"
            ),
            Some(AdminBootstrap::FromConfig { username }) => {
                println!("redstage created the administrator {username} from REDSTAGE_ADMIN_USER.")
            }
            None => {}
        }
        println!(
            "redstage is listening on {} — sign in at {login}",
            self.base_url
        );
    }

    /// A handle to stop the HTTP server (after which `run_until_stopped` stops the runtimes).
    pub fn server_handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// The application state (tests use it to drive services directly).
    pub fn state(&self) -> web::Data<AppState> {
        self.state.clone()
    }

    /// The local runtimes behind the driver (tests use it to kill them when a test ends).
    pub fn runtimes(&self) -> Arc<Runtimes> {
        self.local.clone()
    }

    /// Serve until the process is asked to stop (Ctrl-C / SIGTERM), then stop every runtime.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = self.server.await;
        tracing::info!("stopping the Node-RED runtimes");
        self.state.runtimes.shutdown().await;
        served
    }
}

/// Tell the administrator whether runtimes run sandboxed, and if not why.
fn report_sandbox(sandbox: &Sandbox) {
    match (sandbox.active(), sandbox.refusal()) {
        (true, _) => tracing::info!("runtimes run sandboxed (bubblewrap)"),
        (false, Some(refusal)) => {
            tracing::error!("{refusal}");
            println!("ERROR: {refusal}");
        }
        (false, None) => {
            let warning = format!(
                "runtimes run WITHOUT a sandbox: {}. Flows can then read everything this server's user can.",
                sandbox.problem.as_deref().unwrap_or("unknown reason")
            );
            tracing::warn!("{warning}");
            println!("WARNING: {warning}");
        }
    }
}

/// The platform origin (configured, or where it listens) and the instances' origins.
fn origins(settings: &Settings, listening: &str) -> anyhow::Result<Origins> {
    let public = settings
        .public_url
        .clone()
        .unwrap_or_else(|| listening.to_owned());
    let template = settings
        .instance_url
        .clone()
        .unwrap_or_else(|| Origins::default_template(&public, &settings.instance_domain));
    Origins::new(public.trim_end_matches('/'), &template).map_err(anyhow::Error::msg)
}

/// Sessions in the database; the cookie (host-only, HttpOnly, signed) carries their random key.
fn session_middleware(
    key: Key,
    secure: bool,
    store: DbSessionStore,
) -> SessionMiddleware<DbSessionStore> {
    let lifecycle = PersistentSession::default()
        .session_ttl(store.cookie_ttl())
        // Each use moves the idle expiry on (the store writes it at most once a minute).
        .session_ttl_extension_policy(TtlExtensionPolicy::OnEveryRequest);
    SessionMiddleware::builder(store, key)
        .cookie_name(SESSION_COOKIE.into())
        .cookie_secure(secure)
        .cookie_http_only(true)
        .cookie_same_site(SameSite::Lax)
        .cookie_content_security(CookieContentSecurity::Signed)
        .session_lifecycle(lifecycle)
        .build()
}
