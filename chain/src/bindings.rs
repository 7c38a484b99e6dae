//! Contract bindings generated from the committed artifacts in `contracts/out` (ABI and
//! bytecode compiled by the pinned solcjs; `contracts/build.mjs --check` in CI proves they match
//! the sources).

#![allow(missing_docs, clippy::too_many_arguments)]

alloy::sol!(
    #[sol(rpc)]
    RootRegistry,
    "../contracts/out/RootRegistry.json"
);

alloy::sol!(
    #[sol(rpc)]
    ZkcredGate,
    "../contracts/out/ZkcredGate.json"
);

alloy::sol! {
    /// The rendered verifier (its bytecode depends on the key, so it is deployed from an
    /// artifact read at run time).
    #[sol(rpc)]
    interface IZkcredVerifier {
        function circuitId() external pure returns (bytes32 id);
        function verifyingKey() external pure returns (uint256[14] memory vk);
        function ic(uint256 i) external pure returns (uint256 x, uint256 y);
        function verifyProof(uint256[8] calldata proof, uint256[34] calldata input) external view returns (bool valid);
        error InputNotInField(uint256 index, uint256 value);
        error NoSuchPoint(uint256 index);
        error PrecompileFailed(uint256 precompile);
    }
}

/// The custom errors of the rendered verifier as a JSON ABI (for decoding reverts).
pub const VERIFIER_ERRORS_ABI: &str = r#"[
  {"type":"error","name":"InputNotInField","inputs":[{"name":"index","type":"uint256"},{"name":"value","type":"uint256"}]},
  {"type":"error","name":"NoSuchPoint","inputs":[{"name":"index","type":"uint256"}]},
  {"type":"error","name":"PrecompileFailed","inputs":[{"name":"precompile","type":"uint256"}]}
]"#;
