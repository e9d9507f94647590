//! Codec for Node-RED's `flows_cred.json` (checked against files written by Node-RED 4.1.15).
//!
//! Node-RED encrypts the credentials of all nodes as one JSON object `{nodeId: {field: value}}` with
//! AES-256-CTR, key = SHA-256(credentialSecret), a random 16-byte IV used as the initial big-endian counter,
//! and stores `{"$": hex(iv) + base64(ciphertext)}`. With `credentialSecret: false` the file is the plain
//! object. This module never logs, and its errors never contain, any credential value.
//!
//! Node-RED 4.1.15 bug to route around (see [`with_deploy_nonce`]): a v2 `POST /flows` whose `credentials`
//! equal what the runtime already holds in memory makes it write back the `flows_cred.json` it loaded at
//! startup (a stale blob, or PLAINTEXT when it started without an encrypted file).

use aes::Aes256;
use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use ctr::cipher::{KeyIvInit, StreamCipher};
use rand::RngExt as _;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

type Aes256Ctr = ctr::Ctr128BE<Aes256>;

/// Key of the field that holds the encrypted blob.
pub const ENCRYPTED_FIELD: &str = "$";
/// Credentials entry (for no real node) added by [`with_deploy_nonce`] and dropped by [`strip_deploy_nonce`].
pub const DEPLOY_NONCE_ID: &str = "__redstage_deploy_nonce__";

/// Standard alphabet; padding optional on decode (Node's decoder is lenient), always written on encode.
const B64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Why a `flows_cred.json` could not be read. Never carries credential values.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CredentialError {
    #[error("flows_cred.json is not a JSON object")]
    NotAnObject,
    #[error("flows_cred.json: the \"$\" field is not a string")]
    EncryptedNotAString,
    #[error("flows_cred.json: the \"$\" field does not start with a 32-hex-digit IV")]
    BadIv,
    #[error("flows_cred.json: the ciphertext is not valid base64")]
    BadBase64,
    #[error("flows_cred.json could not be decrypted: wrong credentialSecret or corrupt file")]
    WrongSecretOrCorrupt,
}

/// True when the file content is the encrypted form `{"$": ...}`.
pub fn is_encrypted(file: &Value) -> bool {
    file.get(ENCRYPTED_FIELD).is_some()
}

/// Reads a `flows_cred.json` (already parsed as JSON): decrypts `{"$": ...}` with `secret`, or returns a
/// plain (unencrypted) object as is.
pub fn decrypt(secret: &str, file: &Value) -> Result<Map<String, Value>, CredentialError> {
    let obj = file.as_object().ok_or(CredentialError::NotAnObject)?;
    let Some(blob) = obj.get(ENCRYPTED_FIELD) else {
        return Ok(obj.clone());
    };
    let blob = blob.as_str().ok_or(CredentialError::EncryptedNotAString)?;
    let (iv_hex, b64) = blob.split_at_checked(32).ok_or(CredentialError::BadIv)?;
    let mut iv = [0u8; 16];
    hex::decode_to_slice(iv_hex, &mut iv).map_err(|_| CredentialError::BadIv)?;
    let mut data = B64
        .decode(b64.trim())
        .map_err(|_| CredentialError::BadBase64)?;
    apply_keystream(secret, &iv, &mut data);
    let text = String::from_utf8(data).map_err(|_| CredentialError::WrongSecretOrCorrupt)?;
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(CredentialError::WrongSecretOrCorrupt),
    }
}

/// Encrypts `creds` as Node-RED does, with a fresh random IV: returns `{"$": hex(iv) + base64(ct)}`.
pub fn encrypt(secret: &str, creds: &Map<String, Value>) -> Value {
    let mut iv = [0u8; 16];
    rand::rng().fill(&mut iv);
    encrypt_with_iv(secret, creds, iv)
}

/// [`encrypt`] with a caller-chosen IV (deterministic; for tests). Never reuse an IV with real data.
pub fn encrypt_with_iv(secret: &str, creds: &Map<String, Value>, iv: [u8; 16]) -> Value {
    let mut data = Value::Object(creds.clone()).to_string().into_bytes();
    apply_keystream(secret, &iv, &mut data);
    let mut blob = hex::encode(iv);
    B64.encode_string(&data, &mut blob);
    let mut file = Map::new();
    file.insert(ENCRYPTED_FIELD.to_owned(), Value::String(blob));
    Value::Object(file)
}

/// The credentials map to send in a v2 `POST /flows`: `creds` plus a fresh random nonce entry, so the
/// runtime always sees changed credentials and re-encrypts its whole cache to disk (works around the
/// Node-RED 4.1.15 stale/plaintext write-back described in the module doc). The next deploy's clean-up
/// drops the previous nonce; readers of `flows_cred.json` should call [`strip_deploy_nonce`].
pub fn with_deploy_nonce(creds: &Map<String, Value>) -> Map<String, Value> {
    let mut nonce = [0u8; 16];
    rand::rng().fill(&mut nonce);
    let mut out = creds.clone();
    let mut entry = Map::new();
    entry.insert("nonce".to_owned(), Value::String(hex::encode(nonce)));
    out.insert(DEPLOY_NONCE_ID.to_owned(), Value::Object(entry));
    out
}

