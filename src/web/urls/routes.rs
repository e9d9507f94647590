//! The route table's one source: per route, the actix pattern (`web::resource(urls::X)`) and a
//! typed builder of its links (`urls::x(&id)`), made from the same literal by `routes!`, so a
//! link cannot point where no route is. The unit test in `urls::tests` holds every builder's output
//! against its own pattern.

use crate::db::ids::{ApplicationId, DeploymentId, InstanceId, PipelineId, StageId, UserId};

/// Per route: `builder(arg: Type, ...) => PATTERN = "/actix/{arg}/pattern";` defines
/// `pub const PATTERN` and `pub fn builder(arg: &Type, ...) -> String`, which fills each `{arg}`
/// with its argument. A pattern with a regex segment (`{tail:.*}`) gives the builder its own
/// format with `as "..."`. Under `cfg(test)`, `examples()` builds every route once.
macro_rules! routes {
    ($(
        $(#[$doc:meta])*
        $name:ident($($arg:ident: $ty:ty),*) => $pattern:ident = $path:literal $(as $link:literal)?;
    )*) => {
        $(
            $(#[$doc])*
            pub const $pattern: &str = $path;

            $(#[$doc])*
            #[allow(clippy::useless_format)]
            pub fn $name($($arg: &$ty),*) -> String {
                routes!(@link $path $(, $link)?)
            }
        )*

        /// The same links for templates: written into the page as they are formatted, with no
        /// `String` each and no escaping pass (their arguments are checked on the way, see
        /// `web::safe`). `{{ crate::web::urls::html::stage_move(card.id) }}`.
        pub mod html {
            #[allow(unused_imports)]
            use super::*;
            use std::fmt;

            $(
                $(#[$doc])*
                #[allow(clippy::needless_lifetimes)]
                pub fn $name<'a>(
                    $($arg: &'a $ty),*
                ) -> crate::web::safe::Link<impl Fn(&mut dyn fmt::Write) -> fmt::Result + 'a> {
                    crate::web::safe::Link(move |f: &mut dyn fmt::Write| {
                        routes!(@write f, ($($arg),*), $path $(, $link)?)
                    })
                }
            )*
        }

        /// Every route once, built from example arguments: (pattern, link, [(name, value)]).
        #[cfg(test)]
        pub(super) fn examples() -> Vec<(&'static str, String, Vec<(&'static str, String)>)> {
            use super::tests::Example;
            vec![$({
                $(let $arg = <$ty as Example>::example(stringify!($arg));)*
                let link = $name($(&*$arg),*);
                assert_eq!(html::$name($(&*$arg),*).to_string(), link, "the template link");
                ($pattern, link, vec![$((stringify!($arg), $arg.to_string())),*])
            }),*]
        }
    };
    (@write $f:ident, ($($arg:ident),*), $path:literal) => {
        crate::web::safe::write_pattern(
            $f,
            $path,
            &[$(AsRef::<str>::as_ref($arg)),*],
        )
    };
    (@write $f:ident, ($($arg:ident),*), $path:literal, $link:literal) => {{
        $(let $arg = crate::web::safe::Checked($arg.as_ref());)*
        write!($f, $link)
    }};
    (@link $path:literal) => { format!($path) };
    (@link $path:literal, $link:literal) => { format!($link) };
}

routes! {
    // Signing in and the account.
    /// The sign-in form (and where it posts).
    login() => LOGIN = "/login";
    /// Signing out.
    logout() => LOGOUT = "/logout";
    /// The signed-in user's account page.
    account() => ACCOUNT = "/account";
    /// Changing one's own password.
    account_password() => ACCOUNT_PASSWORD = "/account/password";
    /// Ending one of one's own sessions, by its public id.
    account_session_revoke(id: str) => ACCOUNT_SESSION_REVOKE = "/account/sessions/{id}/revoke";

    // Administrators.
    /// Account administration (administrators only).
    admin_users() => ADMIN_USERS = "/admin/users";
    /// Server statistics (administrators only).
    admin_stats() => ADMIN_STATS = "/admin/stats";
    /// Setting a new password for an account.
    admin_user_password(id: UserId) => ADMIN_USER_PASSWORD = "/admin/users/{id}/password";
    /// Disabling or enabling an account.
    admin_user_disable(id: UserId) => ADMIN_USER_DISABLE = "/admin/users/{id}/disable";
    /// Deleting an account.
    admin_user_delete(id: UserId) => ADMIN_USER_DELETE = "/admin/users/{id}/delete";

    // Teams.
    /// The home page: the signed-in user's teams.
    home() => HOME = "/";
    /// The team creation form.
    new_team() => NEW_TEAM = "/teams/new";
    /// Where the team creation form posts.
    teams() => TEAMS = "/teams";
    /// A team (redirects to its applications).
    team(slug: str) => TEAM = "/team/{slug}";
    /// Team home: its applications (and where a new one is posted).
    team_applications(slug: str) => TEAM_APPLICATIONS = "/team/{slug}/applications";
    /// New application form of a team.
    new_application(slug: str) => NEW_APPLICATION = "/team/{slug}/applications/new";
    /// Team members page (and where a new member is posted).
    team_members(slug: str) => TEAM_MEMBERS = "/team/{slug}/members";
    /// Changing a member's role.
    team_member_role(slug: str, user: UserId) => TEAM_MEMBER_ROLE = "/team/{slug}/members/{user}/role";
    /// Removing a member from the team.
    team_member_remove(slug: str, user: UserId) => TEAM_MEMBER_REMOVE = "/team/{slug}/members/{user}/remove";

    // Applications.
    /// An application (redirects to its instances).
    application(id: ApplicationId) => APPLICATION = "/application/{id}";
    /// Application > Settings (and where its form posts).
    application_settings(id: ApplicationId) => APPLICATION_SETTINGS = "/application/{id}/settings";
    /// Deleting an application.
    application_delete(id: ApplicationId) => APPLICATION_DELETE = "/application/{id}/delete";
    /// Application > Instances (and where a new instance is posted).
    application_instances(id: ApplicationId) => APPLICATION_INSTANCES = "/application/{id}/instances";
    /// Application > DevOps Pipelines (and where a new pipeline is posted).
    application_pipelines(id: ApplicationId) => APPLICATION_PIPELINES = "/application/{id}/pipelines";
    /// The pipelines page's live stream of changed cards (server-sent events; append `?since=`
    /// and `&shapes=`).
    application_pipeline_events(id: ApplicationId) => APPLICATION_PIPELINE_EVENTS = "/application/{id}/pipelines/events";

    // Instances.
    /// An instance (redirects to its overview).
    instance(id: InstanceId) => INSTANCE = "/instance/{id}";
    /// Instance overview.
    instance_overview(id: InstanceId) => INSTANCE_OVERVIEW = "/instance/{id}/overview";
    /// The live status card of an instance.
    instance_status(id: InstanceId) => INSTANCE_STATUS = "/instance/{id}/status";
    /// Starting an instance.
    instance_start(id: InstanceId) => INSTANCE_START = "/instance/{id}/start";
    /// Stopping an instance.
    instance_stop(id: InstanceId) => INSTANCE_STOP = "/instance/{id}/stop";
    /// Restarting an instance.
    instance_restart(id: InstanceId) => INSTANCE_RESTART = "/instance/{id}/restart";
    /// The live log of an instance.
    instance_logs(id: InstanceId) => INSTANCE_LOGS = "/instance/{id}/logs";
    /// New log lines, for the log's poller (append `?after=N`).
    instance_log_lines(id: InstanceId) => INSTANCE_LOG_LINES = "/instance/{id}/logs/lines";
    /// An instance's settings (redirects to the first section).
    instance_settings_root(id: InstanceId) => INSTANCE_SETTINGS_ROOT = "/instance/{id}/settings";
    /// Changing an instance's protection.
    instance_protection(id: InstanceId) => INSTANCE_PROTECTION = "/instance/{id}/settings/protection";
    /// Settings > General.
    instance_settings_general(id: InstanceId) => INSTANCE_SETTINGS_GENERAL = "/instance/{id}/settings/general";
    /// Settings > Editor.
    instance_settings_editor(id: InstanceId) => INSTANCE_SETTINGS_EDITOR = "/instance/{id}/settings/editor";
    /// Settings > Palette.
    instance_settings_palette(id: InstanceId) => INSTANCE_SETTINGS_PALETTE = "/instance/{id}/settings/palette";
    /// Settings > Security.
    instance_settings_security(id: InstanceId) => INSTANCE_SETTINGS_SECURITY = "/instance/{id}/settings/security";
    /// Changing an instance's sandbox folders (administrators only).
    instance_mounts(id: InstanceId) => INSTANCE_MOUNTS = "/instance/{id}/settings/mounts";
    /// Settings > Environment (and where a new variable is posted).
    instance_environment(id: InstanceId) => INSTANCE_ENVIRONMENT = "/instance/{id}/settings/environment";
    /// Changing one environment variable.
    instance_env_var(id: InstanceId, key: str) => INSTANCE_ENV_VAR = "/instance/{id}/settings/environment/{key}";
    /// Deleting one environment variable.
    instance_env_var_delete(id: InstanceId, key: str) => INSTANCE_ENV_VAR_DELETE = "/instance/{id}/settings/environment/{key}/delete";
    /// An instance settings section (general, environment, editor, palette, security, danger).
    instance_settings(id: InstanceId, section: str) => INSTANCE_SETTINGS = "/instance/{id}/settings/{section}";
    /// Duplicating an instance.
    instance_duplicate(id: InstanceId) => INSTANCE_DUPLICATE = "/instance/{id}/duplicate";
    /// Deleting an instance.
    instance_delete(id: InstanceId) => INSTANCE_DELETE = "/instance/{id}/delete";
    /// Open Editor without the trailing slash (sends to the instance's origin like the next one).
    instance_editor_entry(id: InstanceId) => INSTANCE_EDITOR_ENTRY = "/instance/{id}/editor";
    /// Open Editor: sends the member to the instance's own origin with a ticket.
    instance_editor(id: InstanceId) => INSTANCE_EDITOR = "/instance/{id}/editor/{tail:.*}" as "/instance/{id}/editor/";
    /// Where an instance origin sends a browser to be signed in (append `?next=`).
    instance_open(id: InstanceId) => INSTANCE_OPEN = "/instance/{id}/open";

    // DevOps Pipelines.
    /// A pipeline (its card on the pipelines page).
    pipeline(id: PipelineId) => PIPELINE = "/pipeline/{id}";
    /// Renaming a pipeline.
    pipeline_rename(id: PipelineId) => PIPELINE_RENAME = "/pipeline/{id}/rename";
    /// Deleting a pipeline.
    pipeline_delete(id: PipelineId) => PIPELINE_DELETE = "/pipeline/{id}/delete";
    /// A pipeline's history and audit trail.
    pipeline_history(id: PipelineId) => PIPELINE_HISTORY = "/pipeline/{id}/history";
    /// The form for a new stage (append `?before=` or `?after=` a stage).
    pipeline_new_stage(id: PipelineId) => PIPELINE_NEW_STAGE = "/pipeline/{id}/stages/new";
    /// Where a new stage is posted.
    pipeline_stages(id: PipelineId) => PIPELINE_STAGES = "/pipeline/{id}/stages";
    /// A stage's edit form (and where it posts).
    stage_edit(id: StageId) => STAGE_EDIT = "/stage/{id}/edit";
    /// Play: the confirmation (GET) and the promotion (POST).
    stage_promote(id: StageId) => STAGE_PROMOTE = "/stage/{id}/promote";
    /// A stage's menu (edit, insert a stage before or after it, remove it), loaded when opened.
    stage_menu(id: StageId) => STAGE_MENU = "/stage/{id}/menu";
    /// Moving a stage left or right.
    stage_move(id: StageId) => STAGE_MOVE = "/stage/{id}/move";
    /// Removing a stage.
    stage_delete(id: StageId) => STAGE_DELETE = "/stage/{id}/delete";
    /// Rolling a push back.
    deployment_rollback(id: DeploymentId) => DEPLOYMENT_ROLLBACK = "/deployment/{id}/rollback";

    // Static files.
    /// A static file (`css/app.css`), embedded in the binary.
    static_asset(path: str) => STATIC_ASSET = "/static/{path:.*}" as "/static/{path}";
}
