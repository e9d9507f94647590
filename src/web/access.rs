//! Authorisation shared by handlers: one extractor, [`Access`], loads the object a route names,
//! resolves its team and checks the member's role there (404 for outsiders, 403 with a reason for
//! members whose role does not allow it). The role in the object's team decides, never a form field.

use std::marker::PhantomData;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

use crate::db::Conn;
use crate::db::ids::{ApplicationId, DeploymentId, InstanceId, PipelineId, StageId, UserId};
use crate::db::models::applications::{self, ApplicationScope};
use crate::db::models::deployments::{self, DeploymentScope};
use crate::db::models::instances::{self, InstanceScope};
use crate::db::models::pipelines::{self, PipelineScope};
use crate::db::models::stages::{self, StageScope};
use crate::db::models::teams::{self, Membership};
use crate::domain::roles::{Action, Role, may_change_instance};
use crate::error::AppError;
use crate::web::CurrentUser;

/// An object a route names by a path segment, loaded as the signed-in member sees it.
pub trait Scope: Sized + Send + 'static {
    /// The path segment that names it (`{id}`, `{slug}`).
    const SEGMENT: &'static str;
    /// Load it for `user`: `NotFound` unless they are in its team.
    fn load(conn: &mut Conn, key: String, user: &UserId) -> Result<Self, AppError>;
    /// The member's team and role there.
    fn membership(&self) -> &Membership;
}

/// What a route needs the member to be allowed to do with the object.
pub trait Need<S> {
    /// `Ok` when they may, otherwise the refusal.
    fn check(scope: &S) -> Result<(), AppError>;
}

/// The object named by the route, loaded and authorised for the signed-in user.
pub struct Access<S, N = can::View> {
    /// Who asks.
    pub user: CurrentUser,
    /// What they asked about, with their membership.
    pub scope: S,
    need: PhantomData<fn() -> N>,
}

impl<S: Scope, N: Need<S> + 'static> FromRequest for Access<S, N> {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let found = Self::with(req, |_, _| Ok(()));
        Box::pin(async move { Ok(found.await?.0) })
    }
}

impl<S: Scope, N: Need<S> + 'static> Access<S, N> {
    /// The user, the object and `also` (say, what the page shows of it) in one trip to the
    /// database; `also` runs only once the member may, and its error is returned as is.
    pub fn with<T: Send + 'static>(
        req: &HttpRequest,
        also: impl FnOnce(&mut Conn, &S) -> Result<T, AppError> + Send + 'static,
    ) -> LocalBoxFuture<'static, Result<(Self, T), AppError>> {
        let key = req.match_info().get(S::SEGMENT).map(str::to_owned);
        let found = CurrentUser::with(req, move |conn, user| {
            let scope = S::load(conn, key.ok_or(AppError::NotFound)?, &user.id)?;
            N::check(&scope)?;
            let also = also(conn, &scope)?;
            Ok((scope, also))
        });
        Box::pin(async move {
            let (user, found) = found.await?;
            let (scope, also) = found?;
            let access = Access {
                user,
                scope,
                need: PhantomData,
            };
            Ok((access, also))
        })
    }
}

/// The signed-in user, when they administer the platform (403 otherwise).
pub struct Admin(pub CurrentUser);

impl FromRequest for Admin {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let user = CurrentUser::from_request(req, payload);
        Box::pin(async move {
            let user = user.await?;
            if !user.user.is_admin {
                let only = "Only administrators can manage user accounts.";
                return Err(AppError::Forbidden(only.into()));
            }
            Ok(Admin(user))
        })
    }
}

macro_rules! scopes {
    ($($scope:ty, $segment:literal, |$conn:ident, $key:ident, $user:ident| $load:expr, |$s:ident| $membership:expr;)*) => {$(
        impl Scope for $scope {
            const SEGMENT: &'static str = $segment;
            fn load($conn: &mut Conn, $key: String, $user: &UserId) -> Result<Self, AppError> {
                $load
            }
            fn membership(&self) -> &Membership {
                let $s = self;
                $membership
            }
        }
    )*};
}

scopes! {
    Membership, "slug", |c, k, u| teams::scope(c, &k, u), |s| s;
    ApplicationScope, "id", |c, k, u| applications::scope(c, &ApplicationId::from(k), u), |s| &s.membership;
    InstanceScope, "id", |c, k, u| instances::scope(c, &InstanceId::from(k), u), |s| &s.membership;
    PipelineScope, "id", |c, k, u| pipelines::scope(c, &PipelineId::from(k), u), |s| &s.membership;
    StageScope, "id", |c, k, u| stages::scope(c, &StageId::from(k), u), |s| &s.pipeline.membership;
    DeploymentScope, "id", |c, k, u| deployments::scope(c, &DeploymentId::from(k), u), |s| &s.pipeline.membership;
}

/// What a route needs, one marker per [`Action`] (and [`can::ChangeInstance`]).
pub mod can {
    use super::{Action, AppError, InstanceScope, Need, Scope, may_change_instance, require};

    macro_rules! needs {
        ($($name:ident),*) => {$(
            #[doc = concat!("The member's role allows [`Action::", stringify!($name), "`].")]
            pub struct $name;
            impl<S: Scope> Need<S> for $name {
                fn check(scope: &S) -> Result<(), AppError> {
                    require(scope.membership(), Action::$name)
                }
            }
        )*};
    }

    needs!(
        View,
        ManageMembers,
        EditApplications,
        DeleteApplications,
        ManageInstances,
        ManagePipelines,
        Promote,
        ManageProtected
    );

    /// Changing an instance: [`Action::ManageInstances`], and for a protected instance only its
    /// team's owners (with the reason).
    pub struct ChangeInstance;
    impl Need<InstanceScope> for ChangeInstance {
        fn check(scope: &InstanceScope) -> Result<(), AppError> {
            require(&scope.membership, Action::ManageInstances)?;
            if may_change_instance(scope.membership.role, scope.instance.protected) {
                return Ok(());
            }
            Err(AppError::Forbidden(protected_reason(scope)))
        }
    }

    /// Why a member cannot change a protected instance, and what they still can do.
    pub fn protected_reason(scope: &InstanceScope) -> String {
        format!(
            "{} is protected: only owners of {} can change its settings, environment or flows, or delete or duplicate it. You can still start, stop and restart it.",
            scope.instance.name, scope.membership.team.name
        )
    }
}

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
