//! Persistence: the SQLite pool, its pragmas, embedded migrations, and the one seam through which
//! async code runs (synchronous) diesel work on the blocking thread pool.

pub mod ids;
pub mod models;
pub mod schema;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use actix_web::web;
use anyhow::Context;
use diesel::connection::{Connection, Instrumentation, InstrumentationEvent, SimpleConnection};
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool};
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::AppError;

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// A diesel connection, as handed to model functions.
pub type Conn = SqliteConnection;

/// The database handle kept in the application state.
#[derive(Clone)]
pub struct Db {
    pool: Pool<ConnectionManager<SqliteConnection>>,
    queries: Arc<AtomicU64>,
}

/// Pragmas for every pooled connection, and the query counter. `busy_timeout` must come first:
/// connections opened together otherwise fail with "database is locked" while another one sets
/// WAL up.
#[derive(Debug)]
struct Pragmas {
    queries: Arc<AtomicU64>,
}

impl CustomizeConnection<SqliteConnection, diesel::r2d2::Error> for Pragmas {
    fn on_acquire(&self, conn: &mut SqliteConnection) -> Result<(), diesel::r2d2::Error> {
        // A page cache of 1 MiB per connection (SQLite's default is 2 MiB): the pages' working
        // set fits, and after large promotions the pool's eight caches, filled with snapshots'
        // pages, hold at most 8 MiB between them.
        conn.batch_execute(
            "PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; \
             PRAGMA cache_size = -1024;",
        )
        .map_err(diesel::r2d2::Error::QueryError)?;
        conn.set_instrumentation(QueryCounter(self.queries.clone()));
        Ok(())
    }
}

/// Counts the statements run (shown to administrators; benchmarks check queries per page).
struct QueryCounter(Arc<AtomicU64>);

impl Instrumentation for QueryCounter {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if matches!(event, InstrumentationEvent::StartQuery { .. }) {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }
}

impl Db {
    /// Open (creating if needed) the database file, switch it to WAL and run pending migrations.
    pub fn open(path: &Path) -> anyhow::Result<Self> {
        let url = path.to_string_lossy().into_owned();
        let queries = Arc::new(AtomicU64::new(0));
        let pool = Pool::builder()
            .max_size(8)
            // One connection at the start (the migrations'), the others when first needed and
            // kept from then on: opening all 8 took ~2 ms of every start.
            .min_idle(Some(1))
            .idle_timeout(None)
            // A local SQLite connection does not go stale; validating it would cost a query per use.
            .test_on_check_out(false)
            .connection_customizer(Box::new(Pragmas {
                queries: queries.clone(),
            }))
            .build(ConnectionManager::<SqliteConnection>::new(url))
            .with_context(|| format!("cannot open the database {}", path.display()))?;
        let mut conn = pool.get()?;
        conn.batch_execute("PRAGMA journal_mode = WAL;")?;
        conn.run_pending_migrations(MIGRATIONS)
            .map_err(|e| anyhow::anyhow!("database migration failed: {e}"))?;
        Ok(Self { pool, queries })
    }

    /// How many SQL statements this handle has run since start-up.
    pub fn queries(&self) -> u64 {
        self.queries.load(Ordering::Relaxed)
    }

    /// Run diesel work on the blocking pool. Model functions are plain
    /// `fn(&mut Conn, ..) -> QueryResult<T>`; `?` converts their errors.
    pub async fn run<T, F>(&self, work: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut Conn) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        web::block(move || {
            let mut conn = pool.get()?;
            work(&mut conn)
        })
        .await
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("blocking task failed: {e}")))?
    }

    /// Synchronous access for start-up and shutdown code that is not on the executor.
    pub fn run_sync<T>(
        &self,
        work: impl FnOnce(&mut Conn) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        let mut conn = self.pool.get()?;
        work(&mut conn)
    }
}

/// Current time as Unix milliseconds, the unit of every `*_at` column.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Whether a diesel error is a UNIQUE-constraint violation (a duplicate name, slug, member ...).
pub fn is_unique_violation(error: &diesel::result::Error) -> bool {
    matches!(
        error,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}
