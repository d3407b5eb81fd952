//! Provisioning scoping filters (placeholder; being written).
