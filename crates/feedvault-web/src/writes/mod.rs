//! Changes a reader may ask for from the web: subscribe, unsubscribe, fetch now.
//! Each is a POST form that passes [`guard`] (Host and Origin checks, a CSRF token
//! from [`csrf`], and off loopback the configured token); addresses to subscribe to
//! are checked after DNS resolution ([`address`]). "Fetch now" signals the daemon
//! when the server runs inside it, else fetches here ([`fetch_now`]).

pub mod address;
pub mod csrf;
pub mod fetch_now;
pub mod forms;
pub mod guard;
pub mod handlers;
