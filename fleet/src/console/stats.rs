//! Needs statistics for the CCAS's Analyse des Besoins Sociaux: what people come for,
//! where they give up, how often they need a mediator, in which languages. Everything is
//! a sum of anonymous per-day counters; nothing finer than a day exists to show.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use maud::html;
use serde::Deserialize;

use super::{charts, html, layout, storage_error, viewer};
use crate::Fleet;
use crate::storage::UsageRow;
use crate::time_fmt::month_name;

#[derive(Deserialize, Default)]
pub struct Filter {
    /// `YYYY-MM`, first month shown; a year back by default.
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    /// One site, or all.
    #[serde(default)]
    site: String,
}

/// Sums by month and counter name.
#[derive(Default)]
struct Totals {
    by_month: BTreeMap<String, BTreeMap<String, i64>>,
    all: BTreeMap<String, i64>,
}

impl Totals {
    fn month(&self, month: &str, name: &str) -> i64 {
        self.by_month.get(month).and_then(|m| m.get(name)).copied().unwrap_or(0)
    }

    fn total(&self, name: &str) -> i64 {
        self.all.get(name).copied().unwrap_or(0)
    }

    /// Counters `prefix/…` summed over the period, by what follows the prefix.
    fn under(&self, prefix: &str) -> BTreeMap<String, i64> {
        let prefix = format!("{prefix}/");
        self.all.iter().filter_map(|(k, v)| Some((k.strip_prefix(&prefix)?.to_owned(), *v))).collect()
    }
}

async fn load(fleet: &Fleet, f: &Filter) -> Result<(String, String, Totals), Response> {
    let now = fleet.now();
    let month = |s: &str| s.len() == 7 && s.as_bytes()[4] == b'-' && s.bytes().filter(u8::is_ascii_digit).count() == 6;
    let to = if month(&f.to) { f.to.clone() } else { crate::time_fmt::day(now)[..7].to_owned() };
    let from = if month(&f.from) { f.from.clone() } else { crate::time_fmt::day_before(now, 335)[..7].to_owned() };
    let rows = fleet.storage.usage(&format!("{from}-01"), &format!("{to}-31")).await.map_err(storage_error)?;
    let mut totals = Totals::default();
    // Every month of the range, empty ones too: a month with no visit is news.
    let mut month_of = from.clone();
    while month_of <= to && totals.by_month.len() < 120 {
        totals.by_month.insert(month_of.clone(), BTreeMap::new());
        month_of = next_month(&month_of);
    }
    let site_of: BTreeMap<String, String> = fleet.view.all().into_iter().map(|k| (k.info.id, k.info.site)).collect();
    for UsageRow { kiosk, day, name, value } in rows {
        if !f.site.is_empty() && site_of.get(&kiosk) != Some(&f.site) {
            continue;
        }
        *totals.by_month.entry(day[..7].to_owned()).or_default().entry(name.clone()).or_default() += value;
        *totals.all.entry(name).or_default() += value;
    }
    Ok((from, to, totals))
}

fn next_month(m: &str) -> String {
    let (y, mo) = m
        .split_once('-')
        .and_then(|(y, mo)| Some((y.parse::<u32>().ok()?, mo.parse::<u32>().ok()?)))
        .unwrap_or((9999, 12));
    if mo >= 12 { format!("{:04}-01", y + 1) } else { format!("{y:04}-{:02}", mo + 1) }
}

const MONTHLY: &[(&str, &str)] = &[
    ("sessions_started", "Visites"),
    ("sessions_completed", "Menées au bout"),
    ("sessions_abandoned", "Abandonnées"),
    ("mediator_calls", "Appels à un médiateur"),
    ("mediator_openings", "Médiateur intervenu"),
    ("prints", "Impressions"),
    ("pages_scanned", "Pages scannées"),
];

