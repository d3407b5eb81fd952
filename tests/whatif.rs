//! What-if counting agrees with simulation: for every scenario, at many points of its
//! timeline, the forecast made from that state equals what a simulation settled from the same
//! state provisions, pair by pair.

use crate::scenarios::scenario_files;
use mtosim_engine::whatif;
use mtosim_engine::{Duration, TenantIdx};
use mtosim_scenario::{load as scenario, runner};

#[test]
fn forecasts_match_settled_simulations_at_every_step() {
    let mut compared = 0;
    for f in scenario_files() {
        let name = f.display().to_string();
        let (sc, _) = scenario::load_path(&name, false).unwrap_or_else(|d| panic!("{}", d[0]));
        let steps = sc.steps.len();
        let big = sc.world.tenants().iter().any(|t| t.dir.users().len() > 1_000);
        let stride = if big { 4 } else { 1 };
        for k in (0..=steps).step_by(stride) {
            let (sc, _) = scenario::load_path(&name, false).unwrap();
            let mut world = runner::run_steps(sc, k).world;
            let forecast = whatif::forecast(&world);
            if world.settle(Duration::days(60)).is_err() {
                continue; // nothing converges to compare with (a job retrying forever)
            }
            for s in 0..world.tenants().len() {
                for t in 0..world.tenants().len() {
                    if s == t {
                        continue;
                    }
                    let sim = world.synced_from(TenantIdx(t as u16), TenantIdx(s as u16));
                    assert_eq!(
                        forecast.after(s, t),
                        sim,
                        "{name} after step {k}: {} -> {}: forecast {:?}",
                        world.name(TenantIdx(s as u16)),
                        world.name(TenantIdx(t as u16)),
                        forecast.pairs.iter().find(|p| p.source == s && p.target == t)
                    );
                    compared += 1;
                }
            }
        }
    }
    assert!(compared > 500, "compared {compared} pairs");
}
