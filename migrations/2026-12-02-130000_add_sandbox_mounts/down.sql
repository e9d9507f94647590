ALTER TABLE instance_settings DROP COLUMN sandbox_mounts;
