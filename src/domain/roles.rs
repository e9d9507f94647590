//! Team roles and the permission matrix (DESIGN.md "Roles").

use std::fmt;
use std::str::FromStr;

/// A member's role in a team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Everything, including members and protecting instances.
    Owner,
    /// Builds and runs things: instances, pipelines, stages, promotions.
    Member,
    /// Read-only.
    Viewer,
}

/// Something a team member may try to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// See the team's pages.
    View,
    /// Add, change and remove team members.
    ManageMembers,
    /// Create and rename applications.
    EditApplications,
    /// Delete an application.
    DeleteApplications,
    /// Create, edit, start, stop, delete instances.
    ManageInstances,
    /// Create and edit pipelines and stages.
    ManagePipelines,
    /// Run a promotion onto an unprotected instance.
    Promote,
    /// Run a promotion onto a protected instance, or change protection.
    ManageProtected,
}

impl Role {
    /// All roles, most powerful first (for pickers).
    pub const ALL: [Role; 3] = [Role::Owner, Role::Member, Role::Viewer];

    /// Whether this role allows `action`.
    pub fn allows(self, action: Action) -> bool {
        match self {
            Role::Owner => true,
            Role::Member => !matches!(
                action,
                Action::ManageMembers | Action::DeleteApplications | Action::ManageProtected
            ),
            Role::Viewer => action == Action::View,
        }
    }

    /// The value stored in the database and sent by forms.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Member => "member",
            Role::Viewer => "viewer",
        }
    }

    /// The name shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Role::Owner => "Owner",
            Role::Member => "Member",
            Role::Viewer => "Viewer",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Whether `role` may change an instance: its settings and environment, its flows in the editor,
/// deleting or duplicating it (which copies its credentials). Members may, unless the instance is
/// protected; then only owners. Starting, stopping and restarting is [`Action::ManageInstances`]
/// alone, protected or not.
pub fn may_change_instance(role: Role, protected: bool) -> bool {
    role.allows(Action::ManageInstances) && (!protected || role.allows(Action::ManageProtected))
}

/// A role string that is not one of owner/member/viewer.
#[derive(Debug, PartialEq, Eq)]
pub struct UnknownRole;

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "owner" => Ok(Role::Owner),
            "member" => Ok(Role::Member),
            "viewer" => Ok(Role::Viewer),
            _ => Err(UnknownRole),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viewers_only_view() {
        assert!(Role::Viewer.allows(Action::View));
        assert!(!Role::Viewer.allows(Action::EditApplications));
        assert!(!Role::Viewer.allows(Action::Promote));
    }

    #[test]
    fn members_build_but_do_not_manage_people_or_protection() {
        assert!(Role::Member.allows(Action::ManagePipelines));
        assert!(Role::Member.allows(Action::Promote));
        assert!(!Role::Member.allows(Action::ManageMembers));
        assert!(!Role::Member.allows(Action::ManageProtected));
    }

    #[test]
    fn protected_instances_are_for_owners_to_change() {
        assert!(may_change_instance(Role::Member, false));
        assert!(!may_change_instance(Role::Member, true));
        assert!(may_change_instance(Role::Owner, true));
        assert!(!may_change_instance(Role::Viewer, false));
    }

    #[test]
    fn roles_round_trip_through_strings() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert_eq!("admin".parse::<Role>(), Err(UnknownRole));
    }
}
