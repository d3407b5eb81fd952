//! Names in a scenario resolved before anything runs: tenants, users, groups and sync
//! configurations (and the users and groups B2B collaboration settings target), including the
//! users and configurations that earlier steps create, each unknown name refused with its
//! position and a suggestion.

use crate::diag::did_you_mean;
use crate::toml_read::{Src, Tbl};
use crate::values::R;
use mtosim_engine::world::UserRef;
use mtosim_engine::{GroupIdx, TenantIdx, UserIdx, World};
use std::ops::Range;

pub(crate) fn tenant_ref(world: &World, src: Src<'_>, name: &str, span: Range<usize>) -> R<TenantIdx> {
    world.tenant_by_name(name).ok_or_else(|| {
        let names: Vec<&str> = world.tenants().iter().map(|t| t.name()).collect();
        let d = src.err(span, format!("unknown tenant \"{name}\""));
        match did_you_mean(name, names.iter().copied()) {
            Some(s) => d.help(format!("did you mean \"{s}\"? tenants: {}", names.join(", "))),
            None => d.help(format!("tenants: {}", names.join(", "))),
        }
    })
}

pub(crate) fn user_ref(
    world: &World,
    src: Src<'_>,
    t: TenantIdx,
    upn: &str,
    span: Range<usize>,
) -> R<UserIdx> {
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

pub(crate) fn group_ref(
    world: &World,
    src: Src<'_>,
    t: TenantIdx,
    name: &str,
    span: Range<usize>,
) -> R<GroupIdx> {
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

/// Names that steps create during the timeline, so that later steps can refer to them and a
/// typo is still caught before anything runs: users made by `add-user`, configurations made by
/// `create-sync` (plus the `MTO_Sync_<id>` ones the Microsoft 365 flows may create).
pub(crate) struct Names {
    pub(crate) added_upns: Vec<Vec<String>>,
    pub(crate) syncs: Vec<Vec<String>>,
}

impl Names {
    pub(crate) fn new(world: &World) -> Names {
        let n = world.tenants().len();
        let mut syncs = vec![Vec::new(); n];
        for (i, list) in syncs.iter_mut().enumerate() {
            for (j, t) in world.tenants().iter().enumerate() {
                if i != j {
                    list.push(format!("MTO_Sync_{}", t.spec.tenant_id));
                }
            }
        }
        // configurations the world starts with (an import's)
        for c in world.configs().iter().filter(|c| !c.deleted) {
            if !syncs[c.source.ix()].contains(&c.name) {
                syncs[c.source.ix()].push(c.name.clone());
            }
        }
        Names {
            added_upns: vec![Vec::new(); n],
            syncs,
        }
    }

    pub(crate) fn knows_upn(&self, world: &World, t: TenantIdx, upn: &str) -> Option<UserRef> {
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
pub(crate) fn user_ref_any(
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
pub(crate) fn account_ref(
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

/// A sync configuration of tenant `t`: imported, from an earlier create-sync step, or
/// `MTO_Sync_<...>`.
pub(crate) fn sync_ref(
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
        None => d.help("configurations are imported, named by an earlier create-sync step, or MTO_Sync_<tenant> (angle brackets included) for the Microsoft 365 ones"),
    })
}

/// `MTO_Sync_<tenant_id of fabrikam>` and `MTO_Sync_<fabrikam>` name the configuration toward
/// that tenant; any other name is taken literally.
pub(crate) fn expand_config_name(world: &World, src: Src<'_>, name: &str, span: Range<usize>) -> R<String> {
    let Some(inner) = name.strip_prefix("MTO_Sync_<").and_then(|s| s.strip_suffix('>')) else {
        return Ok(name.to_string());
    };
    let tname = inner.strip_prefix("tenant_id of ").unwrap_or(inner).trim();
    let t = tenant_ref(world, src, tname, span)?;
    Ok(format!("MTO_Sync_{}", world.tenant(t).spec.tenant_id))
}

/// The keys of B2B collaboration settings: access, user and group targets, application targets.
pub(crate) const B2B_KEYS: [&str; 6] = [
    "b2b_inbound",
    "b2b_inbound_users",
    "b2b_inbound_apps",
    "b2b_outbound",
    "b2b_outbound_users",
    "b2b_outbound_apps",
];

/// A B2B collaboration setting (XTAP-17) from `PREFIX` (`"allowed"` or `"blocked"`),
/// `PREFIX_users` (`"AllUsers"`, UPNs or group names of tenant `of`; without `of`, only
/// `"AllUsers"`) and `PREFIX_apps` (`"AllApplications"`, `"Office365"` or application ids).
pub(crate) fn b2b_setting(
    world: &mtosim_engine::World,
    src: Src<'_>,
    t: &Tbl<'_, '_>,
    prefix: &str,
    of: Option<mtosim_engine::TenantIdx>,
) -> R<Option<mtosim_engine::xtap::B2bSetting>> {
    use mtosim_engine::xtap::{Access, AppTarget, B2bSetting, UserTarget};
    let users_key = format!("{prefix}_users");
    let apps_key = format!("{prefix}_apps");
    let Some((v, span)) = t.str(prefix)? else {
        for k in [&users_key, &apps_key] {
            if t.get(k).is_some() {
                return Err(src.err(t.span_of(k), format!("{k} needs {prefix}")).help(format!(
                    "{prefix} = \"allowed\" or \"blocked\" says what the targets get"
                )));
            }
        }
        return Ok(None);
    };
    let access = match v.as_str() {
        "allowed" => Access::Allowed,
        "blocked" => Access::Blocked,
        _ => {
            return Err(src
                .err(span, format!("unknown {prefix} \"{v}\""))
                .help("\"allowed\" or \"blocked\""))
        }
    };
    let mut setting = B2bSetting::all(access);
    if let Some(list) = t.str_list(&users_key)? {
        setting.users.clear();
        for (name, span) in list {
            if name == "AllUsers" {
                setting.users.push(UserTarget::AllUsers);
                continue;
            }
            let Some(of) = of else {
                return Err(src
                    .err(
                        span,
                        format!("the default settings can only target \"AllUsers\" in {users_key}"),
                    )
                    .help("name users and groups of a partner in its [[tenant.partner]] or set-partner"));
            };
            let dir = &world.tenant(of).dir;
            if let Some(u) = dir.user_by_upn(&name) {
                setting.users.push(UserTarget::User(u));
            } else {
                let g = group_ref(world, src, of, &name, span.clone()).map_err(|d| {
                    d.help(format!(
                        "{users_key} names \"AllUsers\", or users (by UPN) and groups (by name) of {}",
                        world.name(of)
                    ))
                })?;
                setting.users.push(UserTarget::Group(g));
            }
        }
        if setting.users.is_empty() {
            return Err(src
                .err(t.span_of(&users_key), format!("{users_key} is empty"))
                .help("name at least one target, or \"AllUsers\""));
        }
    }
    if let Some(list) = t.str_list(&apps_key)? {
        setting.apps = list
            .into_iter()
            .map(|(a, _)| match a.as_str() {
                "AllApplications" => AppTarget::AllApplications,
                "Office365" => AppTarget::Office365,
                _ => AppTarget::App(a),
            })
            .collect();
        if setting.apps.is_empty() {
            return Err(src
                .err(t.span_of(&apps_key), format!("{apps_key} is empty"))
                .help("name at least one target, or \"AllApplications\""));
        }
    }
    setting.users.sort_unstable();
    setting.users.dedup();
    Ok(Some(setting))
}
