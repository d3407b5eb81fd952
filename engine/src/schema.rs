//! The synchronization schema of a cross-tenant synchronization configuration: the attribute
//! mappings of its `USER_INBOUND_USER` rule ("Provision Microsoft Entra ID Users"), which
//! decide what a cycle writes into each account it processes (CTS-27, CTS-29).
//!
//! The default mappings follow the properties the Microsoft 365 admin center's "Share users"
//! synchronizes (MicrosoftDocs/microsoft-365-docs `microsoft-365/enterprise/
//! sync-users-multi-tenant-orgs.md` @ 21ea262f): accountEnabled, alternativeSecurityIds, city,
//! country, department, displayName, employeeId, givenName, IsSoftDeleted, jobTitle,
//! mailNickname, physicalDeliveryOfficeName, postalCode, preferredLanguage, showInAddressList,
//! state, streetAddress, surname, telephoneNumber, userPrincipalName, userType (Member) and
//! manager. No Entra page prints the Entra admin center template's list as text (its
//! screenshot, in `cross-tenant-synchronization-configure.md`, is cut off after givenName and
//! agrees so far), so the Entra template is taken to be the same, except that `manager` is in
//! it only for configurations created after January 2024 (cross-tenant synchronization
//! overview @ 0136e7d5). Matching is on `alternativeSecurityIds` through
//! `AltSecIdFromNetId([netId])` and cannot be changed (`schemaInvalid`); `userType` is a
//! constant applied only on object creation; `showInAddressList` a constant `true`.
//! Attributes outside the mappings (mail, companyName, mobile, usageLocation, employeeType)
//! are never written.

use crate::time::SimTime;
use crate::user::Attr;
use std::fmt;

/// An attribute a mapping reads from the source user or writes into the target account, by
/// its provisioning schema name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SchemaAttr {
    /// One of the stored user attributes.
    Attr(Attr),
    /// `userPrincipalName`.
    UserPrincipalName,
    /// `accountEnabled`.
    AccountEnabled,
    /// `userType`.
    UserType,
    /// `manager` (a reference).
    Manager,
    /// `showInAddressList`.
    ShowInAddressList,
    /// `IsSoftDeleted`.
    IsSoftDeleted,
    /// `alternativeSecurityIds`: the matching attribute.
    AlternativeSecurityIds,
    /// `netId`: the source user's network id, read by `AltSecIdFromNetId`.
    NetId,
    /// `objectId`.
    ObjectId,
    /// A sparse property: `extensionAttribute1`..`15`, a directory extension
    /// `extension_<appId>_<name>` (CTS-36), `otherMails`, `facsimileTelephoneNumber`, ...
    Extra(crate::extra::ExtraProp),
}

impl SchemaAttr {
    /// Every attribute besides the stored ones, by schema name.
    const SPECIAL: &'static [(&'static str, SchemaAttr)] = &[
        ("userPrincipalName", SchemaAttr::UserPrincipalName),
        ("accountEnabled", SchemaAttr::AccountEnabled),
        ("userType", SchemaAttr::UserType),
        ("manager", SchemaAttr::Manager),
        ("showInAddressList", SchemaAttr::ShowInAddressList),
        ("IsSoftDeleted", SchemaAttr::IsSoftDeleted),
        ("alternativeSecurityIds", SchemaAttr::AlternativeSecurityIds),
        ("netId", SchemaAttr::NetId),
        ("objectId", SchemaAttr::ObjectId),
    ];

    /// The schema name, e.g. `physicalDeliveryOfficeName`.
    pub fn name(&self) -> std::borrow::Cow<'static, str> {
        match self {
            SchemaAttr::Attr(a) => a.schema_name().into(),
            SchemaAttr::Extra(p) => p.name().into(),
            other => SchemaAttr::SPECIAL
                .iter()
                .find(|(_, s)| s == other)
                .map(|(n, _)| *n)
                .unwrap_or("?")
                .into(),
        }
    }

    /// Looks an attribute up by schema name (or Graph name), case-insensitively.
    pub fn parse(name: &str) -> Option<SchemaAttr> {
        if let Some(a) = Attr::from_schema_name(name).or_else(|| Attr::from_graph_name(name)) {
            return Some(SchemaAttr::Attr(a));
        }
        SchemaAttr::SPECIAL
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, s)| s.clone())
            .or_else(|| crate::extra::ExtraProp::parse(name).map(SchemaAttr::Extra))
    }

    /// Every name [`SchemaAttr::parse`] accepts (directory extensions aside), for suggestions.
    pub fn names() -> impl Iterator<Item = String> {
        Attr::ALL
            .iter()
            .map(|a| a.schema_name().to_string())
            .chain(SchemaAttr::SPECIAL.iter().map(|(n, _)| n.to_string()))
            .chain(crate::extra::ExtraProp::names())
    }
}

