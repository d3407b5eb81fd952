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

/// A collection response whose values are produced while it is serialized, one at a time, so
/// that a large one (a tenant's users) streams to a writer instead of being built in memory.
/// It serializes exactly as a [`Collection`] of the same values.
pub struct Streamed<F> {
    /// `@odata.context`.
    pub context: String,
    /// Makes the iterator of the values (called once per serialization).
    pub values: F,
}

impl<F, I> Serialize for Streamed<F>
where
    F: Fn() -> I,
    I: Iterator,
    I::Item: Serialize,
{
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        struct Values<'a, F>(&'a F);
        impl<F, I> Serialize for Values<'_, F>
        where
            F: Fn() -> I,
            I: Iterator,
            I::Item: Serialize,
        {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq((self.0)())
            }
        }
        let mut m = s.serialize_struct("Collection", 2)?;
        m.serialize_field("@odata.context", &self.context)?;
        m.serialize_field("value", &Values(&self.values))?;
        m.end()
    }
}
