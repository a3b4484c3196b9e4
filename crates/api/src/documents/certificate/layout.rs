//! Where every line goes: wrapping and shrinking long names and titles so nothing leaves the
//! page, free of PDF concerns so the tests can check the geometry.

use chrono::NaiveDate;

use super::fonts::{Face, Fonts, Style};
use super::*;

/// One line of text, placed on the page (y grows downwards from the top).
#[derive(Debug, Clone)]
pub(super) struct PlacedLine {
    pub(super) text: String,
    pub(super) style: Style,
    pub(super) size: f32,
    pub(super) x: f32,
    pub(super) baseline: f32,
}

/// The placed lines in three groups, so the tests can check that no group
/// runs into the next.
pub(super) struct Layout {
    pub(super) header: Vec<PlacedLine>,
    pub(super) body: Vec<PlacedLine>,
    pub(super) footer: Vec<PlacedLine>,
}

impl Layout {
    pub(super) fn lines(&self) -> impl Iterator<Item = &PlacedLine> {
        self.header.iter().chain(&self.body).chain(&self.footer)
    }
}

/// How one paragraph may be set: it starts at `largest` points and shrinks
/// one point at a time down to `smallest` until it fits in `max_lines`.
pub(super) struct Block {
    pub(super) text: String,
    pub(super) style: Style,
    pub(super) largest: f32,
    pub(super) smallest: f32,
    pub(super) max_lines: usize,
    /// Shrink a little to stay on one line before wrapping: right for a name,
    /// a code or a URL, wrong for a sentence, which is easier to read wrapped
    /// at full size.
    pub(super) one_line_first: bool,
    /// Extra space above the paragraph, in points.
    pub(super) space_before: f32,
}

impl Block {
    pub(super) fn new(
        text: String,
        style: Style,
        largest: f32,
        smallest: f32,
        max_lines: usize,
    ) -> Self {
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

    pub(super) fn one_line_first(mut self) -> Self {
        self.one_line_first = true;
        self
    }

    pub(super) fn after(mut self, space: f32) -> Self {
        self.space_before = space;
        self
    }
}

/// The title's baseline, from the top edge of the page.
pub(super) const TITLE_BASELINE: f32 = 140.0;
/// The least space between the header and the body, and the body and the
/// footer.
pub(super) const MIN_GAP: f32 = 40.0;

/// Places every line of the certificate.
///
/// The header sits at the top and the verification footer at the bottom,
/// always in the same place for whoever checks a certificate; the body is
/// centred in the space between, so a short certificate does not leave a
/// hole under the name. The line limits are chosen so that even the longest
/// accepted fields (200-character titles and associations, 201-character
/// names) fit between header and footer; the tests check this.
pub(super) fn layout(certificate: &Certificate, fonts: &Fonts) -> Layout {
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
pub(super) fn flow(blocks: &[Block], fonts: &Fonts) -> Vec<PlacedLine> {
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
pub(super) fn shift(lines: &mut [PlacedLine], by: f32) {
    for line in lines {
        line.baseline += by;
    }
}

/// The top of the first line's capitals. DejaVu's ascender is about 0.93 em,
/// so one em above the baseline is a safe bound.
pub(super) fn top(lines: &[PlacedLine]) -> f32 {
    lines.first().map_or(0.0, |line| line.baseline - line.size)
}

/// The bottom of the last line's descenders (DejaVu's is about 0.24 em).
pub(super) fn bottom(lines: &[PlacedLine]) -> f32 {
    lines
        .last()
        .map_or(0.0, |line| line.baseline + 0.25 * line.size)
}

/// Picks the largest size at which `text` fits in the block's line limit,
/// and the lines at that size. At the smallest size the text is cut to the
/// limit and ends in an ellipsis, so no input can push content off the page.
pub(super) fn fit(face: &Face, text: &str, block: &Block) -> (f32, Vec<String>) {
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
pub(super) fn truncate(
    face: &Face,
    mut lines: Vec<String>,
    size: f32,
    max_lines: usize,
) -> Vec<String> {
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
pub(super) struct Paragraph<'a> {
    pub(super) text: &'a str,
    pub(super) prefix: &'a [f32],
}

impl Paragraph<'_> {
    /// The advance of `text[start..end]` in ems.
    pub(super) fn advance(&self, start: usize, end: usize) -> f32 {
        let at = |offset: usize| self.prefix.get(offset).copied().unwrap_or_default();
        at(end) - at(start)
    }

    /// Breaks the paragraph into lines no wider than the text column at
    /// `size`, at spaces where possible and inside a word only when the word
    /// alone is too wide (long URLs, names written without spaces). Stops
    /// once `limit` lines exist: the caller then only needs to know that the
    /// text does not fit.
    pub(super) fn wrap(&self, size: f32, limit: usize) -> Vec<String> {
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
pub(super) fn pop_cluster(text: &mut String) {
    while let Some(c) = text.pop() {
        if !is_combining(c) {
            break;
        }
    }
}

/// Combining marks and joiners attach to the previous character; breaking a
/// line before one would separate an accent from its letter.
pub(super) fn is_combining(c: char) -> bool {
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
pub(super) fn long_date(date: NaiveDate) -> String {
    date.format("%-d %B %Y").to_string()
}
