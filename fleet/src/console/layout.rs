//! The frame of every console page: header, navigation, and one small stylesheet. Plain
//! HTML that works without JavaScript, loads in one request and reads well on a laptop in
//! a server room or a phone in a corridor. In French: its readers are French town halls'
//! IT teams.

use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::auth::Session;

/// The sections, in the navigation's order: path, label, admins only.
const SECTIONS: &[(&str, &str, bool)] = &[
    ("/", "Bornes", false),
    ("/alerts", "Alertes", false),
    ("/stats", "Statistiques", false),
    ("/rollout", "Déploiement", true),
    ("/enrolment", "Enrôlement", true),
    ("/users", "Utilisateurs", true),
];

pub fn page(title: &str, session: Option<&Session>, active: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="fr" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Guichet" }
                style { (PreEscaped(CSS)) }
            }
            body {
                header {
                    a.brand href="/" { "Guichet" span { " · flotte" } }
                    @if let Some(s) = session {
                        nav aria-label="Sections" {
                            @for (path, label, admin) in SECTIONS {
                                @if !admin || s.is_admin() {
                                    a href=(path) aria-current=[(*path == active).then_some("page")] { (label) }
                                }
                            }
                        }
                        form.who method="post" action="/logout" {
                            input type="hidden" name="csrf" value=(s.csrf);
                            span { (s.user) " (" (if s.is_admin() { "administrateur" } else { "lecture seule" }) ")" }
                            button.link type="submit" { "Se déconnecter" }
                        }
                    }
                }
                main {
                    h1 { (title) }
                    @if let Some(flash) = session.and_then(|s| s.flash.as_deref()) { (PreEscaped(flash)) }
                    (body)
                }
            }
        }
    }
}

/// A message after an action, good or bad.
pub fn notice(ok: bool, text: &str) -> Markup {
    html! { p.notice.(if ok { "good" } else { "bad" }) role="status" { (text) } }
}

const CSS: &str = r#"
:root { --ok:#1a7f37; --warn:#9a6700; --bad:#cf222e; --off:#57606a; --never:#8c959f; --ink:#1f2328; --line:#d0d7de; --bg:#f6f8fa; }
* { box-sizing: border-box; }
body { margin:0; font: 16px/1.45 system-ui, "Noto Sans", sans-serif; color: var(--ink); background: #fff; }
header { display:flex; flex-wrap:wrap; gap:1rem; align-items:center; padding:.6rem 1.2rem; background:#0b3d91; color:#fff; }
header a { color:#fff; text-decoration:none; }
.brand { font-weight:700; font-size:1.2rem; } .brand span { font-weight:400; opacity:.85; }
nav { display:flex; gap:.2rem; flex-wrap:wrap; }
nav a { padding:.3rem .7rem; border-radius:6px; } nav a:hover { background:#ffffff22; }
nav a[aria-current=page] { background:#fff; color:#0b3d91; font-weight:600; }
.who { margin-left:auto; display:flex; gap:.6rem; align-items:center; }
button.link { background:none; border:0; color:inherit; text-decoration:underline; cursor:pointer; font:inherit; margin:0; padding:0; }
main { padding: 1rem 1.2rem 3rem; max-width: 1400px; }
h1 { font-size:1.5rem; margin:.3rem 0 1rem; } h2 { font-size:1.15rem; margin:1.6rem 0 .6rem; }
table { border-collapse: collapse; width:100%; margin:.4rem 0 1rem; }
th, td { text-align:left; padding:.35rem .6rem; border-bottom:1px solid var(--line); vertical-align:top; }
th { background: var(--bg); font-weight:600; }
td.num, th.num { text-align:right; font-variant-numeric: tabular-nums; }
.site { margin-bottom: 1.4rem; }
.tiles { display:grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap:.6rem; }
.tile { display:block; border-radius:8px; padding:.6rem .8rem; color:#fff; text-decoration:none; min-height:88px; }
.tile strong { display:block; font-size:1.05rem; } .tile small { display:block; opacity:.95; }
.ok { background: var(--ok); } .warning { background: var(--warn); } .unusable { background: var(--bad); }
.offline { background: var(--off); } .never_seen { background: var(--never); }
.badge { white-space:nowrap; display:inline-block; padding:.05rem .5rem; border-radius:999px; color:#fff; font-size:.85rem; font-weight:600; }
.legend { display:flex; gap:.8rem; flex-wrap:wrap; margin-bottom:1rem; }
.notice { padding:.6rem .9rem; border-radius:6px; } .notice.good { background:#dafbe1; } .notice.bad { background:#ffebe9; }
form.inline { display:inline; }
fieldset { border:1px solid var(--line); border-radius:8px; margin:0 0 1rem; padding:.6rem 1rem 1rem; }
label { display:block; margin:.5rem 0 .2rem; font-weight:600; }
input[type=text], input[type=password], input[type=number], select, textarea { font:inherit; padding:.35rem .5rem; border:1px solid #8c959f; border-radius:6px; min-width: 16rem; }
textarea { width:100%; min-height:4rem; }
button, .button { text-decoration:none; display:inline-block; font:inherit; padding:.4rem .9rem; border-radius:6px; border:1px solid #0b3d91; background:#0b3d91; color:#fff; cursor:pointer; margin-top:.6rem; }
button.danger { background: var(--bad); border-color: var(--bad); }
.code { font: 1.8rem/1.2 ui-monospace, monospace; letter-spacing:.1em; padding:.6rem 1rem; background: var(--bg); border:2px dashed var(--line); display:inline-block; }
.grid2 { display:grid; grid-template-columns: repeat(auto-fit, minmax(560px, 1fr)); gap: 1rem 2rem; }
figure { margin:0; } figcaption { font-weight:600; margin:.2rem 0; }
td.name { white-space:nowrap; }
table.monthly { font-size:.9rem; } table.monthly th, table.monthly td { padding:.3rem .4rem; }
label.confirm { display:inline; font-weight:400; }
svg.chart { width:100%; height:auto; max-width: 680px; background:#fff; }
svg.chart text { font: 12px system-ui, sans-serif; fill: var(--ink); }
.muted { color:#57606a; }
.login { max-width: 26rem; }
"#;
