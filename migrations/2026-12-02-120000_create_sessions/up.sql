-- Platform sessions kept server-side (the cookie holds only a random key, of which the SHA-256 is
-- stored), so that they can be listed, revoked, and ended at once when an account is disabled.
CREATE TABLE sessions (
    key_sha256 TEXT NOT NULL PRIMARY KEY,
    -- an opaque id for the Account page's "sign out" buttons
    public_id TEXT NOT NULL UNIQUE,
    -- NULL until someone signs in with it (the sign-in form's CSRF token lives in a session too)
    user_id TEXT REFERENCES users(id) ON DELETE CASCADE,
    -- the sign-in's id: editor sessions it opened end with it
    sign_in TEXT,
    -- the session's values (JSON), as actix-session keeps them
    state TEXT NOT NULL,
    user_agent TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    last_seen BIGINT NOT NULL,
    -- idle expiry; the absolute lifetime counts from created_at
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions(user_id);
CREATE INDEX sessions_by_expiry ON sessions(expires_at);

-- An administrator can disable an account: it cannot sign in, and its sessions end.
ALTER TABLE users ADD COLUMN disabled BOOLEAN NOT NULL DEFAULT 0;
