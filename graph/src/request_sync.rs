//! Request bodies of the cross-tenant synchronization endpoints (instantiate, synchronization
//! jobs, schema, secrets, app role assignments) read into engine actions, each problem with its
//! JSON path.
