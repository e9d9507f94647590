//! The tests' own npm registry on 127.0.0.1, one per test process: the packument and tarball of
//! every module packed in `tests/fixtures/npm`, 404 for anything else. Every test server uses it
//! (`npm_registry`), so installing a module (redstage's npm step, or Node-RED's `POST /nodes`)
//! never needs the public registry. It keeps a log of the requests it answered.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use base64::Engine;
use serde_json::{Value, json};
use sha2::{Digest, Sha512};

/// The modules of `tests/fixtures/npm`: (name, version), packed as `{name}-{version}.tgz`.
pub const FIXTURES: &[(&str, &str)] = &[("node-red-node-random", "0.4.1")];

/// The running registry.
pub struct TestRegistry {
    /// Its base URL, `http://127.0.0.1:{port}/`.
    pub url: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl TestRegistry {
    /// `"GET /path -> status"` for every request so far (from every test of this process).
    pub fn requests(&self) -> Vec<String> {
        self.log.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// The registry, started on first use (in a thread of its own: it outlives every test's runtime).
pub fn registry() -> &'static TestRegistry {
    static REGISTRY: OnceLock<TestRegistry> = OnceLock::new();
    REGISTRY.get_or_init(start)
}

/// A fixture tarball's path.
pub fn tarball_path(name: &str, version: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/npm")
        .join(format!("{name}-{version}.tgz"))
}

struct Served {
    url: String,
    log: Arc<Mutex<Vec<String>>>,
}

fn start() -> TestRegistry {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port for the registry");
    let port = listener.local_addr().expect("the registry's port").port();
    let url = format!("http://127.0.0.1:{port}/");
    let log = Arc::new(Mutex::new(Vec::new()));
    let served = web::Data::new(Served {
        url: url.clone(),
        log: log.clone(),
    });
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let server = HttpServer::new(move || {
                App::new()
                    .app_data(served.clone())
                    .default_service(web::to(answer))
            })
            .workers(1)
            .listen(listener)?
            .run();
            server.await
        })
    });
    TestRegistry { url, log }
}

async fn answer(request: HttpRequest, served: web::Data<Served>) -> HttpResponse {
    // npm asks for `/name` (scoped: `/@scope%2fname`) and `/name/-/name-version.tgz`.
    let path = request.path().to_owned();
    let response = match request.method().as_str() {
        "GET" | "HEAD" => respond(&path, &served.url),
        _ => HttpResponse::MethodNotAllowed().finish(),
    };
    served
        .log
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(format!(
            "{} {path} -> {}",
            request.method(),
            response.status().as_u16()
        ));
    response
}

fn respond(path: &str, base: &str) -> HttpResponse {
    let not_found = || HttpResponse::NotFound().json(json!({"error": "Not found"}));
    let wanted = path
        .trim_start_matches('/')
        .replace("%2f", "/")
        .replace("%2F", "/");
    for (name, version) in FIXTURES {
        let file = format!(
            "{name}/-/{}-{version}.tgz",
            name.rsplit('/').next().unwrap_or(name)
        );
        if wanted == *name {
            return match packument(name, version, &format!("{base}{file}")) {
                Ok(doc) => HttpResponse::Ok().json(doc),
                Err(error) => HttpResponse::InternalServerError().body(error.to_string()),
            };
        }
        if wanted == file {
            return match std::fs::read(tarball_path(name, version)) {
                Ok(bytes) => HttpResponse::Ok()
                    .content_type("application/octet-stream")
                    .body(bytes),
                Err(error) => HttpResponse::InternalServerError().body(error.to_string()),
            };
        }
    }
    not_found()
}

/// What the registry says about a package: its one version, with the tarball's address and digests.
fn packument(name: &str, version: &str, tarball: &str) -> std::io::Result<Value> {
    let bytes = std::fs::read(tarball_path(name, version))?;
    let integrity = format!(
        "sha512-{}",
        base64::engine::general_purpose::STANDARD.encode(Sha512::digest(&bytes))
    );
    let shasum = hex::encode(<sha1::Sha1 as sha1::Digest>::digest(&bytes));
    Ok(json!({
        "_id": name,
        "name": name,
        "dist-tags": {"latest": version},
        "versions": {
            version: {
                "_id": format!("{name}@{version}"),
                "name": name,
                "version": version,
                "dependencies": {},
                "dist": {"tarball": tarball, "integrity": integrity, "shasum": shasum},
            }
        },
    }))
}
