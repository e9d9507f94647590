//! Typed states: a deployment's status and step, an instance's desired state, a snapshot's kind. The database
//! keeps their text (`as_str`) and reads it back through `TryFrom<String>`: the one place that maps them.

use std::fmt;

/// A value in the database that is none of an enum's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownValue(pub String);

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown value {:?}", self.0)
    }
}

impl std::error::Error for UnknownValue {}

macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// The text the database keeps.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }

        impl TryFrom<String> for $name {
            type Error = UnknownValue;

            fn try_from(text: String) -> Result<Self, Self::Error> {
                match text.as_str() {
                    $($text => Ok($name::$variant),)+
                    _ => Err(UnknownValue(text)),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

text_enum! {
    /// Where a deployment stands.
    DeploymentStatus {
        /// Claimed, not started.
        Queued = "queued",
        /// In progress.
        Running = "running",
        /// The target runs the promoted flows.
        Succeeded = "succeeded",
        /// Refused or failed; the target was restored.
        Failed = "failed",
        /// The server stopped mid-way; the target was restored at the next start.
        Interrupted = "interrupted",
    }
}

impl DeploymentStatus {
    /// Whether it is still going (a claim on its target).
    pub fn is_active(self) -> bool {
        matches!(self, Self::Queued | Self::Running)
    }
}

text_enum! {
    /// How far a deployment got.
    DeploymentStep {
        /// Claimed.
        Queued = "queued",
        /// Reading the source.
        Reading = "reading",
        /// Pre-flight of the target.
        Checking = "checking",
        /// Deploying the flows.
        Deploying = "deploying",
        /// Waiting for the target to run them.
        Verifying = "verifying",
        /// Failed: putting the target back.
        Restoring = "restoring",
        /// Over.
        Done = "done",
    }
}

impl DeploymentStep {
    /// The step in words, for the stage card.
    pub fn label(self) -> &'static str {
        match self {
            Self::Queued => "Queued…",
            Self::Reading => "Reading the source…",
            Self::Checking => "Checking the target…",
            Self::Deploying => "Deploying…",
            Self::Verifying => "Verifying…",
            Self::Restoring => "Failed — restoring…",
            Self::Done => "Finishing…",
        }
    }
}

text_enum! {
    /// What the supervisor brings an instance's runtime to, also after a server restart.
    DesiredState {
        /// Keep it running.
        Running = "running",
        /// Keep it stopped.
        Stopped = "stopped",
    }
}

text_enum! {
    /// Why a snapshot of an instance was taken.
    SnapshotKind {
        /// The target as it was before a promotion (what a failure restores).
        BeforePromotion = "before-promotion",
        /// What a promotion deployed.
        Promoted = "promoted",
    }
}

impl DesiredState {
    /// `Running` when it should run.
    pub fn from_running(running: bool) -> Self {
        if running {
            Self::Running
        } else {
            Self::Stopped
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_round_trips_through_its_text() {
        use DeploymentStatus as S;
        for status in [
            S::Queued,
            S::Running,
            S::Succeeded,
            S::Failed,
            S::Interrupted,
        ] {
            assert_eq!(S::try_from(status.as_str().to_owned()), Ok(status));
        }
        use DeploymentStep as T;
        for step in [
            T::Queued,
            T::Reading,
            T::Checking,
            T::Deploying,
            T::Verifying,
            T::Restoring,
            T::Done,
        ] {
            assert_eq!(T::try_from(step.as_str().to_owned()), Ok(step));
        }
        assert_eq!(
            DesiredState::try_from("stopped".to_owned()),
            Ok(DesiredState::Stopped)
        );
        let kind = SnapshotKind::try_from("before-promotion".to_owned());
        assert_eq!(kind, Ok(SnapshotKind::BeforePromotion));
        assert!(S::try_from("done".to_owned()).is_err());
        assert!(S::Queued.is_active() && !S::Failed.is_active());
    }
}
