//! What a page needs to know about the request: the reader's language, the URL it
//! asked for (for the language switch and the search box), and the base URL that
//! feeds out make their links absolute with.

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};

use crate::i18n::{Lang, Strings};

/// The request as pages see it.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub lang: Lang,
    pub t: &'static Strings,
    /// The path as asked (percent-encoded, as received).
    pub path: String,
    /// The query's pairs, decoded.
    pub query: Vec<(String, String)>,
    /// `http://host` as the request named it, for absolute links in feeds out.
    pub base: String,
    /// Set when the page is rendered for the static mirror ([`Mirror`]): no search
    /// box, no language switch, no forms.
    pub mirror: bool,
}

/// A request extension the static mirror's crawler sets (`crate::site`); a request
/// from the network never carries one. `base` is the mirror's public address, for
/// the absolute links of feeds out.
#[derive(Clone, Debug)]
pub struct Mirror {
    pub base: Option<String>,
}

impl Ctx {
    /// The value of query parameter `name`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// This URL with `lang` set to `lang` (the switch is a plain link).
    pub fn with_lang(&self, lang: Lang) -> String {
        let mut pairs: Vec<(&str, &str)> =
            self.query.iter().filter(|(k, _)| k != "lang").map(|(k, v)| (k.as_str(), v.as_str())).collect();
        pairs.push(("lang", lang.param()));
        format!("{}?{}", self.path, encode_query(&pairs))
    }

    pub fn from_parts(parts: &Parts) -> Ctx {
        let query: Vec<(String, String)> =
            url::form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes()).into_owned().collect();
        let lang = Lang::negotiate(
            query.iter().find(|(k, _)| k == "lang").map(|(_, v)| v.as_str()),
            cookie(&parts.headers, "lang").as_deref(),
            parts.headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()),
        );
        let host = parts
            .headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .filter(|h| h.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | ':' | '-' | '[' | ']')))
            .unwrap_or("localhost");
        let mirror = parts.extensions.get::<Mirror>();
        let base = match mirror.and_then(|m| m.base.clone()) {
            Some(base) => base,
            None => format!("http://{host}"),
        };
        Ctx { lang, t: lang.strings(), path: parts.uri.path().to_owned(), query, base, mirror: mirror.is_some() }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Ctx::from_parts(parts))
    }
}

/// A cookie's value from the request's `Cookie` headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// `a=1&b=2`, form-encoded.
pub fn encode_query(pairs: &[(&str, &str)]) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        out.append_pair(k, v);
    }
    out.finish()
}
