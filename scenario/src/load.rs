//! Loading a scenario file (the format in `docs/scenario-format.md`): parse the TOML with
//! spans, build the world's tenants, directories and settings, and resolve every step's
//! references to tenants, users and groups before anything runs. Every problem is a
//! [`Diagnostic`] with line and column, so a file is either fully usable or refused whole.
//! Graph exports named by `[scenario] import` are built first, by the [`Importer`] the caller
//! gives (this crate reads no Graph JSON); the `[[tenant]]` tables then add to that world.

use crate::diag::Diagnostic;
use crate::model::Scenario;
use crate::refs::{tenant_ref, user_ref, Names};
use crate::toml_read::{Src, Tbl};
use crate::values::{app_level, duration, inline_user_spec, raw_offset, R};
use crate::verbs::load_step;
use mtosim_engine::build::{BuildError, Builder};
use mtosim_engine::directory::GroupKind;
use mtosim_engine::directory::NewUser;
use mtosim_engine::gen::GenSpec;
use mtosim_engine::tenant::TenantSpec;
use mtosim_engine::world::{PartnerPatch, TemplatesPatch};
use mtosim_engine::{limits, DelayMode, Guid, RuleSet, RuleSetKind, SimTime, TenantIdx};
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::de::DeTable;

/// Steps in one scenario, at most.
pub const STEPS_COUNT_MAX: usize = 100_000;
/// Size of a scenario file, at most, in bytes.
pub const SCENARIO_BYTES_MAX: usize = 16 * 1024 * 1024;

const SCENARIO_KEYS: &[&str] = &[
    "name",
    "rules",
    "seed",
    "start",
    "delays",
    "max_active_tenants",
    "internal_users_max",
    "join_delay",
    "removal_delay",
    "strict_removal",
    "join_min_wait",
    "sync_internal_guests",
    "b2b_inbound_blocks_sync",
    "one_config_per_pair",
    "national_cloud_mto",
    "contacts_collide",
    "m365_keeps_tenant_edits",
    "import",
];
const TENANT_KEYS: &[&str] = &[
    "name",
    "display_name",
    "tenant_id",
    "initial_domain",
    "domains",
    "targeted_release",
    "p1_licenses",
    "object_quota",
    "csp_of",
    "cloud",
    "cloud_settings",
    "external_user_leave",
    "m365_sync_mode",
    "guest_invites",
    "users",
    "user",
    "group",
    "templates",
    "partner",
    "admin",
    "default_access",
    "contact",
];

/// How to load: whether unusable CSV rows stop the load, and how to read files the scenario
/// names (CSV imports, relative to the scenario file). The engine never reads files; this is the
/// only door.
pub struct LoadOptions<'a> {
    /// Report unusable CSV rows and go on without them (`--lenient`), instead of failing.
    pub lenient: bool,
    /// Reads a file named in the scenario, relative to the scenario's directory.
    pub read_file: &'a dyn Fn(&str) -> std::io::Result<Vec<u8>>,
    /// Imports the Graph exports `[scenario] import` names, if the caller can (the scenario
    /// contract reads no Graph JSON; the CLI gives `mtosim-graph`'s importer).
    pub import: Option<Importer<'a>>,
}

/// Imports the exports a scenario names (`[scenario] import`, each a path relative to the
/// scenario's folder) into the builder, before the scenario's own tenants; returns the
/// problems that stop the load.
pub type Importer<'a> = &'a dyn Fn(&[String], &mut Builder) -> Result<(), Vec<Diagnostic>>;

/// Input files larger than this are refused before reading (bytes).
pub const INPUT_BYTES_MAX: u64 = SCENARIO_BYTES_MAX as u64;

/// Reads and loads the scenario file `file`; CSV imports are read relative to it.
pub fn load_path(file: &str, lenient: bool) -> Result<(Scenario, Vec<Diagnostic>), Vec<Diagnostic>> {
    load_path_with(file, lenient, None)
}

/// [`load_path`], with an importer for the Graph exports the scenario names.
pub fn load_path_with(
    file: &str,
    lenient: bool,
    import: Option<Importer<'_>>,
) -> Result<(Scenario, Vec<Diagnostic>), Vec<Diagnostic>> {
    let text = read_source(file)?;
    load_text_with(file, &text, lenient, import)
}

