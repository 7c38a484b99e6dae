//! Writing files so that a crash or a hostile neighbour in the directory never leaves a torn,
//! widened or redirected file.
//!
//! [`write`] (replace) and [`create_new`] (refuse to overwrite) both write the contents to a
//! temporary file in the target's own directory, named `.<target name>.<16 random hex>.tmp` and
//! created with `O_CREAT | O_EXCL | O_NOFOLLOW` and the final mode from the start (so it is never
//! readable more widely than the final file, and a file or symlink planted at any name is never
//! opened, followed or truncated). The contents are written and the file fsynced; then it is
//! moved into place — `rename` for [`write`], a hard link (which fails if anything, even a
//! dangling symlink, exists at the target) for [`create_new`] — and the directory is fsynced so
//! the new name itself survives a crash. On any error the temporary file is removed.
//!
//! A reader therefore sees the old file or the complete new one, never a partial one, and after
//! a crash at most a `.…tmp` file is left behind, which no reader ever opens. The mode is the
//! file's permission bits as given to `open(2)`, so the process umask can only narrow it.
//! [`create_new`] needs a filesystem with hard links (any native Unix filesystem).

use rand::RngCore;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// How many random temporary names are tried before giving up (each collision means another
/// file with a 64-bit random name already exists).
const NAME_ATTEMPTS: usize = 8;

/// Writes `contents` to `path` atomically, replacing any file there, with Unix `mode`.
pub fn write(path: &Path, contents: &[u8], mode: u32) -> io::Result<()> {
    let tmp = TempFile::create(path, mode)?.fill(contents)?;
    std::fs::rename(&tmp.path, path)?;
    tmp.disarm();
    sync_dir(path)
}

/// Writes `contents` to a new file at `path` with Unix `mode`, atomically: fails with
/// [`io::ErrorKind::AlreadyExists`] (and changes nothing) if anything exists at `path`, even
/// when another process creates it concurrently.
pub fn create_new(path: &Path, contents: &[u8], mode: u32) -> io::Result<()> {
    let tmp = TempFile::create(path, mode)?.fill(contents)?;
    publish(tmp, path)
}

/// Creates a file at `path` that `build` makes under a temporary name (given an empty file with
/// `mode` there), so that `path` only ever holds the finished file: a database initialized by
/// `build`, say, and never one half-initialized by a crash. Like [`create_new`] it fails with
/// [`io::ErrorKind::AlreadyExists`] if anything exists at `path`; on any error the temporary
/// file is removed.
pub fn create_new_with(
    path: &Path,
    mode: u32,
    build: impl FnOnce(&Path) -> io::Result<()>,
) -> io::Result<()> {
    let tmp = TempFile::create(path, mode)?.fill(&[])?;
    build(&tmp.path)?;
    File::open(&tmp.path)?.sync_all()?;
    publish(tmp, path)
}

/// Links the finished temporary file to `path` (refusing to replace anything), drops the
/// temporary name and makes the new name durable.
fn publish(tmp: TempFile, path: &Path) -> io::Result<()> {
    std::fs::hard_link(&tmp.path, path)?;
    // From here the file is in place under its final name; the temporary name goes.
    drop(tmp);
    // The new name may not survive a crash, but it is never taken back: another process may
    // already have opened the file under it (a nullifier store) and written to it.
    sync_dir(path)
}

/// The directory holding `path` (`.` for a bare file name).
fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Makes the directory entries of `path`'s directory durable (after a file was created or
/// renamed there: without it a crash can lose the new name even though the file's data was
/// synced).
pub fn sync_dir(path: &Path) -> io::Result<()> {
    File::open(parent(path))?.sync_all()
}

/// A temporary file beside the target; removed on drop unless disarmed.
struct TempFile {
    path: PathBuf,
    file: Option<File>,
    armed: bool,
}

