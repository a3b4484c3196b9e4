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
use krilla::text::{Font, TextDirection};

const REGULAR_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
const BOLD_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

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
    let fonts = Fonts::load()?;
    let placed = layout(certificate, &fonts);

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

/// One font in the two forms needed: krilla's for drawing, rustybuzz's for
/// measuring. Measuring with the same shaper krilla draws with (kerning
/// included) means a line measured to fit does fit.
struct Face {
    font: Font,
    shaper: rustybuzz::Face<'static>,
    units_per_em: f32,
}

impl Face {
    fn load(data: &'static [u8], name: &str) -> Result<Self, String> {
        let font = Font::new(data.into(), 0)
            .ok_or_else(|| format!("the embedded font {name} cannot be read"))?;
        let shaper = rustybuzz::Face::from_slice(data, 0)
            .ok_or_else(|| format!("the embedded font {name} cannot be shaped"))?;
        let units_per_em = u16::try_from(shaper.units_per_em())
            .ok()
            .filter(|units| *units > 0)
            .map(f32::from)
            .ok_or_else(|| format!("the embedded font {name} has no valid em size"))?;
        Ok(Self {
            font,
            shaper,
            units_per_em,
        })
    }

    /// The advance width of `text` at `size` points.
    fn width(&self, text: &str, size: f32) -> f32 {
        self.prefix_advances(text)
            .last()
            .copied()
            .unwrap_or_default()
            * size
    }

    /// Shapes `text` once and returns, for every byte offset `b`, the advance
    /// of `text[..b]` in ems (meaningful at character boundaries). Line
    /// breaking then only subtracts two numbers per candidate line instead of
    /// shaping it again, which kept very long input from taking seconds.
    fn prefix_advances(&self, text: &str) -> Vec<f32> {
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        let shaped = rustybuzz::shape(&self.shaper, &[], buffer);
        // A cluster's advance is booked on its first byte, so a ligature or a
        // letter with its accents counts once, where it starts.
        let mut at_byte = vec![0.0_f32; text.len() + 1];
        for (info, position) in shaped.glyph_infos().iter().zip(shaped.glyph_positions()) {
            let cluster = usize::try_from(info.cluster).unwrap_or(usize::MAX);
            if let Some(slot) = at_byte.get_mut(cluster) {
                *slot += position.x_advance as f32 / self.units_per_em;
            }
        }
        let mut total = 0.0;
        at_byte
            .into_iter()
            .map(|advance| {
                let before = total;
                total += advance;
                before
            })
            .collect()
    }
}

struct Fonts {
    regular: Face,
    bold: Face,
}

impl Fonts {
    fn load() -> Result<Self, String> {
        Ok(Self {
            regular: Face::load(REGULAR_TTF, "DejaVuSans.ttf")?,
            bold: Face::load(BOLD_TTF, "DejaVuSans-Bold.ttf")?,
        })
    }

