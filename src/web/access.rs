//! Authorisation checks shared by handlers: the role in the object's team decides, never a form field.

use crate::db::models::teams::Membership;
use crate::domain::roles::{Action, Role};
use crate::error::AppError;

/// Refuse with 403 and a message naming the role when the member may not do `action`.
pub fn require(membership: &Membership, action: Action) -> Result<(), AppError> {
    if membership.role.allows(action) {
        return Ok(());
    }
    let what = match action {
        Action::View => "see this",
        Action::ManageMembers => "manage the members of this team",
        Action::EditApplications => "create or change applications",
        Action::DeleteApplications => "delete applications",
        Action::ManageInstances => "create or change instances",
        Action::ManagePipelines => "create or change pipelines",
        Action::Promote => "run promotions",
        Action::ManageProtected => "change protected instances",
    };
    let who = match membership.role {
        Role::Viewer => "Viewers",
        Role::Member => "Members",
        Role::Owner => "Owners",
    };
    Err(AppError::Forbidden(format!(
        "{who} of {} cannot {what}. Ask an owner of the team if you need to.",
        membership.team.name
    )))
}
