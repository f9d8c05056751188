//! Content and settings, by site. An uploaded bundle is checked file by file as a kiosk
//! would read it, then signed; rolling it out (or new settings) queues one command per
//! kiosk of the site, which each kiosk picks up with its next report.

use std::sync::Arc;

use axum::extract::{Multipart, State};
use axum::http::HeaderMap;
use axum::response::Response;
use guichet_protocol::fleet::{Action, RemoteSettings, SettingsDocument};
use maud::html;
use serde::Deserialize;

use super::{admin, done, html, layout, storage_error, viewer};
use crate::Fleet;
use crate::bundle::Bundle;
use crate::storage::BundleRow;
use crate::time_fmt::minute;

const ALL_SITES: &str = "*";

/// Queues `action` for one kiosk; its id.
pub async fn send(fleet: &Fleet, kiosk: &str, action: &Action, user: &str) -> Result<i64, Response> {
    fleet.queue(kiosk, action, user).await.map_err(storage_error)
}

/// Queues `action` for every kiosk of `site` (or of every site); how many.
async fn send_to_site(fleet: &Fleet, site: &str, action: &Action, user: &str) -> Result<usize, Response> {
    let kiosks: Vec<_> = fleet
        .view
        .all()
        .into_iter()
        .filter(|k| !k.info.revoked && (site == ALL_SITES || k.info.site == site))
        .collect();
    for k in &kiosks {
        send(fleet, &k.info.id, action, user).await?;
    }
    Ok(kiosks.len())
}

pub async fn page(State(fleet): State<Arc<Fleet>>, headers: HeaderMap) -> Response {
    let session = match viewer(&fleet, &headers) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let bundles = match fleet.storage.bundles().await {
        Ok(b) => b,
        Err(e) => return storage_error(e),
    };
    let kiosks = fleet.view.all();
    let count =
        |site: &str| kiosks.iter().filter(|k| !k.info.revoked && (site == ALL_SITES || k.info.site == site)).count();
    // No site is chosen for IT staff: one careless click must not reach the whole fleet.
    let site_select = |id: &str| {
        html! {
            select id=(id) name="site" required {
                option value="" { "— Choisir un site —" }
                @for s in fleet.view.sites() { option value=(s) { (s) " (" (count(&s)) " bornes)" } }
                option value=(ALL_SITES) { "Tous les sites (" (count(ALL_SITES)) " bornes)" }
            }
        }
    };
    let csrf = &session.csrf;
    let body = html! {
        h2 { "Contenu (démarches et traductions)" }
        @if session.is_admin() {
            fieldset { legend { "1. Déposer un paquet de contenu" }
                form method="post" action="/rollout/bundles" enctype="multipart/form-data" {
                    input type="hidden" name="csrf" value=(csrf);
                    label for="version" { "Nom de la version" }
                    input #version type="text" name="version" required maxlength="60" placeholder="2026-12 mise à jour CAF";
                    label for="bundle" { "Archive .tar de procedures/*.toml et po/*.po (faite avec « fleet bundle »)" }
                    input #bundle type="file" name="bundle" accept=".tar" required;
                    div { button type="submit" { "Vérifier et signer" } }
                }
            }
            @if !bundles.is_empty() {
                fieldset { legend { "2. Déployer une version" }
                    form method="post" action="/rollout/content" {
                        input type="hidden" name="csrf" value=(csrf);
                        label for="bundle_id" { "Version" }
                        select #bundle_id name="bundle" { @for b in &bundles { option value=(b.id) { (b.version) " (" (minute(b.created_at as u64)) ")" } } }
                        label for="content_site" { "Site" } (site_select("content_site"))
                        div { button type="submit" { "Déployer" } }
                    }
                }
            }
        }
        @if bundles.is_empty() { p.muted { "Aucune version déposée : les bornes montrent le contenu de leur image." } }
        @else {
            table { tr { th { "Version" } th.num { "Taille" } th { "Déposée par" } th { "Le" } }
                @for b in &bundles { tr { td { (b.version) } td.num { (b.size / 1024) " Ko" } td { (b.created_by) } td { (minute(b.created_at as u64)) } } } }
            p.muted { "Chaque borne dit dans sa page si elle a installé la version (colonne « Résultat » des commandes)." }
        }
        h2 { "Réglages" }
        @if session.is_admin() {
            fieldset { legend { "Envoyer des réglages signés à un site" }
                form method="post" action="/rollout/settings" {
                    input type="hidden" name="csrf" value=(csrf);
                    label for="settings_site" { "Site" } (site_select("settings_site"))
                    label for="pin" { "Nouveau code des médiateurs (6 à 12 chiffres ; vide : inchangé)" }
                    input #pin type="password" name="pin" inputmode="numeric" pattern="[0-9]{6,12}" autocomplete="new-password";
                    label for="print_limit" { "Pages imprimables par visite (vide : inchangé)" }
                    input #print_limit type="number" name="print_page_limit" min="1" max="500";
                    label for="scan_limit" { "Pages scannables par visite (vide : inchangé)" }
                    input #scan_limit type="number" name="scan_page_limit" min="1" max="500";
                    label for="sample_every" { "Minutes entre deux relevés de santé (vide : inchangé)" }
                    input #sample_every type="number" name="sample_every_min" min="1" max="1440";
                    label for="sites" { "Sites publics à surveiller, un par ligne (vide : inchangé)" }
                    textarea #sites name="health_sites" placeholder="https://www.caf.fr" {}
                    div { button type="submit" { "Signer et envoyer" } }
                }
            }
        } @else { p.muted { "Votre compte est en lecture seule." } }
    };
    html(layout::page("Déploiement", Some(&session), "/rollout", body))
}

