//! Errors of the chain side.

use alloy::dyn_abi::{DynSolValue, JsonAbiExt};
use alloy::json_abi::JsonAbi;
use std::sync::OnceLock;

/// A result with [`ChainError`].
pub type Result<T, E = ChainError> = std::result::Result<T, E>;

/// Why a contract refused: the custom error it reverted with, decoded from the ABIs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GateRefusal {
    /// A named custom error of the registry, the gate or the verifier, with its arguments.
    Named {
        /// The error's name, e.g. `NullifierUsed`: the stable reason code.
        name: String,
        /// Its arguments, `name=value` joined by commas.
        args: String,
    },
    /// A revert without a recognised custom error.
    Unknown(String),
}

impl GateRefusal {
    /// The error's name (`"unknown"` when not recognised).
    pub fn name(&self) -> &str {
        match self {
            GateRefusal::Named { name, .. } => name,
            GateRefusal::Unknown(_) => "unknown",
        }
    }
}

impl std::fmt::Display for GateRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GateRefusal::Named { name, args } => write!(f, "{name}({args})"),
            GateRefusal::Unknown(s) => write!(f, "{s}"),
        }
    }
}

/// Errors talking to a chain or preparing what goes on it.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    /// The endpoint could not be reached or answered badly.
    #[error("rpc: {0}")]
    Rpc(String),
    /// A contract reverted.
    #[error("{what} refused: {reason}")]
    Reverted {
        /// What was being done.
        what: &'static str,
        /// The decoded reason.
        reason: GateRefusal,
    },
    /// A usage problem (a missing key, a bad URL).
    #[error("{0}")]
    Usage(String),
    /// An Ethereum key file is unusable.
    #[error("key file {path}: {reason}")]
    Key {
        /// The file.
        path: String,
        /// What is wrong (never the key itself).
        reason: String,
    },
    /// A compiled contract artifact is unusable.
    #[error("artifact {path}: {reason}")]
    Artifact {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// Compiling a rendered verifier failed.
    #[error("compiling the verifier: {0}")]
    Compile(String),
    /// The deployed verifier names another key.
    #[error("the verifier contract is for circuit {found}, not {expected}")]
    WrongVerifier {
        /// The circuit id of the keys in use.
        expected: String,
        /// The circuit id the contract names.
        found: String,
    },
    /// A proof envelope cannot be turned into a gate call.
    #[error("proof: {0}")]
    Envelope(String),
    /// A policy cannot become a gate.
    #[error(transparent)]
    Policy(#[from] crate::gate::GatePolicyError),
    /// A development chain could not be started.
    #[error("anvil: {0}")]
    Anvil(String),
}

impl zkcred_core::Classify for ChainError {
    /// A refusal is a rejection; usage, files and policies are malformed input; an endpoint,
    /// anvil or the compiler that cannot be used is unavailable.
    fn kind(&self) -> zkcred_core::error::ErrorKind {
        use zkcred_core::error::ErrorKind;
        match self {
            ChainError::Reverted { .. } | ChainError::WrongVerifier { .. } => ErrorKind::Rejected,
            ChainError::Rpc(_) | ChainError::Anvil(_) | ChainError::Compile(_) => {
                ErrorKind::Unavailable
            }
            _ => ErrorKind::Malformed,
        }
    }
}

impl ChainError {
    /// The error of a failed contract call or transaction, with its revert reason decoded.
    pub fn from_contract(what: &'static str, e: alloy::contract::Error) -> Self {
        match e.as_revert_data() {
            Some(data) => ChainError::Reverted {
                what,
                reason: decode_revert(&data),
            },
            None => ChainError::Rpc(format!("{what}: {e}")),
        }
    }
}

fn abis() -> &'static [JsonAbi] {
    static ABIS: OnceLock<Vec<JsonAbi>> = OnceLock::new();
    ABIS.get_or_init(|| {
        [
            include_str!("../../contracts/out/ZkcredGate.json"),
            include_str!("../../contracts/out/RootRegistry.json"),
            crate::bindings::VERIFIER_ERRORS_ABI,
        ]
        .iter()
        .map(|text| {
            let v: serde_json::Value =
                serde_json::from_str(text).expect("committed artifacts are JSON");
            let abi = v.get("abi").cloned().unwrap_or(v);
            serde_json::from_value(abi).expect("committed ABIs parse")
        })
        .collect()
    })
}

fn show(v: &DynSolValue) -> String {
    match v {
        DynSolValue::Uint(x, _) => x.to_string(),
        DynSolValue::Int(x, _) => x.to_string(),
        DynSolValue::Address(a) => format!("{a:#x}"),
        DynSolValue::Bool(b) => b.to_string(),
        other => format!("{other:?}"),
    }
}

/// Decodes revert data against the registry's, the gate's and the verifier's custom errors.
pub fn decode_revert(data: &[u8]) -> GateRefusal {
    if data.len() >= 4 {
        for abi in abis() {
            for err in abi.errors() {
                if err.selector().as_slice() != &data[..4] {
                    continue;
                }
                if let Ok(values) = err.abi_decode_input(&data[4..]) {
                    let args = err
                        .inputs
                        .iter()
                        .zip(&values)
                        .map(|(p, v)| format!("{}={}", p.name, show(v)))
                        .collect::<Vec<_>>()
                        .join(", ");
                    return GateRefusal::Named {
                        name: err.name.clone(),
                        args,
                    };
                }
            }
        }
    }
    GateRefusal::Unknown(format!("revert data 0x{}", hex::encode(data)))
}
