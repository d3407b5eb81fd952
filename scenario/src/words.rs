//! The scenario contract's words for what the engine says in domain terms: a refusal's hints
//! (the action, setting or admin surface that would have allowed it) named as the verbs and
//! keys a scenario author writes.

use mtosim_engine::action::Via;
use mtosim_engine::refusal::{Hint, Setting};
use mtosim_engine::state::{SyncWait, Waiting};
use std::fmt;

/// A hint in scenario words: a verb, a key with its value, or a `via`.
pub fn hint(h: &Hint) -> String {
    match h {
        Hint::Action(a) => crate::verbs::of(*a).to_string(),
        Hint::Setting(s) => match s {
            Setting::TargetedRelease => "targeted_release = true",
            Setting::GuestInvitesEveryone => "guest_invites = \"everyone\"",
            Setting::B2bInboundAllowed => "b2b_inbound = \"allowed\"",
            Setting::AutoRedeemOutbound => "auto_redeem_outbound = true",
            Setting::SyncAndRedeemInbound => "sync_inbound = true and auto_redeem_inbound = true",
            Setting::ScopeAll => "scope = \"all\"",
            Setting::ScopeAssigned => "scope = \"assigned\"",
            Setting::GroupSyncInbound => "group_sync_inbound = true",
            Setting::ExternalUserLeave => "external_user_leave = true",
        }
        .to_string(),
        Hint::Surface(Via::Graph) => "via = \"graph\"".to_string(),
        Hint::Surface(Via::M365) => "via = \"m365\"".to_string(),
    }
}

/// What keeps the world from settling, in a phrase.
pub fn waiting(w: &mtosim_engine::World, p: &Waiting) -> String {
    match *p {
        Waiting::Join(t) => format!("{}'s join request", w.name(t)),
        Waiting::Removal(t) => format!("the removal of {}", w.name(t)),
        Waiting::Sync(c, why) => {
            let c = w.config(c);
            let why = match why {
                SyncWait::CycleRunning => "a cycle is still running",
                SyncWait::InitialNotRun => "its initial cycle has not run",
                SyncWait::StillChanging => "its last cycle still changed accounts or changes are unread",
            };
            format!(
                "sync {} ({} to {}): {why}",
                c.name,
                w.name(c.source),
                w.name(c.target)
            )
        }
    }
}

/// What a settled world still holds back, one phrase per live configuration with objects
/// escrowed for retry (CTS-55) or deletions held by the threshold (CTS-51): settling waits for
/// neither (they change nothing until a later cycle or `allow-deletes`).
pub fn held_back(w: &mtosim_engine::World) -> Vec<String> {
    let mut out = Vec::new();
    for c in w.configs().iter().filter(|c| !c.deleted) {
        let (failing, held) = (c.job.escrows.len(), c.job.staged.len());
        if failing == 0 && held == 0 {
            continue;
        }
        let mut parts = Vec::new();
        if failing > 0 {
            parts.push(format!(
                "{failing} object{} failing, escrowed for retry at the next cycle",
                if failing == 1 { "" } else { "s" },
            ));
        }
        if held > 0 {
            parts.push(format!(
                "{held} deletion{} held until allow-deletes",
                if held == 1 { "" } else { "s" }
            ));
        }
        out.push(format!(
            "sync {} ({} to {}): {}",
            c.name,
            w.name(c.source),
            w.name(c.target),
            parts.join(", ")
        ));
    }
    out
}

/// A refusal's sentence in scenario words.
pub struct Message<'a>(pub &'a mtosim_engine::Refusal);

impl fmt::Display for Message<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.message.render(hint))
    }
}

/// A refusal as `[RULE] CODE: sentence`, in scenario words.
pub struct Refusal<'a>(pub &'a mtosim_engine::Refusal);

impl fmt::Display for Refusal<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] ", self.0.rule)?;
        if let Some(c) = self.0.code {
            write!(f, "{c}: ")?;
        }
        Message(self.0).fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mtosim_engine::ActionKind;

    #[test]
    fn every_hint_has_scenario_words() {
        let verbs: Vec<&str> = crate::verbs::VERBS.iter().map(|v| v.name).collect();
        for a in mtosim_engine::action::ActionKind::ALL {
            assert!(verbs.contains(&hint(&Hint::Action(*a)).as_str()), "{a:?}");
        }
        assert_eq!(hint(&Hint::Action(ActionKind::CreateMto)), "create-mto");
        assert_eq!(hint(&Hint::Surface(Via::Graph)), "via = \"graph\"");
    }
}
