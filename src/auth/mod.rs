//! Who is asking: argon2id passwords, the session cookie, CSRF tokens, sign-in throttling and the
//! signed-in-user extractor.

pub mod csrf;
pub mod current_user;
pub mod password;
pub mod secret;
pub mod session;
pub mod store;
pub mod throttle;

pub use current_user::CurrentUser;
pub use session::{Flash, UserSession};
