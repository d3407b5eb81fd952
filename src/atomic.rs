//! The one way `mtosim` writes files. Each file is streamed through a buffer to a temporary
//! name beside it (`.NAME.mtosim-PID.tmp`, created new, never opened through a link), then
//! renamed, so that no reader ever sees a half-written file and memory does not grow with
//! what is written (a set's files are rendered on a few threads, each through its own buffer;
//! the bytes do not depend on which thread writes them). A set of files is checked before the
//! first byte is written: conflicts
//! (a file where a directory goes, a directory where a file goes), a non-empty directory
//! without `--force`, and symbolic links.
//!
//! **Links.** mtosim never writes through a symbolic link: a link anywhere below the `--out`
//! directory where the set writes (a tenant's folder, a file) is refused, naming the link, and
//! nothing is written. The `--out` path itself (and its parents) is the user's own naming and
//! may be a link to a directory. A single file ([`write_one`]) replaces a link at its path by
//! the file: the rename replaces the link itself, never its target.
//!
//! **Failures.** If any write fails (a full disk), every temporary file and every directory this
//! call created is removed, the files that were there before are left as they were, and the
//! error names the file. Files that are replaced are first hard-linked to a backup name
//! (`.NAME.mtosim-PID.bak`), so that a rename failing half-way through the set puts every
//! replaced file back.

use std::collections::BTreeSet;
use std::fs::{self, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

/// The buffer each file is written through.
const BUFFER_BYTES: usize = 256 * 1024;

/// The writer every file is written through: a buffer in front of the temporary file.
pub type Buffered = BufWriter<fs::File>;

/// At most this many files are rendered and written at once.
const WRITERS_MAX: usize = 4;

/// How many names [`create_temp`] tries before giving up.
const TEMP_TRIES: u32 = 100;

/// One file of a set: where it goes below the set's directory, and what writes its bytes.
pub trait Source {
    /// The path relative to the set's directory (plain names only: no `..`, no root).
    fn rel(&self) -> &Path;
    /// Writes the file's bytes into `w`.
    fn write_to(&self, w: &mut Buffered) -> io::Result<()>;
}

impl Source for (PathBuf, String) {
    fn rel(&self) -> &Path {
        &self.0
    }
    fn write_to(&self, w: &mut Buffered) -> io::Result<()> {
        w.write_all(self.1.as_bytes())
    }
}

impl Source for mtosim_render::views::ViewFile<'_> {
    fn rel(&self) -> &Path {
        self.path()
    }
    fn write_to(&self, w: &mut Buffered) -> io::Result<()> {
        mtosim_render::views::ViewFile::write_to(self, w)
    }
}

/// A hidden name beside `path`, unique to this process (and to `n` past the first).
fn sibling(path: &Path, n: u32, ext: &str) -> PathBuf {
    let mut name = std::ffi::OsString::from(".");
    name.push(path.file_name().unwrap_or_default());
    name.push(format!(".mtosim-{}", std::process::id()));
    if n > 0 {
        name.push(format!("-{n}"));
    }
    name.push(ext);
    path.with_file_name(name)
}

