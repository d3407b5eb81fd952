//! The output side, through the `mtosim` binary: `--out` files streamed byte for byte as the
//! views render them, nothing left behind by a failed write (a full tmpfs, when this user may
//! mount one), no write through a symbolic link, output paths checked before the work
//! (`explore --out`, `whatif --out`), and every standard-output write error other than a closed
//! pipe ending with exit 2.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cli::mtosim;

/// A fresh, empty directory for one test.
fn scratch(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("streaming")
        .join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Every path below `dir`, relative, sorted; links are listed, not followed.
fn tree(dir: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            out.insert(p.strip_prefix(dir).unwrap().display().to_string());
            if std::fs::symlink_metadata(&p).unwrap().is_dir() {
                todo.push(p);
            }
        }
    }
    out
}

#[test]
fn out_files_are_the_views_byte_for_byte_and_nothing_else() {
    let base = scratch("identical");
    for file in [
        "fixtures/graph/mto-views.toml",
        "scenarios/cts-full-mesh.toml",
        "scenarios/cts-custom-mappings.toml",
        "scenarios/cts-guest-matching.toml",
        "scenarios/csv-import.toml",
    ] {
        let dir = base.join(Path::new(file).file_stem().unwrap());
        let (code, out, err) = mtosim(&["run", "-q", file, "--out", dir.to_str().unwrap()]);
        assert!(code == 0 || code == 1, "{file}: {out}{err}");
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let (mut sc, _) = mtosim_scenario::load::load_path(root.join(file).to_str().unwrap(), false)
            .unwrap_or_else(|d| panic!("{file}: {d:?}"));
        sc.world.set_log_provisioning(true);
        let run = mtosim_scenario::runner::run(sc);
        let want = mtosim_render::views::files(&run.world);
        let mut names = BTreeSet::new();
        for (rel, text) in &want {
            let got = std::fs::read_to_string(dir.join(rel)).unwrap();
            assert!(got == *text, "{file}: {} differs from its view", rel.display());
            for a in rel.ancestors().filter(|a| !a.as_os_str().is_empty()) {
                names.insert(a.display().to_string());
            }
        }
        assert_eq!(tree(&dir), names, "{file}: exactly the views, no temporary file");
    }
}

