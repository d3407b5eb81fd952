//! `user`: each tenant's own users and the accounts standing for other tenants' users
//! (synchronized or invited), with `creationType`, `externalUserState` and `identities`
//! (CTS-38, CTS-74).

use crate::odata::{context, Collection};
use mtosim_engine::directory::Attr;
use mtosim_engine::extra::ExtraProp;
use mtosim_engine::view::{UserObject, UserOrigin};
use mtosim_engine::{TenantIdx, World};
use serde::Serialize;

/// `objectIdentity`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectIdentity {
    /// `signInType`: `userPrincipalName` or `federated`.
    pub sign_in_type: &'static str,
    /// `issuer`.
    pub issuer: String,
    /// `issuerAssignedId`.
    pub issuer_assigned_id: Option<String>,
}

/// `user`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// `id`.
    pub id: String,
    /// `userPrincipalName`.
    pub user_principal_name: String,
    /// `givenName`.
    pub given_name: Option<String>,
    /// `surname`.
    pub surname: Option<String>,
    /// `displayName`.
    pub display_name: Option<String>,
    /// `mail`.
    pub mail: Option<String>,
    /// `mailNickname`.
    pub mail_nickname: Option<String>,
    /// `department`.
    pub department: Option<String>,
    /// `jobTitle`.
    pub job_title: Option<String>,
    /// `companyName`.
    pub company_name: Option<String>,
    /// `country`.
    pub country: Option<String>,
    /// `city`.
    pub city: Option<String>,
    /// `state`.
    pub state: Option<String>,
    /// `streetAddress`.
    pub street_address: Option<String>,
    /// `postalCode`.
    pub postal_code: Option<String>,
    /// `usageLocation`.
    pub usage_location: Option<String>,
    /// `officeLocation`.
    pub office_location: Option<String>,
    /// `employeeId`.
    pub employee_id: Option<String>,
    /// `employeeType`.
    pub employee_type: Option<String>,
    /// `businessPhones`: the directory's telephoneNumber, as Graph names it (a collection with
    /// at most one value for users).
    pub business_phones: Vec<String>,
    /// `mobilePhone`.
    pub mobile_phone: Option<String>,
    /// `preferredLanguage`.
    pub preferred_language: Option<String>,
    /// `userType`: `Member` or `Guest`.
    pub user_type: &'static str,
    /// `accountEnabled`.
    pub account_enabled: bool,
    /// `createdDateTime`.
    pub created_date_time: String,
    /// `creationType`: `Invitation` for accounts of other tenants' users.
    pub creation_type: Option<&'static str>,
    /// `externalUserState`: `PendingAcceptance` or `Accepted`.
    pub external_user_state: Option<&'static str>,
    /// `showInAddressList`.
    pub show_in_address_list: Option<bool>,
    /// `identities`.
    pub identities: Vec<ObjectIdentity>,
    /// `faxNumber` (`facsimileTelephoneNumber` in rules).
    pub fax_number: Option<String>,
    /// `employeeHireDate`.
    pub employee_hire_date: Option<String>,
    /// `onPremisesDistinguishedName`.
    pub on_premises_distinguished_name: Option<String>,
    /// `onPremisesSecurityIdentifier`.
    pub on_premises_security_identifier: Option<String>,
    /// `onPremisesSyncEnabled` (`dirSyncEnabled` in rules).
    pub on_premises_sync_enabled: Option<bool>,
    /// `passwordPolicies`.
    pub password_policies: Option<String>,
    /// `otherMails`.
    pub other_mails: Vec<String>,
    /// `proxyAddresses`.
    pub proxy_addresses: Vec<String>,
    /// `onPremisesExtensionAttributes` (omitted when all fifteen are null).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_premises_extension_attributes: Option<serde_json::Map<String, serde_json::Value>>,
    /// Directory extensions, `extension_<appId>_<name>`, as top-level properties.
    #[serde(flatten)]
    pub extensions: std::collections::BTreeMap<String, String>,
    /// `manager`, as `$expand=manager` shows it (omitted when there is none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manager: Option<ManagerRef>,
}

/// The `manager` navigation property, expanded: a `directoryObject` (here always a user).
#[derive(Clone, Debug, Serialize)]
pub struct ManagerRef {
    /// `@odata.type`.
    #[serde(rename = "@odata.type")]
    pub odata_type: &'static str,
    /// `id`.
    pub id: String,
    /// `userPrincipalName`.
    #[serde(rename = "userPrincipalName")]
    pub user_principal_name: String,
}

