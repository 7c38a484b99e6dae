//! Where bulk issuance delivers the credentials it makes.
//!
//! Bulk issuance hands each batch's credentials to the sink with [`CredentialSink::batch`]
//! (by default: [`CredentialSink::credential`] for each, then [`CredentialSink::end_batch`]), and
//! only when that returns does it commit the batch. So a credential whose batch
//! committed has always reached the sink first (a sink that makes its output durable in
//! `end_batch`, like [`FileSink`], never loses one), and after a failed commit or a crash the sink
//! holds at most one batch beyond what the database holds: the credentials whose `leafIndex` is
//! not below the reopened database's `next_index()`. Discard those; their indices will be issued
//! again.
//!
//! Single issuance ([`crate::IssuerDb::issue_to`]) follows the same order with a batch of one;
//! [`CredentialFile`] makes that one credential a durable file of its own before the commit.

use rayon::prelude::*;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use zkcred_core::credential::Credential;

/// Receives the credentials of a bulk issuance (see the module docs for the ordering).
pub trait CredentialSink {
    /// Receives one credential of the current batch (not yet committed).
    fn credential(&mut self, credential: &Credential) -> io::Result<()>;

    /// Called after the last credential of a batch and before the batch commits; a sink that
    /// writes to storage makes the batch durable here.
    fn end_batch(&mut self) -> io::Result<()> {
        Ok(())
    }

    /// Receives a whole batch (not yet committed); the batch commits after this returns `Ok`.
    fn batch(&mut self, credentials: &[Credential]) -> io::Result<()> {
        for c in credentials {
            self.credential(c)?;
        }
        self.end_batch()
    }
}

impl<F: FnMut(&Credential) -> io::Result<()>> CredentialSink for F {
    fn credential(&mut self, credential: &Credential) -> io::Result<()> {
        self(credential)
    }
}

/// Writes each credential as one line of compact JSON; flushes at the end of each batch.
#[derive(Debug)]
pub struct JsonLinesSink<W: Write> {
    out: W,
}

impl<W: Write> JsonLinesSink<W> {
    /// A sink writing to `out`.
    pub fn new(out: W) -> Self {
        Self { out }
    }

    /// The writer back.
    pub fn into_inner(self) -> W {
        self.out
    }
}

impl<W: Write> CredentialSink for JsonLinesSink<W> {
    fn credential(&mut self, credential: &Credential) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, credential)?;
        self.out.write_all(b"\n")
    }

    fn end_batch(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// Serializes the batch on all cores, then writes it in order.
    fn batch(&mut self, credentials: &[Credential]) -> io::Result<()> {
        let lines: Vec<String> = credentials.par_iter().map(Credential::to_json).collect();
        for line in lines {
            self.out.write_all(line.as_bytes())?;
            self.out.write_all(b"\n")?;
        }
        self.end_batch()
    }
}

/// Writes JSON lines to a file and syncs it to disk at the end of each batch, before the batch
/// commits.
#[derive(Debug)]
pub struct FileSink {
    lines: JsonLinesSink<BufWriter<File>>,
}

impl FileSink {
    /// A sink appending to `file`.
    pub fn new(file: File) -> Self {
        Self {
            lines: JsonLinesSink::new(BufWriter::with_capacity(1 << 20, file)),
        }
    }
}

impl CredentialSink for FileSink {
    fn credential(&mut self, credential: &Credential) -> io::Result<()> {
        self.lines.credential(credential)
    }

    fn end_batch(&mut self) -> io::Result<()> {
        self.lines.end_batch()?;
        self.lines.out.get_ref().sync_data()
    }

    fn batch(&mut self, credentials: &[Credential]) -> io::Result<()> {
        self.lines.batch(credentials)?;
        self.lines.out.get_ref().sync_data()
    }
}

/// Writes one credential to a new file, durably, before its issuance commits.
///
/// The file is created with `zkcred_core::atomic_file::create_new`: mode 0600 (it holds the
/// holder's name, birth date and salts), never overwriting anything, complete or absent after a
/// crash. If the issuance then fails to commit, [`CredentialFile::discard`] removes it.
#[derive(Debug)]
pub struct CredentialFile {
    path: PathBuf,
    written: bool,
}

impl CredentialFile {
    /// A sink that will create `path`.
    pub fn new(path: impl AsRef<Path>) -> Self {
        Self {
            path: path.as_ref().to_path_buf(),
            written: false,
        }
    }

    /// Whether the file was written by this sink.
    pub fn is_written(&self) -> bool {
        self.written
    }

    /// Removes the file if this sink wrote it (after a failed commit); never touches a file that
    /// was there before.
    pub fn discard(&mut self) -> io::Result<()> {
        if std::mem::take(&mut self.written) {
            std::fs::remove_file(&self.path)?;
        }
        Ok(())
    }

    fn named(&self, e: io::Error) -> io::Error {
        io::Error::new(e.kind(), format!("{}: {e}", self.path.display()))
    }
}

impl CredentialSink for CredentialFile {
    fn credential(&mut self, credential: &Credential) -> io::Result<()> {
        if self.written {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{}: one credential per file", self.path.display()),
            ));
        }
        let text = credential.to_json_pretty();
        zkcred_core::atomic_file::create_new(&self.path, text.as_bytes(), 0o600)
            .map_err(|e| self.named(e))?;
        self.written = true;
        Ok(())
    }
}
