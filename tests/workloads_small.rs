//! The benchmark workloads (`benches/workloads.rs`) at a small scale, so that they stay correct
//! between benchmark runs.

use crate::workloads::*;
use mtosim_engine::{Duration, TenantIdx};

#[test]
fn workloads_run_at_small_scale() {
    assert_eq!(b1_run(&b1_scenario(3, 50)), 3 * 2 * 50);
    assert_eq!(settle(mesh_world(4, 30, true)), 4 * 3 * 30);
    let mut w = mesh_world(2, 200, true);
    w.settle(Duration::days(1)).unwrap();
    b2_change_one_percent(&mut w);
    assert_eq!(w.tenant(TenantIdx(0)).dir.changes().len(), 200 + 2);
    assert_eq!(b4(100, 3_000), 100 * 99 * 3_000);
    assert_eq!(b4(100, 300_000), 100 * 99 * 300_000);
    assert!(b5_run(&b5_scenario(64)) > 50);
}
