ALTER TABLE instance_settings DROP COLUMN endpoint_access;
DROP TABLE editor_sessions;
DROP TABLE editor_tickets;
DROP TABLE instance_label_aliases;
DROP INDEX instances_by_label;
ALTER TABLE instances DROP COLUMN label;
