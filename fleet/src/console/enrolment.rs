//! One-time enrolment codes: an admin makes one for a site, reads it once on this page and
//! writes it into the new kiosk's `/etc/guichet/agent.toml`. The fleet keeps only its hash.

use std::sync::Arc;

use axum::Form;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use maud::html;
use serde::Deserialize;

use super::{admin, done, html, layout, storage_error, viewer};
use crate::Fleet;
use crate::storage::CodeRow;
use crate::time_fmt::minute;

pub async fn page(State(fleet): State<Arc<Fleet>>, headers: HeaderMap) -> Response {
    let session = match viewer(&fleet, &headers) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let codes = match fleet.storage.codes().await {
        Ok(c) => c,
        Err(e) => return storage_error(e),
    };
    let now = fleet.now() as i64;
    let body = html! {
        @if session.is_admin() {
            fieldset { legend { "Nouveau code" }
                form method="post" action="/enrolment" {
                    input type="hidden" name="csrf" value=(session.csrf);
                    label for="site" { "Site de la borne" }
                    input #site type="text" name="site" required maxlength="80" list="sites" placeholder="Mairie de Saint-Denis";
                    datalist #sites { @for s in fleet.view.sites() { option value=(s) {} } }
                    label for="days" { "Valable (jours)" }
                    input #days type="number" name="days" min="1" max="30" value="7";
                    div { button type="submit" { "Créer le code" } }
                }
            }
        }
        h2 { "Codes" }
        table { tr { th { "Début du code" } th { "Site" } th { "Créé par" } th { "Le" } th { "État" } }
            @for c in &codes {
                tr { td { (c.hint) "…" } td { (c.site) } td { (c.created_by) } td { (minute(c.created_at as u64)) }
                     td { @match &c.used_by {
                        Some(k) => { "utilisé par " a href=(format!("/kiosks/{k}")) { (fleet.view.get(k).map_or(k.clone(), |e| e.info.name)) } }
                        None if c.expires_at < now => { "expiré" }
                        None => { "valable jusqu'au " (minute(c.expires_at as u64)) }
                     } } }
            }
        }
    };
    html(layout::page("Enrôlement", Some(&session), "/enrolment", body))
}

/// The address the admin reached the console at: the kiosks reach the fleet there too.
fn public_url(fleet: &Fleet, headers: &HeaderMap) -> String {
    let host = headers.get(axum::http::header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("fleet.example.fr");
    format!("{}://{host}", if super::over_https(fleet, headers) { "https" } else { "http" })
}

#[derive(Deserialize)]
pub struct NewCode {
    csrf: String,
    site: String,
    #[serde(default)]
    days: Option<u64>,
}

pub async fn create(State(fleet): State<Arc<Fleet>>, headers: HeaderMap, Form(f): Form<NewCode>) -> Response {
    let session = match admin(&fleet, &headers, &f.csrf) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let site = f.site.trim().chars().take(80).collect::<String>();
    if site.is_empty() {
        return done(&fleet, &headers, "/enrolment", layout::notice(false, "Indiquez le site de la borne."));
    }
    let code = crate::auth::new_code();
    let now = fleet.now();
    let row = CodeRow {
        code_hash: crate::auth::code_hash(&code),
        hint: code[..4].to_owned(),
        site: site.clone(),
        created_by: session.user.clone(),
        created_at: now as i64,
        expires_at: (now + 86_400 * f.days.unwrap_or(7).clamp(1, 30)) as i64,
        used_by: None,
    };
    if let Err(e) = fleet.storage.add_code(row).await {
        return storage_error(e);
    }
    tracing::info!(user = %session.user, site = %site, "enrolment code made");
    let url = public_url(&fleet, &headers);
    // Shown once, through the session's flash: the fleet keeps only the code's hash.
    let top = html! {
        (layout::notice(true, "Code créé. Il ne sera plus affiché : notez-le maintenant."))
        p { "Code pour « " (site) " » :" }
        p.code data-code=(code) { (code) }
        p { "Sur la borne, dans " code { "/etc/guichet/agent.toml" } " :" }
        pre { "[fleet]\nurl = \"" (url) "\"\nenrolment_code = \"" (code) "\"\nsigning_key = \"" (fleet.key.public_base64()) "\"\n"
              "# Si le certificat de la flotte est autosigné, copiez-le sur la borne :\n# ca_certificate = \"/etc/guichet/fleet-ca.pem\"" }
    };
    done(&fleet, &headers, "/enrolment", top)
}
