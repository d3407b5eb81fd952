//! The one way `mtosim` writes files: each file to a temporary name beside it, then renamed,
//! so that no reader ever sees a half-written file, and a set of files is checked for
//! conflicts before the first is written.

use std::path::{Path, PathBuf};

/// The temporary name `path` is written to before the rename: hidden, and unique to this
/// process.
fn temp_path(path: &Path) -> PathBuf {
    let mut name = std::ffi::OsString::from(".");
    name.push(path.file_name().unwrap_or_default());
    name.push(format!(".mtosim-{}.tmp", std::process::id()));
    path.with_file_name(name)
}

/// Writes `text` to `path` atomically.
pub fn write_one(path: &Path, text: &str) -> Result<(), String> {
    if path.file_name().is_none() {
        return Err(format!("{} is not a file name", path.display()));
    }
    let tmp = temp_path(path);
    std::fs::write(&tmp, text).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("cannot write {}: {e}", tmp.display())
    })?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("cannot rename {} to {}: {e}", tmp.display(), path.display())
    })
}

/// Writes `files` below `dir`: each file to a temporary name first, then renamed, so no reader
/// ever sees a half-written file. A non-empty `dir` is refused unless `force`.
pub fn write_set(dir: &Path, files: &[(PathBuf, String)], force: bool) -> Result<(), String> {
    if dir.exists() && !dir.is_dir() {
        return Err(format!(
            "{} is a file, not a directory; name a directory for --out",
            dir.display()
        ));
    }
    // find every conflict before writing anything, so that a refusal leaves no partial set
    for (rel, _) in files {
        let path = dir.join(rel);
        let mut p = path.parent();
        while let Some(d) = p.filter(|d| d.starts_with(dir) && *d != dir) {
            if d.exists() && !d.is_dir() {
                return Err(format!(
                    "{} is a file where mtosim writes a directory; remove it or choose another --out",
                    d.display()
                ));
            }
            p = d.parent();
        }
        if path.is_dir() {
            return Err(format!(
                "{} is a directory where mtosim writes a file; remove it or choose another --out",
                path.display()
            ));
        }
    }
    if dir.exists() {
        let mut entries =
            std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        if entries.next().is_some() && !force {
            return Err(format!(
                "{} is not empty; choose an empty or new directory, or pass --force to overwrite the files mtosim writes there",
                dir.display()
            ));
        }
    }
    // two phases: every file to a temporary name, then every rename
    let mut written = Vec::with_capacity(files.len());
    for (rel, contents) in files {
        let path = dir.join(rel);
        let parent = path.parent().expect("files live in a directory");
        let tmp = temp_path(&path);
        let res = std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))
            .and_then(|_| {
                std::fs::write(&tmp, contents).map_err(|e| format!("cannot write {}: {e}", tmp.display()))
            });
        if let Err(e) = res {
            for (t, _) in &written {
                let _ = std::fs::remove_file(t);
            }
            return Err(e);
        }
        written.push((tmp, path));
    }
    for (tmp, path) in &written {
        std::fs::rename(tmp, path).map_err(|e| format!("cannot rename {}: {e}", tmp.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_set_refuses_a_non_empty_directory_without_force() {
        let dir = std::env::temp_dir().join(format!("mtosim-atomic-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("keep.txt"), "mine").unwrap();
        let files = vec![(PathBuf::from("a/b.json"), "{}\n".to_string())];
        let err = write_set(&dir, &files, false).unwrap_err();
        assert!(err.contains("is not empty"), "{err}");
        write_set(&dir, &files, true).unwrap();
        assert_eq!(std::fs::read_to_string(dir.join("a/b.json")).unwrap(), "{}\n");
        assert_eq!(std::fs::read_to_string(dir.join("keep.txt")).unwrap(), "mine");
        let left: Vec<_> = std::fs::read_dir(dir.join("a")).unwrap().collect();
        assert_eq!(left.len(), 1, "no temporary file is left behind");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn write_one_replaces_a_file_whole() {
        let dir = std::env::temp_dir().join(format!("mtosim-atomic-one-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("cx.toml");
        write_one(&p, "first").unwrap();
        write_one(&p, "second").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "second");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
