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
    instance_env_vars (instance_id, key) {
        instance_id -> Text,
        key -> Text,
        value -> Nullable<Text>,
        hidden -> Bool,
        updated_at -> BigInt,
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
    }
}

diesel::joinable!(applications -> teams (team_id));
diesel::joinable!(instance_env_vars -> instances (instance_id));
diesel::joinable!(instance_settings -> instances (instance_id));
diesel::joinable!(instances -> applications (application_id));
diesel::joinable!(team_members -> teams (team_id));
diesel::joinable!(team_members -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    applications,
    instance_env_vars,
    instance_settings,
    instances,
    team_members,
    teams,
    users,
);
