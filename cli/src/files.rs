//! Reading and writing the CLI's files, with errors that name the file.

use crate::exit::malformed;
use anyhow::{Context, Result};
use std::path::Path;

/// Reads a UTF-8 text file; a missing or unreadable file is a usage error.
pub fn read_text(path: &Path, what: &str) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| {
        malformed(anyhow::anyhow!(
            "cannot read {what} {}: {e}",
            path.display()
        ))
    })?;
    String::from_utf8(bytes).map_err(|_| {
        malformed(anyhow::anyhow!(
            "{what} {} is not UTF-8 text",
            path.display()
        ))
    })
}

/// Writes a file atomically with the given Unix mode, replacing any file there
/// (`zkcred_core::atomic_file::write`).
pub fn write(path: &Path, contents: &str, mode: u32) -> Result<()> {
    zkcred_core::atomic_file::write(path, contents.as_bytes(), mode)
        .with_context(|| format!("writing {}", path.display()))
}

/// Writes a new file atomically with the given Unix mode; refuses (as malformed usage) if
/// anything exists at `path`, even if it appeared after an earlier [`ensure_absent`].
pub fn create(path: &Path, contents: &str, mode: u32) -> Result<()> {
    zkcred_core::atomic_file::create_new(path, contents.as_bytes(), mode).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            already_exists(path)
        } else {
            anyhow::Error::new(e).context(format!("writing {}", path.display()))
        }
    })
}

/// Writes a public file (mode 0644).
pub fn write_public(path: &Path, contents: &str) -> Result<()> {
    write(path, contents, 0o644)
}

/// Creates a new file for streaming output with mode 0600 (`O_EXCL | O_NOFOLLOW`): refuses if
/// anything exists at `path`.
pub fn create_private(path: &Path) -> Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    options.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            already_exists(path)
        } else {
            anyhow::Error::new(e).context(format!("creating {}", path.display()))
        }
    })
}

/// Refuses to overwrite an existing file.
pub fn ensure_absent(path: &Path) -> Result<()> {
    if path.symlink_metadata().is_ok() {
        return Err(already_exists(path));
    }
    Ok(())
}

fn already_exists(path: &Path) -> anyhow::Error {
    malformed(anyhow::anyhow!(
        "{} already exists; refusing to overwrite it",
        path.display()
    ))
}
