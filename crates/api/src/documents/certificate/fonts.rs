//! The embedded fonts: drawn by krilla, measured by rustybuzz with the same shaping.

use krilla::text::Font;

const REGULAR_TTF: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
const BOLD_TTF: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf");

/// One font in the two forms needed: krilla's for drawing, rustybuzz's for
/// measuring. Measuring with the same shaper krilla draws with (kerning
/// included) means a line measured to fit does fit.
pub(super) struct Face {
    pub(super) font: Font,
    pub(super) shaper: rustybuzz::Face<'static>,
    pub(super) units_per_em: f32,
}

impl Face {
    pub(super) fn load(data: &'static [u8], name: &str) -> Result<Self, String> {
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
    pub(super) fn width(&self, text: &str, size: f32) -> f32 {
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
    pub(super) fn prefix_advances(&self, text: &str) -> Vec<f32> {
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

pub(super) struct Fonts {
    pub(super) regular: Face,
    pub(super) bold: Face,
}

impl Fonts {
    /// The fonts, parsed once for the life of the process (every certificate uses them).
    pub(super) fn shared() -> Result<&'static Self, String> {
        static FONTS: std::sync::OnceLock<Result<Fonts, String>> = std::sync::OnceLock::new();
        FONTS.get_or_init(Self::load).as_ref().map_err(Clone::clone)
    }

    pub(super) fn load() -> Result<Self, String> {
        Ok(Self {
            regular: Face::load(REGULAR_TTF, "DejaVuSans.ttf")?,
            bold: Face::load(BOLD_TTF, "DejaVuSans-Bold.ttf")?,
        })
    }

    pub(super) fn face(&self, style: Style) -> &Face {
        match style {
            Style::Regular | Style::Muted => &self.regular,
            Style::Bold | Style::Accent => &self.bold,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Style {
    Regular,
    Muted,
    Bold,
    Accent,
}