impl User {
    /// The user object `u` of tenant `t`.
    pub fn of(world: &World, t: TenantIdx, u: &UserObject<'_>) -> User {
        let a = |x: Attr| u.attr(x).map(str::to_string);
        let domain = &world.tenant(t).spec.initial_domain;
        let (creation_type, external_user_state, show, identity) = match u.origin {
            UserOrigin::Internal => (
                None,
                None,
                None,
                ObjectIdentity {
                    sign_in_type: "userPrincipalName",
                    issuer: domain.clone(),
                    issuer_assigned_id: Some(u.upn.clone()),
                },
            ),
            UserOrigin::ImportedExternal | UserOrigin::Account { .. } => {
                let (issuer, pending) = match u.origin {
                    UserOrigin::Account {
                        home,
                        pending_acceptance,
                    } => (world.tenant(home).spec.initial_domain.clone(), pending_acceptance),
                    _ => ("ExternalAzureAD".to_string(), false),
                };
                (
                    Some("Invitation"),
                    Some(if pending { "PendingAcceptance" } else { "Accepted" }),
                    match u.origin {
                        UserOrigin::Account { .. } => u.show_in_address_list,
                        _ => Some(true),
                    },
                    ObjectIdentity {
                        sign_in_type: "federated",
                        issuer,
                        issuer_assigned_id: None,
                    },
                )
            }
        };
        let extras = u.extras();
        let one = |p: ExtraProp| {
            extras
                .iter()
                .find(|(x, _)| **x == p)
                .and_then(|(_, v)| v.first().map(|s| s.to_string()))
        };
        let many = |p: ExtraProp| {
            extras
                .iter()
                .find(|(x, _)| **x == p)
                .map_or_else(Vec::new, |(_, v)| v.iter().map(|s| s.to_string()).collect())
        };
        // in Graph's order, extensionAttribute1 to extensionAttribute15
        let ext_attrs: serde_json::Map<String, serde_json::Value> = (1..=15u8)
            .map(|n| {
                let v = one(ExtraProp::ExtensionAttribute(n))
                    .map_or(serde_json::Value::Null, serde_json::Value::String);
                (format!("extensionAttribute{n}"), v)
            })
            .collect();
        User {
            fax_number: one(ExtraProp::FacsimileTelephoneNumber),
            employee_hire_date: one(ExtraProp::EmployeeHireDate),
            on_premises_distinguished_name: one(ExtraProp::OnPremisesDistinguishedName),
            on_premises_security_identifier: one(ExtraProp::OnPremisesSecurityIdentifier),
            on_premises_sync_enabled: one(ExtraProp::DirSyncEnabled).map(|v| v.eq_ignore_ascii_case("true")),
            password_policies: one(ExtraProp::PasswordPolicies),
            other_mails: many(ExtraProp::OtherMails),
            proxy_addresses: many(ExtraProp::ProxyAddresses),
            on_premises_extension_attributes: ext_attrs.values().any(|v| !v.is_null()).then_some(ext_attrs),
            extensions: extras
                .iter()
                .filter(|(p, _)| matches!(p, ExtraProp::Extension(_)))
                .filter_map(|(p, v)| Some((p.name(), v.first()?.to_string())))
                .collect(),
            id: u.id.to_string(),
            user_principal_name: u.upn.clone(),
            given_name: a(Attr::GivenName),
            surname: a(Attr::Surname),
            display_name: a(Attr::DisplayName),
            mail: a(Attr::Mail),
            mail_nickname: a(Attr::MailNickname),
            department: a(Attr::Department),
            job_title: a(Attr::JobTitle),
            company_name: a(Attr::CompanyName),
            country: a(Attr::Country),
            city: a(Attr::City),
            state: a(Attr::State),
            street_address: a(Attr::StreetAddress),
            postal_code: a(Attr::PostalCode),
            usage_location: a(Attr::UsageLocation),
            office_location: a(Attr::OfficeLocation),
            employee_id: a(Attr::EmployeeId),
            employee_type: a(Attr::EmployeeType),
            business_phones: a(Attr::TelephoneNumber).into_iter().collect(),
            mobile_phone: a(Attr::MobilePhone),
            preferred_language: a(Attr::PreferredLanguage),
            user_type: u.user_type.as_str(),
            account_enabled: u.account_enabled,
            created_date_time: u.created.to_string(),
            creation_type,
            external_user_state,
            show_in_address_list: show,
            identities: vec![identity],
            manager: u.manager.as_ref().map(|(id, upn)| ManagerRef {
                odata_type: "#microsoft.graph.user",
                id: id.to_string(),
                user_principal_name: upn.clone(),
            }),
        }
    }
}

/// `GET /users` as tenant `t` sees them.
pub fn users(world: &World, t: TenantIdx) -> Collection<User> {
    Collection {
        context: context(world, "users"),
        value: world.view(t).users().map(|u| User::of(world, t, &u)).collect(),
    }
}
