//! One kiosk: what its last report says, its last week as charts, the commands IT staff
//! can send it (reboot, erase the visit, a message on its attract screen, revoke) and what
//! became of each.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use guichet_protocol::fleet::{Action, HealthSample};
use maud::{Markup, html};
use serde::Deserialize;

use super::{admin, charts, done, html, layout, storage_error, viewer, words};
use crate::Fleet;
use crate::time_fmt::{ago, duration, minute};

const WEEK: u64 = 7 * 86_400;

pub async fn page(State(fleet): State<Arc<Fleet>>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let session = match viewer(&fleet, &headers) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let Some(k) = fleet.view.get(&id) else {
        let body = html! { p { "Aucune borne ne porte ce numéro. " a href="/" { "Retour aux bornes" } } };
        return (StatusCode::NOT_FOUND, html(layout::page("Borne inconnue", Some(&session), "/", body)))
            .into_response();
    };
    let now = fleet.now();
    let (state, alerts) = k.assess(now, &fleet.rules);
    let history = match fleet.storage.samples(&id, now.saturating_sub(WEEK) as i64, 5000).await {
        Ok(h) => h,
        Err(e) => return storage_error(e),
    };
    let samples: Vec<HealthSample> = history.iter().filter_map(|(_, b)| serde_json::from_str(b).ok()).collect();
    let commands = fleet.storage.commands(&id, 30).await.unwrap_or_default();
    let summaries = fleet.storage.summaries(&id, 10).await.unwrap_or_default();
    let gap = gap(&samples);
    let body = html! {
        p { span.badge.(state.code()) { (state.label()) } " · site " strong { (k.info.site) }
            " · enrôlée le " (minute(k.info.enrolled_at.max(0) as u64))
            @if !k.info.agent_version.is_empty() { " · agent " (k.info.agent_version) }
            @if let Some(t) = k.info.last_report_at { " · dernier rapport " (ago(now, t.max(0) as u64)) }
            @if k.info.revoked { " · " strong { "accès révoqué" } } }
        @if !alerts.is_empty() {
            ul { @for a in &alerts { li { strong { (a.kind.label()) } " " (a.detail) " — " (a.kind.advice()) } } }
        }
        @match &k.sample {
            Some(s) => {
                (latest(s))
                h2 { "Les 7 derniers jours" }
                div.grid2 {
                    (charts::line("Disque libre", &series(&samples, |s| s.disk.filter(|d| d.total_bytes > 0)
                        .map(|d| 100.0 * d.free_bytes as f64 / d.total_bytes as f64)), 100.0, " %", gap))
                    (charts::line("Imprimante prête (1 = oui, 0 = non)", &series(&samples, |s| s.devices.iter()
                        .find(|d| d.device == "printer").map(|d| f64::from(u8::from(d.state == "ready")))), 1.0, "", gap))
                    (charts::line("Écran tactile qui répond (1 = oui, 0 = non)",
                        &series(&samples, |s| Some(f64::from(u8::from(s.kiosk.alive)))), 1.0, "", gap))
                    (charts::line("Température du processeur", &series(&samples, |s| s.temperature_c.map(f64::from)), 90.0, " °C", gap))
                }
            }
            None => p.muted { "Cette borne n'a encore envoyé aucun rapport : vérifier qu'elle est allumée et reliée au réseau." }
        }
        @if !summaries.is_empty() {
            h2 { "Périodes résumées (la borne n'a pas pu joindre la flotte)" }
            table { tr { th { "De" } th { "À" } th.num { "Relevés" } th { "Problèmes" } }
                @for (from, to, body) in &summaries {
                    @let s: guichet_protocol::fleet::SampleSummary = serde_json::from_str(body).unwrap_or_default();
                    tr { td { (minute(*from as u64)) } td { (minute(*to as u64)) } td.num { (s.samples) }
                         td { @for (d, states) in &s.device_problems {
                             (words::device(d)) " : " (states.iter().map(|x| words::state(x)).collect::<Vec<_>>().join(", ")) " " } } }
                }
            }
        }
        h2 { "Commandes" }
        @if session.is_admin() { (command_forms(&session.csrf, &id, &k.info.name, &k.info.site)) }
        @else { p.muted { "Votre compte est en lecture seule." } }
        @if commands.is_empty() { p.muted { "Aucune commande envoyée à cette borne." } }
        @else {
            table {
                tr { th { "N°" } th { "Commande" } th { "Par" } th { "Envoyée" } th { "Résultat" } }
                @for c in &commands {
                    tr { td { (c.id) } td { (describe(&c.action)) } td { (c.created_by) } td.name { (minute(c.created_at.max(0) as u64)) }
                         td { @match (c.ok, c.acked_at) {
                            (Some(true), Some(t)) => { "✔ " (c.detail) " (" (ago(now, t.max(0) as u64)) ")" }
                            (Some(false), _) => { "✘ " (c.detail) }
                            _ => { "en attente du prochain rapport" }
                         } } }
                }
            }
        }
    };
    html(layout::page(&k.info.name, Some(&session), "/", body))
}

