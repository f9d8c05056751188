//! Console accounts: admins add them (the first one comes from `fleet user add`).

use std::sync::Arc;

use axum::Form;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;

use super::{admin, html, layout, refused, storage_error, viewer};
use crate::Fleet;
use crate::storage::{Role, StorageError, UserRow};

pub async fn page(State(fleet): State<Arc<Fleet>>, headers: HeaderMap) -> Response {
    show(&fleet, &headers, None).await
}

async fn show(fleet: &Fleet, headers: &HeaderMap, notice: Option<Markup>) -> Response {
    let session = match viewer(fleet, headers) {
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
    let body = html! {
        @if let Some(n) = notice { (n) }
        table { tr { th { "Identifiant" } th { "Rôle" } }
            @for u in &users { tr { td { (u.name) } td { (if u.role == Role::Admin { "administrateur" } else { "lecture seule" }) } } } }
        fieldset { legend { "Nouveau compte" }
            form method="post" action="/users" {
                input type="hidden" name="csrf" value=(session.csrf);
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
pub struct NewUser {
    csrf: String,
    name: String,
    password: String,
    role: String,
}

pub async fn create(State(fleet): State<Arc<Fleet>>, headers: HeaderMap, Form(f): Form<NewUser>) -> Response {
    let session = match admin(&fleet, &headers, &f.csrf) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let name = f.name.trim().to_owned();
    let valid_name =
        !name.is_empty() && name.len() <= 40 && name.chars().all(|c| c.is_alphanumeric() || "._-@".contains(c));
    if !valid_name || f.password.chars().count() < 12 {
        let text = "Identifiant de lettres, chiffres et . _ - @ ; mot de passe de 12 caractères au moins.";
        return show(&fleet, &headers, Some(layout::notice(false, text))).await;
    }
    let role = Role::parse(&f.role).unwrap_or(Role::Viewer);
    let password = f.password;
    let hash = match tokio::task::spawn_blocking(move || crate::auth::hash_password(&password)).await {
        Ok(Ok(h)) => h,
        _ => {
            return show(&fleet, &headers, Some(layout::notice(false, "Le mot de passe n'a pas pu être chiffré.")))
                .await;
        }
    };
    match fleet.storage.add_user(UserRow { name: name.clone(), password_hash: hash, role }).await {
        Ok(()) => {
            tracing::info!(by = %session.user, user = %name, role = role.code(), "console user added");
            show(&fleet, &headers, Some(layout::notice(true, &format!("Compte « {name} » créé.")))).await
        }
        Err(StorageError::Exists(_)) => {
            show(&fleet, &headers, Some(layout::notice(false, "Cet identifiant existe déjà."))).await
        }
        Err(e) => storage_error(e),
    }
}
