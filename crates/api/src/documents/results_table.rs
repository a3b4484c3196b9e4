//! The results report as a flat table, one row per indicator, for a donor's spreadsheet
//! template: the result it serves, baseline, target, actual value and progress, and the
//! period it covers. Texts come in English, French and Dutch columns.

use empower_domain::localized::LocalizedText;
use empower_domain::results::report::Report;
use empower_domain::results::suppression::format_value;
use serde::Serialize;

/// The columns, in order.
pub const HEADER: [&str; 22] = [
    "result_code",
    "result_level",
    "result_title_en",
    "result_title_fr",
    "result_title_nl",
    "indicator_code",
    "indicator_name_en",
    "indicator_name_fr",
    "indicator_name_nl",
    "definition",
    "unit",
    "direction",
    "source",
    "baseline_value",
    "baseline_on",
    "target_value",
    "target_on",
    "actual",
    "progress",
    "measured_on",
    "from",
    "to",
];

fn wire<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn texts(text: &LocalizedText) -> [String; 3] {
    [
        text.en.clone().unwrap_or_default(),
        text.fr.clone().unwrap_or_default(),
        text.nl.clone().unwrap_or_default(),
    ]
}

fn number(value: Option<f64>) -> String {
    value.map(format_value).unwrap_or_default()
}

/// The rows of the table, without the header.
pub fn rows(report: &Report) -> Vec<Vec<String>> {
    report
        .flat()
        .into_iter()
        .map(|(result, line)| {
            let [rt_en, rt_fr, rt_nl] = texts(&result.title);
            let [n_en, n_fr, n_nl] = texts(&line.name);
            let day = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
            vec![
                result.code.clone(),
                wire(&result.level),
                rt_en,
                rt_fr,
                rt_nl,
                line.code.clone(),
                n_en,
                n_fr,
                n_nl,
                line.definition.clone(),
                wire(&line.unit),
                wire(&line.direction),
                wire(&line.source),
                number(line.baseline.map(|p| p.value)),
                day(line.baseline.map(|p| p.on)),
                number(line.target.map(|p| p.value)),
                day(line.target.map(|p| p.on)),
                number(line.actual),
                number(line.progress),
                day(line.measured_on),
                report.from.to_string(),
                report.to.to_string(),
            ]
        })
        .collect()
}
