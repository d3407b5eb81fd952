//! Request bodies of the cross-tenant access policy endpoints (default, partners, identity
//! synchronization, MTO templates) read into engine actions, each problem with its JSON path.
