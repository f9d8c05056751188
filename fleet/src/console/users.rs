//! Console accounts: admins add them, set a new password, and remove them (the first one
//! comes from `fleet user-add`). An admin cannot remove themself, so the console is never
//! left without one.

use std::sync::Arc;

use axum::Form;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use maud::html;
use serde::Deserialize;

use super::{admin, done, html, layout, refused, storage_error, viewer};
use crate::Fleet;
use crate::storage::{Role, StorageError, UserRow};

pub async fn page(State(fleet): State<Arc<Fleet>>, headers: HeaderMap) -> Response {
    let session = match viewer(&fleet, &headers) {
        Ok(s) => s,
        Err(r) => return r,
    };
    if !session.is_admin() {
        return refused(&session, "Seuls les administrateurs gèrent les comptes.");
    }
    let users = match fleet.storage.users().await {
        Ok(u) => u,
        Err(e) => return storage_error(e),
    };
    let csrf = &session.csrf;
    let body = html! {
        table { tr { th { "Identifiant" } th { "Rôle" } th { "Nouveau mot de passe" } th { "" } }
            @for u in &users { tr {
                td.name { (u.name) }
                td { (if u.role == Role::Admin { "administrateur" } else { "lecture seule" }) }
                td { form method="post" action="/users" {
                    input type="hidden" name="csrf" value=(csrf); input type="hidden" name="op" value="password";
                    input type="hidden" name="name" value=(u.name);
                    input type="password" name="password" minlength="12" required autocomplete="new-password"
                        aria-label=(format!("Nouveau mot de passe de {}", u.name));
                    " " button type="submit" { "Changer" } } }
                td { @if u.name != session.user { form method="post" action="/users" {
                    input type="hidden" name="csrf" value=(csrf); input type="hidden" name="op" value="remove";
                    input type="hidden" name="name" value=(u.name);
                    button.danger type="submit" { "Supprimer " (u.name) } } } }
            } }
        }
        fieldset { legend { "Nouveau compte" }
            form method="post" action="/users" {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="op" value="add";
                label for="name" { "Identifiant" } input #name type="text" name="name" required maxlength="40" autocomplete="off";
                label for="password" { "Mot de passe (12 caractères au moins)" }
                input #password type="password" name="password" required minlength="12" autocomplete="new-password";
                label for="role" { "Rôle" }
                select #role name="role" { option value="viewer" { "lecture seule" } option value="admin" { "administrateur" } }
                div { button type="submit" { "Créer le compte" } }
            }
        }
    };
    html(layout::page("Utilisateurs", Some(&session), "/users", body))
}

#[derive(Deserialize)]
pub struct UserForm {
    csrf: String,
    op: String,
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    role: String,
}

pub async fn create(State(fleet): State<Arc<Fleet>>, headers: HeaderMap, Form(f): Form<UserForm>) -> Response {
    let session = match admin(&fleet, &headers, &f.csrf) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let back = |ok: bool, text: &str| done(&fleet, &headers, "/users", layout::notice(ok, text));
    let name = f.name.trim().to_owned();
    if f.op == "remove" {
        if name == session.user {
            return back(false, "Vous ne pouvez pas supprimer votre propre compte.");
        }
        return match fleet.storage.remove_user(&name).await {
            Ok(_) => {
                tracing::info!(by = %session.user, user = %name, "console user removed");
                back(true, &format!("Compte « {name} » supprimé."))
            }
            Err(e) => storage_error(e),
        };
    }
    if f.password.chars().count() < 12 {
        return back(false, "Le mot de passe doit avoir 12 caractères au moins.");
    }
    let password = f.password;
    let hash = match tokio::task::spawn_blocking(move || crate::auth::hash_password(&password)).await {
        Ok(Ok(h)) => h,
        _ => return back(false, "Le mot de passe n'a pas pu être chiffré."),
    };
    if f.op == "password" {
        return match fleet.storage.set_password(&name, &hash).await {
            Ok(true) => {
                tracing::info!(by = %session.user, user = %name, "console password changed");
                back(true, &format!("Mot de passe de « {name} » changé."))
            }
            Ok(false) => back(false, "Ce compte n'existe pas."),
            Err(e) => storage_error(e),
        };
    }
    let valid_name =
        !name.is_empty() && name.len() <= 40 && name.chars().all(|c| c.is_alphanumeric() || "._-@".contains(c));
    if !valid_name {
        return back(false, "L'identifiant est fait de lettres, de chiffres et de . _ - @.");
    }
    let role = Role::parse(&f.role).unwrap_or(Role::Viewer);
    match fleet.storage.add_user(UserRow { name: name.clone(), password_hash: hash, role }).await {
        Ok(()) => {
            tracing::info!(by = %session.user, user = %name, role = role.code(), "console user added");
            back(true, &format!("Compte « {name} » créé."))
        }
        Err(StorageError::Exists(_)) => back(false, "Cet identifiant existe déjà."),
        Err(e) => storage_error(e),
    }
}
