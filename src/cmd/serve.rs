//! `mtosim serve FILE`: run the scenario's steps, then serve its world as a local Microsoft
//! Graph (mtosim-server) until Ctrl-C. Prints the URL and every tenant's token; `--ready-file`
//! writes them as JSON (atomically) once the server listens; `--record` writes the session as a
//! scenario (the file's own text, then the session's steps) on `POST /mtosim/record` and at exit.
//! Only loopback addresses unless `--allow-remote`.

use crate::args::ServeArgs;
use crate::exit::{to_stderr, Error, Exit};
use crate::out::Out;
use mtosim_scenario::runner;
use std::net::{Ipv4Addr, SocketAddr};

/// The `--listen` value as a socket address (`localhost:PORT` is 127.0.0.1).
fn listen_addr(text: &str) -> Result<SocketAddr, Error> {
    if let Ok(a) = text.parse::<SocketAddr>() {
        return Ok(a);
    }
    if let Some(port) = text
        .strip_prefix("localhost:")
        .and_then(|p| p.parse::<u16>().ok())
    {
        return Ok(SocketAddr::from((Ipv4Addr::LOCALHOST, port)));
    }
    Err(Error::Usage(format!(
        "--listen {text:?} is not ADDR:PORT; write e.g. 127.0.0.1:8787, [::1]:8787, or port 0 for a free port"
    )))
}

/// Runs the command.
pub fn run(a: ServeArgs, out: &mut Out) -> Result<Exit, Error> {
    let addr = listen_addr(&a.listen)?;
    if !addr.ip().is_loopback() && !a.allow_remote {
        return Err(Error::Usage(format!(
            "--listen {addr} is not a loopback address: anyone who reaches it with a token could change the world, \
and its tokens travel unencrypted; listen on 127.0.0.1 or [::1], or pass --allow-remote"
        )));
    }
    if let Some(p) = &a.ready_file {
        crate::atomic::check_one(p, true).map_err(Error::Usage)?;
    }
    if let Some(p) = &a.record {
        crate::atomic::check_one(p, true).map_err(Error::Usage)?;
        let same = |x: &std::path::Path| std::fs::canonicalize(x).ok();
        if same(p).is_some() && same(p) == same(std::path::Path::new(&a.file)) {
            return Err(Error::Usage(format!(
                "--record {} is the scenario itself; name another file",
                p.display()
            )));
        }
    }
    let sc = super::load(&a.file, false)?;
    let (name, steps) = (sc.name.clone(), sc.steps.len());
    // the file's text as loaded, for --record to write first
    let source = match &a.record {
        Some(_) => Some(mtosim_scenario::load::read_source(&a.file).map_err(Error::Diagnostics)?),
        None => None,
    };
    let run = runner::run(sc);
    if let Some((step, line, hit)) = run.limit {
        return Err(Error::Usage(format!("{}:{line}: step {step}: {hit}", a.file)));
    }
    for f in &run.failures {
        to_stderr(&format!("warning: {f}\n"));
    }
    let listener = std::net::TcpListener::bind(addr)
        .map_err(|e| Error::Usage(format!("cannot listen on {addr}: {e}")))?;
    let mut world = run.world;
    if a.record.is_some() {
        world.start_recording(); // the scenario's own steps have run: the session starts here
    }
    let header = format!(
        "mtosim {} serve | {name} | rules {} | seed {} | {steps} step{} run, clock at {}",
        env!("CARGO_PKG_VERSION"),
        world.rules().kind.name(),
        world.seed(),
        if steps == 1 { "" } else { "s" },
        world.now(),
    );
    if a.speed > mtosim_server::SPEED_MAX {
        return Err(Error::Usage(format!(
            "--speed {} is more than {} (SPEED_MAX, a day of simulated time per real second)",
            a.speed,
            mtosim_server::SPEED_MAX
        )));
    }
    let config = mtosim_server::Config {
        stop_on_ctrl_c: true,
        state: a.state.clone().map(|d| (d, name.clone())),
        speed: a.speed,
        record: a
            .record
            .clone()
            .zip(source)
            .map(|(p, text)| recorder(p, text, steps)),
    };
    let running = mtosim_server::start(world, listener, config)
        .map_err(|e| Error::Usage(format!("cannot serve on {addr}: {e}")))?;
    let url = running.url().to_string();
    out.line(&header)?;
    out.line(&format!(
        "Graph:    {url}/v1.0/tenantRelationships/multiTenantOrganization (and {url}/beta/...)"
    ))?;
    out.line(&format!(
        "operator: {url}/mtosim/clock, /mtosim/clock/advance, /mtosim/settle, /mtosim/events"
    ))?;
    out.line(&format!("operator token: {}", running.operator_token()))?;
    if let Some(p) = &a.record {
        out.line(&format!(
            "record: {} (on POST {url}/mtosim/record and at exit)",
            p.display()
        ))?;
    }
    let w = running
        .tenants()
        .iter()
        .map(|t| t.name.len())
        .max()
        .unwrap_or(6)
        .max(6);
    out.line(&format!("{:<w$}  {:<36}  token", "tenant", "tenant id"))?;
    for t in running.tenants() {
        out.line(&format!("{:<w$}  {:<36}  {}", t.name, t.tenant_id, t.token))?;
    }
    if let Some(p) = &a.ready_file {
        let text = format!("{:#}\n", running.ready_json());
        crate::atomic::write_one(p, &text).map_err(Error::Usage)?;
        restrict(p);
        out.line(&format!("ready file: {}", p.display()))?;
    }
    if let Some(d) = &a.state {
        out.line(&format!(
            "state: {} (accepted writes are journaled; a restart with it resumes here)",
            d.join(mtosim_server::journal::JOURNAL_FILE).display()
        ))?;
    }
    if a.speed > 0 {
        out.line(&format!("speed: simulated time runs {}x real time", a.speed))?;
    }
    out.line("Ctrl-C stops the server.")?;
    out.flush()?;
    running
        .wait()
        .map_err(|e| Error::Usage(format!("the server stopped: {e}")))?;
    if let Some(p) = &a.record {
        out.line(&format!("recorded: {}", p.display()))?;
        out.flush()?;
    }
    Ok(Exit::Ok)
}

