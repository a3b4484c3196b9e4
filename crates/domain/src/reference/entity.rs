//! The reference tables, seeded by migration.

/// ISO 3166-1 countries, with the donor's priority flag.
pub mod country {
    use sea_orm::entity::prelude::*;

    /// A country as stored.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "countries")]
    pub struct Model {
        /// ISO 3166-1 alpha-2 code, upper case.
        #[sea_orm(primary_key, auto_increment = false)]
        pub code: String,
        /// English short name.
        pub name_en: String,
        /// French short name.
        pub name_fr: String,
        /// On the donor's list of priority countries of origin.
        pub priority: bool,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The 17 Sustainable Development Goals.
pub mod sdg {
    use sea_orm::entity::prelude::*;

    /// An SDG as stored.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "sdgs")]
    pub struct Model {
        /// Goal number, 1 to 17.
        #[sea_orm(primary_key, auto_increment = false)]
        pub number: i32,
        /// English short title.
        pub title_en: String,
        /// French short title.
        pub title_fr: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
