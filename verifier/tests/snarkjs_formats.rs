//! snarkjs JSON: round trips, a golden value from ffjavascript, and a typed error for each
//! kind of malformed input.

mod common;

use ark_bn254::{Bn254, Fq2, Fr, G1Affine, G2Affine};
use ark_ec::pairing::Pairing;
use ark_ec::AffineRepr;
use ark_ff::UniformRand;
use common::*;
use serde_json::{json, Value};
use zkcred_verifier::snarkjs::*;
use zkcred_verifier::{Error, Proof, VerifyingKey};

const Q: &str = "21888242871839275222246405745257275088696311157297823662689037894645226208583";

fn toy() -> (VerifyingKey, Proof, Vec<Fr>) {
    let (pk, vk) = setup(Cubic::default(), 1);
    let c = Cubic::witness(3, 7);
    (our_key(&vk), our_proof(&prove(&pk, c, 5)), c.inputs())
}

fn vk_json() -> Value {
    serde_json::from_str(&verifying_key_to_json(&toy().0)).unwrap()
}

fn proof_json() -> Value {
    serde_json::from_str(&proof_to_json(&toy().1)).unwrap()
}

fn read_vk(v: &Value) -> Result<VerifyingKey, Error> {
    verifying_key_from_json(&v.to_string(), 3)
}

fn read_proof(v: &Value) -> Result<Proof, Error> {
    proof_from_json(&v.to_string())
}

fn add_decimal(a: &str, b: &str) -> String {
    let a: num_bigint::BigUint = a.parse().unwrap();
    let b: num_bigint::BigUint = b.parse().unwrap();
    (a + b).to_string()
}

/// A point on the G2 twist that is not in the prime-order subgroup (the cofactor not cleared).
fn g2_outside_subgroup() -> G2Affine {
    let mut rng = rng(77);
    loop {
        let x = Fq2::rand(&mut rng);
        if let Some(p) = G2Affine::get_point_from_x_unchecked(x, false) {
            assert!(p.is_on_curve());
            if !p.is_in_correct_subgroup_assuming_on_curve() {
                return p;
            }
        }
    }
}

#[test]
fn round_trips() {
    let (vk, proof, inputs) = toy();
    let vk_text = verifying_key_to_json(&vk);
    assert_eq!(verifying_key_from_json(&vk_text, 3).unwrap(), vk);
    let proof_text = proof_to_json(&proof);
    assert_eq!(proof_from_json(&proof_text).unwrap(), proof);
    let public_text = public_inputs_to_json(&inputs);
    assert_eq!(public_inputs_from_json(&public_text, 3).unwrap(), inputs);

    // The shapes of docs/formats.md.
    let v: Value = serde_json::from_str(&vk_text).unwrap();
    assert_eq!(v["protocol"], "groth16");
    assert_eq!(v["curve"], "bn128");
    assert_eq!(v["nPublic"], 3);
    assert_eq!(v["IC"].as_array().unwrap().len(), 4);
    assert_eq!(v["vk_alpha_1"][2], "1");
    assert_eq!(v["vk_beta_2"][2], json!(["1", "0"]));
    let p: Value = serde_json::from_str(&proof_text).unwrap();
    assert_eq!(p["pi_a"].as_array().unwrap().len(), 3);
    assert_eq!(p["pi_b"][2], json!(["1", "0"]));
    let pub_v: Value = serde_json::from_str(&public_text).unwrap();
    assert_eq!(pub_v[1], "7");

    // Every point and Fq12 helper round-trips, including the points at infinity.
    for p in [G1Affine::identity(), G1Affine::generator(), *vk.alpha_g1()] {
        assert_eq!(g1_from_json(&g1_to_json(&p), "p").unwrap(), p);
    }
    for p in [G2Affine::identity(), G2Affine::generator(), *vk.delta_g2()] {
        assert_eq!(g2_from_json(&g2_to_json(&p), "p").unwrap(), p);
    }
    assert_eq!(g1_to_json(&G1Affine::identity()), ["0", "1", "0"]);
    assert_eq!(
        serde_json::to_value(g2_to_json(&G2Affine::identity())).unwrap(),
        json!([["0", "0"], ["1", "0"], ["0", "0"]])
    );
    let e = Bn254::pairing(vk.alpha_g1(), vk.beta_g2()).0;
    assert_eq!(fq12_from_json(&fq12_to_json(&e), "e").unwrap(), e);
}

