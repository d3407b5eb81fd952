//! Single entities as a Graph server answers them (`.../tenants/{tenantId}` as a
//! `multiTenantOrganizationMember` with its own `@odata.context`), and a response's
//! `@odata.context` moved to the API version a client called (`v1.0` or `beta`).

use crate::odata;
use mtosim_engine::{Guid, TenantIdx, World};
use serde_json::Value;

/// The Graph API versions a client can call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    /// `v1.0`.
    V1,
    /// `beta`.
    Beta,
}

impl Version {
    /// The version named by a URL segment (`v1.0`, `beta`; case-insensitive, as Graph is).
    pub fn from_segment(s: &str) -> Option<Version> {
        if s.eq_ignore_ascii_case("v1.0") {
            Some(Version::V1)
        } else if s.eq_ignore_ascii_case("beta") {
            Some(Version::Beta)
        } else {
            None
        }
    }

    /// The URL segment.
    pub fn as_str(self) -> &'static str {
        match self {
            Version::V1 => "v1.0",
            Version::Beta => "beta",
        }
    }
}

/// `GET .../multiTenantOrganization/tenants/{tenantId}`: the member `member` as `t` sees it,
/// if `t`'s member list lists it.
pub fn member(world: &World, t: TenantIdx, member: Guid) -> Option<Value> {
    let id = member.to_string();
    let m = crate::mto::members(world, t)
        .value
        .into_iter()
        .find(|m| m.tenant_id == id)?;
    let mut v = crate::to_value(&m);
    if let Value::Object(o) = &mut v {
        let ctx = odata::context(
            world,
            "tenantRelationships/multiTenantOrganization/tenants/$entity",
        );
        o.shift_insert(0, "@odata.context".to_string(), Value::String(ctx));
    }
    Some(v)
}

/// `v` with its `@odata.context` naming `version`'s metadata instead of the world's own.
pub fn at_version(mut v: Value, version: Version) -> Value {
    if let Some(Value::String(ctx)) = v.get_mut("@odata.context") {
        for base in [
            "https://graph.microsoft.com/v1.0/$metadata#",
            "https://graph.microsoft.com/beta/$metadata#",
        ] {
            if let Some(rest) = ctx.strip_prefix(base) {
                *ctx = format!(
                    "https://graph.microsoft.com/{}/$metadata#{rest}",
                    version.as_str()
                );
                break;
            }
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_context_follows_the_version_called() {
        let v =
            serde_json::json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#x", "id": 1});
        let b = at_version(v, Version::Beta);
        assert_eq!(
            b["@odata.context"],
            "https://graph.microsoft.com/beta/$metadata#x"
        );
        assert_eq!(Version::from_segment("V1.0"), Some(Version::V1));
        assert_eq!(Version::from_segment("v2"), None);
    }
}
