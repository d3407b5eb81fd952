//! The benchmark workloads B1..B5 of the performance issue, shared by `benches/engine.rs`
//! (criterion, for medians) and `examples/workload.rs` (one run, for peak memory with
//! `/usr/bin/time -v`). Each builds its input in memory: no file is read.

use mtosim_engine::build::Builder;
use mtosim_engine::tenant::TenantSpec;
use mtosim_engine::whatif::{self, QuickParams, Topology};
use mtosim_engine::world::{Action, CreateSync, PartnerPatch};
use mtosim_engine::{DelayMode, Duration, Guid, RuleSet, RuleSetKind, SimTime, TenantIdx, World};
use mtosim_scenario::{load as scenario, runner};

/// B1's scenario: 5 tenants x 100,000 users, everyone synced to every other tenant through
/// scope-all configurations (2,000,000 accounts).
pub fn b1_scenario(tenants: usize, users: usize) -> String {
    let names: Vec<String> = (1..=tenants).map(|i| format!("t{i}")).collect();
    let mut s = String::from("[scenario]\nname = \"B1\"\nseed = 1\n\n");
    for n in &names {
        s.push_str(&format!(
            "[[tenant]]\nname = \"{n}\"\nobject_quota = 10000000\nusers = {{ generate = {users} }}\n"
        ));
        for m in names.iter().filter(|m| *m != n) {
            s.push_str(&format!(
                "[[tenant.partner]]\ntenant = \"{m}\"\nauto_redeem_inbound = true\nauto_redeem_outbound = true\nsync_inbound = true\n"
            ));
        }
    }
    for n in &names {
        for m in names.iter().filter(|m| *m != n) {
            s.push_str(&format!(
                "[[step]]\ndo = \"create-sync\"\ntenant = \"{n}\"\ntarget = \"{m}\"\nname = \"to {m}\"\nscope = \"all\"\n\
                 [[step]]\ndo = \"start-sync\"\ntenant = \"{n}\"\nsync = \"to {m}\"\n"
            ));
        }
    }
    s.push_str("[[step]]\ndo = \"settle\"\nmax = \"60d\"\n");
    s
}

/// Runs B1 from its text: load, initial cycles, settle. Returns the accounts created.
pub fn b1_run(text: &str) -> u64 {
    let sc = scenario::load("b1.toml", text).expect("B1 loads");
    let run = runner::run(sc);
    assert!(run.failures.is_empty(), "{:?}", run.failures);
    run.world
        .tenants()
        .iter()
        .map(|t| t.dir.externals().len() as u64)
        .sum()
}

fn spec(i: usize) -> TenantSpec {
    let name = format!("t{i:03}");
    TenantSpec {
        display_name: name.clone(),
        tenant_id: Guid::derive(1, &[name.as_bytes()]),
        initial_domain: format!("{name}.onmicrosoft.com"),
        domains: vec![format!("{name}.com")],
        name,
        targeted_release: true,
        p1_licenses: None,
        object_quota: 10_000_000,
        csp_of: Vec::new(),
        cloud: "commercial".into(),
        cloud_settings: Vec::new(),
        external_user_leave: true,
        m365_sync_manual: false,
        guest_invites_allowed: true,
    }
}

/// A world of `tenants` tenants with `users` generated users each, every pair allowed to sync,
/// and a scope-all configuration from every source to every target (started when `start`).
pub fn mesh_world(tenants: usize, users: usize, start: bool) -> World {
    let mut b = Builder::new(
        RuleSet::new(RuleSetKind::Ga),
        1,
        SimTime::DEFAULT_START,
        DelayMode::Max,
    );
    for i in 0..tenants {
        let t = b.add_tenant(spec(i)).expect("tenant");
        let g = mtosim_engine::gen::GenSpec {
            count: users,
            ..Default::default()
        };
        b.generate_users(t, &g).expect("room");
    }
    let mut w = b.finish();
    let ids: Vec<TenantIdx> = (0..tenants as u16).map(TenantIdx).collect();
    for &s in &ids {
        for &t in ids.iter().filter(|&&t| t != s) {
            let patch = PartnerPatch {
                auto_redeem_inbound: Some(true),
                auto_redeem_outbound: Some(true),
                sync_inbound: Some(true),
                ..Default::default()
            };
            w.apply(s, Action::SetPartner { partner: t, patch })
                .expect("partner");
        }
    }
    for &s in &ids {
        for &t in ids.iter().filter(|&&t| t != s) {
            let name = format!("to {}", t.0);
            let cs = CreateSync {
                target: t,
                name: name.clone(),
                scope_all: true,
                user_type: mtosim_engine::directory::UserType::Member,
                apply_always: false,
                delete_action: true,
                delete_threshold: None,
                provision_groups: false,
                cross_cloud: false,
                manual: false,
            };
            w.apply(s, Action::CreateSync(Box::new(cs))).expect("config");
            if start {
                w.apply(s, Action::StartSync { sync: name }).expect("start");
            }
        }
    }
    w
}

