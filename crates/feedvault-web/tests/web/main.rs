//! HTTP tests of the web server: every route (status, content type, key content),
//! hostile archived input, feeds out parsed back, the API against its OpenAPI
//! document, and the guards on changes. Most drive the router directly
//! (`tower::ServiceExt::oneshot`); `real_http` runs it on a port-0 listener.

mod api;
mod captures;
mod feeds_out;
mod hostile;
mod images;
mod pages;
mod real_http;
mod removed;
mod support;
mod writes;
