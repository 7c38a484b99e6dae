//! Compiled contracts: the committed artifacts, and compiling a rendered verifier with the
//! pinned solcjs.

use crate::error::{ChainError, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A compiled contract: its creation bytecode.
#[derive(Clone, Debug)]
pub struct Artifact {
    /// The contract's name.
    pub name: String,
    /// Creation bytecode.
    pub bytecode: Vec<u8>,
}

impl Artifact {
    /// Parses an artifact written by `contracts/build.mjs` (`path` names it in errors).
    pub fn parse(text: &str, path: &str) -> Result<Self> {
        let bad = |reason: String| ChainError::Artifact {
            path: path.into(),
            reason,
        };
        let v: serde_json::Value =
            serde_json::from_str(text).map_err(|e| bad(format!("not JSON: {e}")))?;
        let name = v["contractName"]
            .as_str()
            .ok_or_else(|| bad("no contractName".into()))?
            .to_string();
        let code = v["bytecode"]
            .as_str()
            .and_then(|s| s.strip_prefix("0x"))
            .ok_or_else(|| bad("no 0x-prefixed bytecode".into()))?;
        let bytecode = hex::decode(code).map_err(|e| bad(format!("bytecode: {e}")))?;
        if bytecode.is_empty() {
            return Err(bad(
                "empty bytecode (an interface or abstract contract?)".into()
            ));
        }
        Ok(Self { name, bytecode })
    }

    /// Reads an artifact file.
    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| ChainError::Artifact {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        Self::parse(&text, &path.display().to_string())
    }
}

/// The `contracts/` directory: `$ZKCRED_CONTRACTS`, else the one in this source tree.
pub fn contracts_dir() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("ZKCRED_CONTRACTS") {
        return Some(PathBuf::from(p));
    }
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("../contracts");
    here.join("build.mjs").exists().then_some(here)
}

/// Compiles a verifier rendered by [`crate::render::render_verifier`] with the pinned solcjs
/// (`node contracts/build.mjs --verifier`).
pub fn compile_verifier(source: &str) -> Result<Artifact> {
    let dir = contracts_dir().ok_or_else(|| {
        ChainError::Compile(
            "no contracts directory: set ZKCRED_CONTRACTS to zkcred's contracts/".into(),
        )
    })?;
    let work = tempfile::tempdir().map_err(|e| ChainError::Compile(e.to_string()))?;
    let (sol, out) = (
        work.path().join("ZkcredVerifier.sol"),
        work.path().join("ZkcredVerifier.json"),
    );
    std::fs::write(&sol, source).map_err(|e| ChainError::Compile(e.to_string()))?;
    let run = Command::new("node")
        .arg(dir.join("build.mjs"))
        .arg("--verifier")
        .arg(&sol)
        .arg("--out")
        .arg(&out)
        .output()
        .map_err(|e| ChainError::Compile(format!("node: {e}")))?;
    if !run.status.success() {
        return Err(ChainError::Compile(format!(
            "{} (is solc installed? run contracts/install.sh)",
            String::from_utf8_lossy(&run.stderr).trim()
        )));
    }
    Artifact::read(&out)
}
