//! Which language a public reader gets: `?lang=` when given (`fr`, `nl`, `en`, or `all`),
//! otherwise the `Accept-Language` header (RFC 9110 §12.5.4) with its q-values, among the
//! programme's languages. Without either, every language is shown.

use std::collections::BTreeSet;

use empower_domain::localized::LocalizedText;
use serde::Deserialize;
use utoipa::ToSchema;

/// The programme's languages, as `?lang=` takes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    /// French.
    Fr,
    /// Dutch.
    Nl,
    /// English.
    En,
    /// Every language the text has.
    All,
}

/// The languages a reader asked for, best first, and those refused (`q=0`); a text that has
/// none asked for falls back to one it has, not refused if it can. `None` means every language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted(Option<(Vec<&'static str>, Vec<&'static str>)>);

const LANGUAGES: [&str; 3] = ["fr", "nl", "en"];

impl Wanted {
    /// From `?lang=` when given, else from `Accept-Language`.
    pub fn negotiate(lang: Option<Lang>, accept_language: Option<&str>) -> Self {
        match lang {
            Some(Lang::All) => Self(None),
            Some(Lang::Fr) => Self(Some((vec!["fr"], vec![]))),
            Some(Lang::Nl) => Self(Some((vec!["nl"], vec![]))),
            Some(Lang::En) => Self(Some((vec!["en"], vec![]))),
            None => Self(
                accept_language
                    .filter(|header| !header.trim().is_empty())
                    .map(|header| (ranked(header), refused(header))),
            ),
        }
    }

    /// One language per text even when every language was asked for (a calendar file has one
    /// summary per event).
    pub fn one_each(self) -> Self {
        Self(Some(self.0.unwrap_or_default()))
    }
}

/// The parts of an `Accept-Language` value as (primary subtag, q-value); a part with a
/// malformed q-value is skipped.
fn entries(header: &str) -> Vec<(String, f32)> {
    crate::http::weighted(header)
        .into_iter()
        .filter_map(|(tag, q)| {
            let q = q.filter(|q| (0.0..=1.0).contains(q))?;
            Some((tag.split('-').next().unwrap_or_default().to_owned(), q))
        })
        .collect()
}

/// The programme's languages an `Accept-Language` value refuses (named only with `q=0`).
fn refused(header: &str) -> Vec<&'static str> {
    let entries = entries(header);
    LANGUAGES
        .into_iter()
        .filter(|language| {
            let mut named = entries.iter().filter(|(tag, _)| tag == language).peekable();
            named.peek().is_some() && named.all(|(_, q)| *q == 0.0)
        })
        .collect()
}

/// The programme's languages in the order of an `Accept-Language` value: by q-value (ties in
/// the order given), a primary subtag matching (`fr-BE` is `fr`), `q=0` refusing, and `*`
/// standing for the ones not named. Malformed parts are skipped.
pub fn ranked(header: &str) -> Vec<&'static str> {
    let entries = entries(header);
    let named = |language: &str| entries.iter().any(|(tag, _)| tag == language);
    let star = entries.iter().find(|(tag, _)| tag == "*").map(|(_, q)| *q);
    let mut scored: Vec<(&'static str, f32, usize)> = Vec::new();
    for language in LANGUAGES {
        let q = entries
            .iter()
            .filter(|(tag, _)| tag == language)
            .map(|(_, q)| *q)
            .fold(None, |best: Option<f32>, q| {
                Some(best.map_or(q, |b| b.max(q)))
            })
            .or(if named(language) { None } else { star });
        let order = entries
            .iter()
            .position(|(tag, _)| tag == language)
            .unwrap_or(entries.len());
        if let Some(q) = q.filter(|q| *q > 0.0) {
            scored.push((language, q, order));
        }
    }
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.2.cmp(&b.2)));
    scored
        .into_iter()
        .map(|(language, _, _)| language)
        .collect()
}

/// Puts localized texts in the languages wanted, noting the languages shown (for
/// `Content-Language`).
#[derive(Debug)]
pub struct Localizer {
    wanted: Wanted,
    shown: BTreeSet<&'static str>,
}

impl Localizer {
    /// For these wishes.
    pub fn new(wanted: Wanted) -> Self {
        Self {
            wanted,
            shown: BTreeSet::new(),
        }
    }

    /// The text in the best language it has (or whole, when every language is wanted).
    pub fn text(&mut self, text: LocalizedText) -> LocalizedText {
        let Some((ranked, refused)) = &self.wanted.0 else {
            self.shown.extend(text.languages());
            return text;
        };
        match text.pick(ranked, refused) {
            Some((one, language)) => {
                self.shown.insert(language);
                one
            }
            None => text,
        }
    }

    /// The `Content-Language` value: the languages shown, or none when no text was.
    pub fn content_language(&self) -> Option<String> {
        if self.shown.is_empty() {
            None
        } else {
            Some(self.shown.iter().copied().collect::<Vec<_>>().join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn q_values_rank_and_zero_refuses() {
        assert_eq!(ranked("nl;q=0.5, fr-BE, en;q=0.8"), ["fr", "en", "nl"]);
        assert_eq!(ranked("de, en;q=0.1"), ["en"]);
        assert_eq!(ranked("fr;q=0, *;q=0.5"), ["nl", "en"]);
        assert_eq!(ranked("*"), ["fr", "nl", "en"]);
        assert_eq!(ranked("en, fr"), ["en", "fr"]);
        assert_eq!(ranked("en;q=abc, ;;, nl"), ["nl"]);
        assert_eq!(
            ranked("en;q=abc, *;q=0.5"),
            ["fr", "nl", "en"],
            "a malformed part is skipped"
        );
        assert_eq!(refused("en, fr;q=0, nl;q=0.0"), ["fr", "nl"]);
        assert!(ranked("").is_empty());
    }

    #[test]
    fn texts_fall_back_to_a_present_language_and_say_which() {
        let mut localizer = Localizer::new(Wanted::negotiate(None, Some("nl, fr;q=0.5")));
        let title = localizer.text(LocalizedText::en_fr("Stories", "Histoires"));
        assert_eq!(title.fr.as_deref(), Some("Histoires"));
        assert!(title.en.is_none());
        let only_en = localizer.text(LocalizedText {
            en: Some("Only English".into()),
            ..Default::default()
        });
        assert_eq!(only_en.en.as_deref(), Some("Only English"));
        assert_eq!(localizer.content_language().as_deref(), Some("en, fr"));
        let mut all = Localizer::new(Wanted::negotiate(Some(Lang::All), Some("nl")));
        all.text(LocalizedText::en_fr("a", "b"));
        assert_eq!(all.content_language().as_deref(), Some("en, fr"));
        let mut refusing = Localizer::new(Wanted::negotiate(None, Some("nl, en;q=0")));
        let fallback = refusing.text(LocalizedText::en_fr("a", "b"));
        assert_eq!(fallback.fr.as_deref(), Some("b"), "not the refused English");
        let mut german = Localizer::new(Wanted::negotiate(None, Some("de")));
        let one = german.text(LocalizedText::en_fr("a", "b"));
        assert_eq!(
            (one.en.as_deref(), one.fr),
            (Some("a"), None),
            "one present language"
        );
    }
}
