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

/// Writes a file atomically with the given Unix mode.
pub fn write(path: &Path, contents: &str, mode: u32) -> Result<()> {
    zkcred_setup::keys::write_file(path, contents.as_bytes(), mode)
        .with_context(|| format!("writing {}", path.display()))
}

/// Writes a public file (mode 0644).
pub fn write_public(path: &Path, contents: &str) -> Result<()> {
    write(path, contents, 0o644)
}

/// Refuses to overwrite an existing file.
pub fn ensure_absent(path: &Path) -> Result<()> {
    if path.exists() {
        return Err(malformed(anyhow::anyhow!(
            "{} already exists; refusing to overwrite it",
            path.display()
        )));
    }
    Ok(())
}
