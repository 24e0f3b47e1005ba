//! Git publishing: one commit of what changed, pushed to every remote.
