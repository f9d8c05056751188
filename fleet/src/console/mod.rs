//! The console for IT staff: sign-in, the fleet at a glance, alerts, one kiosk's page with
//! its history and commands, content and settings rollout, enrolment codes, needs
//! statistics, users. Admins act; viewers only read. Every form that changes something
//! carries the session's CSRF token, and the session cookie is `SameSite=Strict`.

use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::Markup;

use crate::Fleet;
use crate::auth::Session;

mod charts;
mod enrolment;
mod kiosk;
mod layout;
mod login;
mod names;
mod overview;
mod rollout;
mod stats;
mod users;

use crate::words;

pub use layout::page;

const COOKIE: &str = "guichet_session";

pub fn routes() -> Router<Arc<Fleet>> {
    Router::new()
        .route("/", get(overview::overview))
        .route("/alerts", get(overview::alerts))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/kiosks/{id}", get(kiosk::page))
        .route("/kiosks/{id}/command", post(kiosk::command))
        .route("/kiosks/{id}/edit", post(kiosk::edit))
        .route("/rollout", get(rollout::page))
        .route("/rollout/bundles", post(rollout::upload).layer(axum::extract::DefaultBodyLimit::max(20 << 20)))
        .route("/rollout/content", post(rollout::content))
        .route("/rollout/settings", post(rollout::settings))
        .route("/enrolment", get(enrolment::page).post(enrolment::create))
        .route("/stats", get(stats::page))
        .route("/stats.csv", get(stats::csv))
        .route("/users", get(users::page).post(users::create))
}

/// The signed-in user of this request, if any.
fn session(fleet: &Fleet, headers: &HeaderMap) -> Option<(String, Session)> {
    let cookies = headers.get(header::COOKIE)?.to_str().ok()?;
    let id = cookies.split(';').find_map(|c| c.trim().strip_prefix(&format!("{COOKIE}=")))?;
    fleet.sessions.get(id, fleet.now()).map(|s| (id.to_owned(), s))
}

/// Whether the browser reached us over HTTPS: our own TLS, or a proxy in front that says
/// so (`--plain-http` behind it).
fn over_https(fleet: &Fleet, headers: &HeaderMap) -> bool {
    fleet.https || headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()) == Some("https")
}

/// After an action: its result kept for the next page, and a redirect there (303), so
/// that reloading never does the action twice.
fn done(fleet: &Fleet, headers: &HeaderMap, to: &str, result: Markup) -> Response {
    if let Some((id, _)) = session(fleet, headers) {
        fleet.sessions.flash(&id, result.into_string());
    }
    Redirect::to(to).into_response()
}

/// Who may see a page: anyone signed in, or the sign-in page.
// The refusal is the page to send, as axum handlers return it: boxing it buys nothing.
#[allow(clippy::result_large_err)]
fn viewer(fleet: &Fleet, headers: &HeaderMap) -> Result<Session, Response> {
    session(fleet, headers).map(|(_, s)| s).ok_or_else(|| Redirect::to("/login").into_response())
}

/// Who may change something: an admin whose form carries their CSRF token.
#[allow(clippy::result_large_err)]
fn admin(fleet: &Fleet, headers: &HeaderMap, csrf: &str) -> Result<Session, Response> {
    let session = viewer(fleet, headers)?;
    if session.csrf != csrf {
        tracing::warn!(user = %session.user, "form refused: bad CSRF token");
        return Err(refused(&session, "Ce formulaire a expiré. Rechargez la page et recommencez."));
    }
    if !session.is_admin() {
        return Err(refused(&session, "Votre compte peut consulter la flotte mais pas la modifier."));
    }
    Ok(session)
}

fn refused(session: &Session, text: &str) -> Response {
    let body = layout::notice(false, text);
    (StatusCode::FORBIDDEN, html(page("Action refusée", Some(session), "", body))).into_response()
}

/// A console page: never cached (one shows an enrolment code once), never framed, no
/// script of any origin.
fn html(markup: Markup) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
            (header::CONTENT_SECURITY_POLICY, "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::REFERRER_POLICY, "no-referrer"),
        ],
        markup.into_string(),
    )
        .into_response()
}

fn storage_error(e: impl std::fmt::Display) -> Response {
    tracing::error!(cause = %e, "console: storage failed");
    (StatusCode::SERVICE_UNAVAILABLE, "La base de données ne répond pas. Réessayez dans un instant.").into_response()
}
