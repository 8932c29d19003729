//! The HTML report as a browser draws it: renders a report with known
//! numbers, screenshots it with headless Chromium
//! (`scripts/browser/screenshot.sh`) and checks the pixels — the bar colours
//! appear where the charts are, in areas proportional to the counts, and the
//! page has text, so a report that loads but draws nothing (or draws the
//! wrong numbers) fails.
//!
//! Needs Chromium (`scripts/browser/install.sh`, as root) and bash; run with
//! `cargo test -p govstream --test report_browser -- --ignored`. Set
//! `GOVSTREAM_REPORT_SCREENSHOT=<file.png>` to keep the screenshot.

// The screenshot is decoded with flate2, which the default `http` feature
// brings in.
#![cfg(feature = "http")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use govstream::analytics::{Analytics, AnalyticsOptions, render_html};
use govstream::clock::rfc3339_ms;
use govstream::policy::{EvaluationContext, Policy};
use govstream::schema::{Record, Severity, Verdict};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

/// 2026-11-22T09:20:00.000Z.
const NOW: i64 = 1_795_339_200_000;
const DAY: i64 = 86_400_000;

/// Must match `VERDICT_COLOURS` and `SEVERITY_COLOURS` in
/// `core/src/analytics/charts.rs`.
const VERDICT_RGB: [(Verdict, [u8; 3]); 5] = [
    (Verdict::Allow, [0x2e, 0x9e, 0x5b]),
    (Verdict::Warn, [0xe8, 0xa3, 0x17]),
    (Verdict::Redact, [0x3b, 0x7d, 0xd8]),
    (Verdict::Escalate, [0x8e, 0x44, 0xad]),
    (Verdict::Block, [0xd6, 0x45, 0x41]),
];
const SEVERITY_RGB: [(Severity, [u8; 3]); 4] = [
    (Severity::Critical, [0x7f, 0x1d, 0x1d]),
    (Severity::High, [0xc2, 0x41, 0x0c]),
    (Severity::Medium, [0xa1, 0x62, 0x07]),
    (Severity::Low, [0x64, 0x74, 0x8b]),
];

/// Matches per pattern and their severity, in the order the report must
/// draw them: most severe first, then most frequent — the rare critical key
/// above the common email addresses. The names are hostile on purpose (they
/// are data, and must be escaped, not interpreted).
const PATTERNS: [(&str, &str, u64, Severity); 6] = [
    ("secrets.aws", "AWS access key", 4, Severity::Critical),
    ("fin.card", "<script>alert(1)</script>", 12, Severity::High),
    ("pii.email", "<b>Email</b> address", 40, Severity::Medium),
    ("pii.phone", "Phone & \"fax\"", 20, Severity::Medium),
    (
        "custom.project",
        "Project Zeus code name",
        8,
        Severity::Medium,
    ),
    ("pii.ip", "IP address", 30, Severity::Low),
];

/// Events per verdict on day `d` (0 = six days ago, 6 = today).
fn per_day(d: i64, v: Verdict) -> i64 {
    match v {
        Verdict::Allow => 10 + 2 * d,
        Verdict::Warn => 5,
        Verdict::Redact => 4,
        Verdict::Escalate => 3,
        Verdict::Block => 6 + d,
    }
}

fn records() -> Vec<Record> {
    let mut out = Vec::new();
    let today = NOW - NOW.rem_euclid(DAY);
    let policy = Policy::default_policy().unwrap();
    let template = policy
        .evaluate("hello", &EvaluationContext::default())
        .event
        .unwrap();
    let mut n = 0;
    for d in 0..7 {
        for (v, _) in VERDICT_RGB {
            for _ in 0..per_day(d, v) {
                let mut e = template.clone();
                e.event_id = format!("e{n:05}");
                e.timestamp = rfc3339_ms(today - (6 - d) * DAY + n);
                e.verdict = v;
                e.event_type = v.event_type();
                if v == Verdict::Block {
                    e.dlp.is_dlp_event = true;
                    e.dlp.blocked_by_dlp = true;
                    e.dlp.max_severity = Some(Severity::High);
                    e.dlp.high_or_above = 1;
                    e.dlp.total_matches = 1;
                }
                out.push(Record::from(e));
                n += 1;
            }
        }
    }
    let mut m = policy
        .evaluate("key AKIAIOSFODNN7EXAMPLE", &EvaluationContext::default())
        .dlp_matches
        .remove(0);
    // Shuffled, so the order drawn comes from the report, not the input.
    for (rule_id, name, count, severity) in PATTERNS.iter().rev() {
        for i in 0..*count {
            m.match_id = format!("{rule_id}:{i}");
            m.rule_id = (*rule_id).into();
            m.rule_name = (*name).into();
            m.severity = *severity;
            m.timestamp = rfc3339_ms(NOW - 1000);
            out.push(Record::from(m.clone()));
        }
    }
    out
}

