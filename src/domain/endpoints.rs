//! Who may call an instance's flow endpoints (its `http in` routes and websockets) on its origin.

/// The instance setting (Security tab). Like every setting, it never travels with a push.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum EndpointAccess {
    /// Any client, no credentials (Node-RED's and FlowFuse's default).
    #[default]
    Anyone,
    /// HTTP basic auth, checked by Node-RED (`httpNodeAuth`).
    Basic,
    /// The team's members only: an editor session of this instance (browsers without one sign in).
    Members,
}

impl EndpointAccess {
    /// The value stored in the database and sent by the form.
    pub fn as_str(self) -> &'static str {
        match self {
            EndpointAccess::Anyone => "anyone",
            EndpointAccess::Basic => "basic",
            EndpointAccess::Members => "members",
        }
    }

    /// From the stored or submitted value.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "anyone" => Some(EndpointAccess::Anyone),
            "basic" => Some(EndpointAccess::Basic),
            "members" => Some(EndpointAccess::Members),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_access_round_trips_through_its_text() {
        for access in [
            EndpointAccess::Anyone,
            EndpointAccess::Basic,
            EndpointAccess::Members,
        ] {
            assert_eq!(EndpointAccess::parse(access.as_str()), Some(access));
        }
        assert_eq!(EndpointAccess::parse("everyone"), None);
    }
}
