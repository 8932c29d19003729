//! The report's two inline SVG charts: seven daily bars stacked by verdict,
//! and the top patterns as horizontal bars coloured by severity. Plain SVG
//! 1.1 shapes with a `viewBox`, so they render the same in any browser, with
//! no script, and scale down on a narrow screen.

use super::counts::PatternCount;
use super::report::{Html, escape};
use super::summary::DayBucket;
use crate::schema::{Severity, Verdict};

/// Fill colour of each verdict's bars, weakest verdict first. The report's
/// browser test looks for these exact colours in a screenshot.
pub(crate) const VERDICT_COLOURS: [(Verdict, &str); 5] = [
    (Verdict::Allow, "#2e9e5b"),
    (Verdict::Warn, "#e8a317"),
    (Verdict::Redact, "#3b7dd8"),
    (Verdict::Escalate, "#8e44ad"),
    (Verdict::Block, "#d64541"),
];

/// Fill colour of a top-pattern bar by the highest severity of its
/// matches, most severe first. The report's browser test looks for these
/// exact colours too.
pub(crate) const SEVERITY_COLOURS: [(Severity, &str); 4] = [
    (Severity::Critical, "#7f1d1d"),
    (Severity::High, "#c2410c"),
    (Severity::Medium, "#a16207"),
    (Severity::Low, "#64748b"),
];

/// The bar colour of `severity`.
pub(crate) fn severity_colour(severity: Severity) -> &'static str {
    SEVERITY_COLOURS
        .iter()
        .find(|(s, _)| *s == severity)
        .map_or("#64748b", |(_, c)| c)
}

const CHART_WIDTH: f64 = 540.0;
const DAILY_HEIGHT: f64 = 300.0;
const PLOT_LEFT: f64 = 48.0;
const PLOT_RIGHT: f64 = 12.0;
const PLOT_TOP: f64 = 16.0;
const PLOT_BOTTOM: f64 = 40.0;
const DAY_BAR_WIDTH: f64 = 44.0;

/// Each pattern is a row: its name on one line, its bar under it, so a long
/// name has the chart's whole width and is never clipped at its edge.
const ROW_HEIGHT: f64 = 36.0;
const PATTERN_BAR_HEIGHT: f64 = 12.0;
/// Room right of the longest bar for its count.
const COUNT_WIDTH: f64 = 56.0;
/// Longest label drawn, in characters (about the chart's width at 12 px);
/// the full name is in the table.
const LABEL_CHARS: usize = 70;

/// The smallest of 1, 2, 5 × 10ⁿ that is at least `n` (1 for 0), so the
/// axis ends on a round number.
fn nice_ceiling(n: u64) -> u64 {
    let mut p = 1u64;
    loop {
        for m in [1, 2, 5] {
            match p.checked_mul(m) {
                Some(v) if v >= n => return v,
                Some(_) => {}
                None => return n,
            }
        }
        match p.checked_mul(10) {
            Some(next) => p = next,
            None => return n,
        }
    }
}

/// Daily bars, stacked by verdict from `allow` at the bottom to `block`.
pub(crate) fn daily_chart(out: &mut Html, days: &[DayBucket]) {
    let plot_w = CHART_WIDTH - PLOT_LEFT - PLOT_RIGHT;
    let plot_h = DAILY_HEIGHT - PLOT_TOP - PLOT_BOTTOM;
    let base = PLOT_TOP + plot_h;
    let max = nice_ceiling(days.iter().map(|d| d.verdicts.total()).max().unwrap_or(0));
    let scale = plot_h / max as f64;
    out.put(format_args!(
        "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{CHART_WIDTH}\" \
         height=\"{DAILY_HEIGHT}\" viewBox=\"0 0 {CHART_WIDTH} {DAILY_HEIGHT}\" role=\"img\" \
         aria-labelledby=\"daily-title\"><title id=\"daily-title\">Events per day by verdict, \
         last 7 days (UTC)</title>"
    ));
    for tick in [0, max / 2, max] {
        let y = base - tick as f64 * scale;
        out.put(format_args!(
            "<line x1=\"{PLOT_LEFT}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" class=\"grid\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" class=\"tick\" text-anchor=\"end\">{tick}</text>",
            PLOT_LEFT + plot_w,
            PLOT_LEFT - 6.0,
            y + 4.0
        ));
    }
    let slot = plot_w / days.len().max(1) as f64;
    for (i, day) in days.iter().enumerate() {
        let x = (PLOT_LEFT + slot * i as f64 + (slot - DAY_BAR_WIDTH) / 2.0).round();
        // Segment edges come from running totals rounded to whole pixels, so
        // stacked segments meet exactly: no gap, no overlap.
        let (mut below, mut running) = (base, 0);
        for (verdict, colour) in VERDICT_COLOURS {
            let n = day.verdicts.get(verdict);
            if n == 0 {
                continue;
            }
            running += n;
            let top = (base - running as f64 * scale).round();
            out.put(format_args!(
                "<rect x=\"{x}\" y=\"{top}\" width=\"{DAY_BAR_WIDTH}\" height=\"{}\" \
                 fill=\"{colour}\"><title>{} {verdict}: {n}</title></rect>",
                below - top,
                escape(&day.date)
            ));
            below = top;
        }
        // `MM-DD` under the bar; the year is in the table.
        let label = day.date.get(5..).unwrap_or(&day.date);
        out.put(format_args!(
            "<text x=\"{:.1}\" y=\"{:.1}\" class=\"tick\" text-anchor=\"middle\">{}</text>",
            x + DAY_BAR_WIDTH / 2.0,
            base + 18.0,
            escape(label)
        ));
    }
    if days.iter().all(|d| d.verdicts.total() == 0) {
        out.put(format_args!(
            "<text x=\"{:.1}\" y=\"{:.1}\" class=\"empty\" text-anchor=\"middle\">No events \
             in the last 7 days</text>",
            PLOT_LEFT + plot_w / 2.0,
            PLOT_TOP + plot_h / 2.0
        ));
    }
    out.put(format_args!("</svg>"));
}

