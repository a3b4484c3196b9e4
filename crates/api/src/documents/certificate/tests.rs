//! The certificate read back with an independent parser, and its geometry.

use super::fonts::*;
use super::layout::*;
use super::*;

fn sample() -> Certificate {
    Certificate {
        full_name: "Aïssatou Ndèye Françoise Diop".to_owned(),
        association_name: "Association des Femmes Sénégalaises de Liège".to_owned(),
        module_code: "M1".to_owned(),
        module_title: "Governance and association management".to_owned(),
        attended_days: 3,
        planned_days: 3,
        first_day_on: NaiveDate::from_ymd_opt(2026, 3, 12).expect("valid date"),
        completed_on: NaiveDate::from_ymd_opt(2026, 3, 26).expect("valid date"),
        verification_code: "EMP-7KQ2-9XWD".to_owned(),
        verify_url: "https://empower.example.be/verify/EMP-7KQ2-9XWD".to_owned(),
    }
}

/// The longest values the API accepts, with some spaces so that they wrap
/// the way real text does.
fn longest() -> Certificate {
    let words = |n: usize| {
        "Développement organisationnel et plaidoyer des associations "
            .chars()
            .cycle()
            .take(n)
            .collect::<String>()
    };
    Certificate {
        full_name: words(201),
        association_name: words(200),
        module_title: words(200),
        // W is the widest capital: the worst case for a 32-character code.
        verification_code: "W".repeat(32),
        verify_url: format!("https://empower.example.be/verify/{}", "W".repeat(32)),
        ..sample()
    }
}

/// Page count and extracted text, read back with an independent parser.
fn read_back(pdf: &[u8]) -> (usize, String) {
    let document = lopdf::Document::load_mem(pdf).expect("the PDF parses");
    let pages: Vec<u32> = document.get_pages().keys().copied().collect();
    let text = document.extract_text(&pages).expect("the text extracts");
    // Lines may wrap anywhere, so compare with all whitespace collapsed.
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (pages.len(), text)
}

/// Fails when a line leaves the text column or the body reaches the
/// footer.
fn assert_fits(certificate: &Certificate) {
    let fonts = Fonts::load().expect("fonts load");
    let placed = layout(certificate, &fonts);
    for line in placed.lines() {
        let width = fonts.face(line.style).width(&line.text, line.size);
        assert!(
            line.x >= SIDE_MARGIN - 0.01 && line.x + width <= PAGE_WIDTH - SIDE_MARGIN + 0.01,
            "line runs off the column: {line:?}"
        );
    }
    for (upper, lower) in [
        (&placed.header, &placed.body),
        (&placed.body, &placed.footer),
    ] {
        assert!(
            bottom(upper) + MIN_GAP <= top(lower) + 0.01,
            "{upper:?} runs into {lower:?}"
        );
    }
    assert!(top(&placed.header) > 60.0);
    assert!(bottom(&placed.footer) < PAGE_HEIGHT - 60.0);
}

#[test]
fn accented_name_and_code_can_be_extracted() {
    let pdf = render_pdf(&sample()).expect("renders");
    let (_, text) = read_back(&pdf);
    assert!(text.contains("Aïssatou Ndèye Françoise Diop"), "{text}");
    assert!(text.contains("EMP-7KQ2-9XWD"), "{text}");
    assert!(
        text.contains("from 12 March 2026 to 26 March 2026"),
        "{text}"
    );
    assert!(text.contains("Sénégalaises de Liège"), "{text}");
}

#[test]
fn has_exactly_one_page() {
    let pdf = render_pdf(&sample()).expect("renders");
    assert_eq!(read_back(&pdf).0, 1);
}

#[test]
fn longest_accepted_fields_still_give_one_page() {
    let certificate = longest();
    assert_eq!(certificate.full_name.chars().count(), 201);
    assert_eq!(certificate.module_title.chars().count(), 200);
    let pdf = render_pdf(&certificate).expect("renders");
    let (pages, text) = read_back(&pdf);
    assert_eq!(pages, 1);
    // Nothing was cut.
    assert!(!text.contains('\u{2026}'), "{text}");
    assert_fits(&certificate);
}

#[test]
fn oversized_fields_are_cut_rather_than_overflowing() {
    let certificate = Certificate {
        full_name: "Ndèye".repeat(400),
        association_name: "word ".repeat(1000),
        module_title: "x".repeat(5000),
        verify_url: "/".repeat(3000),
        ..sample()
    };
    let pdf = render_pdf(&certificate).expect("renders");
    let (pages, text) = read_back(&pdf);
    assert_eq!(pages, 1);
    assert!(text.contains('\u{2026}'), "{text}");
    assert_fits(&certificate);
}

#[test]
fn sample_layout_fits() {
    assert_fits(&sample());
}

#[test]
fn font_is_embedded_and_subset() {
    let pdf = render_pdf(&sample()).expect("renders");
    let document = lopdf::Document::load_mem(&pdf).expect("the PDF parses");
    let embedded = document
        .objects
        .values()
        .filter_map(|object| object.as_dict().ok())
        .filter(|dict| dict.has(b"FontFile2"))
        .count();
    assert_eq!(embedded, 2, "regular and bold are embedded");
    assert!(pdf.len() < 64 * 1024, "{} bytes", pdf.len());
}

#[test]
fn output_is_deterministic() {
    let certificate = sample();
    assert_eq!(
        render_pdf(&certificate).expect("renders"),
        render_pdf(&certificate).expect("renders")
    );
}

#[test]
fn dates_are_spelled_out() {
    let date = NaiveDate::from_ymd_opt(2026, 3, 2).expect("valid date");
    assert_eq!(long_date(date), "2 March 2026");
}
