//! The association files' CSV: their columns (the import's and the export's, so an exported
//! file imports back unchanged), reading and writing records, and formula neutralisation: a
//! cell a spreadsheet would run as a formula gets a leading `'` on the way out, removed on the
//! way in.

use empower_domain::FieldError;
use empower_domain::association::{
    AddressInput, AssociationInput, ConsentInput, ContactInput, LegalForm,
};

use crate::problem::{ApiError, ProblemItem};

/// The columns of the CSV files, in order.
pub const COLUMNS: [&str; 19] = [
    "name",
    "acronym",
    "legal_form",
    "enterprise_number",
    "founded_year",
    "member_count",
    "street",
    "postal_code",
    "city",
    "countries_of_origin",
    "sdgs",
    "thematic_areas",
    "intervention_regions",
    "woman_led",
    "email",
    "phone",
    "website",
    "publication_consent_granted",
    "publication_consent_fields",
];

/// Characters that make a spreadsheet read a cell as a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

fn formula_like(cell: &str) -> bool {
    cell.starts_with(FORMULA_STARTS) || cell.strip_prefix('\'').is_some_and(formula_like)
}

/// A cell as written to a file: one that a spreadsheet would run as a formula (or that already
/// carries the escape) gets a leading `'`, which spreadsheets show as text and hide.
pub fn neutralise(cell: String) -> String {
    if formula_like(&cell) {
        format!("'{cell}")
    } else {
        cell
    }
}

/// A cell as read from a file: the inverse of [`neutralise`].
pub fn restore(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if formula_like(rest) => rest,
        _ => cell,
    }
}

/// A list cell: the values joined with `|`.
pub fn join(values: impl IntoIterator<Item = String>) -> String {
    values.into_iter().collect::<Vec<_>>().join("|")
}

fn legal_form_name(form: LegalForm) -> String {
    serde_json::to_value(form)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// One association as a CSV record, in [`COLUMNS`] order.
pub fn record(input: &AssociationInput) -> Vec<String> {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    [
        input.name.clone(),
        text(&input.acronym),
        legal_form_name(input.legal_form),
        text(&input.enterprise_number),
        input
            .founded_year
            .map(|y| y.to_string())
            .unwrap_or_default(),
        input
            .member_count
            .map(|n| n.to_string())
            .unwrap_or_default(),
        text(&input.address.street),
        text(&input.address.postal_code),
        text(&input.address.city),
        join(input.countries_of_origin.clone()),
        join(input.sdgs.iter().map(i32::to_string)),
        join(input.thematic_areas.clone()),
        text(&input.intervention_regions),
        input.woman_led.to_string(),
        text(&input.contact.email),
        text(&input.contact.phone),
        text(&input.contact.website),
        input.publication_consent.granted.to_string(),
        join(input.publication_consent.fields.clone()),
    ]
    .into_iter()
    .map(neutralise)
    .collect()
}

/// The CSV header line and records of `inputs`.
pub fn to_csv(inputs: &[AssociationInput], header: bool) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    if header {
        let _ = writer.write_record(COLUMNS);
    }
    for input in inputs {
        let _ = writer.write_record(record(input));
    }
    writer.into_inner().unwrap_or_default()
}

