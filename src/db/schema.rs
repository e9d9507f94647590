// @generated automatically by Diesel CLI.

diesel::table! {
    applications (id) {
        id -> Text,
        team_id -> Text,
        name -> Text,
        description -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Integer,
        team_id -> Text,
        pipeline_id -> Nullable<Text>,
        actor_id -> Nullable<Text>,
        actor_name -> Text,
        action -> Text,
        subject -> Text,
        details -> Text,
        at -> BigInt,
    }
}

diesel::table! {
    deployments (id) {
        id -> Text,
        pipeline_id -> Text,
        source_stage_id -> Nullable<Text>,
        target_stage_id -> Nullable<Text>,
        source_instance_id -> Text,
        target_instance_id -> Text,
        source_name -> Text,
        target_name -> Text,
        snapshot_before -> Nullable<Text>,
        snapshot_promoted -> Nullable<Text>,
        status -> Text,
        step -> Text,
        started_by -> Nullable<Text>,
        started_by_name -> Text,
        started_at -> BigInt,
        finished_at -> Nullable<BigInt>,
        error -> Nullable<Text>,
        new_env_keys -> Text,
        restarted -> Bool,
    }
}

diesel::table! {
    instance_env_vars (instance_id, key) {
        instance_id -> Text,
        key -> Text,
        value -> Nullable<Text>,
        hidden -> Bool,
        updated_at -> BigInt,
    }
}

diesel::table! {
    editor_sessions (token_sha256) {
        token_sha256 -> Text,
        user_id -> Text,
        instance_id -> Text,
        platform_session -> Text,
        session_epoch -> Integer,
        created_at -> BigInt,
        expires_at -> BigInt,
    }
}

diesel::table! {
    editor_tickets (ticket_sha256) {
        ticket_sha256 -> Text,
        user_id -> Text,
        instance_id -> Text,
        platform_session -> Text,
        next_path -> Text,
        expires_at -> BigInt,
    }
}

diesel::table! {
    instance_label_aliases (label) {
        label -> Text,
        instance_id -> Text,
        until -> BigInt,
    }
}

diesel::table! {
    instance_settings (instance_id) {
        instance_id -> Text,
        editor_enabled -> Bool,
        code_editor -> Text,
        editor_title -> Text,
        palette_allow_install -> Bool,
        palette_deny_list -> Text,
        http_auth_user -> Nullable<Text>,
        http_auth_pass_hash -> Nullable<Text>,
        endpoint_access -> Text,
        sandbox_mounts -> Text,
    }
}

diesel::table! {
    instances (id) {
        id -> Text,
        application_id -> Text,
        name -> Text,
        credential_secret -> Text,
        desired_state -> Text,
        node_red_version -> Text,
        protected -> Bool,
        config_changed_at -> BigInt,
        created_at -> BigInt,
        label -> Text,
    }
}

diesel::table! {
    pipeline_stages (id) {
        id -> Text,
        pipeline_id -> Text,
        position -> Integer,
        name -> Text,
        instance_id -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    pipelines (id) {
        id -> Text,
        application_id -> Text,
        name -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    sessions (key_sha256) {
        key_sha256 -> Text,
        public_id -> Text,
        user_id -> Nullable<Text>,
        sign_in -> Nullable<Text>,
        state -> Text,
        user_agent -> Text,
        address -> Text,
        created_at -> BigInt,
        last_seen -> BigInt,
        expires_at -> BigInt,
    }
}

diesel::table! {
    snapshots (id) {
        id -> Text,
        instance_id -> Text,
        kind -> Text,
        flows -> Text,
        credentials -> Text,
        env_keys -> Text,
        modules -> Text,
        created_by -> Nullable<Text>,
        created_at -> BigInt,
    }
}

diesel::table! {
    team_members (team_id, user_id) {
        team_id -> Text,
        user_id -> Text,
        role -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    teams (id) {
        id -> Text,
        name -> Text,
        slug -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        username -> Text,
        password_hash -> Text,
        is_admin -> Bool,
        session_epoch -> Integer,
        created_at -> BigInt,
        disabled -> Bool,
    }
}

diesel::joinable!(applications -> teams (team_id));
diesel::joinable!(audit_events -> teams (team_id));
diesel::joinable!(audit_events -> users (actor_id));
diesel::joinable!(deployments -> pipelines (pipeline_id));
diesel::joinable!(deployments -> users (started_by));
diesel::joinable!(editor_sessions -> instances (instance_id));
diesel::joinable!(editor_sessions -> users (user_id));
diesel::joinable!(editor_tickets -> instances (instance_id));
diesel::joinable!(editor_tickets -> users (user_id));
diesel::joinable!(instance_env_vars -> instances (instance_id));
diesel::joinable!(instance_label_aliases -> instances (instance_id));
diesel::joinable!(instance_settings -> instances (instance_id));
diesel::joinable!(instances -> applications (application_id));
diesel::joinable!(pipeline_stages -> instances (instance_id));
diesel::joinable!(pipeline_stages -> pipelines (pipeline_id));
diesel::joinable!(pipelines -> applications (application_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(snapshots -> instances (instance_id));
diesel::joinable!(snapshots -> users (created_by));
diesel::joinable!(team_members -> teams (team_id));
diesel::joinable!(team_members -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    applications,
    audit_events,
    deployments,
    editor_sessions,
    editor_tickets,
    instance_env_vars,
    instance_label_aliases,
    instance_settings,
    instances,
    pipeline_stages,
    pipelines,
    sessions,
    snapshots,
    team_members,
    teams,
    users,
);
