//! The fleet at a glance: a tile per kiosk, grouped by site, coloured by state, worst
//! first within a site; and the list of alerts with what to do about each.

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use maud::html;

use super::{html, layout, viewer};
use crate::Fleet;
use crate::health::KioskState;
use crate::time_fmt::ago;

pub async fn overview(State(fleet): State<Arc<Fleet>>, headers: HeaderMap) -> Response {
    let session = match viewer(&fleet, &headers) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let now = fleet.now();
    let all = fleet.view.all();
    let revoked = all.iter().filter(|k| k.info.revoked).count();
    let kiosks: Vec<_> =
        all.into_iter().filter(|k| !k.info.revoked).map(|k| (k.assess(now, &fleet.rules), k)).collect();
    let count = |state| kiosks.iter().filter(|((s, _), _)| *s == state).count();
    let sites: Vec<(String, Vec<_>)> = fleet
        .view
        .sites()
        .into_iter()
        .filter(|site| kiosks.iter().any(|(_, k)| &k.info.site == site))
        .map(|site| {
            let mut in_site: Vec<_> = kiosks.iter().filter(|(_, k)| k.info.site == site).collect();
            in_site.sort_by_key(|((state, _), k)| (*state, k.info.name.clone()));
            (site, in_site)
        })
        .collect();
    let body = html! {
        div.legend {
            @for state in KioskState::ALL {
                span.badge.(state.code()) { (state.label()) " : " (count(state)) }
            }
            @if revoked > 0 { span.muted { (revoked) " borne(s) révoquée(s), non affichée(s)" } }
        }
        @if kiosks.is_empty() {
            p { "Aucune borne n'est encore enrôlée. "
                @if session.is_admin() { a href="/enrolment" { "Créer un code d'enrôlement" } } }
        }
        @for (site, in_site) in &sites {
            section.site {
                h2 { (site) " " span.muted { "(" (in_site.len()) ")" } }
                div.tiles {
                    @for ((state, alerts), k) in in_site {
                        a.tile.(state.code()) href=(format!("/kiosks/{}", k.info.id)) data-state=(state.code()) {
                            strong { (k.info.name) }
                            small { (state.label()) }
                            @if let Some(a) = alerts.first() { small { (a.kind.label()) } }
                            small { @match k.info.last_report_at {
                                Some(t) => { "Vue " (ago(now, t.max(0) as u64)) }
                                None => { "Enrôlée " (ago(now, k.info.enrolled_at.max(0) as u64)) }
                            } }
                        }
                    }
                }
            }
        }
    };
    html(layout::page("Bornes", Some(&session), "/", body))
}

pub async fn alerts(State(fleet): State<Arc<Fleet>>, headers: HeaderMap) -> Response {
    let session = match viewer(&fleet, &headers) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let now = fleet.now();
    let mut rows = Vec::new();
    for k in fleet.view.all().into_iter().filter(|k| !k.info.revoked) {
        let (_, alerts) = k.assess(now, &fleet.rules);
        for a in alerts {
            rows.push((a, k.clone()));
        }
    }
    // What stops the public first, then by site.
    rows.sort_by_key(|(a, k)| (!a.kind.blocks_public(), a.kind, k.info.site.clone(), k.info.name.clone()));
    let body = html! {
        @if rows.is_empty() { p { "Aucune alerte : toutes les bornes sont en service." } }
        @else {
            p { (rows.len()) " alerte(s). En rouge, celles qui empêchent le public d'utiliser la borne." }
            table {
                thead { tr { th { "Borne" } th { "Site" } th { "Alerte" } th { "Détail" } th { "Que faire" } th { "Dernier rapport" } } }
                tbody {
                    @for (a, k) in &rows {
                        tr data-alert=(a.kind.code()) {
                            td.name { a href=(format!("/kiosks/{}", k.info.id)) { (k.info.name) } }
                            td { (k.info.site) }
                            td { span.badge.(if a.kind.blocks_public() { "unusable" } else { "warning" }) { (a.kind.label()) } }
                            td { (a.detail) }
                            td { (a.kind.advice()) }
                            td { @if let Some(t) = k.info.last_report_at { (ago(now, t.max(0) as u64)) } }
                        }
                    }
                }
            }
        }
    };
    html(layout::page("Alertes", Some(&session), "/alerts", body))
}
