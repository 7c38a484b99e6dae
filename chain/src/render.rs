//! `zkcred export solidity`: the Groth16 verifier of one verifying key as a Solidity contract.
//!
//! The template (`templates/ZkcredVerifier.sol.tmpl`) is ours; rendering fills in the key's
//! points as decimal constants, with G2 coordinates in the order of the EIP-197 precompile
//! (imaginary part first), and the circuit id. The output compiles beside `contracts/src`
//! (it imports `Bn254.sol` and `IZkcredVerifier.sol`).

use ark_bn254::{G1Affine, G2Affine};
use ark_ec::AffineRepr;
use std::fmt::Write;
use zkcred_verifier::VerifyingKey;

const TEMPLATE: &str = include_str!("templates/ZkcredVerifier.sol.tmpl");

/// A G1 point as `(x, y)` decimal strings; the point at infinity is `(0, 0)`.
pub fn g1_words(p: &G1Affine) -> [String; 2] {
    match p.xy() {
        Some((x, y)) => [x.to_string(), y.to_string()],
        None => ["0".into(), "0".into()],
    }
}

/// A G2 point as `(x.c1, x.c0, y.c1, y.c0)` decimal strings, the EIP-197 order.
pub fn g2_words(p: &G2Affine) -> [String; 4] {
    match p.xy() {
        Some((x, y)) => [
            x.c1.to_string(),
            x.c0.to_string(),
            y.c1.to_string(),
            y.c0.to_string(),
        ],
        None => ["0".into(), "0".into(), "0".into(), "0".into()],
    }
}

/// Renders the verifier contract of `vk`.
pub fn render_verifier(vk: &VerifyingKey) -> String {
    let mut constants = String::new();
    let mut constant = |name: &str, value: &str| {
        writeln!(
            constants,
            "    uint256 private constant {name} =\n        {value};"
        )
        .unwrap();
    };
    let [ax, ay] = g1_words(vk.alpha_g1());
    constant("ALPHA_X", &ax);
    constant("ALPHA_Y", &ay);
    for (name, p) in [
        ("BETA", vk.beta_g2()),
        ("GAMMA", vk.gamma_g2()),
        ("DELTA", vk.delta_g2()),
    ] {
        let [x1, x0, y1, y0] = g2_words(p);
        constant(&format!("{name}_X1"), &x1);
        constant(&format!("{name}_X0"), &x0);
        constant(&format!("{name}_Y1"), &y1);
        constant(&format!("{name}_Y0"), &y0);
    }
    let mut switch = String::new();
    let mut accumulate = String::new();
    for (i, p) in vk.ic().iter().enumerate() {
        let [x, y] = g1_words(p);
        constant(&format!("IC{i}_X"), &x);
        constant(&format!("IC{i}_Y"), &y);
        writeln!(
            switch,
            "        if (i == {i}) {{\n            return (IC{i}_X, IC{i}_Y);\n        }}"
        )
        .unwrap();
        if i > 0 {
            writeln!(
                accumulate,
                "        (x, y) = Bn254.mulAdd(x, y, IC{i}_X, IC{i}_Y, input[{}]);",
                i - 1
            )
            .unwrap();
        }
    }
    TEMPLATE
        .replace("{{CONSTANTS}}", constants.trim_end())
        .replace("{{IC_SWITCH}}", switch.trim_end())
        .replace("{{ACCUMULATE}}", accumulate.trim_end())
        .replace("{{NUM_INPUTS}}", &vk.num_public_inputs().to_string())
        .replace("{{CIRCUIT_ID}}", &vk.circuit_id())
}
