//! The credentials a promotion reads from an instance's content (through the runtime driver),
//! decrypted with the instance's own secret.

use serde_json::{Map, Value};

use crate::db::ids::InstanceId;
use crate::nodered::{RuntimeDriver, credentials};

/// The PLAINTEXT credentials `id` stores, decrypted with `secret`, without redstage's deploy
/// nonce. Never logged; errors carry no values.
pub(crate) async fn credentials(
    runtimes: &dyn RuntimeDriver,
    id: &InstanceId,
    secret: &str,
) -> Result<Map<String, Value>, String> {
    let Some(file) = runtimes.read_credentials(id).await? else {
        return Ok(Map::new());
    };
    let mut plain = credentials::decrypt(secret, &file).map_err(|e| e.to_string())?;
    credentials::strip_deploy_nonce(&mut plain);
    Ok(plain)
}