/// `e(G, H)` as snarkjs writes it: ffjavascript 0.2.63 (circomlibjs' copy in test-vectors/),
/// `curve.Gt.toObject(await curve.pairing(curve.G1.g, curve.G2.g))`, stringified.
const FFJAVASCRIPT_E_G_H: &str = r#"[[["17264119758069723980713015158403419364912226240334615592005620718956030922389","1300711225518851207585954685848229181392358478699795190245709208408267917898"],["8894217292938489450175280157304813535227569267786222825147475294561798790624","1829859855596098509359522796979920150769875799037311140071969971193843357227"],["4968700049505451466697923764727215585075098085662966862137174841375779106779","12814315002058128940449527172080950701976819591738376253772993495204862218736"]],[["4233474252585134102088637248223601499779641130562251948384759786370563844606","9420544134055737381096389798327244442442230840902787283326002357297404128074"],["13457906610892676317612909831857663099224588803620954529514857102808143524905","5122435115068592725432309312491733755581898052459744089947319066829791570839"],["8891987925005301465158626530377582234132838601606565363865129986128301774627","440796048150724096437130979851431985500142692666486515369083499585648077975"]]]"#;

/// `G2.toObject(G2.g)` from the same ffjavascript.
const FFJAVASCRIPT_H: &str = r#"[["10857046999023057135944570762232829481370756359578518086990519993285655852781","11559732032986387107991004021392285783925812861821192530917403151452391805634"],["8495653923123431417604973247489272438418190587263600148770280649306958101930","4082367875863433681332203403145435568316851327593401208105741076214120093531"],["1","0"]]"#;

#[test]
fn alphabeta_and_g2_layout_match_ffjavascript() {
    let e = Bn254::pairing(G1Affine::generator(), G2Affine::generator()).0;
    let expected: Value = serde_json::from_str(FFJAVASCRIPT_E_G_H).unwrap();
    assert_eq!(serde_json::to_value(fq12_to_json(&e)).unwrap(), expected);
    let h: Value = serde_json::from_str(FFJAVASCRIPT_H).unwrap();
    assert_eq!(
        serde_json::to_value(g2_to_json(&G2Affine::generator())).unwrap(),
        h
    );
}

fn assert_malformed<T: std::fmt::Debug>(r: Result<T, Error>, check: fn(&Error) -> bool) {
    let e = r.unwrap_err();
    assert!(check(&e), "unexpected error: {e:?}");
    assert!(e.is_malformed(), "{e}");
    assert!(!e.to_string().contains('\n'), "multi-line message: {e}");
}

#[test]
fn truncated_or_misshapen_json() {
    let text = verifying_key_to_json(&toy().0);
    for cut in [0, 1, text.len() / 2, text.len() - 1] {
        assert_malformed(verifying_key_from_json(&text[..cut], 3), |e| {
            matches!(e, Error::Json { .. })
        });
    }
    let p = proof_to_json(&toy().1);
    assert_malformed(proof_from_json(&p[..p.len() - 2]), |e| {
        matches!(e, Error::Json { .. })
    });
    let mut v = proof_json();
    v["pi_a"] = json!(["1", "2"]);
    assert_malformed(read_proof(&v), |e| matches!(e, Error::Json { .. }));
    let mut v = proof_json();
    v["pi_a"][0] = json!(1);
    assert_malformed(read_proof(&v), |e| matches!(e, Error::Json { .. }));
    assert_malformed(public_inputs_from_json("[\"1\", \"2\"", 2), |e| {
        matches!(e, Error::Json { .. })
    });
}

#[test]
fn non_canonical_decimals() {
    for bad in ["01", "-1", "+5", "1.0", "", " 7", "0x1f", "1e5"] {
        let mut v = vk_json();
        v["vk_alpha_1"][0] = json!(bad);
        assert_malformed(read_vk(&v), |e| matches!(e, Error::NonCanonical { .. }));
        let mut v = proof_json();
        v["pi_b"][1][1] = json!(bad);
        assert_malformed(read_proof(&v), |e| matches!(e, Error::NonCanonical { .. }));
        assert_malformed(
            public_inputs_from_json(&json!(["1", bad, "3"]).to_string(), 3),
            |e| matches!(e, Error::NonCanonical { .. }),
        );
    }
}

