//! CSRF tokens: an HMAC-SHA256 of the action's name (`add`, `remove:<feed>`, `fetch`,
//! `publish`) under a key drawn at random
//! when the process starts, so a token is valid for one action, on this server,
//! until it restarts; a page on another origin cannot read it.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The process's CSRF key.
pub struct Csrf {
    key: [u8; 32],
}

impl Default for Csrf {
    fn default() -> Self {
        Csrf::new()
    }
}

impl Csrf {
    pub fn new() -> Csrf {
        let mut key = [0u8; 32];
        // Without an OS random source the server still runs, but every token check
        // then fails (no key is better than a guessable one).
        if getrandom::fill(&mut key).is_err() {
            tracing::error!("no random source: changes from the web are refused");
        }
        Csrf { key }
    }

    fn mac(&self, action: &str) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(action.as_bytes());
        mac
    }

    /// The token for `action`, as hex.
    pub fn token(&self, action: &str) -> String {
        self.mac(action).finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Whether `token` is `action`'s (compared in constant time).
    pub fn verify(&self, action: &str, token: &str) -> bool {
        if self.key == [0u8; 32] {
            return false;
        }
        let Some(bytes) = hex(token) else { return false };
        self.mac(action).verify_slice(&bytes).is_ok()
    }
}

fn hex(text: &str) -> Option<Vec<u8>> {
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::Csrf;

    #[test]
    fn tokens_are_per_action_and_per_key() {
        let csrf = Csrf::new();
        let token = csrf.token("add");
        assert!(csrf.verify("add", &token));
        assert!(!csrf.verify("remove", &token));
        assert!(!Csrf::new().verify("add", &token));
        for bad in ["", "zz", &token[..63], "é".repeat(32).as_str()] {
            assert!(!csrf.verify("add", bad), "{bad:?}");
        }
    }
}
