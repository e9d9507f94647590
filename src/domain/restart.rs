//! Whether a push restarts its target: the one rule the confirmation shows and the promotion
//! follows. A runtime restarts when its process must get another environment (a variable with a
//! value appeared, changed or went away since it started; keys that arrive without a value leave
//! the environment as it is), or when modules go in with npm because its palette does not let
//! the editor install them (a process only loads those at its start).

/// Why a push restarts its target.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Restarts {
    /// Modules go in with npm and load at the next start.
    pub for_modules: bool,
    /// The process environment differs from the one it runs with.
    pub for_environment: bool,
}

impl Restarts {
    /// The restarts of a push that installs modules with npm when `modules_by_npm`, onto a runtime
    /// started with `running_env` whose variables with a value are `env_after` once it is done.
    pub fn new(
        modules_by_npm: bool,
        running_env: &[(String, String)],
        env_after: &[(String, String)],
    ) -> Self {
        Self {
            for_modules: modules_by_npm,
            for_environment: environment_differs(running_env, env_after),
        }
    }

    /// Whether the target restarts at all.
    pub fn any(self) -> bool {
        self.for_modules || self.for_environment
    }
}

/// Whether two environments differ, whatever order their variables are listed in.
fn environment_differs(a: &[(String, String)], b: &[(String, String)]) -> bool {
    let sorted = |env: &[(String, String)]| {
        let mut env = env.to_vec();
        env.sort();
        env
    };
    sorted(a) != sorted(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn the_same_environment_in_another_order_needs_no_restart() {
        let running = env(&[("A", "1"), ("B", "2")]);
        let after = env(&[("B", "2"), ("A", "1")]);
        assert!(!Restarts::new(false, &running, &after).any());
    }

    #[test]
    fn a_changed_added_or_removed_value_restarts() {
        let running = env(&[("A", "1")]);
        for after in [env(&[("A", "2")]), env(&[("A", "1"), ("B", "2")]), env(&[])] {
            let restarts = Restarts::new(false, &running, &after);
            assert!(restarts.for_environment && restarts.any(), "{after:?}");
        }
    }

    #[test]
    fn modules_by_npm_restart_even_with_the_same_environment() {
        let running = env(&[("A", "1")]);
        let restarts = Restarts::new(true, &running, &running);
        assert_eq!(
            restarts,
            Restarts {
                for_modules: true,
                for_environment: false
            }
        );
        assert!(restarts.any());
    }
}
