//! Whether a stage can be played, by this member, now: the one rule behind the stage card's play
//! button, the confirmation and the promotion itself, with the reason in words when it cannot.

use super::roles::{Action, Role};

/// What is known about the stage a push would land on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target<'a> {
    /// The target instance's name.
    pub name: &'a str,
    /// Only owners may deploy to it.
    pub protected: bool,
    /// A promotion onto it is under way (a claim would be refused).
    pub busy: bool,
}

/// Why a stage cannot be played.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Viewers never run promotions.
    Viewer,
    /// The target is protected and the member is not an owner.
    Protected,
    /// The target is being deployed right now.
    Busy,
}

impl Refusal {
    /// Whether the member may never do it (403), rather than not right now (409).
    pub fn is_forbidden(self) -> bool {
        matches!(self, Refusal::Viewer | Refusal::Protected)
    }

    /// The reason, as the card, the confirmation and the error page say it.
    pub fn message(self, target: &str, team: &str) -> String {
        match self {
            Refusal::Viewer => {
                format!("Viewers cannot run promotions: ask a member or an owner of {team}.")
            }
            Refusal::Protected => {
                format!("{target} is protected: only owners of {team} can deploy to it.")
            }
            Refusal::Busy => format!("{target} is being deployed."),
        }
    }
}

/// Whether `role` may push onto `target` now; the first reason it may not.
pub fn check(role: Role, target: &Target<'_>) -> Result<(), Refusal> {
    if !role.allows(Action::Promote) {
        return Err(Refusal::Viewer);
    }
    if target.protected && !role.allows(Action::ManageProtected) {
        return Err(Refusal::Protected);
    }
    if target.busy {
        return Err(Refusal::Busy);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(protected: bool, busy: bool) -> Target<'static> {
        Target {
            name: "Production",
            protected,
            busy,
        }
    }

    #[test]
    fn viewers_never_play_and_only_owners_push_to_protected_stages() {
        assert_eq!(
            check(Role::Viewer, &target(false, false)),
            Err(Refusal::Viewer)
        );
        assert_eq!(
            check(Role::Member, &target(true, false)),
            Err(Refusal::Protected)
        );
        assert_eq!(check(Role::Owner, &target(true, false)), Ok(()));
        assert_eq!(check(Role::Member, &target(false, false)), Ok(()));
    }

    #[test]
    fn a_busy_target_waits_and_the_reason_says_so() {
        assert_eq!(check(Role::Owner, &target(true, true)), Err(Refusal::Busy));
        assert!(!Refusal::Busy.is_forbidden());
        assert!(Refusal::Protected.is_forbidden());
        let text = Refusal::Protected.message("Production", "Plant Ops");
        assert_eq!(
            text,
            "Production is protected: only owners of Plant Ops can deploy to it."
        );
    }
}
