//! `render_html`: an [`AnalyticsSummary`] as one self-contained HTML page —
//! inline CSS and SVG, no script, no external resource (its Content Security
//! Policy forbids loading any), so it can be mailed, archived or opened from
//! disk. Every string from the data (rule names and ids above all) is
//! escaped.

use super::charts::{VERDICT_COLOURS, daily_chart, patterns_chart};
use super::summary::AnalyticsSummary;
use crate::schema::Verdict;
use std::fmt::Write;

/// An HTML document being written.
#[derive(Debug, Default)]
pub(crate) struct Html(String);

impl Html {
    pub(crate) fn put(&mut self, args: std::fmt::Arguments<'_>) {
        // Writing to a `String` cannot fail.
        let _ = self.0.write_fmt(args);
    }
}

/// `s` with the five characters HTML gives meaning to replaced, safe in text
/// and in quoted attribute values alike.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;\
margin:24px;color:#1f2937;background:#fff}h1{font-size:22px;margin:0 0 4px}\
h2{font-size:16px;margin:0 0 8px}.meta{color:#6b7280;font-size:13px;margin:0 0 16px}\
.tiles{display:flex;flex-wrap:wrap;gap:8px;margin-bottom:16px}\
.tile{border:1px solid #e5e7eb;border-radius:6px;padding:8px 12px;min-width:92px}\
.tile b{display:block;font-size:20px}.tile span{color:#6b7280;font-size:12px}\
.charts{display:flex;flex-wrap:wrap;gap:24px;margin-bottom:24px}\
figure{margin:0}.legend{font-size:12px;color:#374151;margin-top:4px}\
.key{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px}\
.grid{stroke:#e5e7eb;stroke-width:1}rect{shape-rendering:crispEdges}.tick{font-size:11px;fill:#6b7280}\
.label{font-size:12px;fill:#111827}.empty{font-size:14px;fill:#9ca3af}\
table{border-collapse:collapse;font-size:13px;margin-bottom:24px}\
th,td{border-bottom:1px solid #e5e7eb;padding:4px 10px;text-align:right}\
th:first-child,td:first-child,.text{text-align:left}";

/// The summary as a complete HTML document titled `title`: headline numbers,
/// a stacked bar chart of the seven days by verdict, a bar chart of the top
/// patterns, and the same numbers as tables.
pub fn render_html(summary: &AnalyticsSummary, title: &str) -> String {
    let mut out = Html::default();
    let title = escape(title);
    out.put(format_args!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'\"><meta name=\"viewport\" \
         content=\"width=device-width, initial-scale=1\"><title>{title}</title><style>{STYLE}"
    ));
    for (verdict, colour) in VERDICT_COLOURS {
        out.put(format_args!(".key.{verdict}{{background:{colour}}}"));
    }
    out.put(format_args!("</style></head><body><h1>{title}</h1>"));
    meta(&mut out, summary);
    tiles(&mut out, summary);

    out.put(format_args!(
        "<div class=\"charts\"><figure><h2>Last 7 days (UTC)</h2>"
    ));
    daily_chart(&mut out, &summary.daily);
    out.put(format_args!("<div class=\"legend\">"));
    for (verdict, _) in VERDICT_COLOURS {
        out.put(format_args!(
            "<span class=\"key {verdict}\"></span>{verdict}"
        ));
    }
    out.put(format_args!("</div></figure><figure><h2>Top patterns</h2>"));
    patterns_chart(&mut out, &summary.top_patterns);
    out.put(format_args!("</figure></div>"));

    daily_table(&mut out, summary);
    patterns_table(&mut out, summary);
    out.put(format_args!("</body></html>\n"));
    out.0
}

fn meta(out: &mut Html, s: &AnalyticsSummary) {
    out.put(format_args!(
        "<p class=\"meta\">Generated for {}. ",
        escape(&s.generated_at)
    ));
    match (&s.oldest, &s.newest) {
        (Some(oldest), Some(newest)) => out.put(format_args!(
            "Records from {} to {}. ",
            escape(oldest),
            escape(newest)
        )),
        _ => out.put(format_args!("No records. ")),
    }
    if s.capped {
        out.put(format_args!(
            "Capped at the newest {} events: {} older events and {} of their DLP matches \
             were left out. ",
            s.scan_cap.unwrap_or(0),
            s.events_skipped,
            s.dlp_matches_skipped
        ));
    }
    if s.invalid_timestamps > 0 {
        out.put(format_args!(
            "{} records had no valid timestamp and were left out.",
            s.invalid_timestamps
        ));
    }
    out.put(format_args!("</p>"));
}

fn tiles(out: &mut Html, s: &AnalyticsSummary) {
    let mut tiles: Vec<(String, u64)> = vec![("events".into(), s.events)];
    tiles.extend(Verdict::ALL.map(|v| (v.to_string(), s.verdicts.get(v))));
    tiles.extend([
        ("DLP events".into(), s.dlp_events),
        ("blocked by DLP".into(), s.blocked_by_dlp),
        ("high or critical".into(), s.high_or_above_events),
        ("critical".into(), s.critical_events),
        ("DLP matches".into(), s.dlp_matches),
    ]);
    out.put(format_args!("<div class=\"tiles\">"));
    for (name, n) in tiles {
        out.put(format_args!(
            "<div class=\"tile\"><b>{n}</b><span>{}</span></div>",
            escape(&name)
        ));
    }
    out.put(format_args!("</div>"));
}

fn daily_table(out: &mut Html, s: &AnalyticsSummary) {
    out.put(format_args!(
        "<h2>Per day</h2><table><thead><tr><th>Date (UTC)</th>"
    ));
    for v in Verdict::ALL {
        out.put(format_args!("<th>{v}</th>"));
    }
    out.put(format_args!(
        "<th>DLP events</th><th>high or critical</th><th>DLP matches</th></tr></thead><tbody>"
    ));
    for d in &s.daily {
        out.put(format_args!("<tr><td>{}</td>", escape(&d.date)));
        for v in Verdict::ALL {
            out.put(format_args!("<td>{}</td>", d.verdicts.get(v)));
        }
        out.put(format_args!(
            "<td>{}</td><td>{}</td><td>{}</td></tr>",
            d.dlp_events, d.high_or_above_events, d.dlp_matches
        ));
    }
    out.put(format_args!("</tbody></table>"));
}

fn patterns_table(out: &mut Html, s: &AnalyticsSummary) {
    out.put(format_args!(
        "<h2>Top patterns</h2><table><thead><tr><th>#</th><th class=\"text\">Rule</th><th class=\"text\">Rule id</th>\
         <th class=\"text\">Max severity</th><th>Matches</th></tr></thead><tbody>"
    ));
    for (i, p) in s.top_patterns.iter().enumerate() {
        out.put(format_args!(
            "<tr><td>{}</td><td class=\"text\">{}</td><td class=\"text\">{}</td>\
             <td class=\"text\">{}</td><td>{}</td></tr>",
            i + 1,
            escape(&p.rule_name),
            escape(&p.rule_id),
            p.max_severity,
            p.count
        ));
    }
    if s.top_patterns.is_empty() {
        out.put(format_args!(
            "<tr><td colspan=\"5\" class=\"text\">No DLP matches.</td></tr>"
        ));
    }
    out.put(format_args!("</tbody></table>"));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::charts::PATTERN_COLOUR;
    use crate::analytics::fixtures::{NOW, with_match};
    use crate::analytics::{Analytics, AnalyticsOptions};
    use crate::schema::{Record, Severity};

    fn summary(rule_id: &str, rule_name: &str) -> AnalyticsSummary {
        let mut records = with_match("e", NOW, Verdict::Block, rule_id, Severity::High);
        if let Some(Record::DlpMatch(m)) = records.get_mut(1) {
            m.rule_name = rule_name.to_owned();
        }
        Analytics::summarize(&records, NOW, AnalyticsOptions::default())
    }

    #[test]
    fn escapes_every_string_from_the_data() {
        let hostile = "<script>alert('x')</script>&\"";
        let html = render_html(&summary("r\"><img src=x>", hostile), "Report <b>");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"));
        assert!(!html.contains("Report <b>"));
        assert!(html.contains("<h1>Report &lt;b&gt;</h1>"));
        assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;"));
        assert!(html.contains("<title>Report &lt;b&gt;</title>"));
    }

    #[test]
    fn is_self_contained() {
        let html = render_html(&summary("secrets.aws", "AWS key"), "Weekly");
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains("default-src 'none'"));
        // The only URL is the SVG namespace, which is a name, not a fetch.
        let urls = html.matches("://").count();
        let namespaces = html.matches("xmlns=\"http://www.w3.org/2000/svg\"").count();
        assert_eq!((urls, namespaces), (2, 2));
        assert!(!html.contains("<script") && !html.contains("src="));
    }

    #[test]
    fn draws_one_bar_per_verdict_per_day_and_per_pattern() {
        let html = render_html(&summary("secrets.aws", "AWS key"), "Weekly");
        let block = VERDICT_COLOURS[4].1;
        assert_eq!(html.matches(&format!("fill=\"{block}\"")).count(), 1);
        assert_eq!(
            html.matches(&format!("fill=\"{PATTERN_COLOUR}\"")).count(),
            1
        );
        assert!(html.contains("<td>2026-11-22</td>"));
        assert!(html.contains("<td class=\"text\">AWS key</td>"));
    }

    #[test]
    fn says_so_when_there_is_nothing() {
        let empty = Analytics::summarize(&[], NOW, AnalyticsOptions::default());
        let html = render_html(&empty, "Empty");
        assert!(html.contains("No events in the last 7 days"));
        assert!(html.contains("No DLP matches"));
        assert!(html.contains("No records."));
    }
}
