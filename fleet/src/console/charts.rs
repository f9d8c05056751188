//! Charts drawn on the server as SVG: no script, no library to load, readable when
//! printed. Each has a visible caption and a title for screen readers; its scale falls on
//! round numbers.

use maud::{Markup, html};

const W: f64 = 640.0;
const H: f64 = 240.0;
const LEFT: f64 = 56.0;
const BOTTOM: f64 = 30.0;
const TOP: f64 = 12.0;

/// A round step for about four ticks up to `max`, and the scale's top.
fn scale(max: f64) -> (f64, f64) {
    let max = max.max(1.0);
    let raw = max / 4.0;
    let power = 10f64.powf(raw.log10().floor());
    let step =
        [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * power).find(|s| *s >= raw).unwrap_or(10.0 * power).max(1.0);
    (step, (max / step).ceil() * step)
}

/// Vertical bars: one per label, in order.
pub fn bars(caption: &str, items: &[(String, f64)]) -> Markup {
    let (step, top) = scale(items.iter().map(|(_, v)| *v).fold(0.0, f64::max));
    let n = items.len().max(1) as f64;
    let slot = (W - LEFT) / n;
    let bar = (slot * 0.7).max(2.0);
    // A label every so many bars, so that they never run into each other.
    let every = items.len().div_ceil(6).max(1);
    html! {
        figure {
            figcaption { (caption) }
            svg.chart viewBox=(format!("0 0 {W} {H}")) role="img" aria-label=(caption) {
                title { (caption) }
                (axis(step, top, ""))
                @for (i, (label, value)) in items.iter().enumerate() {
                    @let h = (H - TOP - BOTTOM) * value / top;
                    @let x = LEFT + slot * i as f64 + (slot - bar) / 2.0;
                    rect x=(fmt(x)) y=(fmt(H - BOTTOM - h)) width=(fmt(bar)) height=(fmt(h)) fill="#0b3d91" {
                        title { (label) " : " (value) }
                    }
                    @if i % every == 0 {
                        text x=(fmt(x + bar / 2.0)) y=(fmt(H - 9.0)) text-anchor="middle" { (label) }
                    }
                }
            }
        }
    }
}

/// One line over time: `(unix time, value)` points, oldest first, `max` the top of the
/// scale (100 for percentages). Points further apart than `gap` seconds are not joined,
/// so a week offline does not look like a week of steady values; a point alone is a dot.
pub fn line(caption: &str, points: &[(u64, f64)], max: f64, unit: &str, gap: u64) -> Markup {
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return html! { figure { figcaption { (caption) } p.muted { "Aucune donnée sur la période." } } };
    };
    let (step, top) = scale(max);
    let span = (last.0.saturating_sub(first.0)).max(1) as f64;
    let x = |t: u64| LEFT + (W - LEFT - 10.0) * (t.saturating_sub(first.0)) as f64 / span;
    let y = |v: f64| H - BOTTOM - (H - TOP - BOTTOM) * (v / top).clamp(0.0, 1.0);
    let mut runs: Vec<Vec<(u64, f64)>> = Vec::new();
    for p in points {
        match runs.last_mut() {
            Some(run) if run.last().is_some_and(|q| p.0.saturating_sub(q.0) <= gap) => run.push(*p),
            _ => runs.push(vec![*p]),
        }
    }
    let mut days = Vec::new();
    let mut t = crate::time_fmt::next_local_midnight(first.0);
    while t < last.0 && days.len() < 40 {
        days.push(t);
        t = crate::time_fmt::next_local_midnight(t);
    }
    let every = (days.len() / 8).max(1);
    html! {
        figure {
            figcaption { (caption) }
            svg.chart viewBox=(format!("0 0 {W} {H}")) role="img" aria-label=(caption) {
                title { (caption) }
                (axis(step, top, unit))
                @for (i, d) in days.iter().enumerate() {
                    line x1=(fmt(x(*d))) x2=(fmt(x(*d))) y1=(fmt(TOP)) y2=(fmt(H - BOTTOM)) stroke="#eaeef2" {}
                    @if i % every == 0 {
                        text x=(fmt(x(*d))) y=(fmt(H - 9.0)) text-anchor="middle" { (crate::time_fmt::day_month(*d)) }
                    }
                }
                @for run in &runs {
                    @if run.len() == 1 {
                        circle cx=(fmt(x(run[0].0))) cy=(fmt(y(run[0].1))) r="3" fill="#0b3d91" {}
                    } @else {
                        path d=(path(run, &x, &y)) fill="none" stroke="#0b3d91" stroke-width="2" {}
                    }
                }
            }
        }
    }
}

fn path(run: &[(u64, f64)], x: &impl Fn(u64) -> f64, y: &impl Fn(f64) -> f64) -> String {
    run.iter()
        .enumerate()
        .map(|(i, (t, v))| format!("{}{} {} ", if i == 0 { 'M' } else { 'L' }, fmt(x(*t)), fmt(y(*v))))
        .collect()
}

fn axis(step: f64, top: f64, unit: &str) -> Markup {
    let ticks = (top / step).round() as usize;
    html! {
        @for i in 0..=ticks {
            @let v = step * i as f64;
            @let y = H - BOTTOM - (H - TOP - BOTTOM) * v / top;
            line x1=(fmt(LEFT)) x2=(fmt(W)) y1=(fmt(y)) y2=(fmt(y)) stroke="#d0d7de" {}
            text x=(fmt(LEFT - 6.0)) y=(fmt(y + 4.0)) text-anchor="end" { (v) (unit) }
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
    fn scales_fall_on_round_numbers() {
        assert_eq!(scale(1.0), (1.0, 1.0));
        assert_eq!(scale(90.0), (25.0, 100.0));
        assert_eq!(scale(100.0), (25.0, 100.0));
        assert_eq!(scale(231.0), (100.0, 300.0));
        assert_eq!(scale(7.0), (2.0, 8.0));
    }

    #[test]
    fn bars_and_lines_are_captioned_and_lines_break_at_gaps() {
        let svg = bars("Démarches", &[("oct. 2026".into(), 5.0), ("nov. 2026".into(), 10.0)]).into_string();
        assert!(svg.contains("<figcaption>Démarches</figcaption>") && svg.contains("nov. 2026 : 10"));
        let svg = line("Disque", &[(0, 50.0), (300, 40.0), (90_000, 30.0)], 100.0, " %", 3600).into_string();
        assert_eq!((svg.matches("<path").count(), svg.matches("<circle").count()), (1, 1), "{svg}");
        assert!(line("Vide", &[], 1.0, "", 1).into_string().contains("Aucune donnée"));
    }
}
