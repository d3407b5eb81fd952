//! # mtosim-engine
//!
//! The pure model behind `mtosim`: Microsoft Entra tenants, multitenant organizations (MTO)
//! and cross-tenant synchronization on a simulated clock.
//!
//! It must not: do file, network or terminal I/O, read the wall clock, draw randomness from
//! anything but the seed given to [`build::Builder::new`], serialize (no serde), or speak the
//! words of any surface (scenario verbs and keys, Graph requests): actions, events and
//! refusals carry data, and each surface renders them.
//!
//! It owns: the state and its transitions ([`World`]), what each tenant can read
//! ([`view`]), the building of worlds ([`build`]), the model invariants ([`invariants`]),
//! model checking ([`explore`]) and what-if counting ([`whatif`]).
//!
//! Architecture invariants (see `ARCHITECTURE.md`):
//! - every refusal is a [`Refusal`] value carrying a rule id;
//! - hot tables are keyed by compact indexes ([`ids`]), never by strings; synchronized
//!   accounts are small records whose UPNs are rendered on demand.
//!
//! ```
//! use mtosim_engine::build::Builder;
//! use mtosim_engine::mto::Role;
//! use mtosim_engine::tenant::TenantSpec;
//! use mtosim_engine::*;
//!
//! let mut b = Builder::new(RuleSet::new(RuleSetKind::Ga), 7, SimTime::DEFAULT_START, DelayMode::Max);
//! let spec = |name: &str| TenantSpec {
//!     name: name.into(),
//!     display_name: name.into(),
//!     tenant_id: Guid::derive(7, &[name.as_bytes()]),
//!     initial_domain: format!("{name}.onmicrosoft.com"),
//!     domains: vec![format!("{name}.com")],
//!     targeted_release: false,
//!     p1_licenses: None,
//!     object_quota: 300_000,
//!     csp_of: vec![],
//!     cloud: "commercial".into(),
//!     cloud_settings: Vec::new(),
//!     external_user_leave: true,
//!     m365_sync_manual: false,
//!     guest_invites_allowed: true,
//! };
//! let contoso = b.add_tenant(spec("contoso")).unwrap();
//! let fabrikam = b.add_tenant(spec("fabrikam")).unwrap();
//! let mut world = b.finish();
//! let create = Action::CreateMto { display_name: "Contoso Group".into(), description: String::new(), via: Via::Graph };
//! world.apply(contoso, create).unwrap();
//! world.apply(contoso, Action::AddTenant { target: fabrikam, role: Role::Member, via: Via::Graph }).unwrap();
//! world.apply(fabrikam, Action::Join { added_by: contoso, via: Via::Graph }).unwrap();
//! world.settle(Duration::days(1)).unwrap(); // joins complete within 2 h under GA (MTO-27)
//! assert_eq!(world.mto_view(fabrikam).active_tenants, 2);
//!
//! // The only owner cannot leave while another tenant is active (MTO-37).
//! let refusal = world.apply(contoso, Action::RemoveTenant { target: contoso }).unwrap_err();
//! assert_eq!(refusal.rule.0, "MTO-37");
//! ```

pub mod account;
pub mod action;
pub mod build;
pub mod catalog;
pub mod directory;
pub mod doctor;
pub mod event;
pub mod explore;
pub mod expr;
pub mod extra;
pub mod gen;
pub mod groupsync;
pub mod hash;
pub mod ids;
pub mod invariants;
pub mod limits;
pub mod membership;
pub mod mto;
pub mod par;
pub mod provlog;
pub mod refusal;
pub mod roles;
pub mod rules;
pub mod schema;
pub mod scoping;
pub mod state;
pub mod strings;
pub mod sync;
pub mod tenant;
pub mod time;
pub mod user;
pub mod view;
pub mod vocab;
pub mod whatif;
pub mod world;
pub mod xtap;

pub use action::{Action, ActionKind};
pub use ids::{ConfigIdx, GroupIdx, Guid, MtoIdx, OpId, TenantIdx, UserIdx};
pub use refusal::Refusal;
pub use rules::{RuleId, RuleSet, RuleSetKind};
pub use time::{Duration, SimTime};
pub use world::{DelayMode, Via, World};
