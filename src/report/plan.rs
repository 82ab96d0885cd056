//! Writers for a reintroduction [`Plan`]: text by day for a terminal, JSON as data, and
//! one self-contained HTML page with an inline SVG timeline that prints on A4.
//!
//! They only consume a `Plan`; every date, wait and reason is already in it. Untrusted
//! text (product names, ingredient names, errors quoting a label) is cleaned of control
//! characters for the terminal and escaped for HTML.

use std::fmt::Write as _;
use std::io::Write;

use anstyle::{AnsiColor, Style};

use super::sanitize;
use crate::assess::{Finding, Verdict};
use crate::db::Database;
use crate::plan::{Checked, Day, Plan};

const BOLD: Style = Style::new().bold();
const RED: Style = AnsiColor::Red.on_default().bold();
const YELLOW: Style = AnsiColor::Yellow.on_default();
const GREEN: Style = AnsiColor::Green.on_default().bold();
const DIM: Style = Style::new().dimmed();

/// Writes the plan as text: the products with the time each returns, the advice of the
/// first hours, then one block per calendar day. Styles are ANSI; the caller's stream
/// strips them when colour is off.
pub fn write_text(out: &mut dyn Write, plan: &Plan) -> std::io::Result<()> {
    writeln!(
        out,
        "{BOLD}Plan after microneedling on {} ({}){BOLD:#}",
        plan.treated_at_text, plan.time_zone
    )?;
    writeln!(
        out,
        "{DIM}profile {} · baseline {} h · now {} (day {}){DIM:#}",
        plan.profile, plan.baseline_hours, plan.now_text, plan.today
    )?;

    let timed: Vec<(String, &Checked)> = soonest_first(plan)
        .into_iter()
        .map(|(n, c)| (sanitize(n), c))
        .collect();
    if !timed.is_empty() {
        writeln!(out, "\n{BOLD}products{BOLD:#}")?;
        let name_width = timed.iter().map(|(n, _)| width(n)).max().unwrap_or(0);
        let when: Vec<String> = timed
            .iter()
            .map(|(_, c)| {
                format!(
                    "from {} (day {})",
                    c.safe_from_text.as_deref().unwrap_or_default(),
                    c.safe_day.unwrap_or_default()
                )
            })
            .collect();
        let when_width = when.iter().map(|w| width(w)).max().unwrap_or(0);
        for ((name, c), when) in timed.iter().zip(&when) {
            let style = if c.verdict == Verdict::Ok {
                GREEN
            } else {
                YELLOW
            };
            writeln!(
                out,
                "  {style}{}{style:#}  {}  {}",
                pad(name, name_width),
                pad(when, when_width),
                c.reason
            )?;
        }
    }

    writeln!(out, "\n{BOLD}first 24 hours{BOLD:#}")?;
    for a in &plan.advice {
        writeln!(out, "  - {}", a.text)?;
    }

    // Consecutive days on which nothing changes share one block, so a two-week plan
    // stays readable; every calendar day is still named by the range.
    for run in unchanged_runs(&plan.days) {
        let (first, last) = (&run[0], &run[run.len() - 1]);
        let today = (first.day..=last.day).contains(&plan.today);
        let mark = match (today, run.len()) {
            (false, _) => String::new(),
            (true, 1) => format!("  {BOLD}<- today{BOLD:#}"),
            (true, _) => format!("  {BOLD}<- today (day {}){BOLD:#}", plan.today),
        };
        let treatment = if first.day == 1 {
            format!(
                " (treatment at {})",
                plan.treated_at.get(11..16).unwrap_or_default()
            )
        } else {
            String::new()
        };
        if run.len() == 1 {
            writeln!(
                out,
                "\n{BOLD}day {} · {}{BOLD:#}{treatment}{mark}",
                first.day, first.title
            )?;
        } else {
            writeln!(
                out,
                "\n{BOLD}days {}-{} · {} to {}{BOLD:#}{mark}",
                first.day, last.day, first.title, last.title
            )?;
        }
        let day = first;
        if !day.may_use.is_empty() {
            let names: Vec<String> = day.may_use.iter().map(|n| sanitize(n)).collect();
            writeln!(out, "  may use     {GREEN}{}{GREEN:#}", names.join(", "))?;
        }
        let mut returning = day.returning.iter().peekable();
        while let Some(r) = returning.next() {
            let mut names = vec![sanitize(&r.name)];
            while let Some(next) = returning.next_if(|n| n.at == r.at) {
                names.push(sanitize(&next.name));
            }
            writeln!(out, "  from {}  {GREEN}{}{GREEN:#}", r.at, names.join(", "))?;
        }
        for (i, w) in day.waiting.iter().enumerate() {
            let head = if i == 0 { "waiting" } else { "" };
            writeln!(
                out,
                "  {head:<10}  {YELLOW}{}{YELLOW:#}: from {} ({})",
                sanitize(&w.name),
                w.until,
                w.reason
            )?;
        }
    }

    let avoid: Vec<(&str, &Checked)> = plan
        .checked()
        .filter(|(_, c)| c.verdict == Verdict::Avoid)
        .collect();
    if !avoid.is_empty() {
        writeln!(
            out,
            "\n{RED}avoid{RED:#} (not recommended at any time after the procedure)"
        )?;
        for (name, c) in avoid {
            let culprits: Vec<String> = c
                .findings
                .iter()
                .filter(|f| f.wait_hours.is_none())
                .map(|f| sanitize(printed(f)))
                .collect();
            writeln!(
                out,
                "  {RED}{}{RED:#}: {} ({})",
                sanitize(name),
                c.reason,
                culprits.join(", ")
            )?;
        }
    }
    let failed: Vec<(&str, &str)> = plan.failed().collect();
    if !failed.is_empty() {
        writeln!(out, "\n{RED}could not be checked{RED:#} (not in the plan)")?;
        for (name, error) in failed {
            writeln!(out, "  {}: {}", sanitize(name), sanitize(error))?;
        }
    }
    let unknown: Vec<(&str, &Checked)> = plan
        .checked()
        .filter(|(_, c)| !c.unrecognized.is_empty())
        .collect();
    if !unknown.is_empty() {
        writeln!(
            out,
            "\n{BOLD}unrecognised ingredients{BOLD:#} (not in the database; not treated as safe)"
        )?;
        for (name, c) in unknown {
            let names: Vec<String> = c.unrecognized.iter().map(|n| sanitize(n)).collect();
            writeln!(out, "  {}: {}", sanitize(name), names.join(", "))?;
        }
    }
    writeln!(out, "\n{BOLD}{}{BOLD:#}", sentence(plan.condition))?;
    Ok(())
}

