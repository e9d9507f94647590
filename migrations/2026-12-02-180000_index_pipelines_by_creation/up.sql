-- The pipelines page lists an application's pipelines oldest first, a page at a time (and the
-- stages query picks that page again as a subquery): with the order in the index SQLite walks
-- the page's entries instead of sorting every pipeline of the application on each request.
-- Its first column serves whatever the old single-column index did.
CREATE INDEX pipelines_by_application_created ON pipelines(application_id, created_at, id);
DROP INDEX pipelines_by_application;
