//! Typed, opaque ids: random 20-character strings a user cannot walk, one newtype per table so the
//! compiler refuses a team id where an application id belongs.

use rand::RngExt;

const ALPHABET: &[u8; 32] = b"abcdefghijkmnpqrstuvwxyz23456789";

/// A fresh random id (100 bits) from an unambiguous lowercase alphabet.
pub fn random_id() -> String {
    let mut rng = rand::rng();
    (0..20)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

/// Whether `text` has the shape of an id made by [`random_id`].
pub fn looks_like_id(text: &str) -> bool {
    text.len() == 20 && text.bytes().all(|b| ALPHABET.contains(&b))
}

macro_rules! typed_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, diesel::AsExpression, diesel::FromSqlRow,
        )]
        #[diesel(sql_type = diesel::sql_types::Text)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// A new random id.
            pub fn generate() -> Self {
                Self(random_id())
            }

            /// The id as it appears in URLs and the database.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl From<String> for $name {
            fn from(raw: String) -> Self {
                Self(raw)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::sqlite::Sqlite> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::sqlite::Sqlite>,
            ) -> diesel::serialize::Result {
                out.set_value(self.0.as_str());
                Ok(diesel::serialize::IsNull::No)
            }
        }

        impl diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::sqlite::Sqlite> for $name {
            fn from_sql(
                value: diesel::sqlite::SqliteValue<'_, '_, '_>,
            ) -> diesel::deserialize::Result<Self> {
                <String as diesel::deserialize::FromSql<
                    diesel::sql_types::Text,
                    diesel::sqlite::Sqlite,
                >>::from_sql(value)
                .map(Self)
            }
        }
    };
}

typed_id!(
    /// Id of a row in `users`.
    UserId
);
typed_id!(
    /// Id of a row in `teams` (URLs use the slug instead).
    TeamId
);
typed_id!(
    /// Id of a row in `applications`.
    ApplicationId
);
typed_id!(
    /// Id of a row in `instances`.
    InstanceId
);
typed_id!(
    /// Id of a row in `pipelines`.
    PipelineId
);
typed_id!(
    /// Id of a row in `pipeline_stages`.
    StageId
);
typed_id!(
    /// Id of a row in `deployments` (one promotion).
    DeploymentId
);
typed_id!(
    /// Id of a row in `snapshots`.
    SnapshotId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_long_random_and_url_safe() {
        let a = ApplicationId::generate();
        let b = ApplicationId::generate();
        assert_ne!(a, b);
        assert_eq!(a.as_str().len(), 20);
        assert!(a.as_str().bytes().all(|c| ALPHABET.contains(&c)));
    }
}
