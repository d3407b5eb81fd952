//! OData's envelope: the `@odata.context` of each response and collections of `value`.

use mtosim_engine::{RuleSetKind, World};
use serde::Serialize;

/// The metadata URL every `@odata.context` starts with: v1.0 under GA, beta for the 2023
/// preview (whose MTO resources were beta only).
pub fn base(world: &World) -> &'static str {
    match world.rules().kind {
        RuleSetKind::Ga => "https://graph.microsoft.com/v1.0/$metadata#",
        RuleSetKind::Preview2023 => "https://graph.microsoft.com/beta/$metadata#",
    }
}

/// `@odata.context` for `path` (e.g. `users`).
pub fn context(world: &World, path: &str) -> String {
    format!("{}{path}", base(world))
}

/// A collection response.
#[derive(Clone, Debug, Serialize)]
pub struct Collection<T> {
    /// `@odata.context`.
    #[serde(rename = "@odata.context")]
    pub context: String,
    /// `value`.
    pub value: Vec<T>,
}
