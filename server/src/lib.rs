//! # mtosim-server
//!
//! `mtosim serve`: a local, stateful Microsoft Graph over one simulated world. Each tenant of
//! the world gets a bearer token; a Graph client (Graph Explorer's requests, an SDK, curl)
//! calls `{url}/v1.0/...` or `{url}/beta/...` with it and reads and changes that tenant's view,
//! while the operator's token moves the simulated clock and reads the narrated events under
//! `{url}/mtosim/...`. Slice 1 serves the multitenant organization, its member list and the
//! join request.
//!
//! It must not decide anything the engine decides: requests become the engine's actions
//! (`mtosim_graph::request`), answers are the engine's views as mtosim-graph renders them, and
//! refusals are the engine's, in Graph's words (`mtosim_graph::words`). It writes no files (the
//! CLI writes the ready file) and never reads the wall clock for the simulation.
//!
//! Why tokio, axum and tower-http: they are the most used and best kept HTTP stack in Rust
//! (the tokio project maintains all three, with hyper underneath), and they save what a
//! hand-written server would have to get right: HTTP/1.1 parsing and keep-alive, graceful
//! shutdown, body limits, per-request timeouts and blocking work off the I/O threads. Routing is
//! ours (`dispatch`): Graph's paths are case-insensitive and its errors name the first unknown
//! segment, which a router's 404 would not.
//!
//! Bounds: one request at a time holds the world ([`http`]); every request ends within
//! [`REQUEST_TIMEOUT`]; bodies over [`REQUEST_BODY_BYTES_MAX`] are refused with 413; an
//! events page holds at most [`operator::EVENTS_PAGE_MAX`] events; a clock move is at most
//! the engine's 10 years and its per-run caps apply.

pub mod auth;
pub mod call;
pub mod directory_api;
pub mod dispatch;
pub mod duration;
pub mod graph_api;
pub mod http;
pub mod journal;
pub mod odata;
pub mod operator;
pub mod policy_api;
pub mod reply;
pub mod sync_api;

use mtosim_engine::World;
use serde_json::{json, Value};
use std::sync::Arc;

/// The largest request body read (1 MiB); a larger one is answered 413.
pub const REQUEST_BODY_BYTES_MAX: usize = 1 << 20;

/// The longest a request may take, body included; then it is answered 504.
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// The address `mtosim serve` listens on by default.
pub const LISTEN_DEFAULT: &str = "127.0.0.1:8787";

/// Threads for requests' work on the world (they wait for its mutex in turn).
pub const BLOCKING_THREADS_MAX: usize = 8;

/// How a tenant's admin reaches the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TenantAccess {
    /// The tenant's name in the scenario.
    pub name: String,
    /// Its tenant id.
    pub tenant_id: String,
    /// Its initial domain.
    pub domain: String,
    /// Its bearer token.
    pub token: String,
}

/// A world ready to be served, with fresh tokens.
pub struct App {
    shared: Arc<http::Shared>,
    tenants: Vec<TenantAccess>,
}

impl App {
    /// `world` with a random token for every tenant and for the operator; with `state`, the
    /// journal in that directory is replayed onto it first and kept for the writes to come.
    pub fn with_state(world: World, state: Option<(&std::path::Path, &str)>) -> Result<App, String> {
        let app = App::new(world).map_err(|e| e.to_string())?;
        let Some((dir, scenario)) = state else {
            return Ok(app);
        };
        let mut world = app.shared.world_mut().map_err(|_| "poisoned".to_string())?;
        let (journal, entries) = journal::Journal::open(dir, &world, scenario)?;
        let tokens = &app.shared.tokens;
        for (i, e) in entries.iter().enumerate() {
            if e.path.trim_matches('/') == "mtosim/record" {
                continue; // writing the session out changed nothing
            }
            let auth = journal::authorization(&world, tokens, &e.caller)
                .ok_or_else(|| format!("{}: entry {}: no caller {}", dir.display(), i + 1, e.caller))?;
            if e.at > world.now() {
                world.advance_to(e.at);
            }
            let ids = dispatch::ids(None);
            let req = dispatch::Request {
                method: &e.method,
                path: &e.path,
                query: &e.query,
                authorization: Some(auth.as_bytes()),
                body: e.body.as_bytes(),
                consistency_eventual: true,
            };
            let reply = dispatch::handle(&mut world, tokens, None, &app.shared.caches, &ids, &req);
            if reply.status >= 300 {
                return Err(format!(
                    "{}: entry {} ({} {}) no longer applies (status {}): the journal does not belong to this scenario",
                    dir.display(),
                    i + 1,
                    e.method,
                    e.path,
                    reply.status
                ));
            }
        }
        drop(world);
        *app.shared.journal.lock().map_err(|_| "poisoned".to_string())? = Some(journal);
        Ok(app)
    }