/// Settles `w` (B2, B3) and returns the accounts in the world.
pub fn settle(mut w: World) -> u64 {
    w.settle(Duration::days(60)).expect("settles");
    w.tenants().iter().map(|t| t.dir.externals().len() as u64).sum()
}

/// B2's change: 1 % of the source's users change their job title.
pub fn b2_change_one_percent(w: &mut World) {
    let src = TenantIdx(0);
    let n = w.tenant(src).dir.users().len();
    for u in (0..n).step_by(100) {
        let change = Action::UpdateUser {
            user: mtosim_engine::UserIdx(u as u32).into(),
            attrs: vec![(
                mtosim_engine::directory::Attr::JobTitle,
                "Changed Title".to_string(),
            )],
            user_type: None,
            extra: vec![],
            upn: None,
            manager: None,
        };
        w.apply(src, change).expect("an existing user");
    }
}

/// B4: the quick what-if for `tenants` tenants of `users` users each, full mesh.
pub fn b4(tenants: u32, users: u64) -> u64 {
    let p = QuickParams {
        tenants,
        users,
        share: 1.0,
        topology: Topology::Mesh,
        rules: RuleSet::new(RuleSetKind::Ga),
        // a quota raised past the mesh's 30M objects per tenant, so every account is counted
        object_quota: 50_000_000,
    };
    whatif::quick(&p).tenants.iter().map(|t| t.accounts_in).sum()
}

/// B5's scenario: a lifecycle of about `steps` steps over four tenants (MTO formed and torn down
/// repeatedly, users added and shared, sync running).
pub fn b5_scenario(steps: usize) -> String {
    let mut s = String::from(
        "[scenario]\nname = \"B5\"\nseed = 5\n\n\
         [[tenant]]\nname = \"a\"\nusers = { generate = 20 }\n[[tenant.group]]\nname = \"Shared\"\nrule = 'user.accountEnabled -eq true'\n\
         [[tenant]]\nname = \"b\"\nusers = { generate = 20 }\n\
         [[tenant]]\nname = \"c\"\n\
         [[tenant]]\nname = \"d\"\n\n",
    );
    let mut n = 0;
    let mut round = 0;
    while n < steps {
        round += 1;
        let block = format!(
            "[[step]]\ndo = \"create-mto\"\ntenant = \"a\"\ndisplay_name = \"Round {round}\"\nvia = \"m365\"\n\
             [[step]]\ndo = \"add-tenant\"\ntenant = \"a\"\ntarget = \"b\"\nvia = \"m365\"\n\
             [[step]]\ndo = \"add-tenant\"\ntenant = \"a\"\ntarget = \"c\"\nvia = \"m365\"\n\
             [[step]]\ndo = \"join\"\ntenant = \"b\"\nadded_by = \"a\"\nvia = \"m365\"\n\
             [[step]]\ndo = \"join\"\ntenant = \"c\"\nadded_by = \"a\"\nvia = \"m365\"\n\
             [[step]]\ndo = \"settle\"\n\
             [[step]]\ndo = \"share-users\"\ntenant = \"a\"\ngroups = [\"Shared\"]\n\
             [[step]]\ndo = \"add-user\"\ntenant = \"a\"\nupn = \"new{round}@a.onmicrosoft.com\"\ndepartment = \"Sales\"\n\
             [[step]]\ndo = \"wait\"\nfor = \"2h\"\n\
             [[step]]\ndo = \"expect\"\ntenant = \"b\"\nmto_tenants = 3\n\
             [[step]]\ndo = \"set-role\"\ntenant = \"a\"\ntarget = \"b\"\nrole = \"owner\"\n\
             [[step]]\ndo = \"remove-tenant\"\ntenant = \"c\"\n\
             [[step]]\ndo = \"remove-tenant\"\ntenant = \"a\"\n\
             [[step]]\ndo = \"settle\"\n\
             [[step]]\ndo = \"remove-tenant\"\ntenant = \"b\"\n\
             [[step]]\ndo = \"settle\"\n"
        );
        n += 16;
        s.push_str(&block);
    }
    s
}

/// Loads and runs B5's scenario; returns the number of events.
pub fn b5_run(text: &str) -> usize {
    let sc = scenario::load("b5.toml", text).expect("B5 loads");
    let run = runner::run(sc);
    assert!(run.failures.is_empty(), "{:?}", run.failures);
    run.world.events().len()
}
