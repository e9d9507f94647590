DROP TABLE instance_settings;
DROP TABLE instance_env_vars;
DROP TABLE instances;