impl TempFile {
    fn create(target: &Path, mode: u32) -> io::Result<Self> {
        let name = target.file_name().ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "the path has no file name")
        })?;
        let dir = parent(target);
        let mut last = None;
        for _ in 0..NAME_ATTEMPTS {
            let mut random = [0u8; 8];
            rand::rngs::OsRng.fill_bytes(&mut random);
            let mut tmp_name = std::ffi::OsString::from(".");
            tmp_name.push(name);
            tmp_name.push(format!(".{}.tmp", hex::encode(random)));
            let path = dir.join(tmp_name);
            match open_exclusive(&path, mode) {
                Ok(file) => {
                    return Ok(Self {
                        path,
                        file: Some(file),
                        armed: true,
                    })
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| io::Error::other("no temporary file name was free")))
    }

    /// Writes and fsyncs the contents, then closes the file (the name stays armed).
    fn fill(mut self, contents: &[u8]) -> io::Result<Self> {
        if let Some(mut f) = self.file.take() {
            f.write_all(contents)?;
            f.sync_all()?;
        }
        Ok(self)
    }

    /// The temporary name no longer exists (it was renamed): nothing to remove.
    fn disarm(mut self) {
        self.armed = false;
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        self.file.take();
        if self.armed {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[cfg(unix)]
fn open_exclusive(path: &Path, mode: u32) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .mode(mode)
        .open(path)
}

#[cfg(not(unix))]
fn open_exclusive(path: &Path, _mode: u32) -> io::Result<File> {
    OpenOptions::new().write(true).create_new(true).open(path)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::{symlink, PermissionsExt};

    fn mode(path: &Path) -> u32 {
        std::fs::symlink_metadata(path)
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn secret_files_are_0600_from_the_start() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("key");
        write(&p, b"secret", 0o600).unwrap();
        assert_eq!(mode(&p), 0o600);
        assert_eq!(std::fs::read(&p).unwrap(), b"secret");
        let c = d.path().join("credential.json");
        create_new(&c, b"{}", 0o600).unwrap();
        assert_eq!(mode(&c), 0o600);
        // Replacing a wider file leaves the narrower mode.
        let wide = d.path().join("wide");
        std::fs::write(&wide, b"old").unwrap();
        std::fs::set_permissions(&wide, std::fs::Permissions::from_mode(0o666)).unwrap();
        write(&wide, b"new", 0o600).unwrap();
        assert_eq!(mode(&wide), 0o600);
        assert_eq!(names(d.path()), ["credential.json", "key", "wide"]);
    }

    #[test]
    fn planted_tmp_files_and_symlinks_change_nothing() {
        let d = tempfile::tempdir().unwrap();
        let victim = d.path().join("victim");
        std::fs::write(&victim, b"untouched").unwrap();
        let target = d.path().join("key.json");
        // The fixed names earlier writers used, planted: a symlink to a victim and a file.
        symlink(&victim, d.path().join("key.tmp")).unwrap();
        symlink(&victim, d.path().join(".key.json.tmp")).unwrap();
        std::fs::write(d.path().join("key.json.tmp"), b"planted").unwrap();
        write(&target, b"new contents", 0o600).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"new contents");
        assert_eq!(std::fs::read(&victim).unwrap(), b"untouched");
        assert_eq!(
            std::fs::read(d.path().join("key.json.tmp")).unwrap(),
            b"planted"
        );
        assert_eq!(mode(&target), 0o600);
        assert_eq!(
            names(d.path()),
            [
                ".key.json.tmp",
                "key.json",
                "key.json.tmp",
                "key.tmp",
                "victim"
            ]
        );
    }

    #[test]
    fn a_symlink_at_the_target_is_replaced_not_followed() {
        let d = tempfile::tempdir().unwrap();
        let victim = d.path().join("victim");
        std::fs::write(&victim, b"untouched").unwrap();
        let target = d.path().join("out");
        symlink(&victim, &target).unwrap();
        write(&target, b"new", 0o644).unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"untouched");
        assert!(std::fs::symlink_metadata(&target).unwrap().is_file());
        // `create_new` refuses even a dangling symlink.
        let dangling = d.path().join("dangling");
        symlink(d.path().join("nowhere"), &dangling).unwrap();
        let e = create_new(&dangling, b"x", 0o600).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        assert!(!d.path().join("nowhere").exists());
    }

    #[test]
    fn create_new_refuses_to_overwrite() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("c.json");
        create_new(&p, b"first", 0o600).unwrap();
        let e = create_new(&p, b"second", 0o600).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&p).unwrap(), b"first");
        assert_eq!(names(d.path()), ["c.json"]);
    }

    #[test]
    fn create_new_with_publishes_only_the_finished_file() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("store.db");
        create_new_with(&p, 0o600, |tmp| {
            assert!(!p.exists(), "the target appears only when finished");
            std::fs::write(tmp, b"initialized")
        })
        .unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"initialized");
        assert_eq!(mode(&p), 0o600);
        let e = create_new_with(&p, 0o600, |_| Ok(())).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        let failing = d.path().join("failing.db");
        assert!(create_new_with(&failing, 0o600, |_| Err(io::Error::other("no"))).is_err());
        assert_eq!(names(d.path()), ["store.db"]);
    }

    #[test]
    fn a_failed_write_leaves_no_temporary_file() {
        let d = tempfile::tempdir().unwrap();
        // Renaming a file onto a non-empty directory fails after the temporary file was written.
        let blocker = d.path().join("dir");
        std::fs::create_dir(&blocker).unwrap();
        std::fs::write(blocker.join("inside"), b"x").unwrap();
        assert!(write(&blocker, b"contents", 0o644).is_err());
        assert_eq!(names(d.path()), ["dir"]);
        // A missing directory fails before anything is created.
        assert!(write(&d.path().join("missing/f"), b"x", 0o644).is_err());
        assert!(create_new(&d.path().join("missing/f"), b"x", 0o644).is_err());
        assert_eq!(names(d.path()), ["dir"]);
    }

    #[test]
    fn a_read_only_directory_is_refused_cleanly() {
        let d = tempfile::tempdir().unwrap();
        let ro = d.path().join("ro");
        std::fs::create_dir(&ro).unwrap();
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
        let probe = ro.join("probe");
        if std::fs::write(&probe, b"").is_ok() {
            // Running as root: permissions do not apply; nothing to test here.
            let _ = std::fs::remove_file(&probe);
            return;
        }
        assert!(create_new(&ro.join("c.json"), b"x", 0o600).is_err());
        assert!(write(&ro.join("c.json"), b"x", 0o600).is_err());
        assert!(names(&ro).is_empty());
    }
}
