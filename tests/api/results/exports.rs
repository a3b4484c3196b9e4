//! The results report as a CSV table and as an IATI 2.03 activity, validated against the
//! standard's schema with `xmllint` (Debian's libxml2-utils, installed by `.ci/run`).

use std::process::Command;

use reqwest::Method;
use serde_json::json;

use super::{ids, partner, seeded};
use crate::helpers::TestApp;

/// The IATI schema, kept in the repository (`tests/iati/`).
fn schema() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/iati/iati-activities-schema.xsd")
}

#[tokio::test]
async fn the_iati_export_validates_against_the_2_03_schema() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    partner(
        &app,
        &admin,
        "Partner <&> \"One\"",
        Some("SN"),
        Some("2026-03-10"),
    )
    .await;
    let measured = app
        .post_json(
            Some(&admin),
            &format!(
                "/api/v1/indicators/{}/measurements",
                seeded(ids::ACTIVITIES)
            ),
            json!({"period_start": "2026-01-01", "period_end": "2026-06-30", "value": 3,
                "dimension": null, "source": "Survey & interviews"}),
        )
        .await;
    assert_eq!(measured.status, 201, "{}", measured.text);
    let reply = app
        .send(
            Method::GET,
            "/api/v1/results-report?from=2026-01-01&to=2026-12-31",
            |r| r.bearer_auth(&admin).header("Accept", "application/xml"),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert!(reply.header("content-type").starts_with("application/xml"));
    assert_eq!(reply.header("vary"), "Accept");
    let xml = reply.text.clone();
    assert!(xml.contains("<iati-identifier>XX-EMPOWER-TEST-ACTIVITY</iati-identifier>"));
    assert!(xml.contains("<reporting-org ref=\"XX-EMPOWER-TEST\""));
    assert!(
        xml.contains(
            "<period-start iso-date=\"2026-01-01\"/><period-end iso-date=\"2026-12-31\"/>"
        )
    );
    assert!(xml.contains("<target value=\"10\"/>"), "targets");
    assert!(
        xml.contains("<dimension name=\"country\" value=\"SN\"/>"),
        "country dimension"
    );
    assert!(
        xml.contains("<actual value=\"3\"/>"),
        "the manual measurement"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("results.xml");
    std::fs::write(&file, &xml).expect("write");
    let output = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(schema())
        .arg(&file)
        .output()
        .expect("xmllint is installed (Debian package libxml2-utils; .ci/run installs it)");
    assert!(
        output.status.success(),
        "the IATI export is invalid: {}\n{xml}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test]
async fn the_csv_table_has_one_row_per_indicator() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    partner(
        &app,
        &admin,
        "=cmd|' /C calc'!A0",
        Some("SN"),
        Some("2026-03-10"),
    )
    .await;
    let reply = app
        .send(Method::GET, "/api/v1/results-report?to=2026-12-31", |r| {
            r.bearer_auth(&admin).header("Accept", "text/csv")
        })
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert!(
        reply
            .header("content-disposition")
            .contains("results-1900-01-01-2026-12-31.csv")
    );
    let text = reply.text.trim_start_matches('\u{feff}');
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header[0], "result_code");
    assert_eq!(header.len(), 22);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 18);
    let partners = rows.iter().find(|r| &r[5] == "R2.2.1").expect("R2.2.1");
    assert_eq!(&partners[0], "R2.2");
    assert_eq!(&partners[17], "1", "actual");
    assert_eq!(&partners[21], "2026-12-31");
    let days = rows.iter().find(|r| &r[5] == "R1.1.5").expect("R1.1.5");
    assert_eq!((&days[15], &days[17], &days[18]), ("9", "0", "0"));
}
