// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Bn254} from "./Bn254.sol";
import {IRootRegistry} from "./IRootRegistry.sol";

/// @title RootRegistry
/// @notice Issuers anchor the roots of their credential trees here. Any account may act as an
/// issuer and anchors only its own roots. An issuer is identified by the account that first
/// anchored for it (`did:pkh:eip155:<chain id>:<that address>`); the key that controls it can
/// move to another account in two steps, and the identifier stays.
///
/// Root window: a root is valid while it is the issuer's current root, and for `window`
/// seconds after another root replaced it, so a proof made just before a new issuance still
/// verifies while a revocation (a new root without the revoked leaf) takes effect within one
/// window. The same rule as zkcred's local ledger.
contract RootRegistry is IRootRegistry {
    /// @notice When a root was first anchored and when it last stopped being current (0 while
    /// it is current). Both are Unix seconds; one storage slot.
    struct RootRecord {
        uint64 createdAt;
        uint64 replacedAt;
    }

    /// @notice One anchoring, in the order they happened.
    struct Anchor {
        uint256 root;
        uint64 time;
    }

    /// @notice Seconds a replaced root stays valid.
    uint64 public immutable window;

    mapping(address issuer => mapping(uint256 root => RootRecord)) private _roots;
    mapping(address issuer => uint256) private _current;
    mapping(address issuer => Anchor[]) private _history;
    mapping(address issuer => address) private _controller;
    mapping(address account => address) private _controls;
    mapping(address issuer => address) private _pending;

    /// @notice `issuer` anchored `root`, replacing `replaced` (0 for its first root).
    event RootAnchored(address indexed issuer, uint256 indexed root, uint256 replaced, uint64 time);
    /// @notice `controller` proposed `next` as the key of `issuer` (`next = 0`: withdrawn).
    event IssuerTransferStarted(address indexed issuer, address indexed controller, address next);
    /// @notice The key of `issuer` moved from `previous` to `next`.
    event IssuerTransferred(address indexed issuer, address indexed previous, address indexed next);

    /// @notice A root must be a nonzero element of the scalar field.
    error InvalidRoot(uint256 root);
    /// @notice The root is already the issuer's current root.
    error RootAlreadyCurrent(uint256 root);
    /// @notice The account's key was transferred away: it controls no issuer.
    error NotController(address account);
    /// @notice A transfer to the controller itself.
    error InvalidTransfer(address next);
    /// @notice No transfer of `issuer` to `account` is pending.
    error NoPendingTransfer(address issuer, address account);
    /// @notice The account already controls an issuer with anchored roots.
    error AccountInUse(address account);

    /// @param window_ seconds a replaced root stays valid (zkcred's default: 3600).
    constructor(uint64 window_) {
        window = window_;
    }

    /// @notice Anchors `root` as the caller's issuer's current root; the previous current root
    /// stays valid for one window.
    /// @param root the new tree root: nonzero and below the scalar field order.
    function anchor(uint256 root) external {
        if (root == 0 || root >= Bn254.R) {
            revert InvalidRoot(root);
        }
        address issuer = _callerIssuer();
        uint256 previous = _current[issuer];
        if (previous == root) {
            revert RootAlreadyCurrent(root);
        }
        uint64 time = uint64(block.timestamp);
        if (previous != 0) {
            _roots[issuer][previous].replacedAt = time;
        }
        RootRecord storage record = _roots[issuer][root];
        if (record.createdAt == 0) {
            record.createdAt = time;
        }
        record.replacedAt = 0;
        _current[issuer] = root;
        _history[issuer].push(Anchor(root, time));
        emit RootAnchored(issuer, root, previous, time);
    }

    /// @inheritdoc IRootRegistry
    function isValidRoot(address issuer, uint256 root) external view returns (bool valid) {
        RootRecord memory record = _roots[issuer][root];
        if (record.createdAt == 0) {
            return false;
        }
        return record.replacedAt == 0 || block.timestamp - record.replacedAt < window;
    }

    /// @notice The record of `root` for `issuer`: both 0 if it was never anchored.
    /// @param issuer the issuer's identifier.
    /// @param root a tree root.
    /// @return createdAt when it was first anchored.
    /// @return replacedAt when it last stopped being current, 0 while it is current.
    function rootRecord(address issuer, uint256 root)
        external
        view
        returns (uint64 createdAt, uint64 replacedAt)
    {
        RootRecord memory record = _roots[issuer][root];
        return (record.createdAt, record.replacedAt);
    }

    /// @notice The issuer's current root (0 before its first anchor).
    /// @param issuer the issuer's identifier.
    /// @return root its current root.
    function currentRoot(address issuer) external view returns (uint256 root) {
        return _current[issuer];
    }

    /// @notice How many times the issuer has anchored.
    /// @param issuer the issuer's identifier.
    /// @return count the length of its history.
    function historyLength(address issuer) external view returns (uint256 count) {
        return _history[issuer].length;
    }

    /// @notice Up to `count` entries of the issuer's history from position `from`: the same
    /// list zkcred's local ledger keeps, so an off-chain verifier applies the same window rule.
    /// @param issuer the issuer's identifier.
    /// @param from the first position.
    /// @param count the most entries to return.
    /// @return roots the anchored roots.
    /// @return times when each was anchored (Unix seconds).
    function history(address issuer, uint256 from, uint256 count)
        external
        view
        returns (uint256[] memory roots, uint64[] memory times)
    {
        Anchor[] storage h = _history[issuer];
        uint256 n = from >= h.length ? 0 : (count < h.length - from ? count : h.length - from);
        roots = new uint256[](n);
        times = new uint64[](n);
        for (uint256 i = 0; i < n; i++) {
            roots[i] = h[from + i].root;
            times[i] = h[from + i].time;
        }
    }

    /// @notice The account whose key anchors for `issuer` now.
    /// @param issuer the issuer's identifier.
    /// @return controller the controlling account.
    function controllerOf(address issuer) public view returns (address controller) {
        controller = _controller[issuer];
        if (controller == address(0)) {
            controller = issuer;
        }
    }

    /// @notice The issuer `account` anchors for: itself unless it took over another issuer's
    /// key or gave its own away (then 0).
    /// @param account an account.
    /// @return issuer the issuer's identifier, or 0.
    function issuerOf(address account) public view returns (address issuer) {
        issuer = _controls[account];
        if (issuer == address(0) && _controller[account] == address(0)) {
            issuer = account;
        }
    }

    /// @notice The account a transfer of `issuer` waits for (0: none).
    /// @param issuer the issuer's identifier.
    /// @return next the proposed controller.
    function pendingController(address issuer) external view returns (address next) {
        return _pending[issuer];
    }

    /// @notice First step of moving the caller's issuer to the key of `next`; `next` accepts
    /// with `acceptIssuer`. Proposing 0 withdraws a pending transfer.
    /// @param next the account to take over, or 0.
    function transferIssuer(address next) external {
        address issuer = _callerIssuer();
        if (next == msg.sender) {
            revert InvalidTransfer(next);
        }
        _pending[issuer] = next;
        emit IssuerTransferStarted(issuer, msg.sender, next);
    }

    /// @notice Second step: the caller takes over the key of `issuer`. The caller must not
    /// already anchor for an issuer with roots.
    /// @param issuer the issuer's identifier.
    function acceptIssuer(address issuer) external {
        if (msg.sender == address(0) || _pending[issuer] != msg.sender) {
            revert NoPendingTransfer(issuer, msg.sender);
        }
        address mine = issuerOf(msg.sender);
        if (mine != address(0) && (mine != msg.sender || _current[msg.sender] != 0)) {
            revert AccountInUse(msg.sender);
        }
        address previous = controllerOf(issuer);
        delete _pending[issuer];
        delete _controls[previous];
        if (msg.sender == issuer) {
            delete _controller[issuer];
        } else {
            _controller[issuer] = msg.sender;
            _controls[msg.sender] = issuer;
        }
        emit IssuerTransferred(issuer, previous, msg.sender);
    }

    function _callerIssuer() private view returns (address issuer) {
        issuer = issuerOf(msg.sender);
        if (issuer == address(0)) {
            revert NotController(msg.sender);
        }
    }
}