    /// `world` with a random token for every tenant and for the operator. The provisioning log
    /// is kept from here on (`auditLogs/provisioning` reads it).
    pub fn new(mut world: World) -> std::io::Result<App> {
        world.set_log_provisioning(true);
        let tokens = auth::Tokens::random(&world)?;
        let tenants = world
            .tenant_ids()
            .map(|t| {
                let spec = &world.tenant(t).spec;
                TenantAccess {
                    name: spec.name.clone(),
                    tenant_id: spec.tenant_id.to_string(),
                    domain: spec.initial_domain.clone(),
                    token: tokens.tenants[t.ix()].clone(),
                }
            })
            .collect();
        Ok(App {
            shared: Arc::new(http::Shared::new(world, tokens)),
            tenants,
        })
    }

    /// The operator's token.
    pub fn operator_token(&self) -> &str {
        &self.shared.tokens.operator
    }

    /// Every tenant's access.
    pub fn tenants(&self) -> &[TenantAccess] {
        &self.tenants
    }

    /// Serves requests on `listener` until `shutdown` completes.
    pub async fn serve<F>(&self, listener: tokio::net::TcpListener, shutdown: F) -> std::io::Result<()>
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        axum::serve(listener, http::router(self.shared.clone()))
            .with_graceful_shutdown(shutdown)
            .await
    }
}

/// What [`start`] can be told.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// Stop when the process receives Ctrl-C (SIGINT) or SIGTERM, as `mtosim serve` does.
    pub stop_on_ctrl_c: bool,
    /// `--state DIR` and the scenario's name: replay and keep the journal of accepted writes.
    pub state: Option<(std::path::PathBuf, String)>,
    /// `--speed N`: simulated time runs N times faster than real time between requests
    /// (0: the clock moves only when the operator moves it).
    pub speed: u32,
    /// `--record PATH`: what writes the session, on `POST /mtosim/record` and once more when
    /// the server stops (its error, then, is the server thread's).
    pub record: Option<operator::Recorder>,
}

/// How often `--speed` moves the clock, in real time.
pub const SPEED_TICK: std::time::Duration = std::time::Duration::from_millis(200);

/// The largest `--speed` (SPEED_MAX): a day of simulated time per real second, at most.
pub const SPEED_MAX: u32 = 86_400;

/// A server running on its own thread and runtime; dropping it stops it.
pub struct Running {
    url: String,
    operator_token: String,
    tenants: Vec<TenantAccess>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<std::io::Result<()>>>,
}

