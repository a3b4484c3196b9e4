//! Text as people type it, and as attackers do: normalised to NFC, refused when it carries
//! characters that make no sense in it (controls, invisible and bidirectional formatting
//! characters), and folded into keys that make look-alike names collide.
//!
//! - A *line* (a name, a title, an email) is one line of visible text: no control character at
//!   all, no default-ignorable character (zero-width spaces and joiners, bidi controls, the BOM,
//!   variation selectors...), and it is not empty once trimmed.
//! - A *paragraph* (notes, descriptions) may hold line breaks and tabs, and the joiners that
//!   some scripts and emoji need, but no other control and no bidi control (which can make text
//!   display in another order than it is stored).

use unicode_normalization::UnicodeNormalization;
use unicode_security::GeneralSecurityProfile;
use unicode_security::general_security_profile::IdentifierType;

use validator::ValidateEmail;

use crate::FieldError;

/// Bidirectional formatting characters (Trojan-source style reordering).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Noncharacters: never meant for interchange.
fn is_noncharacter(c: char) -> bool {
    let n = u32::from(c);
    (0xFDD0..=0xFDEF).contains(&n) || n & 0xFFFE == 0xFFFE
}

/// A character no text of any kind accepts: C0 and C1 controls other than tab, line feed and
/// carriage return, DEL, and noncharacters. PostgreSQL refuses NUL outright.
pub fn is_never_text(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || is_noncharacter(c)
}

/// The first character of `text` that no text accepts ([`is_never_text`]), if any.
pub fn first_never_text(text: &str) -> Option<char> {
    text.chars().find(|c| is_never_text(*c))
}

/// The rule a refused character breaks, naming it.
pub fn never_text_rule(c: char) -> String {
    format!(
        "must not contain control characters (found U+{:04X})",
        u32::from(c)
    )
}

/// Default-ignorable code points: invisible, and ignored when text is compared or shown.
fn is_default_ignorable(c: char) -> bool {
    c.identifier_type() == Some(IdentifierType::Default_Ignorable)
        || matches!(
            c,
            '\u{00AD}' | '\u{034F}' | '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}'
        )
        || ('\u{180B}'..='\u{180F}').contains(&c)
        || ('\u{200B}'..='\u{200F}').contains(&c)
        || ('\u{202A}'..='\u{202E}').contains(&c)
        || ('\u{2060}'..='\u{206F}').contains(&c)
        || ('\u{FE00}'..='\u{FE0F}').contains(&c)
        || c == '\u{FEFF}'
        || ('\u{1BCA0}'..='\u{1BCA3}').contains(&c)
        || ('\u{E0000}'..='\u{E0FFF}').contains(&c)
}

/// What is wrong with one character of a line, if anything.
fn line_problem(c: char) -> Option<&'static str> {
    if c.is_control() || is_noncharacter(c) {
        Some("must not contain control characters")
    } else if is_bidi_control(c) {
        Some("must not contain bidirectional control characters")
    } else if is_default_ignorable(c) {
        Some("must not contain invisible characters")
    } else if matches!(c, '\u{2028}' | '\u{2029}') {
        Some("must be a single line")
    } else {
        None
    }
}

/// What is wrong with one character of a paragraph, if anything.
fn paragraph_problem(c: char) -> Option<&'static str> {
    if is_never_text(c) {
        Some("must not contain control characters")
    } else if is_bidi_control(c) {
        Some("must not contain bidirectional control characters")
    } else if is_default_ignorable(c)
        && !matches!(c, '\u{200C}' | '\u{200D}' | '\u{FE0E}' | '\u{FE0F}')
    {
        Some("must not contain invisible characters")
    } else {
        None
    }
}

fn length_rule(min: usize, max: usize) -> String {
    if min <= 1 {
        format!("must be 1 to {max} characters")
    } else {
        format!("must be {min} to {max} characters")
    }
}

/// A required line of `min..=max` characters: trimmed, NFC.
pub fn line(value: &str, pointer: &str, min: usize, max: usize) -> Result<String, FieldError> {
    within(value, pointer, max)?;
    if let Some(problem) = value.chars().find_map(line_problem) {
        return Err(FieldError::new(pointer, problem));
    }
    let value: String = value.trim().nfc().collect();
    let count = value.chars().count();
    if count < min.max(1) || count > max {
        return Err(FieldError::new(pointer, length_rule(min, max)));
    }
    Ok(value)
}

