//! Small-cell suppression for public figures, so that no one can be singled out: a cell of 1
//! to 4 is hidden (shown as `<5`), and when a single cell is hidden the total would give it
//! back by subtraction, so the next smallest cell is hidden too (shown as `x`).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::metrics::Cell;

/// What a public cell shows for a cell of 1 to 4.
pub const SMALL: &str = "<5";
/// What a public cell shows for a cell hidden so that a small one cannot be recomputed.
pub const HIDDEN: &str = "x";

/// A cell as the public sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PublicCell {
    /// The cell's key (a country code, a region, a module's id, a sex).
    pub key: String,
    /// A readable name, where the key is an id (a module's code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The value; null when suppressed.
    pub value: Option<f64>,
    /// What to show: the value, `<5` for a cell of 1 to 4, or `x` for a cell hidden so that a
    /// small one cannot be worked out from the total.
    pub shown: String,
}

/// Whether a count is small enough to single someone out.
pub fn is_small(value: f64) -> bool {
    (1.0..5.0).contains(&value)
}

/// The cells as the public may see them: small cells suppressed, and when exactly one cell is
/// suppressed, the smallest other non-empty cell too (the total is published, so one hidden
/// cell alone could be recomputed by subtraction).
pub fn suppress(cells: &[Cell]) -> Vec<PublicCell> {
    let mut hidden: Vec<Option<&'static str>> = cells
        .iter()
        .map(|c| is_small(c.value).then_some(SMALL))
        .collect();
    if hidden.iter().filter(|h| h.is_some()).count() == 1 {
        let next = cells
            .iter()
            .enumerate()
            .filter(|(i, c)| hidden[*i].is_none() && c.value > 0.0)
            .min_by(|(_, a), (_, b)| a.value.total_cmp(&b.value))
            .map(|(i, _)| i);
        if let Some(i) = next {
            hidden[i] = Some(HIDDEN);
        }
    }
    cells
        .iter()
        .zip(hidden)
        .map(|(cell, hidden)| PublicCell {
            key: cell.key.clone(),
            label: cell.label.clone(),
            value: if hidden.is_some() {
                None
            } else {
                Some(cell.value)
            },
            shown: hidden.map_or_else(|| format_value(cell.value), str::to_owned),
        })
        .collect()
}

/// A value as text: whole numbers without decimals.
pub fn format_value(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        format!("{value}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(values: &[f64]) -> Vec<Cell> {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| Cell {
                key: format!("k{i}"),
                label: None,
                value: *v,
            })
            .collect()
    }

    fn shown(values: &[f64]) -> Vec<String> {
        suppress(&cells(values))
            .into_iter()
            .map(|c| c.shown)
            .collect()
    }

    #[test]
    fn cells_of_one_to_four_are_suppressed() {
        assert_eq!(shown(&[1.0, 4.0, 5.0, 12.0]), ["<5", "<5", "5", "12"]);
        assert_eq!(shown(&[0.0, 5.0]), ["0", "5"]);
    }

    #[test]
    fn a_lone_small_cell_takes_the_next_smallest_with_it() {
        // Total 20 is published: 3 would be 20 - 9 - 8.
        assert_eq!(shown(&[3.0, 9.0, 8.0]), ["<5", "9", "x"]);
        let public = suppress(&cells(&[3.0, 9.0, 8.0]));
        assert_eq!(public[2].value, None);
        // Zero cells reveal nothing and are not taken.
        assert_eq!(shown(&[0.0, 2.0, 7.0]), ["0", "<5", "x"]);
    }

    #[test]
    fn two_small_cells_protect_each_other() {
        assert_eq!(shown(&[2.0, 3.0, 9.0]), ["<5", "<5", "9"]);
    }

    #[test]
    fn a_lone_cell_stays_hidden_even_alone() {
        assert_eq!(shown(&[2.0]), ["<5"]);
        assert_eq!(shown(&[]), Vec::<String>::new());
    }

    #[test]
    fn values_print_whole() {
        assert_eq!(format_value(12.0), "12");
        assert_eq!(format_value(66.7), "66.7");
    }
}
