DROP TABLE audit_events;
DROP TABLE deployments;
DROP TABLE snapshots;
DROP TABLE pipeline_stages;
DROP TABLE pipelines;
