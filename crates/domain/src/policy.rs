//! Who owns a record, and what a caller may reach: decided here, once, for every resource.
//!
//! Every synced record is programme-wide (modules, sessions, deliverables, indicators) or owned
//! by one association (the association itself, its people, its applications). A record owned
//! through a person belongs to that person's association and stores its id. A caller bound to
//! an association (an `association` user, or an API client bound to one) acts only as it: it
//! sees programme-wide records and its own association's, never another's, and never creates,
//! replaces, deletes or imports associations.

use uuid::Uuid;

/// Who a record belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Owner {
    /// The whole programme: every caller that may read the type sees it.
    Programme,
    /// One association (the association itself, or a record of it or of one of its people).
    Association(Uuid),
}

impl Owner {
    /// The association, for the change feed's owner column.
    pub fn association(self) -> Option<Uuid> {
        match self {
            Self::Programme => None,
            Self::Association(id) => Some(id),
        }
    }
}

/// What a caller may reach, built once per request from who the caller is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallerScope {
    /// The association the caller acts as, when bound to one.
    pub bound_to: Option<Uuid>,
    /// Whether the caller may see people's contact data (email, phone).
    pub personal_data: bool,
    /// Whether the caller may select an association that fails eligibility (admins).
    pub override_eligibility: bool,
}

impl CallerScope {
    /// The server itself (imports from the command line, demo data): reaches everything.
    pub const SYSTEM: Self = Self {
        bound_to: None,
        personal_data: true,
        override_eligibility: true,
    };

    /// Whether the caller may see a record with this owner.
    pub fn sees(&self, owner: Owner) -> bool {
        match (self.bound_to, owner) {
            (None, _) | (Some(_), Owner::Programme) => true,
            (Some(own), Owner::Association(id)) => own == id,
        }
    }

    /// Whether the caller acts for the whole registry (may create, replace, delete and import
    /// associations): nobody bound to one association does.
    pub fn manages_registry(&self) -> bool {
        self.bound_to.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bound_caller_sees_the_programme_and_its_own_association_only() {
        let own = Uuid::now_v7();
        let other = Uuid::now_v7();
        let bound = CallerScope {
            bound_to: Some(own),
            personal_data: true,
            override_eligibility: false,
        };
        assert!(bound.sees(Owner::Programme));
        assert!(bound.sees(Owner::Association(own)));
        assert!(!bound.sees(Owner::Association(other)));
        assert!(!bound.manages_registry());
        assert!(CallerScope::SYSTEM.sees(Owner::Association(other)));
        assert!(CallerScope::SYSTEM.manages_registry());
    }
}
