//! Bulk issuance from JSON lines.
//!
//! Each non-blank input line is an issuance attributes object (`docs/formats.md`) plus
//! `"hpk": "<decimal>"`. Lines are taken in batches (10,000 by default). For each batch the
//! issuer draws the salts from the RNG in line order, then parses, encodes and hashes the lines in
//! parallel, hands the credentials to the [`CredentialSink`], and writes the batch — its leaves,
//! their ancestors computed level by level with shared ancestors hashed once (see
//! [`crate::tree`]), the records and the counters — in **one** write transaction. While a batch
//! commits, the next one is already being parsed and hashed.
//!
//! **Crash safety.** A batch is one transaction, so it is either wholly in the database or not at
//! all: a crash or an error never leaves a half-updated tree, and every batch that committed
//! survives. A malformed line stops the import before anything of its batch reaches the sink or
//! the database; the batches before it stay committed, and the error
//! ([`IssuerError::BulkStopped`]) says how many credentials were committed and which line failed.
//! The sink receives each batch before it commits, so it never misses a committed credential and
//! holds at most one uncommitted batch after a failure (see [`crate::sink`]).

use crate::db::IssuerDb;
use crate::draft::{Draft, IssueContext};
use crate::error::{IssuerError, Result};
use crate::sink::CredentialSink;
use rand::{CryptoRng, RngCore};
use rayon::prelude::*;
use serde_json::Value;
use std::io::BufRead;
use zkcred_core::clock::now_unix;
use zkcred_core::credential::random_salt;
use zkcred_core::credential::{validate_schema, Credential};
use zkcred_core::encoding::parse_fr;
use zkcred_core::schema::Schema;
use zkcred_core::Fr;

/// The default number of credentials per write transaction.
pub const DEFAULT_BATCH_SIZE: usize = 10_000;

/// Settings of a bulk issuance.
#[derive(Clone, Debug)]
pub struct BulkOptions {
    /// Credentials per write transaction (at least 1).
    pub batch_size: usize,
    /// Issuance time (Unix seconds) of every credential; the current time if `None`.
    pub issued_at: Option<u64>,
}

impl Default for BulkOptions {
    fn default() -> Self {
        Self {
            batch_size: DEFAULT_BATCH_SIZE,
            issued_at: None,
        }
    }
}

/// The outcome of a completed bulk issuance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BulkReport {
    /// Credentials issued (all committed).
    pub issued: u64,
    /// Leaf index of the first credential issued by this call.
    pub first_index: u64,
    /// Input lines read, blank ones included.
    pub lines: u64,
    /// Write transactions committed.
    pub batches: u64,
    /// The tree root afterwards.
    pub root: Fr,
}

impl IssuerDb {
    /// Issues one credential per line of `lines` with the default [`BulkOptions`].
    ///
    /// `progress` is called after each committed batch with the number committed so far.
    pub fn issue_bulk<R, S>(
        &mut self,
        lines: impl BufRead,
        schema: &Schema,
        rng: &mut R,
        sink: &mut S,
        progress: impl FnMut(u64),
    ) -> Result<BulkReport>
    where
        R: RngCore + CryptoRng,
        S: CredentialSink + ?Sized,
    {
        self.issue_bulk_with(lines, schema, rng, sink, progress, &BulkOptions::default())
    }

    /// Issues one credential per line of `lines` (see the module docs).
    ///
    /// On any failure the error is [`IssuerError::BulkStopped`], carrying the number of
    /// credentials this call committed before it stopped and the cause (for a bad line,
    /// [`IssuerError::BulkLine`] with its 1-based line number).
    pub fn issue_bulk_with<R, S>(
        &mut self,
        lines: impl BufRead,
        schema: &Schema,
        rng: &mut R,
        sink: &mut S,
        mut progress: impl FnMut(u64),
        options: &BulkOptions,
    ) -> Result<BulkReport>
    where
        R: RngCore + CryptoRng,
        S: CredentialSink + ?Sized,
    {
        validate_schema(schema).map_err(|e| IssuerError::BulkStopped {
            committed: 0,
            source: Box::new(e.into()),
        })?;
        let ctx = IssueContext::new(
            schema,
            self.issuer(),
            options.issued_at.unwrap_or_else(now_unix),
        );
        let mut reader = LineReader::new(lines);
        let size = options.batch_size.max(1);
        let mut report = BulkReport {
            issued: 0,
            first_index: self.next_index(),
            lines: 0,
            batches: 0,
            root: self.root(),
        };
        let mut next = read_batch(&mut reader, rng, size).and_then(|b| prepare(schema, b));
        loop {
            let drafts = next.map_err(|e| stopped(&report, e))?;
            if drafts.is_empty() {
                break;
            }
            let n = drafts.len() as u64;
            let creds = self.assign(&ctx, drafts).map_err(|e| stopped(&report, e))?;
            sink.batch(&creds).map_err(|e| stopped(&report, e.into()))?;
            // The next batch is parsed and hashed while this one commits; its errors (a bad
            // line, a read error) surface only after this batch has committed.
            let following = read_batch(&mut reader, rng, size);
            let (committed, prepared) = rayon::join(
                || self.append(&creds),
                || following.and_then(|b| prepare(schema, b)),
            );
            committed.map_err(|e| stopped(&report, e))?;
            report.issued += n;
            report.batches += 1;
            report.root = self.root();
            progress(report.issued);
            next = prepared;
        }
        report.lines = reader.line_no;
        Ok(report)
    }

