//! Changes a reader may ask for from the web: subscribe, unsubscribe, fetch now,
//! publish now. Each is a POST form that passes [`guard`] (Host and Origin checks,
//! a CSRF token from [`csrf`], and off loopback the configured token); addresses to
//! subscribe to are checked after DNS resolution ([`address`]), before anything is
//! queued or written. Inside the daemon, or while another process holds the vault,
//! a change is queued for the writer and answered with its status page
//! ([`queue`]); otherwise it is made here (fetch now: [`fetch_now`]).

pub mod address;
pub mod csrf;
pub mod fetch_now;
pub mod forms;
pub mod guard;
pub mod handlers;
pub mod queue;
