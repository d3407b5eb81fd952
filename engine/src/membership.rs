//! Entra dynamic membership rules (placeholder; being written).