/// Removes the entry added by [`with_deploy_nonce`], leaving only real node credentials.
pub fn strip_deploy_nonce(creds: &mut Map<String, Value>) {
    creds.remove(DEPLOY_NONCE_ID);
}

/// AES-256-CTR is symmetric: the same keystream XOR encrypts and decrypts.
fn apply_keystream(secret: &str, iv: &[u8; 16], data: &mut [u8]) {
    let key = Sha256::digest(secret.as_bytes());
    let mut cipher = Aes256Ctr::new(&key, iv.into());
    cipher.apply_keystream(data);
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Written by Node-RED 4.1.15 itself with credentialSecret "redstage-fixture-secret-1".
    const NODE_RED_FILE: &str = include_str!("../../tests/fixtures/nodered/flows_cred.json");
    const FIXTURE_SECRET: &str = "redstage-fixture-secret-1";

    fn expected() -> Map<String, Value> {
        let v = json!({
            "cred_req": {"user": "pipeline-user", "password": "s3cret-from-dev"},
            "cred_broker": {"user": "mqtt-user", "password": "mqtt-pass"}
        });
        v.as_object().unwrap().clone()
    }

    fn fixture() -> Value {
        serde_json::from_str(NODE_RED_FILE).unwrap()
    }

    #[test]
    fn decrypts_a_file_written_by_node_red() {
        assert!(is_encrypted(&fixture()));
        assert_eq!(decrypt(FIXTURE_SECRET, &fixture()).unwrap(), expected());
    }

    #[test]
    fn wrong_secret_is_an_error_not_garbage() {
        let err = decrypt("not-the-secret", &fixture()).unwrap_err();
        assert_eq!(err, CredentialError::WrongSecretOrCorrupt);
        assert!(!err.to_string().contains("s3cret"));
    }

    #[test]
    fn matches_nodes_crypto_byte_for_byte() {
        // node -e: createCipheriv('aes-256-ctr', sha256('s'), iv 00..0f) over '{"a":{"b":"c"}}'
        let creds = json!({"a": {"b": "c"}}).as_object().unwrap().clone();
        let iv: [u8; 16] = core::array::from_fn(|i| i as u8);
        let file = encrypt_with_iv("s", &creds, iv);
        assert_eq!(file, json!({"$": NODE_VECTOR}));
    }
    const NODE_VECTOR: &str = "000102030405060708090a0b0c0d0e0fKeYPa8qnYbzhcb121kXp";

    #[test]
    fn round_trips_with_random_iv() {
        let a = encrypt("k", &expected());
        let b = encrypt("k", &expected());
        assert_ne!(a, b, "fresh IV every time");
        assert_eq!(decrypt("k", &a).unwrap(), expected());
        assert_eq!(decrypt("k", &b).unwrap(), expected());
    }

    #[test]
    fn round_trips_unicode_and_empty() {
        let creds = json!({"n1": {"password": "pässwörd ✓ \"quoted\" \n"}});
        let creds = creds.as_object().unwrap().clone();
        assert_eq!(
            decrypt("κλειδί", &encrypt("κλειδί", &creds)).unwrap(),
            creds
        );
        assert!(decrypt("", &encrypt("", &Map::new())).unwrap().is_empty());
    }

    #[test]
    fn unencrypted_file_is_passed_through() {
        let plain = Value::Object(expected());
        assert!(!is_encrypted(&plain));
        assert_eq!(decrypt("anything", &plain).unwrap(), expected());
        assert!(decrypt("x", &json!({})).unwrap().is_empty());
    }

    #[test]
    fn malformed_files_are_rejected() {
        let cases = [
            (json!([]), CredentialError::NotAnObject),
            (json!("x"), CredentialError::NotAnObject),
            (json!({"$": 1}), CredentialError::EncryptedNotAString),
            (json!({"$": "abc"}), CredentialError::BadIv),
            (
                json!({"$": "zz0102030405060708090a0b0c0d0e0fAAAA"}),
                CredentialError::BadIv,
            ),
            (
                json!({"$": "é0102030405060708090a0b0c0d0e0fAAAA"}),
                CredentialError::BadIv,
            ),
            (
                json!({"$": "000102030405060708090a0b0c0d0e0f!!!"}),
                CredentialError::BadBase64,
            ),
            (
                json!({"$": "000102030405060708090a0b0c0d0e0f"}),
                CredentialError::WrongSecretOrCorrupt,
            ),
        ];
        for (file, want) in cases {
            assert_eq!(decrypt("s", &file).unwrap_err(), want, "{file}");
        }
    }

    #[test]
    fn accepts_unpadded_base64() {
        let file = encrypt("k", &expected());
        let trimmed = file["$"].as_str().unwrap().trim_end_matches('=').to_owned();
        assert_eq!(decrypt("k", &json!({ "$": trimmed })).unwrap(), expected());
    }

    #[test]
    fn deploy_nonce_changes_every_time_and_strips() {
        let a = with_deploy_nonce(&expected());
        let b = with_deploy_nonce(&expected());
        assert_ne!(a[DEPLOY_NONCE_ID], b[DEPLOY_NONCE_ID]);
        let mut a = a;
        strip_deploy_nonce(&mut a);
        assert_eq!(a, expected());
    }
}
