//! The last-owner rule: a team always keeps at least one owner.

use super::roles::Role;

/// Why a membership change is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MembershipError {
    /// The change would leave the team without an owner.
    LastOwner,
}

impl MembershipError {
    /// The message shown to the user.
    pub fn message(self) -> &'static str {
        match self {
            MembershipError::LastOwner => {
                "A team needs at least one owner: make someone else an owner first."
            }
        }
    }
}

/// Check changing a member from `current` to `new` (`None` = removal) when the team has `owners` owners.
pub fn check_change(
    current: Role,
    new: Option<Role>,
    owners: usize,
) -> Result<(), MembershipError> {
    let stays_owner = new == Some(Role::Owner);
    if current == Role::Owner && !stays_owner && owners <= 1 {
        return Err(MembershipError::LastOwner);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_owner_can_be_neither_removed_nor_demoted() {
        assert_eq!(
            check_change(Role::Owner, None, 1),
            Err(MembershipError::LastOwner)
        );
        assert_eq!(
            check_change(Role::Owner, Some(Role::Viewer), 1),
            Err(MembershipError::LastOwner)
        );
        assert_eq!(check_change(Role::Owner, Some(Role::Owner), 1), Ok(()));
    }

    #[test]
    fn one_of_several_owners_can_go() {
        assert_eq!(check_change(Role::Owner, None, 2), Ok(()));
        assert_eq!(check_change(Role::Owner, Some(Role::Member), 2), Ok(()));
    }

    #[test]
    fn other_members_change_freely() {
        assert_eq!(check_change(Role::Viewer, None, 1), Ok(()));
        assert_eq!(check_change(Role::Member, Some(Role::Owner), 1), Ok(()));
    }
}
