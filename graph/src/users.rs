//! `user`: each tenant's own users and the accounts standing for other tenants' users
//! (synchronized or invited), with `creationType`, `externalUserState` and `identities`
//! (CTS-38, CTS-74).

use crate::odata::{context, Collection};
use mtosim_engine::directory::Attr;
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
    /// The stored telephone number.
    pub telephone_number: Option<String>,
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
        User {
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
            telephone_number: a(Attr::TelephoneNumber),
            mobile_phone: a(Attr::MobilePhone),
            preferred_language: a(Attr::PreferredLanguage),
            user_type: u.user_type.as_str(),
            account_enabled: u.account_enabled,
            created_date_time: u.created.to_string(),
            creation_type,
            external_user_state,
            show_in_address_list: show,
            identities: vec![identity],
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
