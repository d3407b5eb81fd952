//! Loading a scenario file (the contract in `spec/scenario-format.md`): parse the TOML with
//! spans, build the world's tenants, directories and settings, and resolve every step's
//! references to tenants, users and groups before anything runs. Every problem is a
//! [`Diagnostic`] with line and column, so a file is either fully usable or refused whole.

use crate::diag::{did_you_mean, Diagnostic};
use crate::model::{At, Check, ExpectError, Scenario, StateCheck, Step, StepKind};
use crate::toml_read::{Src, Tbl};
use mtosim_engine::build::{BuildError, Builder};
use mtosim_engine::directory::{Attr, NewUser, UserType};
use mtosim_engine::gen::GenSpec;
use mtosim_engine::mto::Role;
use mtosim_engine::sync::ResetScope;
use mtosim_engine::tenant::TenantSpec;
use mtosim_engine::world::{CreateSync, PartnerPatch, TemplatesPatch, UserRef};
use mtosim_engine::xtap::{Access, AppLevel};
use mtosim_engine::{
    limits, Action, DelayMode, Duration, GroupIdx, Guid, RuleSet, RuleSetKind, SimTime, TenantIdx, UserIdx,
    Via, World,
};
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::de::DeTable;

/// Steps in one scenario, at most.
pub const STEPS_COUNT_MAX: usize = 100_000;
/// Size of a scenario file, at most, in bytes.
pub const SCENARIO_BYTES_MAX: usize = 16 * 1024 * 1024;

type R<T> = Result<T, Diagnostic>;

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
    "guest_invites",
    "users",
    "user",
    "group",
    "templates",
    "partner",
];

/// Every verb of the contract and the keys it takes (besides `do`, `tenant`, `at`,
/// `expect_error`). Verbs marked `false` are part of the contract but not modelled yet.
const VERBS: &[(&str, &[&str], bool)] = &[
    ("create-mto", &["display_name", "description", "via"], true),
    ("update-mto", &["display_name", "description"], true),
    ("add-tenant", &["target", "role", "via"], true),
    ("set-role", &["target", "role"], true),
    ("join", &["added_by", "via"], true),
    ("reset-join", &[], true),
    ("remove-tenant", &["target"], true),
    ("share-users", &["groups", "users"], true),
    ("unshare-users", &["groups", "users"], true),
    ("wait", &["for"], true),
    ("settle", &["max"], true),
    (
        "expect",
        &[
            "mto",
            "mto_tenants",
            "member",
            "synced_from",
            "user",
            "no_user",
            "sync",
            "partner",
            "join_request",
        ],
        true,
    ),
    (
        "set-partner",
        &[
            "partner",
            "auto_redeem_inbound",
            "auto_redeem_outbound",
            "sync_inbound",
            "mfa_trust",
            "b2b_inbound",
        ],
        true,
    ),
    ("delete-partner", &["partner"], true),
    (
        "set-templates",
        &[
            "auto_redeem_inbound",
            "auto_redeem_outbound",
            "sync_inbound",
            "mfa_trust",
            "application",
        ],
        true,
    ),
    ("reset-templates", &[], true),
    (
        "create-sync",
        &[
            "target",
            "name",
            "scope",
            "user_type",
            "apply",
            "delete_action",
            "delete_threshold",
        ],
        true,
    ),
    ("assign", &["sync", "groups", "users"], true),
    ("unassign", &["sync", "groups", "users"], true),
    ("set-scoping-filter", &["sync", "filters"], true),
    ("start-sync", &["sync"], true),
    ("pause-sync", &["sync"], true),
    ("restart-sync", &["sync", "reset"], true),
    ("allow-deletes", &["sync"], true),
    ("provision-on-demand", &["sync", "user"], true),
    ("delete-sync", &["sync"], true),
    ("add-user", &[], true),
    ("update-user", &[], true),
    ("disable-user", &["user"], true),
    ("enable-user", &["user"], true),
    ("delete-user", &["user"], true),
    ("restore-user", &["user"], true),
    ("add-to-group", &["group", "users"], true),
    ("remove-from-group", &["group", "users"], true),
    ("invite-guest", &["user", "user_type", "redeemed"], true),
];

/// How to load: whether unusable CSV rows stop the load, and how to read files the scenario
/// names (CSV imports, relative to the scenario file). The engine never reads files; this is the
/// only door.
pub struct LoadOptions<'a> {
    /// Report unusable CSV rows and go on without them (`--lenient`), instead of failing.
    pub lenient: bool,
    /// Reads a file named in the scenario, relative to the scenario's directory.
    pub read_file: &'a dyn Fn(&str) -> std::io::Result<Vec<u8>>,
}

/// Input files larger than this are refused before reading (bytes).
pub const INPUT_BYTES_MAX: u64 = SCENARIO_BYTES_MAX as u64;

