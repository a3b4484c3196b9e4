//! Reference data: ISO 3166-1 countries (with the donor's priority list) and the 17 SDGs.

use sea_orm_migration::{prelude::*, schema::*};

/// The donor's 14 priority countries of origin (ISO 3166-1 alpha-2).
pub const PRIORITY_COUNTRIES: [&str; 14] = [
    "MA", "SN", "ML", "GN", "BF", "BJ", "NE", "UG", "TZ", "RW", "BI", "CD", "MZ", "PS",
];

/// ISO 3166-1 entries: `code,name_en,name_fr` (English names and French translations from the
/// iso-codes project, via pycountry 26.2.16).
const COUNTRIES_CSV: &str = include_str!("data/countries.csv");

/// The 17 Sustainable Development Goals' short titles, in English and French.
const SDGS: [(i32, &str, &str); 17] = [
    (1, "No poverty", "Pas de pauvreté"),
    (2, "Zero hunger", "Faim « zéro »"),
    (3, "Good health and well-being", "Bonne santé et bien-être"),
    (4, "Quality education", "Éducation de qualité"),
    (5, "Gender equality", "Égalité entre les sexes"),
    (
        6,
        "Clean water and sanitation",
        "Eau propre et assainissement",
    ),
    (
        7,
        "Affordable and clean energy",
        "Énergie propre et d'un coût abordable",
    ),
    (
        8,
        "Decent work and economic growth",
        "Travail décent et croissance économique",
    ),
    (
        9,
        "Industry, innovation and infrastructure",
        "Industrie, innovation et infrastructure",
    ),
    (10, "Reduced inequalities", "Inégalités réduites"),
    (
        11,
        "Sustainable cities and communities",
        "Villes et communautés durables",
    ),
    (
        12,
        "Responsible consumption and production",
        "Consommation et production responsables",
    ),
    (
        13,
        "Climate action",
        "Mesures relatives à la lutte contre les changements climatiques",
    ),
    (14, "Life below water", "Vie aquatique"),
    (15, "Life on land", "Vie terrestre"),
    (
        16,
        "Peace, justice and strong institutions",
        "Paix, justice et institutions efficaces",
    ),
    (
        17,
        "Partnerships for the goals",
        "Partenariats pour la réalisation des objectifs",
    ),
];

#[derive(DeriveIden)]
enum Countries {
    Table,
    Code,
    NameEn,
    NameFr,
    Priority,
}

#[derive(DeriveIden)]
enum Sdgs {
    Table,
    Number,
    TitleEn,
    TitleFr,
}

/// Splits one CSV line of the bundled file (fields may be double-quoted, with `""` for a quote).
fn csv_fields(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    fields.push(field);
    fields
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Countries::Table)
                    .col(char_len(Countries::Code, 2).primary_key())
                    .col(string_len(Countries::NameEn, 100))
                    .col(string_len(Countries::NameFr, 100))
                    .col(boolean(Countries::Priority).default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_countries_priority")
                    .table(Countries::Table)
                    .col(Countries::Priority)
                    .col(Countries::Code)
                    .to_owned(),
            )
            .await?;
        let mut insert = Query::insert();
        insert.into_table(Countries::Table).columns([
            Countries::Code,
            Countries::NameEn,
            Countries::NameFr,
            Countries::Priority,
        ]);
        for line in COUNTRIES_CSV.lines().skip(1).filter(|l| !l.is_empty()) {
            let [code, name_en, name_fr]: [String; 3] = csv_fields(line)
                .try_into()
                .map_err(|_| DbErr::Migration(format!("bad country line: {line}")))?;
            let priority = PRIORITY_COUNTRIES.contains(&code.as_str());
            insert
                .values([code.into(), name_en.into(), name_fr.into(), priority.into()])
                .map_err(|e| DbErr::Migration(e.to_string()))?;
        }
        manager.exec_stmt(insert).await?;

        manager
            .create_table(
                Table::create()
                    .table(Sdgs::Table)
                    .col(integer(Sdgs::Number).primary_key())
                    .col(string_len(Sdgs::TitleEn, 100))
                    .col(string_len(Sdgs::TitleFr, 100))
                    .to_owned(),
            )
            .await?;
        let mut insert = Query::insert();
        insert
            .into_table(Sdgs::Table)
            .columns([Sdgs::Number, Sdgs::TitleEn, Sdgs::TitleFr]);
        for (number, en, fr) in SDGS {
            insert
                .values([number.into(), en.into(), fr.into()])
                .map_err(|e| DbErr::Migration(e.to_string()))?;
        }
        manager.exec_stmt(insert).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Sdgs::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Countries::Table).to_owned())
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_handles_quotes_and_commas() {
        assert_eq!(
            csv_fields(
                r#"CD,"Congo, The Democratic Republic of the",République démocratique du Congo"#
            ),
            [
                "CD",
                "Congo, The Democratic Republic of the",
                "République démocratique du Congo"
            ]
        );
        assert_eq!(csv_fields(r#"X,"a ""b""",c"#), ["X", r#"a "b""#, "c"]);
    }

    #[test]
    fn bundled_countries_cover_iso_and_every_priority_country() {
        let codes: Vec<String> = COUNTRIES_CSV
            .lines()
            .skip(1)
            .map(|l| csv_fields(l)[0].clone())
            .collect();
        assert_eq!(codes.len(), 249);
        for code in PRIORITY_COUNTRIES {
            assert!(codes.iter().any(|c| c == code), "{code} missing");
        }
        assert!(
            COUNTRIES_CSV
                .lines()
                .skip(1)
                .all(|l| csv_fields(l).len() == 3)
        );
    }
}
