//! The wallet's files: private directories (0700) and files (0600), written atomically.

use crate::error::{HolderError, Result};
use std::path::{Path, PathBuf};

/// Creates `dir` (and its parents) with mode 0700.
pub(crate) fn create_private_dir(dir: &Path) -> Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir).map_err(HolderError::io(dir))
}

/// Reads a UTF-8 text file.
pub(crate) fn read_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(HolderError::io(path))?;
    String::from_utf8(bytes).map_err(|_| HolderError::file(path, "not UTF-8 text"))
}

/// Writes `bytes` to `path` atomically, mode 0600.
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    zkcred_core::atomic_file::write(path, bytes, 0o600).map_err(HolderError::io(path))
}

/// Removes `file` if it exists.
pub(crate) fn remove_if_there(file: &Path) -> Result<()> {
    match std::fs::remove_file(file) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(HolderError::io(file)(e)),
        _ => Ok(()),
    }
}

/// The entries of `dir` (none if it does not exist).
pub(crate) fn list(dir: &Path) -> Result<Vec<PathBuf>> {
    match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .map(|e| e.map(|e| e.path()).map_err(HolderError::io(dir)))
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(HolderError::io(dir)(e)),
    }
}
