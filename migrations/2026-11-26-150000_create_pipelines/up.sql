-- DevOps Pipelines: ordered stages over an application's instances, the promotions (deployments)
-- that move one stage's content onto the next, snapshots to restore from, and the audit trail.

CREATE TABLE pipelines (
    id TEXT NOT NULL PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX pipelines_by_application ON pipelines(application_id);

-- Order is an integer position 0..n-1, rewritten in one transaction on every edit.
CREATE TABLE pipeline_stages (
    id TEXT NOT NULL PRIMARY KEY,
    pipeline_id TEXT NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    instance_id TEXT NOT NULL REFERENCES instances(id) ON DELETE RESTRICT,
    created_at BIGINT NOT NULL,
    UNIQUE (pipeline_id, position),
    UNIQUE (pipeline_id, instance_id)
);
CREATE INDEX pipeline_stages_by_instance ON pipeline_stages(instance_id);

-- A stored copy of an instance's content at a moment. Credentials are encrypted with the
-- instance's own credentialSecret, in Node-RED's flows_cred.json format.
CREATE TABLE snapshots (
    id TEXT NOT NULL PRIMARY KEY,
    instance_id TEXT NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
    -- 'before-promotion' (to restore from) or 'promoted' (what a promotion deployed)
    kind TEXT NOT NULL CHECK (kind IN ('before-promotion', 'promoted')),
    flows TEXT NOT NULL,
    credentials TEXT NOT NULL,
    env_keys TEXT NOT NULL,
    modules TEXT NOT NULL,
    created_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX snapshots_by_instance ON snapshots(instance_id, created_at);

-- One run of play. Instance and stage names are copied so history survives renames and deletions.
CREATE TABLE deployments (
    id TEXT NOT NULL PRIMARY KEY,
    pipeline_id TEXT NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
    source_stage_id TEXT REFERENCES pipeline_stages(id) ON DELETE SET NULL,
    target_stage_id TEXT REFERENCES pipeline_stages(id) ON DELETE SET NULL,
    source_instance_id TEXT NOT NULL,
    target_instance_id TEXT NOT NULL,
    source_name TEXT NOT NULL,
    target_name TEXT NOT NULL,
    snapshot_before TEXT REFERENCES snapshots(id) ON DELETE SET NULL,
    snapshot_promoted TEXT REFERENCES snapshots(id) ON DELETE SET NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'interrupted')),
    -- progress shown on the stage card: queued, reading, checking, deploying, verifying, restoring, done
    step TEXT NOT NULL DEFAULT 'queued',
    started_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    started_by_name TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    finished_at BIGINT,
    error TEXT,
    -- JSON array of env keys that arrived on the target without a value
    new_env_keys TEXT NOT NULL DEFAULT '[]',
    restarted BOOLEAN NOT NULL DEFAULT 0
);
-- At most one promotion onto an instance at a time, enforced by the database.
CREATE UNIQUE INDEX deployments_one_active_per_target
    ON deployments(target_instance_id) WHERE status IN ('queued', 'running');
CREATE INDEX deployments_by_pipeline ON deployments(pipeline_id, started_at);
CREATE INDEX deployments_by_target ON deployments(target_instance_id, started_at);

CREATE TABLE audit_events (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    team_id TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    pipeline_id TEXT,
    actor_id TEXT REFERENCES users(id) ON DELETE SET NULL,
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    details TEXT NOT NULL DEFAULT '',
    at BIGINT NOT NULL
);
CREATE INDEX audit_events_by_pipeline ON audit_events(pipeline_id, at);
CREATE INDEX audit_events_by_team ON audit_events(team_id, at);