/// Splits the days into runs of consecutive days with the same products usable and
/// waiting and nothing returning; the treatment day stands alone.
fn unchanged_runs(days: &[Day]) -> Vec<&[Day]> {
    let same = |a: &Day, b: &Day| {
        a.day > 1
            && a.returning.is_empty()
            && b.returning.is_empty()
            && a.may_use == b.may_use
            && a.waiting
                .iter()
                .map(|w| &w.name)
                .eq(b.waiting.iter().map(|w| &w.name))
    };
    let mut runs = Vec::new();
    let mut start = 0;
    for i in 1..=days.len() {
        if i == days.len() || !same(&days[i - 1], &days[i]) {
            runs.push(&days[start..i]);
            start = i;
        }
    }
    runs
}

/// Writes the plan as pretty JSON followed by a newline.
pub fn write_json(out: &mut dyn Write, plan: &Plan) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, plan)?;
    writeln!(out)
}

/// Writes the plan as one self-contained HTML page: an inline SVG timeline (one bar per
/// product from the treatment to the time it is safe, filled with a colour and a
/// pattern per reason, named beside the bar so it reads without colour), then the
/// reasons, the products to avoid, those that could not be checked, and the advice of
/// the first hours. No scripts, fonts, images or links; it prints on one A4 page.
pub fn write_html(out: &mut dyn Write, plan: &Plan, db: &Database) -> std::io::Result<()> {
    let mut h = String::new();
    let title = format!("Aftercare plan: treated {}", plan.treated_at_text);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n\
<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        esc(&title)
    );
    let _ = writeln!(h, "<h1>Aftercare plan</h1>");
    let _ = writeln!(
        h,
        "<p class=\"meta\">Treated <strong>{}</strong> ({}) · profile {} · baseline {} h · \
made {} (day {})</p>",
        esc(&plan.treated_at_text),
        esc(&plan.time_zone),
        plan.profile,
        plan.baseline_hours,
        esc(&plan.now_text),
        plan.today
    );
    let legend = legend(plan);
    timeline(&mut h, plan, &legend, db);

    let timed = soonest_first(plan);
    if !timed.is_empty() {
        let _ = writeln!(
            h,
            "<h2>When each product returns, and why</h2>\n<table>\n<thead><tr><th>product</th>\
<th>safe from</th><th>wait</th><th>why</th></tr></thead>\n<tbody>"
        );
        for (name, c) in &timed {
            let _ = writeln!(
                h,
                "<tr><td>{}{}</td><td class=\"when\">{}<br/><small>day {}</small></td>\
<td>{}</td><td>{}</td></tr>",
                swatch(&legend, &c.reason_category),
                esc(name),
                esc(c.safe_from_text.as_deref().unwrap_or_default()),
                c.safe_day.unwrap_or_default(),
                esc(&c.wait_text),
                reasons(c, db),
            );
        }
        let _ = writeln!(h, "</tbody>\n</table>");
    }

    let avoid: Vec<(&str, &Checked)> = plan
        .checked()
        .filter(|(_, c)| c.verdict == Verdict::Avoid)
        .collect();
    if !avoid.is_empty() {
        let _ = writeln!(
            h,
            "<h2>Avoid: not recommended at any time after the procedure</h2>\n<ul class=\"apart\">"
        );
        for (name, c) in avoid {
            let _ = writeln!(
                h,
                "<li><strong>{}</strong>: {}</li>",
                esc(name),
                reasons(c, db)
            );
        }
        let _ = writeln!(h, "</ul>");
    }
    let failed: Vec<(&str, &str)> = plan.failed().collect();
    if !failed.is_empty() {
        let _ = writeln!(
            h,
            "<h2>Could not be checked (not in the plan)</h2>\n<ul class=\"apart\">"
        );
        for (name, error) in failed {
            let _ = writeln!(h, "<li><strong>{}</strong>: {}</li>", esc(name), esc(error));
        }
        let _ = writeln!(h, "</ul>");
    }

    let _ = writeln!(h, "<h2>The first 24 hours</h2>\n<ul>");
    for a in &plan.advice {
        let _ = writeln!(h, "<li>{}</li>", esc(&sentence(&a.text)));
    }
    let _ = writeln!(h, "</ul>");
    let _ = writeln!(
        h,
        "<p class=\"condition\"><strong>{}</strong></p>\n<footer>aftercare {} · calendar days in \
{} · waits are hours after the treatment ended</footer>\n</body>\n</html>",
        esc(&sentence(plan.condition)),
        env!("CARGO_PKG_VERSION"),
        esc(&plan.time_zone)
    );
    out.write_all(h.as_bytes())
}

