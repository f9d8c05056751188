//! Charts drawn on the server as SVG: no script, no library to load, readable when
//! printed. Each has a title for screen readers, and the numbers are also in a table.

use maud::{Markup, html};

const W: f64 = 640.0;
const H: f64 = 220.0;
const LEFT: f64 = 48.0;
const BOTTOM: f64 = 28.0;
const TOP: f64 = 12.0;

/// Vertical bars: one per label, in order.
pub fn bars(title: &str, items: &[(String, f64)]) -> Markup {
    let max = items.iter().map(|(_, v)| *v).fold(0.0, f64::max).max(1.0);
    let n = items.len().max(1) as f64;
    let step = (W - LEFT) / n;
    let bar = (step * 0.7).max(2.0);
    let every = (items.len() / 12).max(1);
    html! {
        svg.chart viewBox=(format!("0 0 {W} {H}")) role="img" aria-label=(title) {
            title { (title) }
            (axis(max, "%g"))
            @for (i, (label, value)) in items.iter().enumerate() {
                @let h = (H - TOP - BOTTOM) * value / max;
                @let x = LEFT + step * i as f64 + (step - bar) / 2.0;
                rect x=(fmt(x)) y=(fmt(H - BOTTOM - h)) width=(fmt(bar)) height=(fmt(h)) fill="#0b3d91" {
                    title { (label) " : " (value) }
                }
                @if i % every == 0 {
                    text x=(fmt(x + bar / 2.0)) y=(fmt(H - 8.0)) text-anchor="middle" { (label) }
                }
            }
        }
    }
}

/// One line over time: `(unix time, value)` points, oldest first, `max` the top of the
/// scale (100 for percentages). Gaps longer than `gap` seconds break the line, so a week
/// offline does not look like a week of steady values.
pub fn line(title: &str, points: &[(u64, f64)], max: f64, unit: &str, gap: u64) -> Markup {
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return html! { p.muted { (title) " : aucune donnée sur la période." } };
    };
    let span = (last.0.saturating_sub(first.0)).max(1) as f64;
    let x = |t: u64| LEFT + (W - LEFT - 8.0) * (t.saturating_sub(first.0)) as f64 / span;
    let y = |v: f64| H - BOTTOM - (H - TOP - BOTTOM) * (v / max).clamp(0.0, 1.0);
    let mut paths = Vec::new();
    let mut current = String::new();
    let mut previous: Option<u64> = None;
    for (t, v) in points {
        let jump = previous.is_some_and(|p| t.saturating_sub(p) > gap);
        let op = if current.is_empty() || jump { 'M' } else { 'L' };
        if jump && !current.is_empty() {
            paths.push(std::mem::take(&mut current));
        }
        current.push_str(&format!("{op}{} {} ", fmt(x(*t)), fmt(y(*v))));
        previous = Some(*t);
    }
    paths.push(current);
    html! {
        svg.chart viewBox=(format!("0 0 {W} {H}")) role="img" aria-label=(title) {
            title { (title) }
            (axis(max, unit))
            @for d in &paths { path d=(d) fill="none" stroke="#0b3d91" stroke-width="2" {} }
            text x=(fmt(LEFT)) y=(fmt(H - 8.0)) { (crate::time_fmt::minute(first.0)) }
            text x=(fmt(W - 8.0)) y=(fmt(H - 8.0)) text-anchor="end" { (crate::time_fmt::minute(last.0)) }
        }
    }
}

fn axis(max: f64, unit: &str) -> Markup {
    html! {
        @for i in 0..=4 {
            @let v = max * f64::from(i) / 4.0;
            @let y = H - BOTTOM - (H - TOP - BOTTOM) * f64::from(i) / 4.0;
            line x1=(fmt(LEFT)) x2=(fmt(W)) y1=(fmt(y)) y2=(fmt(y)) stroke="#d0d7de" {}
            text x=(fmt(LEFT - 6.0)) y=(fmt(y + 4.0)) text-anchor="end" { (unit.replace("%g", &format!("{}", v.round()))) }
        }
    }
}

fn fmt(v: f64) -> String {
    format!("{v:.1}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_and_lines_break_at_gaps() {
        let svg = bars("Démarches", &[("2026-10".into(), 5.0), ("2026-11".into(), 10.0)]).into_string();
        assert!(svg.contains("<title>Démarches</title>"));
        assert!(svg.contains("2026-11 : 10"));
        let svg = line("Disque", &[(0, 50.0), (300, 40.0), (90_000, 30.0)], 100.0, "%g %", 3600).into_string();
        assert_eq!(svg.matches("<path").count(), 2, "{svg}");
        assert!(line("Vide", &[], 1.0, "", 1).into_string().contains("aucune donnée"));
    }
}
