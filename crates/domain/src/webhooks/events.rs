//! Which changes a subscription is told of: its event types (`association.upsert`,
//! `person.*`, `*.erase`, `*`), and what its client may read.

use uuid::Uuid;

use crate::changes::{Op, ResourceType};
use crate::identity::scope::Scope;
use crate::{DomainError, FieldError};

/// Most patterns a subscription may list.
pub const MAX_EVENT_TYPES: usize = 50;

/// One pattern: a resource type (or any) and an operation (or any).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pattern {
    /// The type, or `None` for `*`.
    pub resource: Option<ResourceType>,
    /// The operation, or `None` for `*`.
    pub op: Option<Op>,
}

impl Pattern {
    /// Reads `type.op`, where either side may be `*`; `*` alone is `*.*`.
    pub fn parse(text: &str) -> Option<Self> {
        if text == "*" {
            return Some(Self {
                resource: None,
                op: None,
            });
        }
        let (resource, op) = text.split_once('.')?;
        let resource = match resource {
            "*" => None,
            name => Some(ResourceType::parse(name)?),
        };
        let op = match op {
            "*" => None,
            "upsert" => Some(Op::Upsert),
            "delete" => Some(Op::Delete),
            "erase" => Some(Op::Erase),
            _ => return None,
        };
        Some(Self { resource, op })
    }

    /// Whether a change of `resource` by `op` matches.
    pub fn matches(self, resource: ResourceType, op: Op) -> bool {
        self.resource.is_none_or(|r| r == resource) && self.op.is_none_or(|o| o == op)
    }
}

/// A subscription's event types, checked: 1 to 50 patterns, each known.
pub fn parse_list(types: &[String], pointer: &str) -> Result<Vec<String>, DomainError> {
    let mut errors = Vec::new();
    let mut kept: Vec<String> = Vec::new();
    for (i, text) in types.iter().enumerate() {
        let text = text.trim();
        if Pattern::parse(text).is_none() {
            errors.push(FieldError::new(
                format!("{pointer}/{i}"),
                "must be `*` or `type.op` with a type of the change feed (or `*`) and an op of \
                 upsert, delete or erase (or `*`), such as `association.upsert`",
            ));
        } else if !kept.iter().any(|k| k == text) {
            kept.push(text.to_owned());
        }
    }
    if types.is_empty() || types.len() > MAX_EVENT_TYPES {
        errors.push(FieldError::new(
            pointer,
            format!("must list 1 to {MAX_EVENT_TYPES} event types"),
        ));
    }
    if errors.is_empty() {
        Ok(kept)
    } else {
        Err(DomainError::Invalid(errors))
    }
}

/// The stored patterns of a subscription (unknown ones, which a check never lets in, match
/// nothing).
pub fn stored(text: &str) -> Vec<Pattern> {
    text.split_whitespace().filter_map(Pattern::parse).collect()
}

/// Who a subscription speaks for: its client's scopes and binding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audience {
    /// The client's scopes.
    pub scopes: Vec<Scope>,
    /// The association the client is bound to.
    pub bound_to: Option<Uuid>,
}

impl Audience {
    /// Whether the client may read resources of this type.
    pub fn reads(&self, resource: ResourceType) -> bool {
        self.scopes.iter().any(|s| s.reads(resource))
    }

    /// Whether the client may be told of a change to a resource of `association_id` (none for
    /// programme-wide ones): a bound client only of its own association's and programme-wide.
    pub fn sees(&self, resource: ResourceType, association_id: Option<Uuid>) -> bool {
        self.reads(resource)
            && match (self.bound_to, association_id) {
                (Some(bound), Some(owner)) => bound == owner,
                _ => true,
            }
    }
}

/// Whether a subscription with these patterns, for this audience, is told of this change.
pub fn wants(
    patterns: &[Pattern],
    audience: &Audience,
    resource: ResourceType,
    op: Op,
    association_id: Option<Uuid>,
) -> bool {
    patterns.iter().any(|p| p.matches(resource, op)) && audience.sees(resource, association_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_read_types_and_ops_with_wildcards() {
        let p = Pattern::parse("association.upsert").expect("pattern");
        assert!(p.matches(ResourceType::Association, Op::Upsert));
        assert!(!p.matches(ResourceType::Association, Op::Delete));
        assert!(!p.matches(ResourceType::Person, Op::Upsert));
        let any_op = Pattern::parse("person.*").expect("pattern");
        assert!(any_op.matches(ResourceType::Person, Op::Erase));
        let any_type = Pattern::parse("*.erase").expect("pattern");
        assert!(any_type.matches(ResourceType::DeliverableStory, Op::Erase));
        assert!(!any_type.matches(ResourceType::DeliverableStory, Op::Upsert));
        assert!(Pattern::parse("*").is_some_and(|p| p.matches(ResourceType::Module, Op::Delete)));
        assert_eq!(
            Pattern::parse("result.delete").map(|p| p.resource),
            Some(Some(ResourceType::FrameworkResult))
        );
        for bad in [
            "",
            "association",
            "association.",
            ".upsert",
            "nothing.upsert",
            "person.created",
            "**",
        ] {
            assert!(Pattern::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn lists_are_bounded_deduplicated_and_point_at_the_bad_entry() {
        let ok = parse_list(
            &["*".into(), " * ".into(), "person.erase".into()],
            "/event_types",
        );
        assert_eq!(
            ok.ok(),
            Some(vec!["*".to_owned(), "person.erase".to_owned()])
        );
        let Err(DomainError::Invalid(errors)) = parse_list(
            &["person.erase".into(), "person.created".into()],
            "/event_types",
        ) else {
            panic!("expected invalid");
        };
        assert_eq!(errors[0].pointer, "/event_types/1");
        assert!(parse_list(&[], "/event_types").is_err());
        assert!(parse_list(&vec!["*".to_owned(); MAX_EVENT_TYPES + 1], "/event_types").is_err());
    }

    #[test]
    fn a_bound_audience_is_told_only_of_its_own_and_programme_wide_changes() {
        let own = Uuid::now_v7();
        let other = Uuid::now_v7();
        let audience = Audience {
            scopes: vec![Scope::AssociationsRead, Scope::TrainingRead],
            bound_to: Some(own),
        };
        let all = stored("*");
        assert!(wants(
            &all,
            &audience,
            ResourceType::Association,
            Op::Upsert,
            Some(own)
        ));
        assert!(!wants(
            &all,
            &audience,
            ResourceType::Association,
            Op::Upsert,
            Some(other)
        ));
        assert!(wants(
            &all,
            &audience,
            ResourceType::Module,
            Op::Upsert,
            None
        ));
        // Types its scopes do not read are never sent, whatever the patterns say.
        assert!(!wants(
            &all,
            &audience,
            ResourceType::Restitution,
            Op::Upsert,
            Some(own)
        ));
        assert!(!wants(
            &all,
            &audience,
            ResourceType::Indicator,
            Op::Upsert,
            None
        ));
        let free = Audience {
            bound_to: None,
            ..audience
        };
        assert!(wants(
            &all,
            &free,
            ResourceType::Association,
            Op::Upsert,
            Some(other)
        ));
        assert!(!wants(
            &stored("person.erase"),
            &free,
            ResourceType::Person,
            Op::Upsert,
            Some(other)
        ));
    }
}
