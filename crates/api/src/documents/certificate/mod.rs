//! Certificates of attendance as one-page PDF files.
//!
//! The PDF embeds DejaVu Sans (regular and bold, licence in
//! `assets/fonts/LICENSE-DejaVu.txt`) because the 14 standard PDF fonts are
//! not embedded, so their look depends on the viewer, and only have a
//! single-byte encoding: names such as "Aïssatou Ndèye Françoise", or names
//! in other scripts, need a real font.
//! krilla subsets the font to the glyphs used, so a certificate stays small,
//! and writes a ToUnicode map, so the text can be searched and copied.
//!
//! Layout happens in two steps: `layout` places every line (wrapping and
//! shrinking long names and titles so that nothing leaves the page), and
//! [`render_pdf`] draws what was placed. Keeping the first step free of PDF
//! concerns lets the tests check the geometry directly.

use chrono::NaiveDate;
use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule, Stroke};
use krilla::text::TextDirection;

mod fonts;
mod layout;
#[cfg(test)]
mod tests;

use self::fonts::{Fonts, Style};
use self::layout::layout;

/// A4 in PDF points (1/72 inch).
const PAGE_WIDTH: f32 = 595.28;
const PAGE_HEIGHT: f32 = 841.89;
/// Text stays this far from the left and right edges; the frame sits halfway.
const SIDE_MARGIN: f32 = 72.0;
const TEXT_WIDTH: f32 = PAGE_WIDTH - 2.0 * SIDE_MARGIN;
/// The last footer line's baseline sits this far above the bottom edge.
const FOOTER_BOTTOM: f32 = 96.0;
/// Baseline-to-baseline distance as a multiple of the font size.
const LINE_SPACING: f32 = 1.3;

const PROGRAMME: &str =
    "Empower \u{2014} strengthening African diaspora women's associations in Belgium";

/// What a certificate of attendance states.
#[derive(Debug, Clone)]
pub struct Certificate {
    /// The participant's full name, as recorded ("Aïssatou Ndèye Françoise Diop").
    pub full_name: String,
    /// The association she represents.
    pub association_name: String,
    /// The module's code, such as "M1".
    pub module_code: String,
    /// The module's title (one language).
    pub module_title: String,
    /// Days attended.
    pub attended_days: i32,
    /// Days the module has.
    pub planned_days: i32,
    /// The first day attended.
    pub first_day_on: NaiveDate,
    /// The day that completed the module.
    pub completed_on: NaiveDate,
    /// The verification code.
    pub verification_code: String,
    /// Where anyone can check the code (an absolute or site-relative URL).
    pub verify_url: String,
}

/// Renders the certificate as a one-page A4 PDF with an embedded font.
///
/// Fields of any length give one page: long ones wrap, then shrink, and as a
/// last resort end in an ellipsis. The output is deterministic for a given
/// certificate, so the same request gives byte-identical files.
///
/// # Errors
///
/// Returns a message when the embedded font cannot be read or the PDF cannot
/// be written; neither depends on the certificate's contents.
pub fn render_pdf(certificate: &Certificate) -> Result<Vec<u8>, String> {
    let fonts = Fonts::shared()?;
    let placed = layout(certificate, fonts);

    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title("Certificate of attendance".to_owned())
            .creator("Empower".to_owned())
            .language("en".to_owned()),
    );

    let page_settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT)
        .ok_or_else(|| "invalid page size".to_owned())?;
    let mut page = document.start_page_with(page_settings);
    let mut surface = page.surface();

    draw_frame(&mut surface)?;

    for line in placed.lines() {
        let (font, color) = match line.style {
            Style::Regular => (&fonts.regular.font, TEXT_COLOR),
            Style::Muted => (&fonts.regular.font, MUTED_COLOR),
            Style::Bold => (&fonts.bold.font, TEXT_COLOR),
            Style::Accent => (&fonts.bold.font, ACCENT_COLOR),
        };
        surface.set_fill(Some(fill(color)));
        surface.draw_text(
            Point::from_xy(line.x, line.baseline),
            font.clone(),
            line.size,
            &line.text,
            false,
            TextDirection::Auto,
        );
    }

    surface.finish();
    page.finish();
    document
        .finish()
        .map_err(|error| format!("could not write the certificate PDF: {error}"))
}

const TEXT_COLOR: (u8, u8, u8) = (0x1f, 0x29, 0x37);
const MUTED_COLOR: (u8, u8, u8) = (0x4b, 0x55, 0x63);
const ACCENT_COLOR: (u8, u8, u8) = (0x7c, 0x2d, 0x12);

fn fill((red, green, blue): (u8, u8, u8)) -> Fill {
    Fill {
        paint: rgb::Color::new(red, green, blue).into(),
        opacity: NormalizedF32::ONE,
        rule: FillRule::NonZero,
    }
}

/// A double frame, so the page reads as a certificate rather than a letter.
fn draw_frame(surface: &mut krilla::surface::Surface<'_>) -> Result<(), String> {
    surface.set_fill(None);
    for (inset, width) in [(28.0, 2.0), (34.0, 0.6)] {
        let rect = Rect::from_xywh(
            inset,
            inset,
            PAGE_WIDTH - 2.0 * inset,
            PAGE_HEIGHT - 2.0 * inset,
        )
        .ok_or_else(|| "invalid frame".to_owned())?;
        let mut builder = PathBuilder::new();
        builder.push_rect(rect);
        let path = builder.finish().ok_or_else(|| "invalid frame".to_owned())?;
        let (red, green, blue) = ACCENT_COLOR;
        surface.set_stroke(Some(Stroke {
            paint: rgb::Color::new(red, green, blue).into(),
            width,
            ..Stroke::default()
        }));
        surface.draw_path(&path);
    }
    surface.set_stroke(None);
    Ok(())
}
