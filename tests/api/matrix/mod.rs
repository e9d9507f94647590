//! The role × route matrix: every route of the platform origin, asked by someone without a
//! session, the platform administrator, an outsider and the team's viewer, member and owner.
//! Outsiders get 404, roles that may not 403 with the reason, roles that may anything else.
//! The expectation comes from the action the table says a route needs and the rules in
//! `domain::roles`; the table must name every route the source registers.
//! (The instance origins' routes are the editor tests'.)

mod check;
mod scan;
mod table;
mod world;

use std::collections::BTreeSet;

use redstage::domain::roles::Role;

use self::check::{Caller, Expect, Who};
use self::world::World;
use crate::helpers::*;

#[tokio::test]
async fn matrix_every_route_answers_each_role_as_its_permission_says() -> TestResult {
    let app = spawn_app().await;
    let f = fixture(&app).await?;
    let world = World::build(&app, &f).await?;
    let anonymous = app.browser();
    let mut callers = [
        Caller::new(Who::Anonymous, &anonymous),
        Caller::new(Who::Admin, &app.admin),
        Caller::new(Who::Outsider, &f.outsider),
        Caller::new(Who::In(Role::Viewer), &f.viewer),
        Caller::new(Who::In(Role::Member), &f.member),
        Caller::new(Who::In(Role::Owner), &f.owner),
    ];
    let (mut failures, mut asked) = (Vec::new(), 0);
    for row in table::rows() {
        let mut plan: Vec<(usize, Expect)> = callers
            .iter()
            .enumerate()
            .map(|(i, c)| (i, c.who.expects(row.need, row.method)))
            .filter(|(_, expect)| *expect != Expect::Skip)
            .collect();
        // Those refused first, so that an allowed change cannot hide a refusal.
        plan.sort_by_key(|(_, expect)| matches!(expect, Expect::Allowed | Expect::Answered));
        for (i, expect) in plan {
            let caller = &mut callers[i];
            let path = world.path(&row.path, caller.who.role());
            let page = caller.send(row.method, &path, row.form).await?;
            if let Err(why) = expect.check(&page) {
                failures.push(format!("{} {path} as {:?}: {why}", row.method, caller.who));
            }
            asked += 1;
        }
    }
    eprintln!("matrix: {asked} requests");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    Ok(())
}

#[test]
fn matrix_names_every_route_of_the_route_tables() {
    let registered = scan::registered();
    let named: BTreeSet<(String, String)> = table::rows()
        .iter()
        .map(|r| (r.method.to_owned(), r.pattern.to_owned()))
        .collect();
    let missing: Vec<_> = registered.difference(&named).collect();
    let stale: Vec<_> = named.difference(&registered).collect();
    assert!(
        missing.is_empty(),
        "routes without a row in tests/api/matrix/table.rs (add one per new route): {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "rows for routes the route tables no longer have: {stale:?}"
    );
    // The scan itself still sees the route tables (a broken scan would find nothing to miss).
    assert!(
        registered.len() > 60,
        "only {} routes found",
        registered.len()
    );
}
