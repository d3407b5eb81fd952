//! Refusals and failures as values: a rule id, the Graph or provisioning error code where the
//! documentation gives one, and one sentence on what happened and what would have been allowed.
//!
//! The sentence is a [`Message`]: text in the domain's words, with [`Hint`]s where it names
//! what would have been allowed (an action, a setting, another admin surface). Each surface
//! renders hints in its own words ([`Message::render`]): a scenario names its verbs and keys, a
//! Graph client its requests and properties.

use crate::rules::RuleId;
use crate::vocab::{ActionKind, Via};
use std::fmt;

/// A setting that would have allowed what was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Setting {
    /// The tenant is on Targeted release (MTO-49).
    TargetedRelease,
    /// Everyone in the tenant may invite guests (CTS-9).
    GuestInvitesEveryone,
    /// B2B collaboration inbound is allowed for the partner (XTAP-17).
    B2bInboundAllowed,
    /// Automatic redemption outbound is on in the source's partner configuration (CTS-5).
    AutoRedeemOutbound,
    /// User sync inbound and automatic redemption inbound are on in the target's partner
    /// configuration (CTS-5).
    SyncAndRedeemInbound,
    /// The configuration syncs all users and groups (CTS-14).
    ScopeAll,
    /// The configuration syncs only assigned users and groups (CTS-64).
    ScopeAssigned,
    /// The target's identity sync policy allows group sync inbound (XTAP-11).
    GroupSyncInbound,
    /// The tenant lets external users leave (CTS-49).
    ExternalUserLeave,
}

/// What would have been allowed, as data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hint {
    /// An action that would have been needed first, or would do it.
    Action(ActionKind),
    /// A setting that would have allowed it.
    Setting(Setting),
    /// Another admin surface through which it would have been allowed.
    Surface(Via),
}

/// One part of a [`Message`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    /// Text in the domain's words.
    Text(String),
    /// Something a surface names in its own words.
    Hint(Hint),
}

impl From<&str> for Part {
    fn from(s: &str) -> Part {
        Part::Text(s.to_string())
    }
}

impl From<String> for Part {
    fn from(s: String) -> Part {
        Part::Text(s)
    }
}

impl From<Hint> for Part {
    fn from(h: Hint) -> Part {
        Part::Hint(h)
    }
}

impl From<ActionKind> for Part {
    fn from(a: ActionKind) -> Part {
        Part::Hint(Hint::Action(a))
    }
}

impl From<Setting> for Part {
    fn from(s: Setting) -> Part {
        Part::Hint(Hint::Setting(s))
    }
}

impl From<Via> for Part {
    fn from(v: Via) -> Part {
        Part::Hint(Hint::Surface(v))
    }
}

/// A sentence of text and hints.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Message(pub Vec<Part>);

/// A [`Message`] from parts: `msg!["text ", ActionKind::CreateMto, " more text"]`.
#[macro_export]
macro_rules! msg {
    ($($part:expr),* $(,)?) => {
        $crate::refusal::Message(vec![$($crate::refusal::Part::from($part)),*])
    };
}

impl From<&str> for Message {
    fn from(s: &str) -> Message {
        Message(vec![Part::from(s)])
    }
}

impl From<String> for Message {
    fn from(s: String) -> Message {
        Message(vec![Part::from(s)])
    }
}

impl Message {
    /// The sentence with each hint named by `name`.
    pub fn render(&self, name: impl Fn(&Hint) -> String) -> String {
        let mut s = String::new();
        for p in &self.0 {
            match p {
                Part::Text(t) => s.push_str(t),
                Part::Hint(h) => s.push_str(&name(h)),
            }
        }
        s
    }

    /// Whether the sentence, with hints in the domain's words, contains `needle`.
    pub fn contains(&self, needle: &str) -> bool {
        self.to_string().contains(needle)
    }

    /// This message followed by `more`.
    pub fn then(mut self, more: Message) -> Message {
        self.0.extend(more.0);
        self
    }
}

/// The sentence with hints in the domain's own words (for logs and tests; surfaces render
/// their own).
impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(|h| h.to_string()))
    }
}

impl fmt::Display for Hint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Hint::Action(a) => write!(f, "{a:?}"),
            Hint::Setting(s) => write!(f, "{s:?}"),
            Hint::Surface(Via::Graph) => f.write_str("Graph"),
            Hint::Surface(Via::M365) => f.write_str("the Microsoft 365 admin center"),
        }
    }
}

/// Why an action was refused or an asynchronous operation failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The rule that decides it.
    pub rule: RuleId,
    /// The documented error code, if any (e.g. `Request_BadRequest`,
    /// `AzureActiveDirectoryCrossTenantSyncPolicyCheckFailure`).
    pub code: Option<&'static str>,
    /// One sentence: what was refused, and what would have been allowed.
    pub message: Message,
    /// Other rules that also decide it (e.g. MTO-30 for a join failed by the tenant cap).
    pub also: Vec<RuleId>,
}

impl Refusal {
    /// A refusal without a documented error code.
    pub fn new(rule: RuleId, message: impl Into<Message>) -> Refusal {
        Refusal {
            rule,
            code: None,
            message: message.into(),
            also: Vec::new(),
        }
    }
    /// A rule violation, answered with HTTP 400 `Request_BadRequest` (MTO-90's suggestion where
    /// no code is documented).
    pub fn bad_request(rule: RuleId, message: impl Into<Message>) -> Refusal {
        Refusal::with_code(rule, "Request_BadRequest", message)
    }
    /// A caller-role violation, answered with HTTP 403 `Authorization_RequestDenied`
    /// (MTO-90's suggestion).
    pub fn forbidden(rule: RuleId, message: impl Into<Message>) -> Refusal {
        Refusal::with_code(rule, "Authorization_RequestDenied", message)
    }
    /// A refusal with a documented error code.
    pub fn with_code(rule: RuleId, code: &'static str, message: impl Into<Message>) -> Refusal {
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
        self.message.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_render_in_each_surfaces_words() {
        let m = msg![
            "it could create one first (",
            ActionKind::CreateMto,
            ") or join one."
        ];
        let scenario = m.render(|h| match h {
            Hint::Action(ActionKind::CreateMto) => "create-mto".into(),
            other => other.to_string(),
        });
        assert_eq!(scenario, "it could create one first (create-mto) or join one.");
        assert_eq!(
            m.to_string(),
            "it could create one first (CreateMto) or join one."
        );
        assert!(m.contains("create one first"));
        let more = Message::from("a").then(msg![" b"]);
        assert_eq!(more.to_string(), "a b");
    }
}
