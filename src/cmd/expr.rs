//! `mtosim expr 'EXPRESSION'`: evaluates one attribute-mapping expression against one user
//! given on the command line, to learn the language or check a mapping before it is used.

use crate::args::ExprArgs;
use crate::exit::{Error, Exit};
use crate::out::Out;
use mtosim_engine::expr::{Context, Expr, Value};
use mtosim_engine::SimTime;
use mtosim_scenario::diag::Diagnostic;

/// Most `--attr` flags one call takes.
pub const ATTRS_MAX: usize = 1_000;

/// Attributes by name: their values, or `None` for null.
type Attrs = Vec<(String, Option<Vec<String>>)>;

/// The user `--attr` describes, the clock and the seeded stream.
struct Cli {
    attrs: Attrs,
    now: i64,
    state: u64,
}

impl Context for Cli {
    fn attribute(&self, name: &str) -> Option<Value> {
        let (_, v) = self.attrs.iter().find(|(n, _)| n.eq_ignore_ascii_case(name))?;
        match v.as_deref() {
            None | Some([]) => None,
            Some([one]) => Some(Value::Str(one.clone())),
            Some(many) => Some(Value::Multi(many.to_vec())),
        }
    }
    fn now(&self) -> i64 {
        self.now
    }
    fn random(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mtosim_engine::hash::mix64(self.state)
    }
}

/// `--attr NAME=VALUE` (split at the first `=`; the same NAME again adds a value) and
/// `--attr NAME` (null).
fn attrs(flags: &[String]) -> Result<Attrs, Error> {
    if flags.len() > ATTRS_MAX {
        return Err(Error::Usage(format!(
            "at most {ATTRS_MAX} --attr flags (ATTRS_MAX), not {}",
            flags.len()
        )));
    }
    let mut out: Attrs = Vec::new();
    for f in flags {
        let (name, value) = match f.split_once('=') {
            Some((n, v)) => (n.trim(), Some(v.to_string())),
            None => (f.trim(), None),
        };
        if name.is_empty() {
            return Err(Error::Usage(format!(
                "--attr {f:?} names no attribute; write --attr NAME=VALUE, or --attr NAME for null"
            )));
        }
        match (out.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case(name)), value) {
            (Some((_, Some(vs))), Some(v)) => vs.push(v),
            (Some(_), _) => {
                return Err(Error::Usage(format!(
                    "--attr {name} is given both as null and with a value; give it values (NAME=VALUE, repeated) or null (NAME alone), not both"
                )))
            }
            (None, v) => out.push((name.to_string(), v.map(|v| vec![v]))),
        }
    }
    Ok(out)
}

/// A value as JSON: a string, an array of strings, or null.
fn json(v: &Value) -> serde_json::Value {
    match v {
        Value::Null => serde_json::Value::Null,
        Value::Str(s) => serde_json::Value::String(s.clone()),
        Value::Multi(items) => items.iter().cloned().map(serde_json::Value::String).collect(),
    }
}

/// Runs the command.
pub fn run(a: ExprArgs, out: &mut Out) -> Result<Exit, Error> {
    let expr = Expr::parse(&a.expression).map_err(|e| {
        let d = Diagnostic::at(
            "expression",
            &a.expression,
            e.offset..e.offset + e.len.max(1),
            e.message,
        );
        Error::Diagnostics(vec![d])
    })?;
    let now = match &a.now {
        None => SimTime::DEFAULT_START,
        Some(t) => SimTime::parse_rfc3339(t).map_err(|e| Error::Usage(format!("--now: {e}")))?,
    };
    let mut ctx = Cli {
        attrs: attrs(&a.attr)?,
        now: now.0,
        state: mtosim_engine::hash::mix64(a.seed),
    };
    let outcome = expr
        .eval(&mut ctx)
        .map_err(|e| Error::Usage(format!("the expression failed for this user: {e}")))?;
    if a.json {
        let v = serde_json::json!({ "value": json(&outcome.value), "flows": outcome.flows });
        out.line(&v.to_string())?;
        return Ok(Exit::Ok);
    }
    out.line(&json(&outcome.value).to_string())?;
    if !outcome.flows {
        out.line("(does not flow: the target attribute is left as it is)")?;
    }
    let read = expr.attributes();
    if !read.is_empty() {
        let shown: Vec<String> = read
            .iter()
            .map(|n| match ctx.attribute(n) {
                Some(v) => format!("[{n}] = {}", json(&v)),
                None => format!("[{n}] = null"),
            })
            .collect();
        out.line(&format!("read: {}", shown.join(", ")))?;
    }
    if !expr.is_pure() {
        out.line(&format!(
            "calls {}: a cycle stores its result when it writes the account",
            expr.functions()
                .into_iter()
                .filter(|f| matches!(*f, "Guid" | "RandomString" | "Now"))
                .collect::<Vec<_>>()
                .join(", ")
        ))?;
    }
    Ok(Exit::Ok)
}
