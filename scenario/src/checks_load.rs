//! The `expect` step's checks as the scenario file writes them, each parsed with its
//! position (evaluated by [`crate::checks`]).

use crate::model::{Check, StateCheck};
use crate::refs::{expand_config_name, tenant_ref};
use crate::toml_read::{Src, Tbl};
use crate::values::{attr_values, role, R};
use mtosim_engine::directory::UserType;
use mtosim_engine::{TenantIdx, World};

/// The checks of one `expect` step, in the order the contract lists them.
pub(crate) fn load_checks(world: &World, src: Src<'_>, st: &Tbl<'_, '_>, viewer: TenantIdx) -> R<Vec<Check>> {
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
    if let Some(n) = st.uint("mto_members", u64::MAX >> 1)? {
        checks.push(Check::MtoMembers(n));
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
        let attrs = attr_values(src, &m, &["upn", "user_type", "account_enabled", "manager"])?;
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
            manager: m.str("manager")?.map(|(s, _)| s),
            extra: crate::values::extra_values(src, &m)?,
        });
    }
    for (upn, _) in st.str_list("no_user")?.unwrap_or_default() {
        checks.push(Check::NoUser(upn));
    }
    for m in st.tables("group")? {
        m.allow_only(&["name", "members", "description"])?;
        let (name, _) = m.req_str("name")?;
        checks.push(Check::Group {
            name,
            members: m
                .str_list("members")?
                .map(|l| l.into_iter().map(|(u, _)| u).collect()),
            description: m.str("description")?.map(|(d, _)| d),
        });
    }
    for (name, _) in st.str_list("no_group")?.unwrap_or_default() {
        checks.push(Check::NoGroup(name));
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
            "add mto, mto_tenants, mto_members, member, synced_from, user, no_user, group, no_group, sync, partner or join_request",
        ));
    }
    let _ = viewer;
    Ok(checks)
}
