//! Small shared pieces of the contract: value types whose constraints the server enforces and
//! the schema states (an SDG number, an ISO country code), so generated clients know them.

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::{PartialSchema, ToSchema};

/// A Sustainable Development Goal number, 1-17.
pub struct SdgNumber;

impl PartialSchema for SdgNumber {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
            .minimum(Some(1))
            .maximum(Some(17))
            .description(Some("A Sustainable Development Goal number, 1-17."))
            .examples([5])
            .into()
    }
}

impl ToSchema for SdgNumber {}

/// An ISO 3166-1 alpha-2 country code of `/api/v1/countries` (any case; answered upper-case).
pub struct CountryCode;

impl PartialSchema for CountryCode {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some("^[A-Za-z]{2}$"))
            .description(Some(
                "An ISO 3166-1 alpha-2 country code of `/api/v1/countries` (any case; answered upper-case).",
            ))
            .examples(["SN"])
            .into()
    }
}

impl ToSchema for CountryCode {}
