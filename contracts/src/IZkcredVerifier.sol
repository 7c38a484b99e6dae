// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IZkcredVerifier
/// @notice The rendered Groth16 verifier of one zkcred verifying key.
interface IZkcredVerifier {
    /// @notice SHA-256 of the compressed verifying key: the circuit id proofs and requests name.
    /// @return id the circuit id.
    function circuitId() external pure returns (bytes32 id);

    /// @notice `alpha (2), beta (4), gamma (4), delta (4)`, G2 coordinates imaginary part first.
    /// @return vk the fixed points of the verifying key.
    function verifyingKey() external pure returns (uint256[14] memory vk);

    /// @notice The point `IC[i]`: `IC[0]` is the constant term, `IC[1 + j]` multiplies public
    /// input `j`.
    /// @param i 0..=34.
    /// @return x the point's x coordinate.
    /// @return y the point's y coordinate.
    function ic(uint256 i) external pure returns (uint256 x, uint256 y);

    /// @notice Verifies a proof against all 34 public inputs.
    /// @param proof `A.x, A.y, B.x1, B.x0, B.y1, B.y0, C.x, C.y`.
    /// @param input the public inputs; each must be below the scalar field order.
    /// @return valid whether the proof verifies.
    function verifyProof(uint256[8] calldata proof, uint256[34] calldata input)
        external
        view
        returns (bool valid);
}
