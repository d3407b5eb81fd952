//! The scenario contract's words for what the engine says in domain terms: a refusal's
//! sentence with its hints ("it could create one first") rendered as the steps and keys a
//! scenario author would write.

use std::fmt;

/// A refusal's sentence in scenario words.
pub struct Message<'a>(pub &'a mtosim_engine::Refusal);

impl fmt::Display for Message<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.message)
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