impl fmt::Display for SchemaAttr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

/// Where a mapping's value comes from (CTS-29).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MappingSource {
    /// Direct: the value of a source attribute.
    Attribute(SchemaAttr),
    /// Constant: a fixed string.
    Constant(String),
    /// None: the target attribute is left unmodified (its default value fills it when empty).
    None,
    /// Expression: computed by the expression language of attribute mappings
    /// ([`crate::expr`]) when a cycle writes the account; the result is stored on it.
    Expression(std::sync::Arc<crate::expr::Expr>),
}

/// `flowType`: when a mapping applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlowType {
    /// `Always`: on creation and on every update.
    Always,
    /// `ObjectAddOnly`: only when the account is created ("Only during object creation").
    ObjectAddOnly,
}

impl FlowType {
    /// The Graph value.
    pub fn graph_value(self) -> &'static str {
        match self {
            FlowType::Always => "Always",
            FlowType::ObjectAddOnly => "ObjectAddOnly",
        }
    }
}

/// One attribute mapping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttributeMapping {
    /// The target attribute.
    pub target: SchemaAttr,
    /// Where its value comes from.
    pub source: MappingSource,
    /// "Default value if null": written at creation when the source is null.
    pub default_value: Option<String>,
    /// When it applies.
    pub flow: FlowType,
    /// `matchingPriority`: above 0 for the matching attribute.
    pub matching_priority: u32,
}

impl AttributeMapping {
    /// A direct mapping of `name` to itself, applied always.
    fn direct(target: SchemaAttr) -> AttributeMapping {
        AttributeMapping {
            source: MappingSource::Attribute(target.clone()),
            target,
            default_value: None,
            flow: FlowType::Always,
            matching_priority: 0,
        }
    }
}

impl fmt::Display for AttributeMapping {
    /// The mapping in the portal's words, e.g. `Direct department -> department (Always)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            MappingSource::Attribute(s) => write!(f, "Direct {s} -> {}", self.target)?,
            MappingSource::Constant(c) => write!(f, "Constant {c:?} -> {}", self.target)?,
            MappingSource::None => write!(f, "None -> {}", self.target)?,
            MappingSource::Expression(e) => write!(f, "Expression {e} -> {}", self.target)?,
        }
        if let Some(d) = &self.default_value {
            write!(f, ", default value if null {d:?}")?;
        }
        write!(f, " ({})", self.flow.graph_value())
    }
}

/// Configurations created from this instant on get the `manager` mapping by default
/// ("created after January 2024", read as from 1 February 2024, 00:00 UTC).
pub const MANAGER_BY_DEFAULT_FROM: SimTime = SimTime(1_706_745_600);

/// The attribute mappings of one configuration's user rule, indexed for the cycle's hot path
/// (each account a cycle writes looks its mappings up).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schema {
    /// The mappings, in the order the schema lists them.
    mappings: Vec<AttributeMapping>,
    /// Whether an administrator has changed the mappings (a "custom schema").
    pub customized: bool,
    /// Per stored attribute, the index of its mapping in `mappings` (`NONE_IX`: unmapped).
    by_attr: [u8; crate::user::ATTR_COUNT],
    /// The index of the mapping of each of [`Schema::INDEXED`].
    by_special: [u8; 5],
    /// Whether some mapping of a stored attribute stores its result on the account at write
    /// time (an expression, or a default value for null).
    stores_attrs: bool,
    /// Whether some mapping writes a sparse property.
    writes_extras: bool,
    /// Whether the values an account holds itself (UPN, showInAddressList, accountEnabled)
    /// need evaluating at write time: an expression, or a UPN mapping other than the direct
    /// default.
    own_values_custom: bool,
}

const NONE_IX: u8 = u8::MAX;

