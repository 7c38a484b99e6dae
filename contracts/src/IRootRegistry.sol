// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IRootRegistry
/// @notice What a gate asks of the root registry.
interface IRootRegistry {
    /// @notice Whether `root` is acceptable now for `issuer`: its current root, or a root it
    /// replaced less than the registry's window ago.
    /// @param issuer the issuer's identifier (the account that first anchored for it).
    /// @param root a tree root.
    /// @return valid true if a proof against `root` may be accepted now.
    function isValidRoot(address issuer, uint256 root) external view returns (bool valid);
}
