//! The results report as an IATI activity (standard 2.03): the programme's results with their
//! indicators, baselines, and one period with the target and the actual value, broken down by
//! sex and country as `dimension`s. Validated against the standard's schema in the tests.

use std::fmt::Write;

use chrono::Datelike;
use empower_domain::localized::LocalizedText;
use empower_domain::results::report::{IndicatorLine, Report, ResultNode};
use empower_domain::results::suppression::format_value;
use empower_domain::results::{Direction, ResultLevel, Unit};

/// Who reports, and which activity.
#[derive(Debug, Clone, Copy)]
pub struct Identifiers<'a> {
    /// The reporting organisation's identifier.
    pub org_ref: &'a str,
    /// The activity's identifier.
    pub activity_id: &'a str,
}

/// Escapes text for XML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// `<narrative>` elements, English first (the activity's default language), then the others
/// with their `xml:lang`.
fn narratives(out: &mut String, text: &LocalizedText) {
    let mut any = false;
    for (lang, value) in [("en", &text.en), ("fr", &text.fr), ("nl", &text.nl)] {
        if let Some(value) = value {
            if lang == "en" {
                let _ = write!(out, "<narrative>{}</narrative>", escape(value));
            } else {
                let _ = write!(
                    out,
                    "<narrative xml:lang=\"{lang}\">{}</narrative>",
                    escape(value)
                );
            }
            any = true;
        }
    }
    if !any {
        out.push_str("<narrative/>");
    }
}

/// IATI's result type code.
fn result_type(level: ResultLevel) -> u8 {
    match level {
        ResultLevel::Output => 1,
        ResultLevel::Outcome => 2,
        ResultLevel::Impact => 3,
    }
}

fn indicator(out: &mut String, report: &Report, line: &IndicatorLine) {
    let measure = match line.unit {
        Unit::Count => 1,
        Unit::Percent => 2,
    };
    let ascending = u8::from(line.direction == Direction::Increase);
    let _ = write!(
        out,
        "<indicator measure=\"{measure}\" ascending=\"{ascending}\"><title>"
    );
    narratives(out, &line.name);
    let _ = write!(
        out,
        "</title><description><narrative>{}</narrative></description>",
        escape(&line.definition)
    );
    let _ = write!(
        out,
        "<reference vocabulary=\"99\" code=\"{}\"/>",
        escape(&line.code)
    );
    if let Some(baseline) = line.baseline {
        let _ = write!(
            out,
            "<baseline year=\"{}\" iso-date=\"{}\" value=\"{}\"/>",
            baseline.on.year().max(1),
            baseline.on,
            format_value(baseline.value)
        );
    }
    let _ = write!(
        out,
        "<period><period-start iso-date=\"{}\"/><period-end iso-date=\"{}\"/>",
        report.from, report.to
    );
    if let Some(target) = line.target {
        let _ = write!(out, "<target value=\"{}\"/>", format_value(target.value));
    }
    if let Some(actual) = line.actual {
        let _ = write!(out, "<actual value=\"{}\"/>", format_value(actual));
    }
    for breakdown in &line.breakdowns {
        let by = breakdown.by.as_str();
        if !matches!(by, "sex" | "country") {
            continue;
        }
        for cell in &breakdown.cells {
            let _ = write!(
                out,
                "<actual value=\"{}\"><dimension name=\"{}\" value=\"{}\"/></actual>",
                format_value(cell.value),
                by,
                escape(&cell.key)
            );
        }
    }
    out.push_str("</period></indicator>");
}

fn result(out: &mut String, report: &Report, node: &ResultNode) {
    // IATI requires at least one indicator per result.
    if node.indicators.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<result type=\"{}\" aggregation-status=\"0\"><title>",
        result_type(node.level)
    );
    narratives(out, &node.title);
    out.push_str("</title>");
    let _ = write!(
        out,
        "<reference vocabulary=\"99\" code=\"{}\"/>",
        escape(&node.code)
    );
    for line in &node.indicators {
        indicator(out, report, line);
    }
    out.push_str("</result>");
}

/// The report as an IATI 2.03 activities file.
pub fn render(report: &Report, ids: Identifiers<'_>) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let generated = report.generated_at.format("%Y-%m-%dT%H:%M:%SZ");
    let _ = write!(
        out,
        "<iati-activities version=\"2.03\" generated-datetime=\"{generated}\">\
         <iati-activity last-updated-datetime=\"{generated}\" xml:lang=\"en\" default-currency=\"EUR\" hierarchy=\"1\">\
         <iati-identifier>{activity}</iati-identifier>\
         <reporting-org ref=\"{org}\" type=\"40\"><narrative>Empower programme</narrative></reporting-org>\
         <title><narrative>Strengthening African diaspora women's associations in Belgium</narrative>\
         <narrative xml:lang=\"fr\">Renforcement des associations de femmes de la diaspora africaine en Belgique</narrative></title>\
         <description type=\"1\"><narrative>Training, cascade restitutions and visibility for African diaspora women's associations in Belgium, so that they do more for the development of their countries of origin. Results {from} to {to}.</narrative></description>\
         <participating-org ref=\"{org}\" role=\"4\" type=\"40\"><narrative>Empower programme</narrative></participating-org>\
         <activity-status code=\"2\"/>\
         <activity-date iso-date=\"{from_or_start}\" type=\"2\"/>",
        activity = escape(ids.activity_id),
        org = escape(ids.org_ref),
        from = report.from,
        to = report.to,
        from_or_start = report.from,
    );
    for node in report.nodes() {
        result(&mut out, report, node);
    }
    out.push_str("</iati-activity></iati-activities>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }

    #[test]
    fn a_text_without_languages_still_has_a_narrative() {
        let mut out = String::new();
        narratives(&mut out, &LocalizedText::default());
        assert_eq!(out, "<narrative/>");
        let mut out = String::new();
        narratives(&mut out, &LocalizedText::en_fr("Hi", "Salut"));
        assert_eq!(
            out,
            "<narrative>Hi</narrative><narrative xml:lang=\"fr\">Salut</narrative>"
        );
    }
}