/// Reads and loads the scenario file `file`; CSV imports are read relative to it.
pub fn load_path(file: &str, lenient: bool) -> Result<(Scenario, Vec<Diagnostic>), Vec<Diagnostic>> {
    let path = Path::new(file);
    let fail = |m: String| vec![Diagnostic::file_level(file, m)];
    let meta = std::fs::metadata(path).map_err(|e| fail(format!("cannot read the file: {e}")))?;
    if meta.len() > INPUT_BYTES_MAX {
        return Err(fail(format!(
            "the file is {} bytes; at most {INPUT_BYTES_MAX} are read",
            meta.len()
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| fail(format!("cannot read the file: {e}")))?;
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
    let text = text.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(text);
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let read_file = |rel: &str| -> std::io::Result<Vec<u8>> {
        let p = base.join(rel);
        if std::fs::metadata(&p)?.len() > crate::csv_import::CSV_BYTES_MAX as u64 {
            return Err(std::io::Error::other(format!(
                "larger than {} bytes (CSV_BYTES_MAX)",
                crate::csv_import::CSV_BYTES_MAX
            )));
        }
        std::fs::read(p)
    };
    load_with(
        file,
        &text,
        &LoadOptions {
            lenient,
            read_file: &read_file,
        },
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
    let mut problems = Vec::new();
    match load_inner(file, text, opts, &mut problems) {
        Err(d) => {
            problems.push(d);
            Err(problems)
        }
        Ok(_) if !opts.lenient && !problems.is_empty() => Err(problems),
        Ok(sc) => Ok((sc, problems)),
    }
}

fn load_inner(file: &str, text: &str, opts: &LoadOptions<'_>, problems: &mut Vec<Diagnostic>) -> R<Scenario> {
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
        let span = e.span().unwrap_or(0..0);
        src.err(span, format!("this is not valid TOML: {}", e.message().trim()))
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

    let tenants = root.tables("tenant")?;
    if tenants.is_empty() {
        return Err(Diagnostic::file_level(file, "the scenario has no [[tenant]]")
            .help("add at least one [[tenant]] with a name"));
    }
    // pass 1: identities, so that every later reference resolves
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
        if let Some((d, span)) = t
            .str_list("domains")?
            .unwrap_or_default()
            .into_iter()
            .find(|(d, _)| d.contains('_') || d.contains('@') || d.is_empty())
        {
            return Err(src
                .err(span, format!("domain \"{d}\" is not a domain name"))
                .help("domains hold no '_' or '@' (CTS-30 relies on it)"));
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
            object_quota: t.uint("object_quota", u64::MAX >> 1)?.unwrap_or(300_000),
            csp_of: Vec::new(),
            cloud: t
                .str("cloud")?
                .map_or_else(|| "commercial".to_string(), |(c, _)| c),
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
    // pass 2: relations, directories and settings
    for (i, t) in tenants.iter().enumerate() {
        let ti = TenantIdx(i as u16);
        for (c, span) in t.str_list("csp_of")?.unwrap_or_default() {
            let other = tenant_ref(b.world(), src, &c, span.clone())?;
            b.set_csp_of(ti, other)
                .map_err(|e| src.err(span, e.to_string()))?;
        }
        load_users(&mut b, src, t, ti, opts, problems)?;
        for g in t.tables("group")? {
            g.allow_only(&["name", "members", "rule"])?;
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
                b.add_dynamic_group(ti, &gname, parsed)
                    .map_err(|e| src.err(gspan, e.to_string()))?;
                continue;
            }
            let mut members = Vec::new();
            for (upn, span) in g.str_list("members")?.unwrap_or_default() {
                members.push(user_ref(b.world(), src, ti, &upn, span)?);
            }
            b.add_group(ti, &gname, members)
                .map_err(|e| src.err(gspan, e.to_string()))?;
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
        for p in t.tables("partner")? {
            p.allow_only(&[
                "tenant",
                "auto_redeem_inbound",
                "auto_redeem_outbound",
                "sync_inbound",
                "mfa_trust",
            ])?;
            let (pn, span) = p.req_str("tenant")?;
            let other = tenant_ref(b.world(), src, &pn, span.clone())?;
            let patch = PartnerPatch {
                auto_redeem_inbound: p.bool("auto_redeem_inbound")?,
                auto_redeem_outbound: p.bool("auto_redeem_outbound")?,
                sync_inbound: p.bool("sync_inbound")?,
                mfa_trust: p.bool("mfa_trust")?,
                b2b_inbound: None,
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

fn duration(t: &Tbl<'_, '_>, key: &str) -> R<Option<Duration>> {
    match t.str(key)? {
        None => Ok(None),
        Some((s, span)) => Duration::parse(&s).map(Some).map_err(|e| t.src.err(span, e)),
    }
}

fn app_level(t: &Tbl<'_, '_>) -> R<Option<AppLevel>> {
    let Some(list) = t.str_list("application")? else {
        return Ok(None);
    };
    let mut level = AppLevel::NONE;
    for (s, span) in list {
        let l = AppLevel::parse_flag(&s).ok_or_else(|| {
            t.src
                .err(span, format!("unknown application level \"{s}\""))
                .help("use \"newPartners\", \"existingPartners\" or \"none\" (MTO-61)")
        })?;
        level = AppLevel(level.0 | l.0);
    }
    Ok(Some(level))
}

fn tenant_ref(world: &World, src: Src<'_>, name: &str, span: Range<usize>) -> R<TenantIdx> {
    world.tenant_by_name(name).ok_or_else(|| {
        let names: Vec<&str> = world.tenants().iter().map(|t| t.name()).collect();
        let d = src.err(span, format!("unknown tenant \"{name}\""));
        match did_you_mean(name, names.iter().copied()) {
            Some(s) => d.help(format!("did you mean \"{s}\"? tenants: {}", names.join(", "))),
            None => d.help(format!("tenants: {}", names.join(", "))),
        }
    })
}

fn user_ref(world: &World, src: Src<'_>, t: TenantIdx, upn: &str, span: Range<usize>) -> R<UserIdx> {
    let dir = &world.tenant(t).dir;
    dir.user_by_upn(upn).ok_or_else(|| {
        let d = src.err(
            span,
            format!("unknown user \"{upn}\" in tenant {}", world.name(t)),
        );
        match did_you_mean(upn, dir.users().iter().map(|u| &*u.upn)) {
            Some(s) => d.help(format!("did you mean \"{s}\"?")),
            None => {
                d.help("users are referred to by userPrincipalName; inline users are [[tenant.user]] entries")
            }
        }
    })
}

fn group_ref(world: &World, src: Src<'_>, t: TenantIdx, name: &str, span: Range<usize>) -> R<GroupIdx> {
    let dir = &world.tenant(t).dir;
    dir.group_by_name(name).ok_or_else(|| {
        let names: Vec<&str> = dir.group_names().collect();
        let d = src.err(
            span,
            format!("unknown group \"{name}\" in tenant {}", world.name(t)),
        );
        match did_you_mean(name, names.iter().copied()) {
            Some(s) => d.help(format!("did you mean \"{s}\"?")),
            None if names.is_empty() => {
                d.help(format!("{} has no groups; add a [[tenant.group]]", world.name(t)))
            }
            None => d.help(format!("groups of {}: {}", world.name(t), names.join(", "))),
        }
    })
}

fn load_users(
    b: &mut Builder,
    src: Src<'_>,
    t: &Tbl<'_, '_>,
    ti: TenantIdx,
    opts: &LoadOptions<'_>,
    problems: &mut Vec<Diagnostic>,
) -> R<()> {
    // inline users first, so generated UPNs avoid them
    for u in t.tables("user")? {
        let user = inline_user(src, &u)?;
        b.add_user(ti, &user)
            .map_err(|e| src.err(u.span_of("upn"), e.to_string()))?;
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
        problems.extend(import.problems);
        for spec in import.users {
            match b.add_user(ti, &spec) {
                Ok(_) => {}
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
    b.generate_users(ti, &spec)
        .map_err(|e| src.err(us.span_of("generate"), e.to_string()))
}

const USER_KEYS_FIXED: &[&str] = &["upn", "user_type", "account_enabled", "display_name"];

/// Graph attribute keys of a table (`department = "Sales"`), skipping `fixed` keys and refusing
/// any other key with a suggestion; `display_name` is accepted for `displayName`.
fn attr_values(src: Src<'_>, t: &Tbl<'_, '_>, fixed: &[&str]) -> R<Vec<(Attr, String)>> {
    let mut allowed: Vec<&str> = fixed.to_vec();
    allowed.push("display_name");
    allowed.extend(Attr::ALL.iter().map(|a| a.graph_name()));
    let mut out = Vec::new();
    for (k, v) in t.t.iter() {
        let key: &str = k.get_ref();
        if fixed.contains(&key) {
            continue;
        }
        let attr = if key == "display_name" {
            Some(Attr::DisplayName)
        } else {
            Attr::from_graph_name(key)
        };
        let Some(attr) = attr else {
            t.allow_only(&allowed)?;
            unreachable!("allow_only refuses unknown keys");
        };
        let Some(s) = v.get_ref().as_str() else {
            return Err(src.err(v.span(), format!("`{key}` must be a string (\"\" clears it)")));
        };
        if s.len() > limits::TEXT_LEN_MAX {
            return Err(src.err(
                v.span(),
                format!(
                    "`{key}` is longer than {} bytes (TEXT_LEN_MAX)",
                    limits::TEXT_LEN_MAX
                ),
            ));
        }
        out.retain(|(a, _)| *a != attr);
        out.push((attr, s.to_string()));
    }
    Ok(out)
}

/// A `[[tenant.user]]` entry (`step` false) or an `add-user` step.
fn inline_user_spec(src: Src<'_>, u: &Tbl<'_, '_>, step: bool) -> R<NewUser> {
    let (upn, span) = u.req_str("upn")?;
    if let Some(why) = mtosim_engine::user::upn_problem(&upn) {
        return Err(src
            .err(span, format!("\"{upn}\" is not a userPrincipalName: it {why}"))
            .help(format!(
                "write it as alias@domain (at most {} characters)",
                limits::UPN_CHARS_MAX
            )));
    }
    let mut fixed: Vec<&str> = USER_KEYS_FIXED.to_vec();
    fixed.retain(|k| *k != "display_name");
    if step {
        fixed.extend(["do", "at", "tenant", "expect_error"]);
    }
    let attrs = attr_values(src, u, &fixed)?;
    let user_type = match u.str("user_type")? {
        None => UserType::Member,
        Some((s, span)) => UserType::parse(&s).ok_or_else(|| {
            src.err(span, format!("unknown user_type \"{s}\""))
                .help("\"Member\" (default) or \"Guest\"")
        })?,
    };
    Ok(NewUser {
        upn,
        attrs,
        user_type,
        account_enabled: u.bool("account_enabled")?.unwrap_or(true),
    })
}

fn inline_user(src: Src<'_>, u: &Tbl<'_, '_>) -> R<NewUser> {
    if let Some(k) = ["do", "at", "tenant", "expect_error"]
        .iter()
        .find(|k| u.get(k).is_some())
    {
        return Err(src.err(u.span_of(k), format!("unknown key `{k}` in a [[tenant.user]]")));
    }
    inline_user_spec(src, u, false)
}

/// The byte position in the file of byte `decoded` of a TOML string value spanning `span`:
/// skips the opening quote(s) and counts escape sequences of basic strings as what they decode
/// to, so errors inside a value point at the right column.
fn raw_offset(text: &str, span: Range<usize>, decoded: usize) -> usize {
    let raw = &text[span.clone()];
    let basic = raw.starts_with('"');
    let open = if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
        3
    } else {
        1
    };
    let body = &raw[open.min(raw.len())..];
    let bytes = body.as_bytes();
    let (mut i, mut d) = (0usize, 0usize);
    while d < decoded && i < bytes.len() {
        if basic && bytes[i] == b'\\' && i + 1 < bytes.len() {
            i += match bytes[i + 1] {
                b'u' => 6,
                b'U' => 10,
                _ => 2,
            };
            d += 1; // the escapes a rule needs decode to one ASCII character
        } else {
            let ch = body[i..].chars().next().map_or(1, char::len_utf8);
            i += ch;
            d += ch;
        }
    }
    span.start + open + i
}

/// `filters = [["department EQUALS Sales", "accountEnabled IS TRUE"], [...]]` (CTS-16):
/// positioned errors point inside the offending clause.
fn scoping_filters(
    src: Src<'_>,
    st: &Tbl<'_, '_>,
) -> R<(Option<mtosim_engine::scoping::ScopingFilter>, usize)> {
    let Some(v) = st.get("filters") else {
        return Err(src
            .err(st.span.clone(), format!("{} needs `filters`", st.what))
            .help("e.g. filters = [[\"department EQUALS Sales\"]]; [] removes every filter"));
    };
    let bad = |span: Range<usize>| {
        src.err(span, "`filters` must be a list of lists of clauses").help("e.g. filters = [[\"department EQUALS Sales\", \"accountEnabled IS TRUE\"], [\"country EQUALS US\"]]")
    };
    let outer = v.get_ref().as_array().ok_or_else(|| bad(v.span()))?;
    let mut groups: Vec<Vec<String>> = Vec::new();
    let mut spans: Vec<Vec<Range<usize>>> = Vec::new();
    for f in outer.iter() {
        let inner = f.get_ref().as_array().ok_or_else(|| bad(f.span()))?;
        let mut g = Vec::new();
        let mut sp = Vec::new();
        for c in inner.iter() {
            let text = c.get_ref().as_str().ok_or_else(|| bad(c.span()))?;
            g.push(text.to_string());
            sp.push(c.span());
        }
        groups.push(g);
        spans.push(sp);
    }
    if groups.is_empty() {
        return Ok((None, 0));
    }
    match mtosim_engine::scoping::ScopingFilter::parse(&groups) {
        Ok(f) => Ok((Some(f), groups.len())),
        Err((fi, ci, e)) => {
            let span = spans.get(fi).and_then(|s| s.get(ci)).cloned().unwrap_or(v.span());
            let at = raw_offset(src.text, span, e.offset);
            Err(src.err(
                at..at + e.len.max(1),
                format!("scoping filter {} clause {}: {}", fi + 1, ci + 1, e.message),
            ))
        }
    }
}

fn via(t: &Tbl<'_, '_>) -> R<Via> {
    match t.str("via")? {
        None => Ok(Via::Graph),
        Some((s, span)) => match s.as_str() {
            "graph" => Ok(Via::Graph),
            "m365" => Ok(Via::M365),
            _ => Err(t
                .src
                .err(span, format!("unknown via \"{s}\""))
                .help("via is \"graph\" (default) or \"m365\"")),
        },
    }
}

fn role(t: &Tbl<'_, '_>, required: bool) -> R<Role> {
    match t.str("role")? {
        None if !required => Ok(Role::Member),
        None => Err(t
            .src
            .err(t.span.clone(), format!("{} needs `role`", t.what))
            .help("role = \"owner\" or \"member\"")),
        Some((s, span)) => Role::parse(&s).ok_or_else(|| {
            t.src
                .err(span, format!("unknown role \"{s}\""))
                .help("role is \"owner\" or \"member\"")
        }),
    }
}

/// Names that steps create during the timeline, so that later steps can refer to them and a
/// typo is still caught before anything runs: users made by `add-user`, configurations made by
/// `create-sync` (plus the `MTO_Sync_<id>` ones the Microsoft 365 flows may create).
struct Names {
    added_upns: Vec<Vec<String>>,
    syncs: Vec<Vec<String>>,
}

impl Names {
    fn new(world: &World) -> Names {
        let n = world.tenants().len();
        let mut syncs = vec![Vec::new(); n];
        for (i, list) in syncs.iter_mut().enumerate() {
            for (j, t) in world.tenants().iter().enumerate() {
                if i != j {
                    list.push(format!("MTO_Sync_{}", t.spec.tenant_id));
                }
            }
        }
        Names {
            added_upns: vec![Vec::new(); n],
            syncs,
        }
    }

    fn knows_upn(&self, world: &World, t: TenantIdx, upn: &str) -> Option<UserRef> {
        if let Some(u) = world.tenant(t).dir.user_by_upn(upn) {
            return Some(UserRef::Idx(u));
        }
        self.added_upns[t.ix()]
            .iter()
            .any(|x| x.eq_ignore_ascii_case(upn))
            .then(|| UserRef::Upn(upn.to_string()))
    }
}

/// A user of tenant `t`, existing at load time or created by an earlier `add-user` step.
fn user_ref_any(
    world: &World,
    names: &Names,
    src: Src<'_>,
    t: TenantIdx,
    upn: &str,
    span: Range<usize>,
) -> R<UserRef> {
    if let Some(r) = names.knows_upn(world, t, upn) {
        return Ok(r);
    }
    user_ref(world, src, t, upn, span).map(UserRef::Idx)
}

/// A user or an external `#EXT#` account of tenant `t` (checked when the step runs).
fn account_ref(
    world: &World,
    names: &Names,
    src: Src<'_>,
    t: TenantIdx,
    upn: &str,
    span: Range<usize>,
) -> R<UserRef> {
    if upn.contains("#EXT#") {
        return Ok(UserRef::Upn(upn.to_string()));
    }
    user_ref_any(world, names, src, t, upn, span)
}

/// A sync configuration of tenant `t`: from an earlier create-sync step, or `MTO_Sync_<...>`.
fn sync_ref(
    world: &World,
    names: &Names,
    src: Src<'_>,
    t: TenantIdx,
    name: &str,
    span: Range<usize>,
) -> R<String> {
    let name = expand_config_name(world, src, name, span.clone())?;
    if names.syncs[t.ix()].contains(&name) {
        return Ok(name);
    }
    let known: Vec<&str> = names.syncs[t.ix()]
        .iter()
        .map(String::as_str)
        .filter(|n| !n.starts_with("MTO_Sync_"))
        .collect();
    let d = src.err(
        span,
        format!(
            "unknown sync configuration \"{name}\" of tenant {}",
            world.name(t)
        ),
    );
    Err(match did_you_mean(&name, known.iter().copied()) {
        Some(s) => d.help(format!("did you mean \"{s}\"?")),
        None if name.starts_with("MTO_Sync_") => d.help("name the Microsoft 365 configuration toward a tenant with the angle brackets written out: MTO_Sync_<fabrikam>"),
        None => d.help("configurations are named by an earlier create-sync step, or MTO_Sync_<tenant> (angle brackets included) for the Microsoft 365 ones"),
    })
}

fn load_step(world: &World, src: Src<'_>, st: Tbl<'_, '_>, number: usize, names: &mut Names) -> R<Step> {
    let (verb, vspan) = st.req_str("do")?;
    let line = src.line_of(vspan.start);
    let Some(&(name, keys, modelled)) = VERBS.iter().find(|(v, _, _)| *v == verb) else {
        let d = src.err(vspan, format!("unknown verb \"{verb}\" in [[step]] {number}"));
        let verbs: Vec<&str> = VERBS.iter().map(|v| v.0).collect();
        return Err(match did_you_mean(&verb, verbs.iter().copied()) {
            Some(s) => d.help(format!("did you mean \"{s}\"?")),
            None => d.help(format!("verbs: {}", verbs.join(", "))),
        });
    };
    if !modelled {
        return Err(src
            .err(vspan, format!("verb \"{verb}\" is part of the scenario contract but this version of mtosim does not model it yet"))
            .help(format!(
                "modelled verbs: {}",
                VERBS.iter().filter(|v| v.2).map(|v| v.0).collect::<Vec<_>>().join(", ")
            )));
    }
    let st = Tbl {
        what: format!("[[step]] {number} ({verb})"),
        ..st
    };
    let time_verb = matches!(verb.as_str(), "wait" | "settle");
    let mut allowed: Vec<&str> = vec!["do", "at"];
    if !time_verb {
        allowed.push("tenant");
    }
    if !time_verb && verb != "expect" {
        allowed.push("expect_error");
    }
    allowed.extend_from_slice(keys);
    if !matches!(verb.as_str(), "add-user" | "update-user") {
        st.allow_only(&allowed)?; // those two take Graph attribute keys, checked by attr_values
    }
    let tenant = if time_verb {
        None
    } else {
        let (n, span) = st.req_str("tenant")?;
        Some(tenant_ref(world, src, &n, span)?)
    };
    let at = match st.str("at")? {
        None => None,
        Some((s, span)) => Some(if s.starts_with('+') {
            At::Offset(Duration::parse(&s).map_err(|e| src.err(span, e))?)
        } else {
            At::Absolute(SimTime::parse_rfc3339(&s).map_err(|e| {
                let hint = if Duration::parse(&s).is_ok() {
                    format!("an offset from the previous step starts with '+': at = \"+{s}\"")
                } else {
                    "write a time as \"2023-08-30T12:00:00Z\" or an offset as \"+2h\"".to_string()
                };
                src.err(span.clone(), e).help(hint)
            })
            .and_then(|t| {
                if t < world.start() {
                    Err(src.err(
                        span,
                        format!("at = \"{s}\" is before the scenario's start ({}); time only moves forward", world.start()),
                    ))
                } else {
                    Ok(t)
                }
            })?)
        }),
    };
    let expect_error = match st.get("expect_error") {
        None => None,
        Some(v) => match v.get_ref() {
            toml::de::DeValue::Boolean(true) => Some(ExpectError::Any),
            toml::de::DeValue::String(s) if valid_rule_id(s) => {
                if mtosim_engine::catalog::find(s).is_none() {
                    let ids: Vec<String> = mtosim_engine::catalog::all().into_iter().map(|r| r.id).collect();
                    let d = src.err(
                        v.span(),
                        format!("expect_error names {s}, which is not a documented rule id"),
                    );
                    return Err(match did_you_mean(s, ids.iter().map(String::as_str)) {
                        Some(m) => d.help(format!("did you mean \"{m}\"? `mtosim rules` lists them")),
                        None => d.help("`mtosim rules` lists the rule ids"),
                    });
                }
                Some(ExpectError::Rule(s.to_string()))
            }
            _ => {
                return Err(src.err(
                    v.span(),
                    "expect_error must be a rule id such as \"MTO-37\", or true for any rule",
                ))
            }
        },
    };
    let actor = tenant.unwrap_or(TenantIdx(0));
    let groups = |key: &str| -> R<Vec<GroupIdx>> {
        st.str_list(key)?
            .unwrap_or_default()
            .into_iter()
            .map(|(g, span)| group_ref(world, src, actor, &g, span))
            .collect()
    };
    let users = |key: &str, names: &Names| -> R<Vec<UserRef>> {
        st.str_list(key)?
            .unwrap_or_default()
            .into_iter()
            .map(|(u, span)| user_ref_any(world, names, src, actor, &u, span))
            .collect()
    };
    let sync = |names: &Names| -> R<String> {
        let (n, span) = st.req_str("sync")?;
        sync_ref(world, names, src, actor, &n, span)
    };
    let account = |names: &Names| -> R<UserRef> {
        let (u, span) = st.req_str("user")?;
        account_ref(world, names, src, actor, &u, span)
    };
    let target = |key: &str, default: Option<TenantIdx>| -> R<TenantIdx> {
        match st.str(key)? {
            Some((n, span)) => tenant_ref(world, src, &n, span),
            None => default.ok_or_else(|| {
                src.err(st.span.clone(), format!("{} needs `{key}`", st.what))
                    .help(format!("add {key} = \"<tenant name>\""))
            }),
        }
    };
    let text = |key: &str| -> R<Option<String>> {
        match st.str(key)? {
            Some((s, span)) if s.len() > limits::TEXT_LEN_MAX => Err(src.err(
                span,
                format!(
                    "`{key}` is longer than {} bytes (TEXT_LEN_MAX)",
                    limits::TEXT_LEN_MAX
                ),
            )),
            other => Ok(other.map(|(s, _)| s)),
        }
    };
    let kind = match verb.as_str() {
        "create-mto" => StepKind::Action(Action::CreateMto {
            display_name: text("display_name")?.ok_or_else(|| {
                src.err(st.span.clone(), format!("{} needs `display_name`", st.what))
                    .help("add display_name = \"...\" (MTO-8: required)")
            })?,
            description: text("description")?.unwrap_or_default(),
            via: via(&st)?,
        }),
        "update-mto" => StepKind::Action(Action::UpdateMto {
            display_name: text("display_name")?,
            description: text("description")?,
        }),
        "add-tenant" => StepKind::Action(Action::AddTenant {
            target: target("target", None)?,
            role: role(&st, false)?,
            via: via(&st)?,
        }),
        "set-role" => StepKind::Action(Action::SetRole {
            target: target("target", None)?,
            role: role(&st, true)?,
        }),
        "join" => StepKind::Action(Action::Join {
            added_by: target("added_by", None)?,
            via: via(&st)?,
        }),
        "reset-join" => StepKind::Action(Action::ResetJoin),
        "remove-tenant" => StepKind::Action(Action::RemoveTenant {
            target: target("target", tenant)?,
        }),
        "share-users" | "unshare-users" => {
            let (g, u) = (groups("groups")?, users("users", names)?);
            if g.is_empty() && u.is_empty() {
                return Err(src
                    .err(st.span.clone(), format!("{} needs `groups` or `users`", st.what))
                    .help("e.g. groups = [\"MTO Shared\"]"));
            }
            if verb == "share-users" {
                StepKind::Action(Action::ShareUsers { groups: g, users: u })
            } else {
                StepKind::Action(Action::UnshareUsers { groups: g, users: u })
            }
        }
        "set-partner" => {
            let (pn, span) = st.req_str("partner")?;
            let partner = tenant_ref(world, src, &pn, span)?;
            let b2b_inbound = match st.str("b2b_inbound")? {
                None => None,
                Some((v, span)) => Some(match v.as_str() {
                    "allowed" => Access::Allowed,
                    "blocked" => Access::Blocked,
                    _ => {
                        return Err(src
                            .err(span, format!("unknown b2b_inbound \"{v}\""))
                            .help("\"allowed\" or \"blocked\""))
                    }
                }),
            };
            StepKind::Action(Action::SetPartner {
                partner,
                patch: PartnerPatch {
                    auto_redeem_inbound: st.bool("auto_redeem_inbound")?,
                    auto_redeem_outbound: st.bool("auto_redeem_outbound")?,
                    sync_inbound: st.bool("sync_inbound")?,
                    mfa_trust: st.bool("mfa_trust")?,
                    b2b_inbound,
                },
            })
        }
        "delete-partner" => {
            let (pn, span) = st.req_str("partner")?;
            StepKind::Action(Action::DeletePartner {
                partner: tenant_ref(world, src, &pn, span)?,
            })
        }
        "set-templates" => StepKind::Action(Action::SetTemplates {
            patch: TemplatesPatch {
                auto_redeem_inbound: st.bool("auto_redeem_inbound")?,
                auto_redeem_outbound: st.bool("auto_redeem_outbound")?,
                mfa_trust: st.bool("mfa_trust")?,
                sync_inbound: st.bool("sync_inbound")?,
                application: app_level(&st)?,
            },
        }),
        "reset-templates" => StepKind::Action(Action::ResetTemplates),
        "create-sync" => {
            let target = target("target", None)?;
            if target == actor {
                return Err(src
                    .err(st.span_of("target"), "a configuration syncs to another tenant")
                    .help("name a target other than the acting tenant (CTS-66)"));
            }
            let (name, nspan) = st.req_str("name")?;
            if name.trim().is_empty() {
                return Err(src.err(nspan, "a configuration needs a non-empty name"));
            }
            if !names.syncs[actor.ix()].contains(&name) {
                names.syncs[actor.ix()].push(name.clone());
            }
            let pick = |key: &str, opts: &[&str], default: &str| -> R<String> {
                match st.str(key)? {
                    None => Ok(default.to_string()),
                    Some((v, _)) if opts.contains(&v.as_str()) => Ok(v),
                    Some((v, span)) => Err(src
                        .err(span, format!("unknown {key} \"{v}\""))
                        .help(format!("one of: {}", opts.join(", ")))),
                }
            };
            let delete_threshold = match st.get("delete_threshold").map(|v| v.get_ref()) {
                None | Some(toml::de::DeValue::Boolean(false)) => None,
                Some(toml::de::DeValue::Boolean(true)) => Some(mtosim_engine::sync::DELETE_THRESHOLD_DEFAULT),
                Some(_) => Some(st.uint("delete_threshold", u32::MAX as u64)?.expect("present") as u32),
            };
            StepKind::Action(Action::CreateSync(Box::new(CreateSync {
                target,
                name,
                scope_all: pick("scope", &["assigned", "all"], "assigned")? == "all",
                user_type: if pick("user_type", &["Member", "Guest"], "Member")? == "Guest" {
                    UserType::Guest
                } else {
                    UserType::Member
                },
                apply_always: pick("apply", &["always", "on-create"], "on-create")? == "always",
                delete_action: st.bool("delete_action")?.unwrap_or(true),
                delete_threshold,
            })))
        }
        "assign" | "unassign" => {
            let sync = sync(names)?;
            let (g, u) = (groups("groups")?, users("users", names)?);
            if g.is_empty() && u.is_empty() {
                return Err(src
                    .err(st.span.clone(), format!("{} needs `groups` or `users`", st.what))
                    .help("e.g. groups = [\"Sales\"]"));
            }
            if verb == "assign" {
                StepKind::Action(Action::Assign {
                    sync,
                    groups: g,
                    users: u,
                })
            } else {
                StepKind::Action(Action::Unassign {
                    sync,
                    groups: g,
                    users: u,
                })
            }
        }
        "set-scoping-filter" => {
            let sync = sync(names)?;
            let (filter, filters) = scoping_filters(src, &st)?;
            StepKind::Action(Action::SetScopingFilter {
                sync,
                filter,
                filters,
            })
        }
        "start-sync" => StepKind::Action(Action::StartSync { sync: sync(names)? }),
        "pause-sync" => StepKind::Action(Action::PauseSync { sync: sync(names)? }),
        "allow-deletes" => StepKind::Action(Action::AllowDeletes { sync: sync(names)? }),
        "delete-sync" => StepKind::Action(Action::DeleteSync { sync: sync(names)? }),
        "restart-sync" => {
            let sync = sync(names)?;
            let reset = match st.str("reset")? {
                None => ResetScope::portal(),
                Some((v, span)) => ResetScope::parse(&v).map_err(|e| src.err(span, e))?,
            };
            StepKind::Action(Action::RestartSync { sync, reset })
        }
        "provision-on-demand" => {
            let sync = sync(names)?;
            let (u, span) = st.req_str("user")?;
            StepKind::Action(Action::ProvisionOnDemand {
                sync,
                user: user_ref_any(world, names, src, actor, &u, span)?,
            })
        }
        "add-user" => {
            let user = inline_user_spec(src, &st, true)?;
            let upn = user.upn.clone();
            if names.knows_upn(world, actor, &upn).is_some() {
                return Err(src
                    .err(
                        st.span_of("upn"),
                        format!("tenant {} already has a user {upn}", world.name(actor)),
                    )
                    .help("UPNs are unique in a directory"));
            }
            names.added_upns[actor.ix()].push(upn);
            StepKind::Action(Action::AddUser(Box::new(user)))
        }
        "update-user" => {
            let user = account(names)?;
            StepKind::Action(Action::UpdateUser {
                user,
                attrs: attr_values(
                    src,
                    &st,
                    &["do", "at", "tenant", "expect_error", "user", "user_type"],
                )?,
                user_type: match st.str("user_type")? {
                    None => None,
                    Some((v, span)) => Some(UserType::parse(&v).ok_or_else(|| {
                        src.err(span, format!("unknown user_type \"{v}\""))
                            .help("\"Member\" or \"Guest\"")
                    })?),
                },
            })
        }
        "disable-user" => StepKind::Action(Action::SetEnabled {
            user: account(names)?,
            enabled: false,
        }),
        "enable-user" => StepKind::Action(Action::SetEnabled {
            user: account(names)?,
            enabled: true,
        }),
        "delete-user" => StepKind::Action(Action::DeleteUser {
            user: account(names)?,
        }),
        "restore-user" => StepKind::Action(Action::RestoreUser {
            user: account(names)?,
        }),
        "add-to-group" | "remove-from-group" => {
            let (gname, gspan) = st.req_str("group")?;
            let group = group_ref(world, src, actor, &gname, gspan.clone())?;
            if world.tenant(actor).dir.groups()[group.ix()].rule.is_some() {
                return Err(src
                    .err(
                        gspan,
                        format!("\"{gname}\" is a dynamic group: its members follow its rule"),
                    )
                    .help("change the users' attributes instead, or use a static group (CTS-15)"));
            }
            let u = users("users", names)?;
            if u.is_empty() {
                return Err(src.err(st.span.clone(), format!("{} needs `users`", st.what)));
            }
            if verb == "add-to-group" {
                StepKind::Action(Action::AddToGroup { group, users: u })
            } else {
                StepKind::Action(Action::RemoveFromGroup { group, users: u })
            }
        }
        "invite-guest" => {
            let (upn, span) = st.req_str("user")?;
            let home = (0..world.tenants().len() as u16)
                .map(TenantIdx)
                .find(|&t| t != actor && names.knows_upn(world, t, &upn).is_some())
                .ok_or_else(|| {
                    src.err(span.clone(), format!("no other tenant has a user {upn}"))
                        .help("invite-guest names a user of another tenant by its userPrincipalName")
                })?;
            let user = names.knows_upn(world, home, &upn).expect("found above");
            let user_type = match st.str("user_type")? {
                None => UserType::Guest,
                Some((v, span)) => UserType::parse(&v).ok_or_else(|| {
                    src.err(span, format!("unknown user_type \"{v}\""))
                        .help("\"Guest\" (default) or \"Member\"")
                })?,
            };
            StepKind::Action(Action::InviteGuest {
                home,
                user,
                user_type,
                redeemed: st.bool("redeemed")?.unwrap_or(true),
            })
        }
        "wait" => StepKind::Wait(duration(&st, "for")?.ok_or_else(|| {
            src.err(st.span.clone(), format!("{} needs `for`", st.what))
                .help("e.g. for = \"2h\"")
        })?),
        "settle" => StepKind::Settle(duration(&st, "max")?.unwrap_or(Duration::days(30))),
        "expect" => StepKind::Expect(load_checks(world, src, &st, actor)?),
        other => unreachable!("verb {other} is listed as modelled"),
    };
    Ok(Step {
        number,
        line,
        verb: name,
        tenant,
        at,
        expect_error,
        kind,
    })
}

fn valid_rule_id(s: &str) -> bool {
    s.rsplit_once('-').is_some_and(|(p, n)| {
        ["MTO", "CTS", "XTAP", "SEED", "SIM"].contains(&p)
            && !n.is_empty()
            && n.bytes().all(|b| b.is_ascii_digit())
    })
}

fn load_checks(world: &World, src: Src<'_>, st: &Tbl<'_, '_>, viewer: TenantIdx) -> R<Vec<Check>> {
    let mut checks = Vec::new();
    if let Some((s, span)) = st.str("mto")? {
        checks.push(Check::Mto(match s.as_str() {
            "active" => true,
            "inactive" => false,
            _ => {
                return Err(src
                    .err(span, format!("unknown MTO state \"{s}\""))
                    .help("mto is \"active\" or \"inactive\""))
            }
        }));
    }
    if let Some(n) = st.uint("mto_tenants", 1_000_000)? {
        checks.push(Check::MtoTenants(n));
    }
    for m in st.tables("member")? {
        m.allow_only(&["tenant", "role", "state"])?;
        let (n, span) = m.req_str("tenant")?;
        let tenant = tenant_ref(world, src, &n, span)?;
        let role = match m.str("role")? {
            None => None,
            Some(_) => Some(role(&m, true)?),
        };
        let state = match m.str("state")? {
            None => None,
            Some((s, span)) => Some(match s.as_str() {
                "pending" => StateCheck::Pending,
                "active" => StateCheck::Active,
                "removed" => StateCheck::Removed,
                "absent" => StateCheck::Absent,
                _ => {
                    return Err(src
                        .err(span, format!("unknown member state \"{s}\""))
                        .help("state is \"pending\", \"active\", \"removed\" or \"absent\""))
                }
            }),
        };
        checks.push(Check::Member { tenant, role, state });
    }
    for m in st.tables("synced_from")? {
        m.allow_only(&["tenant", "count"])?;
        let (n, span) = m.req_str("tenant")?;
        let tenant = tenant_ref(world, src, &n, span)?;
        let count = m
            .uint("count", u64::MAX >> 1)?
            .ok_or_else(|| src.err(m.span.clone(), "synced_from needs `count`"))?;
        checks.push(Check::SyncedFrom { tenant, count });
    }
    for m in st.tables("user")? {
        let attrs = attr_values(src, &m, &["upn", "user_type", "account_enabled"])?;
        let (upn, _) = m.req_str("upn")?;
        let user_type = match m.str("user_type")? {
            None => None,
            Some((s, span)) => Some(UserType::parse(&s).ok_or_else(|| {
                src.err(span, format!("unknown user_type \"{s}\""))
                    .help("\"Member\" or \"Guest\"")
            })?),
        };
        checks.push(Check::User {
            upn,
            user_type,
            account_enabled: m.bool("account_enabled")?,
            attrs,
        });
    }
    for (upn, _) in st.str_list("no_user")?.unwrap_or_default() {
        checks.push(Check::NoUser(upn));
    }
    for m in st.tables("sync")? {
        m.allow_only(&["name", "status"])?;
        let (name, span) = m.req_str("name")?;
        checks.push(Check::Sync {
            name: expand_config_name(world, src, &name, span)?,
            status: m.str("status")?.map(|(s, _)| s),
        });
    }
    for m in st.tables("partner")? {
        m.allow_only(&[
            "tenant",
            "auto_redeem_inbound",
            "auto_redeem_outbound",
            "sync_inbound",
            "in_mto",
        ])?;
        let (n, span) = m.req_str("tenant")?;
        checks.push(Check::Partner {
            tenant: tenant_ref(world, src, &n, span)?,
            auto_redeem_inbound: m.bool("auto_redeem_inbound")?,
            auto_redeem_outbound: m.bool("auto_redeem_outbound")?,
            sync_inbound: m.bool("sync_inbound")?,
            in_mto: m.bool("in_mto")?,
        });
    }
    for m in st.tables("join_request")? {
        m.allow_only(&["status", "member_state", "role", "added_by"])?;
        let pick = |key: &str, allowed: &[&str]| -> R<Option<String>> {
            match m.str(key)? {
                None => Ok(None),
                Some((v, _)) if allowed.contains(&v.as_str()) => Ok(Some(v)),
                Some((v, span)) => Err(src
                    .err(span, format!("unknown {key} \"{v}\""))
                    .help(format!("one of: {}", allowed.join(", ")))),
            }
        };
        let added_by = match m.str("added_by")? {
            None => None,
            Some((v, _)) if v == "none" => Some(None),
            Some((v, span)) => Some(Some(tenant_ref(world, src, &v, span)?)),
        };
        checks.push(Check::JoinRequest {
            status: pick("status", &["none", "notStarted", "running", "failed"])?,
            member_state: pick("member_state", &["none", "pending", "active", "removed"])?,
            role: pick("role", &["none", "owner", "member"])?,
            added_by,
        });
    }
    if checks.is_empty() {
        return Err(src.err(st.span.clone(), "this expect step checks nothing").help(
            "add mto, mto_tenants, member, synced_from, user, no_user, sync, partner or join_request",
        ));
    }
    let _ = viewer;
    Ok(checks)
}

/// `MTO_Sync_<tenant_id of fabrikam>` and `MTO_Sync_<fabrikam>` name the configuration toward
/// that tenant; any other name is taken literally.
fn expand_config_name(world: &World, src: Src<'_>, name: &str, span: Range<usize>) -> R<String> {
    let Some(inner) = name.strip_prefix("MTO_Sync_<").and_then(|s| s.strip_suffix('>')) else {
        return Ok(name.to_string());
    };
    let tname = inner.strip_prefix("tenant_id of ").unwrap_or(inner).trim();
    let t = tenant_ref(world, src, tname, span)?;
    Ok(format!("MTO_Sync_{}", world.tenant(t).spec.tenant_id))
}