/// A refused bundle in words an IT person can act on. The cause goes to the log,
/// shortened: an upload's bytes must not fill the journal.
fn refusal(e: &crate::bundle::BundleError) -> String {
    use crate::bundle::BundleError as B;
    match e {
        B::NotTar(_) => "ce n'est pas une archive .tar.".into(),
        B::PathNotAllowed(p) => {
            format!("« {} » ne peut pas être dans un paquet (seulement procedures/NOM.toml et po/NOM.po).", short(p))
        }
        B::Duplicate(p) => format!("« {} » y est deux fois.", short(p)),
        B::FileTooLarge(p) => format!("« {} » dépasse 1 Mio.", short(p)),
        B::TooLarge => "le paquet dépasse 16 Mio ou 500 fichiers.".into(),
        B::NotText(p) => format!("« {} » n'est pas du texte UTF-8.", short(p)),
        B::BadProcedure(m) => format!("une démarche est refusée : {}", short(m)),
        B::BadTranslation { file, .. } => format!("« {} » n'est pas un fichier de traduction lisible.", short(file)),
        B::NoProcedure => "le paquet ne contient aucune démarche.".into(),
    }
}

fn short(s: &str) -> String {
    let one_line: String = s.chars().filter(|c| !c.is_control()).take(160).collect();
    if one_line.chars().count() < s.chars().count() { format!("{one_line}…") } else { one_line }
}

pub async fn upload(State(fleet): State<Arc<Fleet>>, headers: HeaderMap, mut form: Multipart) -> Response {
    let (mut csrf, mut version, mut data) = (String::new(), String::new(), Vec::new());
    while let Ok(Some(field)) = form.next_field().await {
        match field.name() {
            Some("csrf") => csrf = field.text().await.unwrap_or_default(),
            Some("version") => version = field.text().await.unwrap_or_default(),
            Some("bundle") => data = field.bytes().await.map(|b| b.to_vec()).unwrap_or_default(),
            _ => {}
        }
    }
    let session = match admin(&fleet, &headers, &csrf) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let version = version.trim().chars().take(60).collect::<String>();
    let checked = tokio::task::spawn_blocking(move || Bundle::from_tar(&data)).await;
    let bundle = match checked {
        Ok(Ok(b)) if !version.is_empty() => b,
        Ok(Ok(_)) => return done(&fleet, &headers, "/rollout", layout::notice(false, "Donnez un nom à la version.")),
        Ok(Err(e)) => {
            tracing::warn!(user = %session.user, cause = %short(&e.to_string()), "bundle refused");
            return done(
                &fleet,
                &headers,
                "/rollout",
                layout::notice(false, &format!("Paquet refusé : {}", refusal(&e))),
            );
        }
        Err(e) => return storage_error(e),
    };
    let now = fleet.now();
    let manifest = bundle.manifest(&version, now);
    let signed = fleet.sign_json(&manifest);
    let tar = bundle.to_tar();
    let row = BundleRow {
        id: 0,
        version: version.clone(),
        payload: signed.payload,
        signature: signed.signature,
        size: tar.len() as i64,
        created_by: session.user.clone(),
        created_at: now as i64,
    };
    if let Err(e) = fleet.storage.add_bundle(row, tar).await {
        return storage_error(e);
    }
    tracing::info!(user = %session.user, files = manifest.files.len(), "bundle signed and stored");
    let text = format!("Version « {version} » vérifiée et signée : {} fichiers.", manifest.files.len());
    done(&fleet, &headers, "/rollout", layout::notice(true, &text))
}

