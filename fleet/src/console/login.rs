//! Signing in and out. A wrong name and a wrong password get the same answer; five wrong
//! passwords lock the name for five minutes. Passwords are checked off the async threads
//! (argon2 is slow on purpose).

use std::sync::Arc;

use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;

use super::{COOKIE, html, layout, session};
use crate::Fleet;

pub async fn form(State(fleet): State<Arc<Fleet>>, headers: HeaderMap) -> Response {
    if session(&fleet, &headers).is_some() {
        return Redirect::to("/").into_response();
    }
    html(login_page(None, ""))
}

fn login_page(error: Option<&str>, name: &str) -> maud::Markup {
    let body = html! {
        @if let Some(e) = error { (layout::notice(false, e)) }
        form.login method="post" action="/login" {
            label for="name" { "Identifiant" }
            input #name type="text" name="name" value=(name) autocomplete="username" required autofocus[name.is_empty()];
            label for="password" { "Mot de passe" }
            input #password type="password" name="password" autocomplete="current-password" required autofocus[!name.is_empty()];
            div { button type="submit" { "Se connecter" } }
        }
    };
    layout::page("Connexion", None, "", body)
}

#[derive(Deserialize)]
pub struct Login {
    name: String,
    password: String,
}

pub async fn submit(State(fleet): State<Arc<Fleet>>, headers: HeaderMap, Form(login): Form<Login>) -> Response {
    let now = fleet.now();
    let name = login.name.trim().to_owned();
    if !fleet.sessions.may_try(&name, now) {
        tracing::warn!(user = %name, "sign-in refused: locked after wrong passwords");
        let e = "Trop d'essais. Attendez cinq minutes avant de réessayer.";
        return (StatusCode::TOO_MANY_REQUESTS, html(login_page(Some(e), &name))).into_response();
    }
    let user = match fleet.storage.user(&name).await {
        Ok(u) => u,
        Err(e) => return super::storage_error(e),
    };
    let password = login.password;
    let checked = user.clone();
    let good = tokio::task::spawn_blocking(move || {
        // An unknown name costs the same time as a wrong password.
        let hash = checked.map(|u| u.password_hash).unwrap_or_else(|| DUMMY_HASH.to_owned());
        crate::auth::password_matches(&password, &hash)
    })
    .await
    .unwrap_or(false);
    let Some(user) = user.filter(|_| good) else {
        fleet.sessions.failed(&name, now);
        tracing::warn!(user = %name, "sign-in refused");
        return (StatusCode::UNAUTHORIZED, html(login_page(Some("Identifiant ou mot de passe incorrect."), &name)))
            .into_response();
    };
    fleet.sessions.succeeded(&name);
    let id = fleet.sessions.open(&user.name, user.role, now);
    tracing::info!(user = %user.name, "signed in");
    let secure = if super::over_https(&fleet, &headers) { "; Secure" } else { "" };
    let cookie = format!("{COOKIE}={id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=28800{secure}");
    ([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response()
}

#[derive(Deserialize)]
pub struct Logout {
    csrf: String,
}

pub async fn logout(State(fleet): State<Arc<Fleet>>, headers: HeaderMap, Form(form): Form<Logout>) -> Response {
    if let Some((id, s)) = session(&fleet, &headers)
        && s.csrf == form.csrf
    {
        fleet.sessions.close(&id);
        tracing::info!(user = %s.user, "signed out");
    }
    let cookie = format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    ([(header::SET_COOKIE, cookie)], Redirect::to("/login")).into_response()
}

/// The argon2 hash of a random password nobody knows, checked for unknown names.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$3PnBbK0nUGe4mcAJbPVMRzWxVDw3dSJhX3EIzqR5Wbk";
