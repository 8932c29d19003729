//! `render_html`: an [`AnalyticsSummary`] as one self-contained HTML page —
//! inline CSS and SVG, no script, no external resource (its Content Security
//! Policy forbids loading any), so it can be mailed, archived or opened from
//! disk. Every string from the data (rule names and ids, user ids,
//! hostnames) is escaped. Every number says what it counts, and the page
//! reflows down to a phone's width without scrolling sideways.

use super::actors::Breakdown;
use super::charts::{SEVERITY_COLOURS, VERDICT_COLOURS, daily_chart, patterns_chart};
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
figure{margin:0;min-width:0;max-width:100%}svg.chart{max-width:100%;height:auto}\
.legend{font-size:12px;color:#374151;margin-top:4px}.scroll{overflow-x:auto;max-width:100%}\
.note{color:#6b7280;font-size:12px;margin:-16px 0 24px}\
.key{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px}\
.grid{stroke:#e5e7eb;stroke-width:1}rect{shape-rendering:crispEdges}.tick{font-size:11px;fill:#6b7280}\
.label{font-size:12px;fill:#111827}.empty{font-size:14px;fill:#9ca3af}\
table{border-collapse:collapse;font-size:13px;margin-bottom:24px}\
th,td{border-bottom:1px solid #e5e7eb;padding:4px 10px;text-align:right}\
th:first-child,td:first-child,.text{text-align:left}\
td.text{overflow-wrap:break-word}td.date{white-space:nowrap}\
@media (max-width:640px){body{margin:12px}.tile{flex:1 1 40%;min-width:0}\
th,td{padding:4px 6px}}";

/// The summary as a complete HTML document titled `title`: headline numbers,
/// a stacked bar chart of the seven days by verdict, a bar chart of the DLP
/// patterns most severe first, the same numbers as tables, and who and where:
/// the most dangerous users, AI tools and hostnames.
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
    for (severity, colour) in SEVERITY_COLOURS {
        out.put(format_args!(".key.sev-{severity}{{background:{colour}}}"));
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
    out.put(format_args!(
        "</div></figure><figure><h2>DLP patterns, most severe first</h2>"
    ));
    patterns_chart(&mut out, &summary.top_patterns);
    out.put(format_args!("<div class=\"legend\">"));
    for (severity, _) in SEVERITY_COLOURS {
        out.put(format_args!(
            "<span class=\"key sev-{severity}\"></span>{severity}"
        ));
    }
    out.put(format_args!("</div></figure></div>"));

    daily_table(&mut out, summary);
    patterns_table(&mut out, summary);
    breakdown_table(&mut out, "Users", "User", &summary.by_user);
    breakdown_table(&mut out, "AI tools", "Tool", &summary.by_tool);
    breakdown_table(
        &mut out,
        "AI tool hostnames",
        "Hostname",
        &summary.by_hostname,
    );
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

/// The headline numbers, each labelled with what it counts.
fn tiles(out: &mut Html, s: &AnalyticsSummary) {
    let mut tiles: Vec<(String, u64)> = vec![("events".into(), s.events)];
    tiles.extend(Verdict::ALL.map(|v| (format!("events with verdict {v}"), s.verdicts.get(v))));
    tiles.extend([
        ("events with a DLP match".into(), s.dlp_events),
        ("events blocked by DLP".into(), s.blocked_by_dlp),
        (
            "events with a high or critical match".into(),
            s.high_or_above_events,
        ),
        ("events with a critical match".into(), s.critical_events),
        ("DLP matches (one per finding)".into(), s.dlp_matches),
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
        "<h2>Per day</h2><div class=\"scroll\"><table><thead><tr><th>Date (UTC)</th>"
    ));
    for v in Verdict::ALL {
        out.put(format_args!("<th>{v} events</th>"));
    }
    out.put(format_args!(
        "<th>events with a DLP match</th><th>events with a high or critical match</th>\
         <th>DLP matches</th></tr></thead><tbody>"
    ));
    for d in &s.daily {
        out.put(format_args!(
            "<tr><td class=\"date\">{}</td>",
            escape(&d.date)
        ));
        for v in Verdict::ALL {
            out.put(format_args!("<td>{}</td>", d.verdicts.get(v)));
        }
        out.put(format_args!(
            "<td>{}</td><td>{}</td><td>{}</td></tr>",
            d.dlp_events, d.high_or_above_events, d.dlp_matches
        ));
    }
    out.put(format_args!("</tbody></table></div>"));
}

fn patterns_table(out: &mut Html, s: &AnalyticsSummary) {
    out.put(format_args!(
        "<h2>DLP patterns, most severe first</h2><div class=\"scroll\"><table><thead><tr>\
         <th>#</th><th class=\"text\">Rule</th><th class=\"text\">Rule id</th>\
         <th class=\"text\">Highest severity</th><th>Matches</th></tr></thead><tbody>"
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
    out.put(format_args!("</tbody></table></div>"));
}

/// Who or where: one row per key, most dangerous first, and a note on the
/// events no row holds.
fn breakdown_table(out: &mut Html, heading: &str, key: &str, b: &Breakdown) {
    out.put(format_args!(
        "<h2>{heading}, most dangerous first</h2><div class=\"scroll\"><table><thead><tr>\
         <th class=\"text\">{key}</th><th>events</th><th>blocked</th><th>escalated</th>\
         <th>events with a DLP match</th><th>events with a high or critical match</th>\
         <th>events with a critical match</th></tr></thead><tbody>"
    ));
    for r in &b.top {
        out.put(format_args!(
            "<tr><td class=\"text\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td>{}</td></tr>",
            escape(&r.key),
            r.events,
            r.blocked,
            r.escalated,
            r.dlp_events,
            r.high_or_above_events,
            r.critical_events
        ));
    }
    if b.top.is_empty() {
        out.put(format_args!(
            "<tr><td colspan=\"7\" class=\"text\">No events name one.</td></tr>"
        ));
    }
    out.put(format_args!("</tbody></table></div><p class=\"note\">"));
    let shown = b.top.len() as u64;
    if b.distinct > shown {
        out.put(format_args!(
            "The {shown} most dangerous of {} {}. ",
            b.distinct,
            heading.to_lowercase()
        ));
    }
    if b.unknown_events > 0 {
        out.put(format_args!(
            "{} events did not say their {}. ",
            b.unknown_events,
            key.to_lowercase()
        ));
    }
    if b.untracked_events > 0 {
        out.put(format_args!(
            "{} events came from {} first seen after {} were already counted, and are in no row.",
            b.untracked_events,
            heading.to_lowercase(),
            super::actors::MAX_TRACKED_KEYS
        ));
    }
    out.put(format_args!("</p>"));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::charts::severity_colour;
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
        let high = severity_colour(Severity::High);
        assert_eq!(html.matches(&format!("fill=\"{high}\"")).count(), 1);
        assert!(html.contains("<td class=\"date\">2026-11-22</td>"));
        assert!(html.contains("<td class=\"text\">AWS key</td>"));
    }

    #[test]
    fn shows_who_and_where_most_dangerous_first() {
        let mut records = with_match("e1", NOW, Verdict::Block, "secrets.aws", Severity::Critical);
        records.extend(with_match(
            "e2",
            NOW,
            Verdict::Allow,
            "pii.ip",
            Severity::Low,
        ));
        records.extend(with_match(
            "e3",
            NOW,
            Verdict::Allow,
            "pii.ip",
            Severity::Low,
        ));
        for (r, (user, host)) in records.iter_mut().zip([
            ("<u>mallory</u>", "chat.openai.com"),
            ("", ""),
            ("alice", "claude.ai"),
            ("", ""),
            ("alice", "claude.ai"),
        ]) {
            if let Record::Event(e) = r {
                e.identity.user_id = Some(user.into());
                e.tool.hostname = Some(host.into());
                e.tool.tool = None;
            }
        }
        let s = Analytics::summarize(&records, NOW, AnalyticsOptions::default());
        assert_eq!(s.by_user.top[0].key, "<u>mallory</u>");
        assert_eq!(s.by_user.top[1].events, 2);
        assert_eq!(s.by_tool.unknown_events, 3);
        let html = render_html(&s, "Weekly");
        let mallory = html.find("&lt;u&gt;mallory&lt;/u&gt;").unwrap();
        let alice = html.find("<td class=\"text\">alice</td>").unwrap();
        assert!(mallory < alice, "most dangerous first");
        assert!(html.contains("<h2>Users, most dangerous first</h2>"));
        assert!(html.contains("<h2>AI tool hostnames, most dangerous first</h2>"));
        assert!(html.contains("3 events did not say their tool."));
        assert!(!html.contains("<u>"));
    }

    #[test]
    fn labels_every_number_and_never_scrolls_sideways() {
        let html = render_html(&summary("secrets.aws", "AWS key"), "Weekly");
        assert!(html.contains("<span>events with a high or critical match</span>"));
        assert!(!html.contains("<span>high or critical</span>"));
        // Every table scrolls inside its own box; charts shrink to fit.
        assert_eq!(
            html.matches("<table>").count(),
            html.matches("<div class=\"scroll\"><table>").count()
        );
        assert!(html.contains("svg.chart{max-width:100%;height:auto}"));
        assert!(html.contains("@media (max-width:640px)"));
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
