//! The table: every route of the platform origin (method, pattern as in the route tables), a
//! concrete path with the world's placeholders, the form it is sent (empty or invalid where that
//! makes an allowed role get a 422/400 instead of a change), and what it needs.

use redstage::domain::roles::Action::{self, *};

/// What a route needs of the one asking.
#[derive(Debug, Clone, Copy)]
pub enum Need {
    /// Anyone, signed in or not (tried without a session only).
    Public,
    /// Any signed-in user.
    SignedIn,
    /// A signed-in user, on their own sessions (someone else's is 404).
    OwnSession,
    /// A redirect that loads nothing (the page it leads to decides): 303 for everyone.
    Redirect,
    /// A team member whose role allows the action.
    Act(Action),
    /// [`Action::ManageInstances`], and owners only when the instance is protected.
    Change { protected: bool },
    /// In the team, and a platform administrator (sandbox folders).
    TeamAdmin,
    /// A platform administrator.
    Admin,
}

/// One row of the matrix.
pub struct Row {
    pub method: &'static str,
    pub pattern: &'static str,
    /// The path asked, with the world's placeholders.
    pub path: String,
    pub form: &'static [(&'static str, &'static str)],
    pub need: Need,
}

/// The pattern with the world's objects: the team, the application, the Development instance,
/// the Release pipeline and its first stage, its deployment, the account tess.
fn default_path(pattern: &str) -> String {
    let id = [
        ("/application/", "{app}"),
        ("/instance/", "{dev}"),
        ("/pipeline/", "{release}"),
        ("/stage/", "{stage}"),
        ("/deployment/", "{deployment}"),
        ("/admin/users/", "{tess}"),
        ("/account/sessions/", "{session}"),
    ]
    .into_iter()
    .find(|(prefix, _)| pattern.starts_with(prefix))
    .map_or("{id}", |(_, id)| id);
    pattern
        .replace("{id}", id)
        .replace("{slug}", "{team}")
        .replace("{user}", "{viewer}")
        .replace("{key}", "MATRIX_KEY")
        .replace("{section}", "danger")
        .replace("{tail:.*}", "")
        .replace("{path:.*}", "css/app.css")
}

fn get(pattern: &'static str, need: Need) -> Row {
    Row {
        method: "GET",
        pattern,
        path: default_path(pattern),
        form: &[],
        need,
    }
}

fn post(pattern: &'static str, need: Need) -> Row {
    Row {
        method: "POST",
        ..get(pattern, need)
    }
}

impl Row {
    /// Sent with this form instead of an empty one.
    fn with(mut self, form: &'static [(&'static str, &'static str)]) -> Row {
        self.form = form;
        self
    }

    /// Asked at this path instead.
    fn at(mut self, path: &str) -> Row {
        self.path = path.to_owned();
        self
    }

    /// On this instance instead of Development.
    fn on(mut self, instance: &str) -> Row {
        self.path = self.path.replace("{dev}", instance);
        self
    }
}

/// The routes that change an instance, on `instance`, with empty or invalid forms (a 422 for
/// whoever may); deleting a variable is among the destructive rows.
fn changes(instance: &str, protected: bool) -> Vec<Row> {
    let need = Need::Change { protected };
    vec![
        post("/instance/{id}/settings/general", need),
        post("/instance/{id}/settings/editor", need),
        post("/instance/{id}/settings/palette", need)
            .with(&[("palette_deny_list", "not a module!")]),
        post("/instance/{id}/settings/security", need),
        post("/instance/{id}/settings/environment", need),
        post("/instance/{id}/settings/environment/{key}", need),
        post("/instance/{id}/duplicate", need),
        post("/instance/{id}/delete", need),
    ]
    .into_iter()
    .map(|row| row.on(instance))
    .collect()
}

