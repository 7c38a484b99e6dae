// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title Bn254
/// @notice BN254 (alt_bn128) arithmetic through the EIP-196 and EIP-197 precompiles. Every
/// precompile failure reverts: no function here returns a default value in place of a result.
library Bn254 {
    /// @notice The scalar field order r: every public input is an integer below it.
    uint256 internal constant R =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;
    /// @notice The base field order p: every point coordinate is an integer below it.
    uint256 internal constant P =
        21888242871839275222246405745257275088696311157297823662689037894645226208583;

    /// @notice A precompile call failed: 6 is point addition, 7 scalar multiplication, 8 the
    /// pairing check.
    error PrecompileFailed(uint256 precompile);

    /// @notice Returns `(x, y) + s * (px, py)`; `s = 0` returns `(x, y)` unchanged.
    /// @dev `(px, py)` is a constant of the verifying key or a point this code computed, so the
    /// precompiles fail only when out of gas; either failure reverts.
    function mulAdd(uint256 x, uint256 y, uint256 px, uint256 py, uint256 s)
        internal
        view
        returns (uint256, uint256)
    {
        if (s == 0) {
            return (x, y);
        }
        bool ok;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, px)
            mstore(add(m, 0x20), py)
            mstore(add(m, 0x40), s)
            // s * (px, py) lands in the second half of the ecAdd input.
            ok := staticcall(gas(), 0x07, m, 0x60, add(m, 0x40), 0x40)
            if ok {
                mstore(m, x)
                mstore(add(m, 0x20), y)
                ok := staticcall(gas(), 0x06, m, 0x80, m, 0x40)
                x := mload(m)
                y := mload(add(m, 0x20))
            }
        }
        if (!ok) {
            revert PrecompileFailed(7);
        }
        return (x, y);
    }

    /// @notice Returns `(x1, y1) + (x2, y2)`.
    function add(uint256 x1, uint256 y1, uint256 x2, uint256 y2)
        internal
        view
        returns (uint256 x, uint256 y)
    {
        bool ok;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, x1)
            mstore(add(m, 0x20), y1)
            mstore(add(m, 0x40), x2)
            mstore(add(m, 0x60), y2)
            ok := staticcall(gas(), 0x06, m, 0x80, m, 0x40)
            x := mload(m)
            y := mload(add(m, 0x20))
        }
        if (!ok) {
            revert PrecompileFailed(6);
        }
    }

    /// @notice The Groth16 check `e(-A, B) e(alpha, beta) e(acc, gamma) e(C, delta) = 1`.
    /// @param proof `A.x, A.y, B.x1, B.x0, B.y1, B.y0, C.x, C.y` (EIP-197 order: the imaginary
    /// part of a G2 coordinate first).
    /// @param vk `alpha (2), beta (4), gamma (4), delta (4)` in the same order.
    /// @return valid whether the pairing product is one. A malformed proof (a coordinate not
    /// below p, a point off its curve or, for B, outside the prime-order subgroup) makes the
    /// precompile fail, and the call reverts.
    function groth16(uint256[8] calldata proof, uint256 accX, uint256 accY, uint256[14] memory vk)
        internal
        view
        returns (bool valid)
    {
        bool ok;
        assembly ("memory-safe") {
            // The 24 words of the pairing input, past the free memory pointer (scratch space).
            let m := mload(0x40)
            calldatacopy(m, proof, 0xc0)
            // -A = (A.x, p - A.y); A.y must itself be a coordinate (below p).
            let ay := calldataload(add(proof, 0x20))
            ok := lt(ay, P)
            mstore(add(m, 0x20), mod(sub(P, ay), P))
            mcopy(add(m, 0xc0), vk, 0xc0)
            mstore(add(m, 0x180), accX)
            mstore(add(m, 0x1a0), accY)
            mcopy(add(m, 0x1c0), add(vk, 0xc0), 0x80)
            calldatacopy(add(m, 0x240), add(proof, 0xc0), 0x40)
            mcopy(add(m, 0x280), add(vk, 0x140), 0x80)
            ok := and(ok, staticcall(gas(), 0x08, m, 0x300, m, 0x20))
            ok := and(ok, eq(returndatasize(), 0x20))
            valid := eq(mload(m), 1)
        }
        if (!ok) {
            revert PrecompileFailed(8);
        }
    }
}