    fn face(&self, style: Style) -> &Face {
        match style {
            Style::Regular | Style::Muted => &self.regular,
            Style::Bold | Style::Accent => &self.bold,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Regular,
    Muted,
    Bold,
    Accent,
}

/// One line of text, placed on the page (y grows downwards from the top).
#[derive(Debug, Clone)]
struct PlacedLine {
    text: String,
    style: Style,
    size: f32,
    x: f32,
    baseline: f32,
}

/// The placed lines in three groups, so the tests can check that no group
/// runs into the next.
struct Layout {
    header: Vec<PlacedLine>,
    body: Vec<PlacedLine>,
    footer: Vec<PlacedLine>,
}

impl Layout {
    fn lines(&self) -> impl Iterator<Item = &PlacedLine> {
        self.header.iter().chain(&self.body).chain(&self.footer)
    }
}

/// How one paragraph may be set: it starts at `largest` points and shrinks
/// one point at a time down to `smallest` until it fits in `max_lines`.
struct Block {
    text: String,
    style: Style,
    largest: f32,
    smallest: f32,
    max_lines: usize,
    /// Shrink a little to stay on one line before wrapping: right for a name,
    /// a code or a URL, wrong for a sentence, which is easier to read wrapped
    /// at full size.
    one_line_first: bool,
    /// Extra space above the paragraph, in points.
    space_before: f32,
}

impl Block {
    fn new(text: String, style: Style, largest: f32, smallest: f32, max_lines: usize) -> Self {
        Self {
            text,
            style,
            largest,
            smallest,
            max_lines,
            one_line_first: false,
            space_before: 0.0,
        }
    }

    fn one_line_first(mut self) -> Self {
        self.one_line_first = true;
        self
    }

    fn after(mut self, space: f32) -> Self {
        self.space_before = space;
        self
    }
}

/// The title's baseline, from the top edge of the page.
const TITLE_BASELINE: f32 = 140.0;
/// The least space between the header and the body, and the body and the
/// footer.
const MIN_GAP: f32 = 40.0;

/// Places every line of the certificate.
///
/// The header sits at the top and the verification footer at the bottom,
/// always in the same place for whoever checks a certificate; the body is
/// centred in the space between, so a short certificate does not leave a
/// hole under the name. The line limits are chosen so that even the longest
/// accepted fields (200-character titles and associations, 201-character
/// names) fit between header and footer; the tests check this.
fn layout(certificate: &Certificate, fonts: &Fonts) -> Layout {
    let header = [
        Block::new(
            "Certificate of attendance".to_owned(),
            Style::Accent,
            30.0,
            20.0,
            1,
        ),
        Block::new(PROGRAMME.to_owned(), Style::Muted, 11.0, 9.0, 2).after(6.0),
    ];
    let body = [
        Block::new(
            "This certifies that".to_owned(),
            Style::Regular,
            14.0,
            12.0,
            1,
        ),
        Block::new(certificate.full_name.clone(), Style::Bold, 26.0, 14.0, 5)
            .one_line_first()
            .after(14.0),
        Block::new(
            format!("representing {}", certificate.association_name),
            Style::Regular,
            14.0,
            10.0,
            4,
        )
        .after(12.0),
        Block::new(
            format!(
                "attended {} of {} days of module {}: {}",
                certificate.attended_days,
                certificate.planned_days,
                certificate.module_code,
                certificate.module_title,
            ),
            Style::Regular,
            13.0,
            10.0,
            6,
        )
        .after(28.0),
        Block::new(
            format!(
                "from {} to {}",
                long_date(certificate.first_day_on),
                long_date(certificate.completed_on),
            ),
            Style::Regular,
            13.0,
            10.0,
            2,
        )
        .after(6.0),
    ];
    let footer = [
        Block::new(
            format!("Verification code: {}", certificate.verification_code),
            Style::Bold,
            11.0,
            8.0,
            2,
        )
        .one_line_first(),
        Block::new(
            format!("Verify at {}", certificate.verify_url),
            Style::Muted,
            10.0,
            8.0,
            3,
        )
        .one_line_first()
        .after(2.0),
    ];

    let mut header = flow(&header, fonts);
    shift(&mut header, TITLE_BASELINE);
    let mut footer = flow(&footer, fonts);
    let last_baseline = footer.last().map_or(0.0, |line| line.baseline);
    shift(&mut footer, PAGE_HEIGHT - FOOTER_BOTTOM - last_baseline);
    let mut body = flow(&body, fonts);
    let room_top = bottom(&header) + MIN_GAP;
    let room_bottom = top(&footer) - MIN_GAP;
    let body_height = bottom(&body) - top(&body);
    let body_top = room_top.max((room_top + room_bottom - body_height) / 2.0);
    let by = body_top - top(&body);
    shift(&mut body, by);
    Layout {
        header,
        body,
        footer,
    }
}

/// Sets `blocks` one under the other, the first baseline at 0.
fn flow(blocks: &[Block], fonts: &Fonts) -> Vec<PlacedLine> {
    let mut placed = Vec::new();
    let mut baseline = 0.0;
    let mut previous_size: Option<f32> = None;
    for block in blocks {
        let face = fonts.face(block.style);
        let (size, lines) = fit(face, &block.text, block);
        for (index, text) in lines.into_iter().enumerate() {
            if let Some(previous) = previous_size {
                // Leading follows the larger of the two neighbouring sizes so
                // that a large name never touches the smaller line above it.
                baseline += previous.max(size) * LINE_SPACING;
                if index == 0 {
                    baseline += block.space_before;
                }
            }
            previous_size = Some(size);
            let width = face.width(&text, size);
            placed.push(PlacedLine {
                x: (PAGE_WIDTH - width) / 2.0,
                text,
                style: block.style,
                size,
                baseline,
            });
        }
    }
    placed
}

/// Moves lines down by `by` points.
fn shift(lines: &mut [PlacedLine], by: f32) {
    for line in lines {
        line.baseline += by;
    }
}

/// The top of the first line's capitals. DejaVu's ascender is about 0.93 em,
/// so one em above the baseline is a safe bound.
fn top(lines: &[PlacedLine]) -> f32 {
    lines.first().map_or(0.0, |line| line.baseline - line.size)
}

/// The bottom of the last line's descenders (DejaVu's is about 0.24 em).
fn bottom(lines: &[PlacedLine]) -> f32 {
    lines
        .last()
        .map_or(0.0, |line| line.baseline + 0.25 * line.size)
}

/// Picks the largest size at which `text` fits in the block's line limit,
/// and the lines at that size. At the smallest size the text is cut to the
/// limit and ends in an ellipsis, so no input can push content off the page.
fn fit(face: &Face, text: &str, block: &Block) -> (f32, Vec<String>) {
    // Control characters would draw as missing-glyph boxes, and runs of
    // spaces or line breaks in a stored name mean nothing on a certificate.
    let text = text
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let prefix = face.prefix_advances(&text);
    let paragraph = Paragraph {
        text: &text,
        prefix: &prefix,
    };
    let fits = |lines: &[String], size: f32, max_lines: usize| {
        // Widths summed from one shaping of the whole paragraph can differ
        // slightly from a line shaped alone (the kerning pair across a
        // break), so accept a size only once every line fits as drawn.
        lines.len() <= max_lines
            && lines
                .iter()
                .all(|line| face.width(line, size) <= TEXT_WIDTH)
    };

    // A name broken over two lines reads worse than a slightly smaller name
    // on one, so such blocks first shrink towards a single line, but only so
    // far: below three quarters of the intended size the page's hierarchy is
    // lost.
    let mut size = block.largest;
    while block.one_line_first && size >= block.largest * 0.75 {
        let lines = paragraph.wrap(size, 2);
        if fits(&lines, size, 1) {
            return (size, lines);
        }
        size -= 1.0;
    }
    let mut size = block.largest;
    loop {
        let lines = paragraph.wrap(size, block.max_lines + 1);
        if fits(&lines, size, block.max_lines) {
            return (size, lines);
        }
        if size - 1.0 < block.smallest {
            if lines.len() > block.max_lines {
                return (size, truncate(face, lines, size, block.max_lines));
            }
            // Only a kerning pair across a break keeps these lines from
            // fitting: a point at most, well inside the frame, and better
            // than an ellipsis where nothing was cut.
            return (size, lines);
        }
        size -= 1.0;
    }
}

/// Keeps `max_lines` lines and ends the last one in an ellipsis.
fn truncate(face: &Face, mut lines: Vec<String>, size: f32, max_lines: usize) -> Vec<String> {
    lines.truncate(max_lines);
    if let Some(last) = lines.last_mut() {
        loop {
            let candidate = format!("{}\u{2026}", last.trim_end());
            if face.width(&candidate, size) <= TEXT_WIDTH || last.is_empty() {
                *last = candidate;
                break;
            }
            pop_cluster(last);
        }
    }
    lines
}

/// A paragraph whose words are separated by single spaces, with the advance
/// of every prefix (see [`Face::prefix_advances`]).
struct Paragraph<'a> {
    text: &'a str,
    prefix: &'a [f32],
}

impl Paragraph<'_> {
    /// The advance of `text[start..end]` in ems.
    fn advance(&self, start: usize, end: usize) -> f32 {
        let at = |offset: usize| self.prefix.get(offset).copied().unwrap_or_default();
        at(end) - at(start)
    }