/// Where a TOML error without a position most likely is: the start of the line whose key or
/// value nests deepest (dots in the key, brackets and braces).
fn deepest_line(text: &str) -> Range<usize> {
    let mut best = (0usize, 0usize);
    let mut at = 0usize;
    for line in text.split_inclusive('\n') {
        let key = line.split('=').next().unwrap_or("");
        let depth = key.matches('.').count() + line.matches(['[', '{']).count();
        if depth > best.0 {
            best = (depth, at);
        }
        at += line.len();
    }
    best.1..best.1
}

/// Reads a regular file of at most `max` bytes (`cap` names the limit in messages): the size is
/// checked while reading, not taken from the file's reported length, and anything but a regular
/// file (a FIFO that could block forever, `/dev/zero` that never ends) is refused.
pub fn read_capped(path: &Path, max: u64, cap: &str) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(std::io::Error::other(
            "it is not a regular file (a FIFO, device or directory)",
        ));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)?.take(max + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(std::io::Error::other(format!(
            "it is larger than {max} bytes ({cap})"
        )));
    }
    Ok(bytes)
}

/// Reads scenario file `file` whole (at most [`INPUT_BYTES_MAX`] bytes, UTF-8, a byte-order
/// mark dropped): the one place a scenario's text is read.
pub fn read_source(file: &str) -> Result<String, Vec<Diagnostic>> {
    let fail = |m: String| vec![Diagnostic::file_level(file, m)];
    let bytes = read_capped(Path::new(file), INPUT_BYTES_MAX, "INPUT_BYTES_MAX")
        .map_err(|e| fail(format!("cannot read the file: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
        let at = e.utf8_error().valid_up_to();
        vec![Diagnostic::at(
            file,
            &text,
            at..at,
            "the file is not valid UTF-8 here",
        )]
    })?;
    Ok(text.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(text))
}

/// Loads `text`, read from scenario file `file`: CSV imports are read relative to it.
pub fn load_text(
    file: &str,
    text: &str,
    lenient: bool,
) -> Result<(Scenario, Vec<Diagnostic>), Vec<Diagnostic>> {
    load_text_with(file, text, lenient, None)
}

/// [`load_text`], with an importer for the Graph exports the scenario names (their paths
/// given to it relative to the scenario's folder, joined).
pub fn load_text_with(
    file: &str,
    text: &str,
    lenient: bool,
    import: Option<Importer<'_>>,
) -> Result<(Scenario, Vec<Diagnostic>), Vec<Diagnostic>> {
    load_text_deferring(file, text, lenient, import, None)
}

/// Users a `users = { generate = N }` asks for, counted against the caps but not generated
/// (`mtosim check`, [`crate::check`]): the tenant and what to generate.
pub(crate) type Deferred = Vec<(TenantIdx, GenSpec)>;

/// The users the tenants' `users = { generate = N }` ask for, counted but not generated yet,
/// and where each was asked for.
#[derive(Default)]
struct Generating {
    jobs: Deferred,
    spans: Vec<std::ops::Range<usize>>,
}

/// [`load_text_with`]; with `defer`, users are not generated but listed there.
pub(crate) fn load_text_deferring(
    file: &str,
    text: &str,
    lenient: bool,
    import: Option<Importer<'_>>,
    defer: Option<&mut Deferred>,
) -> Result<(Scenario, Vec<Diagnostic>), Vec<Diagnostic>> {
    let base = Path::new(file)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let read_file = |rel: &str| -> std::io::Result<Vec<u8>> {
        read_capped(
            &base.join(rel),
            crate::csv_import::CSV_BYTES_MAX as u64,
            "CSV_BYTES_MAX",
        )
    };
    load_deferring(
        file,
        text,
        &LoadOptions {
            lenient,
            read_file: &read_file,
            import: import
                .map(|i| {
                    let base = &base;
                    move |dirs: &[String], b: &mut Builder| {
                        let joined: Vec<String> = dirs
                            .iter()
                            .map(|d| base.join(d).to_string_lossy().into_owned())
                            .collect();
                        i(&joined, b)
                    }
                })
                .as_ref()
                .map(|f| f as &dyn Fn(&[String], &mut Builder) -> Result<(), Vec<Diagnostic>>),
        },
        defer,
    )
}

/// Loads a scenario that reads no files (a `csv` import is refused with exit 2).
pub fn load(file: &str, text: &str) -> R<Scenario> {
    let no_files = |_: &str| -> std::io::Result<Vec<u8>> {
        Err(std::io::Error::new(
            std::io::ErrorKind::Unsupported,
            "this loader reads no files",
        ))
    };
    let opts = LoadOptions {
        lenient: false,
        read_file: &no_files,
        import: None,
    };
    load_with(file, text, &opts)
        .map(|(sc, _)| sc)
        .map_err(|mut ds| ds.remove(0))
}

/// Loads a scenario. On success returns it with the problems that `lenient` let through
/// (unusable CSV rows); otherwise every problem found, each with file, line and column.
pub fn load_with(
    file: &str,
    text: &str,
    opts: &LoadOptions<'_>,
) -> Result<(Scenario, Vec<Diagnostic>), Vec<Diagnostic>> {
    load_deferring(file, text, opts, None)
}

/// [`load_with`]; with `defer`, users are not generated but listed there.
fn load_deferring(
    file: &str,
    text: &str,
    opts: &LoadOptions<'_>,
    defer: Option<&mut Deferred>,
) -> Result<(Scenario, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut problems = Vec::new();
    match load_inner(file, text, opts, defer, &mut problems) {
        Err(d) => {
            problems.push(d);
            Err(problems)
        }
        Ok(_) if !opts.lenient && !problems.is_empty() => Err(problems),
        Ok(sc) => Ok((sc, problems)),
    }
}

fn load_inner(
    file: &str,
    text: &str,
    opts: &LoadOptions<'_>,
    defer: Option<&mut Deferred>,
    problems: &mut Vec<Diagnostic>,
) -> R<Scenario> {
    if text.len() > SCENARIO_BYTES_MAX {
        return Err(Diagnostic::file_level(
            file,
            format!("the file is {} bytes; scenarios are limited to {SCENARIO_BYTES_MAX} bytes (SCENARIO_BYTES_MAX)", text.len()),
        ));
    }
    let starts = crate::toml_read::line_starts(text);
    let src = Src {
        file,
        text,
        line_starts: &starts,
    };
    let doc = DeTable::parse(text).map_err(|e| {
        let span = e.span().unwrap_or_else(|| deepest_line(text));
        let d = src.err(span, format!("this is not valid TOML: {}", e.message().trim()));
        if e.message().contains("recursion") {
            d.help("keys, tables and arrays nest too deeply here; the scenario format nests a few levels at most")
        } else {
            d
        }
    })?;
    let root = Tbl::new(src, &doc, "the file");
    root.allow_only(&["scenario", "tenant", "step"])?;

    let sc = root.table("scenario")?.ok_or_else(|| {
        Diagnostic::file_level(file, "the file has no [scenario] table")
            .help("start it with [scenario] and name = \"...\"")
    })?;
    sc.allow_only(SCENARIO_KEYS)?;
    let (name, _) = sc.req_str("name")?;
    let kind = match sc.str("rules")? {
        None => RuleSetKind::Ga,
        Some((s, span)) => RuleSetKind::parse(&s).ok_or_else(|| {
            src.err(span, format!("unknown rule set \"{s}\""))
                .help("rules is \"ga\" (default) or \"preview-2023\"")
        })?,
    };
    let mut rules = RuleSet::new(kind);
    if let Some(n) = sc.uint("max_active_tenants", 100_000)? {
        rules.active_tenants_max = n as u32;
    }
    if let Some(n) = sc.uint("internal_users_max", u64::MAX >> 1)? {
        rules.internal_users_at_join_max = Some(n);
    }
    if let Some(b) = sc.bool("strict_removal")? {
        rules.strict_removal = b;
    }
    if let Some(b) = sc.bool("sync_internal_guests")? {
        rules.sync_internal_guests = b;
    }
    if let Some(b) = sc.bool("b2b_inbound_blocks_sync")? {
        rules.b2b_inbound_blocks_sync = b;
    }
    if let Some(b) = sc.bool("one_config_per_pair")? {
        rules.one_config_per_pair = b;
    }
    if let Some(b) = sc.bool("national_cloud_mto")? {
        rules.national_cloud_mto = b;
    }
    if let Some(b) = sc.bool("contacts_collide")? {
        rules.contacts_collide = b;
    }
    if let Some(b) = sc.bool("m365_keeps_tenant_edits")? {
        rules.m365_keeps_tenant_edits = b;
    }
    if let Some(d) = duration(&sc, "join_min_wait")? {
        rules.join_min_wait_after_create = Some(d);
    }
    if let Some(d) = duration(&sc, "join_delay")? {
        rules.join_delay_max = d;
        rules.join_delay_max_m365 = d;
        rules.join_delay_min = rules.join_delay_min.min(d);
    }
    if let Some(d) = duration(&sc, "removal_delay")? {
        rules.removal_delay_max = d;
        rules.removal_delay_min = rules.removal_delay_min.min(d);
    }
    let seed = sc.uint("seed", u64::MAX >> 1)?.unwrap_or(0);
    let start = match sc.str("start")? {
        None => SimTime::DEFAULT_START,
        Some((s, span)) => SimTime::parse_rfc3339(&s).map_err(|e| src.err(span, e))?,
    };
    let delays = match sc.str("delays")? {
        None => DelayMode::Max,
        Some((s, span)) => match s.as_str() {
            "max" => DelayMode::Max,
            "random" => DelayMode::Random,
            _ => {
                return Err(src
                    .err(span, format!("unknown delays \"{s}\""))
                    .help("delays is \"max\" (default) or \"random\""))
            }
        },
    };
    let mut b = Builder::new(rules, seed, start, delays);
    if sc.get("start").is_none() {
        b.start_follows_import();
    }
    let imports = match sc.get("import") {
        None => Vec::new(),
        Some(_) => match sc.str_list("import") {
            Ok(l) => l.unwrap_or_default(),
            Err(_) => sc.str("import")?.into_iter().collect(),
        },
    };
    if !imports.is_empty() {
        let dirs: Vec<String> = imports.iter().map(|(d, _)| d.clone()).collect();
        let Some(import) = opts.import else {
            return Err(src
                .err(sc.span_of("import"), "this loader imports no Graph exports")
                .help("run the scenario with mtosim, which imports them"));
        };
        if let Err(mut ds) = import(&dirs, &mut b) {
            let first = ds.remove(0);
            problems.extend(ds);
            return Err(first);
        }
    }

    let tenants = root.tables("tenant")?;
    if tenants.is_empty() && imports.is_empty() {
        return Err(Diagnostic::file_level(file, "the scenario has no [[tenant]]")
            .help("add at least one [[tenant]] with a name"));
    }
    // pass 1: identities, so that every later reference resolves; the imported tenants come
    // first, with their domains verified
    let first = b.world().tenants().len();
    let mut verified: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for t in b.world().tenants() {
        for d in t
            .spec
            .domains
            .iter()
            .chain(std::iter::once(&t.spec.initial_domain))
        {
            verified.insert(d.to_ascii_lowercase(), t.name().to_string());
        }
    }
    for (i, t) in tenants.iter().enumerate() {
        t.allow_only(TENANT_KEYS)?;
        let (tname, span) = t.req_str("name")?;
        if tname.is_empty()
            || !tname
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(src.err(
                span,
                format!("tenant name \"{tname}\" must be letters, digits, '-' or '_'"),
            ));
        }
        let initial_domain = match t.str("initial_domain")? {
            Some((d, span)) => {
                if !d.ends_with(".onmicrosoft.com") {
                    return Err(src.err(
                        span,
                        format!("initial_domain \"{d}\" must end with .onmicrosoft.com"),
                    ));
                }
                d
            }
            None => format!("{}.onmicrosoft.com", tname.to_ascii_lowercase()),
        };
        let mut domains: Vec<String> = t
            .str_list("domains")?
            .unwrap_or_default()
            .into_iter()
            .map(|(d, _)| d)
            .collect();
        if domains.is_empty() {
            domains.push(initial_domain.clone());
        }
        let listed = t.str_list("domains")?.unwrap_or_default();
        if listed.len() > DOMAINS_PER_TENANT_MAX {
            return Err(src
                .err(
                    t.span_of("domains"),
                    format!(
                        "{} domains in one tenant, over {DOMAINS_PER_TENANT_MAX} (DOMAINS_PER_TENANT_MAX, Entra's limit of custom domain names)",
                        listed.len()
                    ),
                )
                .help("list the domains the scenario needs"));
        }
        let mut seen = std::collections::HashSet::new();
        for (d, span) in &listed {
            if let Some(why) = domain_name_problem(d) {
                return Err(src
                    .err(span.clone(), format!("domain \"{d}\" is not a domain name: {why}"))
                    .help("a domain is labels of letters, digits and '-' joined by dots, e.g. contoso.com (no '_' or '@': CTS-30 relies on it)"));
            }
            if !seen.insert(d.to_ascii_lowercase()) {
                return Err(src
                    .err(span.clone(), format!("domain \"{d}\" is listed twice"))
                    .help("list each domain once (domains ignore letter case)"));
            }
        }
        // a domain is verified in one tenant only (Entra refuses to verify it in a second)
        let spans: Vec<(String, Range<usize>)> = t.str_list("domains")?.unwrap_or_default();
        for d in domains.iter().chain(std::iter::once(&initial_domain)) {
            let key = d.to_ascii_lowercase();
            match verified.get(&key) {
                Some(owner) if *owner != tname => {
                    let span = spans
                        .iter()
                        .find(|(x, _)| x.eq_ignore_ascii_case(d))
                        .map_or_else(|| t.span_of("name"), |(_, s)| s.clone());
                    return Err(src
                        .err(span, format!("domain {d} is already verified in tenant {owner}"))
                        .help("a domain is verified in one tenant only; give this tenant another"));
                }
                _ => {
                    verified.insert(key, tname.clone());
                }
            }
        }
        let tenant_id = match t.str("tenant_id")? {
            Some((s, span)) => Guid::parse(&s).ok_or_else(|| {
                src.err(span, format!("tenant_id \"{s}\" is not a GUID"))
                    .help("write it as aaaaaaaa-0000-4000-8000-000000000001")
            })?,
            None => Guid::derive(seed, &[b"tenant-id", tname.as_bytes()]),
        };
        let spec = TenantSpec {
            display_name: t.str("display_name")?.map_or_else(|| tname.clone(), |(d, _)| d),
            name: tname.clone(),
            tenant_id,
            initial_domain,
            domains,
            targeted_release: t.bool("targeted_release")?.unwrap_or(false),
            p1_licenses: t.uint("p1_licenses", u64::MAX >> 1)?,
            object_quota: t.uint("object_quota", limits::OBJECT_QUOTA_MAX)?.unwrap_or(300_000),
            csp_of: Vec::new(),
            cloud: match t.str("cloud")? {
                None => "commercial".to_string(),
                Some((c, span)) => cloud_name(src, c, span)?,
            },
            external_user_leave: t.bool("external_user_leave")?.unwrap_or(true),
            m365_sync_manual: match t.str("m365_sync_mode")? {
                None => false,
                Some((v, _)) if v == "automatic" => false,
                Some((v, _)) if v == "manual" => true,
                Some((v, span)) => {
                    return Err(src
                        .err(span, format!("unknown m365_sync_mode \"{v}\""))
                        .help("\"automatic\" (default) or \"manual\""))
                }
            },
            cloud_settings: {
                let mut v = Vec::new();
                for (c, span) in t.str_list("cloud_settings")?.unwrap_or_default() {
                    v.push(cloud_name(src, c, span)?);
                }
                v
            },
            guest_invites_allowed: match t.str("guest_invites")? {
                None => true,
                Some((v, span)) => match v.as_str() {
                    "everyone" | "allowed" => true,
                    "none" => false,
                    _ => {
                        return Err(src.err(span, format!("unknown guest_invites \"{v}\"")).help(
                            "\"everyone\" (default) or \"none\" (no one can invite guests; CTS provisioning fails with AzureActiveDirectoryForbidden, CTS-9)",
                        ))
                    }
                },
            },
        };
        b.add_tenant(spec)
            .map_err(|e| src.err(t.span_of("name"), e.to_string()))?;
        let _ = i;
    }
    // pass 2: relations and users; then every tenant's generated users at once (on both
    // cores), counted against the caps in tenant order as they are listed
    let mut generating = Generating::default();
    for (i, t) in tenants.iter().enumerate() {
        let ti = TenantIdx((first + i) as u16);
        for (c, span) in t.str_list("csp_of")?.unwrap_or_default() {
            let other = tenant_ref(b.world(), src, &c, span.clone())?;
            b.set_csp_of(ti, other)
                .map_err(|e| src.err(span, e.to_string()))?;
        }
        load_users(&mut b, src, t, ti, opts, &mut generating, problems)?;
    }
    match defer {
        Some(d) => d.append(&mut generating.jobs),
        None => b
            .generate_counted(&generating.jobs)
            .map_err(|(k, e)| src.err(generating.spans[k].clone(), e.to_string()))?,
    }
    // pass 2b: groups and settings, once every tenant's users exist
    for (i, t) in tenants.iter().enumerate() {
        let ti = TenantIdx((first + i) as u16);
        let groups = t.tables("group")?;
        let mut shapes = Vec::new();
        for g in &groups {
            g.allow_only(&[
                "name",
                "members",
                "rule",
                "type",
                "role_assignable",
                "groups",
                "description",
            ])?;
            let (gname, gspan) = g.req_str("name")?;
            if let Some((rule, span)) = g.str("rule")? {
                if g.get("members").is_some() {
                    return Err(src
                        .err(
                            g.span_of("members"),
                            "a dynamic group takes its members from its rule",
                        )
                        .help("remove members, or remove rule for a static group"));
                }
                let parsed = mtosim_engine::membership::MembershipRule::parse(&rule).map_err(|e| {
                    let at = raw_offset(src.text, span.clone(), e.offset);
                    src.err(
                        at..at + e.len.max(1),
                        format!("dynamic membership rule: {}", e.message),
                    )
                })?;
                let gi = b
                    .add_dynamic_group(ti, &gname, parsed)
                    .map_err(|e| src.err(gspan, e.to_string()))?;
                shapes.push((gi, g));
                continue;
            }
            let mut members = Vec::new();
            for (upn, span) in g.str_list("members")?.unwrap_or_default() {
                members.push(user_ref(b.world(), src, ti, &upn, span)?);
            }
            let gi = b
                .add_group(ti, &gname, members)
                .map_err(|e| src.err(gspan, e.to_string()))?;
            shapes.push((gi, g));
        }
        // kinds, nesting and descriptions, once every group of the tenant is known
        for (gi, g) in shapes {
            let kind = match g.str("type")? {
                None => GroupKind::Security,
                Some((v, span)) => GroupKind::parse(&v).ok_or_else(|| {
                    src.err(span, format!("unknown group type \"{v}\""))
                        .help("one of: security, microsoft365, mail-enabled-security, distribution")
                })?,
            };
            let mut nested = Vec::new();
            for (name, span) in g.str_list("groups")?.unwrap_or_default() {
                let n = crate::refs::group_ref(b.world(), src, ti, &name, span.clone())?;
                if n == gi {
                    return Err(src.err(span, "a group cannot be a member of itself"));
                }
                nested.push(n);
            }
            let description = g.str("description")?.map(|(d, _)| d);
            b.set_group_shape(
                ti,
                gi,
                kind,
                g.bool("role_assignable")?.unwrap_or(false),
                nested,
                description,
            );
        }
        if let Some(tp) = t.table("templates")? {
            tp.allow_only(&[
                "auto_redeem_inbound",
                "auto_redeem_outbound",
                "sync_inbound",
                "mfa_trust",
                "application",
            ])?;
            let patch = TemplatesPatch {
                auto_redeem_inbound: tp.bool("auto_redeem_inbound")?,
                auto_redeem_outbound: tp.bool("auto_redeem_outbound")?,
                sync_inbound: tp.bool("sync_inbound")?,
                mfa_trust: tp.bool("mfa_trust")?,
                application: app_level(&tp)?,
            };
            b.set_templates(ti, patch);
        }
        for ct in t.tables("contact")? {
            ct.allow_only(&["mail", "display_name"])?;
            let (mail, span) = ct.req_str("mail")?;
            let name = ct.str("display_name")?.map_or_else(|| mail.clone(), |(n, _)| n);
            b.add_contact(ti, &name, &mail)
                .map_err(|e| src.err(span, e.to_string()))?;
        }
        for a in t.tables("admin")? {
            a.allow_only(&["upn", "roles"])?;
            let (upn, uspan) = a.req_str("upn")?;
            let mut roles = Vec::new();
            for (r, span) in a.str_list("roles")?.unwrap_or_default() {
                roles.push(mtosim_engine::roles::AdminRole::parse(&r).ok_or_else(|| {
                    let names: Vec<&str> = mtosim_engine::roles::AdminRole::ALL
                        .iter()
                        .map(|r| r.name())
                        .collect();
                    let d = src.err(span, format!("unknown role \"{r}\""));
                    match crate::diag::did_you_mean(&r, names.iter().copied()) {
                        Some(m) => d.help(format!("did you mean \"{m}\"?")),
                        None => d.help(format!("roles: {}", names.join(", "))),
                    }
                })?);
            }
            b.add_admin(ti, &upn, roles)
                .map_err(|e| src.err(uspan, e.to_string()))?;
        }
    }
    // pass 3: access settings, once every tenant's users and groups exist (their targets name
    // them)
    for (i, t) in tenants.iter().enumerate() {
        let ti = TenantIdx((first + i) as u16);
        if let Some(d) = t.table("default_access")? {
            d.allow_only(&crate::refs::B2B_KEYS)?;
            let inbound = crate::refs::b2b_setting(b.world(), src, &d, "b2b_inbound", None)?;
            let outbound = crate::refs::b2b_setting(b.world(), src, &d, "b2b_outbound", Some(ti))?;
            b.set_default_b2b(ti, inbound, outbound);
        }
        for p in t.tables("partner")? {
            let mut keys = vec![
                "tenant",
                "auto_redeem_inbound",
                "auto_redeem_outbound",
                "sync_inbound",
                "mfa_trust",
                "group_sync_inbound",
                "cross_cloud_sync",
            ];
            keys.extend_from_slice(&crate::refs::B2B_KEYS);
            p.allow_only(&keys)?;
            let (pn, span) = p.req_str("tenant")?;
            let other = tenant_ref(b.world(), src, &pn, span.clone())?;
            let patch = PartnerPatch {
                auto_redeem_inbound: p.bool("auto_redeem_inbound")?,
                auto_redeem_outbound: p.bool("auto_redeem_outbound")?,
                sync_inbound: p.bool("sync_inbound")?,
                mfa_trust: p.bool("mfa_trust")?,
                b2b_inbound: crate::refs::b2b_setting(b.world(), src, &p, "b2b_inbound", Some(other))?,
                b2b_outbound: crate::refs::b2b_setting(b.world(), src, &p, "b2b_outbound", Some(ti))?,
                group_sync_inbound: p.bool("group_sync_inbound")?,
                cross_cloud_sync: p.bool("cross_cloud_sync")?,
            };
            b.add_partner(ti, other, patch)
                .map_err(|e| src.err(span, e.to_string()))?;
        }
    }

    let mut steps = Vec::new();
    if let Some(v) = root.get("step") {
        let n = v.get_ref().as_array().map_or(1, |a| a.len());
        if n > STEPS_COUNT_MAX {
            return Err(src.err(
                v.span(),
                format!("{n} steps; a scenario holds at most {STEPS_COUNT_MAX} (STEPS_COUNT_MAX)"),
            ));
        }
    }
    let world = b.finish();
    let mut names = Names::new(&world);
    for (i, st) in root.tables("step")?.into_iter().enumerate() {
        steps.push(load_step(&world, src, st, i + 1, &mut names)?);
    }
    Ok(Scenario { name, world, steps })
}

