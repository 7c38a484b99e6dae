//! Helpers shared by the setup crate's integration tests.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The snarkjs ptau (power 13), made once per cache by `tests/ptau/make-ptau.sh`.
pub fn ptau() -> &'static Path {
    static PTAU: OnceLock<PathBuf> = OnceLock::new();
    PTAU.get_or_init(|| {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ptau/make-ptau.sh");
        let out = Command::new("bash")
            .arg(&script)
            .arg("13")
            .output()
            .expect("run make-ptau.sh (needs bash, node and npm)");
        assert!(
            out.status.success(),
            "make-ptau.sh failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8(out.stdout).unwrap();
        PathBuf::from(stdout.lines().last().unwrap().trim())
    })
}
