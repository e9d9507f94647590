ALTER TABLE users DROP COLUMN disabled;
DROP TABLE sessions;