fn load_users(
    b: &mut Builder,
    src: Src<'_>,
    t: &Tbl<'_, '_>,
    ti: TenantIdx,
    opts: &LoadOptions<'_>,
    generating: &mut Generating,
    problems: &mut Vec<Diagnostic>,
) -> R<()> {
    // inline users first, so generated UPNs avoid them
    let mut managers = Vec::new();
    for u in t.tables("user")? {
        let user = inline_user(src, &u)?;
        let ui = b
            .add_user(ti, &user)
            .map_err(|e| src.err(u.span_of("upn"), e.to_string()))?;
        if let Some(m) = u.str("manager")? {
            managers.push((ui, m));
        }
        if u.bool("sms_sign_in")? == Some(true) {
            b.set_sms_sign_in(ti, ui);
        }
    }
    // managers name users of the same tenant, listed before or after
    for (ui, (upn, span)) in managers {
        let m = user_ref(b.world(), src, ti, &upn, span.clone())?;
        b.set_manager(ti, ui, m)
            .map_err(|e| src.err(span, e.to_string()))?;
    }
    let Some(us) = t.table("users")? else {
        return Ok(());
    };
    us.allow_only(&["generate", "departments", "disabled", "guests", "csv"])?;
    if let Some((path, span)) = us.str("csv")? {
        let shown = Path::new(src.file)
            .parent()
            .map_or_else(|| PathBuf::from(&path), |d| d.join(&path));
        let shown = shown.display().to_string();
        let bytes = (opts.read_file)(&path).map_err(|e| {
            src.err(span.clone(), format!("cannot read the CSV file {shown}: {e}"))
                .help("the path is relative to the scenario file")
        })?;
        let import = crate::csv_import::parse(&shown, &bytes)?;
        let mut dropped = import.problems_dropped;
        let cap = crate::csv_import::CSV_PROBLEMS_MAX;
        problems.extend(import.problems);
        for (spec, identity) in import.users.iter().zip(&import.identities) {
            match b.add_user(ti, spec) {
                Ok(u) => {
                    if let Some(id) = identity.id {
                        b.set_object_id(ti, mtosim_engine::directory::ObjectKind::User, u.0, id);
                    }
                    if let Some(at) = identity.created {
                        b.set_user_created(ti, u, at);
                    }
                }
                Err(BuildError::DuplicateUpn(_) | BuildError::UnverifiedDomain(_))
                    if problems.len() >= cap =>
                {
                    dropped += 1
                }
                Err(BuildError::UnverifiedDomain(why)) => problems.push(
                    src.err(span.clone(), format!("{shown}: {why} (SIM-4)"))
                        .help("add the domain to the tenant's domains, or leave the row out"),
                ),
                Err(BuildError::DuplicateUpn(upn)) => problems.push(src.err(
                    span.clone(),
                    format!(
                        "{shown}: user {upn} is already defined in tenant {}",
                        b.world().name(ti)
                    ),
                )),
                Err(e) => return Err(src.err(span, e.to_string())),
            }
        }
        if dropped > 0 {
            problems.push(
                crate::diag::Diagnostic::summary(
                    &shown,
                    dropped,
                    format!("{dropped} more rows could not be used (only the first {cap} are listed, CSV_PROBLEMS_MAX)"),
                )
                .help("fix the rows listed, then run again to see the next ones"),
            );
        }
        if us.get("generate").is_none() {
            return Ok(());
        }
    }
    let count = us
        .uint("generate", limits::USERS_PER_TENANT_MAX as u64)?
        .ok_or_else(|| {
            src.err(us.span.clone(), "users needs generate = N")
                .help("e.g. users = { generate = 1200 }")
        })? as usize;
    b.check_room(ti, count)
        .map_err(|e| src.err(us.span_of("generate"), e.to_string()))?;
    let spec = GenSpec {
        count,
        departments: us
            .str_list("departments")?
            .unwrap_or_default()
            .into_iter()
            .map(|(d, _)| d)
            .collect(),
        disabled: us.fraction("disabled")?.unwrap_or(0.0),
        guests: us.fraction("guests")?.unwrap_or(0.0),
    };
    // counted now, in tenant order; generated with the other tenants' (Builder::generate_counted)
    b.count_users(ti, spec.count)
        .map_err(|e| src.err(us.span_of("generate"), e.to_string()))?;
    generating.jobs.push((ti, spec));
    generating.spans.push(us.span_of("generate"));
    Ok(())
}