#[test]
fn coordinates_at_or_above_q() {
    let v = vk_json();
    let x = v["vk_alpha_1"][0].as_str().unwrap().to_string();
    // `x + q` is the same point's coordinate, unreduced: refused, not reduced.
    for bad in [Q.to_string(), add_decimal(&x, Q)] {
        let mut v = vk_json();
        v["vk_alpha_1"][0] = json!(bad);
        assert_malformed(read_vk(&v), |e| matches!(e, Error::NonCanonical { .. }));
        let mut v = vk_json();
        v["vk_gamma_2"][0][1] = json!(bad);
        assert_malformed(read_vk(&v), |e| matches!(e, Error::NonCanonical { .. }));
    }
    // Public inputs are scalars: p itself is out of range.
    let p = "21888242871839275222246405745257275088548364400416034343698204186575808495617";
    assert_malformed(public_inputs_from_json(&json!([p]).to_string(), 1), |e| {
        matches!(e, Error::NonCanonical { .. })
    });
}

#[test]
fn points_not_on_the_curve() {
    let bump = |s: &Value| add_decimal(s.as_str().unwrap(), "1");
    let mut v = vk_json();
    v["IC"][2][1] = json!(bump(&v["IC"][2][1]));
    assert_malformed(
        read_vk(&v),
        |e| matches!(e, Error::NotOnCurve { what } if what == "IC[2]"),
    );
    let mut v = vk_json();
    v["vk_delta_2"][1][0] = json!(bump(&v["vk_delta_2"][1][0]));
    assert_malformed(read_vk(&v), |e| matches!(e, Error::NotOnCurve { .. }));
    let mut v = proof_json();
    v["pi_c"][0] = json!(bump(&v["pi_c"][0]));
    assert_malformed(
        read_proof(&v),
        |e| matches!(e, Error::NotOnCurve { what } if what == "pi_c"),
    );
    // (0, 0) (arkworks' internal form of infinity) is not a valid spelling of infinity.
    let mut v = proof_json();
    v["pi_a"] = json!(["0", "0", "1"]);
    assert_malformed(read_proof(&v), |e| matches!(e, Error::NotOnCurve { .. }));
    let mut v = vk_json();
    v["IC"][0] = json!(["0", "0", "1"]);
    assert_malformed(read_vk(&v), |e| matches!(e, Error::NotOnCurve { .. }));
    let mut v = vk_json();
    v["vk_gamma_2"] = json!([["0", "0"], ["0", "0"], ["1", "0"]]);
    assert_malformed(read_vk(&v), |e| matches!(e, Error::NotOnCurve { .. }));
}

#[test]
fn g2_points_outside_the_subgroup() {
    let bad = serde_json::to_value(g2_to_json(&g2_outside_subgroup())).unwrap();
    for field in ["vk_beta_2", "vk_gamma_2", "vk_delta_2"] {
        let mut v = vk_json();
        v[field] = bad.clone();
        assert_malformed(read_vk(&v), |e| matches!(e, Error::NotInSubgroup { .. }));
    }
    let mut v = proof_json();
    v["pi_b"] = bad;
    assert_malformed(
        read_proof(&v),
        |e| matches!(e, Error::NotInSubgroup { what } if what == "pi_b"),
    );
    // The same point in compressed binary form is refused too.
    use ark_serialize::CanonicalSerialize;
    let (vk, proof, _) = toy();
    let mut bytes = Vec::new();
    proof.a().serialize_compressed(&mut bytes).unwrap();
    g2_outside_subgroup()
        .serialize_compressed(&mut bytes)
        .unwrap();
    proof.c().serialize_compressed(&mut bytes).unwrap();
    assert_malformed(Proof::from_bytes(&bytes), |e| {
        matches!(e, Error::Binary { .. })
    });
    assert!(VerifyingKey::new(
        *vk.alpha_g1(),
        g2_outside_subgroup(),
        *vk.gamma_g2(),
        *vk.delta_g2(),
        vk.ic().to_vec()
    )
    .is_err());
}

#[test]
fn wrong_public_input_counts() {
    let v = vk_json();
    // The parser is generic in nPublic; the caller names the count it expects.
    assert_malformed(read_vk_n(&v, 33), |e| {
        matches!(
            e,
            Error::PublicInputCount {
                expected: 33,
                found: 3,
                ..
            }
        )
    });
    let mut w = v.clone();
    w["nPublic"] = json!(33);
    assert_malformed(read_vk_n(&w, 33), |e| {
        matches!(e, Error::UnexpectedValue { .. })
    });
    let mut w = v.clone();
    w["IC"].as_array_mut().unwrap().pop();
    assert_malformed(read_vk(&w), |e| matches!(e, Error::UnexpectedValue { .. }));
    let mut w = v;
    w["nPublic"] = json!(-1);
    assert_malformed(read_vk(&w), |e| matches!(e, Error::Json { .. }));
    assert_malformed(
        public_inputs_from_json(&json!(["1", "2"]).to_string(), 3),
        |e| matches!(e, Error::PublicInputCount { .. }),
    );
}

