//! Request bodies of the directory endpoints (users, groups, members, invitations) read into
//! engine actions, each problem with its JSON path.
