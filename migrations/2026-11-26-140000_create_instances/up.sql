-- Node-RED instances of an application, their environment variables and their settings.
-- Live runtime state (installing, running, crashed, ...) is kept in memory by the supervisor;
-- the database keeps what should be: whether the instance is meant to run.

CREATE TABLE instances (
    id TEXT NOT NULL PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications(id) ON DELETE RESTRICT,
    name TEXT NOT NULL,
    -- secret Node-RED encrypts flows_cred.json with (it must stay the same for the file to decrypt)
    credential_secret TEXT NOT NULL,
    -- 'running' or 'stopped': what the supervisor brings the runtime to, also after a server restart
    desired_state TEXT NOT NULL DEFAULT 'running' CHECK (desired_state IN ('running', 'stopped')),
    node_red_version TEXT NOT NULL,
    -- only owners may promote onto a protected instance
    protected BOOLEAN NOT NULL DEFAULT 0,
    -- last change to env vars or settings: a runtime started before it needs a restart to apply it
    config_changed_at BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    UNIQUE (application_id, name COLLATE NOCASE)
);
CREATE INDEX instances_by_application ON instances(application_id);

CREATE TABLE instance_env_vars (
    instance_id TEXT NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    -- NULL: the key exists but needs a value (e.g. it arrived with a promotion)
    value TEXT,
    hidden BOOLEAN NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (instance_id, key)
);

-- User-facing Node-RED settings of an instance; settings.js is generated from this row.
CREATE TABLE instance_settings (
    instance_id TEXT NOT NULL PRIMARY KEY REFERENCES instances(id) ON DELETE CASCADE,
    editor_enabled BOOLEAN NOT NULL DEFAULT 1,
    code_editor TEXT NOT NULL DEFAULT 'monaco' CHECK (code_editor IN ('monaco', 'ace')),
    editor_title TEXT NOT NULL DEFAULT '',
    palette_allow_install BOOLEAN NOT NULL DEFAULT 1,
    -- one module name or pattern per line, e.g. node-red-contrib-*
    palette_deny_list TEXT NOT NULL DEFAULT '',
    -- HTTP node basic authentication: both NULL = none; the password is stored as a bcrypt hash
    http_auth_user TEXT,
    http_auth_pass_hash TEXT
);
