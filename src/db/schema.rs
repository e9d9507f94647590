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
diesel::joinable!(team_members -> teams (team_id));
diesel::joinable!(team_members -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(applications, team_members, teams, users,);