/// The text `--record` writes: the scenario's `source`, unchanged, then the session's steps.
pub fn recorded_text(source: &str, world: &mtosim_engine::World) -> Result<String, String> {
    let steps = mtosim_scenario::record::steps_toml(world, world.recorded())?;
    let mut text = source.to_string();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&format!(
        "\n# Recorded by mtosim serve --record: {} step{} of the session, from {}.\n",
        world.recorded().len(),
        if world.recorded().len() == 1 { "" } else { "s" },
        world.start()
    ));
    text.push_str(&steps);
    Ok(text)
}

/// Writes the session to `path` (after checking that it loads back with every step), answering
/// the path and the number of steps recorded.
fn recorder(path: std::path::PathBuf, source: String, own_steps: usize) -> mtosim_server::operator::Recorder {
    mtosim_server::operator::Recorder(std::sync::Arc::new(move |world| {
        let text = recorded_text(&source, world)?;
        let shown = path.display().to_string();
        let n = world.recorded().len();
        let loaded = mtosim_scenario::load::load_text_with(
            &shown,
            &text,
            false,
            Some(&crate::import_fs::loader_import),
        );
        match loaded.map(|(sc, _)| sc) {
            Ok(sc) if sc.steps.len() == own_steps + n => {}
            Ok(sc) => {
                return Err(format!(
                    "the recorded file would load {} steps, not {}",
                    sc.steps.len(),
                    own_steps + n
                ))
            }
            Err(ds) => {
                let d = ds.first().map_or_else(
                    || "no diagnostic".to_string(),
                    |d| format!("line {}: {}", d.line, d.message),
                );
                return Err(format!("the recorded file would not load: {d}"));
            }
        }
        crate::atomic::write_one(&path, &text)?;
        Ok((shown, n))
    }))
}

/// Makes the ready file (it holds the tokens) readable by its owner only, where the platform
/// has such permissions.
fn restrict(p: &std::path::Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o600));
    }
    #[cfg(not(unix))]
    let _ = p;
}
