//! Refusals and failures as values: a rule id, the Graph or provisioning error code where the
//! documentation gives one, and one sentence on what happened and what would have been allowed.

use crate::rules::RuleId;
use std::fmt;

/// Why an action was refused or an asynchronous operation failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The rule that decides it.
    pub rule: RuleId,
    /// The documented error code, if any (e.g. `Request_BadRequest`,
    /// `AzureActiveDirectoryCrossTenantSyncPolicyCheckFailure`).
    pub code: Option<&'static str>,
    /// One sentence: what was refused, and what would have been allowed.
    pub message: String,
    /// Other rules that also decide it (e.g. MTO-30 for a join failed by the tenant cap).
    pub also: Vec<RuleId>,
}

impl Refusal {
    /// A refusal without a documented error code.
    pub fn new(rule: RuleId, message: impl Into<String>) -> Refusal {
        Refusal {
            rule,
            code: None,
            message: message.into(),
            also: Vec::new(),
        }
    }
    /// A rule violation, answered with HTTP 400 `Request_BadRequest` (MTO-90's suggestion where
    /// no code is documented).
    pub fn bad_request(rule: RuleId, message: impl Into<String>) -> Refusal {
        Refusal::with_code(rule, "Request_BadRequest", message)
    }
    /// A caller-role violation, answered with HTTP 403 `Authorization_RequestDenied`
    /// (MTO-90's suggestion).
    pub fn forbidden(rule: RuleId, message: impl Into<String>) -> Refusal {
        Refusal::with_code(rule, "Authorization_RequestDenied", message)
    }
    /// A refusal with a documented error code.
    pub fn with_code(rule: RuleId, code: &'static str, message: impl Into<String>) -> Refusal {
        Refusal {
            rule,
            code: Some(code),
            message: message.into(),
            also: Vec::new(),
        }
    }
}

impl Refusal {
    /// Whether `rule` decides this refusal (its main rule or one of the others).
    pub fn cites(&self, rule: &str) -> bool {
        self.rule.0 == rule || self.also.iter().any(|r| r.0 == rule)
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] ", self.rule)?;
        if let Some(c) = self.code {
            write!(f, "{c}: ")?;
        }
        f.write_str(&self.message)
    }
}