/// Unmounts the tmpfs when the test ends, however it ends.
struct Mounted(PathBuf);

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_removes_what_the_run_created_and_keeps_what_was_there() {
    let mnt = scratch("full-disk");
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=1M", "tmpfs"])
        .arg(&mnt)
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("skipped: cannot mount a tmpfs here (the atomic writer's unit tests inject the failure)");
        return;
    }
    let _guard = Mounted(mnt.clone());
    // a --force run into a directory holding files of an earlier export and a file of the user's
    let out = mnt.join("views");
    std::fs::create_dir_all(out.join("contoso")).unwrap();
    std::fs::write(out.join("manifest.json"), "earlier manifest").unwrap();
    std::fs::write(out.join("contoso/users.csv"), "earlier users").unwrap();
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    let before = tree(&out);
    let (code, stdout, err) = mtosim(&[
        "run",
        "-q",
        "scenarios/cts-quarantine.toml",
        "--out",
        out.to_str().unwrap(),
        "--force",
    ]);
    assert_eq!(code, 2, "{stdout}{err}");
    assert!(
        err.contains("cannot write ") && err.contains(out.to_str().unwrap()) && err.contains("No space left"),
        "the message names the file: {err}"
    );
    assert_eq!(tree(&out), before, "no temporary file or directory is left");
    assert_eq!(
        std::fs::read_to_string(out.join("manifest.json")).unwrap(),
        "earlier manifest"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("contoso/users.csv")).unwrap(),
        "earlier users"
    );
    // a new --out directory is removed with everything in it
    let fresh = mnt.join("new/views");
    let (code, _, err) = mtosim(&[
        "run",
        "-q",
        "scenarios/cts-quarantine.toml",
        "--out",
        fresh.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(
        tree(&mnt),
        tree(&mnt).into_iter().filter(|p| !p.starts_with("new")).collect()
    );
    assert!(!mnt.join("new").exists(), "{:?}", tree(&mnt));
}

#[cfg(unix)]
#[test]
fn out_never_writes_through_a_symbolic_link() {
    let base = scratch("links");
    let outside = base.join("outside");
    let out = base.join("views");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::create_dir_all(&out).unwrap();
    std::os::unix::fs::symlink(&outside, out.join("contoso")).unwrap();
    let (code, stdout, err) = mtosim(&[
        "run",
        "-q",
        "scenarios/seed-walkthrough.toml",
        "--out",
        out.to_str().unwrap(),
        "--force",
    ]);
    assert_eq!(code, 2, "{stdout}{err}");
    assert!(
        err.contains(out.join("contoso").to_str().unwrap()) && err.contains("symbolic link"),
        "{err}"
    );
    assert!(stdout.is_empty(), "refused before the run: {stdout}");
    assert!(tree(&outside).is_empty(), "nothing written through the link");
    assert_eq!(tree(&out), BTreeSet::from(["contoso".to_string()]));
    // a link in place of a file is refused the same way, its target untouched
    std::fs::remove_file(out.join("contoso")).unwrap();
    std::fs::write(outside.join("theirs.json"), "theirs").unwrap();
    std::os::unix::fs::symlink(outside.join("theirs.json"), out.join("manifest.json")).unwrap();
    let (code, _, err) = mtosim(&[
        "run",
        "-q",
        "scenarios/seed-walkthrough.toml",
        "--out",
        out.to_str().unwrap(),
        "--force",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("manifest.json") && err.contains("symbolic link"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(outside.join("theirs.json")).unwrap(),
        "theirs"
    );
}

#[test]
fn explore_checks_its_out_file_before_searching() {
    let base = scratch("explore-out");
    let file = "scenarios/explore-owner-handover.toml";
    let missing = base.join("missing/cx.toml");
    let under_a_file = base.join("plain.txt");
    std::fs::write(&under_a_file, "x").unwrap();
    for (out, force, needle) in [
        (base.clone(), true, "is a directory"),
        (missing.clone(), false, "does not exist"),
        (under_a_file.join("cx.toml"), false, "is not a directory"),
    ] {
        let mut args = vec!["explore", file, "--out", out.to_str().unwrap()];
        if force {
            args.push("--force");
        }
        let (code, stdout, err) = mtosim(&args);
        assert_eq!(code, 2, "{args:?}: {stdout}{err}");
        assert!(
            stdout.is_empty(),
            "{args:?}: nothing searched or printed: {stdout}"
        );
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    assert_eq!(tree(&base), BTreeSet::from(["plain.txt".to_string()]));
}

#[test]
fn whatif_out_without_sweep_is_an_error() {
    let base = scratch("whatif-out");
    let dir = base.join("d");
    for args in [
        &["whatif", "--tenants", "3", "--out", dir.to_str().unwrap()][..],
        &[
            "whatif",
            "scenarios/cts-full-mesh.toml",
            "--out",
            dir.to_str().unwrap(),
        ],
    ] {
        let (code, stdout, err) = mtosim(args);
        assert_eq!(code, 2, "{args:?}: {stdout}{err}");
        assert!(err.contains("--out") && err.contains("needs --sweep"), "{err}");
        assert!(stdout.is_empty(), "{stdout}");
    }
    assert!(!dir.exists());
    // with --sweep it writes its two files, and refuses a non-empty directory before printing
    let (code, _, err) = mtosim(&[
        "whatif",
        "--users",
        "100",
        "--sweep",
        "tenants=2..4",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        tree(&dir),
        BTreeSet::from(["sweep.csv".to_string(), "sweep.svg".to_string()])
    );
    let (code, stdout, err) = mtosim(&[
        "whatif",
        "--users",
        "100",
        "--sweep",
        "tenants=2..4",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("is not empty") && stdout.is_empty(), "{stdout}{err}");
}

#[test]
fn every_stdout_write_error_but_a_closed_pipe_exits_2() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    for args in [
        &["run", "scenarios/seed-walkthrough.toml"][..],
        &["run", "-q", "scenarios/seed-walkthrough.toml"],
        &["run", "--json", "scenarios/seed-walkthrough.toml"],
        &["rules"],
        &["whatif", "--tenants", "3"],
        &["whatif", "scenarios/cts-full-mesh.toml", "--json"],
        &["explain", "MTO-37"],
        &["completions", "bash"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_mtosim"))
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(std::fs::File::create("/dev/full").unwrap())
            .output()
            .unwrap();
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("cannot write the output"), "{args:?}: {err}");
    }
}

#[test]
fn out_force_removes_what_an_earlier_export_wrote_and_nothing_else() {
    let dir = scratch("stale");
    let three = dir.join("three.toml");
    let two = dir.join("two.toml");
    let body = |names: &[&str]| {
        let mut s = String::from("[scenario]\nname = \"t\"\n");
        for n in names {
            s.push_str(&format!("\n[[tenant]]\nname = \"{n}\"\n"));
        }
        s
    };
    std::fs::write(&three, body(&["a", "b", "c"])).unwrap();
    std::fs::write(&two, body(&["a", "b"])).unwrap();
    let out = dir.join("out");
    let o = out.to_str().unwrap();
    assert_eq!(mtosim(&["run", "-q", three.to_str().unwrap(), "--out", o]).0, 0);
    // the user's own files, also in a tenant's folder, stay
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    std::fs::write(out.join("a").join("mine.txt"), "mine").unwrap();
    assert_eq!(
        mtosim(&["run", "-q", two.to_str().unwrap(), "--out", o, "--force"]).0,
        0
    );
    assert!(
        !out.join("c").exists(),
        "the tenant gone from the scenario is gone from the folder"
    );
    assert!(out.join("b").join("users.csv").exists());
    assert!(out.join("notes.txt").exists() && out.join("a").join("mine.txt").exists());
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    let files: Vec<&str> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(files.contains(&"a/users.csv") && files.contains(&"manifest.json"));
    assert!(!files.iter().any(|f| f.starts_with("c/")));
}
