-- Folders of the host an instance's sandbox may see besides its own userDir, one per line as
-- "ro /path" or "rw /path". Only platform administrators set them; they are never copied by
-- Duplicate Instance and, like every setting, never travel with a push.
ALTER TABLE instance_settings ADD COLUMN sandbox_mounts TEXT NOT NULL DEFAULT '';
