//! # mtosim-engine
//!
//! The pure model behind `mtosim`: Microsoft Entra tenants, multitenant organizations (MTO)
//! and cross-tenant synchronization on a simulated clock.
//!
//! Architecture invariants (see `ARCHITECTURE.md`):
//! - no file, network or terminal I/O; no wall clock; randomness only from the seed given to
//!   [`World::new`];
//! - every refusal is a [`Refusal`] value carrying a rule id;
//! - hot tables are keyed by compact indexes ([`ids`]), never by strings; synchronized
//!   accounts are small records whose UPNs are rendered on demand.

pub mod directory;
pub mod event;
pub mod gen;
pub mod hash;
pub mod ids;
pub mod limits;
pub mod mto;
pub mod refusal;
pub mod rules;
pub mod strings;
pub mod sync;
pub mod tenant;
pub mod time;
pub mod world;
pub mod xtap;

pub use ids::{ConfigIdx, GroupIdx, Guid, MtoIdx, OpId, TenantIdx, UserIdx};
pub use refusal::Refusal;
pub use rules::{RuleId, RuleSet, RuleSetKind};
pub use time::{Duration, SimTime};
pub use world::{Action, DelayMode, Via, World};
