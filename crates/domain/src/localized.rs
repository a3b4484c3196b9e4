//! Text in the languages it exists in: Belgium works in French, Dutch and English, so titles
//! and descriptions are objects keyed by language, with at least one language present.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{DomainError, FieldError, text};

/// Text in the languages it exists in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"en": "Senegal", "fr": "Sénégal"}))]
pub struct LocalizedText {
    /// English (titles and topics at most 200 characters, descriptions 4000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 4000)]
    pub en: Option<String>,
    /// French (titles and topics at most 200 characters, descriptions 4000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 4000)]
    pub fr: Option<String>,
    /// Dutch (titles and topics at most 200 characters, descriptions 4000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 4000)]
    pub nl: Option<String>,
}

impl LocalizedText {
    /// Text known in English and French.
    pub fn en_fr(en: impl Into<String>, fr: impl Into<String>) -> Self {
        Self {
            en: Some(en.into()),
            fr: Some(fr.into()),
            nl: None,
        }
    }

    /// The text to show when one language must be chosen: English, else French, else Dutch.
    pub fn best(&self) -> &str {
        self.en
            .as_deref()
            .or(self.fr.as_deref())
            .or(self.nl.as_deref())
            .unwrap_or_default()
    }

    /// Checks each language's text (a line, or a paragraph when `paragraph`, of at most `max`
    /// characters; blank is absent) and that at least one is present.
    pub fn check(
        &self,
        pointer: &str,
        max: usize,
        paragraph: bool,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut one = |value: &Option<String>, language: &str| {
            let at = format!("{pointer}/{language}");
            let checked = if paragraph {
                text::optional_paragraph(value.as_deref(), &at, max)
            } else {
                text::optional_line(value.as_deref(), &at, max)
            };
            text::collect(&mut errors, checked).flatten()
        };
        let checked = Self {
            en: one(&self.en, "en"),
            fr: one(&self.fr, "fr"),
            nl: one(&self.nl, "nl"),
        };
        if errors.is_empty() && checked.is_empty() {
            errors.push(FieldError::new(
                pointer,
                "must have a text in at least one language (en, fr, nl)",
            ));
        }
        if errors.is_empty() {
            Ok(checked)
        } else {
            Err(errors)
        }
    }

    /// The text in one language: the first of `ranked` it has, or else the first it has of
    /// English, French, Dutch that is not `refused`, or else any it has; with the language
    /// chosen. `None` when it has none.
    pub fn pick(&self, ranked: &[&str], refused: &[&str]) -> Option<(Self, &'static str)> {
        let fallback = ["en", "fr", "nl"];
        let allowed = fallback.iter().filter(|l| !refused.contains(l));
        ranked
            .iter()
            .chain(allowed)
            .chain(fallback.iter())
            .find_map(|language| {
                let (code, text) = match *language {
                    "en" => ("en", &self.en),
                    "fr" => ("fr", &self.fr),
                    "nl" => ("nl", &self.nl),
                    _ => return None,
                };
                text.as_ref().map(|t| (code, t.clone()))
            })
            .map(|(code, text)| {
                let mut one = Self::default();
                match code {
                    "en" => one.en = Some(text),
                    "fr" => one.fr = Some(text),
                    _ => one.nl = Some(text),
                }
                (one, code)
            })
    }

    /// The languages it has.
    pub fn languages(&self) -> Vec<&'static str> {
        [("en", &self.en), ("fr", &self.fr), ("nl", &self.nl)]
            .into_iter()
            .filter(|(_, text)| text.is_some())
            .map(|(code, _)| code)
            .collect()
    }

    fn is_empty(&self) -> bool {
        self.en.is_none() && self.fr.is_none() && self.nl.is_none()
    }

    /// The stored form (JSON in a text column).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }

    /// Reads the stored form; a value that does not parse is an error naming where it was.
    pub fn from_json(stored: &str, table: &str, column: &str) -> Result<Self, DomainError> {
        serde_json::from_str(stored).map_err(|e| {
            DomainError::Internal(format!(
                "{table}.{column} does not hold localized text ({e})"
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_least_one_language_and_each_one_checked() {
        let ok = LocalizedText {
            en: Some(" Title ".into()),
            fr: Some("  ".into()),
            nl: None,
        }
        .check("/title", 10, false)
        .expect("valid");
        assert_eq!(
            ok,
            LocalizedText {
                en: Some("Title".into()),
                ..Default::default()
            }
        );
        let none = LocalizedText::default().check("/title", 10, false);
        assert_eq!(none.expect_err("empty")[0].pointer, "/title");
        let bad = LocalizedText {
            en: Some("a\u{0}".into()),
            nl: Some("x".repeat(11)),
            ..Default::default()
        }
        .check("/title", 10, false)
        .expect_err("bad");
        let pointers: Vec<&str> = bad.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(pointers, ["/title/en", "/title/nl"]);
        let text = LocalizedText::en_fr("a", "b");
        assert_eq!(
            text.pick(&["nl", "fr"], &[]).map(|(t, l)| (t.fr, l)),
            Some((Some("b".into()), "fr"))
        );
        assert_eq!(
            text.pick(&["nl"], &[]).map(|(t, l)| (t.en, l)),
            Some((Some("a".into()), "en"))
        );
        let fallback = text.pick(&["nl"], &["en"]).map(|(_, l)| l);
        assert_eq!(fallback, Some("fr"), "not a refused language");
        let any = text.pick(&[], &["en", "fr"]).map(|(_, l)| l);
        assert_eq!(any, Some("en"), "all refused: any present");
        assert_eq!(LocalizedText::default().pick(&["fr"], &[]), None);
        assert_eq!(text.languages(), ["en", "fr"]);
        assert_eq!(
            LocalizedText::from_json(&text.to_json(), "t", "c").ok(),
            Some(text)
        );
    }
}