/// Creates a new temporary file beside `path` (never opening an existing file or a link).
fn create_temp(path: &Path) -> io::Result<(PathBuf, fs::File)> {
    let mut last = None;
    for n in 0..TEMP_TRIES {
        let tmp = sibling(path, n, ".tmp");
        match OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no temporary name is free")))
}

/// Streams `src` into a new temporary file beside `path`; returns the temporary's name. On
/// failure the temporary is removed.
fn write_temp(path: &Path, src: &dyn Fn(&mut Buffered) -> io::Result<()>) -> io::Result<PathBuf> {
    write_temp_with(path, src).map(|(tmp, ())| tmp)
}

/// [`write_temp`] for a writer that runs once and returns a value (a report written while its
/// run plays).
fn write_temp_with<T>(
    path: &Path,
    src: impl FnOnce(&mut Buffered) -> io::Result<T>,
) -> io::Result<(PathBuf, T)> {
    let (tmp, file) = create_temp(path)?;
    let res = (|| {
        let mut w = BufWriter::with_capacity(BUFFER_BYTES, file);
        let value = src(&mut w)?;
        w.into_inner().map_err(|e| e.into_error())?;
        Ok(value)
    })();
    match res {
        Ok(value) => Ok((tmp, value)),
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// `path` is a symbolic link (not followed).
fn is_link(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

fn link_refusal(path: &Path) -> String {
    format!(
        "{} is a symbolic link; mtosim never writes through links: remove it or choose another --out",
        path.display()
    )
}

/// Checks that `path` can be written as one file by [`write_one`] before any work is done: it
/// is not a directory, it exists only if `force`, and its directory exists and takes a new file
/// (tried with a temporary file, removed at once).
pub fn check_one(path: &Path, force: bool) -> Result<(), String> {
    if path.file_name().is_none() {
        return Err(format!("{} is not a file name", path.display()));
    }
    if path.is_dir() && !is_link(path) {
        return Err(format!(
            "{} is a directory; name a file for --out",
            path.display()
        ));
    }
    if fs::symlink_metadata(path).is_ok() && !force {
        return Err(format!(
            "{} exists; add --force to replace it, or name another file",
            path.display()
        ));
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !parent.is_dir() {
        return Err(format!(
            "cannot write {}: {} {}",
            path.display(),
            parent.display(),
            if parent.exists() {
                "is not a directory"
            } else {
                "does not exist"
            }
        ));
    }
    let (tmp, file) = create_temp(path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    drop(file);
    let _ = fs::remove_file(&tmp);
    Ok(())
}

/// Writes `text` to `path` atomically (a link at `path` is replaced, not followed).
pub fn write_one(path: &Path, text: &str) -> Result<(), String> {
    write_streamed(path, |w| w.write_all(text.as_bytes()), |_| true)
}

/// Writes one file at `path` atomically from a writer that streams it (a link at `path` is
/// replaced, not followed), and returns what the writer returned. If the writer fails, or
/// `keep` says the result is not worth a file (a run a cap stopped), nothing is left at `path`
/// but what was there before.
pub fn write_streamed<T>(
    path: &Path,
    write: impl FnOnce(&mut Buffered) -> io::Result<T>,
    keep: impl FnOnce(&T) -> bool,
) -> Result<T, String> {
    if path.file_name().is_none() {
        return Err(format!("{} is not a file name", path.display()));
    }
    let (tmp, value) =
        write_temp_with(path, write).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    if !keep(&value) {
        let _ = fs::remove_file(&tmp);
        return Ok(value);
    }
    fs::rename(&tmp, path).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        format!("cannot write {}: {e}", path.display())
    })?;
    Ok(value)
}

/// Checks, before anything is written (or computed), that the files `rels` can be written
/// below `dir`: `dir` is a directory or does not exist yet, it is empty unless `force`, no
/// path of the set runs through a file, onto a directory or through a symbolic link below
/// `dir`, and every path is a plain relative one.
pub fn check_set<'a>(
    dir: &Path,
    rels: impl IntoIterator<Item = &'a Path>,
    force: bool,
) -> Result<(), String> {
    if dir.exists() && !dir.is_dir() {
        return Err(format!(
            "{} is a file, not a directory; name a directory for --out",
            dir.display()
        ));
    }
    let rels: Vec<&Path> = rels.into_iter().collect();
    let mut files = BTreeSet::new();
    for rel in &rels {
        let plain = rel.components().all(|c| matches!(c, Component::Normal(_)));
        if !plain || rel.file_name().is_none() || !files.insert(*rel) {
            return Err(format!("{} is not a file name mtosim can write", rel.display()));
        }
    }
    for rel in &rels {
        // a file of the set where another writes a directory
        if let Some(a) = rel.ancestors().skip(1).find(|a| files.contains(a)) {
            return Err(format!(
                "{} would be both a file and a directory",
                dir.join(a).display()
            ));
        }
        let mut p = dir.to_path_buf();
        let mut parts = rel.components().peekable();
        while let Some(c) = parts.next() {
            p.push(c);
            let last = parts.peek().is_none();
            let m = match fs::symlink_metadata(&p) {
                Ok(m) => m,
                Err(e) if e.kind() == io::ErrorKind::NotFound => break,
                Err(e) => return Err(format!("cannot read {}: {e}", p.display())),
            };
            if m.file_type().is_symlink() {
                return Err(link_refusal(&p));
            }
            if !last && !m.is_dir() {
                return Err(format!(
                    "{} is a file where mtosim writes a directory; remove it or choose another --out",
                    p.display()
                ));
            }
            if last && m.is_dir() {
                return Err(format!(
                    "{} is a directory where mtosim writes a file; remove it or choose another --out",
                    p.display()
                ));
            }
        }
    }
    if dir.exists() && !force {
        let mut entries = fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        if entries.next().is_some() {
            return Err(format!(
                "{} is not empty; choose an empty or new directory, or pass --force to overwrite the files mtosim writes there",
                dir.display()
            ));
        }
    }
    Ok(())
}

/// What one [`write_set`] call has done so far, to undo it.
#[derive(Default)]
struct Undo {
    /// Directories created, in creation order.
    dirs: Vec<PathBuf>,
    /// Temporary files written and not yet renamed.
    temps: Vec<PathBuf>,
    /// Files put in place: (final path, the backup of the file it replaced).
    placed: Vec<(PathBuf, Option<PathBuf>)>,
    /// Backups of files not yet replaced.
    backups: Vec<PathBuf>,
}

impl Undo {
    /// Removes everything this call created and puts back what it replaced.
    fn roll_back(&mut self) {
        for (path, backup) in self.placed.drain(..).rev() {
            match backup {
                Some(b) => {
                    let _ = fs::rename(&b, &path);
                }
                None => {
                    let _ = fs::remove_file(&path);
                }
            }
        }
        for p in self.temps.drain(..).chain(self.backups.drain(..)) {
            let _ = fs::remove_file(p);
        }
        for d in self.dirs.drain(..).rev() {
            let _ = fs::remove_dir(d);
        }
    }

    /// Creates `dir` and its missing parents one by one, recording each; a link below `top`
    /// (the set's directory) is refused, while `top` and its parents may be links to
    /// directories.
    fn create_dirs(&mut self, dir: &Path, top: Option<&Path>) -> Result<(), String> {
        let missing: Vec<&Path> = dir
            .ancestors()
            .take_while(|a| !a.as_os_str().is_empty())
            .collect();
        for d in missing.into_iter().rev() {
            let below = top.is_some_and(|t| d != t && d.starts_with(t));
            match fs::symlink_metadata(d) {
                Ok(m) if m.is_dir() => continue,
                Ok(m) if m.file_type().is_symlink() && below => return Err(link_refusal(d)),
                Ok(_) if d.is_dir() => continue,
                Ok(_) => return Err(format!("cannot create {}: it is not a directory", d.display())),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(format!("cannot read {}: {e}", d.display())),
            }
            fs::create_dir(d).map_err(|e| format!("cannot create {}: {e}", d.display()))?;
            self.dirs.push(d.to_path_buf());
        }
        Ok(())
    }
}

/// The files an earlier export wrote into `dir`, as its `manifest.json` lists them (relative
/// paths that stay inside `dir`); for a manifest from before the list existed, the files named
/// `per_tenant` in each of its tenants' folders. Nothing when there is no readable manifest
/// written by mtosim.
pub fn previous_files(dir: &Path, per_tenant: &[String]) -> Vec<PathBuf> {
    let Ok(text) = fs::read_to_string(dir.join("manifest.json")) else {
        return Vec::new();
    };
    let Ok(m) = serde_json::from_str::<serde_json::Value>(&text) else {
        return Vec::new();
    };
    if !m["generator"].as_str().is_some_and(|g| g.starts_with("mtosim ")) {
        return Vec::new();
    }
    let inside = |p: &Path| p.components().all(|c| matches!(c, Component::Normal(_)));
    let listed: Vec<PathBuf> = match m["files"].as_array() {
        Some(files) => files
            .iter()
            .filter_map(|f| f.as_str())
            .map(PathBuf::from)
            .collect(),
        None => m["tenants"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t["name"].as_str())
            .flat_map(|t| per_tenant.iter().map(move |f| Path::new(t).join(f)))
            .collect(),
    };
    listed.into_iter().filter(|p| inside(p)).collect()
}

/// Removes the files of `old` (an earlier export's, [`previous_files`]) that `new` does not
/// list, when they are regular files (never a link), then their folders once empty; returns
/// how many files went. Nothing else in `dir` is touched.
pub fn remove_stale(dir: &Path, old: &[PathBuf], new: &BTreeSet<PathBuf>) -> Result<usize, String> {
    let mut removed = 0;
    let mut parents = BTreeSet::new();
    for rel in old.iter().filter(|p| !new.contains(*p)) {
        let path = dir.join(rel);
        let Ok(meta) = fs::symlink_metadata(&path) else {
            continue;
        };
        if !meta.is_file() || is_link(path.parent().unwrap_or(dir)) {
            continue;
        }
        fs::remove_file(&path).map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
        removed += 1;
        let mut p = rel.parent();
        while let Some(d) = p.filter(|d| !d.as_os_str().is_empty()) {
            parents.insert(d.to_path_buf());
            p = d.parent();
        }
    }
    // deepest first; a folder that still holds anything stays
    for d in parents.iter().rev() {
        let _ = fs::remove_dir(dir.join(d));
    }
    Ok(removed)
}

/// Writes `files` below `dir`, each streamed to a temporary name, then all renamed, once
/// [`check_set`] passes; a non-empty `dir` is refused unless `force`. On any failure nothing
/// of this call remains (see the module's documentation) and the error names the file.
pub fn write_set<S: Source + Sync>(dir: &Path, files: &[S], force: bool) -> Result<(), String> {
    check_set(dir, files.iter().map(Source::rel), force)?;
    let mut undo = Undo::default();
    let res = write_all(dir, files, &mut undo);
    if res.is_err() {
        undo.roll_back();
    }
    res
}

fn write_all<S: Source + Sync>(dir: &Path, files: &[S], undo: &mut Undo) -> Result<(), String> {
    undo.create_dirs(dir, None)?;
    let paths: Vec<PathBuf> = files.iter().map(|f| dir.join(f.rel())).collect();
    for path in &paths {
        undo.create_dirs(path.parent().expect("files live in a directory"), Some(dir))?;
    }
    // every file to its temporary name, on a few threads (rendering, not the disk, is the
    // bottleneck); each file's bytes do not depend on which thread writes it
    let write = |i: usize| -> Result<PathBuf, String> {
        let path = &paths[i];
        // check again just before writing: no link has appeared on the way
        if let Some(a) = path
            .ancestors()
            .skip(1)
            .take_while(|a| *a != dir)
            .find(|a| is_link(a))
        {
            return Err(link_refusal(a));
        }
        write_temp(path, &|w| files[i].write_to(w))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    let results = on_threads(files.len(), &write);
    let mut first_error = None;
    let mut staged = Vec::with_capacity(files.len());
    for (res, path) in results.into_iter().zip(&paths) {
        match res {
            Some(Ok(tmp)) => {
                undo.temps.push(tmp.clone());
                staged.push((tmp, path.clone()));
            }
            Some(Err(e)) => first_error = first_error.or(Some(e)),
            None => {}
        }
    }
    if let Some(e) = first_error {
        return Err(e);
    }
    // keep what is replaced: a hard link to each existing file, before any rename
    let mut backups = Vec::with_capacity(staged.len());
    for (_, path) in &staged {
        let backup = match fs::symlink_metadata(path) {
            Ok(m) if m.file_type().is_symlink() => return Err(link_refusal(path)),
            // where hard links are not supported, the file is replaced without a backup
            Ok(_) => back_up(path).ok(),
            Err(_) => None,
        };
        if let Some(b) = &backup {
            undo.backups.push(b.clone());
        }
        backups.push(backup);
    }
    for ((tmp, path), backup) in staged.into_iter().zip(backups) {
        fs::rename(&tmp, &path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        undo.temps.retain(|t| *t != tmp);
        if let Some(b) = &backup {
            undo.backups.retain(|x| x != b);
        }
        undo.placed.push((path, backup));
    }
    for (_, backup) in undo.placed.drain(..) {
        if let Some(b) = backup {
            let _ = fs::remove_file(b);
        }
    }
    undo.dirs.clear();
    Ok(())
}

/// Runs `job(0..n)` on up to [`WRITERS_MAX`] threads, each taking the next index; after a
/// job fails, no new one starts. Returns each job's result by index (`None`: not started).
fn on_threads<T: Send>(
    n: usize,
    job: &(dyn Fn(usize) -> Result<T, String> + Sync),
) -> Vec<Option<Result<T, String>>> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |p| p.get())
        .clamp(1, WRITERS_MAX);
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let slots: Vec<Mutex<Option<Result<T, String>>>> = (0..n).map(|_| Mutex::new(None)).collect();
    let work = || loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        if i >= n || failed.load(Ordering::Relaxed) {
            break;
        }
        let res = job(i);
        if res.is_err() {
            failed.store(true, Ordering::Relaxed);
        }
        *slots[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(res);
    };
    std::thread::scope(|s| {
        for _ in 1..threads.min(n) {
            s.spawn(work);
        }
        work();
    });
    slots
        .into_iter()
        .map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner()))
        .collect()
}

/// A hard link to `path` under a new backup name beside it.
fn back_up(path: &Path) -> io::Result<PathBuf> {
    let mut last = None;
    for n in 0..TEMP_TRIES {
        let b = sibling(path, n, ".bak");
        match fs::hard_link(path, &b) {
            Ok(()) => return Ok(b),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no backup name is free")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("mtosim-atomic-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    /// Every path below `dir`, relative, sorted.
    fn tree(dir: &Path) -> Vec<String> {
        let mut out = Vec::new();
        let mut todo = vec![dir.to_path_buf()];
        while let Some(d) = todo.pop() {
            for e in fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                out.push(p.strip_prefix(dir).unwrap().display().to_string());
                if fs::symlink_metadata(&p).unwrap().is_dir() {
                    todo.push(p);
                }
            }
        }
        out.sort();
        out
    }

    /// A file whose writer fails after `after` bytes, as a full disk does.
    struct Failing {
        rel: PathBuf,
        after: usize,
    }

    impl Source for Failing {
        fn rel(&self) -> &Path {
            &self.rel
        }
        fn write_to(&self, w: &mut Buffered) -> io::Result<()> {
            w.write_all(&vec![b'x'; self.after])?;
            w.flush()?;
            Err(io::Error::from_raw_os_error(28))
        }
    }

    impl Source for Box<dyn Source + Sync> {
        fn rel(&self) -> &Path {
            (**self).rel()
        }
        fn write_to(&self, w: &mut Buffered) -> io::Result<()> {
            (**self).write_to(w)
        }
    }

    #[test]
    fn write_set_refuses_a_non_empty_directory_without_force() {
        let dir = scratch("force");
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("keep.txt"), "mine").unwrap();
        let files = vec![(PathBuf::from("a/b.json"), "{}\n".to_string())];
        let err = write_set(&dir, &files, false).unwrap_err();
        assert!(err.contains("is not empty"), "{err}");
        write_set(&dir, &files, true).unwrap();
        assert_eq!(fs::read_to_string(dir.join("a/b.json")).unwrap(), "{}\n");
        assert_eq!(fs::read_to_string(dir.join("keep.txt")).unwrap(), "mine");
        assert_eq!(
            tree(&dir),
            ["a", "a/b.json", "keep.txt"],
            "no temporary file is left behind"
        );
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn write_one_replaces_a_file_whole() {
        let dir = scratch("one");
        fs::create_dir_all(&dir).unwrap();
        let p = dir.join("cx.toml");
        write_one(&p, "first").unwrap();
        write_one(&p, "second").unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "second");
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_streamed_file_is_kept_only_when_wanted_and_whole() {
        let dir = scratch("streamed");
        fs::create_dir_all(&dir).unwrap();
        let p = dir.join("report.html");
        fs::write(&p, "before").unwrap();
        // not kept: what was there stays, no temporary is left
        let n = write_streamed(&p, |w| w.write_all(b"half").map(|_| 4), |_| false).unwrap();
        assert_eq!(n, 4);
        assert_eq!(fs::read_to_string(&p).unwrap(), "before");
        // failed: the same
        let err = write_streamed(
            &p,
            |w| {
                w.write_all(b"part")?;
                Err::<(), _>(io::Error::other("disk full"))
            },
            |_| true,
        )
        .unwrap_err();
        assert!(err.contains("disk full"), "{err}");
        assert_eq!(fs::read_to_string(&p).unwrap(), "before");
        write_streamed(&p, |w| w.write_all(b"after"), |_| true).unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "after");
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_failed_write_removes_what_it_created_and_keeps_what_was_there() {
        let dir = scratch("fail");
        fs::create_dir_all(dir.join("t1")).unwrap();
        fs::write(dir.join("t1/users.csv"), "before").unwrap();
        fs::write(dir.join("manifest.json"), "old manifest").unwrap();
        let files: Vec<Box<dyn Source + Sync>> = vec![
            Box::new((PathBuf::from("t1/users.csv"), "after".to_string())),
            Box::new((PathBuf::from("t2/users.csv"), "new".to_string())),
            Box::new((PathBuf::from("t3/deep/x.json"), "new".to_string())),
            Box::new(Failing {
                rel: PathBuf::from("t3/deep/users.json"),
                after: 1 << 20,
            }),
            Box::new((PathBuf::from("manifest.json"), "new manifest".to_string())),
        ];
        let err = write_set(&dir, &files, true).unwrap_err();
        assert!(
            err.contains("t3/deep/users.json") && err.contains("No space left"),
            "{err}"
        );
        assert_eq!(tree(&dir), ["manifest.json", "t1", "t1/users.csv"]);
        assert_eq!(fs::read_to_string(dir.join("t1/users.csv")).unwrap(), "before");
        assert_eq!(
            fs::read_to_string(dir.join("manifest.json")).unwrap(),
            "old manifest"
        );
        // a new --out directory is removed as well
        let fresh = dir.join("new/out");
        let err = write_set(&fresh, &files[1..], false).unwrap_err();
        assert!(err.contains("users.json"), "{err}");
        assert!(!dir.join("new").exists(), "{:?}", tree(&dir));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn rolling_back_after_a_rename_puts_every_replaced_file_back() {
        // the state after two renames of a set: one file replaced, one new in a new directory
        let dir = scratch("rename");
        fs::create_dir_all(dir.join("a")).unwrap();
        let one = dir.join("a/one.txt");
        fs::write(&one, "one before").unwrap();
        let mut undo = Undo::default();
        let tmp = write_temp(&one, &|w| w.write_all(b"one after")).unwrap();
        let backup = back_up(&one).unwrap();
        fs::rename(&tmp, &one).unwrap();
        undo.placed.push((one.clone(), Some(backup)));
        undo.create_dirs(&dir.join("b"), Some(&dir)).unwrap();
        fs::write(dir.join("b/three.txt"), "three").unwrap();
        undo.placed.push((dir.join("b/three.txt"), None));
        undo.temps
            .push(write_temp(&dir.join("a/two.txt"), &|w| w.write_all(b"two")).unwrap());
        assert_eq!(fs::read_to_string(&one).unwrap(), "one after");
        undo.roll_back();
        assert_eq!(tree(&dir), ["a", "a/one.txt"]);
        assert_eq!(fs::read_to_string(&one).unwrap(), "one before");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn links_below_the_directory_are_refused_and_nothing_is_written() {
        let dir = scratch("links");
        let outside = scratch("links-outside");
        fs::create_dir_all(&dir).unwrap();
        fs::create_dir_all(&outside).unwrap();
        std::os::unix::fs::symlink(&outside, dir.join("t1")).unwrap();
        let files = vec![
            (PathBuf::from("manifest.json"), "{}".to_string()),
            (PathBuf::from("t1/users.csv"), "x".to_string()),
        ];
        let err = write_set(&dir, &files, true).unwrap_err();
        assert!(err.contains("t1") && err.contains("symbolic link"), "{err}");
        assert_eq!(tree(&outside), Vec::<String>::new());
        assert_eq!(tree(&dir), ["t1"]);
        // a link in place of a file is refused too
        fs::remove_file(dir.join("t1")).unwrap();
        fs::write(outside.join("target"), "theirs").unwrap();
        std::os::unix::fs::symlink(outside.join("target"), dir.join("manifest.json")).unwrap();
        let err = write_set(&dir, &files, true).unwrap_err();
        assert!(
            err.contains("manifest.json") && err.contains("symbolic link"),
            "{err}"
        );
        assert_eq!(fs::read_to_string(outside.join("target")).unwrap(), "theirs");
        // the --out path itself may be a link to a directory
        fs::remove_file(dir.join("manifest.json")).unwrap();
        let named = scratch("links-named");
        std::os::unix::fs::symlink(&dir, &named).unwrap();
        write_set(&named, &files, true).unwrap();
        assert_eq!(tree(&dir), ["manifest.json", "t1", "t1/users.csv"]);
        fs::remove_file(&named).unwrap();
        fs::remove_dir_all(&dir).unwrap();
        fs::remove_dir_all(&outside).unwrap();
    }

    #[test]
    fn paths_that_leave_the_directory_or_collide_are_refused() {
        let dir = scratch("paths");
        for bad in ["../x", "/etc/x", "a/../../x", ""] {
            let files = vec![(PathBuf::from(bad), String::new())];
            assert!(write_set(&dir, &files, false).is_err(), "{bad}");
        }
        let files = vec![
            (PathBuf::from("a"), String::new()),
            (PathBuf::from("a/b"), String::new()),
        ];
        let err = write_set(&dir, &files, false).unwrap_err();
        assert!(err.contains("both a file and a directory"), "{err}");
        assert!(!dir.exists());
    }

    #[test]
    fn check_one_refuses_before_any_work() {
        let dir = scratch("check-one");
        fs::create_dir_all(&dir).unwrap();
        let input = dir.join("in.toml");
        fs::write(&input, "x").unwrap();
        let err = check_one(&dir, true).unwrap_err();
        assert!(err.contains("is a directory"), "{err}");
        let err = check_one(&input, false).unwrap_err();
        assert!(err.contains("--force"), "{err}");
        check_one(&input, true).unwrap();
        let err = check_one(&dir.join("missing/cx.toml"), false).unwrap_err();
        assert!(err.contains("missing does not exist"), "{err}");
        let err = check_one(&input.join("cx.toml"), false).unwrap_err();
        assert!(err.contains("in.toml is not a directory"), "{err}");
        check_one(&dir.join("cx.toml"), false).unwrap();
        assert_eq!(tree(&dir), ["in.toml"], "the probe leaves nothing");
        fs::remove_dir_all(&dir).unwrap();
    }
}