    /// Gives the drafts their leaf indices, if they fit in the tree.
    fn assign(&self, ctx: &IssueContext, drafts: Vec<Draft>) -> Result<Vec<Credential>> {
        let start = self.check_room(drafts.len() as u64)?;
        Ok(drafts
            .into_iter()
            .enumerate()
            // In range: `check_room` guarantees `start + len <= 4^16`.
            .map(|(k, d)| ctx.credential(d, start + k as u32))
            .collect())
    }
}

/// Numbered lines with their (name salt, leaf salt) pairs.
type Batch = (Vec<(u64, String)>, Vec<(Fr, Fr)>);

/// Reads up to `size` lines and draws their salts, in line order, so that a seeded RNG gives
/// reproducible output.
fn read_batch<B: BufRead, R: RngCore + CryptoRng>(
    reader: &mut LineReader<B>,
    rng: &mut R,
    size: usize,
) -> Result<Batch> {
    let lines = reader.next_batch(size)?;
    let salts = lines
        .iter()
        .map(|_| (random_salt(rng), random_salt(rng)))
        .collect();
    Ok((lines, salts))
}

/// Parses, encodes and hashes a batch on all cores; fails with the first bad line in input order.
fn prepare(schema: &Schema, (lines, salts): Batch) -> Result<Vec<Draft>> {
    let drafts: Vec<Result<Draft>> = lines
        .par_iter()
        .zip(salts.par_iter())
        .map(|((line, text), (name_salt, salt))| {
            parse_line(schema, text, *name_salt, *salt).map_err(|e| IssuerError::BulkLine {
                line: *line,
                source: Box::new(e),
            })
        })
        .collect();
    drafts.into_iter().collect()
}

fn stopped(report: &BulkReport, e: IssuerError) -> IssuerError {
    IssuerError::BulkStopped {
        committed: report.issued,
        source: Box::new(e),
    }
}

/// One line: an attributes object with `hpk`.
fn parse_line(schema: &Schema, text: &str, name_salt: Fr, salt: Fr) -> Result<Draft> {
    let mut v: Value = serde_json::from_str(text).map_err(|e| IssuerError::Json(e.to_string()))?;
    let obj = v
        .as_object_mut()
        .ok_or_else(|| IssuerError::Json("a line must be a JSON object".into()))?;
    let hpk = match obj.remove("hpk") {
        Some(Value::String(s)) => {
            parse_fr(&s).map_err(|e| IssuerError::Json(format!("`hpk`: {e}")))?
        }
        Some(_) => return Err(IssuerError::Json("`hpk` must be a decimal string".into())),
        None => return Err(IssuerError::Json("`hpk` is missing".into())),
    };
    Ok(Draft::new(schema, hpk, &v, name_salt, salt)?)
}

/// Reads non-blank lines with their 1-based numbers.
struct LineReader<B> {
    inner: B,
    line_no: u64,
    buf: Vec<u8>,
}

impl<B: BufRead> LineReader<B> {
    fn new(inner: B) -> Self {
        Self {
            inner,
            line_no: 0,
            buf: Vec::new(),
        }
    }

    /// Up to `max` non-blank lines; empty at the end of the input.
    fn next_batch(&mut self, max: usize) -> Result<Vec<(u64, String)>> {
        let mut out = Vec::with_capacity(max.min(DEFAULT_BATCH_SIZE));
        while out.len() < max {
            self.buf.clear();
            if self.inner.read_until(b'\n', &mut self.buf)? == 0 {
                break;
            }
            self.line_no += 1;
            let text = std::str::from_utf8(&self.buf).map_err(|_| IssuerError::BulkLine {
                line: self.line_no,
                source: Box::new(IssuerError::Json("the line is not UTF-8".into())),
            })?;
            let text = text.trim();
            if !text.is_empty() {
                out.push((self.line_no, text.to_string()));
            }
        }
        Ok(out)
    }
}