/// Points further apart than three sampling intervals are not joined: a kiosk sampled
/// every half hour is not "offline" between its samples.
fn gap(samples: &[HealthSample]) -> u64 {
    let mut steps: Vec<u64> = samples.windows(2).map(|w| w[1].taken_at.saturating_sub(w[0].taken_at)).collect();
    steps.sort_unstable();
    steps.get(steps.len() / 2).map_or(1800, |median| (3 * median).max(900))
}

fn series(samples: &[HealthSample], f: impl Fn(&HealthSample) -> Option<f64>) -> Vec<(u64, f64)> {
    samples.iter().filter_map(|s| Some((s.taken_at, f(s)?))).collect()
}

fn latest(s: &HealthSample) -> Markup {
    let gb = |b: u64| format!("{} Go", words::decimal(b as f64 / 1e9));
    html! {
        h2 { "État au dernier relevé (" (minute(s.taken_at)) ")" }
        table {
            tr { th { "Écran" } td { @if s.kiosk.alive { "répond" } @else { strong { "ne répond pas" } }
                @if !s.kiosk.screen.is_empty() { " · écran « " (s.kiosk.screen) " »" }
                @if let Some(t) = s.kiosk.last_touch_s { " · dernier toucher il y a " (duration(t)) }
                " · " (if s.kiosk.screen_on { "allumé" } else { "éteint (veille)" }) " · "
                (if s.in_session { "visite en cours" } else { "libre" }) } }
            @for d in &s.devices {
                tr { th { (words::device(&d.device)) } td { (words::state(&d.state)) @if d.simulated { " (simulé)" }
                    @for w in &d.warnings { " · " (words::state(w)) }
                    @for sup in &d.supplies { " · " (words::supply(&sup.kind)) " " (words::colour(&sup.color)) " "
                        @if sup.level >= 0 { (sup.level) " %" } @else { "niveau inconnu" } } } }
            }
            @if let Some(d) = s.disk { tr { th { "Disque" } td { (gb(d.free_bytes)) " libres sur " (gb(d.total_bytes)) } } }
            @if let Some(m) = s.memory { tr { th { "Mémoire" } td { (gb(m.free_bytes)) " disponibles sur " (gb(m.total_bytes)) } } }
            tr { th { "Température" } td { @match s.temperature_c { Some(t) => { (words::decimal(f64::from(t))) " °C" } None => { "non fournie par ce matériel" } } } }
            tr { th { "Alimentation" } td { @match s.power {
                Some(p) => { (if p.undervoltage_now { "tension trop faible" } else { "correcte" })
                    @if p.undervoltage_since_boot { " · baisse de tension depuis le démarrage" }
                    @if p.throttled_now { " · processeur ralenti" } }
                None => { "non fournie par ce matériel" } } } }
            tr { th { "Réseau" } td { @if s.network.route { "connecté (" (s.network.interface) ")" } @else { strong { "pas de route" } } } }
            tr { th { "Démarrée depuis" } td { (duration(s.uptime_s)) } }
            @for site in &s.sites {
                tr { th { (site.url) } td { @if site.reachable { "joignable" @if let Some(ms) = site.latency_ms { " (" (ms) " ms)" } }
                    @else { strong { "injoignable" } " " (site.error.as_deref().unwrap_or("")) } } }
            }
        }
    }
}

fn command_forms(csrf: &str, id: &str, name: &str, site: &str) -> Markup {
    let action = format!("/kiosks/{id}/command");
    html! {
        div.grid2 {
            fieldset { legend { "Agir" }
                form method="post" action=(action) { input type="hidden" name="csrf" value=(csrf);
                    input type="hidden" name="action" value="reboot"; button type="submit" { "Redémarrer la borne" } }
                p.muted { "Le redémarrage attend la fin de la visite en cours, s'il y en a une." }
                form method="post" action=(action) { input type="hidden" name="csrf" value=(csrf);
                    input type="hidden" name="action" value="wipe_now";
                    input #confirm-wipe type="checkbox" name="confirm" value="yes" required;
                    " " label.confirm for="confirm-wipe" { "Je confirme : la personne en visite perdra ce qu'elle a fait." }
                    div { button.danger type="submit" { "Effacer la visite en cours" } } }
            }
            fieldset { legend { "Message sur l'écran d'accueil" }
                form method="post" action=(action) { input type="hidden" name="csrf" value=(csrf);
                    input type="hidden" name="action" value="message";
                    label for="fr" { "En français (vide : retire le message affiché)" }
                    textarea #fr name="fr" maxlength="200" {}
                    label for="hours" { "Pendant (heures)" }
                    input #hours type="number" name="hours" min="1" max="720" value="24";
                    div { button type="submit" { "Envoyer le message" } }
                }
            }
            fieldset { legend { "Nom et site" }
                form method="post" action=(format!("/kiosks/{id}/edit")) { input type="hidden" name="csrf" value=(csrf);
                    input type="hidden" name="op" value="save";
                    label for="name" { "Nom" } input #name type="text" name="name" value=(name) maxlength="80";
                    label for="site" { "Site" } input #site type="text" name="site" value=(site) maxlength="80";
                    div { button type="submit" { "Enregistrer" } } }
            }
            fieldset { legend { "Accès à la flotte" }
                form method="post" action=(format!("/kiosks/{id}/edit")) { input type="hidden" name="csrf" value=(csrf);
                    input type="hidden" name="op" value="revoke";
                    p.muted { "Une borne volée ou mise au rebut : son jeton est refusé aussitôt. Pour la remettre en service, il faudra l'enrôler de nouveau." }
                    input #confirm-revoke type="checkbox" name="confirm" value="yes" required;
                    " " label.confirm for="confirm-revoke" { "Je confirme la révocation." }
                    div { button.danger type="submit" { "Révoquer l'accès" } } }
            }
        }
    }
}

