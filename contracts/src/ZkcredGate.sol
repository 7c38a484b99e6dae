// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Bn254} from "./Bn254.sol";
import {CivilDate} from "./CivilDate.sol";
import {IRootRegistry} from "./IRootRegistry.sol";
import {IZkcredVerifier} from "./IZkcredVerifier.sol";

/// @title ZkcredGate
/// @notice One platform request on chain: a policy, a scope and an issuer. `verify` accepts a
/// zkcred proof from the account that submits it, once per person (nullifier) in the scope.
///
/// Public inputs the gate knows are folded into points, so a proof pays a scalar
/// multiplication only for what it brings:
/// - the policy's constant inputs (scope, flags, constant bounds, the set) into `BASE`, once,
///   at deployment;
/// - the date-relative bounds of the proof's date and the proof's root into a point cached per
///   (date, root) on the first proof of that pair;
/// - the nullifier, the message (bound to `msg.sender`) and any disclosed values per proof.
/// `acc = IC[0] + sum_j input_j * IC[1 + j]` is linear, so the sum of the folded points equals
/// the full sum.
contract ZkcredGate {
    uint256 private constant ROOT = 0;
    uint256 private constant NULLIFIER = 1;
    uint256 private constant SCOPE = 2;
    uint256 private constant MESSAGE = 3;
    uint256 private constant FLAGS = 4;
    uint256 private constant LO = 5;
    uint256 private constant HI = 11;
    uint256 private constant SET = 17;
    uint256 private constant DISCLOSED = 25;
    uint256 private constant NAME_DISCLOSURE = 33;
    uint256 private constant INPUTS = 34;
    uint256 private constant DISCLOSE_NAME_BIT = 13;

    /// @notice The registry the issuer anchors its roots in.
    IRootRegistry public immutable registry;
    /// @notice The verifier whose key this gate copied at deployment.
    IZkcredVerifier public immutable verifier;
    /// @notice The issuer whose roots are accepted.
    address public immutable issuer;
    /// @notice The account that deployed the gate: its scopes are `did:pkh:eip155:<chain>:<it>/…`.
    address public immutable platform;
    /// @notice The scope hash: `keccak256(scopeString) >> 8`.
    uint256 public immutable scopeHash;
    /// @notice The circuit id of the verifier's key.
    bytes32 public immutable circuitId;
    /// @notice The disclosure mask (bit j: attribute slot j is disclosed).
    uint256 public immutable disclosureMask;

    uint256 private immutable DISCLOSED_COUNT;
    uint256 private immutable BASE_X;
    uint256 private immutable BASE_Y;
    uint256 private immutable IC_ROOT_X;
    uint256 private immutable IC_ROOT_Y;
    uint256 private immutable IC_NULLIFIER_X;
    uint256 private immutable IC_NULLIFIER_Y;
    uint256 private immutable IC_MESSAGE_X;
    uint256 private immutable IC_MESSAGE_Y;
    uint256 private immutable ALPHA_X;
    uint256 private immutable ALPHA_Y;
    uint256 private immutable BETA_X1;
    uint256 private immutable BETA_X0;
    uint256 private immutable BETA_Y1;
    uint256 private immutable BETA_Y0;
    uint256 private immutable GAMMA_X1;
    uint256 private immutable GAMMA_X0;
    uint256 private immutable GAMMA_Y1;
    uint256 private immutable GAMMA_Y0;
    uint256 private immutable DELTA_X1;
    uint256 private immutable DELTA_X0;
    uint256 private immutable DELTA_Y1;
    uint256 private immutable DELTA_Y0;

    /// @notice The scope string: `did:pkh:eip155:<chain id>:<platform>/<label>`.
    string public scope;
    /// @notice The policy as JSON (the constants below are compiled from it).
    string public policy;

    /// @dev Date-relative inputs: `input | clamp << 8` (clamp: the policy's constant bound).
    uint256[] private _dateInputs;
    /// @dev Their terms: `input | unit << 8 | (adjust + 1) << 16 | uint32(n) << 24`.
    uint256[] private _dateTerms;
    /// @dev `IC[1 + j]` of each disclosed input j, in input order, x then y.
    uint256[] private _disclosedIc;
    /// @dev Folded points per `keccak256(date, root)`.
    mapping(bytes32 => uint256[2]) private _folded;
    /// @dev The account each nullifier was accepted for.
    mapping(uint256 nullifier => address) private _accounts;

    /// @notice A proof was accepted: `account` is verified under `nullifier`, against `root`.
    event Verified(uint256 indexed nullifier, address indexed account, uint256 root);
    /// @notice The values a policy with disclosures revealed for `nullifier`, in slot order
    /// (emitted right after its `Verified`).
    event Disclosed(uint256 indexed nullifier, uint256[] values);
    /// @notice The gate was deployed with this scope and policy; `constants` and the date terms
    /// are what the policy compiled to, for auditors.
    event GateCreated(
        address indexed platform,
        address indexed issuer,
        string scope,
        string policy,
        uint256[INPUTS] constants,
        uint256[] dateInputs,
        uint256[] dateTerms
    );

    /// @notice A public input is not below the scalar field order.
    error InputNotInField(uint256 index, uint256 value);
    /// @notice The root is not valid for the gate's issuer now.
    error RootNotValid(uint256 root);
    /// @notice The proof's date is not within one day of the chain's date.
    error DateNotCurrent(uint256 date, uint256 today);
    /// @notice The nullifier was already accepted in this scope.
    error NullifierUsed(uint256 nullifier, address account);
    /// @notice The number of disclosed values differs from what the policy discloses.
    error WrongDisclosedCount(uint256 given, uint256 expected);
    /// @notice The proof does not verify for these inputs and this sender.
    error ProofInvalid();
    /// @notice A constructor constant sits where the gate computes the input itself.
    error ConstantAtVariableInput(uint256 index);
    /// @notice The policy discloses the holder's name, which a public chain must never receive.
    error NameDisclosureNotOnChain();
    /// @notice A date-relative term is malformed.
    error InvalidDateTerm(uint256 term);

    /// @param registry_ the root registry.
    /// @param verifier_ the rendered verifier of the key proofs are made with.
    /// @param issuer_ the issuer whose roots are accepted.
    /// @param label the scope label (the part after the platform's DID).
    /// @param policy_ the policy JSON, kept for readers.
    /// @param constants the compiled policy's public inputs 0..33: 0 at root, nullifier, scope,
    /// message and the disclosed inputs; at a date-relative bound, its constant part.
    /// @param dateInputs `input | clamp << 8` per date-relative bound.
    /// @param dateTerms `input | unit << 8 | (adjust + 1) << 16 | uint32(n) << 24` per term.
    constructor(
        IRootRegistry registry_,
        IZkcredVerifier verifier_,
        address issuer_,
        string memory label,
        string memory policy_,
        uint256[INPUTS] memory constants,
        uint256[] memory dateInputs,
        uint256[] memory dateTerms
    ) {
        registry = registry_;
        verifier = verifier_;
        issuer = issuer_;
        platform = msg.sender;
        circuitId = verifier_.circuitId();
        string memory scope_ = string.concat(
            "did:pkh:eip155:", _decimal(block.chainid), ":", _hexAddress(msg.sender), "/", label
        );
        scope = scope_;
        policy = policy_;
        uint256 scopeHash_ = uint256(keccak256(bytes(scope_))) >> 8;
        scopeHash = scopeHash_;

        uint256 flags = constants[FLAGS];
        uint256 mask = flags & 0xff;
        if ((flags >> DISCLOSE_NAME_BIT) & 1 == 1) {
            // A name disclosure comes with its opening (the name itself): never on a public chain.
            revert NameDisclosureNotOnChain();
        }
        disclosureMask = mask;
        uint256 disclosedCount = 0;

        bool[INPUTS] memory variable;
        variable[ROOT] = true;
        variable[NULLIFIER] = true;
        variable[SCOPE] = true;
        variable[MESSAGE] = true;
        for (uint256 j = 0; j < 8; j++) {
            if ((mask >> j) & 1 == 1) {
                variable[DISCLOSED + j] = true;
                (uint256 x, uint256 y) = verifier_.ic(1 + DISCLOSED + j);
                _disclosedIc.push(x);
                _disclosedIc.push(y);
                disclosedCount++;
            }
        }
        for (uint256 t = 0; t < dateInputs.length; t++) {
            uint256 input = dateInputs[t] & 0xff;
            if (input < LO || input >= SET || variable[input] || dateInputs[t] >> 72 != 0) {
                revert InvalidDateTerm(dateInputs[t]);
            }
            if (constants[input] != dateInputs[t] >> 8) {
                revert InvalidDateTerm(dateInputs[t]);
            }
            variable[input] = true;
            _dateInputs.push(dateInputs[t]);
        }
        for (uint256 t = 0; t < dateTerms.length; t++) {
            uint256 term = dateTerms[t];
            uint256 input = term & 0xff;
            bool known = false;
            for (uint256 k = 0; k < dateInputs.length; k++) {
                known = known || dateInputs[k] & 0xff == input;
            }
            if (!known || (term >> 8) & 0xff > 2 || (term >> 16) & 0xff > 2 || term >> 56 != 0) {
                revert InvalidDateTerm(term);
            }
            _dateTerms.push(term);
        }

        (uint256 bx, uint256 by) = verifier_.ic(0);
        (uint256 sx, uint256 sy) = verifier_.ic(1 + SCOPE);
        (bx, by) = Bn254.mulAdd(bx, by, sx, sy, scopeHash_);
        for (uint256 i = 0; i < INPUTS; i++) {
            if (constants[i] >= Bn254.R) {
                revert InputNotInField(i, constants[i]);
            }
            if (variable[i]) {
                // Date-relative inputs carry their clamp, checked above; the rest must be 0.
                if (constants[i] != 0 && (i < LO || i >= SET)) {
                    revert ConstantAtVariableInput(i);
                }
                continue;
            }
            if (constants[i] != 0) {
                (uint256 px, uint256 py) = verifier_.ic(1 + i);
                (bx, by) = Bn254.mulAdd(bx, by, px, py, constants[i]);
            }
        }
        DISCLOSED_COUNT = disclosedCount;
        BASE_X = bx;
        BASE_Y = by;
        (IC_ROOT_X, IC_ROOT_Y) = verifier_.ic(1 + ROOT);
        (IC_NULLIFIER_X, IC_NULLIFIER_Y) = verifier_.ic(1 + NULLIFIER);
        (IC_MESSAGE_X, IC_MESSAGE_Y) = verifier_.ic(1 + MESSAGE);
        uint256[14] memory vk = verifier_.verifyingKey();
        ALPHA_X = vk[0];
        ALPHA_Y = vk[1];
        BETA_X1 = vk[2];
        BETA_X0 = vk[3];
        BETA_Y1 = vk[4];
        BETA_Y0 = vk[5];
        GAMMA_X1 = vk[6];
        GAMMA_X0 = vk[7];
        GAMMA_Y1 = vk[8];
        GAMMA_Y0 = vk[9];
        DELTA_X1 = vk[10];
        DELTA_X0 = vk[11];
        DELTA_Y1 = vk[12];
        DELTA_Y0 = vk[13];
        emit GateCreated(msg.sender, issuer_, scope_, policy_, constants, dateInputs, dateTerms);
    }

    /// @notice Verifies a zkcred proof for the sender and records its nullifier.
    /// @param proof `A.x, A.y, B.x1, B.x0, B.y1, B.y0, C.x, C.y` (G2: imaginary part first).
    /// @param root the tree root the proof was made against.
    /// @param nullifier the holder's pseudonym in this gate's scope.
    /// @param date the request date the proof was made for (`YYYYMMDD`, within a day of the
    /// chain's date).
    /// @param disclosed the disclosed attribute values in slot order; empty when the policy
    /// discloses nothing.
    function verify(
        uint256[8] calldata proof,
        uint256 root,
        uint256 nullifier,
        uint256 date,
        uint256[] calldata disclosed
    ) external {
        if (root >= Bn254.R) {
            revert InputNotInField(ROOT, root);
        }
        if (nullifier >= Bn254.R) {
            revert InputNotInField(NULLIFIER, nullifier);
        }
        uint256 count = DISCLOSED_COUNT;
        if (disclosed.length != count) {
            revert WrongDisclosedCount(disclosed.length, count);
        }
        int256 day = _checkDate(date);
        if (!registry.isValidRoot(issuer, root)) {
            revert RootNotValid(root);
        }
        address previous = _accounts[nullifier];
        if (previous != address(0)) {
            revert NullifierUsed(nullifier, previous);
        }
        (uint256 x, uint256 y) = _foldedPoint(date, day, root);
        (x, y) = Bn254.mulAdd(x, y, IC_NULLIFIER_X, IC_NULLIFIER_Y, nullifier);
        (x, y) = Bn254.mulAdd(x, y, IC_MESSAGE_X, IC_MESSAGE_Y, _senderMessage(msg.sender));
        for (uint256 k = 0; k < count; k++) {
            uint256 v = disclosed[k];
            if (v >= Bn254.R) {
                revert InputNotInField(DISCLOSED + k, v);
            }
            (x, y) = Bn254.mulAdd(x, y, _disclosedIc[2 * k], _disclosedIc[2 * k + 1], v);
        }
        uint256[14] memory vk = [
            ALPHA_X, ALPHA_Y, BETA_X1, BETA_X0, BETA_Y1, BETA_Y0, GAMMA_X1, GAMMA_X0, GAMMA_Y1, GAMMA_Y0,
            DELTA_X1, DELTA_X0, DELTA_Y1, DELTA_Y0
        ];
        if (!Bn254.groth16(proof, x, y, vk)) {
            revert ProofInvalid();
        }
        _accounts[nullifier] = msg.sender;
        emit Verified(nullifier, msg.sender, root);
        if (count != 0) {
            emit Disclosed(nullifier, disclosed);
        }
    }

    /// @notice The account a nullifier was accepted for (0: not used).
    /// @param nullifier a nullifier in this gate's scope.
    /// @return account the account that submitted its proof.
    function accountOf(uint256 nullifier) external view returns (address account) {
        return _accounts[nullifier];
    }

    /// @notice The message a proof submitted by `account` must carry: `keccak256` of the
    /// account's lowercase `0x…` hex string, shifted right by 8 bits.
    /// @param account the submitting account.
    /// @return message the public input.
    function messageFor(address account) external pure returns (uint256 message) {
        return _senderMessage(account);
    }

    /// @notice The date-relative bounds of a proof dated `date` (`YYYYMMDD`): for auditing the
    /// on-chain date arithmetic against the policy compiled off chain.
    /// @param date a date within the years 1000..9999.
    /// @return inputs the public input index of each date-relative bound.
    /// @return values its value on that date.
    function dateBoundsFor(uint256 date) external view returns (uint256[] memory inputs, uint256[] memory values) {
        if (date < 10000101 || date > 99991231) {
            revert CivilDate.DateOutOfRange();
        }
        int256 day = CivilDate.toDays(int256(date / 10000), int256((date / 100) % 100), int256(date % 100));
        inputs = new uint256[](_dateInputs.length);
        values = new uint256[](_dateInputs.length);
        for (uint256 t = 0; t < _dateInputs.length; t++) {
            inputs[t] = _dateInputs[t] & 0xff;
            values[t] = _dateValue(_dateInputs[t], day);
        }
    }

    function _checkDate(uint256 date) private view returns (int256 day) {
        int256 today = int256(block.timestamp / 86400);
        uint256 todays = CivilDate.yyyymmdd(today);
        if (date == todays) {
            return today;
        }
        if (date == CivilDate.yyyymmdd(today - 1)) {
            return today - 1;
        }
        if (date == CivilDate.yyyymmdd(today + 1)) {
            return today + 1;
        }
        revert DateNotCurrent(date, todays);
    }

    function _foldedPoint(uint256 date, int256 day, uint256 root) private returns (uint256 x, uint256 y) {
        bytes32 key = keccak256(abi.encode(date, root));
        uint256[2] storage cached = _folded[key];
        x = cached[0];
        y = cached[1];
        if (x != 0 || y != 0) {
            return (x, y);
        }
        (x, y) = (BASE_X, BASE_Y);
        for (uint256 t = 0; t < _dateInputs.length; t++) {
            uint256 input = _dateInputs[t] & 0xff;
            (uint256 px, uint256 py) = verifier.ic(1 + input);
            (x, y) = Bn254.mulAdd(x, y, px, py, _dateValue(_dateInputs[t], day));
        }
        (x, y) = Bn254.mulAdd(x, y, IC_ROOT_X, IC_ROOT_Y, root);
        cached[0] = x;
        cached[1] = y;
    }

    function _dateValue(uint256 dateInput, int256 day) private view returns (uint256 v) {
        uint256 input = dateInput & 0xff;
        bool lower = input < HI;
        v = dateInput >> 8;
        for (uint256 t = 0; t < _dateTerms.length; t++) {
            uint256 term = _dateTerms[t];
            if (term & 0xff != input) {
                continue;
            }
            int256 n = int256(int32(uint32(term >> 24)));
            uint256 r = CivilDate.resolve(day, (term >> 8) & 0xff, n);
            uint256 adjust = (term >> 16) & 0xff;
            r = adjust == 0 ? r - 1 : (adjust == 2 ? r + 1 : r);
            v = lower ? (r > v ? r : v) : (r < v ? r : v);
        }
    }

    function _senderMessage(address account) private pure returns (uint256 message) {
        assembly ("memory-safe") {
            // The lowercase hex digits of the 16 bytes `v` (the low 128 bits), one per byte of
            // the result, most significant first.
            function hexDigits(v) -> r {
                // Spread the nibbles apart by halving the chunk width: 64, 32, 16, 8, 4 bits.
                r := and(or(shl(64, v), v), 0x0000000000000000ffffffffffffffff0000000000000000ffffffffffffffff)
                r := and(or(shl(32, r), r), 0x00000000ffffffff00000000ffffffff00000000ffffffff00000000ffffffff)
                r := and(or(shl(16, r), r), 0x0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff)
                r := and(or(shl(8, r), r), 0x00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff)
                r := and(or(shl(4, r), r), 0x0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f)
                // Nibbles 10..15 gain bit 4 when 6 is added: they take 'a'..'f', the rest '0'..'9'.
                let letters := shr(4, and(add(r, 0x0606060606060606060606060606060606060606060606060606060606060606), 0x1010101010101010101010101010101010101010101010101010101010101010))
                r := add(add(r, 0x3030303030303030303030303030303030303030303030303030303030303030), mul(letters, 0x27))
            }
            let m := mload(0x40)
            mstore(m, shl(240, 0x3078)) // "0x"
            mstore(add(m, 2), hexDigits(shr(32, account))) // the first 16 bytes: 32 digits
            mstore(add(m, 34), hexDigits(shl(96, and(account, 0xffffffff)))) // the last 4: 8 digits
            message := shr(8, keccak256(m, 42))
        }
    }

    function _hexAddress(address account) private pure returns (string memory s) {
        bytes memory out = new bytes(42);
        out[0] = "0";
        out[1] = "x";
        bytes16 digits = "0123456789abcdef";
        uint160 v = uint160(account);
        for (uint256 i = 41; i > 1; i--) {
            out[i] = digits[v & 0xf];
            v >>= 4;
        }
        s = string(out);
    }

    function _decimal(uint256 v) private pure returns (string memory) {
        if (v == 0) {
            return "0";
        }
        uint256 len = 0;
        for (uint256 t = v; t != 0; t /= 10) {
            len++;
        }
        bytes memory out = new bytes(len);
        for (; v != 0; v /= 10) {
            out[--len] = bytes1(uint8(48 + v % 10));
        }
        return string(out);
    }
}