    /// Breaks the paragraph into lines no wider than the text column at
    /// `size`, at spaces where possible and inside a word only when the word
    /// alone is too wide (long URLs, names written without spaces). Stops
    /// once `limit` lines exist: the caller then only needs to know that the
    /// text does not fit.
    fn wrap(&self, size: f32, limit: usize) -> Vec<String> {
        let room = TEXT_WIDTH / size;
        let mut lines = Vec::new();
        // The line being filled, as a byte range of `text`.
        let mut line: Option<(usize, usize)> = None;
        let mut word_start = 0;
        for word in self.text.split(' ') {
            let word_end = word_start + word.len();
            let (start, end) = (word_start, word_end);
            word_start = word_end + 1;
            if lines.len() >= limit {
                return lines;
            }
            if let Some((line_start, line_end)) = line {
                if self.advance(line_start, end) <= room {
                    line = Some((line_start, end));
                    continue;
                }
                lines.push(self.text[line_start..line_end].to_owned());
                line = None;
            }
            if self.advance(start, end) <= room {
                line = Some((start, end));
                continue;
            }
            // The word alone is too wide: cut it before the first break
            // point that would overflow, never in front of a combining mark.
            let mut piece = start;
            let mut fitting = start;
            let breaks = word
                .char_indices()
                .filter(|&(at, c)| at > 0 && !is_combining(c))
                .map(|(at, _)| start + at)
                .chain([end]);
            for at in breaks {
                while self.advance(piece, at) > room {
                    // One character wider than the column (impossible at
                    // these sizes) still moves forward by one character.
                    let cut = if fitting > piece { fitting } else { at };
                    lines.push(self.text[piece..cut].to_owned());
                    if lines.len() >= limit {
                        return lines;
                    }
                    piece = cut;
                    fitting = cut;
                    if cut == at {
                        break;
                    }
                }
                fitting = at;
            }
            if piece < end {
                line = Some((piece, end));
            }
        }
        if let Some((line_start, line_end)) = line {
            lines.push(self.text[line_start..line_end].to_owned());
        }
        lines
    }
}

/// Removes the last character together with any combining marks on it, so
/// that an ellipsis never lands between a letter and its accent.
fn pop_cluster(text: &mut String) {
    while let Some(c) = text.pop() {
        if !is_combining(c) {
            break;
        }
    }
}

/// Combining marks and joiners attach to the previous character; breaking a
/// line before one would separate an accent from its letter.
fn is_combining(c: char) -> bool {
    matches!(
        c,
        '\u{0300}'..='\u{036F}'
            | '\u{1AB0}'..='\u{1AFF}'
            | '\u{1DC0}'..='\u{1DFF}'
            | '\u{20D0}'..='\u{20FF}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FE20}'..='\u{FE2F}'
            | '\u{200D}'
    )
}

/// "12 March 2026": spelled out so that nobody reads 03/12 as December.
fn long_date(date: NaiveDate) -> String {
    date.format("%-d %B %Y").to_string()
}

#[cfg(test)]
mod tests {
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
}