/// Refuses a value longer than `max` characters as sent (blanks included).
fn within(value: &str, pointer: &str, max: usize) -> Result<(), FieldError> {
    if value.chars().count() > max {
        Err(FieldError::new(
            pointer,
            format!("must be at most {max} characters"),
        ))
    } else {
        Ok(())
    }
}

/// An optional value that is absent when blank, checked by `check` otherwise; longer than
/// `max` characters as sent, it is refused either way.
pub fn optional<T>(
    value: Option<&str>,
    pointer: &str,
    max: usize,
    check: impl FnOnce(&str) -> Result<T, FieldError>,
) -> Result<Option<T>, FieldError> {
    let Some(value) = value else {
        return Ok(None);
    };
    within(value, pointer, max)?;
    match value.trim() {
        "" => Ok(None),
        trimmed => check(trimmed).map(Some),
    }
}

/// An optional line of at most `max` characters: blank is absent.
pub fn optional_line(
    value: Option<&str>,
    pointer: &str,
    max: usize,
) -> Result<Option<String>, FieldError> {
    optional(value, pointer, max, |v| line(v, pointer, 1, max))
}

/// An optional paragraph of at most `max` characters: line breaks kept (`\r\n` becomes `\n`),
/// surrounding blanks trimmed, blank is absent.
pub fn optional_paragraph(
    value: Option<&str>,
    pointer: &str,
    max: usize,
) -> Result<Option<String>, FieldError> {
    let Some(value) = value else {
        return Ok(None);
    };
    within(value, pointer, max)?;
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    if let Some(problem) = value.chars().find_map(paragraph_problem) {
        return Err(FieldError::new(pointer, problem));
    }
    let value: String = value
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .nfc()
        .collect();
    if value.chars().count() > max {
        return Err(FieldError::new(
            pointer,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(Some(value))
}

/// Checks an email: one line, NFC, no invisible characters, lower-cased, well-formed.
pub fn email(email: &str, pointer: &str) -> Result<String, FieldError> {
    let email = line(email, pointer, 3, 254)?.to_lowercase();
    if email.validate_email() {
        Ok(email)
    } else {
        Err(FieldError::new(pointer, "must be a valid email address"))
    }
}

/// A phone number: 6-30 characters, at least 6 digits, and only digits, spaces and `+ ( ) - . /`.
pub fn phone(phone: &str, pointer: &str) -> Result<String, FieldError> {
    let phone = phone.trim();
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    let valid = (6..=30).contains(&phone.len())
        && digits >= 6
        && phone
            .chars()
            .all(|c| c.is_ascii_digit() || " +()-./".contains(c));
    if valid {
        Ok(phone.to_owned())
    } else {
        Err(FieldError::new(
            pointer,
            "must be a phone number: digits, spaces and + ( ) - . /",
        ))
    }
}

/// Whether a value is an http or https address with a host name, without blanks or control
/// characters, of at most 300 characters.
pub fn is_website(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|r| {
        let host = r.split(['/', '?', '#']).next().unwrap_or_default();
        host.contains('.')
            && !r.chars().any(|c| c.is_whitespace() || c.is_control())
            && url.len() <= 300
    })
}

/// An `https` address with a host name, of at most 300 characters (the links of evidence,
/// documents and pictures).
pub fn https(url: &str, pointer: &str) -> Result<String, FieldError> {
    if url.starts_with("https://") && is_website(url) {
        Ok(url.to_owned())
    } else {
        Err(FieldError::new(
            pointer,
            "must be an https address of at most 300 characters",
        ))
    }
}

/// A language code: 2 or 3 letters, trimmed and lower-cased (`fr`, `nl`, `en`, `wo`).
pub fn language_code(code: &str, pointer: &str) -> Result<String, FieldError> {
    let code = code.trim().to_ascii_lowercase();
    if (2..=3).contains(&code.len()) && code.chars().all(|c| c.is_ascii_lowercase()) {
        Ok(code)
    } else {
        Err(FieldError::new(
            pointer,
            "must be a language code such as fr, nl or en",
        ))
    }
}

/// Collects one field's outcome: the value when valid, the problem into `errors` otherwise.
pub fn collect<T>(errors: &mut Vec<FieldError>, result: Result<T, FieldError>) -> Option<T> {
    result.map_err(|e| errors.push(e)).ok()
}

/// The key under which two names are the same name: compatibility-normalised (NFKC), case-
/// folded, accents removed, white space collapsed. `Ｆｅｍｍｅｓ`, `FEMMES` and `Fémmes` share it.
pub fn fold(text: &str) -> String {
    text.nfkc()
        .flat_map(char::to_lowercase)
        .collect::<String>()
        .nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .filter(|c| !is_default_ignorable(*c))
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The UTS #39 skeleton of a name's folded form: names that look alike (Latin `a` and Cyrillic
/// `а`, `rn` and `m`, `0` and `O`) share it, so one cannot pass for the other.
pub fn skeleton(text: &str) -> String {
    unicode_security::skeleton(&fold(text))
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_refuse_controls_invisible_and_bidi_characters() {
        assert_eq!(
            line("  Femmes  ", "/name", 2, 200).ok().as_deref(),
            Some("Femmes")
        );
        for bad in [
            "Fem\u{0}mes",
            "Fem\nmes",
            "Femmes\u{200B}",
            "\u{202E}semmeF",
            "Fem\u{2066}mes",
            "Femmes\u{FEFF}",
            "Fem\u{AD}mes",
            "Fem\u{85}mes",
        ] {
            assert!(line(bad, "/name", 2, 200).is_err(), "{bad:?}");
        }
        assert!(line("\u{200B}\u{200B}", "/name", 2, 200).is_err());
        assert!(line(" ", "/name", 1, 200).is_err());
        assert!(line(&"x".repeat(201), "/name", 2, 200).is_err());
    }

    #[test]
    fn lines_are_nfc() {
        let decomposed = "Re\u{0301}seau";
        assert_eq!(
            line(decomposed, "/name", 2, 200).ok().as_deref(),
            Some("R\u{e9}seau")
        );
    }

    #[test]
    fn paragraphs_keep_line_breaks_and_joiners_but_not_bidi_controls() {
        assert_eq!(
            optional_paragraph(Some("a\r\nb\tc"), "/notes", 100)
                .ok()
                .flatten()
                .as_deref(),
            Some("a\nb\tc")
        );
        assert!(optional_paragraph(Some("family \u{1F468}\u{200D}\u{1F469}"), "/n", 100).is_ok());
        assert!(optional_paragraph(Some("a\u{202E}b"), "/n", 100).is_err());
        assert!(optional_paragraph(Some("a\u{0}b"), "/n", 100).is_err());
        assert!(optional_paragraph(Some("a\u{200B}b"), "/n", 100).is_err());
        assert_eq!(optional_paragraph(Some("  "), "/n", 100), Ok(None));
    }

    #[test]
    fn folding_ignores_width_case_accents_and_spacing() {
        assert_eq!(fold("Réseau  des Femmes"), "reseau des femmes");
        assert_eq!(fold("ＦＥＭＭＥＳ"), fold("femmes"));
        assert_eq!(fold("Ça Île"), "ca ile");
        assert_eq!(fold("Fem\u{200B}mes"), "femmes");
    }

    #[test]
    fn look_alike_names_share_a_skeleton() {
        // Cyrillic а and е in place of Latin a and e.
        assert_eq!(
            skeleton("Femmes Solidaires"),
            skeleton("F\u{0435}mm\u{0435}s Solid\u{0430}ires")
        );
        assert_eq!(skeleton("Modern"), skeleton("Modem"));
        assert_ne!(skeleton("Femmes du Sahel"), skeleton("Femmes du Sénégal"));
    }

    #[test]
    fn never_text_is_only_controls_and_noncharacters() {
        assert!(is_never_text('\u{0}'));
        assert!(is_never_text('\u{7F}'));
        assert!(is_never_text('\u{9B}'));
        assert!(is_never_text('\u{FFFF}'));
        assert!(!is_never_text('\n'));
        assert!(!is_never_text('é'));
    }
}