const STYLE: &str = "
@page { size: A4 portrait; margin: 12mm; }
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif;
  font-size: 10pt; line-height: 1.35; color: #111; background: #fff; max-width: 186mm;
  margin: 1em auto; padding: 0 4mm;
  -webkit-print-color-adjust: exact; print-color-adjust: exact; }
h1 { font-size: 15pt; margin: 0 0 2pt; }
h2 { font-size: 11pt; margin: 9pt 0 3pt; border-bottom: 1px solid #888; }
p { margin: 3pt 0; }
p.meta { color: #333; }
figure { margin: 6pt 0; }
svg.timeline { width: 100%; height: auto; display: block; }
svg text { font-family: inherit; fill: #111; }
svg.swatch { width: 18px; height: 10px; vertical-align: -1px; margin-right: 4px; }
table { border-collapse: collapse; width: 100%; font-size: 9pt; }
th, td { text-align: left; vertical-align: top; padding: 2pt 4pt; border-bottom: 1px solid #ccc; }
td.when { white-space: nowrap; }
td ul, ul.apart { margin: 0; padding-left: 12pt; }
ul { margin: 2pt 0; padding-left: 14pt; }
footer { margin-top: 6pt; font-size: 8pt; color: #444; }
@media print {
  body { margin: 0; padding: 0; max-width: none; font-size: 9pt; }
  figure, table, tr, ul, h2 { break-inside: avoid; }
  h2 { break-after: avoid; }
}
";

/// Colours from the Okabe-Ito palette (distinguishable with colour-blindness), each with
/// a black pattern so a grey print still tells the reasons apart.
const COLOURS: [&str; 8] = [
    "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999",
];
const PATTERNS: [&str; 8] = [
    "diagonal",
    "dots",
    "horizontal",
    "cross",
    "backslash",
    "vertical",
    "grid",
    "dense-dots",
];

/// One reason category on the chart and the id of its fill.
struct Swatch {
    category: String,
    id: String,
}

/// The reasons on the chart in order of first appearance; `baseline` is plain grey.
fn legend(plan: &Plan) -> Vec<Swatch> {
    let mut out: Vec<Swatch> = Vec::new();
    for (_, c) in plan.checked().filter(|(_, c)| c.hours.is_some()) {
        if out.iter().any(|s| s.category == c.reason_category) {
            continue;
        }
        out.push(Swatch {
            category: c.reason_category.clone(),
            id: format!("fill-{}", out.len()),
        });
    }
    out
}

fn timeline(h: &mut String, plan: &Plan, legend: &[Swatch], db: &Database) {
    let rows: Vec<(&str, &Checked, f64)> = soonest_first(plan)
        .into_iter()
        .filter_map(|(n, c)| c.hours.map(|hours| (n, c, hours)))
        .collect();
    let (Some(first), Some(last)) = (plan.days.first(), plan.days.last()) else {
        return;
    };
    const W: f64 = 760.0;
    const X0: f64 = 196.0;
    const X1: f64 = 626.0;
    const TOP: f64 = 44.0;
    const ROW: f64 = 34.0;
    let (h0, h1) = (
        first.start_hours,
        last.end_hours.max(first.start_hours + 1.0),
    );
    let x = |hours: f64| X0 + (hours - h0) / (h1 - h0) * (X1 - X0);
    let chart_bottom = TOP + ROW * rows.len().max(1) as f64;
    let legend_rows = legend.len().div_ceil(3).max(1);
    let height = chart_bottom + 40.0 + 16.0 * legend_rows as f64;

    let _ = writeln!(
        h,
        "<figure>\n<svg class=\"timeline\" viewBox=\"0 0 {W} {height}\" role=\"img\" \
aria-labelledby=\"chart-title\">\n<title id=\"chart-title\">Timeline: when each product may \
be used again after the treatment on {}</title>",
        esc(&plan.treated_at_text)
    );
    let _ = writeln!(h, "<defs>");
    for (i, s) in legend
        .iter()
        .filter(|s| s.category != "baseline")
        .enumerate()
    {
        let _ = writeln!(h, "{}", pattern(&s.id, i));
    }
    if let Some(s) = legend.iter().find(|s| s.category == "baseline") {
        let _ = writeln!(
            h,
            "<pattern id=\"{}\" patternUnits=\"userSpaceOnUse\" width=\"8\" height=\"8\">\
<rect width=\"8\" height=\"8\" fill=\"#e6e6e6\"/></pattern>",
            s.id
        );
    }
    let _ = writeln!(h, "</defs>");

    // Days: alternate shading, a gridline at each midnight, weekday and date above,
    // the day number below. The month is written where it starts.
    let mut month = String::new();
    for d in &plan.days {
        let (a, b) = (x(d.start_hours.max(h0)), x(d.end_hours.min(h1)));
        let fill = if d.day % 2 == 0 { "#f2f2f2" } else { "#ffffff" };
        let mid = (a + b) / 2.0;
        let _ = write!(
            h,
            "<g class=\"day\"><title>{} (day {})</title>\
<rect x=\"{a:.1}\" y=\"{TOP}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{fill}\"/>\
<line x1=\"{a:.1}\" y1=\"{:.1}\" x2=\"{a:.1}\" y2=\"{:.1}\" stroke=\"#bbb\" stroke-width=\"0.6\"/>",
            esc(&d.title),
            d.day,
            b - a,
            chart_bottom - TOP,
            TOP - 4.0,
            chart_bottom + 2.0,
        );
        let this_month = d.date.get(..7).unwrap_or_default().to_string();
        if this_month != month {
            month = this_month;
            let name = d.title.split_whitespace().nth(2).unwrap_or_default();
            let _ = write!(
                h,
                "<text x=\"{:.1}\" y=\"10\" font-size=\"9\" font-weight=\"bold\">{}</text>",
                a + 1.0,
                esc(name)
            );
        }
        let weekday: String = d.title.chars().take(3).collect();
        let date = d.title.split_whitespace().nth(1).unwrap_or_default();
        let _ = writeln!(
            h,
            "<text x=\"{mid:.1}\" y=\"24\" font-size=\"8\" text-anchor=\"middle\">{}</text>\
<text x=\"{mid:.1}\" y=\"35\" font-size=\"9\" text-anchor=\"middle\">{}</text>\
<text x=\"{mid:.1}\" y=\"{:.1}\" font-size=\"8\" text-anchor=\"middle\">{}</text></g>",
            esc(&weekday),
            esc(date),
            chart_bottom + 12.0,
            d.day
        );
    }
    let _ = writeln!(
        h,
        "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"8\" text-anchor=\"end\">day</text>\
<text x=\"{:.1}\" y=\"35\" font-size=\"8\" text-anchor=\"end\">date</text>",
        X0 - 4.0,
        chart_bottom + 12.0,
        X0 - 4.0
    );
    let _ = writeln!(
        h,
        "<text x=\"{:.1}\" y=\"35\" font-size=\"8\" font-weight=\"bold\">safe from</text>",
        X1 + 8.0
    );

    for (i, (name, c, hours)) in rows.iter().enumerate() {
        let y = TOP + ROW * i as f64;
        let fill = legend
            .iter()
            .find(|s| s.category == c.reason_category)
            .map_or("#ddd".to_string(), |s| format!("url(#{})", s.id));
        let (a, b) = (x(0.0), x(*hours).max(x(0.0) + 1.5));
        let safe = c.safe_from_text.as_deref().unwrap_or_default();
        let _ = writeln!(
            h,
            "<g class=\"product\"><title>{}: safe from {} ({})</title>\
<text x=\"4\" y=\"{:.1}\" font-size=\"10.5\" font-weight=\"bold\">{}</text>\
<text x=\"4\" y=\"{:.1}\" font-size=\"8.5\">{}</text>\
<rect x=\"{a:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"14\" fill=\"{fill}\" stroke=\"#111\" stroke-width=\"0.8\"/>\
<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"9\">{}</text>\
<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"8\">day {}</text></g>",
            esc(name),
            esc(safe),
            esc(&c.reason),
            y + 14.0,
            esc(&clip(name, 30)),
            y + 26.0,
            esc(&clip(&c.reason, 38)),
            y + 5.0,
            b - a,
            X1 + 8.0,
            y + 14.0,
            esc(&short_when(safe)),
            X1 + 8.0,
            y + 26.0,
            c.safe_day.unwrap_or_default(),
        );
    }
    if rows.is_empty() {
        let _ = writeln!(
            h,
            "<text x=\"{X0}\" y=\"{:.1}\" font-size=\"10\">no product has a return time</text>",
            TOP + 20.0
        );
    }

    // The treatment, and now when it falls inside the chart.
    let t = x(0.0);
    let _ = writeln!(
        h,
        "<line x1=\"{t:.1}\" y1=\"{:.1}\" x2=\"{t:.1}\" y2=\"{chart_bottom:.1}\" stroke=\"#000\" \
stroke-width=\"1.6\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"8\" text-anchor=\"end\">treatment {}</text>",
        TOP - 4.0,
        t - 2.0,
        chart_bottom + 26.0,
        esc(plan.treated_at.get(11..16).unwrap_or_default())
    );
    if (h0..=h1).contains(&plan.now_hours) {
        let n = x(plan.now_hours);
        let _ = writeln!(
            h,
            "<line x1=\"{n:.1}\" y1=\"{:.1}\" x2=\"{n:.1}\" y2=\"{chart_bottom:.1}\" stroke=\"#C00\" \
stroke-width=\"1.2\" stroke-dasharray=\"4 2\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"8\">now</text>",
            TOP - 4.0,
            n + 2.0,
            chart_bottom + 26.0
        );
    }

    let ly = chart_bottom + 42.0;
    for (i, s) in legend.iter().enumerate() {
        let lx = 4.0 + 252.0 * (i % 3) as f64;
        let y = ly + 16.0 * (i / 3) as f64;
        let label = category_label(db, &s.category);
        let _ = writeln!(
            h,
            "<rect x=\"{lx:.1}\" y=\"{:.1}\" width=\"22\" height=\"10\" fill=\"url(#{})\" \
stroke=\"#111\" stroke-width=\"0.8\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"9\">{}</text>",
            y - 9.0,
            s.id,
            lx + 27.0,
            y,
            esc(&label)
        );
    }
    let _ = writeln!(h, "</svg>\n</figure>");
}

/// The products with a return time, soonest first (routine order among equals).
fn soonest_first(plan: &Plan) -> Vec<(&str, &Checked)> {
    let mut timed: Vec<(&str, &Checked)> =
        plan.checked().filter(|(_, c)| c.hours.is_some()).collect();
    timed.sort_by(|a, b| {
        let hours = |c: &Checked| c.hours.unwrap_or(f64::INFINITY);
        hours(a.1).total_cmp(&hours(b.1))
    });
    timed
}

/// A small inline swatch for a table row; it reuses the chart's pattern.
fn swatch(legend: &[Swatch], category: &str) -> String {
    match legend.iter().find(|s| s.category == category) {
        Some(s) => format!(
            "<svg class=\"swatch\" viewBox=\"0 0 18 10\" aria-hidden=\"true\"><rect x=\"0.5\" \
y=\"0.5\" width=\"17\" height=\"9\" fill=\"url(#{})\" stroke=\"#111\" stroke-width=\"0.8\"/></svg>",
            s.id
        ),
        None => String::new(),
    }
}

/// The fill of the `index`-th reason other than the baseline (which stays plain grey):
/// a colour with a black pattern.
fn pattern(id: &str, index: usize) -> String {
    let colour = COLOURS[index % COLOURS.len()];
    let marks = match PATTERNS[index % PATTERNS.len()] {
        "diagonal" => {
            "<path d=\"M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4\" stroke=\"#000\" stroke-width=\"1.2\"/>"
        }
        "dots" => "<circle cx=\"4\" cy=\"4\" r=\"1.5\" fill=\"#000\"/>",
        "horizontal" => "<path d=\"M0,2 h8 M0,6 h8\" stroke=\"#000\" stroke-width=\"1\"/>",
        "cross" => "<path d=\"M0,0 l8,8 M8,0 l-8,8\" stroke=\"#000\" stroke-width=\"0.9\"/>",
        "backslash" => {
            "<path d=\"M-2,6 l4,4 M0,0 l8,8 M6,-2 l4,4\" stroke=\"#000\" stroke-width=\"1.2\"/>"
        }
        "vertical" => "<path d=\"M2,0 v8 M6,0 v8\" stroke=\"#000\" stroke-width=\"1\"/>",
        "grid" => "<path d=\"M0,4 h8 M4,0 v8\" stroke=\"#000\" stroke-width=\"0.8\"/>",
        _ => {
            "<circle cx=\"2\" cy=\"2\" r=\"1\" fill=\"#000\"/><circle cx=\"6\" cy=\"6\" r=\"1\" fill=\"#000\"/>"
        }
    };
    format!(
        "<pattern id=\"{id}\" patternUnits=\"userSpaceOnUse\" width=\"8\" height=\"8\">\
<rect width=\"8\" height=\"8\" fill=\"{colour}\"/>{marks}</pattern>"
    )
}

/// The findings of a product as an HTML list, with its unrecognised ingredients.
fn reasons(c: &Checked, db: &Database) -> String {
    let mut items: Vec<String> = c
        .findings
        .iter()
        .map(|f| {
            let wait = f
                .wait_hours
                .map_or("avoid".to_string(), |h| format!("{h} h"));
            match f.position {
                Some(p) => format!(
                    "<li><strong>{}</strong> (#{p}): {}, {wait}: {}</li>",
                    esc(&f.ingredient),
                    esc(&category_label(db, &f.category)),
                    esc(&f.reason)
                ),
                // A product-type window: the type is the culprit, not an ingredient.
                None => format!(
                    "<li><strong>{}</strong> (product type), {wait}: {}</li>",
                    esc(&category_label(db, &f.category)),
                    esc(&f.reason)
                ),
            }
        })
        .collect();
    if c.findings.is_empty() {
        items.push("<li>nothing beyond the first hours (baseline)</li>".into());
    }
    if !c.unrecognized.is_empty() {
        let names: Vec<String> = c.unrecognized.iter().map(|n| esc(n)).collect();
        items.push(format!(
            "<li>not in the database, not treated as safe: {}</li>",
            names.join(", ")
        ));
    }
    format!("<ul>{}</ul>", items.concat())
}

fn category_label(db: &Database, id: &str) -> String {
    db.category(id).map_or(id.to_string(), |c| c.label.clone())
}

/// The ingredient as printed, or the finding's name for a product-type window.
fn printed(f: &Finding) -> &str {
    if f.ingredient.is_empty() {
        &f.name
    } else {
        &f.ingredient
    }
}

/// `Thu 29 Oct, 13:00` from `Thursday 29 October, 13:00`.
fn short_when(text: &str) -> String {
    let (date, time) = text.rsplit_once(", ").unwrap_or((text, ""));
    let mut words = date.split_whitespace();
    let weekday: String = words.next().unwrap_or_default().chars().take(3).collect();
    let day = words.next().unwrap_or_default();
    let month: String = words.next().unwrap_or_default().chars().take(3).collect();
    let year = words.next().map(|y| format!(" {y}")).unwrap_or_default();
    format!("{weekday} {day} {month}{year}, {time}")
}

/// Escapes text for HTML element content and attribute values, after removing
/// control and invisible characters.
fn esc(s: &str) -> String {
    super::escape_html(s)
}

fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        s.chars().take(max - 1).collect::<String>() + "…"
    }
}

fn width(s: &str) -> usize {
    s.chars().count()
}

fn pad(s: &str, to: usize) -> String {
    format!("{s}{}", " ".repeat(to.saturating_sub(width(s))))
}

fn sentence(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str() + ".",
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_text_is_escaped_and_cleaned() {
        assert_eq!(
            esc("Tom & Jerry's <b>\"Balm\"</b>\u{1b}[2J"),
            "Tom &amp; Jerry&#39;s &lt;b&gt;&quot;Balm&quot;&lt;/b&gt; [2J"
        );
    }

    #[test]
    fn axis_dates_are_shortened_and_keep_a_year() {
        assert_eq!(
            short_when("Thursday 29 October, 13:00"),
            "Thu 29 Oct, 13:00"
        );
        assert_eq!(
            short_when("Friday 1 January 2027, 09:30"),
            "Fri 1 Jan 2027, 09:30"
        );
    }
}