impl Schema {
    /// The targets whose mapping a cycle looks up for every account it writes.
    const INDEXED: [SchemaAttr; 5] = [
        SchemaAttr::UserPrincipalName,
        SchemaAttr::AccountEnabled,
        SchemaAttr::ShowInAddressList,
        SchemaAttr::UserType,
        SchemaAttr::Manager,
    ];
}

/// Most mappings a schema holds (its index is a byte).
pub const MAPPINGS_MAX: usize = 250;

impl Schema {
    /// A schema of `mappings`.
    pub fn new(mappings: Vec<AttributeMapping>, customized: bool) -> Schema {
        let mut s = Schema {
            mappings,
            customized,
            by_attr: [NONE_IX; crate::user::ATTR_COUNT],
            by_special: [NONE_IX; 5],
            stores_attrs: false,
            writes_extras: false,
            own_values_custom: false,
        };
        s.reindex();
        s
    }

    fn reindex(&mut self) {
        self.mappings.truncate(MAPPINGS_MAX);
        self.by_attr = [NONE_IX; crate::user::ATTR_COUNT];
        self.by_special = [NONE_IX; 5];
        let is_expr = |m: &AttributeMapping| matches!(m.source, MappingSource::Expression(_));
        self.stores_attrs = false;
        self.writes_extras = false;
        self.own_values_custom = false;
        for (i, m) in self.mappings.iter().enumerate() {
            if let Some(k) = Schema::INDEXED.iter().position(|t| *t == m.target) {
                self.by_special[k] = i as u8;
            }
            match &m.target {
                SchemaAttr::Attr(a) => {
                    self.by_attr[*a as usize] = i as u8;
                    self.stores_attrs |= is_expr(m) || m.default_value.is_some();
                }
                SchemaAttr::Extra(_) => self.writes_extras = true,
                SchemaAttr::UserPrincipalName => {
                    self.own_values_custom |=
                        m.source != MappingSource::Attribute(SchemaAttr::UserPrincipalName)
                }
                SchemaAttr::ShowInAddressList | SchemaAttr::AccountEnabled => {
                    self.own_values_custom |= is_expr(m)
                }
                _ => {}
            }
        }
        if self.mapping(&SchemaAttr::UserPrincipalName).is_none() {
            self.own_values_custom = true;
        }
    }

    /// The mappings, in the order the schema lists them.
    pub fn mappings(&self) -> &[AttributeMapping] {
        &self.mappings
    }

    /// Adds `m`, or replaces the mapping of its target; marks the schema customized.
    pub fn set_mapping(&mut self, m: AttributeMapping) {
        match self.mappings.iter_mut().find(|x| x.target == m.target) {
            Some(x) => *x = m,
            None => self.mappings.push(m),
        }
        self.customized = true;
        self.reindex();
    }

    /// Deletes the mapping of `target`; marks the schema customized.
    pub fn remove_mapping(&mut self, target: &SchemaAttr) {
        self.mappings.retain(|x| x.target != *target);
        self.customized = true;
        self.reindex();
    }

    /// Whether some stored-attribute mapping stores its result at write time.
    pub fn stores_attrs(&self) -> bool {
        self.stores_attrs
    }

    /// Whether some mapping writes a sparse property.
    pub fn writes_extras(&self) -> bool {
        self.writes_extras
    }

    /// Whether the UPN, showInAddressList or accountEnabled mappings need evaluating at write
    /// time (the defaults derive them from the source when shown).
    pub fn own_values_custom(&self) -> bool {
        self.own_values_custom
    }

