//! Why a request failed, as a status and a message: bad input is 400 or 404, never
//! 500; an engine failure is logged (without the query) and shown as 500.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use feedvault_engine::EngineError;

use crate::context::Ctx;

/// A request that could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Internal(String),
}

impl WebError {
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::Forbidden(_) => StatusCode::FORBIDDEN,
            WebError::Conflict(_) => StatusCode::CONFLICT,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The error as an HTML page in the reader's language.
    pub fn page(&self, ctx: &Ctx) -> Response {
        let status = self.status();
        let message = match self {
            WebError::NotFound => ctx.t.not_found.to_owned(),
            other => other.to_string(),
        };
        let body = maud::html! {
            h1 { (status.as_u16()) " " (status.canonical_reason().unwrap_or("")) }
            p { (message) }
            p { a href="/" { (ctx.t.home) } }
        };
        crate::layout::page(ctx, &status.to_string(), None, body).status(status).into_response()
    }
}

impl From<EngineError> for WebError {
    fn from(err: EngineError) -> Self {
        match err {
            EngineError::Usage(message) => WebError::BadRequest(message),
            EngineError::Search(feedvault_search::SearchError::Query(err)) => WebError::BadRequest(err.to_string()),
            other => {
                tracing::error!("engine: {other}");
                WebError::Internal("the vault could not be read".into())
            }
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let status = self.status();
        (status, [(axum::http::header::CONTENT_TYPE, "text/plain; charset=utf-8")], format!("{self}\n")).into_response()
    }
}