#[derive(Deserialize)]
pub struct ContentForm {
    csrf: String,
    bundle: i64,
    site: String,
}

pub async fn content(
    State(fleet): State<Arc<Fleet>>,
    headers: HeaderMap,
    axum::Form(f): axum::Form<ContentForm>,
) -> Response {
    let session = match admin(&fleet, &headers, &f.csrf) {
        Ok(s) => s,
        Err(r) => return r,
    };
    if f.site.is_empty() {
        return done(&fleet, &headers, "/rollout", layout::notice(false, "Choisissez le site."));
    }
    let bundles = match fleet.storage.bundles().await {
        Ok(b) => b,
        Err(e) => return storage_error(e),
    };
    let Some(b) = bundles.into_iter().find(|b| b.id == f.bundle) else {
        return done(&fleet, &headers, "/rollout", layout::notice(false, "Cette version n'existe pas."));
    };
    let action = Action::Content {
        url: format!("/api/v1/bundles/{}", b.id),
        signed: guichet_protocol::fleet::Signed { payload: b.payload, signature: b.signature },
    };
    match send_to_site(&fleet, &f.site, &action, &session.user).await {
        Ok(n) => {
            let text = format!("Version « {} » envoyée à {n} borne(s).", b.version);
            done(&fleet, &headers, "/rollout", layout::notice(true, &text))
        }
        Err(r) => r,
    }
}

#[derive(Deserialize)]
pub struct SettingsForm {
    csrf: String,
    site: String,
    #[serde(default)]
    pin: String,
    #[serde(default)]
    print_page_limit: String,
    #[serde(default)]
    scan_page_limit: String,
    #[serde(default)]
    health_sites: String,
    #[serde(default)]
    sample_every_min: String,
}

pub async fn settings(
    State(fleet): State<Arc<Fleet>>,
    headers: HeaderMap,
    axum::Form(f): axum::Form<SettingsForm>,
) -> Response {
    let session = match admin(&fleet, &headers, &f.csrf) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let bad = |text: &str| done(&fleet, &headers, "/rollout", layout::notice(false, text));
    if f.site.is_empty() {
        return bad("Choisissez le site.");
    }
    let limit = |s: &str| s.trim().parse::<u32>().ok().filter(|n| (1..=500).contains(n));
    let mut settings = RemoteSettings {
        print_page_limit: limit(&f.print_page_limit),
        scan_page_limit: limit(&f.scan_page_limit),
        sample_every_min: f.sample_every_min.trim().parse::<u32>().ok().filter(|n| (1..=1440).contains(n)),
        ..Default::default()
    };
    let pin = f.pin.trim().to_owned();
    if !pin.is_empty() {
        if !(6..=12).contains(&pin.len()) || !pin.bytes().all(|b| b.is_ascii_digit()) {
            return bad("Le code des médiateurs doit avoir 6 à 12 chiffres.");
        }
        match tokio::task::spawn_blocking(move || crate::auth::hash_password(&pin)).await {
            Ok(Ok(hash)) => settings.mediator_pin_hash = Some(hash),
            _ => return bad("Le code n'a pas pu être chiffré."),
        }
    }
    let sites: Vec<String> =
        f.health_sites.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect();
    if sites.iter().any(|s| !s.starts_with("https://") || s.len() > 200) {
        return bad("Chaque site public doit être une adresse https://.");
    }
    if !sites.is_empty() {
        settings.health_sites = Some(sites);
    }
    if settings == RemoteSettings::default() {
        return bad("Aucun réglage à envoyer : tous les champs sont vides.");
    }
    let document = SettingsDocument { issued_at: fleet.now(), settings };
    let action = Action::Settings { signed: fleet.sign_json(&document) };
    match send_to_site(&fleet, &f.site, &action, &session.user).await {
        Ok(n) => done(
            &fleet,
            &headers,
            "/rollout",
            layout::notice(true, &format!("Réglages signés envoyés à {n} borne(s).")),
        ),
        Err(r) => r,
    }
}