/// Every row, in the order they are tried: destructive ones (on each role's throwaway objects)
/// and the runtime controls last.
pub fn rows() -> Vec<Row> {
    use Need::*;
    let mut rows = vec![
        get("/static/{path:.*}", Public),
        get("/login", Public),
        post("/login", Public),
        post("/logout", Public),
        get("/", SignedIn),
        get("/account", SignedIn),
        post("/account/password", SignedIn),
        post("/account/sessions/{id}/revoke", OwnSession),
        get("/teams/new", SignedIn),
        post("/teams", SignedIn),
        get("/admin/users", Admin),
        post("/admin/users", Admin),
        get("/admin/stats", Admin),
        post("/admin/users/{id}/password", Admin),
        // disabled=false: enabling an account that is enabled (303, no change).
        post("/admin/users/{id}/disable", Admin),
        post("/admin/users/{id}/delete", Admin),
        get("/team/{slug}", Redirect),
        get("/team/{slug}/applications", Act(View)),
        post("/team/{slug}/applications", Act(EditApplications)),
        get("/team/{slug}/applications/new", Act(EditApplications)),
        get("/team/{slug}/members", Act(View)),
        post("/team/{slug}/members", Act(ManageMembers)),
        post("/team/{slug}/members/{user}/role", Act(ManageMembers)),
        get("/application/{id}", Redirect),
        get("/application/{id}/settings", Act(View)),
        post("/application/{id}/settings", Act(EditApplications)),
        post("/application/{id}/delete", Act(DeleteApplications)),
        get("/application/{id}/instances", Act(View)),
        post("/application/{id}/instances", Act(ManageInstances)),
        get("/application/{id}/pipelines", Act(View)),
        // Not an EventSource (no `Accept: text/event-stream`): 303 to the page.
        get("/application/{id}/pipelines/events", Act(View)),
        post("/application/{id}/pipelines", Act(ManagePipelines)),
        get("/pipeline/{id}", Act(View)),
        post("/pipeline/{id}/rename", Act(ManagePipelines)),
        get("/pipeline/{id}/history", Act(View)),
        get("/pipeline/{id}/stages/new", Act(ManagePipelines)),
        post("/pipeline/{id}/stages", Act(ManagePipelines)),
        get("/stage/{id}/edit", Act(ManagePipelines)),
        get("/stage/{id}/menu", Act(ManagePipelines)),
        post("/stage/{id}/edit", Act(ManagePipelines)),
        post("/stage/{id}/move", Act(ManagePipelines)),
        // The targets are busy (a queued deployment each): a play is a 409, not a promotion.
        get("/stage/{id}/promote", Act(Promote)),
        post("/stage/{id}/promote", Act(Promote)),
        get("/stage/{id}/promote", Act(ManageProtected)).at("/stage/{guarded_stage}/promote"),
        post("/stage/{id}/promote", Act(ManageProtected)).at("/stage/{guarded_stage}/promote"),
        // Queued, not succeeded: a 400 for whoever may roll back.
        post("/deployment/{id}/rollback", Act(Promote)),
        get("/instance/{id}", Redirect),
        get("/instance/{id}/overview", Act(View)),
        get("/instance/{id}/status", Act(View)),
        get("/instance/{id}/logs", Act(View)),
        get("/instance/{id}/logs/lines", Act(View)),
        get("/instance/{id}/settings", Redirect),
        get("/instance/{id}/settings/general", Act(View)),
        get("/instance/{id}/settings/editor", Act(View)).on("{vault}"),
        get("/instance/{id}/settings/palette", Act(View)),
        get("/instance/{id}/settings/security", Act(View)),
        get("/instance/{id}/settings/environment", Act(View)).on("{vault}"),
        get("/instance/{id}/settings/{section}", Act(View)),
        // protected=false on an unprotected instance: no change.
        post("/instance/{id}/settings/protection", Act(ManageProtected)),
        post("/instance/{id}/settings/mounts", TeamAdmin),
        get("/instance/{id}/editor", Act(View)),
        get("/instance/{id}/editor/{tail:.*}", Act(View)).on("{vault}"),
        get("/instance/{id}/open", Act(View)).at("/instance/{dev}/open?next=/"),
    ];
    rows.extend(changes("{dev}", false));
    rows.extend(changes("{vault}", true));
    rows.extend([
        post("/team/{slug}/members/{user}/remove", Act(ManageMembers))
            .at("/team/{team}/members/{doomed_member}/remove"),
        post("/stage/{id}/delete", Act(ManagePipelines)).at("/stage/{doomed_stage}/delete"),
        post("/pipeline/{id}/delete", Act(ManagePipelines))
            .at("/pipeline/{doomed_pipeline}/delete"),
        post(
            "/instance/{id}/settings/environment/{key}/delete",
            Change { protected: false },
        )
        .at("/instance/{dev}/settings/environment/{doomed_key}/delete"),
        post(
            "/instance/{id}/settings/environment/{key}/delete",
            Change { protected: true },
        )
        .at("/instance/{vault}/settings/environment/{doomed_key}/delete"),
        // Members start the protected instance too; its runtime is stopped at the end.
        post("/instance/{id}/start", Act(ManageInstances)).on("{vault}"),
        post("/instance/{id}/restart", Act(ManageInstances)).on("{vault}"),
        post("/instance/{id}/stop", Act(ManageInstances)).on("{vault}"),
    ]);
    rows
}
