-- Every instance is served on its own origin, {label}.{domain} (DESIGN.md, "Trust boundary").

-- The DNS label of the instance's origin: unique, chosen from its name when it is made. Instances
-- made before get a label from their id, which their owners can change in General settings.
ALTER TABLE instances ADD COLUMN label TEXT NOT NULL DEFAULT '';
UPDATE instances SET label = 'i-' || id;
CREATE UNIQUE INDEX instances_by_label ON instances(label);

-- Labels an instance had before: they redirect to its current origin until `until` (unix ms).
CREATE TABLE instance_label_aliases (
    label TEXT NOT NULL PRIMARY KEY,
    instance_id TEXT NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
    until BIGINT NOT NULL
);
CREATE INDEX instance_label_aliases_by_instance ON instance_label_aliases(instance_id);

-- One-time tickets of "Open Editor": minted on the platform origin, exchanged once on the
-- instance origin for an editor session. Only the SHA-256 of the ticket is stored.
CREATE TABLE editor_tickets (
    ticket_sha256 TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    instance_id TEXT NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
    -- the platform session that minted it: signing out there ends the editor session too
    platform_session TEXT NOT NULL,
    -- where on the instance origin to land (a path under the editor prefix, or a flow path)
    next_path TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- Editor sessions on an instance origin (its own host-only cookie). Membership and role are
-- checked on every request; only the SHA-256 of the cookie value is stored.
CREATE TABLE editor_sessions (
    token_sha256 TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    instance_id TEXT NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
    platform_session TEXT NOT NULL,
    -- the user's session epoch when it began: a password change ends it
    session_epoch INTEGER NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX editor_sessions_by_platform_session ON editor_sessions(platform_session);
CREATE INDEX editor_sessions_by_user ON editor_sessions(user_id);
CREATE INDEX editor_sessions_by_instance ON editor_sessions(instance_id);

-- Who may call the flows' HTTP endpoints: anyone, HTTP basic auth (the http_auth_* columns), or
-- the team's members (an editor session). Like every setting, it never travels with a push.
ALTER TABLE instance_settings ADD COLUMN endpoint_access TEXT NOT NULL DEFAULT 'anyone'
    CHECK (endpoint_access IN ('anyone', 'basic', 'members'));
UPDATE instance_settings SET endpoint_access = 'basic' WHERE http_auth_user IS NOT NULL;