/// Serves `world` on `listener` (already bound: port 0 has been given its port) from a thread
/// of its own, and returns once it accepts connections.
pub fn start(world: World, listener: std::net::TcpListener, config: Config) -> std::io::Result<Running> {
    let addr = listener.local_addr()?;
    listener.set_nonblocking(true)?;
    let state = config.state.as_ref().map(|(d, s)| (d.as_path(), s.as_str()));
    let app = App::with_state(world, state).map_err(std::io::Error::other)?;
    if let Some(r) = &config.record {
        // a fresh App: nothing has set it
        let _ = app.shared.recorder.set(r.clone());
    }
    let speed = config.speed.min(SPEED_MAX);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(BLOCKING_THREADS_MAX)
        .thread_name("mtosim-serve")
        .enable_io()
        .enable_time()
        .build()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let operator_token = app.operator_token().to_string();
    let tenants = app.tenants().to_vec();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<std::io::Result<()>>();
    let thread = std::thread::Builder::new()
        .name("mtosim-serve".to_string())
        .spawn(move || {
            runtime.block_on(async move {
                let listener = match tokio::net::TcpListener::from_std(listener) {
                    Ok(l) => l,
                    Err(e) => {
                        let _ = ready_tx.send(Err(std::io::Error::new(e.kind(), e.to_string())));
                        return Err(e);
                    }
                };
                let _ = ready_tx.send(Ok(()));
                if speed > 0 {
                    let shared = app.shared.clone();
                    tokio::spawn(async move {
                        let mut tick = tokio::time::interval(SPEED_TICK);
                        // simulated milliseconds owed; the clock moves in whole seconds
                        let mut owed_ms: i64 = 0;
                        loop {
                            tick.tick().await;
                            owed_ms += SPEED_TICK.as_millis() as i64 * speed as i64;
                            let step = mtosim_engine::Duration::secs(owed_ms / 1000);
                            owed_ms %= 1000;
                            if step.0 == 0 {
                                continue;
                            }
                            let shared = shared.clone();
                            let moved = tokio::task::spawn_blocking(move || {
                                let Ok(mut w) = shared.world_mut() else {
                                    return false;
                                };
                                let to = w.now() + step;
                                w.advance_to(to);
                                w.limit().is_none()
                            })
                            .await;
                            if !matches!(moved, Ok(true)) {
                                break; // a per-run cap stopped the world: time stays where it is
                            }
                        }
                    });
                }
                let shutdown = async move {
                    if config.stop_on_ctrl_c {
                        tokio::select! {
                            _ = stopped => {}
                            _ = interrupted() => {}
                        }
                    } else {
                        let _ = stopped.await;
                    }
                };
                let served = app.serve(listener, shutdown).await;
                // the last word of a recorded session: written as the server stops
                let recorded = match (app.shared.recorder.get(), app.shared.world_mut()) {
                    (Some(r), Ok(w)) => (r.0)(&w).map(|_| ()).map_err(std::io::Error::other),
                    _ => Ok(()),
                };
                served.and(recorded)
            })
        })?;
    match ready_rx.recv() {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(e),
        Err(_) => return Err(std::io::Error::other("the server thread ended before it started")),
    }
    Ok(Running {
        url: format!("http://{addr}"),
        operator_token,
        tenants,
        stop: Some(stop),
        thread: Some(thread),
    })
}

/// Completes at Ctrl-C (SIGINT) or, on Unix, SIGTERM; never when neither can be listened for.
async fn interrupted() {
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    let int = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        _ = int => {}
        _ = term => {}
    }
}

impl Running {
    /// `http://ADDR:PORT`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The operator's token.
    pub fn operator_token(&self) -> &str {
        &self.operator_token
    }

    /// Every tenant's access.
    pub fn tenants(&self) -> &[TenantAccess] {
        &self.tenants
    }

    /// The ready file's content: `url`, `operatorToken`, and per tenant `name`, `tenantId`,
    /// `domain` and `token`.
    pub fn ready_json(&self) -> Value {
        json!({
            "url": self.url,
            "operatorToken": self.operator_token,
            "tenants": self.tenants.iter().map(|t| json!({
                "name": t.name,
                "tenantId": t.tenant_id,
                "domain": t.domain,
                "token": t.token,
            })).collect::<Vec<_>>(),
        })
    }

    /// Waits until the server stops (with [`Config::stop_on_ctrl_c`], at Ctrl-C).
    pub fn wait(mut self) -> std::io::Result<()> {
        self.wait_inner()
    }

    /// Stops the server and waits for it.
    pub fn stop(mut self) -> std::io::Result<()> {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        self.wait_inner()
    }

    fn wait_inner(&mut self) -> std::io::Result<()> {
        match self.thread.take().map(std::thread::JoinHandle::join) {
            Some(Ok(res)) => res,
            Some(Err(_)) => Err(std::io::Error::other("the server thread panicked")),
            None => Ok(()),
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        let _ = self.wait_inner();
    }
}