pub async fn page(State(fleet): State<Arc<Fleet>>, headers: HeaderMap, Query(f): Query<Filter>) -> Response {
    let session = match viewer(&fleet, &headers) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let (from, to, t) = match load(&fleet, &f).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let months: Vec<&String> = t.by_month.keys().collect();
    let names = super::names::Names::load(&fleet).await;
    let completed = t.under("procedure_completed");
    let mut started: Vec<(String, i64)> = t.under("procedure_started").into_iter().collect();
    started.sort_by_key(|(p, n)| (std::cmp::Reverse(*n), p.clone()));
    let mut languages: Vec<(String, i64)> = t.under("language").into_iter().collect();
    // French first, the others by how often they were chosen.
    languages.sort_by_key(|(l, n)| (l != "fr", std::cmp::Reverse(*n), l.clone()));
    let language_total: i64 = languages.iter().map(|(_, n)| n).sum();
    let mut giving_up: BTreeMap<String, Vec<(String, i64)>> = BTreeMap::new();
    for (key, n) in t.under("abandoned") {
        if let Some((procedure, step)) = key.split_once('/') {
            giving_up.entry(procedure.to_owned()).or_default().push((step.to_owned(), n));
        }
    }
    for steps in giving_up.values_mut() {
        steps.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    }
    let query = format!("from={from}&to={to}&site={}", urlencode(&f.site));
    let body = html! {
        form method="get" action="/stats" {
            label for="from" { "Du mois" } input #from type="text" name="from" value=(from) pattern="[0-9]{4}-[0-9]{2}";
            label for="to" { "Au mois" } input #to type="text" name="to" value=(to) pattern="[0-9]{4}-[0-9]{2}";
            label for="site" { "Site" }
            select #site name="site" { option value="" { "Tous les sites" }
                @for s in fleet.view.sites() { option value=(s) selected[s == f.site] { (s) } } }
            div { button type="submit" { "Afficher" } " " a.button href=(format!("/stats.csv?{query}")) download { "Exporter en CSV" } }
        }
        (charts::bars("Visites par mois", &months.iter().map(|m| (month_name(m), t.month(m, "sessions_started") as f64)).collect::<Vec<_>>()))
        table { tr { th { "Mois" } @for (_, label) in MONTHLY { th.num { (label) } } }
            @for m in &months { tr { td.name { (month_name(m)) } @for (name, _) in MONTHLY { td.num { (t.month(m, name)) } } } }
            tr { th { "Total" } @for (name, _) in MONTHLY { th.num { (t.total(name)) } } } }
        h2 { "Démarches : commencées et menées au bout" }
        table { tr { th { "Démarche" } th.num { "Commencées" } th.num { "Menées au bout" } th.num { "Taux de réussite" } }
            @for (p, n) in &started {
                @let done = completed.get(p).copied().unwrap_or(0);
                tr data-procedure=(p) { td { (names.procedure(p)) } td.num { (n) } td.num { (done) } td.num { (percent(done, *n)) } }
            } }
        @if !started.is_empty() {
            div.grid2 {
                (charts::bars("Démarches commencées sur la période", &started.iter().take(10)
                    .map(|(p, n)| (names.procedure(p).chars().take(14).collect(), *n as f64)).collect::<Vec<_>>()))
                (charts::bars("Appels à un médiateur par mois", &months.iter().map(|m| (month_name(m), t.month(m, "mediator_calls") as f64)).collect::<Vec<_>>()))
            }
            h3 { "Démarches commencées, mois par mois" }
            table.monthly { tr { th { "Démarche" } @for m in &months { th.num { (month_name(m)) } } }
                @for (p, _) in &started {
                    @let name = format!("procedure_started/{p}");
                    tr data-procedure-months=(p) { td { (names.procedure(p)) } @for m in &months { td.num { (t.month(m, &name)) } } }
                } }
        }
        h2 { "Où les personnes abandonnent" }
        @if giving_up.is_empty() { p.muted { "Aucun abandon sur la période." } }
        @for (p, steps) in &giving_up {
            h3 data-giving-up=(p) { (names.procedure(p)) }
            table { tr { th { "Étape où la personne s'est arrêtée" } th.num { "Abandons" } }
                @for (s, n) in steps.iter().take(8) { tr data-step=(s) { td { (names.step(p, s)) } td.num { (n) } } } }
        }
        h2 { "Langues choisies" }
        table { tr { th { "Langue" } th.num { "Visites" } th.num { "Part" } }
            @for (l, n) in &languages { tr data-language=(l) { td { (crate::words::language(l)) } td.num { (n) } td.num { (percent(*n, language_total)) } } } }
        @if !languages.is_empty() {
            (charts::bars("Langues choisies", &languages.iter().map(|(l, n)| (crate::words::language(l).to_owned(), *n as f64)).collect::<Vec<_>>()))
        }
    };
    html(layout::page("Statistiques des besoins", Some(&session), "/stats", body))
}

fn percent(part: i64, whole: i64) -> String {
    if whole <= 0 { "—".into() } else { format!("{} %", (100 * part + whole / 2) / whole) }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// One row per month and counter, for a spreadsheet.
pub async fn csv(State(fleet): State<Arc<Fleet>>, headers: HeaderMap, Query(f): Query<Filter>) -> Response {
    if let Err(r) = viewer(&fleet, &headers) {
        return r;
    }
    let (from, to, t) = match load(&fleet, &f).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let site = if f.site.is_empty() { "tous".to_owned() } else { f.site.replace(['"', '\n', '\r'], " ") };
    // As French spreadsheets open it: a byte-order mark for UTF-8, and semicolons.
    let mut out = String::from("\u{feff}mois;site;compteur;valeur\n");
    for (month, counters) in &t.by_month {
        for (name, value) in counters {
            out.push_str(&format!("{month};\"{site}\";{name};{value}\n"));
        }
    }
    let name = format!("attachment; filename=\"guichet-besoins-{from}-{to}.csv\"");
    let headers = [
        (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
        (header::CONTENT_DISPOSITION, name),
        (header::CACHE_CONTROL, "no-store".to_owned()),
    ];
    (headers, out).into_response()
}