fn describe(action: &str) -> String {
    match serde_json::from_str::<Action>(action) {
        Ok(Action::Reboot) => "Redémarrer".into(),
        Ok(Action::WipeNow) => "Effacer la visite".into(),
        Ok(Action::Settings { .. }) => "Nouveaux réglages".into(),
        Ok(Action::Content { .. }) => "Nouveau contenu".into(),
        Ok(Action::Message { texts, .. }) if texts.is_empty() => "Retirer le message".into(),
        Ok(Action::Message { texts, .. }) => format!("Message : « {} »", texts.get("fr").cloned().unwrap_or_default()),
        _ => "Inconnue".into(),
    }
}

#[derive(Deserialize)]
pub struct CommandForm {
    csrf: String,
    action: String,
    #[serde(default)]
    fr: String,
    #[serde(default)]
    hours: Option<u64>,
    #[serde(default)]
    confirm: String,
}

pub async fn command(
    State(fleet): State<Arc<Fleet>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<CommandForm>,
) -> Response {
    let session = match admin(&fleet, &headers, &f.csrf) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let back = format!("/kiosks/{id}");
    if fleet.view.get(&id).is_none() {
        return (StatusCode::NOT_FOUND, "Borne inconnue").into_response();
    }
    let action = match f.action.as_str() {
        "reboot" => Action::Reboot,
        "wipe_now" if f.confirm == "yes" => Action::WipeNow,
        "wipe_now" => {
            return done(
                &fleet,
                &headers,
                &back,
                layout::notice(false, "Cochez la confirmation pour effacer la visite."),
            );
        }
        "message" => {
            let text = f.fr.trim();
            let texts: BTreeMap<String, String> = if text.is_empty() {
                BTreeMap::new()
            } else {
                [("fr".to_owned(), text.chars().take(200).collect())].into()
            };
            let until = fleet.now() + 3600 * f.hours.unwrap_or(24).clamp(1, 720);
            Action::Message { texts, until: Some(until) }
        }
        _ => return (StatusCode::BAD_REQUEST, "Commande inconnue").into_response(),
    };
    match crate::console::rollout::send(&fleet, &id, &action, &session.user).await {
        Ok(n) => done(
            &fleet,
            &headers,
            &back,
            layout::notice(true, &format!("Commande n° {n} envoyée avec la réponse au prochain rapport de la borne.")),
        ),
        Err(r) => r,
    }
}

#[derive(Deserialize)]
pub struct EditForm {
    csrf: String,
    op: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    site: String,
    #[serde(default)]
    confirm: String,
}

pub async fn edit(
    State(fleet): State<Arc<Fleet>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<EditForm>,
) -> Response {
    let session = match admin(&fleet, &headers, &f.csrf) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let back = format!("/kiosks/{id}");
    let (result, notice) = match f.op.as_str() {
        "revoke" if f.confirm == "yes" => (
            fleet.storage.set_revoked(&id, true).await.map(|()| fleet.view.update(&id, |k| k.info.revoked = true)),
            "Accès révoqué : la borne ne peut plus faire de rapport.",
        ),
        "revoke" => {
            return done(
                &fleet,
                &headers,
                &back,
                layout::notice(false, "Cochez la confirmation pour révoquer l'accès."),
            );
        }
        _ => {
            let (name, site) = (f.name.trim().to_owned(), f.site.trim().to_owned());
            if name.is_empty() || site.is_empty() {
                return done(
                    &fleet,
                    &headers,
                    &back,
                    layout::notice(false, "Le nom et le site ne peuvent pas être vides."),
                );
            }
            let renamed = fleet.storage.rename(&id, &name, &site).await.map(|()| {
                fleet.view.update(&id, |k| {
                    k.info.name = name;
                    k.info.site = site;
                })
            });
            (renamed, "Nom et site enregistrés.")
        }
    };
    if let Err(e) = result {
        return storage_error(e);
    }
    tracing::info!(user = %session.user, kiosk = %id, op = %f.op, "kiosk edited");
    done(&fleet, &headers, &back, layout::notice(true, notice))
}