/// One horizontal bar per pattern in the order given (most severe first),
/// coloured by the highest severity of its matches.
pub(crate) fn patterns_chart(out: &mut Html, patterns: &[PatternCount]) {
    let height = 8.0 + ROW_HEIGHT * patterns.len().max(2) as f64;
    out.put(format_args!(
        "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{CHART_WIDTH}\" \
         height=\"{height}\" viewBox=\"0 0 {CHART_WIDTH} {height}\" role=\"img\" \
         aria-labelledby=\"patterns-title\"><title id=\"patterns-title\">DLP patterns by \
         severity, then matches</title>"
    ));
    let max = patterns.iter().map(|p| p.count).max().unwrap_or(0).max(1);
    let bar_max = CHART_WIDTH - COUNT_WIDTH;
    for (i, p) in patterns.iter().enumerate() {
        let y = 4.0 + ROW_HEIGHT * i as f64;
        let w = (p.count as f64 / max as f64 * bar_max).max(1.0);
        let colour = severity_colour(p.max_severity);
        out.put(format_args!(
            "<text x=\"0\" y=\"{:.1}\" class=\"label\">{} <tspan class=\"tick\">{}</tspan>\
             </text><rect x=\"0\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{PATTERN_BAR_HEIGHT}\" \
             fill=\"{colour}\"><title>{} ({}), {}: {} matches</title></rect>\
             <text x=\"{:.1}\" y=\"{:.1}\" class=\"tick\">{}</text>",
            y + 12.0,
            escape(&clip(&p.rule_name, LABEL_CHARS)),
            p.max_severity,
            y + 17.0,
            escape(&p.rule_name),
            escape(&p.rule_id),
            p.max_severity,
            p.count,
            w + 6.0,
            y + 27.0,
            p.count
        ));
    }
    if patterns.is_empty() {
        out.put(format_args!(
            "<text x=\"{:.1}\" y=\"{:.1}\" class=\"empty\" text-anchor=\"middle\">No DLP \
             matches</text>",
            CHART_WIDTH / 2.0,
            height / 2.0
        ));
    }
    out.put(format_args!("</svg>"));
}

/// At most `n` characters, with `…` when cut.
fn clip(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((end, _)) => format!("{}…", s.get(..end).unwrap_or(s)),
        None => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_end_on_round_numbers() {
        let got: Vec<u64> = [0, 1, 2, 3, 7, 10, 11, 240, 501].map(nice_ceiling).to_vec();
        assert_eq!(got, [1, 1, 2, 5, 10, 10, 20, 500, 1000]);
        assert_eq!(nice_ceiling(u64::MAX), u64::MAX);
    }

    #[test]
    fn labels_are_clipped_by_characters() {
        assert_eq!(clip("short", 30), "short");
        assert_eq!(clip("ééééé", 3), "ééé…");
    }

    #[test]
    fn every_severity_has_its_own_colour() {
        for s in Severity::ALL {
            let c = severity_colour(s);
            assert_eq!(SEVERITY_COLOURS.iter().filter(|(_, x)| *x == c).count(), 1);
            assert!(VERDICT_COLOURS.iter().all(|(_, v)| *v != c));
        }
    }
}