fn inline_user(src: Src<'_>, u: &Tbl<'_, '_>) -> R<NewUser> {
    if let Some(k) = ["do", "at", "tenant", "expect_error", "as"]
        .iter()
        .find(|k| u.get(k).is_some())
    {
        return Err(src.err(u.span_of(k), format!("unknown key `{k}` in a [[tenant.user]]")));
    }
    inline_user_spec(src, u, false)
}

/// Custom domain names one tenant may list (Entra's limit for a tenant's domain names).
pub const DOMAINS_PER_TENANT_MAX: usize = 5_000;

/// Why `d` is not a DNS domain name Entra would verify, if it is not: at least two labels of
/// 1 to 63 letters, digits or '-' (not at either end), at most 253 characters.
fn domain_name_problem(d: &str) -> Option<&'static str> {
    if d.is_empty() {
        return Some("it is empty");
    }
    if d.len() > 253 {
        return Some("it is longer than 253 characters");
    }
    let labels: Vec<&str> = d.split('.').collect();
    if labels.len() < 2 {
        return Some("it needs at least two labels, as in contoso.com");
    }
    for l in labels {
        if l.is_empty() {
            return Some("it has an empty label (two dots, or a dot at an end)");
        }
        if l.len() > 63 {
            return Some("a label is longer than 63 characters");
        }
        if !l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Some("it holds a character other than letters, digits, '-' and '.'");
        }
        if l.starts_with('-') || l.ends_with('-') {
            return Some("a label starts or ends with '-'");
        }
    }
    None
}

/// The Microsoft clouds a tenant can live in (MTO-20, MTO-54, CTS-13).
pub const CLOUDS: &[&str] = &["commercial", "gcc", "usgov", "china"];

fn cloud_name(src: Src<'_>, c: String, span: std::ops::Range<usize>) -> R<String> {
    if CLOUDS.contains(&c.as_str()) {
        return Ok(c);
    }
    Err(src.err(span, format!("unknown cloud \"{c}\"")).help(
        "one of: commercial, gcc (Microsoft 365 GCC on the commercial cloud), usgov (Microsoft Azure Government: GCC High, DoD), china (Microsoft Azure operated by 21Vianet)",
    ))
}