fn read_vk_n(v: &Value, n: usize) -> Result<VerifyingKey, Error> {
    verifying_key_from_json(&v.to_string(), n)
}

#[test]
fn protocol_curve_and_alphabeta_are_checked() {
    for (field, value) in [("protocol", "plonk"), ("curve", "bls12381")] {
        let mut v = vk_json();
        v[field] = json!(value);
        assert_malformed(read_vk(&v), |e| matches!(e, Error::UnexpectedValue { .. }));
        let mut v = proof_json();
        v[field] = json!(value);
        assert_malformed(read_proof(&v), |e| {
            matches!(e, Error::UnexpectedValue { .. })
        });
    }
    let mut v = vk_json();
    v["vk_alphabeta_12"][1][2][0] = json!("5");
    assert_malformed(
        read_vk(&v),
        |e| matches!(e, Error::UnexpectedValue { what, .. } if what == "vk_alphabeta_12"),
    );
    // Absent is accepted (it carries no information beyond alpha and beta).
    let mut v = vk_json();
    v.as_object_mut().unwrap().remove("vk_alphabeta_12");
    assert_eq!(read_vk(&v).unwrap(), toy().0);
    // Unknown fields are ignored, as snarkjs does.
    let mut v = proof_json();
    v["extra"] = json!(1);
    assert!(read_proof(&v).is_ok());
}

#[test]
fn points_at_infinity() {
    // Refused in a proof...
    for (field, inf) in [
        ("pi_a", json!(["0", "1", "0"])),
        ("pi_b", json!([["0", "0"], ["1", "0"], ["0", "0"]])),
        ("pi_c", json!(["0", "1", "0"])),
    ] {
        let mut v = proof_json();
        v[field] = inf;
        assert_malformed(read_proof(&v), |e| {
            matches!(e, Error::ProofPointAtInfinity(_))
        });
    }
    // ... as alpha, beta, gamma or delta, and as an IC point (its input would be unbound).
    let mut v = vk_json();
    v["vk_alpha_1"] = json!(["0", "1", "0"]);
    v.as_object_mut().unwrap().remove("vk_alphabeta_12");
    assert_malformed(read_vk(&v), |e| matches!(e, Error::PointEncoding { .. }));
    let mut v = vk_json();
    v["IC"][1] = json!(["0", "1", "0"]);
    assert_malformed(
        read_vk(&v),
        |e| matches!(e, Error::UnsafeKey(m) if m.contains("IC[1]")),
    );
    // Other third coordinates are not affine points.
    for z in [json!("2"), json!("01"), json!("0")] {
        let mut v = proof_json();
        v["pi_a"][2] = z;
        assert_malformed(read_proof(&v), |e| matches!(e, Error::PointEncoding { .. }));
    }
    let mut v = proof_json();
    v["pi_b"][2] = json!(["1", "1"]);
    assert_malformed(read_proof(&v), |e| matches!(e, Error::PointEncoding { .. }));
}

/// Writes the toy key, proof and inputs and runs `snarkjs groth16 verify` on them, when
/// `ZKCRED_SNARKJS` names a snarkjs executable (e.g. `npx snarkjs` installed locally).
/// Skipped otherwise: CI has no snarkjs.
#[test]
fn snarkjs_accepts_our_files_when_available() {
    let Ok(snarkjs) = std::env::var("ZKCRED_SNARKJS") else {
        eprintln!("ZKCRED_SNARKJS not set: skipping the snarkjs interop check");
        return;
    };
    let (vk, proof, inputs) = toy();
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: String| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let vk_path = write("verification_key.json", verifying_key_to_json(&vk));
    let proof_path = write("proof.json", proof_to_json(&proof));
    let good = write("public.json", public_inputs_to_json(&inputs));
    let mut wrong = inputs.clone();
    wrong[0] += Fr::from(1u64);
    let bad = write("bad_public.json", public_inputs_to_json(&wrong));
    let run = |public: &std::path::Path| {
        let out = std::process::Command::new(&snarkjs)
            .args(["groth16", "verify"])
            .args([&vk_path, &public.to_path_buf(), &proof_path])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr)
    };
    let ok = run(&good);
    assert!(ok.contains("OK!"), "snarkjs refused our files: {ok}");
    let refused = run(&bad);
    assert!(
        !refused.contains("OK!"),
        "snarkjs accepted a wrong input: {refused}"
    );
}