    /// The default mappings of a configuration created at `created` (see the module docs).
    pub fn default_for(created: SimTime) -> Schema {
        use Attr::*;
        let mut m = vec![AttributeMapping {
            target: SchemaAttr::AlternativeSecurityIds,
            source: MappingSource::Attribute(SchemaAttr::NetId),
            default_value: None,
            flow: FlowType::Always,
            matching_priority: 1,
        }];
        m.push(AttributeMapping::direct(SchemaAttr::IsSoftDeleted));
        m.push(AttributeMapping::direct(SchemaAttr::AccountEnabled));
        for a in [
            StreetAddress,
            City,
            State,
            PostalCode,
            Country,
            Department,
            EmployeeId,
            DisplayName,
            GivenName,
            JobTitle,
            MailNickname,
            OfficeLocation,
            PreferredLanguage,
            Surname,
            TelephoneNumber,
        ] {
            m.push(AttributeMapping::direct(SchemaAttr::Attr(a)));
        }
        m.push(AttributeMapping::direct(SchemaAttr::UserPrincipalName));
        m.push(AttributeMapping {
            target: SchemaAttr::ShowInAddressList,
            source: MappingSource::Constant("true".into()),
            default_value: None,
            flow: FlowType::Always,
            matching_priority: 0,
        });
        m.push(AttributeMapping {
            target: SchemaAttr::UserType,
            source: MappingSource::Constant("Member".into()),
            default_value: None,
            flow: FlowType::ObjectAddOnly,
            matching_priority: 0,
        });
        if created >= MANAGER_BY_DEFAULT_FROM {
            m.push(AttributeMapping::direct(SchemaAttr::Manager));
        }
        Schema::new(m, false)
    }

    /// The mapping that writes `target`, if any.
    pub fn mapping(&self, target: &SchemaAttr) -> Option<&AttributeMapping> {
        let ix = match target {
            SchemaAttr::Attr(a) => self.by_attr[*a as usize],
            SchemaAttr::UserPrincipalName => self.by_special[0],
            SchemaAttr::AccountEnabled => self.by_special[1],
            SchemaAttr::ShowInAddressList => self.by_special[2],
            SchemaAttr::UserType => self.by_special[3],
            SchemaAttr::Manager => self.by_special[4],
            _ => return self.mappings.iter().find(|m| &m.target == target),
        };
        (ix != NONE_IX).then(|| &self.mappings[ix as usize])
    }

    /// The mapping that writes stored attribute `a`, if any.
    #[inline]
    pub fn for_attr(&self, a: Attr) -> Option<&AttributeMapping> {
        match self.by_attr[a as usize] {
            NONE_IX => None,
            i => self.mappings.get(i as usize),
        }
    }

    /// Whether the schema maps `manager`.
    pub fn maps_manager(&self) -> bool {
        self.mapping(&SchemaAttr::Manager).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_maps_the_documented_properties_and_nothing_else() {
        let s = Schema::default_for(MANAGER_BY_DEFAULT_FROM);
        let names: Vec<String> = s.mappings().iter().map(|m| m.target.name().to_string()).collect();
        for want in [
            "accountEnabled",
            "alternativeSecurityIds",
            "city",
            "country",
            "department",
            "displayName",
            "employeeId",
            "givenName",
            "IsSoftDeleted",
            "jobTitle",
            "mailNickname",
            "physicalDeliveryOfficeName",
            "postalCode",
            "preferredLanguage",
            "showInAddressList",
            "state",
            "streetAddress",
            "surname",
            "telephoneNumber",
            "userPrincipalName",
            "userType",
            "manager",
        ] {
            assert!(names.iter().any(|n| n == want), "{want} is mapped");
        }
        assert_eq!(names.len(), 22);
        for not in [
            Attr::Mail,
            Attr::CompanyName,
            Attr::MobilePhone,
            Attr::UsageLocation,
            Attr::EmployeeType,
        ] {
            assert!(s.for_attr(not).is_none(), "{not:?} is not mapped");
        }
        let before = Schema::default_for(SimTime(MANAGER_BY_DEFAULT_FROM.0 - 1));
        assert!(!before.maps_manager() && s.maps_manager());
        let ut = s.mapping(&SchemaAttr::UserType).unwrap();
        assert_eq!(
            (ut.flow, &ut.source),
            (FlowType::ObjectAddOnly, &MappingSource::Constant("Member".into()))
        );
        assert_eq!(
            s.mapping(&SchemaAttr::AlternativeSecurityIds)
                .unwrap()
                .matching_priority,
            1
        );
    }

    #[test]
    fn schema_names_round_trip() {
        for n in SchemaAttr::names() {
            assert_eq!(SchemaAttr::parse(&n).unwrap().name(), n);
        }
        assert_eq!(
            SchemaAttr::parse("officeLocation"),
            Some(SchemaAttr::Attr(Attr::OfficeLocation))
        );
        assert_eq!(
            SchemaAttr::parse("mobile"),
            Some(SchemaAttr::Attr(Attr::MobilePhone))
        );
    }
}