struct Image {
    width: usize,
    height: usize,
    rgb: Vec<[u8; 3]>,
}

impl Image {
    fn at(&self, x: usize, y: usize) -> [u8; 3] {
        self.rgb[y * self.width + x]
    }
}

/// Decodes the PNGs Chromium writes: 8-bit RGB or RGBA, not interlaced
/// (PNG specification, 2nd edition, W3C: chunks §5, filters §9).
fn decode_png(bytes: &[u8]) -> Image {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    let (mut pos, mut idat) = (8, Vec::new());
    let (mut width, mut height, mut channels) = (0, 0, 0);
    while pos + 8 <= bytes.len() {
        let len = u32::from_be_bytes(bytes[pos..pos + 4].try_into().unwrap()) as usize;
        let kind = &bytes[pos + 4..pos + 8];
        let data = &bytes[pos + 8..pos + 8 + len];
        match kind {
            b"IHDR" => {
                width = u32::from_be_bytes(data[0..4].try_into().unwrap()) as usize;
                height = u32::from_be_bytes(data[4..8].try_into().unwrap()) as usize;
                assert_eq!(data[8], 8, "bit depth");
                channels = match data[9] {
                    2 => 3,
                    6 => 4,
                    other => panic!("colour type {other}"),
                };
                assert_eq!(data[12], 0, "interlaced");
            }
            b"IDAT" => idat.extend_from_slice(data),
            b"IEND" => break,
            _ => {}
        }
        pos += 12 + len;
    }
    let mut raw = Vec::new();
    flate2::read::ZlibDecoder::new(&idat[..])
        .read_to_end(&mut raw)
        .unwrap();
    let stride = width * channels;
    assert_eq!(raw.len(), height * (stride + 1), "image data length");
    let mut pixels = vec![0u8; height * stride];
    for y in 0..height {
        let filter = raw[y * (stride + 1)];
        for i in 0..stride {
            let x = raw[y * (stride + 1) + 1 + i];
            let a = if i >= channels {
                pixels[y * stride + i - channels]
            } else {
                0
            };
            let b = if y > 0 {
                pixels[(y - 1) * stride + i]
            } else {
                0
            };
            let c = if y > 0 && i >= channels {
                pixels[(y - 1) * stride + i - channels]
            } else {
                0
            };
            let predicted = match filter {
                0 => 0,
                1 => a,
                2 => b,
                3 => ((u16::from(a) + u16::from(b)) / 2) as u8,
                4 => paeth(a, b, c),
                other => panic!("filter {other}"),
            };
            pixels[y * stride + i] = x.wrapping_add(predicted);
        }
    }
    let rgb = pixels
        .chunks(channels)
        .map(|p| [p[0], p[1], p[2]])
        .collect();
    Image { width, height, rgb }
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = i16::from(a) + i16::from(b) - i16::from(c);
    let (pa, pb, pc) = (
        (p - i16::from(a)).abs(),
        (p - i16::from(b)).abs(),
        (p - i16::from(c)).abs(),
    );
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

fn close(p: [u8; 3], want: [u8; 3]) -> bool {
    p.iter().zip(want).all(|(&a, b)| a.abs_diff(b) <= 3)
}

/// Pixels of `colour`, and their bounding box `(x0, y0, x1, y1)`.
fn find(img: &Image, colour: [u8; 3]) -> (u64, (usize, usize, usize, usize)) {
    let (mut n, mut bbox) = (0, (usize::MAX, usize::MAX, 0, 0));
    for y in 0..img.height {
        for x in 0..img.width {
            if close(img.at(x, y), colour) {
                n += 1;
                bbox = (bbox.0.min(x), bbox.1.min(y), bbox.2.max(x), bbox.3.max(y));
            }
        }
    }
    (n, bbox)
}

fn screenshot(html: &str) -> Image {
    let dir = std::env::temp_dir().join(format!("govstream-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let page = dir.join("report.html");
    let png = dir.join("report.png");
    std::fs::write(&page, html).unwrap();
    let script: PathBuf =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/browser/screenshot.sh");
    let status = Command::new("bash")
        .arg(&script)
        .arg(&page)
        .arg(&png)
        .status()
        .unwrap();
    assert!(status.success(), "screenshot failed: {status}");
    let bytes = std::fs::read(&png).unwrap();
    if let Some(keep) = std::env::var_os("GOVSTREAM_REPORT_SCREENSHOT") {
        std::fs::copy(&png, keep).unwrap();
    }
    std::fs::remove_dir_all(&dir).unwrap();
    decode_png(&bytes)
}

#[test]
#[ignore = "needs Chromium"]
fn the_report_draws_its_numbers() {
    let options = AnalyticsOptions {
        scan_cap: None,
        ..AnalyticsOptions::default()
    };
    let summary = Analytics::summarize(&records(), NOW, options);
    let img = screenshot(&render_html(&summary, "Weekly AI usage <report>"));
    assert_eq!((img.width, img.height), (1200, 900));

    // Not blank: a good share of the page is neither white nor near-white.
    let inked = img
        .rgb
        .iter()
        .filter(|p| p.iter().any(|&c| c < 200))
        .count();
    assert!(
        inked > img.rgb.len() / 30,
        "page looks blank: {inked} inked pixels"
    );

    // The stacked daily bars: each verdict's area is proportional to its
    // events (same bar width, heights on one scale); per event, every colour
    // covers the same area within 5% (legend swatches and rounding to whole
    // pixels make up the difference).
    let mut per_event = Vec::new();
    let mut chart = (usize::MAX, usize::MAX, 0, 0);
    for (v, rgb) in VERDICT_RGB {
        let (n, bbox) = find(&img, rgb);
        let events: i64 = (0..7).map(|d| per_day(d, v)).sum();
        assert!(n > 1000, "{v}: only {n} pixels");
        per_event.push((v, n as f64 / events as f64));
        chart = (
            chart.0.min(bbox.0),
            chart.1.min(bbox.1),
            chart.2.max(bbox.2),
            chart.3.max(bbox.3),
        );
    }
    let mean = per_event.iter().map(|p| p.1).sum::<f64>() / per_event.len() as f64;
    for (v, area) in &per_event {
        assert!(
            (area / mean - 1.0).abs() < 0.05,
            "{v}: {area:.0} px per event, mean {mean:.0}"
        );
    }
    // Block grows by one event a day: today's bar is taller than the first
    // day's (longest vertical run, so a legend swatch below does not count).
    let block = VERDICT_RGB[4].1;
    let tallest_run = |x: usize| {
        let (mut best, mut run) = (0, 0);
        for y in chart.1..=chart.3 {
            run = if close(img.at(x, y), block) {
                run + 1
            } else {
                0
            };
            best = best.max(run);
        }
        best
    };
    let runs: Vec<usize> = (chart.0..=chart.2).map(tallest_run).collect();
    let first = runs.iter().position(|&h| h > 0).unwrap();
    let last = runs.iter().rposition(|&h| h > 0).unwrap();
    assert!(
        runs[last] > runs[first] * 3 / 2,
        "block bars do not grow: {} then {}",
        runs[first],
        runs[last]
    );

    // The pattern bars: one per pattern, right of the daily chart, in the
    // order of PATTERNS (most severe first), each in its severity's colour,
    // lengths in proportion to the counts. Legend swatches (10 px) are not
    // bars.
    let colour_of = |p: [u8; 3]| {
        SEVERITY_RGB
            .iter()
            .find(|(_, c)| close(p, *c))
            .map(|(s, _)| *s)
    };
    let x0 = chart.2 + 1;
    let mut bars: Vec<(Severity, usize)> = Vec::new();
    let mut in_bar = false;
    for y in 0..img.height {
        // The longest stretch of one severity's colour on this row: a bar,
        // not scattered text pixels.
        let (mut run, mut best, mut prev) = (0, (0, Severity::Low), None);
        for x in x0..img.width {
            let c = colour_of(img.at(x, y));
            run = if c.is_some() && c == prev {
                run + 1
            } else {
                usize::from(c.is_some())
            };
            prev = c;
            if let Some(c) = c
                && run > best.0
            {
                best = (run, c);
            }
        }
        let (run, colour) = best;
        let is_bar = run > 16;
        match (is_bar, in_bar) {
            (true, false) => bars.push((colour, run)),
            (true, true) => {
                let last = bars.last_mut().unwrap();
                last.1 = last.1.max(run);
            }
            _ => {}
        }
        in_bar = is_bar;
    }
    assert_eq!(bars.len(), PATTERNS.len(), "pattern bars: {bars:?}");
    let longest = PATTERNS.iter().map(|p| p.2).max().unwrap();
    let widest = bars.iter().map(|b| b.1).max().unwrap();
    for ((severity, bar), (id, _, count, want_severity)) in bars.iter().zip(PATTERNS) {
        assert_eq!(*severity, want_severity, "{id}: colour");
        let want = widest as f64 * count as f64 / longest as f64;
        assert!(
            (*bar as f64 - want).abs() <= 3.0,
            "{id}: {bar} px, want {want:.0}"
        );
    }

    // Text: the title and the tiles above the charts are dark pixels.
    let text = (0..chart.1)
        .flat_map(|y| (0..img.width).map(move |x| (x, y)))
        .filter(|&(x, y)| img.at(x, y).iter().all(|&c| c < 90))
        .count();
    assert!(text > 500, "no text above the charts ({text} dark pixels)");
}