fn split(cell: &str) -> Vec<String> {
    cell.split('|')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn optional(cell: &str) -> Option<String> {
    Some(cell.trim().to_owned()).filter(|c| !c.is_empty())
}

/// Reads one CSV record into an input, naming the field of each cell that cannot be read.
fn parse_record(
    headers: &[String],
    cells: &csv::StringRecord,
) -> Result<AssociationInput, Vec<FieldError>> {
    let mut errors = Vec::new();
    for (i, header) in headers.iter().enumerate() {
        let value = cells.get(i).unwrap_or_default();
        if let Some(c) = empower_domain::text::first_never_text(value) {
            errors.push(FieldError::new(
                format!("/{header}"),
                empower_domain::text::never_text_rule(c),
            ));
        }
    }
    let cell = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .and_then(|i| cells.get(i))
            .map(restore)
            .unwrap_or_default()
            .trim()
            .to_owned()
    };
    let mut int = |name: &str, pointer: &str| -> Option<i64> {
        let value = cell(name);
        if value.is_empty() {
            return None;
        }
        value
            .parse()
            .map_err(|_| errors.push(FieldError::new(pointer, "must be a whole number")))
            .ok()
    };
    let founded_year = int("founded_year", "/founded_year")
        .map(|y| i32::try_from(y).unwrap_or(if y < 0 { i32::MIN } else { i32::MAX }));
    let member_count = int("member_count", "/member_count");
    let mut boolean = |name: &str, pointer: &str| -> bool {
        match cell(name).to_ascii_lowercase().as_str() {
            "" | "false" | "no" | "0" => false,
            "true" | "yes" | "1" => true,
            _ => {
                errors.push(FieldError::new(pointer, "must be true or false"));
                false
            }
        }
    };
    let woman_led = boolean("woman_led", "/woman_led");
    let granted = boolean(
        "publication_consent_granted",
        "/publication_consent/granted",
    );
    let mut sdgs = Vec::new();
    for (i, value) in split(&cell("sdgs")).iter().enumerate() {
        match value.parse() {
            Ok(n) => sdgs.push(n),
            Err(_) => errors.push(FieldError::new(
                format!("/sdgs/{i}"),
                "must be an SDG number, 1 to 17",
            )),
        }
    }
    let legal_form_cell = cell("legal_form");
    let legal_form: Option<LegalForm> =
        serde_json::from_value(serde_json::Value::String(legal_form_cell.clone())).ok();
    if legal_form.is_none() {
        errors.push(FieldError::new(
            "/legal_form",
            "must be one of asbl, vzw, de_facto, other",
        ));
    }
    let (Some(legal_form), true) = (legal_form, errors.is_empty()) else {
        return Err(errors);
    };
    Ok(AssociationInput {
        name: cell("name"),
        acronym: optional(&cell("acronym")),
        legal_form,
        enterprise_number: optional(&cell("enterprise_number")),
        founded_year,
        member_count,
        address: AddressInput {
            street: optional(&cell("street")),
            postal_code: optional(&cell("postal_code")),
            city: optional(&cell("city")),
        },
        countries_of_origin: split(&cell("countries_of_origin")),
        sdgs,
        thematic_areas: split(&cell("thematic_areas")),
        intervention_regions: optional(&cell("intervention_regions")),
        woman_led,
        contact: ContactInput {
            email: optional(&cell("email")),
            phone: optional(&cell("phone")),
            website: optional(&cell("website")),
        },
        publication_consent: ConsentInput {
            granted,
            fields: split(&cell("publication_consent_fields")),
        },
    })
}

/// Rows read from a file: each an input, or the problems of its cells.
pub type Rows = Vec<Result<AssociationInput, Vec<FieldError>>>;

/// Reads a CSV file: UTF-8 (a BOM is tolerated), `,` or `;` separated, with a header row of
/// known columns.
pub fn parse_csv(bytes: &[u8]) -> Result<Rows, ApiError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|_| ApiError::MalformedBody {
        detail: "the file is not UTF-8 text".into(),
        errors: vec![],
    })?;
    let first_line = text.lines().next().unwrap_or_default();
    let delimiter = if first_line.matches(';').count() > first_line.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| ApiError::MalformedBody {
            detail: format!("the header row cannot be read: {e}"),
            errors: vec![],
        })?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    let unknown: Vec<ProblemItem> = headers
        .iter()
        .filter(|h| !COLUMNS.contains(&h.as_str()))
        .map(|h| {
            let shown: String = h.chars().filter(|c| !c.is_control()).take(60).collect();
            ProblemItem::pointer(
                format!("/{shown}"),
                "is not a column of the association files",
            )
        })
        .collect();
    if !unknown.is_empty() {
        return Err(ApiError::MalformedBody {
            detail: "the header row names unknown columns".into(),
            errors: unknown,
        });
    }
    let missing: Vec<ProblemItem> = ["name", "legal_form", "countries_of_origin"]
        .iter()
        .filter(|c| !headers.iter().any(|h| h == *c))
        .map(|c| ProblemItem::pointer(format!("/{c}"), "is a required column"))
        .collect();
    if !missing.is_empty() {
        return Err(ApiError::MalformedBody {
            detail: "the header row lacks required columns".into(),
            errors: missing,
        });
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        rows.push(match record {
            Ok(cells) => parse_record(&headers, &cells),
            Err(e) => Err(vec![FieldError::new(
                "/",
                format!("the row cannot be read: {e}"),
            )]),
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised_and_restored() {
        for cell in [
            "=1+1",
            "+32 2 123",
            "-5",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "'=x",
            "''+y",
        ] {
            let out = neutralise(cell.to_owned());
            assert!(out.starts_with('\''), "{cell:?} -> {out:?}");
            assert_eq!(restore(&out), cell);
        }
        for cell in ["Femmes", "'quoted'", "1060", ""] {
            assert_eq!(neutralise(cell.to_owned()), cell);
            assert_eq!(restore(cell), cell);
        }
    }
}
