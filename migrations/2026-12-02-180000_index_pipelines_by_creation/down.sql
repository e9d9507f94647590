CREATE INDEX pipelines_by_application ON pipelines(application_id);
DROP INDEX pipelines_by_application_created;
